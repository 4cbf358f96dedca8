"""Shared fixtures: one real embedded Kafka broker per test session, fresh topics per test."""

from __future__ import annotations

import uuid

import pytest

from sales_monitor.broker import EmbeddedBroker, free_port
from sales_monitor.kafka_io import ensure_topic


@pytest.fixture(scope="session")
def broker():
    with EmbeddedBroker(port=free_port()) as running:
        yield running


@pytest.fixture
def stream(broker, topic):
    """A dashboard consumer on the test's topic, stopped after the test."""
    from sales_monitor.store import RecordStore
    from sales_monitor.stream import StreamConsumer

    consumer = StreamConsumer(broker.bootstrap, topic, RecordStore())
    consumer.start()
    yield consumer
    consumer.stop()


@pytest.fixture
def topic(broker, request) -> str:
    """A new single-partition topic, named after the test (Tansu would auto-create 4)."""
    name = f"t-{request.node.name[:40]}-{uuid.uuid4().hex[:8]}".replace("[", "-").replace("]", "")
    ensure_topic(broker.bootstrap, name, partitions=1)
    return name


def read_topic(bootstrap: str, topic: str, expected: int, timeout_s: float = 30.0) -> list:
    """Every message of `topic` from the beginning, once `expected` have arrived."""
    import time

    from kafka import TopicPartition

    from sales_monitor.kafka_io import make_consumer

    consumer = make_consumer(bootstrap)
    deadline = time.monotonic() + timeout_s
    try:
        # a topic a producer is just creating may not be known yet: ask until it is
        while not (known := consumer.partitions_for_topic(topic)) and time.monotonic() < deadline:
            time.sleep(0.1)
        partitions = [TopicPartition(topic, p) for p in known or ()]
        if not partitions:
            return []
        consumer.assign(partitions)
        consumer.seek_to_beginning()
        messages = []
        while len(messages) < expected and time.monotonic() < deadline:
            for batch in consumer.poll(timeout_ms=200, max_records=10_000).values():
                messages.extend(batch)
        return messages
    finally:
        consumer.close()


def wait_for(condition, timeout: float = 30.0) -> bool:
    """Poll `condition` until it holds or `timeout` seconds pass."""
    import time

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return False
