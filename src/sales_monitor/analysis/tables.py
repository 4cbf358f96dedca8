"""The table's rows in the shapes the page uses: `numeric` (the wire columns, valor in
reais as a number: for the CSV download), `readable` (as a person in Brazil reads them:
for the tables on screen) and `to_excel_csv` (what a pt-BR spreadsheet opens as is).
Every shape lists the newest sale first, by the sale's own time."""

from __future__ import annotations

import re
import unicodedata
from datetime import datetime

import numpy as np
import pandas as pd

from sales_monitor.analysis import places
from sales_monitor.ptbr import brazilian_times, format_brl

TABLE_ROWS = 1_000


ALERT_ROWS = 20


def high_ticket(table: pd.DataFrame, threshold_cents: int, limit: int = ALERT_ROWS) -> pd.DataFrame:
    """The latest sales (by sale time) at or above the threshold, latest first."""
    # positions first, then only the rows shown: a boolean mask over a million rows made
    # pandas copy every hit of every column
    hits = np.flatnonzero(table["valor_centavos"].to_numpy() >= threshold_cents)
    return readable(table.iloc[hits[newest_first(table.iloc[hits], limit)]])


def latest(table: pd.DataFrame, limit: int = TABLE_ROWS) -> pd.DataFrame:
    """The `limit` latest sales by sale time (not by when they were written), latest first."""
    return readable(table.iloc[newest_first(table, limit)])


def newest_first(table: pd.DataFrame, limit: int | None = None) -> np.ndarray:
    """Positions of the rows by sale time, newest first, at most `limit` of them: the
    `limit` newest are picked in linear time, then only they are sorted; equal times keep
    the later write first."""
    moments = table["timestamp"].array.asi8 if len(table) else np.empty(0, "int64")
    count = len(moments) if limit is None else min(limit, len(moments))
    if count == 0:
        return np.empty(0, "int64")
    order = -moments
    picked = np.arange(len(moments))
    if count < len(moments):
        picked = np.argpartition(order, count - 1)[:count]
    # by time, and among equal times the later row (the later write) first
    return picked[np.lexsort((-picked, order[picked]))]


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
    """The sale as a person in Brazil reads it: R$ 1.820,83, 27/08/2025 12:00:00, the state
    beside the city; who wrote it (`origem`) is for the technical details and the CSV."""
    cities = table["cidade"].astype(str).tolist()
    return pd.DataFrame(
        {
            "id": table["id"].to_numpy(),
            "nome": table["nome"].to_numpy(),
            "idade": table["idade"].to_numpy(),
            "cidade": cities,
            "uf": places.states_for(cities),
            "valor": [format_brl(c) for c in table["valor_centavos"].tolist()],
            "data e hora": brazilian_times(table["timestamp"]),
        }
    )


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(text: str) -> str:
    """A cell a spreadsheet will not run as a formula (OWASP: prefix a single quote)."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def to_csv(table: pd.DataFrame) -> bytes:
    """The filtered table as CSV for programs: comma, valor with a point, exact to the cent,
    ISO times, newest first, text cells formula-safe."""
    table = table.iloc[newest_first(table)]
    display = numeric(table)
    display["valor"] = _cents_text(table["valor_centavos"].to_numpy())
    for column in ("nome", "cidade", "origem"):
        display[column] = [spreadsheet_safe(text) for text in display[column].tolist()]
    return display.to_csv(index=False).encode("utf-8")


def to_excel_csv(table: pd.DataFrame) -> bytes:
    """The filtered table as a pt-BR Excel opens it in columns: `;` between cells, valor
    with a decimal comma (`1234,56`), dates as 27/08/2025 12:00:00, UTF-8 with a byte-order
    mark (else accents are mangled), newest first, text cells formula-safe."""
    table = table.iloc[newest_first(table)]
    cities = table["cidade"].astype(str).tolist()
    sheet = pd.DataFrame(
        {
            "id": table["id"].to_numpy(),
            "nome": [spreadsheet_safe(t) for t in table["nome"].tolist()],
            "idade": table["idade"].to_numpy(),
            "cidade": [spreadsheet_safe(c) for c in cities],
            "uf": places.states_for(cities),
            "valor (R$)": [f"{c // 100},{c % 100:02d}" for c in table["valor_centavos"].tolist()],
            "data e hora": brazilian_times(table["timestamp"]),
            "origem": [spreadsheet_safe(t) for t in table["origem"].tolist()],
        }
    )
    return sheet.to_csv(index=False, sep=";", lineterminator="\r\n").encode("utf-8-sig")


def file_name(query: dict[str, str | list[str]], now: datetime, kind: str = "csv") -> str:
    """`vendas_2025-08-27_1200_cidade-natal_janela-5min.csv`: the moment and the active
    filters (the link's parameters), in ASCII, at most about 120 characters."""
    parts = []
    for name, value in query.items():
        values = value if isinstance(value, list) else [value]
        parts.append(f"{name}-{'-'.join(values)}")
    slug = _ascii_slug("_".join(parts))[:80].strip("-_")
    stem = f"vendas_{now:%Y-%m-%d_%H%M}" + (f"_{slug}" if slug else "")
    return f"{stem}.{kind}"


def _ascii_slug(text: str) -> str:
    bare = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9_-]+", "-", bare.casefold())


def _cents_text(cents: np.ndarray) -> list[str]:
    return [f"{c // 100}.{c % 100:02d}" for c in cents.tolist()]
