"""The CSV monitor: a watched CSV file kept in sync with the topic, removals included.

The topic is the source of truth: at start the monitor reads it and finds the live ids whose
latest message came from this file (header `origem: csv:<path>`); it deletes only those. Then
each settled change of the file is published as the difference: new or changed rows as
upserts, ids gone from the file as tombstones.

A file that disappears deletes nothing: a save through rename, or a file moved away for a
moment, would otherwise wipe the table; its ids are kept until the file comes back and says
otherwise. A file that cannot be read (no header, empty) changes nothing. A file whose last
line is cut short is waited for, up to `HALF_WRITTEN_WAIT_S`.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from sales_monitor.errors import TopicNotRead, UnreadableBatch, UnreadableFile, UnreadableMessage
from sales_monitor.files import csv_rows, workbook
from sales_monitor.files.csv_rows import Row
from sales_monitor.kafka.interface import TopicConsumer
from sales_monitor.kafka.offsets import read_offsets
from sales_monitor.ptbr import count_of
from sales_monitor.record import Rejection, SaleRecord, Tombstone
from sales_monitor.stream.ingest import ingest
from sales_monitor.stream.store import WriteOrder

HALF_WRITTEN_WAIT_S = 5.0


def source_for(path: Path) -> str:
    """The `origem` header naming this file: its absolute path, so two `vendas.csv` in
    different folders never delete each other's rows."""
    return f"csv:{path.resolve()}"


@dataclass(frozen=True, slots=True)
class FileState:
    records: dict[int, SaleRecord]
    rejected: list[Row]
    cut_short: bool = False  # the last line has no newline and does not parse


def load(path: Path, source: str) -> FileState:
    """The file's valid rows by id (an id repeated in the file: the later rows are
    rejected, as by every reader of files). Raises UnreadableFile, or OSError if the file
    cannot be opened."""
    with path.open("rb") as file:  # read at most one byte past the bound
        raw = file.read(csv_rows.MAX_FILE_BYTES + 1)
    csv_rows.check_size(raw)
    if not raw.strip():
        raise UnreadableFile("o arquivo está vazio")
    if workbook.is_workbook(raw):  # the Painel's spreadsheet, edited and saved
        rows = csv_rows.reject_repeats(workbook.read_rows(raw, source))
    else:
        rows = csv_rows.reject_repeats(csv_rows.read_rows(csv_rows.decode_text(raw), source))
    records = {row.decoded.id: row.decoded for row in rows if isinstance(row.decoded, SaleRecord)}
    rejected = [row for row in rows if isinstance(row.decoded, Rejection)]
    text = not workbook.is_workbook(raw)  # only a text file can end in a line cut short
    last_cut = text and bool(rows) and not raw.endswith(b"\n") and rows[-1] in rejected
    return FileState(records, rejected, cut_short=last_cut)


@dataclass(frozen=True, slots=True)
class Changes:
    new: list[SaleRecord] = field(default_factory=list)
    changed: list[SaleRecord] = field(default_factory=list)
    removed: list[Tombstone] = field(default_factory=list)

    @property
    def messages(self) -> list[SaleRecord | Tombstone]:
        return [*self.new, *self.changed, *self.removed]


def diff(published: dict[int, SaleRecord], wanted: dict[int, SaleRecord]) -> Changes:
    """What to send so the topic holds `wanted` for this file where it held `published`."""
    new, changed = [], []
    for record_id, record in wanted.items():
        before = published.get(record_id)
        if before is None:
            new.append(record)
        elif before != record:  # content only: the source is not compared
            changed.append(record)
    removed = [Tombstone(record_id) for record_id in published.keys() - wanted.keys()]
    return Changes(new, changed, sorted(removed, key=lambda t: t.id))


READ_STALL_S = 30.0  # no progress on a partition this long: the read is given up


def owned_records(
    consumer: TopicConsumer, source: str, progress: Callable[[int], None] = lambda n: None
) -> dict[int, SaleRecord]:
    """The live records of the topic whose latest write came from `source`, by the same
    rule as the dashboard's table (`store.WriteOrder`). Raises TopicNotRead when a
    partition stops giving messages before its end, rather than guessing."""
    order, read = WriteOrder(), 0
    latest: dict[int, tuple[int, SaleRecord | Tombstone]] = {}
    for offsets in read_offsets(consumer):
        partition = offsets.partition
        consumer.assign([partition])
        consumer.seek(partition, offsets.earliest)
        moved_at = time.monotonic()
        while (position := consumer.position(partition)) < offsets.latest:
            try:
                messages = consumer.poll(timeout_ms=200, max_records=10_000).get(partition, [])
            except UnreadableMessage as unreadable:  # rejected by any reader: owned by none
                consumer.seek(partition, unreadable.offset + 1)
                continue
            except UnreadableBatch as unreadable_batch:  # it may hold this file's: never guess
                raise TopicNotRead(f"a {unreadable_batch}") from unreadable_batch
            if not messages:
                if time.monotonic() - moved_at > READ_STALL_S:
                    raise TopicNotRead(
                        f"a partição {partition} parou no offset {position} de {offsets.latest}"
                    )
                continue
            moved_at = time.monotonic()
            batch = ingest(messages, order, partition)
            for change, version in zip(batch.changes, batch.versions, strict=True):
                if version >= latest.get(change.id, (-1, None))[0]:
                    latest[change.id] = (version, change)
            before, read = read, read + len(messages)
            if read // 100_000 > before // 100_000:
                progress(read)
    return {
        record_id: change
        for record_id, (_, change) in latest.items()
        if isinstance(change, SaleRecord) and change.source == source
    }


@dataclass
class SyncReport:
    """One sync: what was sent, what the broker did not confirm (sent again next time),
    and the file's rejected rows."""

    changes: Changes
    failed: list
    rejected: list[Row]

    def summary(self) -> str:
        c = self.changes
        parts = [
            count_of(len(c.new), "novo", "novos"),
            count_of(len(c.changed), "alterado", "alterados"),
            count_of(len(c.removed), "removido", "removidos"),
            count_of(len(self.rejected), "rejeitado", "rejeitados"),
        ]
        if self.failed:
            parts.append(count_of(len(self.failed), "não confirmado", "não confirmados"))
        return ", ".join(parts)


def confirmed(published: dict[int, SaleRecord], sent: list) -> tuple[dict, list]:
    """What this file has on the topic after a sync: `published` with each acknowledged
    change applied; and the changes that were not acknowledged, to be sent again."""
    published, failed = dict(published), []
    for change, future in sent:
        if future is None or not future.succeeded():
            failed.append(change)
        elif isinstance(change, SaleRecord):
            published[change.id] = change
        else:
            published.pop(change.id, None)
    return published, failed
