"""The Painel's spreadsheet read back: the .xlsx it downloads and the `;` CSV a pt-BR Excel
saves, with the contract's reasons and the sheet's row numbers."""

import io
from datetime import datetime

import openpyxl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sales_monitor.analysis import tables
from sales_monitor.errors import UnreadableFile
from sales_monitor.files import formats, workbook
from sales_monitor.record import SAO_PAULO, Rejection, SaleRecord, encode
from tests.helpers.factories import sale, table

pytestmark = pytest.mark.unit

NOW = datetime(2026, 12, 5, 11, 0, tzinfo=SAO_PAULO)
COLUMNS = ["id", "nome", "idade", "cidade", "valor_centavos", "timestamp"]


def same_table(before, rows) -> bool:
    after = table(*[row.decoded for row in rows])
    left = before[COLUMNS].sort_values("id").reset_index(drop=True)
    right = after[COLUMNS].sort_values("id").reset_index(drop=True)
    return left.equals(right)


texts = st.text(st.characters(exclude_categories=["Cs", "Cc"]), min_size=1, max_size=40).filter(
    lambda text: text.strip()
)
sales = st.builds(
    SaleRecord,
    id=st.integers(1, 2**63 - 1),
    name=texts,
    age=st.integers(0, 130),
    city=texts,
    value_cents=st.integers(0, 10_000_000_000_000),
    timestamp=st.datetimes(datetime(2000, 1, 2), datetime(2099, 12, 30)).map(
        lambda moment: moment.replace(
            microsecond=moment.microsecond // 1000 * 1000, tzinfo=SAO_PAULO
        )
    ),
)


@settings(max_examples=60, deadline=None)
@given(st.lists(sales, min_size=1, max_size=20, unique_by=lambda record: record.id))
def test_any_table_survives_the_round_trip_through_the_download(records):
    """Whatever the names (formulas, accents, emoji), ids up to 2⁶³−1, amounts to the cent,
    moments to the millisecond: downloaded and read back, the same table."""
    cleaned = [row.decoded for row in formats.parse(_jsonl(records), "teste")]
    before = table(*[record for record in cleaned if isinstance(record, SaleRecord)])
    rows = formats.parse(tables.to_xlsx(before, "", NOW), "planilha")
    assert not [row for row in rows if isinstance(row.decoded, Rejection)]
    assert same_table(before, rows)


def _jsonl(records) -> bytes:
    """Records as the writers put them on the wire, one a line: the contract cleans them
    (a name's invisible characters go) as every reader does."""
    return b"\n".join(encode(record)[1] for record in records)


def test_one_edited_valor_changes_exactly_that_sale():
    before = table(*[sale(n, cents=10_000 + n, minute=n) for n in range(1, 51)])
    book = openpyxl.load_workbook(io.BytesIO(tables.to_xlsx(before, "", NOW)))
    sheet = book.worksheets[0]
    sheet["F10"] = 999.99  # row 10: the sixth newest sale
    edited = io.BytesIO()
    book.save(edited)
    rows = formats.parse(edited.getvalue(), "planilha")
    changed = {
        row.decoded.id: row.decoded.value_cents
        for row in rows
        if row.decoded.value_cents != 10_000 + row.decoded.id
    }
    assert changed == {int(sheet["A10"].value): 99_999}
    assert len(rows) == 50


def test_a_bad_cell_is_refused_with_its_row_number_and_reason():
    before = table(sale(1), sale(2, minute=1))
    book = openpyxl.load_workbook(io.BytesIO(tables.to_xlsx(before, "", NOW)))
    book.worksheets[0]["F5"] = -3
    book.worksheets[0]["C6"] = "velho"
    edited = io.BytesIO()
    book.save(edited)
    rows = formats.parse(edited.getvalue(), "planilha")
    reasons = {row.line: row.decoded.reason for row in rows if isinstance(row.decoded, Rejection)}
    assert reasons.keys() == {5, 6}
    assert "fora do intervalo" in reasons[5] and "idade" in reasons[6]


def test_the_excel_csv_a_person_saved_reads_back():
    """The `;` CSV with the spreadsheet's column names, a decimal comma and Brazilian dates."""
    raw = (
        "\ufeffid;nome;idade;cidade;uf;valor (R$);data e hora;origem\r\n"
        "7;José Araújo;41;São Paulo;SP;1234,56;27/08/2025 12:00:00;produtor\r\n"
    ).encode("utf-8")
    (row,) = formats.parse(raw, "planilha")
    assert row.decoded == SaleRecord(
        7,
        "José Araújo",
        41,
        "São Paulo",
        123_456,
        datetime(2025, 8, 27, 12, tzinfo=SAO_PAULO),
        "planilha",
    )


@given(st.binary(max_size=2_000).map(lambda tail: workbook.ZIP_MAGIC + tail))
def test_any_bytes_that_look_like_a_zip_give_rows_or_one_refusal(raw):
    try:
        formats.parse(raw, "planilha")
    except UnreadableFile as error:
        assert "\n" not in str(error)


def test_a_sheet_without_the_columns_says_which_are_missing():
    book = openpyxl.Workbook()
    book.active.append(["id", "nome"])
    book.active.append([1, "Ana"])
    raw = io.BytesIO()
    book.save(raw)
    with pytest.raises(UnreadableFile, match="faltam idade, cidade, valor, timestamp"):
        formats.parse(raw.getvalue(), "planilha")


def test_a_workbook_that_unpacks_too_large_is_refused_before_reading(monkeypatch):
    monkeypatch.setattr(workbook, "MAX_UNPACKED_BYTES", 1_000)
    raw = tables.to_xlsx(table(*[sale(n, minute=n) for n in range(1, 200)]), "", NOW)
    with pytest.raises(UnreadableFile, match="descompactada teria"):
        formats.parse(raw, "planilha")


def test_the_csv_monitor_loads_the_spreadsheet_too(tmp_path):
    from sales_monitor.files.sync import load

    before = table(*[sale(n, minute=n) for n in range(1, 6)])
    path = tmp_path / "vendas.xlsx"
    path.write_bytes(tables.to_xlsx(before, "", NOW))
    state = load(path, "csv:vendas")
    assert sorted(state.records) == [1, 2, 3, 4, 5] and not state.rejected
    assert not state.cut_short
