from dataclasses import replace
from datetime import timedelta

import numpy as np
import pandas as pd
import pytest

from sales_monitor.dashboard import view
from sales_monitor.dashboard.store import RecordStore
from sales_monitor.record import Tombstone
from tests.helpers.factories import T0, sale, table

pytestmark = pytest.mark.unit

EMPTY = table()
ONE = table(sale(1, "Natal", 12_345, 40))
# id 2 written twice (the latest counts), id 3 tombstoned
MIXED = table(
    sale(1, "Recife", 10_000, 20, minute=0),
    sale(2, "Natal", 5_000, 30, minute=0),
    sale(3, "Natal", 99_999, 50, minute=1),
    sale(2, "Natal", 20_001, 31, minute=2),
    Tombstone(3),
)


@pytest.mark.parametrize(
    ("frame", "expected"),
    [
        (EMPTY, view.Summary(total_cents=0, mean_cents=None, count=0, mean_age=None)),
        (ONE, view.Summary(total_cents=12_345, mean_cents=12_345, count=1, mean_age=40.0)),
        (MIXED, view.Summary(total_cents=30_001, mean_cents=15_001, count=2, mean_age=25.5)),
    ],
    ids=["empty", "one row", "duplicates and tombstones"],
)
def test_summary(frame, expected):
    assert view.summarize(frame) == expected


def test_total_is_exact_to_the_cent_where_floats_drift():
    frame = table(
        *[sale(i, cents=10) for i in range(1, 100_001)]
    )  # R$ 0,10 a hundred thousand times
    assert view.summarize(frame).total_cents == 1_000_000
    assert sum([0.1] * 100_000) != 10_000.0  # what summing float reais would give


@pytest.mark.parametrize(
    ("filters", "expected_ids"),
    [
        (view.Filters(), [1, 2]),
        (view.Filters(cities=("Natal",)), [2]),
        (view.Filters(cities=("Natal", "Recife")), [1, 2]),
        (view.Filters(cities=("Manaus",)), []),
        (view.Filters(value_cents=(10_000, 20_000)), [1]),
        (view.Filters(value_cents=(10_000, 20_001)), [1, 2]),
        (view.Filters(ages=(21, 40)), [2]),
        (view.Filters(cities=("Recife",), ages=(21, 40)), []),
    ],
)
def test_filters(filters, expected_ids):
    assert view.apply_filters(MIXED, filters)["id"].tolist() == expected_ids


def test_every_number_respects_the_filters():
    natal = view.apply_filters(MIXED, view.Filters(cities=("Natal",)))
    assert view.summarize(natal).total_cents == 20_001
    assert view.value_by_city(natal)["cidade"].tolist() == ["Natal"]
    assert view.age_distribution(natal)["idade"].tolist() == [31]


def test_value_by_city_sorts_by_total_in_reais():
    frame = view.value_by_city(MIXED)
    assert frame.to_dict("list") == {
        "cidade": ["Natal", "Recife"],
        "valor": [200.01, 100.0],
        "vendas": [1, 1],
    }


def test_age_distribution_counts_each_age():
    frame = table(sale(1, age=20), sale(2, age=20), sale(3, age=70))
    assert view.age_distribution(frame).to_dict("list") == {"idade": [20, 70], "vendas": [2, 1]}


@pytest.mark.parametrize(("rows", "points"), [(0, 0), (10, 10), (12_000, view.SCATTER_POINTS)])
def test_scatter_is_sampled_to_at_most_5000_points(rows, points):
    frame = table(*[sale(i, cents=i) for i in range(1, rows + 1)])
    sample = view.scatter_sample(frame)
    assert len(sample) == points
    assert sample["valor"].between(0, rows / 100).all()


def test_revenue_trend_fills_quiet_buckets_with_zero():
    frame = table(
        sale(1, cents=100, minute=0), sale(2, cents=250, minute=0), sale(3, cents=5, minute=3)
    )
    trend = view.revenue_trend(frame)  # three minutes of data: 5-second buckets
    assert trend.attrs["bucket"] == pd.Timedelta(seconds=5)
    assert len(trend) == 37 and trend["valor"].sum() == pytest.approx(3.55)
    assert (trend["valor"].iloc[0], trend["valor"].iloc[-1]) == (3.5, 0.05)
    assert trend["momento"].diff().dropna().eq(pd.Timedelta(seconds=5)).all()
    assert view.revenue_trend(EMPTY).empty


@pytest.mark.parametrize(
    ("span", "bucket"),
    [("0s", "5s"), ("5min", "5s"), ("15min", "5s"), ("1h", "15s"), ("24h", "5min"),
     ("7D", "1h"), ("365D", "1D")],
)  # fmt: skip
def test_the_trend_bucket_grows_with_the_window(span, bucket):
    assert view.trend_bucket(pd.Timedelta(span)) == pd.Timedelta(bucket)


def test_a_long_trend_is_capped_in_points():
    frame = table(*[sale(i, minute=i * 60) for i in range(1, 24 * 30)])  # a month, hourly
    assert len(view.revenue_trend(frame)) <= view.TREND_POINTS


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
    for bucket in view.BUCKETS:
        floored = view._floor(times, bucket)
        assert (floored <= times).all() and (times - floored < bucket + pd.Timedelta("1h")).all()
        assert view.revenue_trend(frame, span=bucket * 10)["valor"].sum() > 0
    recent = times[times.dt.year == 2025]
    for bucket in view.BUCKETS[:6]:  # within an hour: equal to pandas' floor where it works
        assert view._floor(recent, bucket).equals(recent.dt.floor(bucket))
    days = view._floor(times, pd.Timedelta("1D"))
    assert days.dt.hour.isin([0, 1]).all()  # local midnight, or 1:00 where midnight was skipped
    assert days.dt.minute.eq(0).all()


@pytest.mark.parametrize("seed", range(40))
def test_the_trend_equals_pandas_resample_of_the_local_buckets(seed):
    # the reference: group by pandas' own floor, resample to fill quiet buckets, keep the last
    rng = np.random.default_rng(seed)
    n, width = int(rng.integers(1, 2_000)), int(rng.choice([10, 300, 3_600, 86_400, 2_592_000]))
    seconds = rng.integers(0, width, n)
    frame = table(*[
        replace(sale(i, cents=int(c)), timestamp=T0 + timedelta(seconds=int(s)))
        for i, (s, c) in enumerate(zip(seconds, rng.integers(0, 10**6, n), strict=True), 1)
    ])  # fmt: skip
    span = [None, pd.Timedelta("5min"), pd.Timedelta("1h"), pd.Timedelta("1D")][seed % 4]
    trend = view.revenue_trend(frame, span)
    moments, bucket = frame["timestamp"], trend.attrs["bucket"]
    expected = frame["valor_centavos"].groupby(moments.dt.floor(bucket)).sum()
    expected = expected.resample(bucket).sum().iloc[-view.TREND_POINTS :]
    assert trend["momento"].tolist() == expected.index.tolist()
    assert trend["valor"].tolist() == (expected / 100).tolist()


def test_the_time_window_filters_every_row_and_slides_with_now():
    frame = table(*[sale(i, minute=i) for i in range(0, 11)])  # 12:00 .. 12:10
    last_5 = view.Filters(window="Últimos 5 min")
    now = T0 + pd.Timedelta(minutes=10)
    assert view.apply_filters(frame, last_5, now=now)["id"].tolist() == [5, 6, 7, 8, 9, 10]
    later = now + pd.Timedelta(minutes=3)
    assert view.apply_filters(frame, last_5, now=later)["id"].tolist() == [8, 9, 10]
    assert len(view.apply_filters(frame, view.Filters(), now=later)) == 11


def test_high_ticket_lists_the_latest_first_at_or_above_the_threshold():
    frame = table(sale(1, cents=180_000), sale(2, cents=179_999), sale(3, cents=200_000))
    assert view.high_ticket(frame, 180_000)["id"].tolist() == [3, 1]
    assert view.high_ticket(EMPTY, 180_000).empty


def test_latest_shows_the_most_recently_written_first_and_is_capped():
    store = RecordStore()
    store.apply([sale(i) for i in range(1, 6)])
    store.apply([sale(2, cents=1)])
    assert view.latest(store.snapshot(), limit=3)["id"].tolist() == [2, 5, 4]
    assert list(view.latest(store.snapshot()).columns) == [
        "id",
        "nome",
        "idade",
        "cidade",
        "valor",
        "timestamp",
        "origem",
    ]


def test_statistics_describe_idade_and_valor():
    stats = view.statistics(MIXED)  # shown as a person in Brazil reads numbers
    assert stats.loc["registros", "idade"] == "2" and stats.loc["registros", "valor"] == "2"
    assert stats.loc["média", "valor"] == "R$ 150,01"  # 150,005: half a cent rounds up
    assert stats.loc["máximo", "valor"] == "R$ 200,01"
    assert stats.loc["média", "idade"] == view.statistics(MIXED).loc["média", "idade"]
    assert "," in stats.loc["média", "idade"] and "." not in stats.loc["média", "idade"]


@pytest.mark.parametrize("n", [0, 1, 2, 7, 1_000])
def test_the_statistics_are_what_describe_gives(n):
    values = np.random.default_rng(n).integers(5_000, 200_001, n) / 100
    expected = pd.Series(values, dtype="float64").describe().to_numpy()
    np.testing.assert_allclose(view._described(values), expected, rtol=1e-12, equal_nan=True)


def test_tables_show_reais_and_brazilian_dates_the_csv_keeps_machine_values():
    shown = view.latest(table(sale(1, cents=182_083)))
    assert shown["valor"].tolist() == ["R$ 1.820,83"]
    assert shown["timestamp"].tolist() == ["27/08/2025 12:00:00"]
    row = view.to_csv(table(sale(1, cents=182_083))).decode().splitlines()[1].split(",")
    assert row[4] == "1820.83" and row[5] == "2025-08-27 12:00:00-03:00"


def test_the_pie_keeps_the_largest_cities_and_groups_the_rest():
    by_city = view.value_by_city(
        table(*[sale(i, city=f"Cidade {i % 12}") for i in range(1, 13 * 12)])
    )
    shares = view.city_share(by_city, slices=8)
    assert len(shares) == 9 and shares["cidade"].iloc[-1] == "Outras"
    assert shares["vendas"].sum() == by_city["vendas"].sum()
    assert (
        view.city_share(by_city.head(3), slices=8)["cidade"].tolist()
        == by_city.head(3)["cidade"].tolist()
    )


def test_csv_keeps_valor_exact_and_the_wire_columns_then_the_source():
    text = view.to_csv(table(sale(1, cents=29), sale(2, cents=123_456))).decode()
    lines = text.splitlines()
    assert lines[0] == "id,nome,idade,cidade,valor,timestamp,origem"
    assert lines[1].split(",")[4] == "0.29" and lines[2].split(",")[4] == "1234.56"
    assert lines[1].endswith(",manual")


def test_live_records_are_counted_by_source():
    from dataclasses import replace

    frame = table(replace(sale(1), source="produtor"), replace(sale(2), source="produtor"), sale(3))
    counted = view.live_by_source(frame)
    assert counted.to_dict("records") == [
        {"origem": "produtor", "registros": 2},
        {"origem": "manual", "registros": 1},
    ]


@pytest.mark.parametrize(
    ("frame", "top"), [(EMPTY, 2_000), (ONE, 2_000), (table(sale(1, cents=500_001)), 5_001)]
)
def test_value_slider_reaches_the_largest_sale(frame, top):
    assert view.value_ceiling(frame) == top


@pytest.mark.parametrize(
    ("choices", "expected"),
    [
        (([], (0, 2_000), 2_000, (0, 130)), view.Filters()),
        ((["Natal"], (0, 2_000), 2_000, (0, 130)), view.Filters(cities=("Natal",))),
        (([], (10, 2_000), 2_000, (0, 130)), view.Filters(value_cents=(1_000, 200_000))),
        (([], (0, 2_000), 2_000, (18, 130)), view.Filters(ages=(18, 130))),
    ],
)
def test_sliders_at_full_range_filter_nothing(choices, expected):
    assert view.filters_from_choices(*choices) == expected


@pytest.mark.parametrize(
    ("name", "cell"),
    [('=HYPERLINK("http://x","y")', "'=HYPERLINK(\"http://x\",\"y\")"), ("+1+1", "'+1+1"),
     ("-2", "'-2"), ("@SUM(A1)", "'@SUM(A1)"), ("\tx", "'\tx"), ("Ana -1", "Ana -1")],
)  # fmt: skip
def test_csv_download_neutralizes_spreadsheet_formulas(name, cell):
    import csv
    import io
    from dataclasses import replace

    record = replace(sale(1), name=name, city=name)
    (row,) = csv.DictReader(io.StringIO(view.to_csv(table(record)).decode()))
    assert row["nome"] == cell and row["cidade"] == cell


def test_the_freshness_line():
    now = T0 + pd.Timedelta(seconds=30)
    assert view.freshness(now, None, []) == "Atualizado às 12:00:30 · nenhuma venda recebida ainda"
    line = view.freshness(now, T0 + pd.Timedelta(seconds=28), [10, 20, 30, 40, 1_500])
    assert line == (
        "Atualizado às 12:00:30 · última venda recebida há 2 s · "
        "atraso produção→tabela p50 30 ms, p95 1,5 s"
    )
    assert "há 2 h 5 min" in view.freshness(now, now - pd.Timedelta(minutes=125), [])
