"""Many records from one text: a JSON array, JSON Lines, one JSON object, or a CSV file.

Used by `uv run send` and the inspector's bulk upload. Each item keeps the line it starts
on, so a person can find a rejected one in the file. Any bytes give rows and rejections or
one UnreadableFile, never another exception: the bounds are csvfile's, JSON nesting stops
at the json module's depth (about 1,000), and `valor` is read as an exact Decimal.
"""

from __future__ import annotations

import json
from decimal import Decimal, InvalidOperation

from sales_monitor.errors import UnreadableFile
from sales_monitor.files import csv_rows
from sales_monitor.files.csv_rows import Row, reject_repeats
from sales_monitor.record import Rejection, from_fields

__all__ = ["Row", "UnreadableFile", "parse"]

TOO_DEEP = "o JSON tem aninhamento profundo demais"


def _exact(text: str) -> Decimal | float:
    """A JSON number with a fraction or exponent, exactly; one Decimal refuses (an exponent
    of many digits) as a float, which the contract then finds out of range."""
    try:
        return Decimal(text)
    except InvalidOperation:
        return float(text)


_DECODER = json.JSONDecoder(parse_float=_exact)


def parse(raw: bytes, source: str) -> list[Row]:
    """Records and rejections, in file order, an id repeated keeping its first row. Raises
    UnreadableFile for a file that is none of the accepted formats."""
    csv_rows.check_size(raw)
    text = csv_rows.decode_text(raw)
    start = len(text) - len(text.lstrip())
    if start == len(text):
        raise UnreadableFile("o arquivo está vazio")
    if text[start] == "[":
        rows = _json_array(text, start, source)
    elif text[start] == "{":
        rows = _json_objects(text, start, source)
    else:
        rows = csv_rows.read_rows(text, source)
    return reject_repeats(rows)


def _json_array(text: str, start: int, source: str) -> list[Row]:
    try:
        items = json.loads(text, parse_float=_exact)
    except RecursionError:
        raise UnreadableFile(TOO_DEEP) from None
    except ValueError as error:
        raise UnreadableFile(f"não é um JSON válido ({error})") from None
    # json.loads does not say where each element starts: walk the elements to find out
    positions, index, lines = [], start + 1, _Lines(text)
    for _ in items:
        index = _skip_separators(text, index)
        positions.append(lines.at(index))
        index = _DECODER.raw_decode(text, index)[1]
    return [Row(line, _fields(item, source)) for line, item in zip(positions, items, strict=True)]


def _json_objects(text: str, start: int, source: str) -> list[Row]:
    """One object (pretty-printed or not), or one object per line (JSON Lines)."""
    rows, index, lines = [], start, _Lines(text)
    while index < len(text):
        line = lines.at(index)
        try:
            item, index = _DECODER.raw_decode(text, index)
        except (ValueError, RecursionError) as error:
            end = text.find("\n", index)
            reason = TOO_DEEP if isinstance(error, RecursionError) else getattr(error, "msg", error)
            rows.append(Row(line, Rejection(f"não é JSON válido ({reason})")))
            index = len(text) if end < 0 else end
        else:
            rows.append(Row(line, _fields(item, source)))
        index = _skip_separators(text, index)
    return rows


def _fields(item: object, source: str):
    if not isinstance(item, dict):
        return Rejection("o item não é um objeto JSON")
    return from_fields(item, source)


def _skip_separators(text: str, index: int) -> int:
    while index < len(text) and text[index] in " \t\r\n,":
        index += 1
    return index


class _Lines:
    """Line numbers of increasing positions, counting each newline once."""

    def __init__(self, text: str):
        self._text, self._index, self._line = text, 0, 1

    def at(self, index: int) -> int:
        self._line += self._text.count("\n", self._index, index)
        self._index = index
        return self._line
