"""What one refresh of the Painel shows, computed once and shared by every tab.

Every browser tab reruns the page every few seconds, and tabs showing the same view would
filter, aggregate and build the same Plotly figures from the same table; the work for one
(table version, filters, window position) is done once and every session showing that view
reuses it. A
time window slides in steps of the refresh interval, so its tabs share each step; a table
that did not change costs nothing to compute again. While records arrive the table changes
between any two tabs' refreshes, so the tabs' timed refreshes also share one reading of the
table per refresh interval of the clock: eight tabs then build one view per interval, not
eight, and a tab alone reads the table on each of its refreshes.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import pandas as pd
import pyarrow as pa

from sales_monitor.analysis import charts, filtering, metrics, tables, targets, trend
from sales_monitor.record import SAO_PAULO
from sales_monitor.targets import Targets

KEPT_VIEWS = 8  # distinct views (filters) kept for the current table version


@dataclass(frozen=True, slots=True)
class PanelView:
    """Everything the Painel draws from the table; read-only, shared between sessions."""

    now: datetime  # the moment the time window ends at
    table: pd.DataFrame  # the filtered rows (the CSV download reads them)
    summary: metrics.Summary
    previous: metrics.Summary | None  # the period of the same length before; None: no period
    figures: dict[str, charts.SharedFigure]  # bar, states, hist, pie, scatter, trend; or none
    alerts: pd.DataFrame
    latest: pa.Table  # Arrow already: each tab's draw would otherwise convert 1,000 rows
    statistics: pd.DataFrame
    by_source: pd.DataFrame  # live records per writer, over the whole table
    targets: list[targets.Progress]  # each target set, over the whole table


def build(
    snapshot: pd.DataFrame,
    filters: filtering.Filters,
    now: datetime,
    high_ticket_cents: int,
    goals: Targets | None = None,
) -> PanelView:
    moment = pd.Timestamp(now)
    table = filtering.apply_filters(snapshot, filters, now=moment)
    summary = metrics.summarize(table)
    previous, compared = None, None
    if (before := filtering.previous_period(filters, moment)) is not None:
        earlier = filtering.apply_filters(snapshot, filters, moment, before)
        previous = metrics.summarize(earlier)
        current = filtering.period(filters, moment)
        if previous.count and current is not None and current[0] is not None:
            # the compared period's trend, moved onto the chosen period's clock
            compared = trend.revenue_trend(earlier, filters.span)
            compared["momento"] += current[0] - before[0]
    figures = {}
    if summary.count:
        by_city = metrics.value_by_city(table)
        by_state = metrics.value_by_state(by_city)
        figures = {
            "bar": charts.value_by_city(by_city),
            "states": charts.value_by_state(by_state),
            "hist": charts.age_histogram(metrics.age_distribution(table)),
            "pie": charts.region_share(metrics.region_share(by_state)),
            "scatter": charts.value_by_age(metrics.scatter_sample(table), len(table)),
            "trend": charts.revenue_trend(
                trend.revenue_trend(table, filters.span),
                compared,
                filtering.comparison_label(filters),
            ),
        }
        figures = {name: figure.freeze() for name, figure in figures.items()}  # drawn as is
    return PanelView(
        now=now,
        table=table,
        summary=summary,
        previous=previous,
        figures=figures,
        alerts=tables.high_ticket(table, high_ticket_cents),
        latest=pa.Table.from_pandas(tables.latest(table), preserve_index=False),
        statistics=metrics.statistics(table),
        by_source=metrics.live_by_source(snapshot),
        targets=targets.progress(snapshot, goals or Targets(), now),
    )


def window_end(filters: filtering.Filters, now: datetime, step_s: float) -> datetime | None:
    """Where the time window ends, in steps of `step_s` so tabs refreshing within one step
    share it; None when no window slides (the view does not depend on the clock)."""
    if not filters.slides:
        return None
    return datetime.fromtimestamp(now.timestamp() // step_s * step_s, SAO_PAULO)


class SharedViews:
    """Views by key, for the newest table version only (an older one is never asked for
    again), at most KEPT_VIEWS of them. One tab computes a view; the others wait for it
    and take the same object. And the reading of the table those views are of: one for each
    interval of the clock (its multiples of `max_age_s`) for timed refreshes."""

    def __init__(
        self,
        max_age_s: float = 0.0,
        kept: int = KEPT_VIEWS,
        clock: Callable[[], float] = time.monotonic,
    ):
        self._kept, self._max_age, self._clock = kept, max_age_s, clock
        self._views: OrderedDict[Hashable, PanelView] = OrderedDict()
        self._version = -1
        self._lock = threading.Lock()
        self._reading: Any = None
        self._interval: int | None = None  # the clock's interval the reading was taken in
        self.built = 0  # views computed so far (the benchmark and tests read it)

    def reading(self, take: Callable[[], Any], fresh: bool = False) -> Any:
        """The table as every tab shows it now: the reading taken in this interval of the
        clock, or a new one (`take`) in a new interval or when `fresh` is asked for (a
        person's own action: what they did shows at once, and every tab then shows that
        newer reading). Intervals, not an age: a tab alone refreshes once an interval, so it
        always reads anew; with a maximum age, a refresh a moment early would take its own
        previous reading and show sales up to two intervals late (`uv run bench --only
        page` measures produce to page)."""
        with self._lock:
            interval = int(self._clock() // self._max_age) if self._max_age > 0 else None
            if fresh or self._reading is None or interval is None or interval != self._interval:
                self._reading, self._interval = take(), interval
            return self._reading

    def get(self, version: int, key: Hashable, make: Callable[[], PanelView]) -> PanelView:
        with self._lock:  # the GIL serializes the work anyway; this keeps it done once
            if version < self._version:  # a tab that read the table just before a change
                return make()
            if version > self._version:
                self._views.clear()
                self._version = version
            shown = self._views.get(key)
            if shown is None:
                shown = self._views[key] = make()
                self.built += 1
                while len(self._views) > self._kept:
                    self._views.popitem(last=False)
            self._views.move_to_end(key)
            return shown
