"""Where each partition of a topic starts and ends, read through the seam."""

from __future__ import annotations

import time
from dataclasses import dataclass

from sales_monitor.kafka.interface import TopicConsumer

READ_TIMEOUT_S = 10.0


@dataclass(frozen=True, slots=True)
class PartitionOffsets:
    partition: int
    earliest: int
    latest: int  # the next offset to be written

    @property
    def messages(self) -> int:
        return self.latest - self.earliest


def read_offsets(consumer: TopicConsumer) -> list[PartitionOffsets]:
    """Earliest and latest offset per partition. `end_offsets` can under-report on some
    brokers (Tansu), so the end is the highwater of a fetch near it. Leaves every
    partition assigned."""
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
        consumer.poll(timeout_ms=100, max_records=1)
    return [
        PartitionOffsets(p, earliest[p], max(reported[p], consumer.highwater(p) or 0))
        for p in partitions
    ]
