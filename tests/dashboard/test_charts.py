import pandas as pd
import plotly.io
import pytest

from sales_monitor.dashboard import charts, metrics, trend
from tests.helpers.factories import sale, table

pytestmark = pytest.mark.unit

CITIES = ("Natal", "Recife")
TABLE = table(*[sale(i, CITIES[i % 2], cents=i * 100, age=18 + i % 60, minute=i % 5)
                for i in range(1, 20_001)])  # fmt: skip


def test_each_chart_has_the_expected_kind_and_data():
    by_city = metrics.value_by_city(TABLE)
    bar = charts.value_by_city(by_city)
    assert bar.data[0].type == "bar" and list(bar.data[0].x) == list(by_city["cidade"])
    assert charts.age_histogram(metrics.age_distribution(TABLE)).data[0].type == "bar"
    pie = charts.city_share(by_city)
    assert pie.data[0].type == "pie" and sum(pie.data[0].values) == len(TABLE)
    assert charts.revenue_trend(trend.revenue_trend(TABLE)).data[0].mode == "lines+markers"


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
    assert list(figure.layout.yaxis.range) == [0, 120.0]
    assert figure.layout.title.text == "Receita a cada 5 s"


@pytest.mark.parametrize(
    ("bucket", "label"), [("5s", "5 s"), ("1min", "1 min"), ("15min", "15 min"), ("1h", "1 h"),
                          ("6h", "6 h"), ("1D", "1 dia")],
)  # fmt: skip
def test_bucket_labels(bucket, label):
    assert charts.bucket_label(pd.Timedelta(bucket)) == label
