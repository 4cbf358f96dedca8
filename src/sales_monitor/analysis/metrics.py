"""Every figure the Painel shows of a (filtered) table: the totals, the small frames the
charts draw, the statistics and the freshness line. Pure functions of a store snapshot
(columns as in `store.COLUMNS`); what reaches the browser is aggregated or sampled here,
so a million-row table still sends a few kilobytes."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime

import numpy as np
import pandas as pd

from sales_monitor.analysis import places
from sales_monitor.ptbr import (
    ago,
    decimal_comma,
    duration_ms,
    format_brl,
    format_int,
    reais,
    signed_percent,
)

SCATTER_POINTS = 5_000


@dataclass(frozen=True, slots=True)
class Summary:
    total_cents: int
    mean_cents: int | None
    count: int
    mean_age: float | None


def summarize(table: pd.DataFrame) -> Summary:
    count = len(table)
    if count == 0:
        return Summary(total_cents=0, mean_cents=None, count=0, mean_age=None)
    total = int(table["valor_centavos"].sum())
    return Summary(
        total_cents=total,
        mean_cents=_round_half_up(total, count),
        count=count,
        mean_age=float(table["idade"].mean()),
    )


def _round_half_up(numerator: int, denominator: int) -> int:
    return (2 * numerator + denominator) // (2 * denominator)


def value_by_city(table: pd.DataFrame) -> pd.DataFrame:
    """Total valor (R$) and number of sales per city, largest total first."""
    grouped = table.groupby("cidade", observed=True)["valor_centavos"].agg(["sum", "size"])
    grouped = grouped.sort_values("sum", ascending=False)
    return pd.DataFrame(
        {
            "cidade": grouped.index.astype(str),
            "valor": grouped["sum"].to_numpy() / 100,
            "vendas": grouped["size"].to_numpy(),
        }
    )


def changes(current: Summary, previous: Summary) -> dict[str, str | None]:
    """Each metric against the previous period, in pt-BR, signed so the page colors it
    (`+R$ 1.234,56 (+12,3%)`, `-3 (-10,0%)`, `+1,5 anos`); None where either side has no
    value to compare."""

    def relative(now: int, before: int) -> str:
        return f" ({signed_percent(now / before - 1)})" if before else ""

    def money(now: int | None, before: int | None) -> str | None:
        if now is None or before is None:
            return None
        difference = now - before
        sign = "-" if difference < 0 else "+"
        return f"{sign}{format_brl(abs(difference))}" + relative(now, before)

    count = current.count - previous.count
    age = None
    if current.mean_age is not None and previous.mean_age is not None:
        age = f"{current.mean_age - previous.mean_age:+.1f} anos".replace(".", ",")
    return {
        "total": money(current.total_cents, previous.total_cents),
        "mean": money(current.mean_cents, previous.mean_cents),
        "count": f"{'-' if count < 0 else '+'}{format_int(abs(count))}"
        + relative(current.count, previous.count),
        "age": age,
    }


def value_by_state(by_city: pd.DataFrame) -> pd.DataFrame:
    """Total valor (R$) and sales per state (UF), largest total first, from the per-city
    totals (a state is the sum of its cities); "não identificado" for unknown cities."""
    states = by_city["cidade"].map(places.state_of)
    grouped = by_city.groupby(states.to_numpy())[["valor", "vendas"]].sum()
    grouped = grouped.sort_values("valor", ascending=False, kind="stable")
    return pd.DataFrame(
        {
            "uf": grouped.index.astype(str),
            "valor": grouped["valor"].to_numpy(),
            "vendas": grouped["vendas"].to_numpy(),
        }
    )


def region_share(by_state: pd.DataFrame) -> pd.DataFrame:
    """Sales per region, in the order of `places.REGIONS` (and "não identificado" last)."""
    regions = by_state["uf"].map(places.region_of)
    sales = by_state.groupby(regions.to_numpy())["vendas"].sum()
    order = [r for r in (*places.REGIONS, places.UNKNOWN) if r in sales.index]
    return pd.DataFrame({"regiao": order, "vendas": [int(sales[r]) for r in order]})


def age_distribution(table: pd.DataFrame) -> pd.DataFrame:
    """Sales per year of age: the histogram, binned here instead of in the browser."""
    counts = table["idade"].value_counts().sort_index()
    return pd.DataFrame({"idade": counts.index.astype(int), "vendas": counts.to_numpy()})


def scatter_sample(table: pd.DataFrame, limit: int = SCATTER_POINTS, seed: int = 0) -> pd.DataFrame:
    """At most `limit` rows for the valor × idade scatter, drawn evenly at random."""
    columns = ["idade", "valor_centavos", "cidade"]
    if len(table) <= limit:
        sample = table[columns]
    else:  # numpy's Generator draws k of n in O(k); DataFrame.sample shuffles all n
        rows = np.random.default_rng(seed).choice(len(table), limit, replace=False)
        sample = table[columns].iloc[np.sort(rows)]
    return pd.DataFrame(
        {
            "idade": sample["idade"].to_numpy(),
            "valor": sample["valor_centavos"].to_numpy() / 100,
            "cidade": sample["cidade"].astype(str).to_numpy(),
        }
    )


def freshness(now: datetime, last_arrival: datetime | None, delays_ms: list[int]) -> str:
    """The line that says how fresh the page is: when it was drawn, how long ago the last
    sale reached the table, and the produce-to-table delay over the last minute."""
    parts = [f"Atualizado às {now:%H:%M:%S}"]
    if last_arrival is None:
        parts.append("nenhuma venda recebida ainda")
    else:
        parts.append(f"última venda recebida há {ago(now - last_arrival)}")
    if delays_ms:
        ordered = sorted(delays_ms)
        p50, p95 = (
            ordered[len(ordered) // 2],
            ordered[min(len(ordered) - 1, len(ordered) * 95 // 100)],
        )
        parts.append(f"atraso produção→tabela p50 {duration_ms(p50)}, p95 {duration_ms(p95)}")
    return " · ".join(parts)


def live_by_source(table: pd.DataFrame) -> pd.DataFrame:
    """Live records per writer (the `origem` header), most first."""
    counts = table["origem"].value_counts()
    return pd.DataFrame({"origem": counts.index.astype(str), "registros": counts.to_numpy()})


def statistics(table: pd.DataFrame) -> pd.DataFrame:
    """`describe()` of idade and valor (R$), with pt-BR row names."""
    described = pd.DataFrame(
        {
            "idade": _described(table["idade"].to_numpy()),
            "valor": _described(table["valor_centavos"].to_numpy() / 100),
        },
        index=["registros", "média", "desvio padrão", "mínimo", "25%", "mediana", "75%", "máximo"],
    )
    counted = described.index == "registros"
    return pd.DataFrame(
        {
            "idade": _shown(described["idade"], counted, _age),
            "valor": _shown(described["valor"], counted, reais),
        },
        index=described.index,
    )


def _described(values: np.ndarray) -> list[float]:
    """What `describe()` gives (count, mean, sample deviation, min, quartiles, max), for one
    column: the same numpy calls, without pandas' bookkeeping around each statistic."""
    if len(values) == 0:
        return [0, *[float("nan")] * 7]
    quartiles = np.percentile(values, [25, 50, 75]).tolist()
    deviation = float(values.std(ddof=1)) if len(values) > 1 else float("nan")
    low, high = float(values.min()), float(values.max())
    return [len(values), float(values.mean()), deviation, low, *quartiles, high]


def _age(years: float) -> str:
    """An age as people say it: whole where it is whole (18, not 18,0), else one decimal."""
    if years == years and float(years).is_integer():
        return format_int(int(years))
    return decimal_comma(years, 1)


def _shown(
    values: Iterable[float], counted: Iterable[bool], shape: Callable[[float], str]
) -> list[str]:
    """A describe() column as text: the count as an integer, the rest through `shape`."""
    return [format_int(int(v)) if n else shape(v) for v, n in zip(values, counted, strict=True)]
