"""Writing to the topic: records and tombstones, each marked with who wrote it.

Every command and page that writes goes through `send_change`, so every message carries
the `origem` header and every delivery is counted.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable

from .money import format_int
from .record import SaleRecord, Tombstone, encode, encode_tombstone, source_headers

PROGRESS_EVERY = 1_000  # messages between progress reports on a bulk send


class DeliveryStats:
    """Counts acknowledgements; callbacks run on the producer's I/O thread."""

    def __init__(self) -> None:
        self.attempted = 0
        self.acked = 0
        self.failed = 0
        self.last_error: Exception | None = None
        self.last_answer_at = time.monotonic()  # the broker's last ack or error

    def on_ack(self, _metadata) -> None:
        self.acked += 1
        self.last_answer_at = time.monotonic()

    def on_error(self, error: Exception) -> None:
        self.failed += 1
        self.last_error = error
        self.last_answer_at = time.monotonic()

    def waiting_s(self, now: float | None = None) -> float:
        """How long records have waited with no answer from the broker (0: none waiting)."""
        if not self.unconfirmed:
            return 0.0
        return (time.monotonic() if now is None else now) - self.last_answer_at

    @property
    def unconfirmed(self) -> int:
        return self.attempted - self.acked - self.failed

    def summary(self) -> str:
        extra = f", {format_int(self.unconfirmed)} sem confirmação" if self.unconfirmed else ""
        return (
            f"Resumo: {format_int(self.acked)} enviados, {format_int(self.failed)} falhas{extra}."
        )


def send_change(
    producer,
    topic: str,
    change: SaleRecord | Tombstone,
    stats: DeliveryStats,
    headers: list[tuple[str, bytes]] | None = None,
):
    """Send one upsert or tombstone; the future, or None if the send itself failed."""
    if isinstance(change, SaleRecord):
        key, value = encode(change)
    else:
        key, value = encode_tombstone(change.id)
    stats.attempted += 1
    try:
        future = producer.send(topic, key=key, value=value, headers=headers)
    except Exception as error:  # kafka-python raises KafkaTimeoutError, buffer errors...
        stats.on_error(error)
        return None
    future.add_callback(stats.on_ack)
    future.add_errback(stats.on_error)
    return future


class Publisher:
    """One writer's messages to one topic, through a producer it does not own."""

    def __init__(self, producer, topic: str, source: str):
        self.producer, self.topic = producer, topic
        self.headers = source_headers(source)
        self.stats = DeliveryStats()

    def send(self, change: SaleRecord | Tombstone):
        return send_change(self.producer, self.topic, change, self.stats, self.headers)

    def send_all(
        self,
        changes: Iterable[SaleRecord | Tombstone],
        on_progress: Callable[[int], None] = lambda sent: None,
    ) -> None:
        """Send them in order, reporting every `PROGRESS_EVERY` messages."""
        for n, change in enumerate(changes, 1):
            self.send(change)
            if n % PROGRESS_EVERY == 0:
                on_progress(n)

    def finish(self, timeout: float = 10.0) -> DeliveryStats:
        """Wait for every message sent so far to be acknowledged or failed."""
        self.producer.flush(timeout=timeout)
        return self.stats
