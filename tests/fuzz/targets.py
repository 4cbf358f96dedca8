"""The fuzz targets: each takes any bytes, feeds them to one reader of outside input, and
checks what must hold. An exception is a crash; fix it, then keep the input in
`crashes/<target>/` so it stays a regression test.

Inputs are framed simply so seeds stay readable: parts separated by SEPARATOR.
"""

from __future__ import annotations

import json
from collections import namedtuple
from decimal import Decimal

from sales_monitor import escaping
from sales_monitor.analysis import filtering
from sales_monitor.errors import UnreadableFile
from sales_monitor.files import formats
from sales_monitor.kafka import browse
from sales_monitor.record import (
    MAX_CENTS,
    MAX_TEXT,
    SALE_YEARS,
    Rejection,
    SaleRecord,
    Tombstone,
    clean_text,
    decode,
    from_fields,
    message_time,
)
from sales_monitor.record_columns import decode_columns
from sales_monitor.stream.ingest import arrival_delays, ingest
from sales_monitor.stream.store import RecordStore, WriteOrder
from tests.helpers.factories import as_columns

SEPARATOR = b"\xff\x00"
POLL_SEPARATOR = b"\xff\x01"
NULL = b"\x00"  # a part that is exactly this is None (no key, a tombstone's value)
Polled = namedtuple("Polled", "partition offset key value headers timestamp timestamp_type")


def parts(data: bytes, count: int) -> list[bytes]:
    pieces = data.split(SEPARATOR, count - 1)
    return pieces + [b""] * (count - len(pieces))


def _maybe(part: bytes) -> bytes | None:
    return None if part == NULL else part


def _headers(blob: bytes) -> list[tuple[str, bytes | None]]:
    """name=value lines; a line without "=" is a header with a null value."""
    headers = []
    for line in blob.split(b"\n")[:50]:
        name, equals, value = line.partition(b"=")
        headers.append((name.decode("utf-8", "replace"), value if equals else None))
    return headers


def check_record(record: SaleRecord) -> None:
    """What holds for every record the contract lets through."""
    assert 0 < record.id < 2**63 and 0 <= record.value_cents <= MAX_CENTS
    assert SALE_YEARS[0] <= record.timestamp.year <= SALE_YEARS[1]
    for text in (record.name, record.city, record.source):
        assert 0 < len(text) <= MAX_TEXT and clean_text(text) == text


def check_columns_agree(polled: list) -> None:
    """The contract's two paths agree: a poll `decode_columns` accepts is one whose every
    message `decode` makes a record, field for field (the timestamp as the table keeps it)."""
    columns = decode_columns(polled)
    if columns is None:
        return
    decoded = [decode(m.key, m.value, m.headers) for m in polled]
    assert all(type(d) is SaleRecord for d in decoded), decoded
    for record in decoded:
        check_record(record)
    assert columns == as_columns(decoded)
    # and the store takes either as the same table
    by_columns, by_records = RecordStore(), RecordStore()
    versions = list(range(len(polled)))
    by_columns.apply_columns(columns, versions)
    by_records.apply(decoded, versions)
    assert by_columns.snapshot().equals(by_records.snapshot())


def poll(data: bytes) -> None:
    """A poll of messages (separated by POLL_SEPARATOR), each a key, a value and headers:
    the batch path (`record_columns`) against `decode`."""
    polled = []
    for offset, blob in enumerate(data.split(POLL_SEPARATOR)[:50]):
        key, value, headers = parts(blob, 3)
        polled.append(Polled(0, offset, _maybe(key), _maybe(value), _headers(headers), -1, 0))
    check_columns_agree(polled)


def message(data: bytes) -> None:
    """A whole Kafka message: key, value, headers, timestamp; decoded, versioned, stored."""
    key, value, headers, stamp = parts(data, 4)
    timestamp = int.from_bytes(stamp[:8], "big", signed=True) if stamp else -1
    polled = Polled(0, 0, _maybe(key), _maybe(value), _headers(headers), timestamp, 0)
    decoded = decode(polled.key, polled.value, polled.headers)
    assert isinstance(decoded, SaleRecord | Tombstone | Rejection)
    if isinstance(decoded, SaleRecord):
        check_record(decoded)
    message_time(timestamp)
    batch = ingest([polled], WriteOrder(), partition=3)
    assert all(0 <= version < 2**63 for version in batch.versions)
    store = RecordStore()
    store.apply(batch.changes, batch.versions)
    store.snapshot()
    arrival_delays([polled], arrived=1.7e9)


def fields(data: bytes) -> None:
    """Already-parsed fields, as a file reader hands them over: a JSON object read with
    exact decimals, or the parts as text."""
    try:
        item = json.loads(data, parse_float=Decimal)
    except (ValueError, RecursionError, ArithmeticError):  # Decimal refuses 9e+99999999999
        item = None
    if not isinstance(item, dict):
        names = ("id", "nome", "idade", "cidade", "valor", "timestamp")
        texts = [p.decode("utf-8", "replace") for p in parts(data, len(names))]
        item = dict(zip(names, texts, strict=True))
    decoded = from_fields(item)
    assert isinstance(decoded, SaleRecord | Rejection)
    if isinstance(decoded, SaleRecord):
        check_record(decoded)


def link(data: bytes) -> None:
    """The Painel's URL parameters."""
    cities, valor, idade, janela = (p.decode("utf-8", "replace") for p in parts(data, 4))
    query = {"cidade": cities.split("&"), "valor": [valor], "idade": [idade], "janela": [janela]}
    start = filtering.choices_from_query(query, 2_000)
    low, high = start["values"]
    assert 0 <= low <= high <= 2_000
    youngest, oldest = filtering.AGE_BOUNDS
    assert youngest <= start["ages"][0] <= start["ages"][1] <= oldest
    assert start["window"] in filtering.WINDOWS
    assert len(start["cities"]) <= filtering.MAX_LINK_CITIES
    assert all(0 < len(c) <= MAX_TEXT for c in start["cities"])


def pretty(data: bytes) -> None:
    """The inspector's pretty-printer, on any value text."""
    text = data.decode("utf-8", "replace")
    shown = browse.pretty_json(text, limit=500)
    assert isinstance(shown, str) and len(shown) <= 600
    assert isinstance(browse.pretty_json(text), str)  # the editor's copy, uncapped


def search(data: bytes) -> None:
    """The inspector's search filter and a browsed message's heading pieces."""
    key, value, source, needle = (p.decode("utf-8", "replace") for p in parts(data, 4))
    found = browse.Listed(0, 0, -1, key, value, source, Rejection(needle))
    assert found.matches(needle) in (True, False)
    assert found.timestamp is None and found.verdict_text.startswith("rejeitado")
    for escape in (escaping.markdown_literal, escaping.code_span, escaping.plotly_literal):
        assert isinstance(escape(key), str)


def files(data: bytes) -> None:
    """A file for `send --file`, Enviar arquivo or the CSV monitor: rows with their lines,
    or one refusal (UnreadableFile), never another exception."""
    try:
        rows = formats.parse(data, "send")
    except UnreadableFile:
        return
    lines = [row.line for row in rows]
    assert lines == sorted(lines)
    for row in rows:
        assert isinstance(row.decoded, SaleRecord | Rejection)
        if isinstance(row.decoded, SaleRecord):
            check_record(row.decoded)


TARGETS = {
    "message": message,
    "poll": poll,
    "fields": fields,
    "link": link,
    "pretty": pretty,
    "search": search,
    "files": files,
}
