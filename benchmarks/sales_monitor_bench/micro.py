"""`uv run bench --micro`: the small choices the code's comments cite,
each timed against the obvious alternative on this machine (medians of 5 runs; compare the
ratio, not the times)."""

from __future__ import annotations

import random
import statistics
import timeit
from collections import namedtuple
from datetime import datetime, timedelta

import numpy as np
import pandas as pd
import pyarrow as pa

from sales_monitor.fake_sales.faker import SaleFaker
from sales_monitor.ptbr import brazilian_times
from sales_monitor.record import SAO_PAULO, SaleRecord, decode, encode
from sales_monitor.record_columns import decode_columns
from sales_monitor.stream.store import RecordStore, keep_rows

N = 100_000
# the fields of kafka-python's ConsumerRecord the decoders read
Polled = namedtuple("Polled", "partition offset key value headers timestamp timestamp_type")
START = datetime(2025, 8, 27, 12, tzinfo=SAO_PAULO)


def _median(statement, number: int) -> float:
    return statistics.median(timeit.repeat(statement, number=number, repeat=5)) / number


def _row(what: str, ours: float, theirs: float, alternative: str) -> None:
    print(
        f"{what}: {ours * 1e3:.2f} ms vs {theirs * 1e3:.2f} ms ({alternative}): "
        f"{theirs / ours:.1f}x"
    )


def main() -> None:
    moments = [START + timedelta(seconds=i) for i in range(N)]
    series = pd.Series(pd.DatetimeIndex(moments))
    ours = _median(lambda: brazilian_times(series), 3)
    theirs = _median(lambda: series.dt.strftime("%d/%m/%Y %H:%M:%S").tolist(), 3)
    _row(f"pt-BR text of {N:,} moments", ours, theirs, "strftime")
    _row(
        f"{N:,} aware datetimes to epoch ms",
        _median(lambda: pa.array(moments, pa.timestamp("ms", tz="UTC")).cast(pa.int64()), 3),
        _median(lambda: [round(m.timestamp() * 1000) for m in moments], 3),
        "datetime.timestamp()",
    )
    frame = _store_snapshot()
    for share in (0.5, 0.99):
        keep = np.random.default_rng(0).random(len(frame)) < share
        _row(
            f"{share:.0%} of a {len(frame):,}-row store snapshot",
            _median(lambda: keep_rows(frame, keep), 5),  # noqa: B023 - timed at once
            _median(lambda: frame[keep], 5),  # noqa: B023 - timed at once
            "DataFrame indexing",
        )
    chooser, cities = random.Random(0), [f"c{i}" for i in range(25)]
    ours = _median(lambda: [cities[int(chooser.random() * 25)] for _ in range(N)], 3)
    theirs = _median(lambda: [chooser.choice(cities) for _ in range(N)], 3)
    _row(f"{N:,} random picks", ours, theirs, "random.choice")
    faker = SaleFaker(seed=0)
    ours = _median(lambda: faker.messages(1_000), 20)
    theirs = _median(lambda: [encode(faker.record()) for _ in range(1_000)], 20)
    _row("1,000 fake sales as Kafka messages", ours, theirs, "record and encode, one by one")
    poll = [
        Polled(0, offset, key, value, [("origem", b"produtor")], -1, 0)
        for offset, (key, value) in enumerate(faker.messages(10_000))
    ]
    ours = _median(lambda: decode_columns(poll), 5)
    theirs = _median(lambda: [decode(m.key, m.value, m.headers) for m in poll], 5)
    _row("a poll of 10,000 sales decoded", ours, theirs, "decode, message by message")


def _store_snapshot() -> pd.DataFrame:
    """A store's table as the dashboard has it: rebuilt after each of 20 batches, so its
    Arrow string columns come in chunks."""
    store = RecordStore()
    for batch in range(20):
        store.apply(
            [
                SaleRecord(batch * 5_000 + i + 1, f"Cliente {i}", 30, "Natal", 100, START)
                for i in range(5_000)
            ]
        )
        store.snapshot()
    return store.snapshot()


if __name__ == "__main__":
    main()
