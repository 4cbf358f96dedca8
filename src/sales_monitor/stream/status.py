"""What the dashboard's consumer knows of the topic and of its own reading, as pages read it.

Every value is immutable and replaced whole, so a page never sees half an update.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import datetime

import pandas as pd

from sales_monitor.stream.ingest import Rejected


class StreamState(enum.StrEnum):
    """Where the consumer is; the value is what the page shows."""

    CONNECTING = "conectando"
    CONNECTED = "conectado"
    NO_TOPIC = "sem tópico"
    BROKER_DOWN = "broker indisponível"
    FAILED = "falhou"  # an unexpected error, until the fresh start reconnects


class LossCause(enum.StrEnum):
    """Why the table was rebuilt without a person asking."""

    BROKER_RESET = "o Kafka voltou sem os dados"  # an in-memory broker restarted
    TOPIC_RECREATED = "o tópico foi apagado e criado de novo"


@dataclass(frozen=True, slots=True)
class DataLoss:
    """The topic no longer holds what the table had read: the table was rebuilt from what
    the topic holds now."""

    at: datetime
    rows_before: int
    rows_after: int | None = None  # once the rebuild has read the topic to its end
    cause: LossCause = LossCause.BROKER_RESET

    @property
    def lost(self) -> int | None:
        """Records the table had and the topic no longer has; None while rebuilding."""
        return None if self.rows_after is None else max(0, self.rows_before - self.rows_after)


@dataclass(frozen=True, slots=True)
class Expired:
    """Messages removed from the topic (retention, DeleteRecords) before this dashboard
    read them: reading went on from where each partition now starts."""

    at: datetime
    messages: int


@dataclass(frozen=True, slots=True)
class StreamStatus:
    """What the status panel shows."""

    state: StreamState = StreamState.CONNECTING
    detail: str = ""
    bootstrap: str = ""
    topic: str = ""
    partitions: tuple[int, ...] = ()
    positions: dict[int, int] = field(default_factory=dict)  # next offset to read
    highwater: dict[int, int] = field(default_factory=dict)
    # where a committed read ends now (the last stable offset); an open transaction keeps
    # it below the highwater, and transaction markers take offsets no reader is given
    ends: dict[int, int] = field(default_factory=dict)
    origins: dict[int, int] = field(default_factory=dict)  # where this reading began
    last_message_at: datetime | None = None  # the newest message's own timestamp
    last_arrival_at: datetime | None = None  # when a message last reached the table
    consumed: int = 0  # messages processed since this dashboard started, re-reads included
    invalid: int = 0  # invalid messages in the table's current reading of the topic
    # invalid messages since this dashboard started, by the kind of reason (`reason_kind`)
    rejections: dict[str, int] = field(default_factory=dict)
    # the newest read message's own timestamp (epoch ms), by partition
    read_ms: dict[int, int] = field(default_factory=dict)
    rebuilds: int = 0  # the table emptied and read again since start, for any reason
    losses: int = 0  # of those, the topic no longer holding what was read (`DataLoss`)
    checked_at: datetime | None = None  # the last time the broker answered
    data_loss: DataLoss | None = None
    expired: Expired | None = None
    # partitions set aside: a batch the client cannot decode, by offset and reason
    set_aside: dict[int, str] = field(default_factory=dict)
    restarts: int = 0  # fresh starts after an unexpected error
    # the table has reached the topic's end once since (re)reading it: until then the page
    # shows how far it is, and only messages written since the read began count as live
    caught_up: bool = False

    def end(self, partition: int) -> int:
        return self.ends.get(partition, self.highwater.get(partition, 0))

    @property
    def lag(self) -> int:
        """Committed messages not read yet (an open transaction's are not lag)."""
        return sum(max(0, self.end(p) - self.positions.get(p, 0)) for p in self.highwater)

    @property
    def held(self) -> dict[int, int]:
        """Partitions read to their stable end while an open transaction holds messages
        past it: how many offsets wait for its commit or abort."""
        return {
            p: hw - self.end(p)
            for p, hw in self.highwater.items()
            if hw > self.end(p) and self.positions.get(p, 0) >= self.end(p)
        }

    @property
    def connected(self) -> bool:
        return self.state == StreamState.CONNECTED

    @property
    def reading(self) -> tuple[int, int] | None:
        """(messages read, messages to read) while the first read of the topic is under
        way; None once caught up."""
        if self.caught_up or not self.highwater:
            return None
        start = {p: self.origins.get(p, 0) for p in self.highwater}
        read = sum(max(0, self.positions.get(p, 0) - start[p]) for p in self.highwater)
        return read, sum(max(0, self.end(p) - start[p]) for p in self.highwater)


@dataclass(frozen=True, slots=True)
class Reading:
    """Everything one refresh of a page shows of the consumer, read at one moment."""

    version: int  # the table's; equal versions, equal tables
    table: pd.DataFrame
    evicted: int  # rows dropped to keep the cap
    status: StreamStatus
    per_second: float  # messages over the last minute
    delays_ms: list[int]  # produce-to-table, last minute
    invalid: list[Rejected]  # newest first
