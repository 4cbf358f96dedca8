"""Brazilian money and date formatting; money exact from integer cents."""

from __future__ import annotations

WHEN = "%d/%m/%Y %H:%M:%S"  # 27/08/2025 12:00:00


def format_brl(cents: int) -> str:
    """`123456` -> `R$ 1.234,56` (thousands with dots, decimals with a comma)."""
    sign = "-" if cents < 0 else ""
    reais, centavos = divmod(abs(int(cents)), 100)
    return f"{sign}R$ {reais:,}".replace(",", ".") + f",{centavos:02d}"


def format_int(value: int) -> str:
    """`1234567` -> `1.234.567`."""
    return f"{int(value):,}".replace(",", ".")
