"""The table's rows in the shapes the page uses: `numeric` (the wire columns, valor in
reais as a number: for the CSV download), `readable` (as a person in Brazil reads them:
for the tables on screen) and `to_xlsx` (a typed Excel workbook).
Every shape lists the newest sale first, by the sale's own time."""

from __future__ import annotations

import io
import re
import unicodedata
from datetime import datetime

import numpy as np
import pandas as pd

from sales_monitor.analysis import places
from sales_monitor.ptbr import brazilian_times, format_brl
from sales_monitor.record import SAO_PAULO

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
    beside the city; valor and time first, the long id last, so a phone shows what matters
    without scrolling sideways. Who wrote it (`origem`) is for the technical details."""
    cities = table["cidade"].astype(str).tolist()
    return pd.DataFrame(
        {
            "valor": [format_brl(c) for c in table["valor_centavos"].tolist()],
            "data e hora": brazilian_times(table["timestamp"]),
            "cidade": cities,
            "uf": places.states_for(cities),
            "nome": table["nome"].to_numpy(),
            "idade": table["idade"].to_numpy(),
            "id": table["id"].to_numpy(),
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


XLSX_COLUMNS = ("id", "nome", "idade", "cidade", "uf", "valor (R$)", "data e hora", "origem")
XLSX_WIDTHS = (18, 28, 7, 22, 5, 14, 20, 16)
BRL_FORMAT = '"R$" #,##0.00'  # Excel shows it in the reader's locale: R$ 1.234,56 in pt-BR
MOMENT_FORMAT = "dd/mm/yyyy hh:mm:ss"
HEADER_ROW = 3  # below the export's moment and filters
MAX_XLSX_ROWS = 1_048_576 - HEADER_ROW - 1  # Excel's own limit: the newest sales that fit


def to_xlsx(table: pd.DataFrame, filters: str, now: datetime) -> bytes:
    """The filtered table as an Excel workbook with typed cells: the id as text (so Excel
    keeps its 15+ digits), valor as a number shown as R$, the sale's moment as a date and
    time (São Paulo), text as text (never a formula, a link or a number); the export's moment
    and filters above the header. `send --file`, Enviar arquivo and the CSV monitor read it
    back."""
    import xlsxwriter  # only a download pays its import

    out = io.BytesIO()
    book = xlsxwriter.Workbook(
        out,
        {
            "constant_memory": True,  # rows go to a temporary file: a million fit
            "strings_to_formulas": False,
            "strings_to_numbers": False,
            "strings_to_urls": False,
        },
    )
    bold = book.add_format({"bold": True})
    brl = book.add_format({"num_format": BRL_FORMAT})
    moment = book.add_format({"num_format": MOMENT_FORMAT})
    sheet = book.add_worksheet("Vendas")
    for column, width in enumerate(XLSX_WIDTHS):
        sheet.set_column(column, column, width)
    sheet.write_string(0, 0, "Exportado em", bold)
    sheet.write_datetime(0, 1, now.astimezone(SAO_PAULO).replace(tzinfo=None), moment)
    sheet.write_string(1, 0, "Filtros", bold)
    sheet.write_string(1, 1, filters or "nenhum: todas as vendas")
    for column, name in enumerate(XLSX_COLUMNS):
        sheet.write_string(HEADER_ROW, column, name, bold)
    sheet.freeze_panes(HEADER_ROW + 1, 0)
    table = table.iloc[newest_first(table, MAX_XLSX_ROWS)]
    cities = table["cidade"].astype(str).tolist()
    moments = table["timestamp"].dt.tz_convert(SAO_PAULO).dt.tz_localize(None).dt.to_pydatetime()
    rows = zip(
        table["id"].tolist(),
        table["nome"].astype(str).tolist(),
        table["idade"].tolist(),
        cities,
        places.states_for(cities),
        table["valor_centavos"].tolist(),
        moments,
        table["origem"].astype(str).tolist(),
        strict=True,
    )
    for row, (record_id, name, age, city, state, cents, when, source) in enumerate(
        rows, HEADER_ROW + 1
    ):
        sheet.write_string(row, 0, str(record_id))
        sheet.write_string(row, 1, name)
        sheet.write_number(row, 2, age)
        sheet.write_string(row, 3, city)
        sheet.write_string(row, 4, state)
        sheet.write_number(row, 5, cents / 100, brl)  # shortest repr: exact to the cent
        sheet.write_datetime(row, 6, when, moment)
        sheet.write_string(row, 7, source)
    book.close()
    return out.getvalue()


def filters_text(query: dict[str, str | list[str]]) -> str:
    """The link's filters as one line for the workbook: `cidade: Natal, Recife; janela: 5min`."""
    parts = []
    for name, value in query.items():
        values = value if isinstance(value, list) else [value]
        parts.append(f"{name}: {', '.join(values)}")
    return "; ".join(parts)


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
