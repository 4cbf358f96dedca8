"""A compacted topic (`cleanup.policy=compact`) on Apache Kafka, with segment and cleaner
settings small enough to compact within a test: what holds for the dashboard's table and
what does not."""

from __future__ import annotations

import time
import uuid

import pytest
from kafka import KafkaAdminClient, KafkaProducer
from kafka.errors import KafkaError

from sales_monitor.kafka.connection import Connection
from sales_monitor.record import encode, encode_tombstone
from sales_monitor.stream.consumer import StreamConsumer
from sales_monitor.stream.store import RecordStore
from tests.helpers.factories import cents_by_id, sale
from tests.helpers.topic import everything_in
from tests.helpers.waiting import wait_for

pytestmark = pytest.mark.apache

COMPACT_FAST = {
    "cleanup.policy": "compact",
    "segment.ms": "100",  # a segment rolls 100 ms after its first record
    "min.cleanable.dirty.ratio": "0.001",
    "min.compaction.lag.ms": "0",
    "max.compaction.lag.ms": "100",
    "delete.retention.ms": "100",  # tombstones are kept this long after a cleaning
}


def compacted_topic(apache, partitions: int = 1) -> str:
    name = f"compacto-{uuid.uuid4().hex[:8]}"
    admin = KafkaAdminClient(bootstrap_servers=apache.bootstrap)
    try:
        admin.create_topics(
            {name: {"num_partitions": partitions, "replication_factor": 1, "configs": COMPACT_FAST}}
        )
    finally:
        admin.close()
    return name


def table_of(apache, topic: str) -> dict[int, int]:
    """A dashboard's table rebuilt from the topic, once it has read to the end: id -> cents."""
    stream = StreamConsumer(Connection(apache.bootstrap), topic, RecordStore())
    stream.start()
    try:
        assert wait_for(lambda: stream.status.caught_up)
        return cents_by_id(stream.snapshot())
    finally:
        stream.stop()


def compact(apache, producer: KafkaProducer, topic: str, done, partitions=(0,)) -> None:
    """Keep rolling segments (with a key the contract rejects, so no table changes) until
    `done(messages)` holds for what the topic still holds."""

    def compacted() -> bool:
        for partition in partitions:
            producer.send(topic, key=b"0", value=b"{}", partition=partition).get(timeout=10)
        time.sleep(0.2)
        return done(everything_in(apache.bootstrap, topic))

    assert wait_for(compacted, timeout=90), "o Kafka não compactou o tópico"


def test_a_table_rebuilt_after_compaction_equals_the_one_before(apache):
    topic = compacted_topic(apache)
    producer = KafkaProducer(bootstrap_servers=apache.bootstrap, enable_idempotence=False)
    try:
        writes = [encode(sale(i, cents=100 + i)) for i in range(1, 51)]
        writes += [encode(sale(i, cents=900 + i)) for i in range(1, 26)]  # updates
        writes += [encode_tombstone(i) for i in range(26, 36)]  # deletions
        for key, value in writes:
            producer.send(topic, key=key, value=value).get(timeout=10)
        before = table_of(apache, topic)
        assert len(before) == 40 and before[1] == 901 and 26 not in before
        deleted = {b"%d" % i for i in range(26, 36)}
        compact(apache, producer, topic, lambda kept: not deleted & {m.key for m in kept})
        after = table_of(apache, topic)
    finally:
        producer.close()
    assert after == before  # one partition: compaction keeps each id's latest write,
    # and the tombstones are gone too (past delete.retention.ms): nothing comes back


def test_kafka_refuses_a_keyless_message_on_a_compacted_topic(apache):
    """Kafka UI's Produce Message with an empty Key sends a null key: refused here."""
    topic = compacted_topic(apache)
    producer = KafkaProducer(bootstrap_servers=apache.bootstrap, enable_idempotence=False)
    try:
        with pytest.raises(KafkaError):
            producer.send(topic, key=None, value=encode(sale(1))[1]).get(timeout=10)
        producer.send(topic, key=encode(sale(1))[0], value=encode(sale(1))[1]).get(timeout=10)
    finally:
        producer.close()


def test_a_tombstone_compacted_away_lets_an_older_write_in_another_partition_come_back(apache):
    """Why the project's writers key every message by id (one id, one partition): across
    partitions, the latest write wins by timestamp only while the tombstone exists."""
    topic = compacted_topic(apache, partitions=2)
    producer = KafkaProducer(bootstrap_servers=apache.bootstrap, enable_idempotence=False)
    now = int(time.time() * 1000)
    old, new = encode(sale(7, cents=111)), encode(sale(7, cents=222))
    try:
        producer.send(topic, key=old[0], value=old[1], partition=0, timestamp_ms=now - 60_000)
        producer.send(topic, key=new[0], value=new[1], partition=1, timestamp_ms=now - 30_000)
        gone = encode_tombstone(7)
        producer.send(topic, key=gone[0], value=gone[1], partition=1, timestamp_ms=now).get(
            timeout=10
        )
        assert table_of(apache, topic) == {}  # the tombstone is the latest write
        compact(
            apache,
            producer,
            topic,
            partitions=(0, 1),
            done=lambda kept: not [m for m in kept if m.partition == 1 and m.key == b"7"],
        )
        comeback = table_of(apache, topic)
    finally:
        producer.close()
    assert comeback == {7: 111}  # partition 1 kept nothing of id 7: the old sale is back
