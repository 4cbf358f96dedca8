"""The table's rows in the two shapes the page uses: `numeric` (the wire columns, valor
in reais as a number: for the CSV download) and `readable` (as a person in Brazil reads
them: for the tables on screen)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from sales_monitor.ptbr import brazilian_times, format_brl

TABLE_ROWS = 1_000


ALERT_ROWS = 20


def high_ticket(table: pd.DataFrame, threshold_cents: int, limit: int = ALERT_ROWS):
    """The latest sales at or above the threshold, latest first."""
    # positions first, then only the rows shown: a boolean mask over a million rows made
    # pandas copy every hit of every column
    hits = np.flatnonzero(table["valor_centavos"].to_numpy() >= threshold_cents)
    return readable(table.iloc[hits[: -limit - 1 : -1] if limit else hits[:0]])


def latest(table: pd.DataFrame, limit: int = TABLE_ROWS) -> pd.DataFrame:
    """The most recently written rows, latest first (the store keeps last-write order)."""
    return readable(table.iloc[: -limit - 1 : -1] if limit else table.iloc[0:0])


def numeric(table: pd.DataFrame) -> pd.DataFrame:
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


def readable(table: pd.DataFrame) -> pd.DataFrame:
    """The wire columns as a person in Brazil reads them: R$ 1.820,83, 27/08/2025 12:00:00."""
    shown = numeric(table)
    shown["valor"] = [format_brl(c) for c in table["valor_centavos"].tolist()]
    shown["timestamp"] = brazilian_times(table["timestamp"])
    return shown


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(text: str) -> str:
    """A cell a spreadsheet will not run as a formula (OWASP: prefix a single quote)."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def to_csv(table: pd.DataFrame) -> bytes:
    """The filtered table as CSV, valor exact to the cent, text cells formula-safe."""
    display = numeric(table)
    display["valor"] = _cents_text(table["valor_centavos"].to_numpy())
    for column in ("nome", "cidade", "origem"):
        display[column] = [spreadsheet_safe(text) for text in display[column].tolist()]
    return display.to_csv(index=False).encode("utf-8")


def _cents_text(cents: np.ndarray) -> list[str]:
    return [f"{c // 100}.{c % 100:02d}" for c in cents.tolist()]
