"""Properties over any input: the contract never raises, the store is a dict replay."""

import json
from collections import namedtuple
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sales_monitor.fake_sales.faker import ID_EPOCH_MS, IdGenerator, SaleFaker
from sales_monitor.record import (
    MAX_CENTS,
    Rejection,
    SaleRecord,
    Tombstone,
    decode,
    encode,
    from_fields,
)
from sales_monitor.stream.ingest import arrival_delays, ingest
from sales_monitor.stream.store import RecordStore, WriteOrder
from tests.fuzz.targets import check_record
from tests.helpers.factories import sale

pytestmark = pytest.mark.unit

JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(),
    lambda children: st.lists(children) | st.dictionaries(st.text(), children),
    max_leaves=20,
)
FIELDS = st.fixed_dictionaries(
    {},
    optional={
        "id": JSON | st.integers(-5, 2**64),
        "nome": JSON,
        "idade": JSON | st.integers(-5, 200),
        "cidade": JSON,
        "valor": JSON | st.floats(-10, 1e15),
        "timestamp": JSON | st.datetimes().map(lambda d: d.isoformat()),
    },
)


@settings(max_examples=300, deadline=None)
@given(key=st.none() | st.binary(max_size=30), value=st.none() | st.binary(max_size=300))
def test_any_bytes_decode_to_a_record_a_tombstone_or_a_rejection(key, value):
    assert isinstance(decode(key, value), SaleRecord | Tombstone | Rejection)


@settings(max_examples=300, deadline=None)
@given(key=st.none() | st.integers(-3, 2**64).map(lambda i: str(i).encode()), data=FIELDS | JSON)
def test_any_json_decodes_to_a_record_a_tombstone_or_a_rejection(key, data):
    try:
        raw = json.dumps(data).encode()
    except ValueError:  # NaN-free JSON is not the point here
        return
    decoded = decode(key, raw)
    assert isinstance(decoded, SaleRecord | Rejection)
    if isinstance(decoded, Rejection):
        assert decoded.reason


CHANGES = st.lists(
    st.tuples(st.integers(1, 30), st.none() | st.integers(0, 10**6)), max_size=200
)  # (id, None: delete | cents: upsert)


def evict(replay: dict, max_rows: int) -> None:
    """Beyond the cap, the least recently written live records go first."""
    while len(replay) > max_rows:
        del replay[next(iter(replay))]


@settings(max_examples=200, deadline=None)
@given(changes=CHANGES, max_rows=st.integers(1, 40), read_every=st.integers(1, 50))
def test_the_store_equals_a_plain_dict_replay(changes, max_rows, read_every):
    store, replay = RecordStore(max_rows=max_rows), {}
    for n, (record_id, cents) in enumerate(changes, 1):
        if cents is None:
            store.apply([Tombstone(record_id)])
            replay.pop(record_id, None)
        else:
            store.apply([sale(record_id, cents=cents)])
            replay.pop(record_id, None)  # a rewrite moves to the end (last-write order)
            replay[record_id] = cents
        if n % read_every == 0:  # the table is built (and trimmed) when it is read
            store.snapshot()
            evict(replay, max_rows)
    frame = store.snapshot()
    evict(replay, max_rows)
    assert dict(zip(frame["id"], frame["valor_centavos"], strict=True)) == replay
    assert frame["id"].tolist() == list(replay)


# -- the whole Kafka message: key, value, headers, timestamp (issue: no message can stop
# the dashboard). Each strategy reaches the edges a hostile writer would pick.
DIGITS = st.text(alphabet="0123456789", min_size=1, max_size=6_000)
KEYS = st.none() | st.binary(max_size=40) | DIGITS.map(str.encode) | st.text().map(str.encode)
ISO_TIMES = st.datetimes(timezones=st.none() | st.timezones()).map(lambda d: d.isoformat())
NUMBER_TEXT = st.from_regex(
    r"-?(0|[1-9][0-9]{0,17})(\.[0-9]{1,22})?([eE][+-]?[0-9]{1,2})?", fullmatch=True
)
FINITE = st.floats(allow_nan=False, allow_infinity=False)
FINITE_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | FINITE | st.text(),
    lambda children: st.lists(children) | st.dictionaries(st.text(), children),
    max_leaves=20,
)
WIDE_FIELDS = st.fixed_dictionaries(
    {},
    optional={
        "id": FINITE_JSON | st.integers(-(2**70), 2**70) | DIGITS,
        "nome": FINITE_JSON | st.text(max_size=300),
        "idade": FINITE_JSON | st.integers(-(2**70), 2**70),
        "cidade": FINITE_JSON | st.text(max_size=300),
        "valor": FINITE_JSON | st.integers(-(2**70), 2**70) | FINITE,
        "timestamp": FINITE_JSON | ISO_TIMES,
    },
)
VALUES = st.none() | st.binary(max_size=300) | WIDE_FIELDS.map(lambda d: json.dumps(d).encode())
HEADERS = st.none() | st.lists(
    st.tuples(st.just("origem") | st.text(max_size=10), st.none() | st.binary(max_size=300)),
    max_size=6,
)
KAFKA_TIMESTAMPS = st.integers(-(2**63), 2**63 - 1)
Polled = namedtuple("Polled", "partition offset key value headers timestamp timestamp_type")


@settings(max_examples=500, deadline=None)
@given(key=KEYS, value=VALUES, headers=HEADERS)
def test_any_whole_message_decodes_to_a_record_a_tombstone_or_a_rejection(key, value, headers):
    decoded = decode(key, value, headers)
    assert isinstance(decoded, SaleRecord | Tombstone | Rejection)
    if isinstance(decoded, SaleRecord):  # what reaches the table is within the contract
        check_record(decoded)


@settings(max_examples=300, deadline=None)
@given(
    polls=st.lists(
        st.lists(
            st.tuples(KEYS, VALUES, HEADERS, KAFKA_TIMESTAMPS, st.sampled_from([0, 1])),
            min_size=1,
            max_size=8,
        ),
        max_size=4,
    ),
    partition=st.integers(0, 2**15),
)
def test_any_poll_is_ingested_and_the_table_can_always_be_read(polls, partition):
    order, store, offset = WriteOrder(), RecordStore(), 0
    for poll in polls:
        messages = []
        for key, value, headers, timestamp, kind in poll:
            messages.append(Polled(partition, offset, key, value, headers, timestamp, kind))
            offset += 1
        batch = ingest(messages, order, partition)
        assert len(batch.changes) + len(batch.rejected) == len(messages)
        assert all(0 <= version < 2**63 for version in batch.versions)
        store.apply(batch.changes, batch.versions)
        frame = store.snapshot()  # overflowed once: a Kafka timestamp of 2**47 ms or more
        assert frame["id"].is_unique
        arrival_delays(messages, arrived=1.7e9)


@settings(max_examples=1_000, deadline=None)
@given(text=NUMBER_TEXT)
def test_valor_is_exact_on_its_text_as_fractions_say(text):
    payload = f'{{"id": 1, "nome": "a", "idade": 1, "cidade": "b", "valor": {text}, '
    payload += '"timestamp": "2025-01-01T00:00:00"}'
    cents = Fraction(text) * 100
    decoded = decode(None, payload.encode())
    if cents.denominator == 1 and 0 <= cents <= MAX_CENTS:
        assert isinstance(decoded, SaleRecord) and decoded.value_cents == cents
    else:
        assert isinstance(decoded, Rejection) and "valor" in decoded.reason
    assert from_fields_cents(Decimal(text)) == (
        int(cents) if cents.denominator == 1 and 0 <= cents <= MAX_CENTS else None
    )


def from_fields_cents(valor: Decimal) -> int | None:
    fields = {
        "id": 1,
        "nome": "a",
        "idade": 1,
        "cidade": "b",
        "valor": valor,
        "timestamp": "2025-01-01T00:00:00",
    }
    decoded = from_fields(fields)
    return decoded.value_cents if isinstance(decoded, SaleRecord) else None


@settings(max_examples=500, deadline=None)
@given(
    key=KEYS,
    value=VALUES,
    headers=HEADERS,
    timestamp=KAFKA_TIMESTAMPS,
    partition=st.integers(0, 2**31 - 1),
    offset=st.integers(0, 2**63 - 1),
)
def test_an_exported_message_reads_back_with_the_verdict_it_had(
    key, value, headers, timestamp, partition, offset
):
    """Any message, exported by the inspector and read back by `send --file` / Enviar
    arquivo, is judged exactly as the dashboard judged the original (bytes that are not
    UTF-8 included), so a replay builds the same table."""
    from sales_monitor.files.formats import parse
    from sales_monitor.kafka.browse import export_lines, to_message

    message = to_message(Polled(partition, offset, key, value, headers or [], timestamp, 0))
    (row,) = parse(export_lines([message]), "send")
    original = decode(key, value, headers)
    assert row.decoded == original
    if not isinstance(original, Rejection):
        assert row.written_at == (partition, offset)
        if isinstance(original, SaleRecord):
            assert row.decoded.source == original.source


PORTUGUESE = st.text(
    st.sampled_from("abcdefghijklmnopqrstuvwxyzáàâãéêíóôõúüç ABCÁÂÃÉÍÓÕÚÇ-'0123456789"),
    max_size=40,
)


@settings(max_examples=300, deadline=None)
@given(text=PORTUGUESE, start=st.integers(0, 40), length=st.integers(1, 10))
def test_a_search_finds_any_piece_of_a_name_whatever_its_case_or_accents(text, start, length):
    """`iris` finds `Íris`: any piece of a Portuguese text, typed in capitals, in small
    letters, decomposed or without its accents, finds the message."""
    import unicodedata

    from sales_monitor.kafka.browse import Listed

    piece = text[start : start + length]
    value = json.dumps({"nome": text}, ensure_ascii=False)
    message = Listed(0, 0, -1, None, value, "manual", Tombstone(1))
    bare = "".join(c for c in unicodedata.normalize("NFD", piece) if not unicodedata.combining(c))
    for spelled in (piece, piece.upper(), piece.lower(), unicodedata.normalize("NFD", piece), bare):
        assert message.matches(spelled), spelled


@settings(max_examples=50, deadline=None)
@given(
    seed=st.integers(0, 2**32),
    n=st.integers(0, 300),
    now=st.datetimes(timezones=st.timezones()).filter(lambda d: d.utcoffset() is not None),
    clock_ms=st.integers(ID_EPOCH_MS, ID_EPOCH_MS + 2**40),
)
def test_the_fake_producer_s_messages_are_its_records_encoded(seed, n, now, clock_ms):
    """The producer sends `messages`, built from texts encoded once: they must be exactly
    what `encode` gives for the same sales, whatever the seed, batch size and moment."""

    def faker() -> SaleFaker:
        return SaleFaker(seed=seed, ids=IdGenerator(lambda: clock_ms, instance=seed % 64))

    assert faker().messages(n, now) == [encode(r) for r in faker().records(n, now)]
