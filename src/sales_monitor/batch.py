"""Many records from one text: a JSON array, JSON Lines, one JSON object, or a CSV file.

Used by `uv run send` and the inspector's bulk upload. Each item keeps the line it starts
on, so a person can find a rejected one in the file.
"""

from __future__ import annotations

import json

from . import csvfile
from .csvfile import Row, UnreadableFile
from .record import Rejection, from_fields

__all__ = ["Row", "UnreadableFile", "parse"]

_DECODER = json.JSONDecoder()


def parse(raw: bytes, source: str) -> list[Row]:
    """Records and rejections, in file order. Raises UnreadableFile for a file that is
    none of the accepted formats."""
    text = csvfile.decode_text(raw)
    start = len(text) - len(text.lstrip())
    if start == len(text):
        raise UnreadableFile("o arquivo está vazio")
    if text[start] == "[":
        return _json_array(text, start, source)
    if text[start] == "{":
        return _json_objects(text, start, source)
    return csvfile.read_rows(text, source)


def _json_array(text: str, start: int, source: str) -> list[Row]:
    try:
        items = json.loads(text)
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
        except ValueError as error:
            end = text.find("\n", index)
            rows.append(Row(line, Rejection(f"não é JSON válido ({error.msg})")))
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
