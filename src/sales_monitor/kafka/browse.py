"""Short reads of the topic for the inspector page: offsets, messages newest first, the
messages that arrived since a position (the live tail), and an export as JSON Lines.

Each call opens its own consumer (the dashboard's belongs to its thread) and reads only
what it shows, scanning backwards in chunks, with a bound on how much one search reads.
A browse is anchored to the partitions' ends it first saw (`Page.tops`): later pages of
the same query read below those ends, so a growing topic never shifts them.
"""

from __future__ import annotations

import base64
import json
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime

import orjson

from sales_monitor.errors import UnreadableBatch, UnreadableMessage
from sales_monitor.kafka.clients import UNREADABLE, open_consumer
from sales_monitor.kafka.connection import Connection
from sales_monitor.kafka.interface import ConsumerFactory, Message, TopicConsumer
from sales_monitor.kafka.offsets import READ_TIMEOUT_S, PartitionOffsets, read_offsets
from sales_monitor.record import (
    MANUAL_SOURCE,
    Decoded,
    Rejection,
    Tombstone,
    decode,
    folded,
    message_time,
    source_of,
)

MAX_SCAN = 100_000  # messages one search reads at most, newest first
PRETTY_LIMIT = 20_000  # characters of one value drawn on the page
CHUNK = 1_000
TAIL_LIMIT = 100  # messages the live tail keeps on the page

Header = tuple[str, str]  # name, value as text ("" for a null value)
_TIMESTAMP_KINDS = {0: "do produtor", 1: "do broker"}


@dataclass(frozen=True, slots=True)
class Listed:
    """A message as Inspecionar lists it: its place, its parts as text, its verdict."""

    partition: int
    offset: int
    timestamp_ms: int  # as the message carries it: any int64, -1 for none
    key: str | None
    value: str | None
    source: str
    verdict: Decoded
    headers: tuple[Header, ...] = ()
    size: int = 0  # bytes of key, value and headers
    timestamp_type: int | None = None  # 0: set by the writer, 1: by the broker
    # the key's and the value's bytes, each only where it is not UTF-8 (the texts above
    # replace what is not), so an export carries what the topic holds
    raw: tuple[bytes | None, bytes | None] | None = None

    @property
    def timestamp(self) -> datetime | None:
        """São Paulo time; None where the message has no plausible timestamp."""
        return message_time(self.timestamp_ms)

    @property
    def verdict_text(self) -> str:
        if isinstance(self.verdict, Rejection):
            return f"rejeitado: {self.verdict.reason}"
        return "tombstone" if isinstance(self.verdict, Tombstone) else "aceito"

    @property
    def pretty_value(self) -> str:
        """The value as the page draws it (at most PRETTY_LIMIT characters)."""
        return pretty_json(self.value, PRETTY_LIMIT)

    @property
    def timestamp_kind(self) -> str:
        """Who set the timestamp: Kafka's CreateTime (0) or LogAppendTime (1)."""
        return "" if self.timestamp_type is None else _TIMESTAMP_KINDS.get(self.timestamp_type, "")

    def matches(self, needle: str) -> bool:
        """Case- and accent-insensitive search in the key, the value, every header's name
        and value, and the offset (`iris` finds `Íris`)."""
        needle = folded(needle)
        texts = (self.key, self.value, str(self.offset), *(f"{n}: {v}" for n, v in self.headers))
        return any(needle in folded(text or "") for text in texts)

    def exported(self) -> dict:
        """One line of an export: everything needed to write the message again; a key or
        value that is not UTF-8 as `key_base64`/`value_base64` (and null)."""
        line = {
            "partition": self.partition,
            "offset": self.offset,
            "timestamp": self.timestamp_ms,
            "key": self.key,
            "value": self.value,
            "headers": [list(h) for h in self.headers],
        }
        if self.raw is not None:
            for name, data in zip(("key", "value"), self.raw, strict=True):
                if data is not None:
                    line[name], line[f"{name}_base64"] = None, base64.b64encode(data).decode()
        return line


def _text(data: bytes | None) -> tuple[str | None, bytes | None]:
    """The bytes as text (what is not UTF-8 replaced), and the bytes themselves only when
    they are not UTF-8 (an export must carry those as they are)."""
    if data is None:
        return None, None
    try:
        return data.decode("utf-8"), None
    except UnicodeDecodeError:
        return data.decode("utf-8", "replace"), data


def export_lines(messages: Iterable[Listed]) -> bytes:
    """JSON Lines, one message a line, as `files.formats` reads them back."""
    return b"".join(orjson.dumps(m.exported()) + b"\n" for m in messages)


def pretty_json(value: str | None, limit: int | None = None) -> str:
    """A message value as indented JSON where it is JSON, else as it came; at most `limit`
    characters. Any text gives text: orjson vets it first (nesting at most 1024 deep, no
    lone surrogates), the json module then keeps big integers exact."""
    if value is None:
        return "(nulo: tombstone)"
    shown = value
    try:
        orjson.loads(value)
        shown = json.dumps(json.loads(value), indent=2, ensure_ascii=False)
    except (ValueError, RecursionError):  # orjson's error is a ValueError too
        pass
    if limit is not None and len(shown) > limit:
        return shown[:limit] + f"\n… ({len(value):,} caracteres no total)".replace(",", ".")
    return shown


@dataclass(frozen=True, slots=True)
class Query:
    partition: int | None = None  # None: every partition
    from_offset: int | None = None  # newest offset to show (one partition)
    before: datetime | None = None  # newest timestamp to show
    search: str = ""
    per_page: int = 50
    page: int = 0  # 0: the newest page
    tops: Mapping[int, int] | None = None  # read below these ends (None: the current ends)


@dataclass(frozen=True, slots=True)
class Page:
    messages: list[Listed]
    scanned: int  # messages read to answer
    cut_short: bool  # the scan bound was reached before the topic's start
    more: bool  # an older page exists
    tops: dict[int, int]  # the ends this page was read below: pass them for the next page


@dataclass(frozen=True, slots=True)
class Tail:
    messages: list[Listed]  # newest first, at most the limit asked
    positions: dict[int, int]  # where the next call starts, per partition


def to_message(record: Message) -> Listed:
    """A consumed message as the inspector shows it, with the contract's verdict."""
    headers = tuple(_header(h) for h in record.headers or ())
    (key, raw_key), (value, raw_value) = _text(record.key), _text(record.value)
    return Listed(
        partition=record.partition,
        offset=record.offset,
        timestamp_ms=record.timestamp,
        key=key,
        value=value,
        source=source_of(record.headers),
        verdict=decode(record.key, record.value, record.headers),
        headers=headers,
        size=len(record.key or b"")
        + len(record.value or b"")
        + sum(len(n.encode()) + len(v.encode()) for n, v in headers),
        timestamp_type=getattr(record, "timestamp_type", None),  # kafka-python's records have it
        raw=None if raw_key is None and raw_value is None else (raw_key, raw_value),
    )


def _header(header: tuple[str, bytes | None]) -> Header:
    name, value = header
    return str(name), "" if value is None else bytes(value).decode("utf-8", "replace")


class TopicReader:
    """One topic, read on demand: each call opens a consumer and closes it."""

    def __init__(
        self,
        connection: Connection,
        topic: str,
        consumer_factory: ConsumerFactory = open_consumer,
    ):
        self.connection, self.topic, self._factory = connection, topic, consumer_factory

    def offsets(self) -> list[PartitionOffsets]:
        consumer = self._factory(self.connection, self.topic)
        try:
            return read_offsets(consumer)
        finally:
            consumer.close()

    def browse(self, query: Query) -> Page:
        consumer = self._factory(self.connection, self.topic)
        try:
            ranges = read_offsets(consumer)
            if query.partition is not None:
                ranges = [r for r in ranges if r.partition == query.partition]
            return _browse(consumer, ranges, query)
        finally:
            consumer.close()

    def tail(
        self,
        positions: Mapping[int, int] | None,
        partition: int | None = None,
        search: str = "",
        limit: int = TAIL_LIMIT,
    ) -> Tail:
        """The messages written since `positions` (None: the last `limit` of each
        partition), newest first, at most `limit`; and where the next call starts."""
        consumer = self._factory(self.connection, self.topic)
        try:
            ranges = read_offsets(consumer)
            if partition is not None:
                ranges = [r for r in ranges if r.partition == partition]
            found: list[Listed] = []
            ends = {}
            for offsets in ranges:
                start = max(offsets.earliest, offsets.latest - limit)
                if positions is not None and offsets.partition in positions:
                    start = max(start, min(positions[offsets.partition], offsets.latest))
                consumer.assign([offsets.partition])
                chunk = _read_range(consumer, offsets.partition, start, offsets.latest)
                found += [m for m in map(_as_message, chunk) if not search or m.matches(search)]
                ends[offsets.partition] = offsets.latest
            found.sort(key=lambda m: (m.timestamp_ms, m.offset), reverse=True)
            return Tail(found[:limit], ends)
        finally:
            consumer.close()


def _as_message(record: Message | Listed) -> Listed:
    return record if isinstance(record, Listed) else to_message(record)


def _browse(consumer: TopicConsumer, ranges: list[PartitionOffsets], query: Query) -> Page:
    wanted = (query.page + 1) * query.per_page + 1  # one more tells whether an older page exists
    budget = MAX_SCAN // max(1, len(ranges))
    found, scanned, cut_short = [], 0, False
    tops = {}
    for offsets in ranges:
        top = offsets.latest
        if query.tops is not None and offsets.partition in query.tops:
            top = min(top, query.tops[offsets.partition])
        tops[offsets.partition] = top
        if query.from_offset is not None:
            top = min(top, query.from_offset + 1)
        matches, read, done = _scan_back(consumer, offsets, top, query, wanted, budget)
        found += matches
        scanned += read
        cut_short |= not done
    found.sort(key=lambda m: (m.timestamp_ms, m.offset), reverse=True)
    first = query.page * query.per_page
    return Page(
        messages=found[first : first + query.per_page],
        scanned=scanned,
        cut_short=cut_short,
        more=len(found) > first + query.per_page,
        tops=tops,
    )


def _scan_back(
    consumer: TopicConsumer,
    offsets: PartitionOffsets,
    top: int,
    query: Query,
    wanted: int,
    budget: int,
) -> tuple[list[Listed], int, bool]:
    """Matching messages of one partition, newest first from `top`; (matches, read, whether
    the scan reached either enough matches or the partition's start)."""
    consumer.assign([offsets.partition])
    matches: list[Listed] = []
    read = 0
    while top > offsets.earliest and len(matches) < wanted and read < budget:
        low = max(offsets.earliest, top - CHUNK)
        chunk = [_as_message(r) for r in _read_range(consumer, offsets.partition, low, top)]
        read += top - low
        matches += [m for m in chunk if _wanted(m, query)]
        top = low
    matches.sort(key=lambda m: m.offset, reverse=True)
    return matches, read, len(matches) >= wanted or top <= offsets.earliest


def _wanted(message: Listed, query: Query) -> bool:
    if query.before is not None and message.timestamp_ms > query.before.timestamp() * 1000:
        return False
    return not query.search or message.matches(query.search)


def _read_range(
    consumer: TopicConsumer, partition: int, low: int, high: int
) -> list[Message | Listed]:
    """The records from `low` up to `high`; one the client cannot parse, or the first of
    a batch it cannot decode, comes as a Listed that says so, and the read goes on
    after it (past a batch, one offset at a time: its size is not known)."""
    consumer.seek(partition, low)
    records: list[Message | Listed] = []
    deadline = time.monotonic() + READ_TIMEOUT_S
    in_bad_batch = False
    while consumer.position(partition) < high and time.monotonic() < deadline:
        try:
            polled = consumer.poll(timeout_ms=200, max_records=CHUNK).get(partition, [])
        except UnreadableMessage as unreadable:
            records.append(_unreadable(partition, unreadable.offset))
            consumer.seek(partition, unreadable.offset + 1)  # else the client never reads on
            continue
        except UnreadableBatch as batch:
            if not in_bad_batch:
                records.append(_unreadable(partition, batch.offset, batch.reason))
            in_bad_batch = True
            consumer.seek(partition, batch.offset + 1)
            continue
        in_bad_batch = in_bad_batch and not polled
        records += [record for record in polled if record.offset < high]
    return records


def _unreadable(partition: int, offset: int, reason: str = UNREADABLE) -> Listed:
    return Listed(partition, offset, -1, None, None, MANUAL_SOURCE, Rejection(reason))
