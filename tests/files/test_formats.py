"""Many records from one text: JSON array, JSON Lines, one object, or CSV."""

import json

import pytest

from sales_monitor.errors import UnreadableFile
from sales_monitor.files.formats import parse
from sales_monitor.record import Rejection, SaleRecord, Tombstone, encode
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


def test_text_that_is_neither_json_nor_csv_says_so():
    """Before: `uv run send 'isto nao e json'` answered with a CSV header error."""
    with pytest.raises(UnreadableFile, match="^não é JSON nem CSV: .*'isto nao e json'"):
        parse(b"isto nao e json", "send")
    with pytest.raises(UnreadableFile, match="^não é JSON: um registro é um objeto"):
        parse(b"id,nome\n1,Ana", "send", json_only=True)


def test_an_export_is_replayed_in_write_order_tombstones_and_repeats_kept():
    def line(partition, offset, key, value, headers=()):
        item = {
            "partition": partition,
            "offset": offset,
            "timestamp": 1,
            "key": key,
            "value": value,
            "headers": [list(h) for h in headers],
        }
        return json.dumps(item, ensure_ascii=False)

    first, second = (encode(sale(1, cents=c))[1].decode() for c in (100, 200))
    exported = "\n".join(
        [  # newest first, as browsed
            line(0, 2, "1", None),
            line(1, 0, None, "not json"),
            line(0, 1, "1", second, [("origem", "produtor"), ("trace-id", "x")]),
            line(0, 0, "1", first),
            json.dumps({"key": 5, "value": None}),
        ]
    )
    rows = parse(exported.encode(), "send")
    decoded = [row.decoded for row in rows]
    assert [row.line for row in rows] == [4, 3, 1, 2, 5]  # partition 0 by offset, then the rest
    assert decoded[0] == sale(1, cents=100) and decoded[1] == sale(1, cents=200)
    assert decoded[1].source == "produtor"
    assert decoded[2] == Tombstone(1)
    assert decoded[3].reason.startswith("valor não é JSON válido")
    assert decoded[4].reason == "mensagem exportada: 'key' deve ser texto ou null"


def test_an_exported_message_with_a_lone_surrogate_is_refused_not_raised():
    rows = parse(b'{"key": "\\ud800", "value": "{}", "headers": [["a", "\\udfff"]]}', "send")
    assert rows[0].reason == "chave não é texto UTF-8"


# -- a replay keeps the latest write ----------------------------------------------------

from collections import namedtuple  # noqa: E402

from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from sales_monitor.kafka.browse import export_lines, to_message  # noqa: E402
from sales_monitor.record import KAFKA_MS_MAX, encode_tombstone  # noqa: E402
from sales_monitor.stream.store import RecordStore, WriteOrder  # noqa: E402
from tests.helpers.factories import cents_by_id  # noqa: E402

Read = namedtuple("Read", "partition offset timestamp key value headers")
TIMESTAMPS = st.one_of(
    st.integers(1_700_000_000_000, 1_700_000_000_100),  # close together: ties are common
    st.just(-1),
    st.just(KAFKA_MS_MAX + 1),
    st.integers(-(2**63), 2**63 - 1),
)
WRITES = st.lists(
    st.tuples(st.integers(0, 3), st.integers(1, 6), st.integers(0, 9), TIMESTAMPS),
    min_size=1,
    max_size=40,
)  # (partition, id, cents or 0 for a tombstone, timestamp)


def history(writes) -> list[Read]:
    """The writes as a topic holds them: each partition's in offset order."""
    offsets: dict[int, int] = {}
    topic = []
    for partition, record_id, cents, timestamp in writes:
        change = Tombstone(record_id) if cents == 0 else sale(record_id, cents=cents)
        key, value = encode_replayed(change)
        topic.append(Read(partition, offsets.get(partition, 0), timestamp, key, value, []))
        offsets[partition] = offsets.get(partition, 0) + 1
    return topic


def dashboard_table(messages) -> dict[int, int]:
    """The table the dashboard builds: each partition read in order, versions by its rule."""
    order, store = WriteOrder(), RecordStore()
    for partition in sorted({m.partition for m in messages}):
        mine = [m for m in messages if m.partition == partition]
        changes = [to_message(m).verdict for m in mine]
        store.apply(changes, order.versions(partition, [m.timestamp for m in mine]))
    return cents_by_id(store.snapshot())


@settings(max_examples=300, deadline=None)
@given(WRITES)
def test_replaying_an_export_rebuilds_the_same_table(writes):
    topic = history(writes)
    export = export_lines(to_message(m) for m in topic)
    changes = [r.decoded for r in parse(export, "send") if not isinstance(r.decoded, Rejection)]
    # sent to a new topic in that order: keyed, so each id's writes share a partition, and
    # each message is stamped as it is sent
    replayed = [
        Read(0, n, 1_800_000_000_000 + n, *encode_replayed(change), [])
        for n, change in enumerate(changes)
    ]
    assert dashboard_table(replayed) == dashboard_table(topic)


def encode_replayed(change) -> tuple[bytes, bytes | None]:
    return encode_tombstone(change.id) if isinstance(change, Tombstone) else encode(change)
