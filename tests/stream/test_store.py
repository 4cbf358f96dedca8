import threading

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sales_monitor.record import Tombstone
from sales_monitor.stream import store as store_module
from sales_monitor.stream.store import COLUMNS, RecordStore, WriteOrder
from tests.helpers.factories import T0, as_columns, cents_by_id, sale

pytestmark = pytest.mark.unit


def ids(store: RecordStore) -> list[int]:
    return store.snapshot()["id"].tolist()


def test_empty_store_has_the_schema_and_no_rows():
    frame = RecordStore().snapshot()
    assert frame.empty
    assert list(frame.columns) == list(COLUMNS)
    assert frame.dtypes.map(str).to_dict() == {
        "id": "int64",
        "nome": "string",
        "idade": "int16",
        "cidade": "string",
        "valor_centavos": "int64",
        "timestamp": "datetime64[ms, America/Sao_Paulo]",
        "origem": "string",
        "versao": "int64",
    }


def test_records_keep_their_values():
    store = RecordStore()
    store.apply([sale(1, "Natal", 123_456, 44)])
    row = store.snapshot().iloc[0]
    assert (row["id"], row["nome"], row["idade"], row["cidade"], row["valor_centavos"]) == (
        1,
        "Cliente 1",
        44,
        "Natal",
        123_456,
    )
    assert row["timestamp"] == T0


def test_upsert_replaces_and_moves_the_id_to_the_end():
    store = RecordStore()
    store.apply([sale(1), sale(2), sale(3)])
    store.snapshot()
    store.apply([sale(1, cents=999)])
    frame = store.snapshot()
    assert frame["id"].tolist() == [2, 3, 1]
    assert frame.loc[frame["id"] == 1, "valor_centavos"].item() == 999


def test_duplicates_within_one_batch_keep_the_last():
    store = RecordStore()
    store.apply([sale(1, cents=1), sale(1, cents=2), sale(1, cents=3)])
    assert store.snapshot()["valor_centavos"].tolist() == [3]


@pytest.mark.parametrize("compact_between", [False, True])
def test_tombstone_deletes_and_a_later_record_revives(compact_between):
    store = RecordStore()
    store.apply([sale(1), sale(2)])
    if compact_between:
        store.snapshot()
    store.apply([Tombstone(1)])
    assert ids(store) == [2]
    store.apply([sale(1, cents=5)])
    assert ids(store) == [2, 1]


def test_tombstone_for_an_unknown_id_changes_nothing():
    store = RecordStore()
    store.apply([sale(1), Tombstone(99)])
    assert ids(store) == [1]


def test_snapshot_is_the_same_object_until_something_changes():
    store = RecordStore()
    store.apply([sale(1)])
    version, first = store.versioned_snapshot()
    assert store.versioned_snapshot() == (version, first)
    assert store.snapshot() is first
    store.apply([sale(2)])
    new_version, second = store.versioned_snapshot()
    assert new_version > version and second is not first
    assert len(first) == 1  # readers' old snapshots are never mutated


def test_eviction_drops_the_least_recently_written():
    store = RecordStore(max_rows=3)
    store.apply([sale(i) for i in range(1, 6)])
    assert ids(store) == [3, 4, 5]
    assert store.evicted == 2
    store.apply([sale(3, cents=1), sale(6)])  # 3 rewritten: now the newest but one
    assert ids(store) == [5, 3, 6]
    assert store.evicted == 3


def test_rewrites_of_a_few_ids_with_no_reader_do_not_pile_up(monkeypatch):
    # with no page open nobody takes a snapshot; each rewrite still adds a pending row
    monkeypatch.setattr(store_module, "COMPACT_EVERY", 100)
    store = RecordStore()
    for n in range(1_000):
        store.apply([sale(1 + n % 3, cents=n)])
        assert len(store._columns) < 100
    table = store.snapshot()
    assert table["id"].tolist() == [2, 3, 1]
    assert table["valor_centavos"].tolist() == [997, 998, 999]


def test_clear_empties_the_table_and_later_records_still_arrive():
    store = RecordStore(max_rows=1)
    store.apply([sale(1), sale(2)])
    store.clear()
    assert store.snapshot().empty and store.evicted == 0
    store.apply([sale(3)])
    assert ids(store) == [3]


def test_concurrent_writer_and_readers_see_consistent_tables():
    store, errors = RecordStore(), []

    def write():
        for start in range(0, 20_000, 500):
            store.apply([sale(i) for i in range(start, start + 500)])

    def read():
        for _ in range(200):
            frame = store.snapshot()
            if frame["id"].duplicated().any():
                errors.append("duplicate ids in a snapshot")

    threads = [threading.Thread(target=write)] + [threading.Thread(target=read) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert len(store.snapshot()) == 20_000


# -- the latest write wins, whatever order partitions are read in ------------------------


def test_write_order_follows_timestamps_across_partitions_and_offsets_within_one():
    order = WriteOrder()
    first = order.version(partition=0, timestamp_ms=1_000)
    older_elsewhere = order.version(partition=1, timestamp_ms=900)
    assert older_elsewhere < first  # across partitions: the later timestamp wins
    clock_back = order.version(partition=0, timestamp_ms=500)  # same partition, later offset
    assert clock_back >= first  # within a partition: a later offset never loses
    tie = order.version(partition=2, timestamp_ms=1_000)
    assert tie > first  # equal timestamps: the higher partition wins


def test_an_older_record_never_replaces_a_newer_one():
    store = RecordStore()
    store.apply([sale(1, cents=200)], [20])
    store.apply([sale(1, cents=100)], [10])
    assert store.snapshot()["valor_centavos"].tolist() == [200]  # from the table
    store.apply([sale(1, cents=300)], [30])
    store.apply([sale(1, cents=150)], [15])  # from the pending changes
    assert store.snapshot()["valor_centavos"].tolist() == [300]


def test_a_tombstone_read_first_keeps_an_older_record_out():
    store = RecordStore()
    store.apply([Tombstone(1)], [50])
    store.apply([sale(1)], [40])  # an older write from another partition, read later
    assert store.snapshot().empty
    store.snapshot()
    store.apply([sale(1)], [45])  # still older, after a compaction
    assert store.snapshot().empty
    store.apply([sale(1, cents=7)], [60])  # newer than the delete: back
    assert store.snapshot()["valor_centavos"].tolist() == [7]


def test_an_older_tombstone_does_not_delete_a_newer_record():
    store = RecordStore()
    store.apply([sale(1)], [50])
    store.snapshot()
    store.apply([Tombstone(1)], [40])
    assert store.snapshot()["id"].tolist() == [1]


# a change as a partition logs it: (id, cents or None for a tombstone, timestamp)
CHANGE = st.tuples(st.integers(1, 10), st.none() | st.integers(1, 999), st.integers(0, 50))
PARTITION_LOGS = st.lists(st.lists(CHANGE, max_size=25), min_size=1, max_size=4)


@settings(max_examples=120, deadline=None)
@given(logs=PARTITION_LOGS, data=st.data())
def test_any_interleaving_of_the_partitions_gives_the_same_table(logs, data):
    def read(interleaving: list[int]) -> dict:
        store, order, cursor = RecordStore(), WriteOrder(), [0] * len(logs)
        for partition in interleaving:
            record_id, cents, ts = logs[partition][cursor[partition]]
            cursor[partition] += 1
            change = Tombstone(record_id) if cents is None else sale(record_id, cents=cents)
            store.apply([change], [order.version(partition, ts)])
            if data.draw(st.booleans(), label="snapshot"):
                store.snapshot()
        frame = store.snapshot()
        return cents_by_id(frame)

    def latest_by_rule() -> dict:
        """The rule itself: per id, the greatest (timestamp so far in its partition,
        partition); a later offset wins a tie within one partition."""
        best = {}
        for partition, log in enumerate(logs):
            moment = 0
            for record_id, cents, ts in log:
                moment = max(moment, ts)
                if record_id not in best or (moment, partition) >= best[record_id][0]:
                    best[record_id] = ((moment, partition), cents)
        return {i: cents for i, (_, cents) in best.items() if cents is not None}

    in_order = [p for p, log in enumerate(logs) for _ in log]  # partition after partition
    shuffled = data.draw(st.permutations(in_order), label="interleaving")
    expected = latest_by_rule()
    assert read(shuffled) == read(in_order) == read(sorted(in_order, reverse=True)) == expected


POLLS = st.lists(st.lists(CHANGE, min_size=1, max_size=8), min_size=1, max_size=8)  # one partition


@settings(max_examples=200, deadline=None)
@given(polls=POLLS, data=st.data())
def test_polls_applied_as_columns_give_the_table_of_changes_applied_one_by_one(polls, data):
    """A poll of records alone goes in as columns (`apply_columns`, with its shortcut
    when every id is new); any other poll as changes. Either way, the table of applying
    each change by itself."""
    by_polls, one_by_one = RecordStore(), RecordStore()
    order_a, order_b = WriteOrder(), WriteOrder()
    for poll in polls:
        changes = [
            Tombstone(i) if cents is None else sale(i, cents=cents, minute=ts)
            for i, cents, ts in poll
        ]
        versions = order_a.versions(0, [ts for _, _, ts in poll])
        if all(cents is not None for _, cents, _ in poll):
            by_polls.apply_columns(as_columns(changes), versions)
        else:
            by_polls.apply(changes, versions)
        for change, (_, _, ts) in zip(changes, poll, strict=True):
            one_by_one.apply([change], [order_b.version(0, ts)])
        if data.draw(st.booleans(), label="snapshot"):
            by_polls.snapshot()
    assert by_polls.snapshot().equals(one_by_one.snapshot())
