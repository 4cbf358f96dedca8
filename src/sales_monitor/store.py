"""The in-memory table the dashboard shows: the latest record per id.

Writers (the one consumer thread) append to a small pending map; readers get an
immutable pandas DataFrame, rebuilt only when something changed. Rows are kept in
last-write order, so eviction beyond `max_rows` drops the records least recently written.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable

import numpy as np
import pandas as pd

from .record import SAO_PAULO, SaleRecord, Tombstone

COLUMNS = {
    "id": "int64",
    "nome": "string[pyarrow]",
    "idade": "int16",
    "cidade": "string[pyarrow]",
    "valor_centavos": "int64",
    "timestamp": pd.DatetimeTZDtype("ms", SAO_PAULO),
    "origem": "string[pyarrow]",  # who wrote the row's latest version (header `origem`)
}
COMPACT_EVERY = 50_000  # pending changes that trigger a rebuild without a reader asking


def empty_frame() -> pd.DataFrame:
    return pd.DataFrame({name: pd.Series(dtype=dtype) for name, dtype in COLUMNS.items()})


def frame_from_records(records: list[SaleRecord]) -> pd.DataFrame:
    """Columns built straight from the records; timestamps go through epoch milliseconds,
    which is ~10x faster than letting pandas parse datetime objects."""
    epoch_ms = np.fromiter(
        (round(r.timestamp.timestamp() * 1000) for r in records), "int64", len(records)
    )
    frame = pd.DataFrame(
        {
            "id": np.fromiter((r.id for r in records), "int64", len(records)),
            "nome": pd.array([r.name for r in records], dtype=COLUMNS["nome"]),
            "idade": np.fromiter((r.age for r in records), "int16", len(records)),
            "cidade": pd.array([r.city for r in records], dtype=COLUMNS["cidade"]),
            "valor_centavos": np.fromiter((r.value_cents for r in records), "int64", len(records)),
            "timestamp": pd.to_datetime(epoch_ms, unit="ms", utc=True).tz_convert(SAO_PAULO),
            "origem": pd.array([r.source for r in records], dtype=COLUMNS["origem"]),
        }
    )
    return frame.astype({"timestamp": COLUMNS["timestamp"]})


def keep_rows(frame: pd.DataFrame, keep: np.ndarray) -> pd.DataFrame:
    """`frame[keep]`, column by column: on Arrow string columns this is ~20x faster than
    DataFrame indexing, which goes through a per-chunk `take`."""
    return pd.DataFrame({name: frame[name].array[keep] for name in frame.columns}, copy=False)


class RecordStore:
    """Thread-safe upsert-by-id table with tombstones and bounded size."""

    def __init__(self, max_rows: int = 1_000_000):
        self.max_rows = max_rows
        self._lock = threading.Lock()
        self._frame = empty_frame()
        self._pending: dict[int, SaleRecord | None] = {}  # None marks a tombstone
        self._version = 0
        self._evicted = 0

    def apply(self, changes: Iterable[SaleRecord | Tombstone]) -> None:
        """Upsert records and delete tombstoned ids, in message order."""
        with self._lock:
            pending, before = self._pending, self._version
            for change in changes:
                # pop first so a rewritten id moves to the end (last-write order)
                pending.pop(change.id, None)
                pending[change.id] = change if isinstance(change, SaleRecord) else None
                self._version += 1
            if self._version != before and len(pending) >= COMPACT_EVERY:
                self._compact()

    def snapshot(self) -> pd.DataFrame:
        """The current table. The same object comes back while nothing changes: treat it
        as read-only."""
        return self.versioned_snapshot()[1]

    def versioned_snapshot(self) -> tuple[int, pd.DataFrame]:
        """The table and its version, which grows with every applied change."""
        with self._lock:
            if self._pending:
                self._compact()
            return self._version, self._frame

    @property
    def evicted(self) -> int:
        """Records dropped so far to stay within `max_rows`."""
        with self._lock:
            return self._evicted

    def clear(self) -> None:
        with self._lock:
            self._frame = empty_frame()
            self._pending.clear()
            self._evicted = 0
            self._version += 1

    def _compact(self) -> None:
        changed = np.fromiter(self._pending.keys(), "int64", len(self._pending))
        frame = self._frame
        rewritten = frame["id"].isin(changed).to_numpy()
        if rewritten.any():
            frame = keep_rows(frame, ~rewritten)
        live = [record for record in self._pending.values() if record is not None]
        if live:
            frame = pd.concat([frame, frame_from_records(live)], ignore_index=True)
        overflow = len(frame) - self.max_rows
        if overflow > 0:
            frame = frame.iloc[overflow:]
            self._evicted += overflow
        self._frame = frame.reset_index(drop=True)
        self._pending.clear()
