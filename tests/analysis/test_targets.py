"""Progress against the day's, the week's and the month's targets."""

from dataclasses import replace
from datetime import datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sales_monitor.analysis import targets
from sales_monitor.record import SAO_PAULO
from sales_monitor.targets import Targets
from tests.helpers.factories import sale, table

pytestmark = pytest.mark.unit

NOON = datetime(2026, 12, 3, 12, 0, tzinfo=SAO_PAULO)  # a Thursday


@given(
    st.datetimes(datetime(2001, 1, 1), datetime(2098, 12, 31)).map(
        lambda moment: moment.replace(tzinfo=SAO_PAULO)
    ),
    st.sampled_from(["day", "week", "month"]),
)
def test_a_period_starts_at_a_midnight_and_holds_the_moment(now, period):
    start, end = targets.bounds(period, now)
    assert start <= now < end
    assert (start.hour, start.minute, end.hour, end.minute) == (0, 0, 0, 0)
    days = (end.date() - start.date()).days
    assert days == {"day": 1, "week": 7}.get(period, days)
    assert period != "week" or start.weekday() == 0
    assert period != "month" or (start.day, end.day, 28 <= days <= 31) == (1, 1, True)


def test_the_day_counts_todays_sales_and_projects_the_pace():
    frame = table(
        replace(sale(1, cents=30_000_00), timestamp=NOON - timedelta(hours=2)),
        replace(sale(2, cents=10_000_00), timestamp=NOON - timedelta(hours=1)),
        replace(sale(3, cents=99_000_00), timestamp=NOON - timedelta(days=1)),  # yesterday
        replace(sale(4, cents=5_000_00), timestamp=NOON + timedelta(hours=1)),  # not yet
    )
    (day,) = targets.progress(frame, Targets(day=100_000_00), NOON)
    assert (day.sold_cents, day.target_cents, day.share) == (40_000_00, 100_000_00, 0.4)
    assert day.projected_cents == 80_000_00  # half the day gone, R$ 40.000 sold
    assert day.sentence() == (
        "Meta do dia: R$ 40.000,00 de R$ 100.000,00 (40,0%); no ritmo até agora, o dia fecha "
        "em R$ 80.000,00."
    )


def test_the_week_and_the_month_gather_their_own_days():
    frame = table(
        replace(sale(1, cents=1_000_00), timestamp=NOON - timedelta(days=3)),  # Monday 30/11
        replace(sale(2, cents=2_000_00), timestamp=NOON - timedelta(days=4)),  # Sunday before
        replace(sale(3, cents=4_000_00), timestamp=NOON - timedelta(days=2)),  # 1/12
    )
    week, month = targets.progress(frame, Targets(week=10_000_00, month=3_000_00), NOON)
    assert (week.period, week.sold_cents) == ("week", 5_000_00)
    assert (month.period, month.sold_cents) == ("month", 4_000_00)
    assert month.sentence().endswith("(133,3%); meta batida.")


def test_no_projection_from_the_first_minutes_and_no_target_no_bar():
    early = NOON.replace(hour=0, minute=5)
    frame = table(replace(sale(1, cents=500_00), timestamp=early - timedelta(minutes=1)))
    (day,) = targets.progress(frame, Targets(day=1_000_00), early)
    assert day.projected_cents is None and day.sentence().endswith("(50,0%).")
    assert targets.progress(frame, Targets(), early) == []


def test_a_state_target_counts_that_states_sales_of_the_day():
    frame = table(
        replace(sale(1, "Campinas", cents=3_000_00), timestamp=NOON - timedelta(hours=3)),
        replace(sale(2, "são paulo", cents=1_000_00), timestamp=NOON - timedelta(hours=1)),
        replace(sale(3, "Niterói", cents=9_000_00), timestamp=NOON - timedelta(hours=1)),
        replace(sale(4, "Santos", cents=50_000_00), timestamp=NOON - timedelta(days=1)),
    )
    chosen = Targets(day=20_000_00, states=(("BA", 1_000_00), ("SP", 8_000_00)))
    day, bahia, sao_paulo = targets.progress(frame, chosen, NOON)
    assert (day.state, day.sold_cents) == (None, 13_000_00)
    assert (bahia.state, bahia.sold_cents, bahia.projected_cents) == ("BA", 0, 0)
    assert (sao_paulo.sold_cents, sao_paulo.projected_cents) == (4_000_00, 8_000_00)
    assert sao_paulo.sentence() == (
        "SP: R$ 4.000,00 de R$ 8.000,00 (50,0%); no ritmo até agora, o dia fecha em R$ 8.000,00."
    )
    assert targets.progress(table(), chosen, NOON)[2].sold_cents == 0


@given(
    st.lists(
        st.tuples(st.sampled_from(["Campinas", "Niterói", "Xique"]), st.integers(1, 10**9)),
        max_size=100,  # minutes before noon: all of them today
    )
)
def test_the_states_shares_add_up_to_the_days_sales(sales):
    frame = table(
        *(
            replace(sale(n, city, cents=cents), timestamp=NOON - timedelta(minutes=n))
            for n, (city, cents) in enumerate(sales, start=1)
        )
    )
    chosen = Targets(day=1, states=(("RJ", 1), ("SP", 1)))
    day, *states = targets.progress(frame, chosen, NOON)
    unknown = sum(cents for city, cents in sales if city == "Xique")  # no state's
    assert sum(each.sold_cents for each in states) + unknown == day.sold_cents
