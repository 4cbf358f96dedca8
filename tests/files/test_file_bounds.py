"""Any file gives rows and line-numbered rejections, or one clear refusal, in bounded
memory: the readers behind `uv run send --file`, Enviar arquivo and the CSV monitor."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sales_monitor.errors import UnreadableFile
from sales_monitor.files import csv_rows, formats
from sales_monitor.record import Rejection, SaleRecord

pytestmark = pytest.mark.unit

HEADER = "id;nome;idade;cidade;valor;timestamp\n"
ROW = "{id};Ana;30;Natal;{valor};27/08/2025 12:00\n"


def reasons(rows) -> dict[int, str]:
    return {row.line: row.decoded.reason for row in rows if isinstance(row.decoded, Rejection)}


def test_a_json_nested_100_000_deep_is_refused_not_a_recursion_error():
    with pytest.raises(UnreadableFile, match="aninhamento profundo"):
        formats.parse(b"[" * 100_000 + b"]" * 100_000, "send")


def test_a_json_lines_file_with_a_deep_line_keeps_the_others():
    good = '{"id": 1, "nome": "a", "idade": 1, "cidade": "b", "valor": 1, "timestamp": "2025-01-01T00:00:00"}'  # noqa: E501
    rows = formats.parse(
        f'{good}\n{{"x": {"[" * 5000}\n{good.replace("1,", "2,", 1)}\n'.encode(), "s"
    )
    assert [r.decoded.id for r in rows if isinstance(r.decoded, SaleRecord)] == [1, 2]
    assert "aninhamento profundo" in reasons(rows)[2]


def test_a_field_over_the_csv_modules_limit_is_one_rejected_line():
    """Before: `_csv.Error: field larger than field limit (131072)` from every reader."""
    text = HEADER + ROW.format(id=1, valor="1,00") + f'2;"{"x" * 200_000}";30;N;1;x\n'
    text += ROW.format(id=3, valor="3,00")
    rows = csv_rows.read_rows(text)
    assert [r.decoded.id for r in rows if isinstance(r.decoded, SaleRecord)] == [1, 3]
    assert "caracteres" in reasons(rows)[3]


def test_a_quoted_field_past_csvs_limit_is_refused_with_its_line_and_nothing_is_lost_silently():
    text = HEADER + '1;"' + ("y" * 9_000 + "\n") * 20 + '";30;N;1;x\n' + ROW.format(id=2, valor="2")
    rows = csv_rows.read_rows(text)
    assert "não é CSV válido" in reasons(rows)[2]
    # what its broken quoting swallows afterwards is listed too, line by line
    assert all(isinstance(r.decoded, Rejection) for r in rows) and rows[-1].line == 22


def test_a_header_with_too_many_columns_is_refused():
    with pytest.raises(UnreadableFile, match="colunas"):
        csv_rows.read_rows(";".join(["id", "nome", "idade", "cidade", "valor", "timestamp"] * 20))


def test_a_valor_of_400_digits_is_a_rejection_not_an_overflow():
    rows = formats.parse((HEADER + ROW.format(id=1, valor="9" * 400)).encode(), "send")
    assert "fora do intervalo" in reasons(rows)[2]


def test_a_file_with_a_utf8_line_and_a_windows_1252_line_keeps_both_right():
    """Before: all of it decoded as Windows-1252: `JosÃ©` and `SÃ£o Paulo`."""
    raw = HEADER.encode() + "1;José;30;Natal;1,00;27/08/2025 12:00\n".encode()
    raw += "2;Ana;30;São Paulo;2,00;27/08/2025 12:00\n".encode("cp1252")
    names = [(r.decoded.name, r.decoded.city) for r in formats.parse(raw, "send")]
    assert names == [("José", "Natal"), ("Ana", "São Paulo")]


def test_an_id_repeated_in_a_file_keeps_its_first_row_in_every_reader(tmp_path):
    """Before: `send --file` and Enviar arquivo sent both (the last won), the monitor kept
    the first."""
    from sales_monitor.files.sync import load

    text = HEADER + ROW.format(id=810001, valor="1.234,56") + ROW.format(id=7, valor="1")
    text += ROW.format(id=810001, valor="1,00")
    rows = formats.parse(text.encode(), "send")
    kept = {r.decoded.id: r.decoded.value_cents for r in rows if isinstance(r.decoded, SaleRecord)}
    assert kept == {810001: 123_456, 7: 100}
    assert reasons(rows) == {4: "id 810001 repetido (primeira vez na linha 2)"}
    path = tmp_path / "vendas.csv"
    path.write_text(text, encoding="utf-8")
    state = load(path, "csv:x")
    assert state.records[810001].value_cents == 123_456
    assert [(r.line, r.decoded.reason) for r in state.rejected] == list(reasons(rows).items())


def test_a_file_over_the_size_bound_is_refused():
    with pytest.raises(UnreadableFile, match="MiB"):
        formats.parse(b"x" * (csv_rows.MAX_FILE_BYTES + 1), "send")


FILES = st.binary(max_size=2_000) | st.builds(
    lambda head, body: (head + body).encode(),
    st.sampled_from([HEADER, "[", "{", "id,nome,idade,cidade,valor,timestamp\n"]),
    st.text(alphabet=st.characters(codec="utf-8"), max_size=600)
    | st.lists(st.sampled_from(["1", ";", ",", '"', "\n", "\r", "[", "{", "}", "]", ":", "é"])).map(
        "".join
    ),
)


@settings(max_examples=400, deadline=None)
@given(raw=FILES)
def test_any_bytes_as_a_file_give_rows_or_one_refusal(raw):
    try:
        rows = formats.parse(raw, "send")
    except UnreadableFile as refused:
        assert str(refused)
        return
    lines = [row.line for row in rows]
    assert lines == sorted(lines) and all(line >= 1 for line in lines)
    for row in rows:
        assert isinstance(row.decoded, SaleRecord | Rejection)


@settings(max_examples=200, deadline=None)
@given(raw=FILES)
def test_any_bytes_as_the_monitors_file_give_a_state_or_one_refusal(raw, tmp_path_factory):
    from sales_monitor.files.sync import load

    path = tmp_path_factory.mktemp("m") / "vendas.csv"
    path.write_bytes(raw)
    try:
        state = load(path, "csv:x")
    except UnreadableFile:
        return
    assert all(isinstance(r.decoded, Rejection) for r in state.rejected)


@pytest.mark.timeout(300)
def test_a_50_mb_header_of_25_million_columns_costs_a_small_multiple_of_its_size():
    """Before: 2.4 GB in `csv-monitor --once` and 2.8 GB in the dashboard's upload. Measured
    as the Python memory the reader allocates at its peak (tracemalloc: the process's RSS
    would hide it in memory freed by the imports)."""
    import tracemalloc

    raw = b"a;" * 25_000_000 + b"\n"  # 50 MB, no rows
    tracemalloc.start()
    try:
        with pytest.raises(UnreadableFile, match="cabeçalho"):
            formats.parse(raw, "upload")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 3 * len(raw), f"{peak / 2**20:.0f} MiB for a {len(raw) / 2**20:.0f} MiB file"
