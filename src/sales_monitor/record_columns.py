"""The contract's second path: a whole poll of messages decoded at once into columns.

Every writer of this project (`record.encode`) writes one exact form. A poll whose every
message is in that form is decoded here in one pass of one regular expression over the
poll's text, with the checks done on whole columns, at a fraction of `decode`'s cost per
message (`uv run bench --only ingest`). Anything else, or anything this path doubts (an
escape in a text, a name to clean, a 19-digit id, a timestamp without an offset), makes
it answer None, and the caller decodes each message with `decode`, the contract's
reference. The two agree on every poll this path accepts: a differential property and a
fuzz target check it (tests/test_record_columns.py, tests/fuzz/targets.py).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from sales_monitor.kafka.interface import Message
from sales_monitor.record import AGE_RANGE, MAX_TEXT, SALE_MS, source_of

# `encode`'s form, narrowed to what needs no further judgement: an id of at most 18 digits
# (always below MAX_ID), texts without escapes or controls, `valor` with two decimals and
# at most 11 whole digits (always within MAX_CENTS), a timestamp with its UTC offset.
_TEXT = r'"([^"\\\x00-\x1f\x7f]*)"'
_FORM = re.compile(
    r'^\{"id": ([1-9][0-9]{0,17}), "nome": ' + _TEXT + r', "idade": (0|[1-9][0-9]{0,2}), '
    r'"cidade": ' + _TEXT + r', "valor": (0|[1-9][0-9]{0,10})\.([0-9]{2}), '
    r'"timestamp": "(20[0-9]{2}-[01][0-9]-[0-3][0-9]T(?:[01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9]'
    r'(?:\.[0-9]{6})?)([+-](?:[01][0-9]|2[0-3]):[0-5][0-9])"\}$',
    re.MULTILINE,
)
_US_PER_MS = 1_000
_SALE_US = (SALE_MS[0] * _US_PER_MS, SALE_MS[1] * _US_PER_MS)


@dataclass(frozen=True, slots=True)
class SaleColumns:
    """Records as one list per field, in message order; `epoch_ms` is the timestamp in
    milliseconds since 1970 UTC, truncated, as the table keeps it."""

    ids: list[int]
    names: list[str]
    ages: list[int]
    cities: list[str]
    cents: list[int]
    epoch_ms: list[int]
    sources: list[str]

    def __len__(self) -> int:
        return len(self.ids)


def decode_columns(messages: Sequence[Message]) -> SaleColumns | None:
    """The poll's records as columns, or None when any message is not plainly in
    `encode`'s form (then `decode` judges each one). Never raises."""
    try:
        return _columns(messages)
    except (TypeError, ValueError, OverflowError):  # a None key or value, a day 31/02
        return None


def _columns(messages: Sequence[Message]) -> SaleColumns | None:
    if not messages:
        return None
    values = [m.value for m in messages]
    blob = b"\n".join(values)  # type: ignore[arg-type]  # TypeError on a tombstone
    if blob.count(b"\n") != len(values) - 1:  # one message, one line
        return None
    found = _FORM.findall(blob.decode("utf-8"))  # ValueError on bytes that are not UTF-8
    if len(found) != len(values):
        return None
    ids, names, ages, cities, whole, cents, local, offsets = zip(*found, strict=True)
    # the key is the id's text: equal joins of tokens without spaces are equal tokens
    keys = [m.key for m in messages]
    if b" ".join(keys) != " ".join(ids).encode():  # type: ignore[arg-type]  # None: TypeError
        return None
    if not (_clean(names) and _clean(cities)):
        return None
    age_list = list(map(int, ages))
    if max(age_list) > AGE_RANGE[1]:
        return None
    utc_us = _utc_us(local, offsets)
    if utc_us.min() < _SALE_US[0] or utc_us.max() >= _SALE_US[1]:
        return None
    return SaleColumns(
        ids=list(map(int, ids)),
        names=list(names),
        ages=age_list,
        cities=list(cities),
        cents=list(map(int, map(str.__add__, whole, cents))),  # "1234" "56": 123456
        epoch_ms=(utc_us // _US_PER_MS).tolist(),
        sources=_sources(messages),
    )


def _clean(texts: tuple[str, ...]) -> bool:
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


def _utc_us(local: tuple[str, ...], offsets: tuple[str, ...]) -> np.ndarray:
    """Microseconds since 1970 UTC of São Paulo-style ISO times with their offsets.
    numpy refuses a date that does not exist (31/02) with ValueError, as `fromisoformat`
    does (the form already refused an hour past 23)."""
    wall = np.array(local, dtype="datetime64[us]").astype(np.int64)
    distinct = set(offsets)
    shift = {o: _offset_us(o) for o in distinct}
    if len(distinct) == 1:
        return wall - shift[offsets[0]]
    return wall - np.fromiter((shift[o] for o in offsets), np.int64, len(offsets))


def _offset_us(offset: str) -> int:
    sign = -1 if offset[0] == "-" else 1
    return sign * (int(offset[1:3]) * 60 + int(offset[4:6])) * 60_000_000


def _sources(messages: Sequence[Message]) -> list[str]:
    """The `origem` of each message; one writer's poll carries the same headers throughout,
    so they are judged once."""
    headers = [m.headers for m in messages]
    first = headers[0]
    if all(h == first for h in headers):
        return [source_of(first)] * len(headers)
    return [source_of(h) for h in headers]
