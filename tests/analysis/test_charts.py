import pandas as pd
import plotly.io
import pytest

from sales_monitor.analysis import charts, metrics, trend
from tests.helpers.factories import sale, table

pytestmark = pytest.mark.unit

CITIES = ("Natal", "Recife")
TABLE = table(
    *[
        sale(i, CITIES[i % 2], cents=i * 100, age=18 + i % 60, minute=i % 5)
        for i in range(1, 20_001)
    ]
)


def test_each_chart_has_the_expected_kind_and_data():
    by_city = metrics.value_by_city(TABLE)
    bar = charts.value_by_city(by_city)
    assert bar.data[0].type == "bar" and bar.data[0].orientation == "h"
    assert list(bar.data[0].y) == list(by_city["cidade"])  # largest first, on top
    assert bar.layout.yaxis.autorange == "reversed"
    assert charts.age_histogram(metrics.age_distribution(TABLE)).data[0].type == "bar"
    pie = charts.region_share(metrics.region_share(metrics.value_by_state(by_city)))
    assert pie.data[0].type == "pie" and sum(pie.data[0].values) == len(TABLE)
    assert list(pie.data[0].labels) == ["Nordeste"]
    assert charts.revenue_trend(trend.revenue_trend(TABLE)).data[0].mode == "lines+markers"


def test_axes_and_hovers_read_as_in_brazil():
    """Before: `12k`, `2M`, `2,5M` on the axes, `0,5` and `1,5` ticks for counts."""
    two = table(sale(1, "Natal", cents=1_200_000), sale(2, "Recife", cents=250_099))
    bar = charts.value_by_city(metrics.value_by_city(two))
    assert list(bar.layout.xaxis.ticktext) == [
        "R$ 0",
        "R$ 2,5 mil",
        "R$ 5 mil",
        "R$ 7,5 mil",
        "R$ 10 mil",
        "R$ 12,5 mil",
    ]
    assert list(bar.data[0].customdata) == ["R$ 12.000,00", "R$ 2.500,99"]
    big = charts.value_by_city(metrics.value_by_city(TABLE))  # about R$ 100 million a city
    assert all(text.endswith(" mi") for text in big.layout.xaxis.ticktext[1:])
    few = charts.age_histogram(metrics.age_distribution(table(sale(1), sale(2, age=31))))
    assert list(few.layout.yaxis.tickvals) == [0, 1]  # whole numbers only
    assert list(few.layout.yaxis.ticktext) == ["0", "1"]


@pytest.mark.parametrize("top", [0.4, 1, 3, 7, 12, 99, 1_234, 2_000, 987_654.32, 10**11])
def test_ticks_start_at_zero_reach_the_top_and_step_evenly(top):
    for whole in (False, True):
        values = charts.ticks(top, whole=whole)
        steps = {round(b - a, 9) for a, b in zip(values, values[1:], strict=False)}
        assert values[0] == 0 and values[-1] >= top and len(steps) == 1
        assert len(values) <= 7
        if whole:
            assert all(float(v).is_integer() for v in values)


def test_many_cities_show_the_largest_and_say_how_many_there_are():
    many = table(*[sale(i, city=f"Cidade {i}", cents=i * 100) for i in range(1, 41)])
    bar = charts.value_by_city(metrics.value_by_city(many))
    assert len(bar.data[0].y) == charts.BAR_CITIES
    assert bar.layout.title.text == "Valor total por cidade (25 maiores de 40)"
    assert bar.layout.height >= charts.ROW_PX * charts.BAR_CITIES


def test_scatter_title_says_when_it_is_a_sample():
    sampled = charts.value_by_age(metrics.scatter_sample(TABLE), len(TABLE))
    assert "amostra de 5.000 de 20.000" in sampled.layout.title.text
    small = table(sale(1), sale(2))
    assert "amostra" not in charts.value_by_age(metrics.scatter_sample(small), 2).layout.title.text


def test_figures_stay_small_whatever_the_table_size():
    figures = [
        charts.value_by_city(metrics.value_by_city(TABLE)),
        charts.age_histogram(metrics.age_distribution(TABLE)),
        charts.value_by_age(metrics.scatter_sample(TABLE), len(TABLE)),
        charts.revenue_trend(trend.revenue_trend(TABLE)),
    ]
    sizes = [len(plotly.io.to_json(figure, validate=False)) for figure in figures]
    assert max(sizes) < 200_000  # the scatter's 5,000 points are the largest


def test_a_single_point_is_shown_mid_axis_with_its_bucket_in_the_title():
    points = trend.revenue_trend(table(sale(1, cents=10_000)))
    figure = charts.revenue_trend(points)
    low, high = figure.layout.xaxis.range
    assert low < points["momento"].iloc[0] < high
    assert figure.layout.yaxis.range[0] == 0 and figure.layout.yaxis.range[1] >= 100
    assert figure.layout.title.text == "Receita a cada 5 s"


@pytest.mark.parametrize(
    ("bucket", "label"),
    [
        ("5s", "5 s"),
        ("1min", "1 min"),
        ("15min", "15 min"),
        ("1h", "1 h"),
        ("6h", "6 h"),
        ("1D", "1 dia"),
    ],
)
def test_bucket_labels(bucket, label):
    assert charts.bucket_label(pd.Timedelta(bucket)) == label


def test_age_axes_tick_whole_years_even_for_one_age():
    """Before: one age gave ticks at 29,6, 29,8, 30, 30,2."""
    one = table(sale(1, age=30), sale(2, age=30))
    for figure in (
        charts.age_histogram(metrics.age_distribution(one)),
        charts.value_by_age(metrics.scatter_sample(one), 2),
    ):
        axis = figure.layout.xaxis
        assert axis.tickmode == "linear" and float(axis.dtick).is_integer() and axis.dtick >= 1
        assert axis.range[0] < 30 < axis.range[1]


def test_a_frozen_figure_is_copied_out_once_for_every_tab_and_says_the_same():
    """Before: each tab's draw copied every figure out again (`to_dict`, 23 ms for the six
    at 100,000 rows, per tab per refresh)."""
    figure = charts.value_by_age(metrics.scatter_sample(TABLE), len(TABLE))
    fresh = figure.to_dict()
    assert figure.to_dict() is not fresh  # not frozen: a new copy each time
    frozen = figure.freeze()
    assert frozen.to_dict() is frozen.to_dict()
    assert plotly.io.to_json(frozen.to_dict()) == plotly.io.to_json(fresh)


def test_a_point_on_the_top_tick_shows_whole():
    """A sale whose valor is exactly the last tick sat on the plot's edge, cut in half."""
    frame = table(sale(1, cents=200_000, age=30), sale(2, cents=100_000, age=40))
    figure = charts.value_by_age(metrics.scatter_sample(frame), len(frame))
    top_tick, (low, high) = figure.layout.yaxis.tickvals[-1], figure.layout.yaxis.range
    assert top_tick == 2_000 and low == 0 and high > top_tick
