"""The two shapes of the table: numeric for the CSV, readable on screen."""

from dataclasses import replace

import pytest

from sales_monitor.analysis import tables
from sales_monitor.stream.store import RecordStore
from tests.helpers.factories import EMPTY, sale, table

pytestmark = pytest.mark.unit


def test_high_ticket_lists_the_latest_first_at_or_above_the_threshold():
    frame = table(sale(1, cents=180_000), sale(2, cents=179_999), sale(3, cents=200_000))
    assert tables.high_ticket(frame, 180_000)["id"].tolist() == [3, 1]
    assert tables.high_ticket(EMPTY, 180_000).empty


def test_latest_lists_the_latest_sales_by_sale_time_and_is_capped():
    """Before: by write order, so uploaded sales stamped 15:33 were listed above producer
    sales from 16:53."""
    store = RecordStore()
    store.apply([sale(i, minute=10 * i) for i in range(1, 6)])
    store.apply([sale(9, minute=1), sale(2, cents=1, minute=20)])  # old sale, written last
    assert tables.latest(store.snapshot(), limit=3)["id"].tolist() == [5, 4, 3]
    assert tables.latest(store.snapshot())["id"].tolist() == [5, 4, 3, 2, 1, 9]
    same_time = table(sale(1), sale(2), sale(3))
    assert tables.latest(same_time)["id"].tolist() == [3, 2, 1]  # ties: the later write
    assert list(tables.latest(store.snapshot()).columns) == [
        "valor",
        "data e hora",
        "cidade",
        "uf",
        "nome",
        "idade",
        "id",
    ]


def test_tables_show_reais_and_brazilian_dates_the_csv_keeps_machine_values():
    shown = tables.latest(table(sale(1, cents=182_083)))
    assert shown["valor"].tolist() == ["R$ 1.820,83"]
    assert shown["data e hora"].tolist() == ["27/08/2025 12:00:00"]
    row = tables.to_csv(table(sale(1, cents=182_083))).decode().splitlines()[1].split(",")
    assert row[4] == "1820.83" and row[5] == "2025-08-27 12:00:00-03:00"


def test_csv_keeps_valor_exact_and_the_wire_columns_then_the_source():
    text = tables.to_csv(table(sale(1, cents=29, minute=2), sale(2, cents=123_456))).decode()
    lines = text.splitlines()
    assert lines[0] == "id,nome,idade,cidade,valor,timestamp,origem"
    assert lines[1].split(",")[4] == "0.29" and lines[2].split(",")[4] == "1234.56"
    assert lines[1].endswith(",manual")


@pytest.mark.parametrize(
    ("name", "cell"),
    [
        ('=HYPERLINK("http://x","y")', '\'=HYPERLINK("http://x","y")'),
        ("+1+1", "'+1+1"),
        ("-2", "'-2"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("Ana -1", "Ana -1"),
    ],
)
def test_csv_download_neutralizes_spreadsheet_formulas(name, cell):
    import csv
    import io

    record = replace(sale(1), name=name, city=name)
    (row,) = csv.DictReader(io.StringIO(tables.to_csv(table(record)).decode()))
    assert row["nome"] == cell and row["cidade"] == cell


def test_the_excel_download_is_a_workbook_with_typed_cells():
    import io
    from datetime import datetime

    import openpyxl

    from sales_monitor.record import SAO_PAULO

    frame = table(
        replace(sale(248_663_000_000_123, "São Paulo", 182_083, minute=1)),
        replace(sale(2, "Maceió", 5), name="=1+1"),
    )
    now = datetime(2025, 8, 27, 12, 5, tzinfo=SAO_PAULO)
    raw = tables.to_xlsx(frame, tables.filters_text({"cidade": ["São Paulo", "Maceió"]}), now)
    sheet = openpyxl.load_workbook(io.BytesIO(raw)).worksheets[0]
    assert [sheet["A1"].value, sheet["B1"].value] == ["Exportado em", datetime(2025, 8, 27, 12, 5)]
    assert sheet["B2"].value == "cidade: São Paulo, Maceió"
    header = [cell.value for cell in sheet[4]]
    assert header == ["id", "nome", "idade", "cidade", "uf", "valor (R$)", "data e hora", "origem"]
    first = sheet[5]
    assert first[0].value == "248663000000123" and first[0].data_type == "s"  # all 15 digits
    assert first[2].value == 30 and first[4].value == "SP"
    assert first[5].value == 1820.83 and first[5].number_format == tables.BRL_FORMAT
    assert first[6].value == datetime(2025, 8, 27, 12, 1)
    assert first[6].number_format == tables.MOMENT_FORMAT
    second = sheet[6]
    assert second[1].value == "=1+1" and second[1].data_type == "s"  # text, never a formula
    assert second[5].value == 0.05 and second[4].value == "AL"


def test_file_names_carry_the_moment_and_the_filters():
    from datetime import datetime

    now = datetime(2025, 8, 27, 12, 5)
    assert tables.file_name({}, now) == "vendas_2025-08-27_1205.csv"
    query = {"cidade": ["São Paulo", "Natal"], "janela": "5min", "uf": ["SP"]}
    assert (
        tables.file_name(query, now)
        == "vendas_2025-08-27_1205_cidade-sao-paulo-natal_janela-5min_uf-sp.csv"
    )
    hostile = tables.file_name({"cidade": ["../../etc/passwd<script>" * 20]}, now)
    assert "/" not in hostile and "<" not in hostile and len(hostile) <= 120
