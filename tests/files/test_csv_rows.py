"""CSV as Brazilian spreadsheets save it, through the record contract."""

import pytest

from sales_monitor.errors import UnreadableFile
from sales_monitor.files.csv_rows import decode_text, read_rows
from sales_monitor.record import Rejection, SaleRecord

pytestmark = pytest.mark.unit

HEADER = "id;nome;idade;cidade;valor;timestamp"


def rows(text: str, encoding: str = "utf-8"):
    return read_rows(decode_text(text.encode(encoding)), "csv:teste.csv")


@pytest.mark.parametrize(
    ("valor", "cents"),
    [
        ("450", 45_000),
        ("450.00", 45_000),
        ("450,00", 45_000),
        ("1.234,56", 123_456),
        ("0,29", 29),
        ("1234.5", 123_450),
        ("1.234.567,89", 123_456_789),
    ],
)
def test_valor_in_every_accepted_spelling_is_exact_to_the_cent(valor, cents):
    (row,) = rows(f'{HEADER}\n1;Ana;30;Natal;"{valor}";2025-08-27T12:00:00\n')
    assert row.decoded.value_cents == cents


@pytest.mark.parametrize("valor", ["1.234", "12,345", "R$ 10", "1,2,3", "abc"])
def test_ambiguous_or_wrong_valor_is_rejected_with_the_contracts_reason(valor):
    (row,) = rows(f"{HEADER}\n1;Ana;30;Natal;{valor};2025-08-27T12:00:00\n")
    assert isinstance(row.decoded, Rejection) and "valor" in row.decoded.reason


@pytest.mark.parametrize(
    "moment",
    ["27/08/2025 12:00", "27/08/2025 12:00:00", "2025-08-27T12:00:00", "2025-08-27 12:00:00-03:00"],
)
def test_timestamps_in_brazilian_and_iso_form(moment):
    (row,) = rows(f"{HEADER}\n1;Ana;30;Natal;10,00;{moment}\n")
    assert row.decoded.timestamp.isoformat() == "2025-08-27T12:00:00-03:00"


def test_windows_1252_with_semicolons_and_utf8_bom_with_commas_read_the_same():
    excel = f"{HEADER}\r\n1;João Araújo;30;São Paulo;1.234,56;27/08/2025 12:00\r\n"
    bom = "\ufeffid,nome,idade,cidade,valor,timestamp\n1,João Araújo,30,São Paulo,1234.56,2025-08-27T12:00:00\n"  # noqa: E501
    (a,), (b,) = rows(excel, "cp1252"), rows(bom, "utf-8")
    assert a.decoded == b.decoded
    assert a.decoded.name == "João Araújo" and a.decoded.city == "São Paulo"
    assert a.decoded.source == "csv:teste.csv"


def test_bad_rows_are_reported_with_their_line_and_the_rest_is_kept():
    text = (
        f"{HEADER}\n"
        "1;Ana;30;Natal;10,00;27/08/2025 12:00\n"
        "\n"  # blank lines are skipped, not rejected
        '2;"Bia\nSilva";abc;Natal;10,00;27/08/2025 12:00\n'  # a quoted field over two lines
        "3;Caio;30\n"
        "4;Duda;200;Natal;10,00;27/08/2025 12:00\n"
        "5;Edu;30;Natal;10,00;ontem\n"
        "6;Fabi;30;Natal;10,00;27/08/2025 12:00\n"
    )
    found = {row.line: row.decoded for row in rows(text)}
    assert isinstance(found[2], SaleRecord) and isinstance(found[9], SaleRecord)
    assert found[4].reason == "campo 'idade' deve ser um número inteiro, veio 'abc'"
    assert found[6].reason == "a linha tem 3 colunas; o cabeçalho tem 6"
    assert found[7].reason == "idade 200 fora do intervalo 0..130"
    assert found[8].reason == "timestamp 'ontem' não é ISO 8601"
    assert sorted(found) == [2, 4, 6, 7, 8, 9]


def test_columns_in_any_order_and_case_extra_columns_ignored():
    text = "Valor,ID,Nome,Cidade,Idade,Timestamp,Obs\n10.00,1,Ana,Natal,30,2025-08-27T12:00:00,x\n"
    (row,) = rows(text)
    assert (row.decoded.id, row.decoded.value_cents) == (1, 1_000)


@pytest.mark.parametrize(
    "text", ["", "nome;idade\nAna;3\n", "garbage without a header", "\x00\x01\x02"]
)
def test_a_file_without_the_header_is_unreadable_as_a_whole(text):
    with pytest.raises(UnreadableFile, match="o cabeçalho deve ter as colunas"):
        rows(text)


@pytest.mark.parametrize(
    ("valor", "moment", "reason"),
    [
        (
            "-3,00",
            "27/08/2025 12:00",
            "valor -3,00 fora do intervalo de R$ 0,00 a R$ 100.000.000.000,00",
        ),
        ("12,345", "27/08/2025 12:00", "valor 12,345 tem mais de duas casas decimais"),
        (
            "1.234",
            "27/08/2025 12:00",
            "valor 1.234 é ambíguo: sem vírgula, o ponto é a casa "
            "decimal; escreva 1234 ou 1.234,00 para milhares",
        ),
        (
            "1.234.567.890.123,00",
            "27/08/2025 12:00",
            "valor 1.234.567.890.123,00 fora do intervalo de R$ 0,00 a R$ 100.000.000.000,00",
        ),
        ("10,00", "31/02/2026 10:40", "timestamp: a data 31/02/2026 não existe"),
        ("10,00", "29/02/2025 10:40", "timestamp: a data 29/02/2025 não existe"),
        ("10,00", "27/08/2025 24:00", "timestamp: a hora 24:00 não existe"),
        ("10,00", "2025-08-27T10:61:30", "timestamp: a hora 10:61:30 não existe"),
    ],
)
def test_reasons_read_as_the_person_wrote_the_cell(valor, moment, reason):
    """Before: `valor -3.0 fora do intervalo 0..100000000000`, `valor 12.345 tem mais de
    duas casas decimais`, `timestamp '2026-02-31T10:40:00' não é ISO 8601`."""
    (row,) = rows(f"{HEADER}\n1;Ana;30;Natal;{valor};{moment}\n")
    assert row.reason == reason
