"""One function per benchmark figure. Each returns a dict of measured values for one run."""

from __future__ import annotations

import gc
import io
import json
import os
import statistics
import subprocess
import sys
import threading
import time
import uuid

import pandas as pd
import plotly.io
import pyarrow as pa

from sales_monitor.analysis import charts, filtering, metrics, tables, trend
from sales_monitor.fake_sales.faker import SaleFaker
from sales_monitor.fake_sales.pace import Pace
from sales_monitor.fake_sales.pace import run as run_producer
from sales_monitor.fake_sales.produce import SOURCE
from sales_monitor.kafka.clients import ensure_topic, make_producer
from sales_monitor.kafka.connection import Connection
from sales_monitor.kafka.publish import Publisher
from sales_monitor.record import SaleRecord, Tombstone, decode, encode, source_headers
from sales_monitor.stream.consumer import MAX_RECORDS_PER_POLL, StreamConsumer
from sales_monitor.stream.store import DELETIONS_KEPT, RecordStore
from sales_monitor_bench import baseline

HIGH_TICKET = 180_000


def new_topic(bootstrap: str, name: str) -> str:
    topic = f"bench-{name}-{uuid.uuid4().hex[:8]}"
    ensure_topic(bootstrap, topic)
    return topic


def fake_records(n: int, seed: int = 1) -> list[SaleRecord]:
    faker = SaleFaker(seed=seed)
    return [faker.record() for _ in range(n)]


def publish(
    bootstrap: str, topic: str, records: list[SaleRecord], codec: str | None = None
) -> None:
    producer = make_producer(bootstrap, linger_ms=20, compression_type=codec)
    Publisher(producer, topic, SOURCE).send_all(records)
    producer.flush()
    producer.close()


# -- producer ---------------------------------------------------------------------------


def producer_throughput(bootstrap: str, n: int) -> dict:
    """Fake records generated, serialized, sent and acknowledged, as fast as possible: the
    producer command's own loop with no pause (a batch per tick), its outage check included."""
    topic = new_topic(bootstrap, "produce")
    faker = SaleFaker()
    producer = make_producer(bootstrap)
    publisher = Publisher(producer, topic, SOURCE)  # the app's send path, header included
    stats = publisher.stats
    start = time.perf_counter()
    run_producer(
        publisher.send_messages,
        faker.messages,
        Pace(0),
        threading.Event(),
        count=n,
        on_batch=lambda batch: stats.waiting_s(),  # what the command's outage check reads
    )
    producer.flush()
    elapsed = time.perf_counter() - start
    producer.close()
    assert stats.acked == n, f"only {stats.acked} of {n} acknowledged"
    return {"records_per_s": n / elapsed}


def client_send(bootstrap: str, messages: list[tuple[bytes, bytes]]) -> dict:
    """The client's limit for the producer: kafka-python sending already-encoded messages
    (the same keys, values and header) with the app's producer settings, nothing else."""
    topic = new_topic(bootstrap, "produce-client")
    producer = make_producer(bootstrap)
    headers, send = source_headers(SOURCE), producer.send
    start = time.perf_counter()
    for key, value in messages:
        send(topic, key=key, value=value, headers=headers)
    producer.flush()
    elapsed = time.perf_counter() - start
    producer.close()
    return {"records_per_s": len(messages) / elapsed}


def baseline_producer_throughput(bootstrap: str, n: int) -> dict:
    topic = new_topic(bootstrap, "produce-original")
    records = fake_records(n)
    start = time.perf_counter()
    baseline.produce_one_by_one(bootstrap, topic, records)
    return {"records_per_s": n / (time.perf_counter() - start)}


# -- dashboard ingest and cold start ----------------------------------------------------


def prepared_topic(bootstrap: str, n: int, codec: str | None = None) -> str:
    topic = new_topic(bootstrap, f"ingest-{n}-{codec or 'none'}")
    publish(bootstrap, topic, fake_records(n), codec)
    return topic


def ingest(bootstrap: str, topic: str, n: int, timeout_s: float = 600) -> dict:
    """The dashboard's consumer reading `n` records from offset 0 into a fresh store."""
    consumer = StreamConsumer(Connection(bootstrap), topic, RecordStore(max_rows=max(n, 1)))
    start = time.perf_counter()
    consumer.start()
    deadline = start + timeout_s
    while consumer.status.consumed < n and time.perf_counter() < deadline:
        time.sleep(0.005)
    rows = len(consumer.store.snapshot())
    elapsed = time.perf_counter() - start
    consumer.stop()
    assert rows == n, f"store holds {rows} rows, expected {n}"
    return {"records_per_s": n / elapsed, "seconds": elapsed}


def client_consume(bootstrap: str, topic: str, n: int, timeout_s: float = 600) -> dict:
    """The client's limit for ingest and cold start: kafka-python reading the same topic
    with the dashboard's consumer settings and poll size, messages counted, not decoded."""
    from kafka import TopicPartition

    from sales_monitor.kafka.clients import make_consumer

    start = time.perf_counter()
    consumer = make_consumer(bootstrap)
    consumer.assign([TopicPartition(topic, p) for p in consumer.partitions_for_topic(topic)])
    consumer.seek_to_beginning()
    read, deadline = 0, start + timeout_s
    while read < n and time.perf_counter() < deadline:
        polled = consumer.poll(timeout_ms=200, max_records=MAX_RECORDS_PER_POLL)
        read += sum(map(len, polled.values()))
    elapsed = time.perf_counter() - start
    consumer.close()
    assert read == n, f"read {read} messages, expected {n}"
    return {"records_per_s": n / elapsed, "seconds": elapsed}


def baseline_ingest(bootstrap: str, topic: str, n: int, budget_s: float) -> dict:
    """The original's per-message concat, on the same messages; stops at `budget_s`."""
    from kafka import TopicPartition

    from sales_monitor.kafka.clients import make_consumer

    consumer = make_consumer(bootstrap)
    consumer.assign([TopicPartition(topic, 0)])
    consumer.seek_to_beginning()
    values: list[bytes] = []
    while len(values) < n:
        for batch in consumer.poll(timeout_ms=200, max_records=10_000).values():
            values.extend(m.value for m in batch)
    consumer.close()
    table = baseline.OriginalTable()
    start = time.perf_counter()
    done = table.ingest_until(values, budget_s)
    return {"records_per_s": done / (time.perf_counter() - start), "measured_records": done}


# -- end-to-end latency -----------------------------------------------------------------


class _TimedStore(RecordStore):
    """Notes when each id becomes visible to readers (apply is when the page can see it)."""

    def __init__(self) -> None:
        super().__init__()
        self.seen: dict[int, float] = {}

    def apply(self, changes, versions=None) -> None:
        changes = list(changes)
        super().apply(changes, versions)
        self._saw(change.id for change in changes)

    def apply_columns(self, columns, versions) -> None:
        super().apply_columns(columns, versions)
        self._saw(columns.ids)

    def _saw(self, ids) -> None:
        now = time.perf_counter()
        for record_id in ids:
            self.seen.setdefault(record_id, now)


def latency(bootstrap: str, rate: int, seconds: float) -> dict:
    topic = new_topic(bootstrap, "latency")
    store = _TimedStore()
    consumer = StreamConsumer(Connection(bootstrap), topic, store)
    consumer.start()
    while not consumer.status.connected:
        time.sleep(0.01)
    records = fake_records(int(rate * seconds))
    sent_at = _send_paced(bootstrap, topic, records, rate)
    deadline = time.perf_counter() + 10
    while len(store.seen) < len(records) and time.perf_counter() < deadline:
        time.sleep(0.01)
    consumer.stop()
    delays = sorted((store.seen[i] - t) * 1000 for i, t in sent_at.items() if i in store.seen)
    assert len(delays) == len(records), f"{len(records) - len(delays)} records never arrived"
    q = statistics.quantiles(delays, n=100)
    return {"p50_ms": q[49], "p95_ms": q[94], "p99_ms": q[98]}


def paced(items: list, rate: float):
    """The items one by one on a steady schedule: item n is due `n / rate` s after the start."""
    start = time.perf_counter()
    for n, item in enumerate(items):
        delay = start + n / rate - time.perf_counter()
        if delay > 0:
            time.sleep(delay)
        yield item


def _send_paced(bootstrap: str, topic: str, records: list[SaleRecord], rate: int) -> dict:
    producer = make_producer(bootstrap)  # the app's producer settings (5 ms linger)
    sent_at: dict[int, float] = {}
    for record in paced(records, rate):
        key, value = encode(record)
        sent_at[record.id] = time.perf_counter()
        producer.send(topic, key=key, value=value)
    producer.flush()
    producer.close()
    return sent_at


# -- refresh, payload, memory -----------------------------------------------------------


def filled_store(records: list[SaleRecord]) -> RecordStore:
    store = RecordStore(max_rows=len(records))
    for start in range(0, len(records), 50_000):
        store.apply(records[start : start + 50_000])
    store.snapshot()
    return store


def page_payload(table: pd.DataFrame) -> list:
    """Everything the page computes and sends on one refresh, from the store's table."""
    table = filtering.apply_filters(table, filtering.Filters())
    by_city = metrics.value_by_city(table)
    return [
        metrics.summarize(table),
        charts.value_by_city(by_city),
        charts.age_histogram(metrics.age_distribution(table)),
        charts.value_by_state(by_state := metrics.value_by_state(by_city)),
        charts.region_share(metrics.region_share(by_state)),
        charts.value_by_age(metrics.scatter_sample(table), len(table)),
        charts.revenue_trend(trend.revenue_trend(table)),
        tables.high_ticket(table, HIGH_TICKET),
        tables.latest(table),
        metrics.statistics(table),
    ]


def payload_bytes(items: list) -> int:
    """Bytes the browser receives: figure JSON plus Arrow IPC for each table."""
    total = 0
    for item in items:
        if isinstance(item, pd.DataFrame):
            total += _arrow_bytes(item)
        elif hasattr(item, "to_plotly_json"):
            total += len(plotly.io.to_json(item, validate=False))
    return total


def _arrow_bytes(frame: pd.DataFrame) -> int:
    sink = io.BytesIO()
    table = pa.Table.from_pandas(frame)
    with pa.ipc.new_stream(sink, table.schema) as writer:
        writer.write_table(table)
    return sink.tell()


def refresh(store: RecordStore, changes: list[SaleRecord]) -> dict:
    """One refresh after `changes` arrived (upserts of existing ids: the costly case)."""
    store.apply(changes)
    start = time.perf_counter()
    items = page_payload(store.snapshot())
    elapsed = time.perf_counter() - start
    return {"ms": elapsed * 1000, "payload_bytes": payload_bytes(items)}


def baseline_refresh(table: baseline.OriginalTable) -> dict:
    start = time.perf_counter()
    items = table.refresh()
    elapsed = time.perf_counter() - start
    return {"ms": elapsed * 1000, "payload_bytes": payload_bytes(items)}


def store_memory(n: int) -> dict:
    """The table's own bytes (pandas deep usage) and the RSS growth it caused, measured in
    a fresh interpreter so earlier scenarios' freed memory cannot hide the growth."""
    code = f"from sales_monitor_bench.scenarios import _memory_child; _memory_child({n})"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


def _memory_child(n: int) -> None:
    faker = SaleFaker(seed=1)
    store = RecordStore(max_rows=n)
    gc.collect()
    before = _rss_bytes()
    for start in range(0, n, 50_000):  # never all records at once: only the store stays
        store.apply([faker.record() for _ in range(min(50_000, n - start))])
    store.snapshot()
    gc.collect()
    grown = _rss_bytes() - before
    usage = store.snapshot().memory_usage(deep=True)
    # the latest-write rule's cost: a version per row, and the newest deletions remembered
    before = _rss_bytes()
    store.apply([Tombstone(-i) for i in range(1, DELETIONS_KEPT + 1)])
    gc.collect()
    print(
        json.dumps(
            {
                "table_mb": int(usage.sum()) / 1e6,
                "rss_growth_mb": grown / 1e6,
                "versions_mb": int(usage["versao"]) / 1e6,
                "deletions_mb": (_rss_bytes() - before) / 1e6,
            }
        )
    )


def _rss_bytes() -> int:
    with open("/proc/self/statm") as statm:
        pages = int(statm.read().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE")


# -- the contract -----------------------------------------------------------------------


def contract(messages: list[tuple[bytes, bytes]]) -> dict:
    """Hand-written `decode` against a pydantic v2 model of the same fields."""
    from sales_monitor_bench.pydantic_model import validate

    start = time.perf_counter()
    for key, value in messages:
        decode(key, value)
    ours = time.perf_counter() - start
    start = time.perf_counter()
    for key, value in messages:
        validate(key, value)
    theirs = time.perf_counter() - start
    return {"ours_per_s": len(messages) / ours, "pydantic_per_s": len(messages) / theirs}


# -- CSV monitor ------------------------------------------------------------------------


def _csv_line(r: SaleRecord) -> str:
    reais = f"{r.value_cents // 100:,}".replace(",", ".")
    moment = f"{r.timestamp:%d/%m/%Y %H:%M:%S}"
    return f"{r.id};{r.name};{r.age};{r.city};{reais},{r.value_cents % 100:02d};{moment}"


def csv_edit(bootstrap: str, n: int) -> dict:
    """A synced n-row file: the time to parse it, and the time from a one-line edit to the
    one message being acknowledged (the watcher's fixed 0.3 s settle time not included)."""
    import contextlib
    import io
    import tempfile
    from pathlib import Path

    from sales_monitor.files.monitor import CsvMonitor
    from sales_monitor.files.sync import load

    topic = new_topic(bootstrap, "csv")
    lines = ["id;nome;idade;cidade;valor;timestamp", *map(_csv_line, fake_records(n))]
    producer = make_producer(bootstrap)
    with tempfile.TemporaryDirectory() as folder, contextlib.redirect_stdout(io.StringIO()):
        path = Path(folder) / "vendas.csv"
        path.write_text("\n".join(lines) + "\n")
        monitor = CsvMonitor(path, Connection(bootstrap), topic, producer)
        monitor.sync_file()
        start = time.perf_counter()
        load(path, monitor.source)
        parse_s = time.perf_counter() - start
        lines[n // 2] = lines[n // 2].replace(";", ";X", 1)  # a name edited
        path.write_text("\n".join(lines) + "\n")
        sent = monitor.publisher.stats.acked
        start = time.perf_counter()
        monitor.sync_file()
        edit_s = time.perf_counter() - start
        assert monitor.publisher.stats.acked - sent == 1
    producer.close()
    return {"parse_ms": parse_s * 1000, "edit_ms": edit_s * 1000}
