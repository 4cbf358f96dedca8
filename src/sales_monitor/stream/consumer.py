"""The dashboard's one background consumer: the topic, from the beginning, into a store.

It reads every partition by manual assignment with no consumer group, so any number of
dashboards (and browser tabs) each see every message, and it reads committed data only.
The topic may change under it, and each change is followed and said:

- partitions added are read from their first offset at the next look at the topic's shape
  (every `SHAPE_CHECK_S`);
- a topic deleted and created again (its id changes; where the broker gives no id, it was
  seen missing) rebuilds the table from the new topic, as does a broker that came back
  without the data the table had read (an in-memory broker restarted): `DataLoss`;
- records removed before they were read (retention, DeleteRecords): reading goes on from
  where the partition now starts, and how many is said (`Expired`);
- a batch the client cannot decode sets its partition aside, named with its offset and
  reason; the others are read, and it is tried again every `RETRY_SET_ASIDE_S`.

No message can stop it: whatever one message makes the contract, or the Kafka client,
raise turns that message into a rejected one and reading goes on; any other failure is
logged, shown as "falhou" and followed by a fresh start from where it was.

Pages talk to it through `read()` (everything one refresh shows, read at once),
`rewind()`, `clear()` and `stop()`; the Kafka client is the thread's alone.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import Counter, deque
from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime
from typing import Any

import pandas as pd

from sales_monitor.errors import (
    BrokerUnavailable,
    KafkaFailure,
    OffsetsOutOfRange,
    UnreadableBatch,
    UnreadableMessage,
)
from sales_monitor.kafka.clients import UNREADABLE, open_consumer
from sales_monitor.kafka.connection import Connection
from sales_monitor.kafka.interface import ConsumerFactory, Message, TopicConsumer
from sales_monitor.record import SAO_PAULO, message_time
from sales_monitor.stream.arrivals import ArrivalMeter
from sales_monitor.stream.ingest import Rejected, ingest_columns, reason_kind
from sales_monitor.stream.status import (
    DataLoss,
    Expired,
    LossCause,
    Reading,
    StreamState,
    StreamStatus,
)
from sales_monitor.stream.store import RecordStore, WriteOrder

__all__ = [
    "DataLoss",
    "Expired",
    "LossCause",
    "Reading",
    "StreamConsumer",
    "StreamState",
    "StreamStatus",
    "open_stream_consumer",
]

# A poll takes all that the last fetches brought (a partition's fetch is at most 4 MiB,
# about 27,000 sales): kafka-python sends the next fetches once its buffer is empty, so they
# are on their way while this poll is ingested (`uv run bench --only ingest` compares it
# with the client reading alone).
MAX_RECORDS_PER_POLL = 100_000
INVALID_KEPT = 100
RETRY_S = 1.0
SHAPE_CHECK_S = 1.0  # ask the broker for the topic's metadata this often
RETRY_SET_ASIDE_S = 10.0
QUIET_AFTER_S = 10.0  # no record for this long: fetches may wait longer (`fetch_wait`)
RESET_DETAIL = "o tópico recomeçou do zero; tabela reconstruída"
RECREATED_DETAIL = "o tópico foi apagado e criado de novo; tabela reconstruída"
DETAILS = {LossCause.BROKER_RESET: RESET_DETAIL, LossCause.TOPIC_RECREATED: RECREATED_DETAIL}

log = logging.getLogger(__name__)


class _Reshaped(Exception):  # noqa: N818 (a signal, not an error)
    """The topic has other partitions now: the session ends, the next reads them."""


def open_stream_consumer(connection: Connection, topic: str) -> TopicConsumer:
    """The dashboard's consumer: a position that left its partition is reported (and
    said on the page), never reset silently by the client."""
    return open_consumer(connection, topic, auto_offset_reset="none")


class StreamConsumer(threading.Thread):
    """Owns the Kafka consumer (it is not thread-safe); others talk to it through flags."""

    def __init__(
        self,
        connection: Connection,
        topic: str,
        store: RecordStore,
        consumer_factory: ConsumerFactory = open_stream_consumer,
    ):
        super().__init__(name=f"stream-{topic}", daemon=True)
        self.store = store
        self.connection = connection
        self.status = StreamStatus(bootstrap=self.connection.bootstrap_servers, topic=topic)
        self.invalid_messages: deque[Rejected] = deque(maxlen=INVALID_KEPT)
        self.arrivals = ArrivalMeter()
        self._factory = consumer_factory
        self._stopping = threading.Event()
        self._rewind = threading.Event()
        self._order = WriteOrder()  # which write to an id wins, across partitions
        self._live_from_ms = round(time.time() * 1000)  # written after this: read live
        self._topic_id: str | None = None  # the topic's identity, where the broker gives one
        self._topic_gone = False  # seen missing while the broker answered
        self._broker_lost = False  # the broker went away since the topic was last read
        self._aside: dict[int, tuple[int, float]] = {}  # partition: (offset, since)

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

    def invalid(self) -> list[Rejected]:
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
        """One consumer, from connecting to the broker until it goes away or the topic is
        replaced."""
        try:
            consumer = self._factory(self.connection, self.status.topic)
        except BrokerUnavailable as error:  # its message names the cause, if known
            retrying = f"tentando de novo a cada {RETRY_S:g} s"
            self._set(state=StreamState.BROKER_DOWN, detail=f"{error}; {retrying}")
            self._broker_lost = True
            self._stopping.wait(RETRY_S)
            return
        try:
            self._consume(consumer)
        except _Reshaped:
            pass
        except KafkaFailure as error:
            self._set(state=StreamState.BROKER_DOWN, detail=f"{error}")
            # a request refused (a topic being deleted) is not the broker going away
            self._broker_lost = self._broker_lost or error.unreachable
            self._stopping.wait(RETRY_S)
        finally:
            consumer.close()

    def _consume(self, consumer: TopicConsumer) -> None:
        partitions = consumer.partitions()
        if not partitions:
            topic = self.status.topic
            gone = "foi apagado; aguardando que seja criado de novo"
            detail = f"o tópico '{topic}' {gone if self._topic_gone else 'não existe ainda'}"
            self._set(state=StreamState.NO_TOPIC, detail=detail)
            self._stopping.wait(RETRY_S)
            return
        identity = consumer.topic_id()
        if self._topic_gone or (identity is not None and self._topic_id not in (None, identity)):
            # a topic made anew while the broker was away: an in-memory broker restarted
            cause = LossCause.BROKER_RESET if self._broker_lost else LossCause.TOPIC_RECREATED
            self._forget(DETAILS[cause], cause)
        self._topic_id, self._topic_gone, self._broker_lost = identity, False, False
        self._aside.clear()  # a new client: each partition is tried afresh
        consumer.assign(partitions)
        self._place(consumer, partitions)
        self._set(state=StreamState.CONNECTED, detail="", partitions=tuple(partitions))
        self._follow(consumer, partitions)

    def _place(self, consumer: TopicConsumer, partitions: Sequence[int]) -> None:
        """Each partition where this reading is: a known position, else the beginning."""
        positions = self.status.positions
        fresh = [p for p in partitions if p not in positions]
        for partition in partitions:
            if partition in positions:
                consumer.seek(partition, positions[partition])
        if fresh:
            consumer.seek_to_beginning(fresh)
        for partition, (offset, _) in self._aside.items():  # still set aside
            consumer.seek(partition, offset)
            consumer.pause(partition)
        # every partition placed first: the client resolves a position only when all have one
        origins = self.status.origins | {p: consumer.position(p) for p in fresh}
        self._set(origins=origins)

    def _follow(self, consumer: TopicConsumer, partitions: list[int]) -> None:
        """Poll until stopped, the broker goes away or the topic is replaced."""
        looked = last_record = time.monotonic()
        quiet = False
        while not self._stopping.is_set():
            if self._rewind.is_set():
                self._start_over(consumer, partitions)
            self._retry_set_aside(consumer)
            batches = self._poll(consumer, partitions)
            if batches:
                last_record = time.monotonic()
            if quiet != (time.monotonic() - last_record >= QUIET_AFTER_S):
                quiet = not quiet
                consumer.fetch_wait(quiet)
            for partition, messages in batches.items():
                if not self._ingest(consumer, partitions, partition, messages):
                    break  # started over: the rest of this poll is stale
            highwater = self._highwater(consumer, partitions)
            if self._behind_us(highwater) and self._behind_us(consumer.end_offsets(partitions)):
                # the broker's own answer confirms it: a new leader's fetch highwater can
                # lag for a moment during a failover (tests/kafka/test_apache_cluster.py)
                self._rebuild_after_loss(consumer, partitions)
                continue
            self._note_positions(consumer, partitions, highwater)
            if time.monotonic() - looked >= SHAPE_CHECK_S:
                looked = time.monotonic()
                consumer.check()  # raises if the broker is gone
                if (grown := self._shape(consumer, partitions)) is None:
                    return  # the topic is gone or replaced: the next session says which
                partitions = grown
                self._set(checked_at=datetime.now(SAO_PAULO))
            elif batches:
                self._set(checked_at=datetime.now(SAO_PAULO))

    def _note_positions(
        self, consumer: TopicConsumer, partitions: list[int], highwater: dict[int, int]
    ) -> None:
        """Positions as the client has them (past transaction markers, aborted batches and
        compacted gaps, which deliver nothing), and where a committed read ends now."""
        positions = {p: consumer.position(p) for p in partitions}
        for partition, (offset, _) in list(self._aside.items()):
            if positions[partition] > offset:  # read past the batch: readable again
                del self._aside[partition]
        ends = {}
        for p in highwater:
            stable = consumer.stable_end(p)
            ends[p] = highwater[p] if stable is None else min(stable, highwater[p])
        aside = {p: why for p, why in self.status.set_aside.items() if p in self._aside}
        status = replace(self.status, positions=positions, highwater=highwater, ends=ends)
        caught_up = status.caught_up or self._at_end(status)
        self._set(
            positions=positions,
            highwater=highwater,
            ends=ends,
            set_aside=aside,
            caught_up=caught_up,
        )
        loss = self.status.data_loss
        if caught_up and loss is not None and loss.rows_after is None:
            # the loss is stated once, against the rebuilt table: later sales do not
            # change how much was lost
            self._set(data_loss=replace(loss, rows_after=len(self.store.snapshot())))

    @staticmethod
    def _at_end(status: StreamStatus) -> bool:
        known = set(status.highwater) >= set(status.partitions)
        return known and all(status.positions.get(p, 0) >= status.end(p) for p in status.highwater)

    def _shape(self, consumer: TopicConsumer, partitions: list[int]) -> list[int] | None:
        """The partitions to read from now on (new ones from their start); None when the
        topic is gone or is another topic now."""
        current = consumer.partitions()
        identity = consumer.topic_id()
        if not current or not set(partitions) <= set(current):
            self._topic_gone = True
            log.warning("o tópico %s sumiu ou encolheu: %s", self.status.topic, current)
            return None
        if identity is not None and self._topic_id not in (None, identity):
            return None
        if added := [p for p in current if p not in partitions]:
            log.info("partições novas em %s: %s", self.status.topic, added)
            consumer.assign(current)
            self._place(consumer, current)
            self._set(partitions=tuple(current))
        return current

    def _poll(self, consumer: TopicConsumer, partitions: list[int]) -> dict[int, list[Message]]:
        try:
            return consumer.poll(timeout_ms=200, max_records=MAX_RECORDS_PER_POLL)
        except UnreadableMessage as unreadable:  # the client cannot parse the next one
            self._skip(consumer, unreadable)
        except UnreadableBatch as batch:
            self._set_aside(consumer, batch)
        except OffsetsOutOfRange as out:
            self._out_of_range(consumer, partitions, out.offsets)
        return {}

    def _skip(self, consumer: TopicConsumer, unreadable: UnreadableMessage) -> None:
        """List the message the client cannot parse as rejected and read on after it
        (without the seek, kafka-python would never read that partition again)."""
        partition, offset = unreadable.partition, unreadable.offset
        log.warning("mensagem ilegível em %s/%s, pulada: %s", partition, offset, unreadable)
        rejected = Rejected(partition, offset, "", UNREADABLE)
        self.invalid_messages.append(rejected)
        consumer.seek(partition, offset + 1)
        self._advance(partition, offset + 1, read=1, rejected=[rejected])

    def _set_aside(self, consumer: TopicConsumer, batch: UnreadableBatch) -> None:
        """Stop fetching a partition whose next batch cannot be decoded; the others go on."""
        log.warning("partição %s posta de lado: %s", batch.partition, batch)
        consumer.pause(batch.partition)
        self._aside[batch.partition] = (batch.offset, time.monotonic())
        why = f"offset {batch.offset}: {batch.reason}"
        self._set(set_aside=self.status.set_aside | {batch.partition: why})

    def _retry_set_aside(self, consumer: TopicConsumer) -> None:
        """Fetch a set-aside partition again once in a while (the status keeps naming it
        until reading passes the batch)."""
        now = time.monotonic()
        for partition, (offset, since) in list(self._aside.items()):
            if now - since >= RETRY_SET_ASIDE_S:
                self._aside[partition] = (offset, now)
                consumer.seek(partition, offset)
                consumer.resume(partition)

    def _out_of_range(
        self, consumer: TopicConsumer, partitions: list[int], offsets: dict[int, int]
    ) -> None:
        """Positions that left their partitions: below its start, the records were removed
        unread (read on from the start, and say how many); past its end, the broker lost
        what was read (rebuild)."""
        asked = sorted(offsets)
        starts, ends = consumer.beginning_offsets(asked), consumer.end_offsets(asked)
        expired = 0
        for partition, offset in offsets.items():
            if offset > ends[partition]:
                self._rebuild_after_loss(consumer, partitions)
                return
            target = max(offset, starts[partition])
            expired += target - offset
            consumer.seek(partition, target)
        if expired:
            log.warning("%s mensagens expiraram antes de serem lidas: %s", expired, offsets)
            before = self.status.expired.messages if self.status.expired else 0
            self._set(expired=Expired(datetime.now(SAO_PAULO), before + expired))

    def _behind_us(self, highwater: dict[int, int]) -> bool:
        """A highwater below what we read: the broker lost its data (an in-memory broker
        restarted), so the table no longer matches the topic."""
        return any(hw < self.status.positions.get(p, 0) for p, hw in highwater.items())

    def _forget(self, why: str, cause: LossCause | None) -> None:
        """Empty the table and every position: the next placement reads from the start.
        With a cause, the page says the table was rebuilt and, once read, what it lost."""
        rows = len(self.store.snapshot())
        self._rewind.clear()
        self._order.reset()
        self.store.clear()
        self.invalid_messages.clear()
        self._live_from_ms = round(time.time() * 1000)
        loss = None if cause is None else DataLoss(datetime.now(SAO_PAULO), rows, cause=cause)
        self._set(
            positions={},
            highwater={},
            ends={},
            origins={},
            read_ms={},
            invalid=0,
            detail=why,
            caught_up=False,
            data_loss=loss,
            expired=None,
            rebuilds=self.status.rebuilds + 1,
            losses=self.status.losses + (loss is not None),
        )

    def _start_over(
        self, consumer: TopicConsumer, partitions: list[int], cause: LossCause | None = None
    ) -> None:
        """Empty the table and read the topic again from its start."""
        for partition in self._aside:
            consumer.resume(partition)
        self._aside.clear()
        self._forget(DETAILS.get(cause, "") if cause else "", cause)
        self._place(consumer, partitions)

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
        last_ms = messages[-1].timestamp
        self._advance(partition, messages[-1].offset + 1, len(messages), batch.rejected, last_ms)
        return True

    def _advance(
        self,
        partition: int,
        position: int,
        read: int,
        rejected: Sequence[Rejected],
        last_ms: object = None,
    ) -> None:
        """The one place counts move on, for read and skipped messages."""
        status = self.status
        rejections = status.rejections
        if rejected:  # most polls have none: no copy of the counts then
            kinds = Counter(rejections)
            kinds.update(reason_kind(each.reason) for each in rejected)
            rejections = dict(kinds)
        read_ms = status.read_ms
        if type(last_ms) is int:
            read_ms = read_ms | {partition: last_ms}
        self._set(
            positions=status.positions | {partition: position},
            consumed=status.consumed + read,
            invalid=status.invalid + len(rejected),
            rejections=rejections,
            read_ms=read_ms,
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
        """The topic no longer holds what was read: a new topic under the same name (its
        id says so, where the broker gives one), or the broker lost its data. With other
        partitions than these, the session ends and the next one reads the topic anew."""
        consumer.check()
        identity = consumer.topic_id()
        cause = LossCause.BROKER_RESET
        if identity is not None and self._topic_id not in (None, identity):
            cause = LossCause.TOPIC_RECREATED
        if consumer.partitions() != partitions:
            self._forget(DETAILS[cause], cause)
            self._topic_id = identity
            raise _Reshaped
        self._topic_id = identity
        self._start_over(consumer, partitions, cause)

    def _set(self, **changes: Any) -> None:
        self.status = replace(self.status, **changes)
