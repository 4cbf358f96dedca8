"""Properties over any input: the contract never raises, the store is a dict replay."""

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sales_monitor.record import Rejection, SaleRecord, Tombstone, decode
from sales_monitor.store import RecordStore

from .factories import sale

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
