"""The Painel's filters: what they keep, and the link that carries them."""

from datetime import timedelta

import pandas as pd
import pytest

from sales_monitor.analysis import filtering
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


def test_a_state_filter_keeps_the_cities_of_those_states():
    frame = table(sale(1, "São Paulo"), sale(2, "Campinas"), sale(3, "Recife"), sale(4, "Lugar"))
    kept = filtering.apply_filters(frame, filtering.Filters(states=("SP",)))
    assert kept["id"].tolist() == [1, 2]
    kept = filtering.apply_filters(frame, filtering.Filters(states=("PE", "RJ")))
    assert kept["id"].tolist() == [3]


def test_a_custom_range_keeps_both_minutes_whole_and_the_previous_is_as_long():
    frame = table(*[sale(i, minute=i) for i in range(0, 30)])  # 12:00 .. 12:29
    since, until = T0 + timedelta(minutes=10), T0 + timedelta(minutes=14)
    custom = filtering.Filters(window="Personalizado", since=since, until=until)
    assert filtering.apply_filters(frame, custom)["id"].tolist() == [10, 11, 12, 13, 14]
    before = filtering.previous_period(custom, pd.Timestamp(T0))
    assert filtering.apply_filters(frame, custom, moments=before)["id"].tolist() == [5, 6, 7, 8, 9]
    assert not custom.slides and filtering.Filters(window="Última hora").slides


def test_the_previous_window_is_the_same_length_just_before():
    frame = table(*[sale(i, minute=i) for i in range(0, 30)])
    now = pd.Timestamp(T0 + timedelta(minutes=29, seconds=30))
    last_5 = filtering.Filters(window="Últimos 5 min")
    current = filtering.apply_filters(frame, last_5, now=now)["id"].tolist()
    previous = filtering.apply_filters(frame, last_5, now, filtering.previous_period(last_5, now))[
        "id"
    ].tolist()
    assert current == [25, 26, 27, 28, 29] and previous == [20, 21, 22, 23, 24]
    assert filtering.previous_period(filtering.Filters(), now) is None
    open_ended = filtering.Filters(window="Personalizado", since=T0)
    assert filtering.previous_period(open_ended, now) is None


def test_states_and_dates_travel_in_the_link_and_bad_ones_are_dropped():
    filters = filtering.Filters(
        states=("SP", "PE"),
        window="Personalizado",
        since=T0,
        until=T0 + timedelta(hours=6),
    )
    query = filtering.query_from_filters(filters)
    assert query["uf"] == ["SP", "PE"] and query["de"] == "2025-08-27T12:00"
    assert query["ate"] == "2025-08-27T18:00" and query["janela"] == "personalizado"
    back = filtering.choices_from_query(
        {k: v if isinstance(v, list) else [v] for k, v in query.items()}, 2_000
    )
    assert back["states"] == ["SP", "PE"] and back["window"] == "Personalizado"
    assert back["since"] == T0 and back["until"] == T0 + timedelta(hours=6)
    bad = filtering.choices_from_query(
        {"uf": ["XX", "sp", "<b>"], "de": ["2026-02-31T10:00"], "ate": ["9" * 5000]}, 2_000
    )
    assert bad["states"] == ["SP"] and bad["since"] is None and bad["until"] is None


@pytest.mark.parametrize(
    ("window", "compare", "days"),
    [
        (window, compare, shift.days)
        for window in ("Últimos 5 min", "Última hora", "Últimas 24 h")
        for compare, (_, shift) in filtering.COMPARISONS.items()
        if shift is not None
    ],
)
def test_yesterday_and_last_week_are_the_same_hours_shifted(window, compare, days):
    now = pd.Timestamp(T0)
    chosen = filtering.Filters(window=window, compare=compare)
    start, end = filtering.previous_period(chosen, now)
    span = filtering.WINDOWS[window]
    assert (start, end) == (now - span - pd.Timedelta(days=days), now - pd.Timedelta(days=days))


def test_a_custom_range_compared_with_last_week_keeps_its_minutes():
    since = T0.replace(tzinfo=None)
    chosen = filtering.Filters(
        window=filtering.CUSTOM,
        since=since,
        until=since + timedelta(hours=2),
        compare="Semana passada, mesmo horário",
    )
    start, end = filtering.previous_period(chosen, pd.Timestamp(T0))
    week = pd.Timedelta(days=7)
    assert start == pd.Timestamp(since) - week
    assert end == pd.Timestamp(since + timedelta(hours=2, minutes=1)) - pd.Timedelta(1, "ms") - week


@pytest.mark.parametrize("compare", list(filtering.COMPARISONS))
def test_the_comparison_travels_in_the_link(compare):
    chosen = filtering.Filters(window="Últimos 15 min", compare=compare)
    query = filtering.query_from_filters(chosen)
    back = filtering.choices_from_query({k: [v] for k, v in query.items()}, 2_000)
    assert back["compare"] == compare
    assert ("comparar" in query) == (compare != filtering.BEFORE)


def test_an_unknown_comparison_in_a_link_is_the_period_before():
    back = filtering.choices_from_query({"janela": ["1h"], "comparar": ["ano"]}, 2_000)
    assert back["compare"] == filtering.BEFORE


def test_each_comparison_names_itself():
    chosen = filtering.Filters(window="Última hora")
    assert filtering.comparison_label(chosen) == "vs. hora anterior"
    assert filtering.empty_comparison(chosen) == "sem vendas na hora anterior"
    yesterday = filtering.Filters(window="Última hora", compare="Ontem, mesmo horário")
    assert filtering.empty_comparison(yesterday) == "sem vendas ontem, mesmo horário"


def test_the_city_list_offers_the_cities_with_most_sales_and_the_chosen():
    frame = table(
        *[sale(n, "Natal") for n in range(1, 4)],
        *[sale(n, "Recife") for n in range(4, 6)],
        sale(6, "Acari"),
        sale(7, "Zé Doca"),
    )
    assert filtering.city_options(frame, [], limit=2) == ["Natal", "Recife"]
    assert filtering.city_options(frame, ["Zé Doca"], limit=2) == ["Natal", "Recife", "Zé Doca"]
    assert filtering.city_options(frame, [], limit=3) == ["Acari", "Natal", "Recife"]  # ties: A-Z
    assert filtering.city_options(frame, []) == ["Acari", "Natal", "Recife", "Zé Doca"]
