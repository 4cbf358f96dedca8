"""Sales from a CSV file as Brazilian spreadsheets save it, checked by the record contract.

Accepted (the README lists the same):
- encoding UTF-8, with or without BOM, or Windows-1252 (Excel's pt-BR default);
- separator `;` or `,`, found in the header line; a header naming the six columns
  `id, nome, idade, cidade, valor, timestamp` in any order and case (others are ignored);
- `valor` as `450`, `450.00`, `450,00` or `1.234,56` (a comma makes it the decimal mark and
  dots thousands separators; without a comma, a dot is the decimal mark);
- `timestamp` as ISO 8601 or `dd/mm/aaaa HH:MM[:SS]` (São Paulo time unless it has an offset).

This module only turns text into the wire fields; every rule about them is the contract's.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass

from .record import MANUAL_SOURCE, Decoded, Rejection, from_fields

COLUMNS = ("id", "nome", "idade", "cidade", "valor", "timestamp")
_INTEGER = re.compile(r"[+-]?\d+")
_DECIMAL_POINT = re.compile(r"[+-]?\d+(\.\d+)?")
_DECIMAL_COMMA = re.compile(r"[+-]?\d{1,3}(\.\d{3})*(,\d+)?|[+-]?\d+(,\d+)?")
_BR_MOMENT = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})[ T](\d{1,2}):(\d{2})(?::(\d{2}))?")


class UnreadableFile(ValueError):
    """The file as a whole is not a sales CSV: nothing of it may be used."""


@dataclass(frozen=True, slots=True)
class Row:
    line: int  # 1-based line in the file where the row starts
    decoded: Decoded


def decode_text(raw: bytes) -> str:
    """UTF-8 (BOM or not), else Windows-1252: every byte means something there, so a file
    in neither encoding still loads and its rows are checked one by one."""
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("cp1252", errors="replace")


def read_rows(text: str, source: str = MANUAL_SOURCE) -> list[Row]:
    """Every data row, as a record or a rejection with its reason.

    Raises UnreadableFile when the header is missing or lacks a column.
    """
    lines = io.StringIO(text.lstrip("\ufeff"), newline="")
    header_line = lines.readline()
    delimiter = ";" if header_line.count(";") > header_line.count(",") else ","
    header = [name.strip().lower() for name in next(csv.reader([header_line], delimiter=delimiter))]
    missing = [name for name in COLUMNS if name not in header]
    if missing:
        found = ", ".join(header) if any(header) else "nada"
        raise UnreadableFile(
            f"o cabeçalho deve ter as colunas {', '.join(COLUMNS)}; faltam {', '.join(missing)} "
            f"(encontrado: {found[:120]})"
        )
    reader = csv.reader(lines, delimiter=delimiter)
    rows = []
    while True:
        line = reader.line_num + 2  # line_num counts the lines consumed after the header
        cells = next(reader, None)
        if cells is None:
            return rows
        if any(cell.strip() for cell in cells):
            rows.append(Row(line, _decode_row(header, cells, source)))


def _decode_row(header: list[str], cells: list[str], source: str) -> Decoded:
    if len(cells) != len(header):
        return Rejection(f"a linha tem {len(cells)} colunas; o cabeçalho tem {len(header)}")
    row = dict(zip(header, cells, strict=True))
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
    return int(text) if _INTEGER.fullmatch(text) else text  # the contract names the problem


def _money(text: str) -> float | str:
    text = text.strip()
    if "," in text and _DECIMAL_COMMA.fullmatch(text):
        return float(text.replace(".", "").replace(",", "."))
    if _DECIMAL_POINT.fullmatch(text):
        return float(text)
    return text


def _moment(text: str) -> str:
    text = text.strip()
    match = _BR_MOMENT.fullmatch(text)
    if match is None:
        return text  # ISO 8601, or something the contract will reject with its reason
    day, month, year, hour, minute, second = match.groups()
    return f"{year}-{int(month):02d}-{int(day):02d}T{int(hour):02d}:{minute}:{second or '00'}"
