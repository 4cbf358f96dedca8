"""What a person picks on the Painel (cities, valor, idade, a time window), as a value
that travels in the page's link, and the rows it keeps."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from sales_monitor.dashboard.store import keep_rows
from sales_monitor.record import MAX_TEXT, clean_text

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
        ages=None if tuple(ages) == AGE_BOUNDS else (ages[0], ages[1]),
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
    low_text, _, high_text = text.partition("-")
    if not all(_whole_number(part) for part in (low_text, high_text)):
        return bounds
    low, high = max(bounds[0], int(low_text)), min(bounds[1], int(high_text))
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
