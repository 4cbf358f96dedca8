"""Writing to the topic: records and tombstones, each marked with who wrote it.

Every command and page that writes goes through `send_change`, so every message carries
the `origem` header and every delivery is counted.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from kafka.errors import KafkaError

from sales_monitor.errors import KafkaFailure
from sales_monitor.kafka.clients import close_producer, failure
from sales_monitor.kafka.interface import Delivery, Producer
from sales_monitor.ptbr import count_of
from sales_monitor.record import SaleRecord, Tombstone, encode, encode_tombstone, source_headers

PROGRESS_EVERY = 1_000  # messages between progress reports on a bulk send

log = logging.getLogger(__name__)


class DeliveryStats:
    """Counts acknowledgements; callbacks run on the producer's I/O thread."""

    def __init__(self) -> None:
        self.attempted = 0
        self.acked = 0
        self.failed = 0
        self.last_error: Exception | None = None
        # send times of the records not yet answered, oldest first; an answer takes the
        # oldest off (answers come nearly in send order: any error is toward "younger")
        self._sent_at: deque[float] = deque()

    def on_send(self, now: float | None = None) -> None:
        self.attempted += 1
        self._sent_at.append(time.monotonic() if now is None else now)

    def on_ack(self, _metadata) -> None:
        self.acked += 1
        self._answered()

    def on_error(self, error: Exception) -> None:
        """A record not delivered; kafka-python's error is kept as the project's."""
        self.failed += 1
        self.last_error = failure(error) if isinstance(error, KafkaError) else error
        self._answered()

    def _answered(self) -> None:
        with contextlib.suppress(IndexError):  # every answer follows an on_send
            self._sent_at.popleft()

    def waiting_s(self, now: float | None = None) -> float:
        """How long the oldest record still unanswered has waited (0: none waiting)."""
        try:
            oldest = self._sent_at[0]
        except IndexError:
            return 0.0
        return max(0.0, (time.monotonic() if now is None else now) - oldest)

    @property
    def unconfirmed(self) -> int:
        return self.attempted - self.acked - self.failed

    def summary(self, rejected: int | None = None, failed: int | None = None) -> str:
        """`Resumo: N enviados, M rejeitados, K falhas.` (rejected only where input is
        checked); failures by default every record not delivered, unanswered included (a
        writer that retries passes what is still not delivered)."""
        if failed is None:
            failed = self.failed + self.unconfirmed
        parts = [count_of(self.acked, "enviado", "enviados")]
        if rejected is not None:
            parts.append(count_of(rejected, "rejeitado", "rejeitados"))
        parts.append(count_of(failed, "falha", "falhas"))
        return f"Resumo: {', '.join(parts)}."

    def error_line(self, bootstrap: str = "") -> str | None:
        """`Erro: …` naming why records were not delivered, or None if all were."""
        lost = self.failed + self.unconfirmed
        if not lost:
            return None
        where = f" em {bootstrap}" if bootstrap else ""
        cause = f" ({self.last_error})" if self.last_error is not None else ""
        lost_text = count_of(lost, "mensagem não confirmada", "mensagens não confirmadas")
        return f"Erro: {lost_text} pelo Kafka{where}{cause}."


def send_change(
    producer: Producer,
    topic: str,
    change: SaleRecord | Tombstone,
    stats: DeliveryStats,
    headers: list[tuple[str, bytes]] | None = None,
) -> Delivery | None:
    """Send one upsert or tombstone; the future, or None if the send itself failed."""
    key, value = _wire(change)
    return send_message(producer, topic, key, value, stats, headers)


def _wire(change: SaleRecord | Tombstone) -> tuple[bytes, bytes | None]:
    return encode(change) if isinstance(change, SaleRecord) else encode_tombstone(change.id)


def send_message(
    producer: Producer,
    topic: str,
    key: bytes | None,
    value: bytes | None,
    stats: DeliveryStats,
    headers: list[tuple[str, bytes]] | None = None,
    partition: int | None = None,
) -> Delivery | None:
    """Send any message, counted in `stats`; the future, or None if the send itself failed
    (an unknown partition, a value too large, a full buffer...)."""
    stats.on_send()
    try:
        future = producer.send(topic, key=key, value=value, headers=headers, partition=partition)
    except Exception as error:  # kafka-python raises KafkaTimeoutError, buffer errors...
        stats.on_error(error)
        return None
    future.add_callback(stats.on_ack)
    future.add_errback(stats.on_error)
    return future


class Publisher:
    """One writer's messages to one topic, through a producer it does not own."""

    def __init__(self, producer: Producer, topic: str, source: str):
        self.producer, self.topic = producer, topic
        self.headers = source_headers(source)
        self.stats = DeliveryStats()

    def send(self, change: SaleRecord | Tombstone) -> Delivery | None:
        return send_change(self.producer, self.topic, change, self.stats, self.headers)

    def deliver(
        self,
        change: SaleRecord | Tombstone,
        headers: Sequence[tuple[str, bytes]] = (),
        partition: int | None = None,
        timeout: float = 10.0,
    ) -> tuple[int, int]:
        """Send one and wait for the broker: (partition, offset), or KafkaFailure."""
        key, value = _wire(change)
        return self.deliver_message(key, value, headers, partition, timeout)

    def deliver_message(
        self,
        key: bytes | None,
        value: bytes | None,
        headers: Sequence[tuple[str, bytes]] = (),
        partition: int | None = None,
        timeout: float = 10.0,
    ) -> tuple[int, int]:
        """Any message, as a person wrote it (the inspector): any key, value, extra headers
        and partition, with this writer's `origem` unless the headers name one; waits for
        the broker: (partition, offset), or KafkaFailure."""
        names = {name for name, _ in headers}
        marked = [*(h for h in self.headers if h[0] not in names), *headers]
        future = send_message(self.producer, self.topic, key, value, self.stats, marked, partition)
        if future is None:
            raise KafkaFailure(
                f"o envio falhou antes de chegar ao broker ({self.stats.last_error})"
            )
        try:
            written = future.get(timeout=timeout)
        except KafkaError as error:  # counted already, by the future's errback
            raise failure(error) from error
        return written.partition, written.offset

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
        """Wait up to `timeout` s for every message sent so far to be acknowledged or
        failed; never raises: what is still waiting then counts as unconfirmed."""
        try:
            self.producer.flush(timeout=timeout)
        except KafkaError as error:  # KafkaTimeoutError: the broker went away mid-write
            self.stats.last_error = self.stats.last_error or failure(error)
        return self.stats


def end_write(publisher: Publisher, timeout: float = 30.0, close_wait_s: float = 5.0):
    """The one way a command ends its writes: wait for acknowledgements within `timeout`,
    then close the producer, whatever the broker does (never raises). Records still waiting
    at the close are aborted and counted as failures."""
    stats = publisher.finish(timeout)
    close_producer(publisher.producer, close_wait_s)
    return stats


class BulkSend(threading.Thread):
    """A bulk send that runs to its end on its own thread, whatever the page that started
    it does meanwhile (a Streamlit rerun stops the script, not this); the page reads its
    progress and, at the end, its summary."""

    def __init__(
        self,
        publisher: Publisher,
        changes: Sequence[SaleRecord | Tombstone],
        rejected: Iterable[Any] = (),  # the file's refused rows, kept for the page
        ack_wait_s: float = 30.0,
    ):
        super().__init__(name="bulk-send", daemon=True)
        self.publisher, self.changes, self.ack_wait_s = publisher, changes, ack_wait_s
        self.rejected = list(rejected)  # the file's refused lines, for the summary
        self.queued = 0  # handed to the producer so far
        self.error: Exception | None = None  # what stopped it early, if anything
        self.finished = threading.Event()

    @property
    def total(self) -> int:
        return len(self.changes)

    @property
    def stats(self) -> DeliveryStats:
        return self.publisher.stats

    def run(self) -> None:
        try:
            for change in self.changes:
                self.publisher.send(change)
                self.queued += 1
            self.publisher.finish(self.ack_wait_s)
        except Exception as error:  # counted as not sent; the page says why
            log.exception("envio em lote interrompido")
            self.error = error
        finally:
            self.finished.set()
