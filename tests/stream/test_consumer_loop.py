"""The dashboard consumer's loop, driven by a fake consumer: no broker, no timing luck."""

import threading
from collections import namedtuple

import pytest

from sales_monitor.errors import BrokerUnavailable, KafkaFailure, UnreadableMessage
from sales_monitor.kafka.connection import Connection
from sales_monitor.record import encode, encode_tombstone
from sales_monitor.stream import consumer as consumer_module
from sales_monitor.stream.consumer import StreamConsumer
from sales_monitor.stream.store import RecordStore
from tests.helpers.factories import sale
from tests.helpers.waiting import wait_for

pytestmark = pytest.mark.unit

Message = namedtuple("Message", "partition offset key value headers timestamp")
TOPIC = "csv-data"
FAKE = Connection("fake:1")


class FakeBroker:
    """Partitions as lists of (key, value, timestamp); `up` says whether it answers."""

    def __init__(self, partitions: int):
        self.logs = {p: [] for p in range(partitions)}
        self.up = True
        self.lock = threading.Lock()
        self.unreadable: set[tuple[int, int]] = set()  # (partition, offset) the client can't parse
        self.quiet_waits: list[bool] = []  # each change of the fetch wait: quiet or not

    def write(self, partition: int, key, value, timestamp: int = 0) -> None:
        with self.lock:
            self.logs[partition].append((key, value, timestamp))

    def consumer(self, _connection, topic):
        if not self.up:
            raise BrokerUnavailable("fake:1", "down")
        return FakeConsumer(self, topic)


class FakeConsumer:
    """`interface.TopicConsumer` over a FakeBroker."""

    def __init__(self, broker: FakeBroker, topic: str):
        self.broker, self.topic, self.positions = broker, topic, {}

    def partitions(self):
        return sorted(self.broker.logs) if self.topic == TOPIC else []

    def topic_id(self):
        return None

    def assign(self, partitions):
        self.positions = {p: 0 for p in partitions}

    def pause(self, partition):
        pass

    def resume(self, partition):
        pass

    def seek_to_beginning(self, partitions):
        for p in partitions:
            self.positions[p] = 0

    def seek(self, partition, offset):
        self.positions[partition] = offset

    def position(self, partition):
        return self.positions[partition]

    def beginning_offsets(self, partitions):
        return {p: 0 for p in partitions}

    def end_offsets(self, partitions):
        return {p: len(self.broker.logs[p]) for p in partitions}

    def poll(self, timeout_ms, max_records):
        self._answer()
        batches = {}
        with self.broker.lock:
            for p, start in self.positions.items():
                log = self.broker.logs[p][start : start + max_records]
                bad = [n for n in range(len(log)) if (p, start + n) in self.broker.unreadable]
                if bad and bad[0] == 0 and not batches:  # as the real one: raise when the
                    raise UnreadableMessage(p, start)  # bad one comes first
                log = log[: bad[0]] if bad else log
                if log:
                    batches[p] = [
                        Message(p, start + n, key, value, [], ts)
                        for n, (key, value, ts) in enumerate(log)
                    ]
                    self.positions[p] = start + len(log)
        if not batches:
            threading.Event().wait(timeout_ms / 1000 / 10)
        return batches

    def highwater(self, partition):
        return len(self.broker.logs[partition])

    def stable_end(self, partition):
        return self.highwater(partition)

    def check(self):
        self._answer()

    def fetch_wait(self, quiet):
        self.broker.quiet_waits.append(quiet)

    def _answer(self):
        if not self.broker.up:
            raise KafkaFailure("fake broker down")

    def close(self):
        pass


@pytest.fixture
def fake():
    broker = FakeBroker(partitions=2)
    stream = StreamConsumer(
        Connection("fake:1"), TOPIC, RecordStore(), consumer_factory=broker.consumer
    )
    stream.start()
    yield broker, stream
    stream.stop()


def ids(stream) -> list[int]:
    return sorted(stream.store.snapshot()["id"].tolist())


def test_every_partition_is_read_and_the_status_follows(fake):
    broker, stream = fake
    for i in range(1, 7):
        broker.write(i % 2, *encode(sale(i)))
    broker.write(0, *encode_tombstone(2))
    assert wait_for(lambda: stream.status.consumed == 7)
    assert ids(stream) == [1, 3, 4, 5, 6]
    assert wait_for(lambda: stream.status.highwater == {0: 4, 1: 3})
    assert stream.status.connected and stream.status.lag == 0


def test_a_broker_that_goes_away_and_comes_back_is_followed_from_where_it_was(fake):
    broker, stream = fake
    broker.write(0, *encode(sale(1)))
    assert wait_for(lambda: ids(stream) == [1])
    broker.up = False
    assert wait_for(lambda: stream.status.state == "broker indisponível")
    assert stream.status.checked_at is not None
    broker.write(1, *encode(sale(2)))
    broker.up = True
    assert wait_for(lambda: ids(stream) == [1, 2] and stream.status.connected)
    assert stream.status.consumed == 2 and stream.status.data_loss is None  # nothing re-read


def test_a_broker_back_with_less_data_rebuilds_and_says_what_was_lost(fake):
    broker, stream = fake
    for i in range(1, 5):
        broker.write(0, *encode(sale(i)))
    assert wait_for(lambda: ids(stream) == [1, 2, 3, 4])
    with broker.lock:
        broker.logs[0] = [(*encode(sale(9)), 0)]  # an in-memory broker restarted
    assert wait_for(lambda: ids(stream) == [9])
    assert stream.status.data_loss.rows_before == 4
    assert wait_for(lambda: stream.status.data_loss.rows_after == 1)
    for i in range(10, 15):  # new sales after the rebuild do not change what was lost
        broker.write(0, *encode(sale(i)))
    assert wait_for(lambda: len(ids(stream)) == 6)
    assert stream.status.data_loss.lost == 3


def test_a_quiet_stream_lets_fetches_wait_longer_until_records_flow_again(fake, monkeypatch):
    monkeypatch.setattr(consumer_module, "QUIET_AFTER_S", 0.2)
    broker, stream = fake
    assert wait_for(lambda: broker.quiet_waits == [True])
    broker.write(0, *encode(sale(1)))
    assert wait_for(lambda: broker.quiet_waits[:2] == [True, False])
    assert ids(stream) == [1]


def test_rewind_rebuilds_from_the_start(fake):
    broker, stream = fake
    broker.write(0, *encode(sale(1)))
    assert wait_for(lambda: ids(stream) == [1])
    stream.store.clear()
    assert ids(stream) == []
    stream.rewind()
    assert wait_for(lambda: ids(stream) == [1])


def test_produce_to_table_delays_are_kept_for_the_last_minute(fake):
    import time

    broker, stream = fake
    assert wait_for(lambda: stream.status.caught_up)
    sent_ms = round(time.time() * 1000) - 250  # produced a quarter of a second ago
    for i in range(1, 4):
        broker.write(0, *encode(sale(i)), timestamp=sent_ms)
    assert wait_for(lambda: stream.status.consumed == 3)
    delays = stream.arrivals.delays_ms()
    assert delays and all(250 <= d < 60_000 for d in delays)
    assert stream.status.last_arrival_at is not None
    assert stream.arrivals.delays_ms(now=time.time() + 61) == []  # a minute later: none


def test_a_message_the_client_cannot_parse_is_listed_and_reading_goes_on(fake):
    broker, stream = fake
    broker.write(0, *encode(sale(1)))
    broker.write(1, *encode(sale(2)))
    broker.write(1, *encode(sale(3)))  # kafka-python raises on it (a header name not UTF-8)
    broker.unreadable.add((1, 1))
    broker.write(1, *encode(sale(4)))
    broker.write(0, *encode(sale(5)))
    assert wait_for(lambda: ids(stream) == [1, 2, 4, 5])
    (skipped,) = stream.invalid_messages
    assert (skipped.partition, skipped.offset) == (1, 1)
    assert "não consegue ler" in skipped.reason
    assert stream.status.connected and stream.status.invalid == 1


def test_a_message_whose_decoding_raises_is_rejected_alone(fake, mocker):
    from sales_monitor.stream import ingest as stream_module

    real = stream_module.decode

    def flaky(key, value, headers):
        if key == b"2":
            raise OverflowError("date value out of range")
        return real(key, value, headers)

    # the batch path failing too: each message is then decoded on its own
    mocker.patch.object(stream_module, "decode_columns", side_effect=KeyError("bug"))
    mocker.patch.object(stream_module, "decode", side_effect=flaky)
    broker, stream = fake
    for i in (1, 2, 3):
        broker.write(0, *encode(sale(i)))
    assert wait_for(lambda: ids(stream) == [1, 3])
    (rejected,) = stream.invalid_messages
    assert rejected.offset == 1 and "OverflowError" in rejected.reason
    assert stream.status.connected


def test_an_unexpected_error_is_shown_and_the_consumer_starts_again_by_itself(fake, mocker):
    broker, stream = fake
    broker.write(0, *encode(sale(1)))
    assert wait_for(lambda: ids(stream) == [1])
    failing = mocker.patch.object(stream.store, "apply_columns", side_effect=MemoryError("boom"))
    broker.write(0, *encode(sale(2)))
    assert wait_for(lambda: stream.status.state == "falhou")
    assert "MemoryError" in stream.status.detail and not stream.status.connected
    mocker.stop(failing)  # the cause goes away: reading goes on from where it was
    assert wait_for(lambda: ids(stream) == [1, 2] and stream.status.connected)
    assert stream.is_alive() and stream.status.restarts >= 1


def test_history_read_at_start_counts_in_no_live_figure():
    """Before: a dashboard that caught up on its first visit showed "atraso produção→tabela
    p50 175,3 s" for a minute, and records/s counted the history it read."""
    import time

    broker = FakeBroker(partitions=1)
    old_ms = round(time.time() * 1000) - 600_000  # written ten minutes ago
    for i in range(1, 6):
        broker.write(0, *encode(sale(i)), timestamp=old_ms)
    stream = StreamConsumer(
        Connection("fake:1"), TOPIC, RecordStore(), consumer_factory=broker.consumer
    )
    stream.start()
    try:
        assert wait_for(lambda: stream.status.consumed == 5 and stream.status.caught_up)
        assert stream.arrivals.delays_ms() == [] and stream.arrivals.per_second() == 0
        for i in range(6, 8):
            broker.write(0, *encode(sale(i)), timestamp=round(time.time() * 1000))
        assert wait_for(lambda: stream.status.consumed == 7)
        assert len(stream.arrivals.delays_ms()) == 2 and stream.arrivals.per_second() > 0
    finally:
        stream.stop()
