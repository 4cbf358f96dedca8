"""How the project writes numbers, money and moments for people in Brazil: R$ 1.234,56,
1.234.567, 27/08/2025 12:00:00, "há 5 min". Money is exact from integer cents."""

from __future__ import annotations

from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal

import numpy as np
import pandas as pd

WHEN = "%d/%m/%Y %H:%M:%S"  # 27/08/2025 12:00:00


def format_brl(cents: int) -> str:
    """`123456` -> `R$ 1.234,56` (thousands with dots, decimals with a comma)."""
    sign = "-" if cents < 0 else ""
    reais, centavos = divmod(abs(int(cents)), 100)
    return f"{sign}R$ {reais:,}".replace(",", ".") + f",{centavos:02d}"


def format_int(value: int) -> str:
    """`1234567` -> `1.234.567`."""
    return f"{int(value):,}".replace(",", ".")


def short_brl(reais: float) -> str:
    """An axis label: `R$ 500`, `R$ 12 mil`, `R$ 2,5 mil`, `R$ 2,5 mi`, `R$ 1,2 bi`."""
    sign, amount = ("-" if reais < 0 else ""), abs(reais)
    for size, word in ((1e9, "bi"), (1e6, "mi"), (1e3, "mil")):
        if amount >= size:
            shown = f"{amount / size:.1f}".rstrip("0").rstrip(".").replace(".", ",")
            return f"{sign}R$ {shown} {word}"
    return f"{sign}R$ {amount:.0f}"


def signed_percent(share: float) -> str:
    """`+12,3%`, `-4,0%`, `+2.900,3%`: a point between thousands, a decimal comma."""
    return f"{share:+,.1%}".replace(",", "_").replace(".", ",").replace("_", ".")


def count_of(n: int, singular: str, plural: str) -> str:
    """`1 mensagem`, `0 mensagens`, `1.234 mensagens`."""
    return f"{format_int(n)} {singular if n == 1 else plural}"


def brazilian_times(moments: pd.Series) -> list[str]:
    """27/08/2025 12:00:00, in the timestamps' own (São Paulo) wall time. Through ISO text:
    1.5x as fast as strftime on time-zone-aware values (`uv run bench --micro`)."""
    local = moments.dt.tz_localize(None).to_numpy().astype("datetime64[s]")
    return [f"{t[8:10]}/{t[5:7]}/{t[:4]} {t[11:19]}" for t in np.datetime_as_string(local)]


def ago(elapsed: timedelta) -> str:
    seconds = max(0, int(elapsed.total_seconds()))
    if seconds < 60:
        return f"{seconds} s"
    if seconds < 3600:
        return f"{seconds // 60} min"
    return f"{seconds // 3600} h {seconds % 3600 // 60} min"


def duration_ms(ms: int) -> str:
    if ms < 1000:
        return f"{max(0, ms)} ms"
    return decimal_comma(ms / 1000, 1) + " s"


def decimal_comma(value: float, places: int) -> str:
    if value != value:  # NaN: describe() of one row has no deviation
        return "—"
    return f"{value:,.{places}f}".replace(",", "_").replace(".", ",").replace("_", ".")


def reais(value: float) -> str:
    """Half a cent rounds up, as a person expects (150,005 -> R$ 150,01)."""
    if value != value:
        return "—"
    return format_brl(int(Decimal(repr(value)).quantize(Decimal("0.01"), ROUND_HALF_UP) * 100))
