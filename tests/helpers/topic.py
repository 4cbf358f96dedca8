"""Reading a test topic back from the broker."""

from __future__ import annotations

import time

from kafka import TopicPartition

from sales_monitor.errors import UnreadableMessage
from sales_monitor.kafka.clients import make_consumer, open_consumer
from sales_monitor.kafka.offsets import read_offsets


def read_topic(bootstrap: str, topic: str, expected: int, timeout_s: float = 30.0) -> list:
    """Every message of `topic` from the beginning, once `expected` have arrived."""
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


def messages_in(bootstrap: str, topic: str) -> int:
    """How many messages the topic holds now (its end offsets summed)."""
    consumer = open_consumer(bootstrap, topic)
    try:
        return sum(consumer.end_offsets(consumer.partitions()).values())
    finally:
        consumer.close()


def everything_in(bootstrap: str, topic: str, timeout_s: float = 30.0) -> list:
    """Every message the topic holds now, read up to each partition's end (the end as
    `offsets.read_offsets` finds it), or AssertionError if that takes over `timeout_s`. A
    message the client cannot parse (a header name that is not UTF-8) is skipped, as the
    dashboard's reader skips it."""
    consumer = open_consumer(bootstrap, topic)
    deadline = time.monotonic() + timeout_s
    try:
        ends = {o.partition: o for o in read_offsets(consumer)}
        consumer.assign(ends)
        for partition, offsets in ends.items():
            consumer.seek(partition, offsets.earliest)
        messages: list = []
        while any(consumer.position(p) < o.latest for p, o in ends.items()):
            assert time.monotonic() < deadline, "o tópico não foi lido até o fim"
            try:
                polled = consumer.poll(timeout_ms=200, max_records=10_000)
            except UnreadableMessage as error:
                consumer.seek(error.partition, error.offset + 1)
                continue
            for batch in polled.values():
                messages.extend(batch)
        return messages
    finally:
        consumer.close()
