"""Sales from a CSV file as Brazilian spreadsheets save it, checked by the record contract.

Accepted (docs/record-contract.md lists the same):
- encoding UTF-8, with or without BOM, or Windows-1252 (Excel's pt-BR default);
- separator `;` or `,`, found in the header line; a header naming the six columns
  `id, nome, idade, cidade, valor, timestamp` in any order and case (others are ignored);
- `valor` as `450`, `450.00`, `450,00` or `1.234,56` (a comma makes it the decimal mark and
  dots thousands separators; without a comma, a dot is the decimal mark);
- `timestamp` as ISO 8601 or `dd/mm/aaaa HH:MM[:SS]` (São Paulo time unless it has an offset).

Bounds, so any file gives rows and line-numbered rejections in bounded memory: at most
MAX_FILE_BYTES, a line at most MAX_LINE_CHARS (longer: that line is refused), a header at
most MAX_COLUMNS columns (more: the file is refused). An id repeated in a file: the first
row counts, each later one is rejected with the line of the first (`reject_repeats`, the
rule of every reader of files).

This module only turns text into the wire fields; every rule about them is the contract's.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal

from sales_monitor.errors import UnreadableFile
from sales_monitor.record import FIELDS, MANUAL_SOURCE, Decoded, Rejection, SaleRecord, from_fields

COLUMNS = FIELDS  # the record's own, in its order
# the Painel's spreadsheet names two columns as a person reads them; they read back as these
ALIASES = {"valor (r$)": "valor", "data e hora": "timestamp"}
MAX_FILE_BYTES = 100 * 2**20  # 100 MiB: about 1.4 million sales
MAX_LINE_CHARS = 10_000  # a sale's row is under 500
MAX_COLUMNS = 50
MAX_INTEGER_DIGITS = 25  # beyond: left as text, and the contract says what is wrong
_INTEGER = re.compile(r"[+-]?\d+")
_DECIMAL_POINT = re.compile(r"[+-]?\d+(\.\d+)?")
_DECIMAL_COMMA = re.compile(r"[+-]?\d{1,3}(\.\d{3})*(,\d+)?|[+-]?\d+(,\d+)?")
_THOUSANDS_ONLY = re.compile(r"[+-]?\d{1,3}(\.\d{3})+")  # 1.234: a thousand, or 1.234 reais?
_BR_MOMENT = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})[ T](\d{1,2}):(\d{2})(?::(\d{2}))?")


@dataclass(frozen=True, slots=True)
class Row:
    line: int  # 1-based line in the file where the row starts
    decoded: Decoded
    written_at: tuple[int, int] | None = None  # (partition, offset) of an exported message
    written_ms: int = -1  # an exported message's timestamp (-1: none)

    @property
    def reason(self) -> str:
        """Why the row was refused ("" for a row that was not)."""
        return self.decoded.reason if isinstance(self.decoded, Rejection) else ""


def check_size(raw: bytes) -> None:
    if len(raw) > MAX_FILE_BYTES:
        raise UnreadableFile(
            f"o arquivo tem {len(raw) / 2**20:.0f} MiB; o máximo é {MAX_FILE_BYTES // 2**20} MiB"
        )


def decode_text(raw: bytes) -> str:
    """UTF-8 (BOM or not); a file that is not UTF-8 throughout is decoded line by line, each
    line as UTF-8 where it is, else as Windows-1252 (every byte means something there), so a
    file with lines of both keeps both right and each row is checked on its own."""
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return "".join(_line_text(line) for line in raw.splitlines(keepends=True))


def _line_text(line: bytes) -> str:
    try:
        return line.decode("utf-8")
    except UnicodeDecodeError:
        return line.decode("cp1252", errors="replace")


def read_rows(text: str, source: str = MANUAL_SOURCE) -> list[Row]:
    """Every data row, as a record or a rejection with its reason, in file order.

    Raises UnreadableFile when the header is missing, too wide or lacks a column.
    """
    lines = _lines(text.lstrip("\ufeff"))
    header_line = next(lines, "")
    if len(header_line) > MAX_LINE_CHARS:
        raise UnreadableFile(
            f"a primeira linha (o cabeçalho) tem {len(header_line):,} caracteres; "
            f"o máximo é {MAX_LINE_CHARS:,}".replace(",", ".")
        )
    delimiter = ";" if header_line.count(";") > header_line.count(",") else ","
    try:
        names = next(csv.reader([header_line], delimiter=delimiter), [])
    except csv.Error as error:
        raise UnreadableFile(f"o cabeçalho não é CSV válido ({error})") from None
    header = checked_header(names)
    too_long: list[Row] = []
    reader = csv.reader(_bounded(lines, too_long), delimiter=delimiter)
    rows = []
    while True:
        line = reader.line_num + 2  # line_num counts the lines consumed after the header
        try:
            cells = next(reader, None)
        except csv.Error as error:  # a field beyond csv's limit, a stray quote...
            rows.append(Row(line, Rejection(f"a linha não é CSV válido ({error})")))
            continue
        if cells is None:
            return sorted(rows + too_long, key=lambda row: row.line)
        if any(cell.strip() for cell in cells):
            rows.append(Row(line, decode_cells(header, cells, source)))


def reject_repeats(rows: list[Row]) -> list[Row]:
    """The rule for an id repeated in one file, for every reader: its first row counts,
    each later one becomes a rejection naming the line of the first."""
    first: dict[int, int] = {}
    kept = []
    for row in rows:
        record = row.decoded
        if isinstance(record, SaleRecord) and row.written_at is None:  # a replay keeps all
            if record.id in first:
                reason = f"id {record.id} repetido (primeira vez na linha {first[record.id]})"
                row = Row(row.line, Rejection(reason))
            else:
                first[record.id] = row.line
        kept.append(row)
    return kept


def _lines(text: str) -> Iterator[str]:
    """The text's lines with their endings (\n, \r\n or a lone \r), without copying it."""
    start, size = 0, len(text)
    while start < size:
        end = text.find("\n", start)
        end = size if end < 0 else end + 1
        piece = text[start:end]
        if "\r" in piece.removesuffix("\r\n"):  # lone carriage returns: old Mac endings
            yield from piece.replace("\r\n", "\n").replace("\r", "\n").splitlines(keepends=True)
        else:
            yield piece
        start = end


def _bounded(lines: Iterator[str], too_long: list[Row]) -> Iterator[str]:
    """The lines for the csv reader; each one over MAX_LINE_CHARS is refused with its
    number and stands as a blank line, so the reader's count stays right."""
    for number, line in enumerate(lines, 2):
        if len(line) > MAX_LINE_CHARS:
            reason = f"a linha tem {len(line):,} caracteres; o máximo é {MAX_LINE_CHARS:,}"
            too_long.append(Row(number, Rejection(reason.replace(",", "."))))
            yield "\n"
        else:
            yield line


def checked_header(names: list[str]) -> list[str]:
    """A header's names as the contract's columns (trimmed, lower case, the spreadsheet's
    aliases resolved). Raises UnreadableFile when it is too wide or lacks a column."""
    header = [ALIASES.get(name.strip().lower(), name.strip().lower()) for name in names]
    if len(header) > MAX_COLUMNS:
        raise UnreadableFile(f"o cabeçalho tem {len(header)} colunas; o máximo é {MAX_COLUMNS}")
    missing = [name for name in COLUMNS if name not in header]
    if missing:
        found = ", ".join(header) if any(header) else "nada"
        raise UnreadableFile(
            f"o cabeçalho deve ter as colunas {', '.join(COLUMNS)}; faltam {', '.join(missing)} "
            f"(encontrado: {found[:120]})"
        )
    return header


def decode_cells(header: list[str], cells: list[str], source: str) -> Decoded:
    """One row of text cells under `header` (from `checked_header`), judged by the contract."""
    if len(cells) != len(header):
        return Rejection(f"a linha tem {len(cells)} colunas; o cabeçalho tem {len(header)}")
    row = dict(zip(header, cells, strict=True))
    if _THOUSANDS_ONLY.fullmatch(valor := row["valor"].strip()):
        return Rejection(
            f"valor {valor} é ambíguo: sem vírgula, o ponto é a casa decimal; "
            f"escreva {valor.replace('.', '')} ou {valor},00 para milhares"
        )
    fields = {
        "id": _integer(row["id"]),
        "nome": row["nome"],
        "idade": _integer(row["idade"]),
        "cidade": row["cidade"],
        "valor": _money(row["valor"]),
        "timestamp": _moment(row["timestamp"]),
    }
    return from_fields(fields, source)


def _integer(text: str) -> int | str:
    text = text.strip()
    if len(text) <= MAX_INTEGER_DIGITS and _INTEGER.fullmatch(text):
        return int(text)
    return text  # the contract names the problem


def _money(text: str) -> Decimal | str:
    """Exact: a Decimal of the digits as written, which the contract judges digit by digit."""
    text = text.strip()  # at most MAX_LINE_CHARS: Decimal reads that many digits at once
    if "," in text and _DECIMAL_COMMA.fullmatch(text):
        return Decimal(text.replace(".", "").replace(",", "."))
    if _DECIMAL_POINT.fullmatch(text):
        return Decimal(text)
    return text


def _moment(text: str) -> str:
    text = text.strip()
    match = _BR_MOMENT.fullmatch(text)
    if match is None:
        return text  # ISO 8601, or something the contract will reject with its reason
    day, month, year, hour, minute, second = match.groups()
    return f"{year}-{int(month):02d}-{int(day):02d}T{int(hour):02d}:{minute}:{second or '00'}"
