"""A writer from outside the project: librdkafka (`confluent-kafka`), as most non-Java
producers of a real cluster are. It writes every codec and transactions."""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from confluent_kafka import Producer
from confluent_kafka.admin import AdminClient, NewPartitions

CODECS = ("none", "gzip", "snappy", "lz4", "zstd")
Message = tuple[bytes | None, bytes | None]  # key, value


def _producer(bootstrap: str, **config) -> Producer:
    settings = {"bootstrap.servers": bootstrap, "linger.ms": 5, "log_level": 3} | config
    return Producer(settings)


def write(
    bootstrap: str,
    topic: str,
    messages: Iterable[Message],
    codec: str = "none",
    partition: int | None = None,
) -> None:
    """Write them as one batch in `codec` (per partition), each confirmed."""
    producer = _producer(bootstrap, **{"compression.type": codec})
    failed: list = []

    def delivered(error, _message) -> None:
        if error is not None:
            failed.append(error)

    for key, value in messages:
        extra = {} if partition is None else {"partition": partition}
        producer.produce(topic, key=key, value=value, on_delivery=delivered, **extra)
    assert producer.flush(30) == 0, "librdkafka não entregou tudo"
    assert not failed, failed


class Transaction:
    """One transactional writer: `write` inside `begin`, then `commit` or `abort`."""

    def __init__(self, bootstrap: str, topic: str):
        self.topic = topic
        self.producer = _producer(bootstrap, **{"transactional.id": f"t-{uuid.uuid4().hex}"})
        self.producer.init_transactions(30)

    def write(self, messages: Iterable[Message], partition: int = 0) -> Transaction:
        self.producer.begin_transaction()
        for key, value in messages:
            self.producer.produce(self.topic, key=key, value=value, partition=partition)
        self.producer.flush(30)
        return self

    def commit(self) -> None:
        self.producer.commit_transaction(30)

    def abort(self) -> None:
        self.producer.abort_transaction(30)


def admin(bootstrap: str) -> AdminClient:
    return AdminClient({"bootstrap.servers": bootstrap, "log_level": 3})


def _wait(futures: dict) -> None:
    for future in futures.values():
        future.result(30)


def grow(bootstrap: str, topic: str, partitions: int) -> None:
    """Add partitions to a topic, as an operator would."""
    client = admin(bootstrap)  # kept alive until the answers arrive
    _wait(client.create_partitions([NewPartitions(topic, partitions)]))


def delete_topic(bootstrap: str, topic: str) -> None:
    client = admin(bootstrap)
    _wait(client.delete_topics([topic]))


def delete_records_before(bootstrap: str, topic: str, partition: int, offset: int) -> None:
    """DeleteRecords: the partition starts at `offset` from now on."""
    from confluent_kafka import TopicPartition

    client = admin(bootstrap)
    _wait(client.delete_records([TopicPartition(topic, partition, offset)]))
