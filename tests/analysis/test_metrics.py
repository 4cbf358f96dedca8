"""The Painel's figures from a table: totals, chart frames, statistics, freshness."""

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from sales_monitor.analysis import filtering, metrics
from tests.helpers.factories import EMPTY, MIXED, ONE, T0, sale, table

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    ("frame", "expected"),
    [
        (EMPTY, metrics.Summary(total_cents=0, mean_cents=None, count=0, mean_age=None)),
        (ONE, metrics.Summary(total_cents=12_345, mean_cents=12_345, count=1, mean_age=40.0)),
        (MIXED, metrics.Summary(total_cents=30_001, mean_cents=15_001, count=2, mean_age=25.5)),
    ],
    ids=["empty", "one row", "duplicates and tombstones"],
)
def test_summary(frame, expected):
    assert metrics.summarize(frame) == expected


def test_total_is_exact_to_the_cent_where_floats_drift():
    # R$ 0,10 a hundred thousand times: summed as float reais it is not R$ 10.000,00
    frame = table(*[sale(i, cents=10) for i in range(1, 100_001)])
    assert metrics.summarize(frame).total_cents == 1_000_000


def test_every_number_respects_the_filters():
    natal = filtering.apply_filters(MIXED, filtering.Filters(cities=("Natal",)))
    assert metrics.summarize(natal).total_cents == 20_001
    assert metrics.value_by_city(natal)["cidade"].tolist() == ["Natal"]
    assert metrics.age_distribution(natal)["idade"].tolist() == [31]


def test_value_by_city_sorts_by_total_in_reais():
    frame = metrics.value_by_city(MIXED)
    assert frame.to_dict("list") == {
        "cidade": ["Natal", "Recife"],
        "valor": [200.01, 100.0],
        "vendas": [1, 1],
    }


def test_age_distribution_counts_each_age():
    frame = table(sale(1, age=20), sale(2, age=20), sale(3, age=70))
    assert metrics.age_distribution(frame).to_dict("list") == {"idade": [20, 70], "vendas": [2, 1]}


@pytest.mark.parametrize(("rows", "points"), [(0, 0), (10, 10), (12_000, metrics.SCATTER_POINTS)])
def test_scatter_is_sampled_to_at_most_5000_points(rows, points):
    frame = table(*[sale(i, cents=i) for i in range(1, rows + 1)])
    sample = metrics.scatter_sample(frame)
    assert len(sample) == points
    assert sample["valor"].between(0, rows / 100).all()


def test_statistics_describe_idade_and_valor():
    stats = metrics.statistics(MIXED)  # shown as a person in Brazil reads numbers
    assert stats.loc["registros", "idade"] == "2" and stats.loc["registros", "valor"] == "2"
    assert stats.loc["média", "valor"] == "R$ 150,01"  # 150,005: half a cent rounds up
    assert stats.loc["máximo", "valor"] == "R$ 200,01"
    assert stats.loc["média", "idade"] == metrics.statistics(MIXED).loc["média", "idade"]
    assert "," in stats.loc["média", "idade"] and "." not in stats.loc["média", "idade"]


@pytest.mark.parametrize("n", [0, 1, 2, 7, 1_000])
def test_the_statistics_are_what_describe_gives(n):
    values = np.random.default_rng(n).integers(5_000, 200_001, n) / 100
    expected = pd.Series(values, dtype="float64").describe().to_numpy()
    np.testing.assert_allclose(metrics._described(values), expected, rtol=1e-12, equal_nan=True)


def test_sales_by_state_and_region_from_the_cities():
    frame = table(
        sale(1, "São Paulo", 10_000),
        sale(2, "Campinas", 5_000),
        sale(3, "Recife", 2_500),
        sale(4, "Atlântida", 1_000),
    )
    by_state = metrics.value_by_state(metrics.value_by_city(frame))
    assert by_state.to_dict("list") == {
        "uf": ["SP", "PE", "não identificado"],
        "valor": [150.0, 25.0, 10.0],
        "vendas": [2, 1, 1],
    }
    regions = metrics.region_share(by_state)
    assert regions.to_dict("list") == {
        "regiao": ["Nordeste", "Sudeste", "não identificado"],
        "vendas": [1, 2, 1],
    }


def test_changes_against_the_previous_period_in_pt_br():
    now = metrics.Summary(total_cents=223_456, mean_cents=111_728, count=2, mean_age=31.5)
    before = metrics.Summary(total_cents=100_000, mean_cents=100_000, count=1, mean_age=30.0)
    assert metrics.changes(now, before) == {
        "total": "+R$ 1.234,56 (+123,5%)",
        "mean": "+R$ 117,28 (+11,7%)",
        "count": "+1 (+100,0%)",
        "age": "+1,5 anos",
    }
    assert metrics.changes(before, now)["total"] == "-R$ 1.234,56 (-55,2%)"
    empty = metrics.summarize(table())
    assert metrics.changes(now, empty) == {
        "total": "+R$ 2.234,56",
        "mean": None,
        "count": "+2",
        "age": None,
    }


def test_live_records_are_counted_by_source():

    frame = table(replace(sale(1), source="produtor"), replace(sale(2), source="produtor"), sale(3))
    counted = metrics.live_by_source(frame)
    assert counted.to_dict("records") == [
        {"origem": "produtor", "registros": 2},
        {"origem": "manual", "registros": 1},
    ]


def test_the_freshness_line():
    now = T0 + pd.Timedelta(seconds=30)
    assert (
        metrics.freshness(now, None, []) == "Atualizado às 12:00:30 · nenhuma venda recebida ainda"
    )
    line = metrics.freshness(now, T0 + pd.Timedelta(seconds=28), [10, 20, 30, 40, 1_500])
    assert line == (
        "Atualizado às 12:00:30 · última venda recebida há 2 s · "
        "atraso produção→tabela p50 30 ms, p95 1,5 s"
    )
    assert "há 2 h 5 min" in metrics.freshness(now, now - pd.Timedelta(minutes=125), [])


def test_ages_read_whole_where_they_are_whole():
    frame = table(sale(1, age=18), sale(2, age=30), sale(3, age=43), sale(4, age=50))
    ages = metrics.statistics(frame)["idade"]
    assert (ages["mínimo"], ages["máximo"], ages["mediana"]) == ("18", "50", "36,5")
    assert ages["média"] == "35,2"  # 35,25: one decimal, as people read an average
