"""The dashboard's one background consumer: the topic, from the beginning, into a store.

It reads every partition by manual assignment with no consumer group, so any number of
dashboards (and browser tabs) each see every message. It survives the broker going away:
it reports the state, keeps retrying, and when an in-memory broker comes back empty it
rebuilds the table from what the topic holds now (the topic is the source of truth).

No message can stop it: whatever one message makes the contract, or kafka-python itself,
raise turns that message into a rejected one and reading goes on; any other failure is
logged, shown as "falhou" and followed by a fresh start from where it was.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime

from kafka import TopicPartition
from kafka.errors import CorruptRecordError, KafkaError

from sales_monitor.dashboard.store import RecordStore, WriteOrder
from sales_monitor.kafka.clients import (
    UNREADABLE,
    BrokerUnavailable,
    make_consumer,
    unreadable_partition,
)
from sales_monitor.kafka.connection import Connection, as_connection
from sales_monitor.record import KAFKA_MS_MAX, SAO_PAULO, Rejection, decode, message_time

MAX_RECORDS_PER_POLL = 10_000
INVALID_KEPT = 100
RAW_TEXT_LIMIT = 200
RETRY_S = 1.0
LIVENESS_CHECK_S = 1.0  # quiet this long: ask the broker for metadata, to notice it is gone
RATE_WINDOW_S = 60
DELAYS_KEPT = 10_000  # produce-to-table delays kept for the freshness line (sampled per poll)
RESET_DETAIL = "o tópico recomeçou do zero; tabela reconstruída"
FAILED = "falhou"  # the state after an unexpected error, until the fresh start reconnects

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class InvalidMessage:
    partition: int
    offset: int
    raw: str
    reason: str


@dataclass(frozen=True, slots=True)
class DataLoss:
    """The broker came back without messages the table had read (an in-memory broker
    restarted): the table was rebuilt from what the topic holds now."""

    at: datetime
    rows_before: int


@dataclass(frozen=True, slots=True)
class StreamStatus:
    """What the status panel shows; replaced whole, so readers never see half an update."""

    state: str = "conectando"  # conectando | conectado | sem tópico | broker indisponível | falhou
    detail: str = ""
    bootstrap: str = ""
    topic: str = ""
    partitions: tuple[int, ...] = ()
    positions: dict[int, int] = field(default_factory=dict)  # next offset to read
    highwater: dict[int, int] = field(default_factory=dict)
    last_message_at: datetime | None = None  # the newest message's own timestamp
    last_arrival_at: datetime | None = None  # when a message last reached the table
    consumed: int = 0  # messages processed since this dashboard started, re-reads included
    invalid: int = 0  # invalid messages in the table's current reading of the topic
    checked_at: datetime | None = None  # the last time the broker answered
    data_loss: DataLoss | None = None
    restarts: int = 0  # fresh starts after an unexpected error
    # the table has reached the topic's end once since (re)reading it: until then the page
    # shows how far it is, and only messages written since the read began count as live
    caught_up: bool = False

    @property
    def lag(self) -> int:
        return sum(max(0, hw - self.positions.get(p, 0)) for p, hw in self.highwater.items())

    @property
    def connected(self) -> bool:
        return self.state == "conectado"

    @property
    def reading(self) -> tuple[int, int] | None:
        """(messages read, messages in the topic) while the first read of the topic is
        under way; None once caught up."""
        if self.caught_up or not self.highwater:
            return None
        return sum(self.positions.values()), sum(self.highwater.values())


class StreamConsumer(threading.Thread):
    """Owns the KafkaConsumer (it is not thread-safe); others talk to it through flags."""

    def __init__(
        self,
        target: Connection | str,
        topic: str,
        store: RecordStore,
        consumer_factory: Callable[..., object] = make_consumer,
    ):
        super().__init__(name=f"stream-{topic}", daemon=True)
        self.store = store
        self.connection = as_connection(target)
        self.status = StreamStatus(bootstrap=self.connection.bootstrap_servers, topic=topic)
        self.invalid_messages: deque[InvalidMessage] = deque(maxlen=INVALID_KEPT)
        self._factory = consumer_factory
        self._stopping = threading.Event()
        self._rewind = threading.Event()
        self._arrivals: deque[tuple[int, int]] = deque()  # (whole second, messages)
        self._order = WriteOrder()  # which write to an id wins, across partitions
        self._live_from_ms = round(time.time() * 1000)  # written after this: read live
        # (arrival, ms from the message's timestamp to the table), newest last
        self._delays: deque[tuple[float, int]] = deque(maxlen=DELAYS_KEPT)

    # -- called from other threads -------------------------------------------------
    def stop(self, timeout: float = 5.0) -> None:
        self._stopping.set()
        self.join(timeout)

    def rewind(self) -> None:
        """Rebuild the table from the beginning of the topic."""
        self._rewind.set()

    def delays_ms(self, now: float | None = None) -> list[int]:
        """Produce-to-table delays of the messages that reached the table in the last
        minute (at most DELAYS_KEPT of the newest)."""
        cutoff = (time.time() if now is None else now) - RATE_WINDOW_S
        return [delay for arrived, delay in list(self._delays) if arrived > cutoff]

    def records_per_second(self, now: float | None = None) -> float:
        """Messages per second over the last minute."""
        cutoff = int(now if now is not None else time.monotonic()) - RATE_WINDOW_S
        return sum(n for second, n in list(self._arrivals) if second > cutoff) / RATE_WINDOW_S

    # -- the consumer thread -------------------------------------------------------
    def run(self) -> None:
        while not self._stopping.is_set():
            try:
                self._session()
            except Exception as error:  # a bug, not the broker: say so, start again
                log.exception("o leitor do tópico falhou; recomeçando de onde estava")
                self._set(
                    state=FAILED,
                    detail=f"erro interno ({type(error).__name__}); recomeçando em {RETRY_S:g} s",
                    restarts=self.status.restarts + 1,
                )
                self._stopping.wait(RETRY_S)

    def _session(self) -> None:
        """One consumer, from connecting to the broker until it goes away."""
        try:
            consumer = self._factory(self.connection)
        except BrokerUnavailable as error:  # its message names the cause, if known
            self._set(state="broker indisponível", detail=f"{error}; {self._retrying()}")
            self._stopping.wait(RETRY_S)
            return
        try:
            self._consume(consumer)
        except KafkaError as error:
            self._set(state="broker indisponível", detail=f"{error}")
            self._stopping.wait(RETRY_S)
        finally:
            consumer.close()

    def _consume(self, consumer) -> None:
        partitions = sorted(consumer.partitions_for_topic(self.status.topic))
        if not partitions:
            self._set(state="sem tópico", detail=f"o tópico '{self.status.topic}' não existe ainda")
            self._stopping.wait(RETRY_S)
            return
        tps = [TopicPartition(self.status.topic, p) for p in partitions]
        consumer.assign(tps)
        self._seek(consumer, tps)
        self._set(state="conectado", detail="", partitions=tuple(partitions))
        self._follow(consumer, tps)

    def _follow(self, consumer, tps: list[TopicPartition]) -> None:
        """Poll until stopped or the broker goes away."""
        quiet_since = time.monotonic()
        while not self._stopping.is_set():
            if self._rewind.is_set():
                self._start_over(consumer, tps)
            batches = self._poll(consumer)
            for tp, messages in batches.items():
                if not self._ingest(consumer, tp, tps, messages):
                    break  # started over: the rest of this poll is stale
            highwater = self._highwater(consumer, tps)
            if self._behind_us(highwater):
                self._rebuild_after_loss(consumer, tps)
                continue
            caught_up = self.status.caught_up or self._at_end(highwater)
            if batches or time.monotonic() - quiet_since > LIVENESS_CHECK_S:
                if not batches:
                    consumer.topics()  # a metadata round trip; raises if the broker is gone
                quiet_since = time.monotonic()
                now = datetime.now(SAO_PAULO)
                self._set(highwater=highwater, checked_at=now, caught_up=caught_up)
            else:
                self._set(highwater=highwater, caught_up=caught_up)

    def _at_end(self, highwater: dict[int, int]) -> bool:
        positions = self.status.positions
        known = set(highwater) >= set(self.status.partitions)
        return known and all(positions.get(p, 0) >= hw for p, hw in highwater.items())

    def _poll(self, consumer) -> dict:
        try:
            return consumer.poll(timeout_ms=200, max_records=MAX_RECORDS_PER_POLL)
        except CorruptRecordError as error:  # kafka-python cannot parse the next message
            self._skip_unreadable(consumer, error)
            return {}

    def _skip_unreadable(self, consumer, error: CorruptRecordError) -> None:
        """List the message kafka-python cannot parse as rejected and read on after it
        (without the seek, kafka-python would never read that partition again)."""
        tp = unreadable_partition(consumer)
        if tp is None:  # not known: let the fresh start after an error try again
            raise error
        offset = consumer.position(tp)
        log.warning("mensagem ilegível em %s/%s, pulada: %s", tp.partition, offset, error)
        self.invalid_messages.append(InvalidMessage(tp.partition, offset, "", UNREADABLE))
        consumer.seek(tp, offset + 1)
        status = self.status
        self._set(
            positions=status.positions | {tp.partition: offset + 1},
            consumed=status.consumed + 1,
            invalid=status.invalid + 1,
        )

    def _behind_us(self, highwater: dict[int, int]) -> bool:
        """A highwater below what we read: the broker lost its data (an in-memory broker
        restarted), so the table no longer matches the topic."""
        return any(hw < self.status.positions.get(p, 0) for p, hw in highwater.items())

    def _seek(self, consumer, tps: list[TopicPartition]) -> None:
        for tp in tps:
            position = self.status.positions.get(tp.partition)
            if position is None:
                consumer.seek_to_beginning(tp)
            else:
                consumer.seek(tp, position)

    def _start_over(self, consumer, tps: list[TopicPartition], why: str = "") -> None:
        """Empty the table and read the topic again from offset 0."""
        if not why:  # asked for by a person: what was lost before is no longer news
            self._set(data_loss=None)
        self._rewind.clear()
        self._order.reset()
        self.store.clear()
        self.invalid_messages.clear()
        consumer.seek_to_beginning(*tps)
        self._live_from_ms = round(time.time() * 1000)
        self._set(positions={}, highwater={}, invalid=0, detail=why, caught_up=False)

    def _ingest(self, consumer, tp: TopicPartition, tps, messages: list) -> bool:
        """Apply one partition's messages; False if the topic turned out to be reset."""
        expected = self.status.positions.get(tp.partition, 0)
        if messages[0].offset < expected:  # the broker reset the offsets (see _behind_us)
            self._rebuild_after_loss(consumer, tps)
            return False
        moment = self._order.latest(tp.partition)
        batch = ingest(messages, self._order, tp.partition)
        try:
            self.store.apply(batch.changes, batch.versions)
        except BaseException:  # not applied: the fresh start reads these messages again
            self._order.restore(tp.partition, moment)
            raise
        self.invalid_messages.extend(batch.rejected)
        arrived = time.time()
        live = messages if self.status.caught_up else self._live(messages)
        if live:  # live messages only: a delay of history being caught up on says nothing
            self._count_arrivals(len(live))
            self._delays.extend(arrival_delays(live, arrived))
        status = self.status
        self._set(
            positions=status.positions | {tp.partition: messages[-1].offset + 1},
            last_message_at=message_time(messages[-1].timestamp) or status.last_message_at,
            last_arrival_at=datetime.fromtimestamp(arrived, SAO_PAULO),
            consumed=status.consumed + len(messages),
            invalid=status.invalid + len(batch.rejected),
        )
        return True

    def _live(self, messages: list) -> list:
        """Until the table has caught up, the messages written since it started reading."""
        since = self._live_from_ms
        return [m for m in messages if type(m.timestamp) is int and m.timestamp >= since]

    def _count_arrivals(self, n: int) -> None:
        second = int(time.monotonic())
        if self._arrivals and self._arrivals[-1][0] == second:
            self._arrivals[-1] = (second, self._arrivals[-1][1] + n)
        else:
            self._arrivals.append((second, n))
        while self._arrivals and self._arrivals[0][0] <= second - RATE_WINDOW_S:
            self._arrivals.popleft()

    @staticmethod
    def _highwater(consumer, tps) -> dict[int, int]:
        marks = {tp.partition: consumer.highwater(tp) for tp in tps}
        return {p: hw for p, hw in marks.items() if hw is not None}

    def _rebuild_after_loss(self, consumer, tps: list[TopicPartition]) -> None:
        rows = len(self.store.snapshot())
        self._start_over(consumer, tps, RESET_DETAIL)
        self._set(data_loss=DataLoss(at=datetime.now(SAO_PAULO), rows_before=rows))

    @staticmethod
    def _retrying() -> str:
        return f"tentando de novo a cada {RETRY_S:g} s"

    def _set(self, **changes) -> None:
        self.status = replace(self.status, **changes)


@dataclass(frozen=True, slots=True)
class Ingested:
    """One partition's polled messages, as the store takes them and the page lists them."""

    changes: list
    versions: list[int]
    rejected: list[InvalidMessage]


def ingest(messages: list, order: WriteOrder, partition: int) -> Ingested:
    """Decode consecutive messages of one partition. Pure but for `order`, which moves on;
    never raises: `decode` is total (property tests and fuzzing say so), and should it ever
    raise anyway, that message alone is rejected, and logged."""
    versions = order.versions(partition, [m.timestamp for m in messages])
    changes, kept, rejected = [], [], []
    for message, version in zip(messages, versions, strict=True):
        try:
            decoded = decode(message.key, message.value, message.headers)
        except Exception as error:
            log.exception("decode falhou em %s/%s", message.partition, message.offset)
            decoded = Rejection(f"erro inesperado ao ler a mensagem ({type(error).__name__})")
        if isinstance(decoded, Rejection):
            rejected.append(invalid_message(message, decoded))
        else:
            changes.append(decoded)
            kept.append(version)
    return Ingested(changes, kept, rejected)


def arrival_delays(messages: list, arrived: float) -> list[tuple[float, int]]:
    """(arrival, ms from the message's timestamp to the table) of up to 100 messages of a
    poll (enough for p95); messages without a plausible timestamp are left out."""
    now_ms, step = round(arrived * 1000), max(1, len(messages) // 100)
    stamps = (m.timestamp for m in messages[::step])
    return [(arrived, now_ms - t) for t in stamps if type(t) is int and 0 <= t <= KAFKA_MS_MAX]


def invalid_message(message, rejection: Rejection) -> InvalidMessage:
    value = message.value
    if value is None:
        raw = "(nulo)"
    else:  # only the start is shown: decode no more than could be
        raw = value[: 4 * RAW_TEXT_LIMIT].decode("utf-8", "replace")
        if len(raw) > RAW_TEXT_LIMIT or len(value) > 4 * RAW_TEXT_LIMIT:
            raw = raw[:RAW_TEXT_LIMIT] + "…"
    return InvalidMessage(message.partition, message.offset, raw, rejection.reason)
