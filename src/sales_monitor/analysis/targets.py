"""How far the sales are from each target: sold so far in the day, the week (from Monday)
and the month (São Paulo time), the share of the target, and where the period closes at the
pace so far; and each state's day, for the states that have a target of their own. Targets
count every sale of the table, whatever the Painel's filters."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np
import pandas as pd

from sales_monitor.analysis import places
from sales_monitor.ptbr import format_brl, signed_percent
from sales_monitor.record import SAO_PAULO, epoch_ms
from sales_monitor.targets import Targets

NAMES = {"day": "Meta do dia", "week": "Meta da semana", "month": "Meta do mês"}
PACE = {"day": "o dia", "week": "a semana", "month": "o mês"}
# a pace read over a few minutes says little: below this, no projection is given
MIN_ELAPSED = timedelta(minutes=15)


@dataclass(frozen=True, slots=True)
class Progress:
    period: str  # day, week or month
    sold_cents: int
    target_cents: int
    projected_cents: int | None  # where the period closes at the pace so far
    state: str | None = None  # a state's day target (UF); None: every sale counts

    @property
    def share(self) -> float:
        return self.sold_cents / self.target_cents

    def sentence(self) -> str:
        """`Meta do dia: R$ 12.345,67 de R$ 50.000,00 (24,7%); no ritmo de hoje, o dia
        fecha em R$ 48.000,00.`"""
        done = signed_percent(self.share).lstrip("+")
        name = self.state or NAMES[self.period]
        text = f"{name}: {format_brl(self.sold_cents)} de {format_brl(self.target_cents)} ({done})"
        if self.sold_cents >= self.target_cents:
            return text + "; meta batida."
        if self.projected_cents is None:
            return text + "."
        return (
            f"{text}; no ritmo até agora, {PACE[self.period]} fecha em "
            f"{format_brl(self.projected_cents)}."
        )


def bounds(period: str, now: datetime) -> tuple[datetime, datetime]:
    """Where the day, the week (Monday to Sunday) or the month of `now` starts and ends,
    São Paulo time."""
    local = now.astimezone(SAO_PAULO)
    day = datetime(local.year, local.month, local.day, tzinfo=SAO_PAULO)
    if period == "day":
        return day, _next_day(day, 1)
    if period == "week":
        start = _next_day(day, -local.weekday())
        return start, _next_day(start, 7)
    start = day.replace(day=1)
    following = start.replace(year=start.year + start.month // 12, month=start.month % 12 + 1)
    return start, following


def _next_day(day: datetime, days: int) -> datetime:
    """Midnight `days` later on the calendar (not 24 h later: a day need not last 24 h)."""
    moved = day.date() + timedelta(days=days)
    return datetime(moved.year, moved.month, moved.day, tzinfo=SAO_PAULO)


def progress(table: pd.DataFrame, targets: Targets, now: datetime) -> list[Progress]:
    """Each target that is set, with the sales of its period up to `now`: the periods'
    first, then each state's day target in UF order."""
    found = []
    moments = table["timestamp"].array.asi8 if len(table) else np.empty(0, "int64")
    cents = table["valor_centavos"].to_numpy() if len(table) else np.empty(0, "int64")
    for period, target in targets.set.items():
        inside = _inside(moments, period, now)
        found.append(_progress(period, int(cents[inside].sum()), target, now))
    if targets.states:
        sold = _day_by_state(table[_inside(moments, "day", now)])
        for uf, target in targets.states:
            found.append(_progress("day", sold.get(uf, 0), target, now, uf))
    return found


def _inside(moments: np.ndarray, period: str, now: datetime) -> np.ndarray:
    """Which sales fall in `period` up to `now`."""
    start, end = bounds(period, now)
    return (moments >= epoch_ms(start)) & (moments <= epoch_ms(min(now, end)))


def _progress(
    period: str, sold: int, target: int, now: datetime, state: str | None = None
) -> Progress:
    start, end = bounds(period, now)
    elapsed = now - start
    projected = None
    if elapsed >= MIN_ELAPSED and now < end:
        projected = round(sold * ((end - start) / elapsed))
    return Progress(period, sold, target, projected, state)


def _day_by_state(today: pd.DataFrame) -> dict[str, int]:
    """Cents sold per UF: summed per city first (a day holds few distinct cities), each city
    then looked up once."""
    by_city = today.groupby("cidade", observed=True)["valor_centavos"].sum()
    states = [places.state_of(str(city)) for city in by_city.index]
    return {uf: int(total) for uf, total in by_city.groupby(states).sum().items()}
