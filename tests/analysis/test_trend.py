"""Revenue per time bucket: local buckets, quiet ones as zero, pandas' own answer."""

from dataclasses import replace
from datetime import timedelta

import numpy as np
import pandas as pd
import pytest

from sales_monitor.analysis import trend
from tests.helpers.factories import EMPTY, T0, sale, table

pytestmark = pytest.mark.unit


def test_revenue_trend_fills_quiet_buckets_with_zero():
    frame = table(
        sale(1, cents=100, minute=0), sale(2, cents=250, minute=0), sale(3, cents=5, minute=3)
    )
    points = trend.revenue_trend(frame)  # three minutes of data: 5-second buckets
    assert points.attrs["bucket"] == pd.Timedelta(seconds=5)
    assert len(points) == 37 and points["valor"].sum() == pytest.approx(3.55)
    assert (points["valor"].iloc[0], points["valor"].iloc[-1]) == (3.5, 0.05)
    assert points["momento"].diff().dropna().eq(pd.Timedelta(seconds=5)).all()
    assert trend.revenue_trend(EMPTY).empty


@pytest.mark.parametrize(
    ("span", "bucket"),
    [
        ("0s", "5s"),
        ("5min", "5s"),
        ("15min", "5s"),
        ("1h", "15s"),
        ("24h", "5min"),
        ("7D", "1h"),
        ("365D", "1D"),
    ],
)
def test_the_trend_bucket_grows_with_the_window(span, bucket):
    assert trend.trend_bucket(pd.Timedelta(span)) == pd.Timedelta(bucket)


def test_a_long_trend_is_capped_in_points():
    frame = table(*[sale(i, minute=i * 60) for i in range(1, 24 * 30)])  # a month, hourly
    assert len(trend.revenue_trend(frame)) <= trend.TREND_POINTS


def test_trend_buckets_are_local_and_summer_time_years_do_not_break_them():
    # São Paulo had summer time until 2019: 2018-11-04 00:00 did not exist there and
    # 2019-02-16 23:xx happened twice; pandas' own floor raises on both
    moments = [
        *pd.date_range("2018-11-03 20:00", periods=120, freq="7min", tz="UTC"),
        *pd.date_range("2019-02-17 00:30", periods=120, freq="1min", tz="UTC"),
        *pd.date_range("2025-08-27 12:00", periods=120, freq="13s", tz="UTC"),
    ]
    frame = table(
        *[replace(sale(i), timestamp=m.to_pydatetime()) for i, m in enumerate(moments, 1)]
    )
    times = frame["timestamp"]
    for bucket in trend.BUCKETS:
        floored = trend._floor(times, bucket)
        assert (floored <= times).all() and (times - floored < bucket + pd.Timedelta("1h")).all()
        assert trend.revenue_trend(frame, span=bucket * 10)["valor"].sum() > 0
    recent = times[times.dt.year == 2025]
    for bucket in trend.BUCKETS[:6]:  # within an hour: equal to pandas' floor where it works
        assert trend._floor(recent, bucket).equals(recent.dt.floor(bucket))
    days = trend._floor(times, pd.Timedelta("1D"))
    assert days.dt.hour.isin([0, 1]).all()  # local midnight, or 1:00 where midnight was skipped
    assert days.dt.minute.eq(0).all()


@pytest.mark.parametrize("seed", range(40))
def test_the_trend_equals_pandas_resample_of_the_local_buckets(seed):
    # the reference: group by pandas' own floor, resample to fill quiet buckets, keep the last
    rng = np.random.default_rng(seed)
    n, width = int(rng.integers(1, 2_000)), int(rng.choice([10, 300, 3_600, 86_400, 2_592_000]))
    seconds = rng.integers(0, width, n)
    frame = table(
        *[
            replace(sale(i, cents=int(c)), timestamp=T0 + timedelta(seconds=int(s)))
            for i, (s, c) in enumerate(zip(seconds, rng.integers(0, 10**6, n), strict=True), 1)
        ]
    )
    span = [None, pd.Timedelta("5min"), pd.Timedelta("1h"), pd.Timedelta("1D")][seed % 4]
    points = trend.revenue_trend(frame, span)
    moments, bucket = frame["timestamp"], points.attrs["bucket"]
    expected = frame["valor_centavos"].groupby(moments.dt.floor(bucket)).sum()
    expected = expected.resample(bucket).sum().iloc[-trend.TREND_POINTS :]
    assert points["momento"].tolist() == expected.index.tolist()
    assert points["valor"].tolist() == (expected / 100).tolist()


def test_a_few_old_sales_do_not_flatten_a_live_trend():
    """The sample file's 40 sales of a year ago beside a demo's last five minutes."""
    from datetime import datetime, timedelta

    from sales_monitor.analysis import charts
    from sales_monitor.record import SAO_PAULO

    now = datetime(2026, 12, 5, 11, 0, tzinfo=SAO_PAULO)
    old = [replace(sale(n), timestamp=now - timedelta(days=365, hours=n)) for n in range(1, 41)]
    live = [replace(sale(100 + n), timestamp=now - timedelta(seconds=n)) for n in range(300)]
    drawn = trend.revenue_trend(table(*old, *live))
    assert drawn.attrs["bucket"] <= pd.Timedelta("5s") and drawn.attrs["earlier"] == 40
    assert drawn["valor"].sum() * 100 == sum(r.value_cents for r in live)
    title = charts.revenue_trend(drawn).to_plotly_json()["layout"]["title"]["text"]
    assert title == "Receita a cada 5 s (40 vendas anteriores fora da escala)"


def test_a_trend_across_new_year_shows_the_year():
    from datetime import datetime, timedelta

    from sales_monitor.analysis import charts
    from sales_monitor.record import SAO_PAULO

    midnight = datetime(2027, 1, 1, tzinfo=SAO_PAULO)
    sales = [replace(sale(n), timestamp=midnight + timedelta(days=n - 3)) for n in range(6)]
    layout = charts.revenue_trend(trend.revenue_trend(table(*sales))).to_plotly_json()["layout"]
    assert "%d/%m/%Y" in [stop["value"] for stop in layout["xaxis"]["tickformatstops"]]
