"""Where each partition of a topic starts and ends, read through the seam."""

from __future__ import annotations

import contextlib
import time
from dataclasses import dataclass

from sales_monitor.errors import UnreadableBatch, UnreadableMessage
from sales_monitor.kafka.interface import TopicConsumer

READ_TIMEOUT_S = 10.0


@dataclass(frozen=True, slots=True)
class PartitionOffsets:
    partition: int
    earliest: int
    latest: int  # where a committed read ends: the next offset, unless a transaction is open

    @property
    def messages(self) -> int:
        return self.latest - self.earliest


def read_offsets(consumer: TopicConsumer) -> list[PartitionOffsets]:
    """Earliest and latest offset per partition. `end_offsets` can under-report on some
    brokers (Tansu), so the end is also read from a fetch near it: its last stable offset,
    which an open transaction holds below the highwater (reading on to the highwater
    would wait for the transaction). Leaves every partition assigned."""
    partitions = consumer.partitions()
    if not partitions:
        return []
    earliest = consumer.beginning_offsets(partitions)
    reported = consumer.end_offsets(partitions)
    consumer.assign(partitions)
    for p in partitions:
        consumer.seek(p, max(earliest[p], reported[p] - 1))
    deadline = time.monotonic() + READ_TIMEOUT_S
    while any(consumer.highwater(p) is None for p in partitions) and time.monotonic() < deadline:
        # a message or batch the client cannot read: its fetch said the ends all the same
        with contextlib.suppress(UnreadableMessage, UnreadableBatch):
            consumer.poll(timeout_ms=100, max_records=1)
    return [
        PartitionOffsets(p, earliest[p], max(reported[p], consumer.stable_end(p) or 0))
        for p in partitions
    ]
