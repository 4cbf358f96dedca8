"""When to tell the team, from successive readings of the one consumer: pure, but for the
memory of what was already said. Each event is said once, and its recovery once.

- a sale at or above the high-ticket threshold: the ones within `group` go out together,
  the largest named (sales already in the topic when the table was read are history);
- no sale reaching the table for `stall` after sales arrived live; then their return;
- Kafka unreachable, or the reader failing, for `outage`; then its return;
- with `hour_share`, the last hour's sales below that share of the same hour yesterday;
  then back above it.

Messages name valor, city and id, never the customer: they leave for chat rooms and
mailboxes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

import pandas as pd

from sales_monitor.ptbr import count_of, format_brl, format_int, signed_percent
from sales_monitor.record import epoch_ms
from sales_monitor.stream.status import Reading, StreamState, StreamStatus

LISTED = 10  # high-ticket sales listed in one message; the rest counted
DOWN = (StreamState.BROKER_DOWN, StreamState.FAILED)
HOUR_CHECK = timedelta(minutes=1)


@dataclass(frozen=True, slots=True)
class Alert:
    event: str  # high_ticket, stalled, flowing, outage, recovered, slow_hour, hour_back
    title: str
    body: str


@dataclass(frozen=True, slots=True)
class Thresholds:
    high_ticket_cents: int
    stall: timedelta = timedelta(minutes=10)
    outage: timedelta = timedelta(seconds=60)
    group: timedelta = timedelta(seconds=30)
    hour_share: float | None = None


@dataclass(slots=True)
class _Memory:
    seen: set[int] = field(default_factory=set)  # high-ticket ids already said (or history)
    pending: list[tuple[int, int, str]] = field(default_factory=list)  # (cents, id, city)
    pending_since: datetime | None = None
    version: int | None = None  # the table's, when it was last looked at
    rebuilds: int | None = None
    live_since: datetime | None = None  # caught up from then on: arrivals after it are live
    stalled_at: datetime | None = None  # the last arrival when the stall was said
    down_since: datetime | None = None
    outage_said: bool = False
    slow_said: bool = False
    hour_checked: datetime | None = None


class AlertRules:
    def __init__(self, thresholds: Thresholds) -> None:
        self.thresholds = thresholds
        self._memory = _Memory()

    def check(self, reading: Reading, now: datetime) -> list[Alert]:
        """What to say now, given this reading."""
        status = reading.status
        found = self._outage(status, now)
        if status.caught_up and status.connected:
            found += self._high_tickets(reading, now)
            found += self._stall(status, now)
            found += self._slow_hour(reading.table, now)
        return found

    # -- high-ticket sales ---------------------------------------------------------
    def _high_tickets(self, reading: Reading, now: datetime) -> list[Alert]:
        memory, status = self._memory, reading.status
        if memory.rebuilds != status.rebuilds:  # the first look, or a table read anew
            memory.rebuilds, memory.version = status.rebuilds, reading.version
            memory.seen = set(_high(reading.table, self.thresholds.high_ticket_cents)[1])
            memory.pending, memory.pending_since = [], None
            return []
        if reading.version != memory.version:
            memory.version = reading.version
            cents, ids, cities = _high(reading.table, self.thresholds.high_ticket_cents)
            for value, sale_id, city in zip(cents, ids, cities, strict=True):
                if sale_id not in memory.seen:
                    memory.seen.add(sale_id)
                    memory.pending.append((value, sale_id, city))
                    memory.pending_since = memory.pending_since or now
        if memory.pending_since is None or now - memory.pending_since < self.thresholds.group:
            return []
        sales = sorted(memory.pending, reverse=True)
        memory.pending, memory.pending_since = [], None
        return [high_ticket_alert(sales, self.thresholds.high_ticket_cents)]

    # -- the stream stalls ---------------------------------------------------------
    def _stall(self, status: StreamStatus, now: datetime) -> list[Alert]:
        memory = self._memory
        if memory.live_since is None:
            memory.live_since = now
        last = status.last_arrival_at
        if last is None or last <= memory.live_since:
            return []  # nothing arrived live yet: there was no flow to stop
        if memory.stalled_at is not None:
            if last > memory.stalled_at:
                quiet = _duration(last - memory.stalled_at)
                memory.stalled_at = None
                return [
                    Alert("flowing", "Vendas voltaram a chegar", f"Depois de {quiet} sem vendas.")
                ]
            return []
        if now - last >= self.thresholds.stall:
            memory.stalled_at = last
            return [
                Alert(
                    "stalled",
                    "Nenhuma venda chegando",
                    f"Nenhuma venda chegou à tabela há {_duration(now - last)} "
                    f"(a última às {last:%H:%M:%S}), e antes vinham chegando.",
                )
            ]
        return []

    # -- Kafka unreachable ---------------------------------------------------------
    def _outage(self, status: StreamStatus, now: datetime) -> list[Alert]:
        memory = self._memory
        if status.state in DOWN:
            memory.down_since = memory.down_since or now
            if not memory.outage_said and now - memory.down_since >= self.thresholds.outage:
                memory.outage_said = True
                what = (
                    "O Kafka está inacessível"
                    if status.state is StreamState.BROKER_DOWN
                    else "O leitor do tópico está falhando"
                )
                detail = f": {status.detail}" if status.detail else "."
                return [
                    Alert(
                        "outage",
                        "Kafka indisponível",
                        f"{what} há {_duration(now - memory.down_since)}{detail}",
                    )
                ]
            return []
        if status.connected and memory.down_since is not None:
            lasted, said = now - memory.down_since, memory.outage_said
            memory.down_since, memory.outage_said = None, False
            if said:
                return [
                    Alert(
                        "recovered", "Kafka de volta", f"Lendo de novo, após {_duration(lasted)}."
                    )
                ]
        return []

    # -- a slow hour ---------------------------------------------------------------
    def _slow_hour(self, table: pd.DataFrame, now: datetime) -> list[Alert]:
        memory, share = self._memory, self.thresholds.hour_share
        if share is None or (memory.hour_checked and now - memory.hour_checked < HOUR_CHECK):
            return []
        memory.hour_checked = now
        hour = timedelta(hours=1)
        current = _sold(table, now - hour, now)
        yesterday = _sold(table, now - hour - timedelta(days=1), now - timedelta(days=1))
        if not yesterday:
            return []
        ratio = current / yesterday
        sentence = (
            f"Última hora: {format_brl(current)}, {signed_percent(ratio - 1)} contra a mesma "
            f"hora de ontem ({format_brl(yesterday)})."
        )
        if ratio < share and not memory.slow_said:
            memory.slow_said = True
            return [Alert("slow_hour", "Vendas abaixo de ontem", sentence)]
        if ratio >= share and memory.slow_said:
            memory.slow_said = False
            return [Alert("hour_back", "Vendas de volta ao ritmo de ontem", sentence)]
        return []


def high_ticket_alert(sales: list[tuple[int, int, str]], threshold_cents: int) -> Alert:
    """One message for these sales (largest first)."""
    cents, sale_id, city = sales[0]
    if len(sales) == 1:
        title = f"Venda alta: {format_brl(cents)} em {city}"
    else:
        several = count_of(len(sales), "venda alta", "vendas altas")
        title = f"{several}; a maior: {format_brl(cents)} em {city}"
    lines = [f"{format_brl(c)} em {where} (id {i})" for c, i, where in sales[:LISTED]]
    if len(sales) > LISTED:
        lines.append(f"e mais {format_int(len(sales) - LISTED)}")
    lines.append(f"Limite: {format_brl(threshold_cents)}.")
    return Alert("high_ticket", title, "\n".join(lines))


def _high(table: pd.DataFrame, threshold_cents: int) -> tuple[list[int], list[int], list[str]]:
    """The sales at or above the threshold: valor in cents, id, city."""
    if not len(table):
        return [], [], []
    chosen = table[table["valor_centavos"].to_numpy() >= threshold_cents]
    return (
        chosen["valor_centavos"].tolist(),
        chosen["id"].tolist(),
        chosen["cidade"].astype(str).tolist(),
    )


def _sold(table: pd.DataFrame, start: datetime, end: datetime) -> int:
    if not len(table):
        return 0
    moments = table["timestamp"].array.asi8
    inside = (moments >= epoch_ms(start)) & (moments < epoch_ms(end))
    return int(table["valor_centavos"].to_numpy()[inside].sum())


def _duration(span: timedelta) -> str:
    seconds = int(span.total_seconds())
    if seconds < 120:
        return count_of(seconds, "segundo", "segundos")
    if seconds < 7200:
        return count_of(seconds // 60, "minuto", "minutos")
    return count_of(seconds // 3600, "hora", "horas")
