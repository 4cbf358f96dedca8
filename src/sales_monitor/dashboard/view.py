"""Every number the dashboard shows, as pure functions of a store snapshot.

Each function takes the table (columns as in `store.COLUMNS`) and returns plain values or
small frames; nothing here talks to Kafka or Streamlit. What reaches the browser is
aggregated or sampled here, so a million-row table still sends a few kilobytes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal

import numpy as np
import pandas as pd

from sales_monitor.dashboard.store import keep_rows
from sales_monitor.ptbr import format_brl, format_int
from sales_monitor.record import MAX_TEXT, clean_text

SCATTER_POINTS = 5_000
PIE_SLICES = 8  # the largest cities; the rest share one slice, "Outras"
TABLE_ROWS = 1_000
ALERT_ROWS = 20
TREND_POINTS = 300  # the trend's bucket is the smallest that keeps it to this many points
BUCKETS = [pd.Timedelta(t) for t in ("5s", "15s", "1min", "5min", "15min", "1h", "6h", "1D")]
# the time windows a person picks on the page; None: everything in the table
WINDOWS = {
    "Tudo": None,
    "Últimos 5 min": pd.Timedelta(minutes=5),
    "Últimos 15 min": pd.Timedelta(minutes=15),
    "Última hora": pd.Timedelta(hours=1),
    "Últimas 24 h": pd.Timedelta(hours=24),
}


@dataclass(frozen=True, slots=True)
class Filters:
    """Sidebar choices; None means "no restriction"."""

    cities: tuple[str, ...] | None = None
    value_cents: tuple[int, int] | None = None
    ages: tuple[int, int] | None = None
    window: str = "Tudo"  # a key of WINDOWS: sales from the last span up to now

    @property
    def span(self) -> pd.Timedelta | None:
        return WINDOWS[self.window]


@dataclass(frozen=True, slots=True)
class Summary:
    total_cents: int
    mean_cents: int | None
    count: int
    mean_age: float | None


AGE_BOUNDS = (0, 130)
VALUE_FLOOR_REAIS = 2_000


def value_ceiling(table: pd.DataFrame) -> int:
    """The valor slider's top in whole reais: R$ 2.000 or the largest sale, if larger."""
    if table.empty:
        return VALUE_FLOOR_REAIS
    return max(VALUE_FLOOR_REAIS, -(-int(table["valor_centavos"].max()) // 100))


def filters_from_choices(
    cities: list[str],
    values: tuple[int, int],
    value_top: int,
    ages: tuple[int, int],
    window: str = "Tudo",
) -> Filters:
    """Sidebar widget values to Filters; a slider left at its full range filters nothing,
    so sales outside the slider's range are not hidden by default."""
    return Filters(
        cities=tuple(cities) or None,
        value_cents=None if values == (0, value_top) else (values[0] * 100, values[1] * 100),
        ages=None if tuple(ages) == AGE_BOUNDS else tuple(ages),
        window=window,
    )


WINDOW_CODES = {"Tudo": "tudo", "Últimos 5 min": "5min", "Últimos 15 min": "15min",
                "Última hora": "1h", "Últimas 24 h": "24h"}  # fmt: skip


def query_from_filters(filters: Filters) -> dict[str, str | list[str]]:
    """The filters as URL parameters, so a filtered view can be shared as a link:
    `?cidade=Natal&cidade=Recife&valor=100-500&idade=18-30&janela=5min`."""
    query: dict[str, str | list[str]] = {}
    if filters.cities:
        query["cidade"] = list(filters.cities)
    if filters.value_cents is not None:
        query["valor"] = f"{filters.value_cents[0] // 100}-{filters.value_cents[1] // 100}"
    if filters.ages is not None:
        query["idade"] = f"{filters.ages[0]}-{filters.ages[1]}"
    if filters.window != "Tudo":
        query["janela"] = WINDOW_CODES[filters.window]
    return query


MAX_LINK_CITIES = 100
MAX_LINK_DIGITS = 12  # a bound in whole reais or years; R$ 100 bilhões has 12 digits


def choices_from_query(query: dict[str, list[str]], value_top: int) -> dict:
    """Widget starting values from URL parameters; what cannot be read is left at its
    default (every city, the full ranges, all the time). Any link gives widget values:
    cities are cleaned like the contract's text, numbers are ASCII digits of bounded length."""
    by_code = {code: name for name, code in WINDOW_CODES.items()}
    window = by_code.get(_last(query, "janela"), "Tudo")
    cities = (clean_text(c) for c in query.get("cidade", [])[:MAX_LINK_CITIES])
    return {
        "cities": list(dict.fromkeys(c for c in cities if 0 < len(c) <= MAX_TEXT)),
        "values": _range(_last(query, "valor"), (0, value_top)),
        "ages": _range(_last(query, "idade"), AGE_BOUNDS),
        "window": window,
    }


def _last(query: dict[str, list[str]], name: str) -> str:
    values = query.get(name) or [""]
    return values[-1]


def _range(text: str, bounds: tuple[int, int]) -> tuple[int, int]:
    low, _, high = text.partition("-")
    if not all(_whole_number(part) for part in (low, high)):
        return bounds
    low, high = max(bounds[0], int(low)), min(bounds[1], int(high))
    return (low, high) if low <= high else bounds


def _whole_number(text: str) -> bool:
    return text.isascii() and text.isdigit() and len(text) <= MAX_LINK_DIGITS


def apply_filters(
    table: pd.DataFrame, filters: Filters, now: pd.Timestamp | None = None
) -> pd.DataFrame:
    """The rows the filters keep; the time window ends at `now` (the clock by default), so
    it slides on every refresh."""
    keep = np.ones(len(table), dtype=bool)
    if filters.cities is not None:
        keep &= table["cidade"].isin(filters.cities).to_numpy()
    if filters.value_cents is not None:
        low, high = filters.value_cents
        keep &= table["valor_centavos"].between(low, high).to_numpy()
    if filters.ages is not None:
        low, high = filters.ages
        keep &= table["idade"].between(low, high).to_numpy()
    if filters.span is not None:
        now = pd.Timestamp.now(tz="America/Sao_Paulo") if now is None else now
        keep &= (table["timestamp"] >= now - filters.span).to_numpy()
    if keep.all():
        return table
    return keep_rows(table, keep)


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


def city_share(by_city: pd.DataFrame, slices: int = PIE_SLICES) -> pd.DataFrame:
    """Sales per city for the pie: the `slices` largest by sales, the rest as "Outras"."""
    ranked = by_city.sort_values("vendas", ascending=False, kind="stable")
    top, rest = ranked.iloc[:slices], ranked.iloc[slices:]
    shares = pd.DataFrame({"cidade": top["cidade"].to_numpy(), "vendas": top["vendas"].to_numpy()})
    if len(rest):
        others = pd.DataFrame({"cidade": ["Outras"], "vendas": [int(rest["vendas"].sum())]})
        shares = pd.concat([shares, others], ignore_index=True)
    return shares


def age_distribution(table: pd.DataFrame) -> pd.DataFrame:
    """Sales per year of age: the histogram, binned here instead of in the browser."""
    counts = table["idade"].value_counts().sort_index()
    return pd.DataFrame({"idade": counts.index.astype(int), "vendas": counts.to_numpy()})


def scatter_sample(table: pd.DataFrame, limit: int = SCATTER_POINTS, seed: int = 0):
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


def _within_hour(bucket: pd.Timedelta) -> bool:
    """Buckets that divide an hour: São Paulo's offsets are whole hours, so these can be
    counted on the UTC clock and still start on local boundaries."""
    return not pd.Timedelta(hours=1) % bucket


def _bucket_numbers(moments: pd.Series, bucket: pd.Timedelta) -> tuple[np.ndarray, int]:
    """Each moment's bucket number on the integer clock, and the bucket in clock ticks."""
    unit = np.datetime_data(moments.dtype.base)[0]
    step = bucket // pd.Timedelta(1, unit=unit)
    return moments.array.asi8 // step, step


def _as_moments(ticks: np.ndarray, like: pd.Series) -> pd.DatetimeIndex:
    """Clock ticks as moments of `like`'s unit and time zone."""
    index = pd.DatetimeIndex(ticks.astype(like.dtype.base), copy=False)
    return index.tz_localize("UTC").tz_convert(like.dt.tz)


def _floor(moments: pd.Series, bucket: pd.Timedelta) -> pd.Series:
    """Each moment's bucket start. Buckets within an hour are floored on the integer clock,
    which skips the time-zone round trip that `dt.floor` makes over every row."""
    if not _within_hour(bucket):  # 6 h, a day: local midnight can repeat or not exist
        no = np.zeros(len(moments), dtype=bool)  # (in the years São Paulo had summer time)
        return moments.dt.floor(bucket, ambiguous=no, nonexistent="shift_forward")
    numbers, step = _bucket_numbers(moments, bucket)
    return pd.Series(_as_moments(numbers * step, moments), index=moments.index)


def _latest_buckets(moments: pd.Series, cents: np.ndarray, bucket: pd.Timedelta):
    """The last TREND_POINTS buckets (within an hour) and the cents summed in each, quiet
    ones as zero: counted by bucket number on the integer clock, a tenth of a group-by
    over a million timestamps. Float sums are exact below 2**53 cents a bucket."""
    numbers, step = _bucket_numbers(moments, bucket)
    first, last = int(numbers.min()), int(numbers.max())
    shown = min(TREND_POINTS, last - first + 1)
    slot = numbers - (last - shown + 1)  # 0 .. shown-1 for the buckets kept
    kept = slot >= 0
    sums = np.bincount(slot[kept], weights=cents[kept], minlength=shown)
    starts = _as_moments((np.arange(shown) + (last - shown + 1)) * step, moments)
    return starts, sums.round().astype("int64")


def trend_bucket(span: pd.Timedelta) -> pd.Timedelta:
    """The smallest bucket that draws `span` in at most TREND_POINTS points: 5 s over five
    minutes, so a fresh demo moves within seconds; an hour or a day over long runs."""
    return next((b for b in BUCKETS if span / b <= TREND_POINTS), BUCKETS[-1])


def revenue_trend(table: pd.DataFrame, span: pd.Timedelta | None = None) -> pd.DataFrame:
    """Valor (R$) summed per bucket, quiet buckets as zero, over `span` (the time window)
    or, without one, over the table's own time range. `attrs["bucket"]` is the bucket."""
    if table.empty:
        empty = pd.DataFrame({"momento": pd.Series(dtype=table["timestamp"].dtype), "valor": []})
        empty.attrs["bucket"] = BUCKETS[0]
        return empty
    moments = table["timestamp"]
    bucket = trend_bucket(span if span is not None else moments.max() - moments.min())
    cents = table["valor_centavos"]
    if not _within_hour(bucket):
        summed = cents.groupby(_floor(moments, bucket)).sum()
        summed = summed.resample(bucket).sum().iloc[-TREND_POINTS:]  # quiet buckets: zero
        starts, sums = summed.index, summed.to_numpy()
    else:
        starts, sums = _latest_buckets(moments, cents.to_numpy(), bucket)
    trend = pd.DataFrame({"momento": starts, "valor": sums / 100})
    trend.attrs["bucket"] = bucket
    return trend


def high_ticket(table: pd.DataFrame, threshold_cents: int, limit: int = ALERT_ROWS):
    """The latest sales at or above the threshold, latest first."""
    # positions first, then only the rows shown: a boolean mask over a million rows made
    # pandas copy every hit of every column
    hits = np.flatnonzero(table["valor_centavos"].to_numpy() >= threshold_cents)
    return for_people(table.iloc[hits[: -limit - 1 : -1] if limit else hits[:0]])


def latest(table: pd.DataFrame, limit: int = TABLE_ROWS) -> pd.DataFrame:
    """The most recently written rows, latest first (the store keeps last-write order)."""
    return for_people(table.iloc[: -limit - 1 : -1] if limit else table.iloc[0:0])


def for_display(table: pd.DataFrame) -> pd.DataFrame:
    """The wire columns, with valor in reais, as the table and the CSV show them."""
    return pd.DataFrame(
        {
            "id": table["id"].to_numpy(),
            "nome": table["nome"].to_numpy(),
            "idade": table["idade"].to_numpy(),
            "cidade": table["cidade"].to_numpy(),
            "valor": table["valor_centavos"].to_numpy() / 100,
            "timestamp": table["timestamp"].array,
            "origem": table["origem"].array,
        }
    )


def for_people(table: pd.DataFrame) -> pd.DataFrame:
    """The wire columns as a person in Brazil reads them: R$ 1.820,83, 27/08/2025 12:00:00."""
    shown = for_display(table)
    shown["valor"] = [format_brl(c) for c in table["valor_centavos"].tolist()]
    shown["timestamp"] = _brazilian_times(table["timestamp"])
    return shown


def _brazilian_times(moments: pd.Series) -> list[str]:
    """27/08/2025 12:00:00, in the timestamps' own (São Paulo) wall time. Through ISO text:
    ~10x faster than strftime on time-zone-aware values."""
    local = moments.dt.tz_localize(None).to_numpy().astype("datetime64[s]")
    return [f"{t[8:10]}/{t[5:7]}/{t[:4]} {t[11:19]}" for t in np.datetime_as_string(local)]


def freshness(now: datetime, last_arrival: datetime | None, delays_ms: list[int]) -> str:
    """The line that says how fresh the page is: when it was drawn, how long ago the last
    sale reached the table, and the produce-to-table delay over the last minute."""
    parts = [f"Atualizado às {now:%H:%M:%S}"]
    if last_arrival is None:
        parts.append("nenhuma venda recebida ainda")
    else:
        parts.append(f"última venda recebida há {_ago(now - last_arrival)}")
    if delays_ms:
        ordered = sorted(delays_ms)
        p50, p95 = (
            ordered[len(ordered) // 2],
            ordered[min(len(ordered) - 1, len(ordered) * 95 // 100)],
        )
        parts.append(f"atraso produção→tabela p50 {_duration_ms(p50)}, p95 {_duration_ms(p95)}")
    return " · ".join(parts)


def _ago(elapsed) -> str:
    seconds = max(0, int(elapsed.total_seconds()))
    if seconds < 60:
        return f"{seconds} s"
    if seconds < 3600:
        return f"{seconds // 60} min"
    return f"{seconds // 3600} h {seconds % 3600 // 60} min"


def _duration_ms(ms: int) -> str:
    if ms < 1000:
        return f"{max(0, ms)} ms"
    return _decimal_comma(ms / 1000, 1) + " s"


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
            "idade": _shown(described["idade"], counted, lambda v: _decimal_comma(v, 1)),
            "valor": _shown(described["valor"], counted, _reais),
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


def _shown(values, counted, shape) -> list[str]:
    """A describe() column as text: the count as an integer, the rest through `shape`."""
    return [format_int(v) if n else shape(v) for v, n in zip(values, counted, strict=True)]


def _decimal_comma(value: float, places: int) -> str:
    if value != value:  # NaN: describe() of one row has no deviation
        return "—"
    return f"{value:,.{places}f}".replace(",", "_").replace(".", ",").replace("_", ".")


def _reais(value: float) -> str:
    """Half a cent rounds up, as a person expects (150,005 -> R$ 150,01)."""
    if value != value:
        return "—"
    return format_brl(int(Decimal(repr(value)).quantize(Decimal("0.01"), ROUND_HALF_UP) * 100))


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(text: str) -> str:
    """A cell a spreadsheet will not run as a formula (OWASP: prefix a single quote)."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def to_csv(table: pd.DataFrame) -> bytes:
    """The filtered table as CSV, valor exact to the cent, text cells formula-safe."""
    display = for_display(table)
    display["valor"] = _cents_text(table["valor_centavos"].to_numpy())
    for column in ("nome", "cidade", "origem"):
        display[column] = [spreadsheet_safe(text) for text in display[column].tolist()]
    return display.to_csv(index=False).encode("utf-8")


def _cents_text(cents: np.ndarray) -> list[str]:
    return [f"{c // 100}.{c % 100:02d}" for c in cents.tolist()]
