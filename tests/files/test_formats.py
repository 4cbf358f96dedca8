"""Many records from one text: JSON array, JSON Lines, one object, or CSV."""

import json

import pytest

from sales_monitor.errors import UnreadableFile
from sales_monitor.files.formats import parse
from sales_monitor.record import Rejection, SaleRecord, encode
from tests.helpers.factories import sale

pytestmark = pytest.mark.unit


def wire(record) -> dict:
    return json.loads(encode(record)[1])


def outcome(rows) -> list[tuple[int, object]]:
    return [
        (r.line, r.decoded.id if isinstance(r.decoded, SaleRecord) else r.decoded.reason)
        for r in rows
    ]


def test_a_pretty_printed_json_array_keeps_each_items_line():
    text = json.dumps([wire(sale(1)), "x", wire(sale(2))], indent=2)
    rows = parse(text.encode(), "send")
    assert outcome(rows) == [(2, 1), (10, "o item não é um objeto JSON"), (11, 2)]
    assert all(r.decoded.source == "send" for r in rows if isinstance(r.decoded, SaleRecord))


def test_json_lines_with_a_broken_line_keeps_going():
    text = "\n".join([json.dumps(wire(sale(1))), "{broken", "", json.dumps(wire(sale(3)))])
    rows = parse(text.encode(), "send")
    assert [r.line for r in rows] == [1, 2, 4]
    assert isinstance(rows[1].decoded, Rejection) and "não é JSON válido" in rows[1].decoded.reason
    assert [r.decoded.id for r in (rows[0], rows[2])] == [1, 3]


def test_one_pretty_printed_object_as_kafka_ui_users_type_it():
    rows = parse(json.dumps(wire(sale(200)), indent=2).encode(), "send")
    assert outcome(rows) == [(1, 200)]


def test_csv_goes_through_the_spreadsheet_reader():
    rows = parse(
        b"id,nome,idade,cidade,valor,timestamp\n1,Ana,30,Natal,10.5,2025-01-01T00:00:00\n", "s"
    )
    assert rows[0].decoded.value_cents == 1_050


@pytest.mark.parametrize("raw", [b"", b"  \n ", b"[1, 2", b"[{]"])
def test_unreadable_files(raw):
    with pytest.raises(UnreadableFile):
        parse(raw, "send")


def test_a_hundred_thousand_lines_parse_in_one_pass():
    line = json.dumps(wire(sale(1)))
    rows = parse("\n".join([line] * 100_000).encode(), "send")
    assert len(rows) == 100_000 and rows[-1].line == 100_000
