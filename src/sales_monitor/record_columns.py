"""The contract's second path: a whole poll of messages decoded at once into columns.

A poll whose every message is one plain JSON object with the record's six fields is parsed
in one call by Arrow's JSON reader, in C++ threads that do not hold the interpreter lock,
and checked on whole columns, at a fraction of `decode`'s cost per message (`uv run bench
--micro`). Anything else, or anything this path doubts (an escape anywhere, a quoted
number or one with an exponent, a name to clean, an id key with leading zeros, a timestamp
not in `encode`'s form), makes it answer None, and the caller decodes each message with
`decode`, the contract's reference. The two agree on every poll this path accepts: a
differential property and a fuzz target check it (tests/test_record_columns.py,
tests/fuzz/targets.py).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.json as pj

from sales_monitor.kafka.interface import Message
from sales_monitor.record import AGE_RANGE, MAX_CENTS, MAX_ID, MAX_TEXT, SALE_MS, source_of

# `valor` as a decimal of scale 2: the reader refuses a third decimal it would have to drop,
# as `decode` does; ints refuse a fraction or an exponent, texts refuse anything but a text
_SCHEMA = pa.schema(
    [
        ("id", pa.int64()),
        ("nome", pa.string()),
        ("idade", pa.int64()),
        ("cidade", pa.string()),
        ("valor", pa.decimal128(15, 2)),
        ("timestamp", pa.string()),
    ]
)
_PARSE = pj.ParseOptions(explicit_schema=_SCHEMA, unexpected_field_behavior="error")
_READ = pj.ReadOptions(block_size=1 << 20)  # blocks parsed in parallel
_QUOTES = 18  # the six keys and the three texts: a quoted number would add two
_NEWLINE, _OPEN, _CLOSE, _QUOTE, _LOWER_E, _ZERO = b'\n{}"e0'
# `encode`'s timestamp: to the microsecond or the second, with its UTC offset
_TIMESTAMP = (
    r"^20[0-9]{2}-[01][0-9]-[0-3][0-9]T(?:[01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9]"
    r"(?:\.[0-9]{6})?[+-](?:[01][0-9]|2[0-3]):[0-5][0-9]$"
)
_US_PER_MS = 1_000
_SALE_US = (SALE_MS[0] * _US_PER_MS, SALE_MS[1] * _US_PER_MS)


@dataclass(frozen=True, slots=True)
class SaleColumns:
    """Records as one column per field, in message order: the numbers as lists (the store
    indexes by id), the texts as Arrow arrays (the store keeps them so); `epoch_ms` is the
    timestamp in milliseconds since 1970 UTC, truncated, as the table keeps it."""

    ids: list[int]
    names: pa.StringArray
    ages: list[int]
    cities: pa.StringArray
    cents: list[int]
    epoch_ms: list[int]
    sources: pa.StringArray

    def __len__(self) -> int:
        return len(self.ids)


def decode_columns(messages: Sequence[Message]) -> SaleColumns | None:
    """The poll's records as columns, or None when any message is not plainly a record
    (then `decode` judges each one). Never raises."""
    try:
        return _columns(messages)
    except (TypeError, ValueError, OverflowError, pa.ArrowException):
        return None  # a tombstone, JSON or a field the reader refused, bytes not UTF-8


def _columns(messages: Sequence[Message]) -> SaleColumns | None:
    if not messages:
        return None
    count = len(messages)
    values = [m.value for m in messages]
    blob = b"\n".join(values)  # type: ignore[arg-type]  # TypeError on a tombstone
    if not _one_object_each(values, blob):  # type: ignore[arg-type]
        return None
    table = pj.read_json(pa.BufferReader(blob), read_options=_READ, parse_options=_PARSE)
    if table.num_rows != count or any(column.null_count for column in table.columns):
        return None  # a field missing or null
    ids, ages, valor = table["id"], table["idade"], table["valor"]
    cents = pc.multiply(valor, 100).cast(pa.int64()).to_numpy()  # exact: scale 2
    if not (
        _within(ids, 1, MAX_ID)
        and _within(ages, *AGE_RANGE)
        and cents.min() >= 0
        and cents.max() <= MAX_CENTS
        and _keys_are_ids(messages, ids)
    ):
        return None
    names, cities = table["nome"], table["cidade"]
    if not (_clean(pc.unique(names).to_pylist()) and _clean(pc.unique(cities).to_pylist())):
        return None
    utc_us = _utc_us(table["timestamp"])
    if utc_us is None or utc_us.min() < _SALE_US[0] or utc_us.max() >= _SALE_US[1]:
        return None
    return SaleColumns(
        ids=ids.to_pylist(),
        names=names.combine_chunks(),
        ages=ages.to_pylist(),
        cities=cities.combine_chunks(),
        cents=cents.tolist(),
        epoch_ms=(utc_us // _US_PER_MS).tolist(),
        sources=_sources(messages),
    )


def _one_object_each(values: list[bytes], blob: bytes) -> bool:
    """Whether the values, joined by newlines into `blob`, hold one object each, with no
    escapes, no strings but the keys and texts, and no number with an exponent.

    No value holds a newline, and each starts with `{` and ends with `}`, so it yields
    at least one row (`_columns` wants one row per value: exactly one each). Without
    backslashes, every quote delimits a string; with one row per value, each has its six
    keys once (the reader refuses a repeated or unknown key) and three texts (it refuses
    a number or a text for the other kind), so `_QUOTES` per value, and any more is a
    quoted number, which `decode` refuses and the reader would take. Arrow's decimals do
    not always read an exponent exactly (2.2250738585e-313 as 0.00, which `decode`
    refuses), so a digit before e or E leaves the poll to `decode`."""
    count = len(values)
    if b"\\" in blob:
        return False
    data = np.frombuffer(blob, np.uint8)  # byte comparisons in numpy, not Python loops
    lengths = np.fromiter(map(len, values), np.int64, count)
    if not lengths.all() or np.count_nonzero(data == _NEWLINE) != count - 1:
        return False
    starts = np.arange(count) + np.concatenate(([0], np.cumsum(lengths[:-1])))
    exponent = ((data[1:] | 0x20) == _LOWER_E) & ((data[:-1] - _ZERO) < 10)
    return (
        bool((data[starts] == _OPEN).all())
        and bool((data[starts + lengths - 1] == _CLOSE).all())
        and int(np.count_nonzero(data == _QUOTE)) == _QUOTES * count
        and not exponent.any()
    )


def _within(column: pa.ChunkedArray, low: int, high: int) -> bool:
    least, most = pc.min_max(column).values()
    return low <= least.as_py() and most.as_py() <= high


def _keys_are_ids(messages: Sequence[Message], ids: pa.ChunkedArray) -> bool:
    """Whether each key is its id's text, as `encode` writes it (a key with leading zeros
    or spaces, which `decode` also takes, is left to it)."""
    keys = pa.array([m.key for m in messages], pa.binary())
    if keys.null_count:
        return False
    return pc.all(pc.equal(keys, ids.cast(pa.string()).cast(pa.binary()))).as_py() is True


def _clean(texts: list[str]) -> bool:
    """Whether every text is what `record.clean_text` would leave as it is, and within
    MAX_TEXT: printable, NFC, no two spaces together, none at either end, not empty.
    Joined by one space, the texts have those properties only if each one has them (a
    space composes and reorders with nothing, so NFC is decided text by text)."""
    joined = " ".join(texts)
    return (
        joined.isprintable()
        and "  " not in joined
        and joined[:1] not in (" ", "")
        and joined[-1] != " "
        and max(map(len, texts)) <= MAX_TEXT
        and (joined.isascii() or unicodedata.is_normalized("NFC", joined))
    )


def _utc_us(stamps: pa.ChunkedArray) -> np.ndarray | None:
    """Microseconds since 1970 UTC of timestamps in `encode`'s form; None for any other.
    Arrow refuses a date that does not exist (31/02) with ArrowInvalid, as `fromisoformat`
    does (the form already refused an hour past 23)."""
    if not pc.all(pc.match_substring_regex(stamps, _TIMESTAMP)).as_py():
        return None
    utc = stamps.cast(pa.timestamp("us", tz="UTC"))
    return utc.cast(pa.int64()).to_numpy()


def _sources(messages: Sequence[Message]) -> pa.StringArray:
    """The `origem` of each message; one writer's poll carries the same headers throughout,
    so they are judged once."""
    headers = [m.headers for m in messages]
    first = headers[0]
    if headers.count(first) == len(headers):
        return _repeated(source_of(first), len(headers))
    return pa.array([source_of(h) for h in headers], pa.string())


def _repeated(text: str, count: int) -> pa.StringArray:
    """`count` times the same text, built from its bytes at once."""
    data = text.encode("utf-8")
    offsets = np.arange(count + 1, dtype=np.int32) * len(data)
    return pa.StringArray.from_buffers(count, pa.py_buffer(offsets), pa.py_buffer(data * count))
