"""Writing to the topic: records and tombstones, each marked with who wrote it.

Every command and page that writes goes through `send_change`, so every message carries
the `origem` header and every delivery is counted.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Sequence
from itertools import repeat
from typing import Any

from kafka.errors import KafkaError

from sales_monitor.errors import KafkaFailure
from sales_monitor.kafka.clients import close_producer, failure
from sales_monitor.kafka.interface import Delivery, Producer
from sales_monitor.ptbr import count_of
from sales_monitor.record import SaleRecord, Tombstone, encode, encode_tombstone, source_headers

PROGRESS_EVERY = 1_000  # messages between progress reports on a bulk send
COUNT_AT = 10_000  # sends kept uncounted at most, beyond those still unanswered

log = logging.getLogger(__name__)


class DeliveryStats:
    """Counts what was sent and what the broker answered.

    The sending thread hands each future over (`track`); answers are counted when the
    figures are read, oldest first: no callback runs per record on kafka-python's I/O
    thread (`uv run bench --only producer` measures the whole send path against the
    client's own). Counting in send order means a record
    answered early behind an older one still waiting is counted once that one is answered:
    the figures lag a little while records are in flight, and are exact once none are.
    """

    def __init__(self) -> None:
        self.attempted = 0
        self.last_error: Exception | None = None
        self._acked = 0
        self._failed = 0
        # (send time, future) of the records not yet counted, oldest first
        self._waiting: deque[tuple[float, Delivery]] = deque()
        self._lock = threading.Lock()  # readers on other threads (a page) count too

    def track(self, future: Delivery, now: float | None = None) -> None:
        """A record handed to the producer."""
        self.track_all([future], time.monotonic() if now is None else now)

    def track_all(self, futures: list[Delivery | None], now: float) -> None:
        """Records handed to the producer at `now`; None: one it refused (`refused`)."""
        handed = [future for future in futures if future is not None]
        self.attempted += len(handed)
        self._waiting.extend(zip(repeat(now), handed))
        if len(self._waiting) > COUNT_AT:  # a writer nobody reads keeps no more than this
            self._count_answers()

    def refused(self, error: Exception) -> None:
        """A record the producer would not take (a full buffer, a value too large...):
        attempted and failed at once."""
        self.attempted += 1
        with self._lock:
            self._failed += 1
            self.last_error = _as_project_error(error)

    def _count_answers(self) -> None:
        with self._lock:
            waiting = self._waiting
            while waiting and waiting[0][1].is_done:
                error = waiting.popleft()[1].exception
                if error is None:
                    self._acked += 1
                else:
                    self._failed += 1
                    self.last_error = _as_project_error(error)

    @property
    def acked(self) -> int:
        self._count_answers()
        return self._acked

    @property
    def failed(self) -> int:
        self._count_answers()
        return self._failed

    def waiting_s(self, now: float | None = None) -> float:
        """How long the oldest record still unanswered has waited (0: none waiting)."""
        self._count_answers()
        try:
            oldest = self._waiting[0][0]
        except IndexError:
            return 0.0
        return max(0.0, (time.monotonic() if now is None else now) - oldest)

    @property
    def unconfirmed(self) -> int:
        self._count_answers()
        return self.attempted - self._acked - self._failed

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
    return send_messages(producer, topic, [(key, value)], stats, headers, partition)[0]


def send_messages(
    producer: Producer,
    topic: str,
    messages: Iterable[tuple[bytes | None, bytes | None]],
    stats: DeliveryStats,
    headers: list[tuple[str, bytes]] | None = None,
    partition: int | None = None,
) -> list[Delivery | None]:
    """Send these keys and values in order, each counted in `stats`, with one send time
    for them all; each one's future, or None where the send itself failed."""
    now, send, futures = time.monotonic(), producer.send, []
    try:
        for key, value in messages:
            try:
                future = send(topic, key=key, value=value, headers=headers, partition=partition)
            except Exception as error:  # kafka-python: KafkaTimeoutError, buffer errors...
                stats.refused(error)
                future = None
            futures.append(future)
    finally:  # what was handed over is counted, even if something stops the batch midway
        stats.track_all(futures, now)
    return futures


def _as_project_error(error: BaseException) -> Exception:
    """kafka-python's error as the project's (its text in Portuguese)."""
    if isinstance(error, KafkaError):
        return failure(error)
    return error if isinstance(error, Exception) else RuntimeError(str(error))


class Publisher:
    """One writer's messages to one topic, through a producer it does not own."""

    def __init__(self, producer: Producer, topic: str, source: str):
        self.producer, self.topic = producer, topic
        self.headers = source_headers(source)
        self.stats = DeliveryStats()

    def send(self, change: SaleRecord | Tombstone) -> Delivery | None:
        return send_change(self.producer, self.topic, change, self.stats, self.headers)

    def send_messages(
        self, messages: Iterable[tuple[bytes, bytes | None]]
    ) -> list[Delivery | None]:
        """Send these keys and values in order with this writer's header (a batch)."""
        return send_messages(self.producer, self.topic, messages, self.stats, self.headers)

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


def end_write(
    publisher: Publisher, timeout: float = 30.0, close_wait_s: float = 5.0
) -> DeliveryStats:
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
