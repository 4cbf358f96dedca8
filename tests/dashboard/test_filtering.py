"""The Painel's filters: what they keep, and the link that carries them."""

import pandas as pd
import pytest

from sales_monitor.dashboard import filtering
from tests.helpers.factories import EMPTY, MIXED, ONE, T0, sale, table

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    ("filters", "expected_ids"),
    [
        (filtering.Filters(), [1, 2]),
        (filtering.Filters(cities=("Natal",)), [2]),
        (filtering.Filters(cities=("Natal", "Recife")), [1, 2]),
        (filtering.Filters(cities=("Manaus",)), []),
        (filtering.Filters(value_cents=(10_000, 20_000)), [1]),
        (filtering.Filters(value_cents=(10_000, 20_001)), [1, 2]),
        (filtering.Filters(ages=(21, 40)), [2]),
        (filtering.Filters(cities=("Recife",), ages=(21, 40)), []),
    ],
)
def test_filters(filters, expected_ids):
    assert filtering.apply_filters(MIXED, filters)["id"].tolist() == expected_ids


def test_the_time_window_filters_every_row_and_slides_with_now():
    frame = table(*[sale(i, minute=i) for i in range(0, 11)])  # 12:00 .. 12:10
    last_5 = filtering.Filters(window="Últimos 5 min")
    now = T0 + pd.Timedelta(minutes=10)
    assert filtering.apply_filters(frame, last_5, now=now)["id"].tolist() == [5, 6, 7, 8, 9, 10]
    later = now + pd.Timedelta(minutes=3)
    assert filtering.apply_filters(frame, last_5, now=later)["id"].tolist() == [8, 9, 10]
    assert len(filtering.apply_filters(frame, filtering.Filters(), now=later)) == 11


@pytest.mark.parametrize(
    ("frame", "top"), [(EMPTY, 2_000), (ONE, 2_000), (table(sale(1, cents=500_001)), 5_001)]
)
def test_value_slider_reaches_the_largest_sale(frame, top):
    assert filtering.value_ceiling(frame) == top


@pytest.mark.parametrize(
    ("choices", "expected"),
    [
        (([], (0, 2_000), 2_000, (0, 130)), filtering.Filters()),
        ((["Natal"], (0, 2_000), 2_000, (0, 130)), filtering.Filters(cities=("Natal",))),
        (([], (10, 2_000), 2_000, (0, 130)), filtering.Filters(value_cents=(1_000, 200_000))),
        (([], (0, 2_000), 2_000, (18, 130)), filtering.Filters(ages=(18, 130))),
    ],
)
def test_sliders_at_full_range_filter_nothing(choices, expected):
    assert filtering.filters_from_choices(*choices) == expected
