"""An Excel workbook (.xlsx) read as a sales file: the Painel's own download, or any sheet
whose header row names the six columns (the spreadsheet's `valor (R$)` and `data e hora`
too).

The first sheet is read; its header is the first row holding an `id` cell (the Painel's
download puts the export's moment and filters above it). Each cell becomes the text a CSV
would hold (a number in its shortest exact form, a date in ISO 8601) and then passes the
same contract, with the same reasons, as a CSV line; row numbers are the sheet's.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterable
from datetime import date, datetime, time
from decimal import Decimal

from sales_monitor.errors import UnreadableFile
from sales_monitor.files import csv_rows
from sales_monitor.files.csv_rows import Row

ZIP_MAGIC = b"PK\x03\x04"
MAX_UNPACKED_BYTES = 1_000_000_000  # a workbook may unpack to this much, no more
MAX_ROWS = 1_100_000  # Excel's own limit is 1,048,576


def is_workbook(raw: bytes) -> bool:
    return raw.startswith(ZIP_MAGIC)


def read_rows(raw: bytes, source: str) -> list[Row]:
    """Every data row of the first sheet, as a record or a rejection, in sheet order.
    Raises UnreadableFile for a file that is not a workbook, or whose header lacks a column."""
    _check_unpacked_size(raw)
    import openpyxl  # its import takes a while: only files that are workbooks pay it

    try:
        book = openpyxl.load_workbook(io.BytesIO(raw), read_only=True, data_only=True)
    except Exception as error:  # a damaged zip or workbook: any of a dozen errors
        raise UnreadableFile(f"não é uma planilha .xlsx legível ({type(error).__name__})") from None
    try:
        return _rows(book.worksheets[0].iter_rows(values_only=True), source)
    except UnreadableFile:
        raise
    except Exception as error:  # a sheet that breaks the reader midway
        raise UnreadableFile(f"a planilha não pôde ser lida ({type(error).__name__})") from None
    finally:
        book.close()


def _check_unpacked_size(raw: bytes) -> None:
    try:
        with zipfile.ZipFile(io.BytesIO(raw)) as archive:
            unpacked = sum(entry.file_size for entry in archive.infolist())
    except (zipfile.BadZipFile, ValueError, OSError, EOFError):
        raise UnreadableFile("não é uma planilha .xlsx legível (zip danificado)") from None
    if unpacked > MAX_UNPACKED_BYTES:
        raise UnreadableFile(
            f"a planilha descompactada teria {unpacked:,} bytes; o máximo é "
            f"{MAX_UNPACKED_BYTES:,}".replace(",", ".")
        )


def _rows(sheet_rows: Iterable[tuple[object, ...]], source: str) -> list[Row]:
    header: list[str] | None = None
    rows = []
    for number, values in enumerate(sheet_rows, 1):
        cells = ["" if value is None else cell_text(value) for value in values]
        if header is None:
            if "id" in (cell.strip().lower() for cell in cells):
                header = csv_rows.checked_header(_trimmed(cells))
            continue
        if number > MAX_ROWS:
            raise UnreadableFile(f"a planilha tem mais de {MAX_ROWS:,} linhas".replace(",", "."))
        cells = _as_wide_as(header, cells)
        if any(cell.strip() for cell in cells):
            rows.append(Row(number, csv_rows.decode_cells(header, cells, source)))
    if header is None:
        raise UnreadableFile(
            "a planilha não tem uma linha de cabeçalho com as colunas "
            + ", ".join(csv_rows.COLUMNS)
        )
    return rows


def _as_wide_as(header: list[str], cells: list[str]) -> list[str]:
    """A row with a cell for each column: missing ones empty, the empty ones past the
    header dropped (a row with more filled cells than columns keeps them, so the contract
    names it)."""
    width = max(len(header), len(_trimmed(cells)))
    return cells[:width] + [""] * (width - len(cells))


def _trimmed(cells: list[str]) -> list[str]:
    """Without the empty cells at the end of a row (a sheet's rows are as wide as its widest)."""
    end = len(cells)
    while end and not cells[end - 1].strip():
        end -= 1
    return cells[:end]


def cell_text(value: object) -> str:
    """A cell as the text a CSV would hold: numbers exact in their shortest form (a float
    cell of 1234.56 is `1234.56`), moments in ISO 8601."""
    if isinstance(value, float):
        return str(Decimal(repr(value))) if value == value and abs(value) != float("inf") else ""
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, date):
        return f"{value.isoformat()}T00:00:00"
    if isinstance(value, time):
        return value.isoformat()
    return str(value)
