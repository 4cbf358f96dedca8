"""One refresh's view is computed once and shared by every tab showing it."""

from datetime import datetime

import pytest
from streamlit.testing.v1 import AppTest

from sales_monitor.analysis import filtering, refresh
from sales_monitor.record import SAO_PAULO
from tests.helpers.factories import sale, table
from tests.helpers.page import PAGE, metrics

pytestmark = pytest.mark.unit

NOW = datetime(2025, 8, 27, 12, 0, 7, tzinfo=SAO_PAULO)


def test_a_view_is_built_once_per_table_version_and_key():
    views, built = refresh.SharedViews(kept=2), []

    def make(tag):
        return lambda: built.append(tag) or tag

    assert views.get(1, "a", make("a1")) == "a1"
    assert views.get(1, "a", make("again")) == "a1"  # shared: not built again
    assert views.get(1, "b", make("b1")) == "b1"
    assert views.get(2, "a", make("a2")) == "a2"  # the table changed
    assert views.get(1, "a", make("stale")) == "stale"  # a tab a change behind: not kept
    assert views.get(2, "a", make("no")) == "a2"
    views.get(2, "b", make("b2"))
    views.get(2, "c", make("c2"))  # at most 2 kept: "a" is the oldest
    assert views.get(2, "a", make("a2 again")) == "a2 again"
    assert built == ["a1", "b1", "a2", "stale", "b2", "c2", "a2 again"]


def test_a_window_ends_in_steps_of_the_refresh_so_tabs_share_each_step():
    windowed = filtering.Filters(window="Últimos 5 min")
    assert refresh.window_end(filtering.Filters(), NOW, 3.0) is None  # no window: no clock
    first = refresh.window_end(windowed, NOW, 3.0)
    assert first == refresh.window_end(windowed, NOW.replace(second=8), 3.0)
    later = refresh.window_end(windowed, NOW.replace(second=9), 3.0)
    assert (later - first).total_seconds() == 3.0  # it still slides, a step each refresh


def test_the_shared_view_holds_what_the_page_shows():
    shown = refresh.build(
        table(sale(1, "Natal", 10_000), sale(2, "Recife", 250_000)),
        filtering.Filters(),
        NOW,
        high_ticket_cents=180_000,
    )
    assert shown.summary.count == 2 and shown.summary.total_cents == 260_000
    assert set(shown.figures) == {"bar", "states", "hist", "pie", "scatter", "trend"}
    assert shown.alerts["id"].tolist() == [2]
    empty = refresh.build(table(), filtering.Filters(), NOW, high_ticket_cents=1)
    assert empty.figures == {} and empty.summary.count == 0


def test_many_tabs_on_one_table_build_one_view(seeded_stream):
    from sales_monitor.settings import Settings
    from sales_monitor.ui import resources

    seeded_stream.store.apply([sale(1, "Natal", 10_000), sale(2, "Recife", 20_000)])
    tabs = [AppTest.from_file(PAGE, default_timeout=30).run() for _ in range(4)]
    views = resources.views_for(Settings.from_env())
    assert all(metrics(tab)["Total Registros"] == "2" for tab in tabs)
    assert views.built == 1
    for tab in tabs:
        tab.run()  # their next refresh, nothing new on the table
    assert views.built == 1
    seeded_stream.store.apply([sale(3, "Natal", 5_000)])
    for tab in tabs:
        tab.run()
    assert views.built == 2 and all(metrics(t)["Total Registros"] == "3" for t in tabs)
    tabs[0].sidebar.multiselect[0].select("Natal").run()  # another view: its own
    assert views.built == 3 and metrics(tabs[0])["Total Registros"] == "2"


def test_a_paused_tab_builds_its_frozen_view_once(seeded_stream, mocker):
    seeded_stream.store.apply([sale(1, "Natal", 10_000)])
    tab = AppTest.from_file(PAGE, default_timeout=30).run()
    next(b for b in tab.sidebar.button if b.label == "Pausar").click().run()
    built = mocker.spy(refresh, "build")
    for _ in range(3):
        seeded_stream.store.apply([sale(len(seeded_stream.store.snapshot()) + 1, "Recife", 5_000)])
        tab.run()  # refreshes while paused: the numbers stay, nothing is computed again
    assert built.call_count == 0 and metrics(tab)["Total Registros"] == "1"
    tab.sidebar.multiselect[0].select("Natal").run()  # other filters: built once for them
    tab.run()
    assert built.call_count == 1


def test_timed_refreshes_share_one_reading_per_interval_and_a_person_reads_now():
    clock = [99.0]  # an interval of the clock begins: 33 * 3 s
    views = refresh.SharedViews(max_age_s=3.0, clock=lambda: clock[0])
    table_versions = iter(range(1, 100))

    def take():
        return next(table_versions)  # the table changed between any two reads

    assert views.reading(take) == 1
    clock[0] += 2.9
    assert [views.reading(take) for _ in range(8)] == [1] * 8  # 8 tabs, one interval
    clock[0] += 0.1
    assert views.reading(take) == 2  # the interval is over: read anew
    assert views.reading(take, fresh=True) == 3  # a person's click shows the table now
    assert views.reading(take) == 3  # and the other tabs show that newer reading


@pytest.mark.unit
@pytest.mark.parametrize("phase", [0.05, 1.5, 2.9])
def test_a_tab_alone_reads_the_table_anew_on_every_refresh(phase):
    """Before: a reading was shared while younger than the interval, so a refresh a moment
    early (the browser's timer jitters around the interval) showed the tab's own previous
    reading: sales up to two intervals late."""
    clock = [999.0 + phase]
    views = refresh.SharedViews(max_age_s=3.0, clock=lambda: clock[0])
    reads = iter(range(1, 100))
    shown = []
    for spacing in [2.99, 3.01] * 10:
        shown.append(views.reading(lambda: next(reads)))
        clock[0] += spacing
    assert shown == list(range(1, 21))


def test_the_trend_draws_the_compared_period_faintly_on_today_s_clock():
    from dataclasses import replace
    from datetime import datetime, timedelta

    from sales_monitor.record import SAO_PAULO
    from tests.helpers.factories import sale, table

    now = datetime(2026, 12, 5, 11, 0, tzinfo=SAO_PAULO)
    frame = table(
        replace(sale(1, cents=30_000), timestamp=now - timedelta(minutes=5)),
        replace(sale(2, cents=20_000), timestamp=now - timedelta(days=1, minutes=5)),
    )
    chosen = filtering.Filters(window="Última hora", compare="Ontem, mesmo horário")
    faint, today = refresh.build(frame, chosen, now, 180_000).figures["trend"].data
    assert faint.name == "vs. ontem, mesmo horário" and faint.line.dash == "dot"
    assert max(faint.y) == 200 and max(today.y) == 300
    assert min(faint.x) >= now - timedelta(hours=1)  # on today's clock
    alone = refresh.build(frame, filtering.Filters(window="Última hora"), now, 180_000)
    assert len(alone.figures["trend"].data) == 1  # nothing in the hour before: no faint line
