"""A differential oracle for a topic's whole life.

Random sequences of events hit a topic while a dashboard consumer reads it: sales and
tombstones written by librdkafka and kafka-python in random codecs, transactions committed
and aborted, partitions added, records deleted from a partition's start, the topic deleted
and created again. At each quiet point the dashboard's table must equal two references:
the model of what was committed (each partition's writes in order, versions by the same
`WriteOrder` rule), and, while nothing was deleted, what a fresh `read_committed` reader of
the topic builds with that rule.

CI runs a few fixed seeds; `SALES_MONITOR_TOPIC_LIFE_RUNS=50` runs more.
"""

from __future__ import annotations

import os
import random
import time
import uuid
from dataclasses import dataclass, field

import pytest
from kafka import TopicPartition

from sales_monitor.kafka.clients import ensure_topic, make_consumer, make_producer
from sales_monitor.kafka.connection import Connection
from sales_monitor.record import SaleRecord, Tombstone, decode, encode, encode_tombstone
from sales_monitor.stream.consumer import StreamConsumer
from sales_monitor.stream.store import RecordStore, WriteOrder
from tests.helpers import foreign
from tests.helpers.factories import cents_by_id, sale
from tests.helpers.waiting import wait_for

pytestmark = pytest.mark.broker

RUNS = int(os.environ.get("SALES_MONITOR_TOPIC_LIFE_RUNS", "3"))
EVENTS = 14
IDS = range(1, 25)


@dataclass
class Model:
    """What was committed to each partition, in order: (timestamp ms, change)."""

    logs: dict[int, list[tuple[int, SaleRecord | Tombstone]]] = field(default_factory=dict)
    deleted: bool = False  # records were deleted since the topic was made

    def table(self) -> dict[int, int]:
        return table_of({p: list(log) for p, log in self.logs.items()})


def table_of(logs: dict[int, list[tuple[int, SaleRecord | Tombstone]]]) -> dict[int, int]:
    order, store = WriteOrder(), RecordStore()
    for partition, log in sorted(logs.items()):
        versions = order.versions(partition, [stamp for stamp, _ in log])
        store.apply([change for _, change in log], versions)
    return cents_by_id(store.snapshot())


def fresh_read(bootstrap: str, topic: str) -> dict[int, int]:
    """The table a new read_committed reader builds from the whole topic."""
    consumer = make_consumer(bootstrap)
    try:
        consumer.topics()
        partitions = [TopicPartition(topic, p) for p in consumer.partitions_for_topic(topic)]
        consumer.assign(partitions)
        consumer.seek_to_beginning()
        ends = consumer.end_offsets(partitions)  # the last stable offsets: committed data
        logs: dict[int, list] = {tp.partition: [] for tp in partitions}
        deadline = time.monotonic() + 30
        while any(consumer.position(tp) < ends[tp] for tp in partitions):
            assert time.monotonic() < deadline, "a referência não leu o tópico até o fim"
            for tp, records in consumer.poll(timeout_ms=200).items():
                logs[tp.partition] += [
                    (r.timestamp, decode(r.key, r.value, r.headers)) for r in records
                ]
        return table_of(logs)
    finally:
        consumer.close()


class Life:
    """One topic, its events and its model; `step` draws and applies one event."""

    def __init__(self, broker, rng: random.Random, apache: bool):
        self.broker, self.rng, self.apache = broker, rng, apache
        self.topic = f"life-{uuid.uuid4().hex[:10]}"
        self.model = Model()
        self.done: list[str] = []
        self._producers: dict[str, object] = {}
        self._make(self.rng.randint(1, 3))

    @property
    def bootstrap(self) -> str:
        return self.broker.bootstrap

    def _make(self, partitions: int) -> None:
        made = ensure_topic(self.bootstrap, self.topic, partitions)
        self.model.logs = {p: [] for p in range(made)}
        self.model.deleted = False

    def _changes(self, n: int) -> list[tuple[int, SaleRecord | Tombstone]]:
        now = round(time.time() * 1000)
        out = []
        for _ in range(n):
            record_id = self.rng.choice(IDS)
            stamp = now - self.rng.randint(0, 3_000)  # close together: ties across partitions
            if self.rng.random() < 0.2:
                out.append((stamp, Tombstone(record_id)))
            else:
                out.append((stamp, sale(record_id, cents=self.rng.randint(1, 1_000_000))))
        return out

    def step(self) -> None:
        kinds = ["rdkafka", "kafka-python", "commit"]
        if self.apache:
            kinds += ["abort", "grow", "delete", "recreate"]
        else:
            kinds += ["recreate"]
        kind = self.rng.choice(kinds)
        getattr(self, f"_{kind.replace('-', '_')}")()

    def _rdkafka(self) -> None:
        partition, codec = self.rng.choice(list(self.model.logs)), self.rng.choice(foreign.CODECS)
        changes = self._changes(self.rng.randint(1, 30))
        producer = foreign._producer(self.bootstrap, **{"compression.type": codec})
        for stamp, change in changes:
            key, value = wire(change)
            producer.produce(self.topic, key=key, value=value, partition=partition, timestamp=stamp)
        assert producer.flush(30) == 0
        self.model.logs[partition] += changes
        self.done.append(f"librdkafka {len(changes)} em {codec} na partição {partition}")

    def _kafka_python(self) -> None:
        partition, codec = self.rng.choice(list(self.model.logs)), self.rng.choice(foreign.CODECS)
        if codec not in self._producers:
            chosen = None if codec == "none" else codec
            self._producers[codec] = make_producer(self.bootstrap, compression_type=chosen)
        producer = self._producers[codec]
        changes = self._changes(self.rng.randint(1, 30))
        futures = [
            producer.send(
                self.topic,
                key=wire(c)[0],
                value=wire(c)[1],
                partition=partition,
                timestamp_ms=stamp,
            )
            for stamp, c in changes
        ]
        producer.flush()
        for future in futures:
            future.get(10)
        self.model.logs[partition] += changes
        self.done.append(f"kafka-python {len(changes)} em {codec} na partição {partition}")

    def _transaction(self, commit: bool) -> None:
        partition = self.rng.choice(list(self.model.logs))
        changes = self._changes(self.rng.randint(1, 10))
        writer = foreign.Transaction(self.bootstrap, self.topic)
        writer.producer.begin_transaction()
        for stamp, change in changes:
            key, value = wire(change)
            writer.producer.produce(
                self.topic, key=key, value=value, partition=partition, timestamp=stamp
            )
        writer.producer.flush(30)
        if commit:
            writer.commit()
            self.model.logs[partition] += changes
        else:
            writer.abort()
        what = "confirmada" if commit else "abortada"
        self.done.append(f"transação {what} de {len(changes)} na partição {partition}")

    def _commit(self) -> None:
        self._transaction(commit=True)

    def _abort(self) -> None:
        self._transaction(commit=False)

    def _grow(self) -> None:
        count = len(self.model.logs) + 1
        foreign.grow(self.bootstrap, self.topic, count)
        self.model.logs[count - 1] = []
        self.done.append(f"partições: {count}")

    def _delete(self) -> None:
        partition = self.rng.choice(list(self.model.logs))
        end = fresh_end(self.bootstrap, self.topic, partition)
        before = self.rng.randint(0, end)
        foreign.delete_records_before(self.bootstrap, self.topic, partition, before)
        self.model.deleted = True  # the dashboard keeps what it read; a fresh reader cannot
        self.done.append(f"registros apagados antes do offset {before} na partição {partition}")

    def _recreate(self) -> None:
        self.close()  # their metadata is of the old topic
        foreign.delete_topic(self.bootstrap, self.topic)
        wait_for(lambda: not topic_exists(self.bootstrap, self.topic), timeout=30)
        partitions = self.rng.randint(1, 3)
        self._make(partitions)
        self.done.append(f"tópico recriado com {partitions} partições")

    def close(self) -> None:
        for producer in self._producers.values():
            producer.close()
        self._producers.clear()


def wire(change: SaleRecord | Tombstone) -> tuple[bytes, bytes | None]:
    return encode_tombstone(change.id) if isinstance(change, Tombstone) else encode(change)


def fresh_end(bootstrap: str, topic: str, partition: int) -> int:
    consumer = make_consumer(bootstrap)
    try:
        tp = TopicPartition(topic, partition)
        return consumer.end_offsets([tp])[tp]
    finally:
        consumer.close()


def topic_exists(bootstrap: str, topic: str) -> bool:
    consumer = make_consumer(bootstrap)
    try:
        return topic in consumer.topics()
    finally:
        consumer.close()


@pytest.mark.parametrize("seed", range(RUNS))
def test_the_table_follows_the_topic_through_its_life(broker, seed):
    apache = type(broker).__name__ == "ApacheKafka"
    life = Life(broker, random.Random(seed), apache)
    stream = StreamConsumer(Connection(broker.bootstrap), life.topic, RecordStore())
    stream.start()
    try:
        for _ in range(EVENTS):
            life.step()
            want = life.model.table()
            quiet = wait_for(
                lambda w=want: cents_by_id(stream.store.snapshot()) == w and stream.status.lag == 0,
                timeout=60,
            )
            assert quiet, (
                f"a tabela divergiu do modelo depois de: {life.done}; "
                f"painel {cents_by_id(stream.store.snapshot())}, modelo {want}, {stream.status}"
            )
            if not life.model.deleted:
                assert fresh_read(broker.bootstrap, life.topic) == want, life.done
    finally:
        stream.stop()
        life.close()
