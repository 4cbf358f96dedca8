"""What a person picks on the Painel (cities, states, valor, idade, a time window or a
range of dates, what to compare with), as a value that travels in the page's link, and the
rows it keeps; and the period each metric is compared with: the one of the same length
just before, the same hours yesterday, or the same hours a week ago."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import numpy as np
import pandas as pd

from sales_monitor.analysis import places
from sales_monitor.record import MAX_TEXT, SAO_PAULO, clean_text
from sales_monitor.stream.store import keep_rows

# the time windows a person picks on the page; None: everything in the table
WINDOWS = {
    "Tudo": None,
    "Últimos 5 min": pd.Timedelta(minutes=5),
    "Últimos 15 min": pd.Timedelta(minutes=15),
    "Última hora": pd.Timedelta(hours=1),
    "Últimas 24 h": pd.Timedelta(hours=24),
    "Personalizado": None,  # from `since` to `until`
}
CUSTOM = "Personalizado"
# what the chosen period is compared with: a name on the page, a code in the link, a shift
COMPARISONS = {
    "Período anterior": ("anterior", None),  # None: back by the period's own length
    "Ontem, mesmo horário": ("ontem", pd.Timedelta(days=1)),
    "Semana passada, mesmo horário": ("semana", pd.Timedelta(days=7)),
}
BEFORE = "Período anterior"
LINK_MOMENT = "%Y-%m-%dT%H:%M"  # `de=2025-08-27T12:00`, São Paulo time


@dataclass(frozen=True, slots=True)
class Filters:
    """Sidebar choices; None means "no restriction"."""

    cities: tuple[str, ...] | None = None
    value_cents: tuple[int, int] | None = None
    ages: tuple[int, int] | None = None
    window: str = "Tudo"  # a key of WINDOWS: sales from the last span up to now
    states: tuple[str, ...] | None = None  # UFs
    since: datetime | None = None  # Personalizado: from this minute...
    until: datetime | None = None  # ...to this one, both included
    compare: str = BEFORE  # a key of COMPARISONS

    @property
    def span(self) -> pd.Timedelta | None:
        """How long the chosen period is (None: no period, or an open-ended range)."""
        if self.window == CUSTOM:
            if self.since is None or self.until is None:
                return None
            return pd.Timedelta(self.until - self.since)
        return WINDOWS[self.window]

    @property
    def slides(self) -> bool:
        """Whether the period moves with the clock (a window ending now)."""
        return self.window != CUSTOM and WINDOWS[self.window] is not None


Period = tuple[pd.Timestamp | None, pd.Timestamp | None]  # first and last moment kept


def period(filters: Filters, now: pd.Timestamp) -> Period | None:
    """The moments the filters keep: a window is the span up to now (and any later sale);
    a custom range its two minutes, the last one whole; None: every moment."""
    if filters.window == CUSTOM:
        if filters.since is None and filters.until is None:
            return None
        end = None if filters.until is None else pd.Timestamp(filters.until) + _MINUTE - _MS
        return (None if filters.since is None else pd.Timestamp(filters.since), end)
    span = WINDOWS[filters.window]
    return None if span is None else (now - span, None)


def previous_period(filters: Filters, now: pd.Timestamp) -> Period | None:
    """The period the chosen one is compared with, or None where there is none (no period,
    or one with no length to repeat): the same length just before (the last 15 minutes: the
    15 before them), or the same hours one day or one week earlier."""
    current, span = period(filters, now), filters.span
    if current is None or span is None or current[0] is None:
        return None
    shift = COMPARISONS.get(filters.compare, COMPARISONS[BEFORE])[1]
    if shift is not None:  # a window ending now ends, that day, at the same hour
        end = now if current[1] is None else current[1]
        return (current[0] - shift, end - shift)
    if filters.window == CUSTOM:
        span = span + _MINUTE  # the last minute is kept whole
    return (current[0] - span, current[0] - _MS)


_MINUTE, _MS = pd.Timedelta(minutes=1), pd.Timedelta(milliseconds=1)


AGE_BOUNDS = (0, 130)

# the city list offers at most this many (those with most sales); any other can be typed.
# A list of 100,000 cities made the page's first load and every keystroke in it lag for
# seconds (`uv run bench --only cities` measures both)
CITY_OPTIONS = 1_000


def city_options(table: pd.DataFrame, chosen: list[str], limit: int | None = None) -> list[str]:
    """The cities the filter offers, alphabetically: the `limit` (CITY_OPTIONS) with most
    sales, ties in alphabetical order, and every city already chosen."""
    limit = CITY_OPTIONS if limit is None else limit
    counts = table["cidade"].value_counts(sort=False)
    counts = counts[counts > 0]
    if len(counts) > limit:
        ranked = counts.index.to_numpy()[np.lexsort((counts.index.astype(str), -counts.to_numpy()))]
        counts = counts[ranked[:limit]]
    return sorted(set(counts.index.astype(str)) | set(chosen))


VALUE_FLOOR_REAIS = 2_000


def value_ceiling(table: pd.DataFrame) -> int:
    """The valor slider's top in whole reais: R$ 2.000 or the largest sale, if larger."""
    if table.empty:
        return VALUE_FLOOR_REAIS
    return max(VALUE_FLOOR_REAIS, -(-int(table["valor_centavos"].max()) // 100))


def comparison_label(filters: Filters) -> str:
    """What a metric's change is against, short enough for the metric: `vs. 15 min antes`."""
    return "vs. " + _compared(filters, empty=False)


def empty_comparison(filters: Filters) -> str:
    """What a metric says when the period it is compared with had no sale: `sem vendas 15
    min antes`, `sem vendas ontem, mesmo horário`."""
    return "sem vendas " + _compared(filters, empty=True)


# the period before, as "vs. …" and as "sem vendas …" say it, by window
BEFORE_NAMES = {
    "Últimos 5 min": "5 min antes",
    "Últimos 15 min": "15 min antes",
    "Última hora": "hora anterior",
    "Últimas 24 h": "24 h antes",
}
EMPTY_NAMES = BEFORE_NAMES | {"Última hora": "na hora anterior"}


def _compared(filters: Filters, empty: bool) -> str:
    """The compared period, as said after "vs." or, when it had no sale, "sem vendas"."""
    if filters.compare == "Ontem, mesmo horário":
        return "ontem, mesmo horário"
    if filters.compare == "Semana passada, mesmo horário":
        return "na semana passada, mesmo horário" if empty else "semana passada"
    if empty:
        return EMPTY_NAMES.get(filters.window, "no período anterior")
    return BEFORE_NAMES.get(filters.window, "período anterior")


MAX_VALUE_STOPS = 200


def value_stops(top: int) -> list[int]:
    """The valor slider's stops in whole reais, 0 to `top` (included), at most about 200
    of them, in round steps (R$ 10 up to R$ 2.000, R$ 50 up to R$ 10.000...)."""
    steps = (m * 10**k for k in range(13) for m in (1, 2, 5))
    step = next(step for step in steps if top / step <= MAX_VALUE_STOPS)
    stops = list(range(0, top + 1, step))
    return stops if stops[-1] == top else [*stops, top]


def snap(value: int, stops: list[int]) -> int:
    """The stop nearest to `value` (a link may carry any number)."""
    return min(stops, key=lambda stop: (abs(stop - value), stop))


def filters_from_choices(
    cities: list[str],
    values: tuple[int, int],
    value_top: int,
    ages: tuple[int, int],
    window: str = "Tudo",
    states: list[str] | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    compare: str = BEFORE,
) -> Filters:
    """Sidebar widget values to Filters; a slider left at its full range filters nothing,
    so sales outside the slider's range are not hidden by default; dates count only for
    Personalizado, and a range given backwards is put right."""
    if window != CUSTOM:
        since = until = None
    elif since is not None and until is not None and until < since:
        since, until = until, since
    return Filters(
        cities=tuple(cities) or None,
        value_cents=None if values == (0, value_top) else (values[0] * 100, values[1] * 100),
        ages=None if tuple(ages) == AGE_BOUNDS else (ages[0], ages[1]),
        window=window,
        states=tuple(states or ()) or None,
        since=since,
        until=until,
        compare=compare if compare in COMPARISONS else BEFORE,
    )


WINDOW_CODES = {"Tudo": "tudo", "Últimos 5 min": "5min", "Últimos 15 min": "15min",
                "Última hora": "1h", "Últimas 24 h": "24h",
                "Personalizado": "personalizado"}  # fmt: skip


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
    if filters.states:
        query["uf"] = list(filters.states)
    if filters.since is not None:
        query["de"] = filters.since.strftime(LINK_MOMENT)
    if filters.until is not None:
        query["ate"] = filters.until.strftime(LINK_MOMENT)
    if filters.compare != BEFORE:
        query["comparar"] = COMPARISONS[filters.compare][0]
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
    states = (s.strip().upper() for s in query.get("uf", [])[: len(places.STATES)])
    since, until = _moment(_last(query, "de")), _moment(_last(query, "ate"))
    if since is not None or until is not None:
        window = CUSTOM
    return {
        "cities": list(dict.fromkeys(c for c in cities if 0 < len(c) <= MAX_TEXT)),
        "values": _range(_last(query, "valor"), (0, value_top)),
        "ages": _range(_last(query, "idade"), AGE_BOUNDS),
        "window": window,
        "states": list(dict.fromkeys(s for s in states if s in places.STATES)),
        "since": since,
        "until": until,
        "compare": next(
            (name for name, (code, _) in COMPARISONS.items() if code == _last(query, "comparar")),
            BEFORE,
        ),
        "notes": link_notes(query),
    }


def link_notes(query: dict[str, list[str]]) -> list[str]:
    """What of a link the page could not keep, in a sentence each: never a silent cut."""
    notes = []
    if (cities := len(query.get("cidade", []))) > MAX_LINK_CITIES:
        notes.append(
            f"O link filtra {cities:,} cidades; a página usa as primeiras "
            f"{MAX_LINK_CITIES}.".replace(",", ".")
        )
    for name in ("valor", "idade"):
        if (text := _last(query, name)) and not _understood(text):
            notes.append(f"O filtro de {name} do link não foi entendido e ficou sem limite.")
    for name in ("de", "ate"):
        if _last(query, name) and _moment(_last(query, name)) is None:
            notes.append(f"A data '{name}' do link não foi entendida e foi ignorada.")
    return notes


def _understood(text: str) -> bool:
    """A range a link may hold: `low-high`, whole numbers, low ≤ high."""
    low, _, high = text.partition("-")
    return _whole_number(low) and _whole_number(high) and int(low) <= int(high)


def _moment(text: str) -> datetime | None:
    """`2025-08-27T12:00` as São Paulo time; anything else (too long, a date that does not
    exist, outside the years a sale may have) is None."""
    if len(text) != len("2025-08-27T12:00"):
        return None
    try:
        moment = datetime.strptime(text, LINK_MOMENT)
    except ValueError:
        return None
    return moment.replace(tzinfo=SAO_PAULO) if 2000 <= moment.year <= 2099 else None


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
    table: pd.DataFrame,
    filters: Filters,
    now: pd.Timestamp | None = None,
    moments: Period | None = None,
) -> pd.DataFrame:
    """The rows the filters keep; the time window ends at `now` (the clock by default), so
    it slides on every refresh. `moments` replaces the filters' own period (the previous
    one, for the comparison)."""
    keep = np.ones(len(table), dtype=bool)
    if filters.cities is not None:
        keep &= table["cidade"].isin(filters.cities).to_numpy()
    if filters.states is not None:
        distinct = pd.unique(table["cidade"]).tolist()
        keep &= table["cidade"].isin(places.cities_in(filters.states, distinct)).to_numpy()
    if filters.value_cents is not None:
        low, high = filters.value_cents
        keep &= table["valor_centavos"].between(low, high).to_numpy()
    if filters.ages is not None:
        low, high = filters.ages
        keep &= table["idade"].between(low, high).to_numpy()
    now = pd.Timestamp.now(tz="America/Sao_Paulo") if now is None else now
    if moments is None:
        moments = period(filters, now)
    if moments is not None:
        first, last = moments
        if first is not None:
            keep &= (table["timestamp"] >= first).to_numpy()
        if last is not None:
            keep &= (table["timestamp"] <= last).to_numpy()
    if keep.all():
        return table
    return keep_rows(table, keep)
