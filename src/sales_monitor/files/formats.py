"""Many records from one text: a JSON array, JSON Lines, one JSON object, or a CSV file.

Used by `uv run send` and the inspector's bulk upload. Each item keeps the line it starts
on, so a person can find a rejected one in the file. An object with `key` and `value` (and
no `nome`) is a message as the inspector exports it: its value is judged by the contract as
if read from the topic, a null value is a tombstone, and such messages are a replay, sent
in the order the dashboard's latest-write rule ranks them (`WriteOrder`: by timestamp across
partitions, by offset within one), every change kept: the last one sent for an id is the
one the dashboard kept, whatever partitions and timestamps the versions came from.

Any bytes give rows and rejections or one UnreadableFile, never another exception: the
bounds are csvfile's, JSON nesting stops at the json module's depth (about 1,000), and
`valor` is read as an exact Decimal.
"""

from __future__ import annotations

import base64
import binascii
import itertools
import json
from decimal import Decimal, InvalidOperation

from sales_monitor.errors import UnreadableFile
from sales_monitor.files import csv_rows, workbook
from sales_monitor.files.csv_rows import Row, reject_repeats
from sales_monitor.json_reasons import json_reason
from sales_monitor.record import Rejection, decode, from_fields
from sales_monitor.stream.store import WriteOrder

__all__ = ["Row", "UnreadableFile", "parse"]

TOO_DEEP = "o JSON tem aninhamento profundo demais"
NEITHER = (
    "não é JSON nem CSV: um JSON começa com {{ ou [, um CSV tem na primeira linha as colunas "
    "id, nome, idade, cidade, valor, timestamp separadas por vírgula ou ponto e vírgula "
    "(a primeira linha é {first!r})"
)
NOT_JSON = "não é JSON: um registro é um objeto, que começa com {{ (veio {first!r})"


def _exact(text: str) -> Decimal | float:
    """A JSON number with a fraction or exponent, exactly; one Decimal refuses (an exponent
    of many digits) as a float, which the contract then finds out of range."""
    try:
        return Decimal(text)
    except InvalidOperation:
        return float(text)


_DECODER = json.JSONDecoder(parse_float=_exact)


def parse(raw: bytes, source: str, json_only: bool = False) -> list[Row]:
    """Records and rejections, in file order (exported messages in written order), an id
    repeated keeping its first row. Raises UnreadableFile for a file that is none of the
    accepted formats (`json_only`: for a text that is not JSON)."""
    csv_rows.check_size(raw)
    if workbook.is_workbook(raw) and not json_only:
        return reject_repeats(workbook.read_rows(raw, source))
    text = csv_rows.decode_text(raw)
    start = len(text) - len(text.lstrip())
    if start == len(text):
        raise UnreadableFile("o arquivo está vazio")
    if text[start] == "[":
        rows = _json_array(text, start, source)
    elif text[start] == "{":
        rows = _json_objects(text, start, source)
    else:
        first = text[start:].partition("\n")[0].strip()[:60]
        if json_only:
            raise UnreadableFile(NOT_JSON.format(first=first))
        if "," not in first and ";" not in first:
            raise UnreadableFile(NEITHER.format(first=first))
        rows = csv_rows.read_rows(text, source)
    replayed = latest_write_order([r for r in rows if r.written_at])
    return reject_repeats([*replayed, *(r for r in rows if not r.written_at)])


def latest_write_order(rows: list[Row]) -> list[Row]:
    """Exported messages ranked as the dashboard ranks writes to an id: each partition in
    offset order, versions from `WriteOrder`, the lowest first."""
    order, ranked = WriteOrder(), []
    written = sorted(rows, key=_place)
    for partition, group in itertools.groupby(written, key=lambda row: _place(row)[0]):
        kept = list(group)
        versions = order.versions(partition, [row.written_ms for row in kept])
        ranked += [((v, _place(row)[1]), row) for v, row in zip(versions, kept, strict=True)]
    ranked.sort(key=lambda item: item[0])
    return [row for _, row in ranked]


def _place(row: Row) -> tuple[int, int]:
    return row.written_at or (0, 0)


def _json_array(text: str, start: int, source: str) -> list[Row]:
    try:
        items = json.loads(text, parse_float=_exact)
    except RecursionError:
        raise UnreadableFile(TOO_DEEP) from None
    except ValueError as error:
        raise UnreadableFile(f"não é um JSON válido: {json_reason(error)}") from None
    # json.loads does not say where each element starts: walk the elements to find out
    positions, index, lines = [], start + 1, _Lines(text)
    for _ in items:
        index = _skip_separators(text, index)
        positions.append(lines.at(index))
        index = _DECODER.raw_decode(text, index)[1]
    return [_row(line, item, source) for line, item in zip(positions, items, strict=True)]


def _json_objects(text: str, start: int, source: str) -> list[Row]:
    """One object (pretty-printed or not), or one object per line (JSON Lines)."""
    rows, index, lines = [], start, _Lines(text)
    while index < len(text):
        line = lines.at(index)
        try:
            item, index = _DECODER.raw_decode(text, index)
        except (ValueError, RecursionError) as error:
            end = text.find("\n", index)
            reason = TOO_DEEP if isinstance(error, RecursionError) else json_reason(error)
            rows.append(Row(line, Rejection(f"não é JSON válido: {reason}")))
            index = len(text) if end < 0 else end
        else:
            rows.append(_row(line, item, source))
        index = _skip_separators(text, index)
    return rows


def _row(line: int, item: object, source: str) -> Row:
    if not isinstance(item, dict):
        return Row(line, Rejection("o item não é um objeto JSON"))
    if "value" in item and "key" in item and "nome" not in item:
        return _exported(line, item)
    return Row(line, from_fields(item, source))


def _exported(line: int, item: dict) -> Row:
    """A message as the inspector exports it, judged as the dashboard would judge it."""
    key, value = _bytes(item, "key"), _bytes(item, "value")
    partition, offset = item.get("partition", 0), item.get("offset", 0)
    if isinstance(key, Rejection):
        return Row(line, key)
    if isinstance(value, Rejection):
        return Row(line, value)
    if type(partition) is not int or type(offset) is not int:
        return Row(line, Rejection("mensagem exportada: 'partition' e 'offset' devem ser inteiros"))
    decoded = decode(key, value, _headers(item.get("headers", [])))
    timestamp = item.get("timestamp", -1)
    return Row(line, decoded, (partition, offset), timestamp if type(timestamp) is int else -1)


def _bytes(item: dict, name: str) -> bytes | None | Rejection:
    """The key's or value's bytes as the message carried them: `<name>_base64` where the
    export has it (bytes that are not UTF-8), else the text (JSON can hold a lone surrogate,
    which the contract then refuses as text that is not UTF-8)."""
    encoded, text = item.get(f"{name}_base64"), item.get(name)
    if type(encoded) is str:
        try:
            return base64.b64decode(encoded, validate=True)
        except (binascii.Error, ValueError):
            return Rejection(f"mensagem exportada: '{name}_base64' não é base64")
    if text is None or type(text) is str:
        return None if text is None else text.encode("utf-8", "surrogatepass")
    return Rejection(f"mensagem exportada: '{name}' deve ser texto ou null")


def _headers(headers: object) -> list[tuple[str, bytes]]:
    """An export's `[[name, value], ...]`; anything else is no headers."""
    if not isinstance(headers, list):
        return []
    return [
        (h[0], h[1].encode("utf-8", "surrogatepass"))
        for h in headers
        if isinstance(h, list) and len(h) == 2 and all(type(x) is str for x in h)
    ]


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
