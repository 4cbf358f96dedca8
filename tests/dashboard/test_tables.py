"""The two shapes of the table: numeric for the CSV, readable on screen."""

from dataclasses import replace

import pytest

from sales_monitor.dashboard import tables
from sales_monitor.dashboard.store import RecordStore
from tests.helpers.factories import EMPTY, sale, table

pytestmark = pytest.mark.unit


def test_high_ticket_lists_the_latest_first_at_or_above_the_threshold():
    frame = table(sale(1, cents=180_000), sale(2, cents=179_999), sale(3, cents=200_000))
    assert tables.high_ticket(frame, 180_000)["id"].tolist() == [3, 1]
    assert tables.high_ticket(EMPTY, 180_000).empty


def test_latest_shows_the_most_recently_written_first_and_is_capped():
    store = RecordStore()
    store.apply([sale(i) for i in range(1, 6)])
    store.apply([sale(2, cents=1)])
    assert tables.latest(store.snapshot(), limit=3)["id"].tolist() == [2, 5, 4]
    assert list(tables.latest(store.snapshot()).columns) == [
        "id",
        "nome",
        "idade",
        "cidade",
        "valor",
        "timestamp",
        "origem",
    ]


def test_tables_show_reais_and_brazilian_dates_the_csv_keeps_machine_values():
    shown = tables.latest(table(sale(1, cents=182_083)))
    assert shown["valor"].tolist() == ["R$ 1.820,83"]
    assert shown["timestamp"].tolist() == ["27/08/2025 12:00:00"]
    row = tables.to_csv(table(sale(1, cents=182_083))).decode().splitlines()[1].split(",")
    assert row[4] == "1820.83" and row[5] == "2025-08-27 12:00:00-03:00"


def test_csv_keeps_valor_exact_and_the_wire_columns_then_the_source():
    text = tables.to_csv(table(sale(1, cents=29), sale(2, cents=123_456))).decode()
    lines = text.splitlines()
    assert lines[0] == "id,nome,idade,cidade,valor,timestamp,origem"
    assert lines[1].split(",")[4] == "0.29" and lines[2].split(",")[4] == "1234.56"
    assert lines[1].endswith(",manual")


@pytest.mark.parametrize(
    ("name", "cell"),
    [('=HYPERLINK("http://x","y")', "'=HYPERLINK(\"http://x\",\"y\")"), ("+1+1", "'+1+1"),
     ("-2", "'-2"), ("@SUM(A1)", "'@SUM(A1)"), ("\tx", "'\tx"), ("Ana -1", "Ana -1")],
)  # fmt: skip
def test_csv_download_neutralizes_spreadsheet_formulas(name, cell):
    import csv
    import io

    record = replace(sale(1), name=name, city=name)
    (row,) = csv.DictReader(io.StringIO(tables.to_csv(table(record)).decode()))
    assert row["nome"] == cell and row["cidade"] == cell
