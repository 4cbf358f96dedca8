"""The dashboard's one background consumer: the topic, from the beginning, into a store.

It reads every partition by manual assignment with no consumer group, so any number of
dashboards (and browser tabs) each see every message. It survives the broker going away:
it reports the state, keeps retrying, and when an in-memory broker comes back empty it
rebuilds the table from what the topic holds now (the topic is the source of truth).

No message can stop it: whatever one message makes the contract, or the Kafka client,
raise turns that message into a rejected one and reading goes on; any other failure is
logged, shown as "falhou" and followed by a fresh start from where it was.

Pages talk to it through `read()` (everything one refresh shows, read at once),
`rewind()`, `clear()` and `stop()`; the Kafka client is the thread's alone.
"""

from __future__ import annotations

import enum
import logging
import threading
import time
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime

import pandas as pd

from sales_monitor.dashboard.arrivals import ArrivalMeter
from sales_monitor.dashboard.ingest import InvalidMessage, ingest_columns
from sales_monitor.dashboard.store import RecordStore, WriteOrder
from sales_monitor.errors import BrokerUnavailable, KafkaFailure, UnreadableMessage
from sales_monitor.kafka.clients import UNREADABLE, open_consumer
from sales_monitor.kafka.connection import Connection
from sales_monitor.kafka.interface import ConsumerFactory, Message, TopicConsumer
from sales_monitor.record import SAO_PAULO, message_time

# A poll takes all that the last fetches brought (a partition's fetch is at most 4 MiB,
# about 27,000 sales): kafka-python sends the next fetches once its buffer is empty, so they
# are on their way while this poll is ingested. Reading 100,000 sales took 1.35 s at this
# size and 1.63 s at 10,000, the client 0.80 s alone (medians of 3, a probe, 2026-12-04).
MAX_RECORDS_PER_POLL = 100_000
INVALID_KEPT = 100
RETRY_S = 1.0
LIVENESS_CHECK_S = 1.0  # quiet this long: ask the broker for metadata, to notice it is gone
RESET_DETAIL = "o tópico recomeçou do zero; tabela reconstruída"

log = logging.getLogger(__name__)


class StreamState(enum.StrEnum):
    """Where the consumer is; the value is what the page shows."""

    CONNECTING = "conectando"
    CONNECTED = "conectado"
    NO_TOPIC = "sem tópico"
    BROKER_DOWN = "broker indisponível"
    FAILED = "falhou"  # an unexpected error, until the fresh start reconnects


@dataclass(frozen=True, slots=True)
class DataLoss:
    """The broker came back without messages the table had read (an in-memory broker
    restarted): the table was rebuilt from what the topic holds now."""

    at: datetime
    rows_before: int
    rows_after: int | None = None  # once the rebuild has read the topic to its end

    @property
    def lost(self) -> int | None:
        """Records the table had and the topic no longer has; None while rebuilding."""
        return None if self.rows_after is None else max(0, self.rows_before - self.rows_after)


@dataclass(frozen=True, slots=True)
class StreamStatus:
    """What the status panel shows; replaced whole, so readers never see half an update."""

    state: StreamState = StreamState.CONNECTING
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
        return self.state == StreamState.CONNECTED

    @property
    def reading(self) -> tuple[int, int] | None:
        """(messages read, messages in the topic) while the first read of the topic is
        under way; None once caught up."""
        if self.caught_up or not self.highwater:
            return None
        return sum(self.positions.values()), sum(self.highwater.values())


@dataclass(frozen=True, slots=True)
class Reading:
    """Everything one refresh of a page shows of the consumer, read at one moment."""

    version: int  # the table's; equal versions, equal tables
    table: pd.DataFrame
    evicted: int  # rows dropped to keep the cap
    status: StreamStatus
    per_second: float  # messages over the last minute
    delays_ms: list[int]  # produce-to-table, last minute
    invalid: list[InvalidMessage]  # newest first


class StreamConsumer(threading.Thread):
    """Owns the Kafka consumer (it is not thread-safe); others talk to it through flags."""

    def __init__(
        self,
        connection: Connection,
        topic: str,
        store: RecordStore,
        consumer_factory: ConsumerFactory = open_consumer,
    ):
        super().__init__(name=f"stream-{topic}", daemon=True)
        self.store = store
        self.connection = connection
        self.status = StreamStatus(bootstrap=self.connection.bootstrap_servers, topic=topic)
        self.invalid_messages: deque[InvalidMessage] = deque(maxlen=INVALID_KEPT)
        self.arrivals = ArrivalMeter()
        self._factory = consumer_factory
        self._stopping = threading.Event()
        self._rewind = threading.Event()
        self._order = WriteOrder()  # which write to an id wins, across partitions
        self._live_from_ms = round(time.time() * 1000)  # written after this: read live

    # -- called from other threads -------------------------------------------------
    def read(self, now: float | None = None) -> Reading:
        version, table = self.store.versioned_snapshot()
        return Reading(
            version=version,
            table=table,
            evicted=self.store.evicted,
            status=self.status,
            per_second=self.arrivals.per_second(now),
            delays_ms=self.arrivals.delays_ms(now),
            invalid=self.invalid()[::-1],
        )

    def snapshot(self) -> pd.DataFrame:
        """The table as it is now."""
        return self.store.snapshot()

    def invalid(self) -> list[InvalidMessage]:
        """The rejected messages kept, oldest first."""
        return list(self.invalid_messages)

    def stop(self, timeout: float = 5.0) -> None:
        self._stopping.set()
        self.join(timeout)

    def rewind(self) -> None:
        """Rebuild the table from the beginning of the topic."""
        self._rewind.set()

    def clear(self) -> None:
        """Empty the table now; new messages fill it again (the positions stay)."""
        self.store.clear()

    # -- the consumer thread -------------------------------------------------------
    def run(self) -> None:
        while not self._stopping.is_set():
            try:
                self._session()
            except Exception as error:  # a bug, not the broker: say so, start again
                log.exception("o leitor do tópico falhou; recomeçando de onde estava")
                self._set(
                    state=StreamState.FAILED,
                    detail=f"erro interno ({type(error).__name__}); recomeçando em {RETRY_S:g} s",
                    restarts=self.status.restarts + 1,
                )
                self._stopping.wait(RETRY_S)

    def _session(self) -> None:
        """One consumer, from connecting to the broker until it goes away."""
        try:
            consumer = self._factory(self.connection, self.status.topic)
        except BrokerUnavailable as error:  # its message names the cause, if known
            retrying = f"tentando de novo a cada {RETRY_S:g} s"
            self._set(state=StreamState.BROKER_DOWN, detail=f"{error}; {retrying}")
            self._stopping.wait(RETRY_S)
            return
        try:
            self._consume(consumer)
        except KafkaFailure as error:
            self._set(state=StreamState.BROKER_DOWN, detail=f"{error}")
            self._stopping.wait(RETRY_S)
        finally:
            consumer.close()

    def _consume(self, consumer: TopicConsumer) -> None:
        partitions = consumer.partitions()
        if not partitions:
            detail = f"o tópico '{self.status.topic}' não existe ainda"
            self._set(state=StreamState.NO_TOPIC, detail=detail)
            self._stopping.wait(RETRY_S)
            return
        consumer.assign(partitions)
        for partition in partitions:
            position = self.status.positions.get(partition)
            if position is None:
                consumer.seek_to_beginning([partition])
            else:
                consumer.seek(partition, position)
        self._set(state=StreamState.CONNECTED, detail="", partitions=tuple(partitions))
        self._follow(consumer, partitions)

    def _follow(self, consumer: TopicConsumer, partitions: list[int]) -> None:
        """Poll until stopped or the broker goes away."""
        quiet_since = time.monotonic()
        while not self._stopping.is_set():
            if self._rewind.is_set():
                self._start_over(consumer, partitions)
            batches = self._poll(consumer)
            for partition, messages in batches.items():
                if not self._ingest(consumer, partitions, partition, messages):
                    break  # started over: the rest of this poll is stale
            highwater = self._highwater(consumer, partitions)
            if self._behind_us(highwater) and self._behind_us(consumer.end_offsets(partitions)):
                # the broker's own answer confirms it: a new leader's fetch highwater can
                # lag for a moment during a failover (seen on a 3-node Apache Kafka)
                self._rebuild_after_loss(consumer, partitions)
                continue
            caught_up = self.status.caught_up or self._at_end(highwater)
            loss = self.status.data_loss
            if caught_up and loss is not None and loss.rows_after is None:
                # the loss is stated once, against the rebuilt table: later sales do not
                # change how much was lost
                rebuilt = len(self.store.snapshot())
                self._set(data_loss=replace(loss, rows_after=rebuilt))
            if batches or time.monotonic() - quiet_since > LIVENESS_CHECK_S:
                if not batches:
                    consumer.check()  # raises if the broker is gone
                quiet_since = time.monotonic()
                now = datetime.now(SAO_PAULO)
                self._set(highwater=highwater, checked_at=now, caught_up=caught_up)
            else:
                self._set(highwater=highwater, caught_up=caught_up)

    def _at_end(self, highwater: dict[int, int]) -> bool:
        positions = self.status.positions
        known = set(highwater) >= set(self.status.partitions)
        return known and all(positions.get(p, 0) >= hw for p, hw in highwater.items())

    def _poll(self, consumer: TopicConsumer) -> dict[int, list[Message]]:
        try:
            return consumer.poll(timeout_ms=200, max_records=MAX_RECORDS_PER_POLL)
        except UnreadableMessage as unreadable:  # the client cannot parse the next one
            self._skip(consumer, unreadable)
            return {}

    def _skip(self, consumer: TopicConsumer, unreadable: UnreadableMessage) -> None:
        """List the message the client cannot parse as rejected and read on after it
        (without the seek, kafka-python would never read that partition again)."""
        partition, offset = unreadable.partition, unreadable.offset
        log.warning("mensagem ilegível em %s/%s, pulada: %s", partition, offset, unreadable)
        self.invalid_messages.append(InvalidMessage(partition, offset, "", UNREADABLE))
        consumer.seek(partition, offset + 1)
        self._advance(partition, offset + 1, read=1, rejected=1)

    def _behind_us(self, highwater: dict[int, int]) -> bool:
        """A highwater below what we read: the broker lost its data (an in-memory broker
        restarted), so the table no longer matches the topic."""
        return any(hw < self.status.positions.get(p, 0) for p, hw in highwater.items())

    def _start_over(self, consumer: TopicConsumer, partitions: list[int], why: str = "") -> None:
        """Empty the table and read the topic again from offset 0."""
        if not why:  # asked for by a person: what was lost before is no longer news
            self._set(data_loss=None)
        self._rewind.clear()
        self._order.reset()
        self.store.clear()
        self.invalid_messages.clear()
        consumer.seek_to_beginning(partitions)
        self._live_from_ms = round(time.time() * 1000)
        self._set(positions={}, highwater={}, invalid=0, detail=why, caught_up=False)

    def _ingest(
        self,
        consumer: TopicConsumer,
        partitions: list[int],
        partition: int,
        messages: Sequence[Message],
    ) -> bool:
        """Apply one partition's messages; False if the topic turned out to be reset."""
        expected = self.status.positions.get(partition, 0)
        if messages[0].offset < expected:  # the broker reset the offsets (see _behind_us)
            self._rebuild_after_loss(consumer, partitions)
            return False
        moment = self._order.latest(partition)
        batch = ingest_columns(messages, self._order, partition)
        try:
            if batch.columns is None:
                self.store.apply(batch.changes, batch.versions)
            else:
                self.store.apply_columns(batch.columns, batch.versions)
        except BaseException:  # not applied: the fresh start reads these messages again
            self._order.restore(partition, moment)
            raise
        self.invalid_messages.extend(batch.rejected)
        arrived = time.time()
        live = messages if self.status.caught_up else self._live(messages)
        if live:  # live messages only: a delay of history being caught up on says nothing
            self.arrivals.arrived(live, arrived)
        self._set(
            last_message_at=message_time(messages[-1].timestamp) or self.status.last_message_at,
            last_arrival_at=datetime.fromtimestamp(arrived, SAO_PAULO),
        )
        self._advance(partition, messages[-1].offset + 1, len(messages), len(batch.rejected))
        return True

    def _advance(self, partition: int, position: int, read: int, rejected: int) -> None:
        """The one place positions and counts move on, for read and skipped messages."""
        status = self.status
        self._set(
            positions=status.positions | {partition: position},
            consumed=status.consumed + read,
            invalid=status.invalid + rejected,
        )

    def _live(self, messages: Sequence[Message]) -> list[Message]:
        """Until the table has caught up, the messages written since it started reading."""
        since = self._live_from_ms
        return [m for m in messages if type(m.timestamp) is int and m.timestamp >= since]

    @staticmethod
    def _highwater(consumer: TopicConsumer, partitions: list[int]) -> dict[int, int]:
        marks = {p: consumer.highwater(p) for p in partitions}
        return {p: hw for p, hw in marks.items() if hw is not None}

    def _rebuild_after_loss(self, consumer: TopicConsumer, partitions: list[int]) -> None:
        rows = len(self.store.snapshot())
        self._start_over(consumer, partitions, RESET_DETAIL)
        self._set(data_loss=DataLoss(at=datetime.now(SAO_PAULO), rows_before=rows))

    def _set(self, **changes) -> None:
        self.status = replace(self.status, **changes)
