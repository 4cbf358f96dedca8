"""`uv run bench [--quick] [--only NAME ...] [--runs N]`

Runs against an embedded broker on a free port, prints a table of medians (min–max) and
writes it as JSON and Markdown under build/bench/ (ignored by git); `--publish` also
writes benchmarks/results/, which docs/benchmarks.md quotes. Timings are informational: compare
ratios within one run, not across machines.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path

from sales_monitor.analysis import tables
from sales_monitor.brokers.ports import free_port
from sales_monitor.brokers.tansu import Tansu
from sales_monitor.record import encode
from sales_monitor.settings import Settings
from sales_monitor_bench import baseline
from sales_monitor_bench import scenarios as sc
from sales_monitor_bench.report import Figure, markdown

ROOT = Path(__file__).resolve().parents[2]  # the repository: benchmarks/sales_monitor_bench/
RESULTS = ROOT / "build" / "bench"  # ignored by git: running the benchmark changes no tracked file
PUBLISHED = ROOT / "benchmarks" / "results"  # docs/benchmarks.md quotes it; --publish writes it


@dataclass(frozen=True)
class Sizes:
    runs: int
    produce: int
    produce_original: int
    ingest: tuple[int, ...]
    original_budget_s: float
    latency_s: float
    page_latency_s: float
    cold_start: int
    refresh: tuple[int, ...]
    refresh_original: tuple[int, ...]
    memory: int
    contract: int
    tabs_rows: int = 100_000
    codecs: int = 100_000
    tabs_window_s: float = 10.0


QUICK = Sizes(
    3,
    20_000,
    500,
    (10_000,),
    3.0,
    2.0,
    15.0,
    100_000,
    (10_000, 100_000),
    (10_000,),
    100_000,
    20_000,
    codecs=20_000,
)
FULL = Sizes(
    3,
    100_000,
    3_000,
    (10_000, 100_000),
    30.0,
    10.0,
    60.0,
    1_000_000,
    (10_000, 100_000, 1_000_000),
    (10_000, 100_000),
    1_000_000,
    100_000,
    tabs_rows=1_000_000,
    tabs_window_s=30.0,
)


def step(title: str) -> None:
    print(f"… {title}", file=sys.stderr, flush=True)


PRODUCER_OF_LIMIT = 0.85  # of the client's own send rate, same run
INGEST_OF_LIMIT = 0.75  # of the client's own consume rate, same run
CODEC_OF_UNCOMPRESSED = 0.80  # a compressed topic's ingest, of the uncompressed one's
COLD_START_LIMIT_MULTIPLE = 1.3  # of the client's own time to read the topic, same run


def producer(sizes: Sizes, bootstrap: str) -> list[Figure]:
    step("producer throughput")
    figure = Figure(
        "producer throughput",
        "records/s",
        f"≥ {PRODUCER_OF_LIMIT:.0%} of limit",
        lambda share: share >= PRODUCER_OF_LIMIT,
    )
    figure.note = (
        f"{sizes.produce:,} records made, encoded, sent, acknowledged; client limit: the same "
        f"bytes sent by kafka-python; original: send + flush each, {sizes.produce_original:,}"
    )
    messages = [encode(record) for record in sc.fake_records(sizes.produce)]
    for _ in range(sizes.runs):
        figure.limit.append(sc.client_send(bootstrap, messages)["records_per_s"])
        figure.ours.append(sc.producer_throughput(bootstrap, sizes.produce)["records_per_s"])
        original = sc.baseline_producer_throughput(bootstrap, sizes.produce_original)
        figure.original.append(original["records_per_s"])
    return [figure]


def ingest(sizes: Sizes, bootstrap: str) -> list[Figure]:
    return [_ingest(sizes, bootstrap, n) for n in sizes.ingest]


def _ingest(sizes: Sizes, bootstrap: str, n: int) -> Figure:
    step(f"dashboard ingest, {n:,} records")
    topic = sc.prepared_topic(bootstrap, n)
    figure = Figure(
        f"dashboard ingest, {n:,} records",
        "records/s",
        f"≥ {INGEST_OF_LIMIT:.0%} of limit",
        lambda share: share >= INGEST_OF_LIMIT,
    )
    figure.note = "client limit: kafka-python reading the same topic, no decoding"
    reached = n
    for _ in range(sizes.runs):
        figure.limit.append(sc.client_consume(bootstrap, topic, n)["records_per_s"])
        figure.ours.append(sc.ingest(bootstrap, topic, n)["records_per_s"])
        original = sc.baseline_ingest(bootstrap, topic, n, sizes.original_budget_s)
        figure.original.append(original["records_per_s"])
        reached = min(reached, original["measured_records"])
    if reached < n:
        figure.note += (
            f"; original measured on its first {reached:,} records, where its "
            f"{sizes.original_budget_s:g} s budget ran out; it only slows as it grows"
        )
    return figure


ALERTS_SHARE = 0.9  # ingest with the alerts stuck ÷ with no alerts, same run
ALERTS_RECORDS = 100_000


def alerts(sizes: Sizes, bootstrap: str) -> list[Figure]:
    from sales_monitor_bench.alerts import ingest_with_stuck_alerts

    # 100,000 even in --quick: at 10,000 a read lasts a tenth of a second, and the ratio of
    # two such reads spread from 0.65 to 1.62 in one run
    n = max(ALERTS_RECORDS, *sizes.ingest)
    step(f"ingest of {n:,} records while the alerts are stuck on a receiver that never answers")
    topic = sc.prepared_topic(bootstrap, n)
    note = "sender's queue full, receiver silent, rules reading the table every second"
    stuck = Figure(f"dashboard ingest, {n:,} records, alerts stuck", "records/s", note=note)
    share = Figure(
        "ingest with alerts stuck ÷ without, same run",
        "×",
        f"≥ {ALERTS_SHARE:g}",
        lambda v: v >= ALERTS_SHARE,
        note="each pair measured back to back",
    )
    for run in range(sizes.runs):  # which goes first alternates: neither gets the warm cache
        if run % 2:
            with_alerts = ingest_with_stuck_alerts(bootstrap, topic, n)["records_per_s"]
            alone = sc.ingest(bootstrap, topic, n)["records_per_s"]
        else:
            alone = sc.ingest(bootstrap, topic, n)["records_per_s"]
            with_alerts = ingest_with_stuck_alerts(bootstrap, topic, n)["records_per_s"]
        stuck.ours.append(with_alerts)
        share.ours.append(with_alerts / alone)
    return [stuck, share]


def codecs(sizes: Sizes, bootstrap: str) -> list[Figure]:
    """Ingest of the same sales written in each codec, beside the uncompressed topic."""
    n = sizes.codecs
    step(f"dashboard ingest by codec, {n:,} records")
    plain = sc.prepared_topic(bootstrap, n)
    figures = []
    for codec in ("gzip", "snappy", "lz4", "zstd"):
        topic = sc.prepared_topic(bootstrap, n, codec)
        figure = Figure(
            f"ingest in {codec}, {n:,} records",
            "records/s",
            f"≥ {CODEC_OF_UNCOMPRESSED:.0%} of uncompressed",
            lambda share: share >= CODEC_OF_UNCOMPRESSED,
        )
        figure.note = "limit column: the dashboard reading the same sales uncompressed"
        for _ in range(sizes.runs):
            figure.limit.append(sc.ingest(bootstrap, plain, n)["records_per_s"])
            figure.ours.append(sc.ingest(bootstrap, topic, n)["records_per_s"])
        figures.append(figure)
    return figures


def latency(sizes: Sizes, bootstrap: str) -> list[Figure]:
    """Produce to the dashboard's table (no page): context for the page row."""
    step("produce to table")
    runs = [sc.latency(bootstrap, 1_000, sizes.latency_s) for _ in range(sizes.runs)]
    figures = []
    for key in ("p50", "p95", "p99"):
        figure = Figure(f"produce to table {key} at 1,000 records/s", "ms")
        figure.ours = [run[f"{key}_ms"] for run in runs]
        figure.note = f"{sizes.latency_s:g} s of records per run"
        figures.append(figure)
    return figures


PAGE_RATE = 20  # records a second: a busy shop, and every refresh brings dozens
PAGE_SLACK_S = 0.5  # beyond the refresh interval, for the page to draw


def page(sizes: Sizes, bootstrap: str) -> list[Figure]:
    from sales_monitor_bench.browser import CHROMIUM
    from sales_monitor_bench.page_latency import page_latency

    if not Path(CHROMIUM).exists():
        step("produce to page: skipped, no Chromium (apt-get install -y chromium)")
        return []
    refresh_s = Settings().refresh_seconds
    step(f"produce to page in Chromium, {sizes.page_latency_s:g} s at {PAGE_RATE}/s")
    runs = [
        page_latency(bootstrap, sc.new_topic(bootstrap, "page"), PAGE_RATE, sizes.page_latency_s)
        for _ in range(sizes.runs)
    ]
    note = (
        f"{PAGE_RATE} records/s for {sizes.page_latency_s:g} s per run, real page, "
        f"default {refresh_s:g} s refresh"
    )
    p50 = Figure("produce to page in Chromium, p50", "ms", note=note)
    p50.ours = [run["p50_ms"] for run in runs]
    limit_ms = (refresh_s + PAGE_SLACK_S) * 1000
    p99 = Figure(
        "produce to page in Chromium, p99",
        "ms",
        f"≤ refresh + {PAGE_SLACK_S:g} s",
        lambda v: v <= limit_ms,
        note=note,
    )
    p99.ours = [run["p99_ms"] for run in runs]
    return [p50, p99]


CITIES = 100_000
CITIES_LIMIT_S = 1.0  # the page must answer a person within a second, whatever the cities
CITIES_COST_LIMIT = 1.2  # a new tab with 100,000 cities ÷ with the producer's few, same run


def cities(sizes: Sizes, bootstrap: str) -> list[Figure]:
    from sales_monitor_bench.browser import CHROMIUM
    from sales_monitor_bench.cities import many_cities

    if not Path(CHROMIUM).exists():
        step("many cities: skipped, no Chromium (apt-get install -y chromium)")
        return []
    step(f"{CITIES:,} distinct cities in Chromium: a new tab, and typing in the city filter")
    runs, few = [], []
    for _ in range(sizes.runs):  # interleaved: both sides see the same machine
        runs.append(many_cities(bootstrap, CITIES))
        few.append(many_cities(bootstrap, CITIES, distinct=False))
    note = f"{CITIES:,} sales, each in a city of its own; real page, the topic already read"
    load = Figure(
        f"{CITIES:,} distinct cities: a new tab shows the numbers",
        "s",
        f"≤ {CITIES_LIMIT_S:g}",
        lambda v: v <= CITIES_LIMIT_S,
        note=note,
    )
    load.ours = [run["first_load_s"] for run in runs]
    keys = Figure(
        f"{CITIES:,} distinct cities: the city filter answers a keystroke",
        "s",
        f"≤ {CITIES_LIMIT_S:g}",
        lambda v: v <= CITIES_LIMIT_S,
        note=note + "; the median of 11 keys",
    )
    keys.ours = [run["keystroke_s"] for run in runs]
    cost = Figure(
        f"{CITIES:,} distinct cities ÷ the producer's few: a new tab",
        "×",
        f"≤ {CITIES_COST_LIMIT:g}",
        lambda v: v <= CITIES_COST_LIMIT,
        note="the same page and sales; what the cities themselves cost, in one run",
    )
    cost.ours = [
        many["first_load_s"] / usual["first_load_s"] for many, usual in zip(runs, few, strict=True)
    ]
    return [load, keys, cost]


TABS_GROWTH_LIMIT = 1.3  # the server's CPU with 8 tabs on one view ÷ with 1, same run
IDLE_SHARE_LIMIT = 0.10  # one tab with nothing arriving ÷ with records arriving, same run


def tabs(sizes: Sizes, bootstrap: str) -> list[Figure]:
    from sales_monitor_bench.browser import CHROMIUM
    from sales_monitor_bench.tabs import ARRIVING_PER_S, MANY_TABS, tabs_cpu

    if not Path(CHROMIUM).exists():
        step("tabs: skipped, no Chromium (apt-get install -y chromium)")
        return []
    n = sizes.tabs_rows
    step(f"tabs: server CPU at {n:,} rows, {sizes.tabs_window_s:g} s windows")
    run = tabs_cpu(bootstrap, n, sizes.tabs_window_s)
    note = f"{n:,} rows, {ARRIVING_PER_S} records/s arriving, real page in Chromium"
    stale = [k for k in ("one", "many") if not run[k]["refreshed"]]
    if stale:
        note += f"; a tab did not refresh in: {', '.join(stale)}"
    one, many, idle = (run[k]["cores"] for k in ("one", "many", "idle"))
    return [
        Figure("server CPU, 1 tab, records arriving", "cores", note=note, ours=[one]),
        Figure(f"server CPU, {MANY_TABS} tabs, records arriving", "cores", note=note, ours=[many]),
        Figure(
            f"server CPU, {MANY_TABS} tabs ÷ 1 tab, same view",
            "×",
            f"≤ {TABS_GROWTH_LIMIT:g}",
            lambda v: v <= TABS_GROWTH_LIMIT,
            note=note,
            ours=[many / one],
        ),
        Figure("server CPU, 1 tab, nothing arriving", "cores", note=note, ours=[idle]),
        Figure(
            "server CPU, 1 tab idle ÷ arriving",
            "×",
            f"≤ {IDLE_SHARE_LIMIT:g}",
            lambda v: v <= IDLE_SHARE_LIMIT,
            note=note,
            ours=[idle / one],
        ),
        Figure(
            "server CPU per refresh, 1 tab, records arriving",
            "ms",
            note=note,
            ours=[one * run["refresh_s"] * 1000],
        ),
    ]


def cold_start(sizes: Sizes, bootstrap: str) -> list[Figure]:
    n = sizes.cold_start
    step(f"cold start: publishing {n:,} records")
    topic = sc.prepared_topic(bootstrap, n)
    figure = Figure(
        f"cold start: rebuild {n:,} records from the topic",
        "s",
        f"≤ {COLD_START_LIMIT_MULTIPLE:g}× limit",
        lambda m: m <= COLD_START_LIMIT_MULTIPLE,
    )
    figure.note = "client limit: kafka-python reading the topic, no decoding"
    for _ in range(sizes.runs):
        step(f"cold start: reading {n:,} records")
        figure.limit.append(sc.client_consume(bootstrap, topic, n)["seconds"])
        figure.ours.append(sc.ingest(bootstrap, topic, n)["seconds"])
    return [figure]


REFRESH_LIMIT_MS = {1_000_000: 250}  # the one absolute target kept: the page must not freeze
REFRESH_GROWTH_LIMIT = 4.0  # refresh at 1,000,000 rows ÷ at 100,000, same run


REFRESHES_PER_RUN = 3  # a refresh is cheap and noisy here: more samples, a steadier median


def refresh(sizes: Sizes, bootstrap: str) -> list[Figure]:
    pool = sc.fake_records(max(sizes.refresh) + 100 * sizes.runs * REFRESHES_PER_RUN)
    figures: list[Figure] = []
    timings: dict[int, list[float]] = {}  # rows -> the refresh times measured at that size
    for n in sizes.refresh:
        step(f"refresh at {n:,} rows")
        timing, sent = _refresh(sizes, pool, n)
        figures += [timing, sent]
        timings[n] = timing.ours
    small, large = sorted(timings)[-2:]
    growth = Figure(f"refresh at {large:,} rows ÷ at {small:,}, same run", "×")
    if large == 10 * small:
        growth.target = f"≤ {REFRESH_GROWTH_LIMIT:g}"
        growth.meets = lambda v: v <= REFRESH_GROWTH_LIMIT
    growth.ours = [b / a for a, b in zip(timings[small], timings[large], strict=True)]
    return [*figures, growth]


def _refresh(sizes: Sizes, pool: list, n: int) -> list[Figure]:
    limit = REFRESH_LIMIT_MS.get(n)
    timing = Figure(f"refresh at {n:,} rows", "ms", f"≤ {limit}" if limit else "")
    timing.meets = (lambda v: v <= limit) if limit else None
    timing.note = (
        f"after 100 upserts of existing ids, store rebuild included; "
        f"{sizes.runs * REFRESHES_PER_RUN} refreshes"
    )
    sent = Figure(f"data sent to the browser per refresh at {n:,} rows", "KB")
    if n == 1_000_000:
        sent.target, sent.meets = "≤ 1,000", lambda v: v <= 1_000
    store = sc.filled_store(pool[:n])
    sc.refresh(store, [])  # warm-up, not counted: first calls pay for imports and caches
    for run in range(sizes.runs * REFRESHES_PER_RUN):
        result = sc.refresh(store, pool[run * 100 : (run + 1) * 100])
        timing.ours.append(result["ms"])
        sent.ours.append(result["payload_bytes"] / 1000)
    if n in sizes.refresh_original:
        table = baseline.OriginalTable()
        table.frame = tables.numeric(store.snapshot())  # the same rows, original layout
        sc.baseline_refresh(table)  # warm-up, as above
        for _ in range(sizes.runs):
            result = sc.baseline_refresh(table)
            timing.original.append(result["ms"])
            sent.original.append(result["payload_bytes"] / 1000)
    return [timing, sent]


def memory(sizes: Sizes, bootstrap: str) -> list[Figure]:
    n = sizes.memory
    step(f"store memory, {n:,} records")
    runs = [sc.store_memory(n) for _ in range(sizes.runs)]
    table = Figure(f"store memory, {n:,} live records: the table", "MB", "≤ 150 at 1,000,000")
    table.meets = (lambda v: v <= 150) if n == 1_000_000 else None
    table.ours = [run["table_mb"] for run in runs]
    rss = Figure(f"store memory, {n:,} live records: process RSS growth", "MB")
    rss.ours = [run["rss_growth_mb"] for run in runs]
    versions = Figure(f"latest-write rule: versions of {n:,} rows (part of the table)", "MB")
    versions.ours = [run["versions_mb"] for run in runs]
    deletions = Figure("latest-write rule: the newest 100,000 deletions remembered (RSS)", "MB")
    deletions.ours = [run["deletions_mb"] for run in runs]
    return [table, rss, versions, deletions]


def contract(sizes: Sizes, bootstrap: str) -> list[Figure]:
    step("validation: hand-written vs pydantic")
    messages = [encode(record) for record in sc.fake_records(sizes.contract)]
    runs = [sc.contract(messages) for _ in range(sizes.runs)]
    figure = Figure(f"validation of {sizes.contract:,} messages", "messages/s")
    figure.note = "hand-written `decode`; 'original' column: pydantic v2 with the same rules"
    figure.ours = [run["ours_per_s"] for run in runs]
    figure.original = [run["pydantic_per_s"] for run in runs]
    return [figure]


def csv_monitor(sizes: Sizes, bootstrap: str) -> list[Figure]:
    n = sizes.contract
    step(f"CSV monitor: {n:,}-row file, one-line edit")
    runs = [sc.csv_edit(bootstrap, n) for _ in range(sizes.runs)]
    parse = Figure(f"CSV monitor: parse a {n:,}-row file", "ms")
    edit = Figure(f"CSV monitor: one-line edit of a {n:,}-row file, change to message sent", "ms")
    edit.note = "read, parse, diff against the published rows, send, acknowledged"
    ratio = Figure("CSV monitor: edit-to-sent ÷ parse, same run", "×", "≤ 1.5", lambda v: v <= 1.5)
    parse.ours = [run["parse_ms"] for run in runs]
    edit.ours = [run["edit_ms"] for run in runs]
    ratio.ours = [run["edit_ms"] / run["parse_ms"] for run in runs]
    return [parse, edit, ratio]


SCENARIOS = {
    "producer": producer,
    "ingest": ingest,
    "alerts": alerts,
    "codecs": codecs,
    "latency": latency,
    "page": page,
    "tabs": tabs,
    "coldstart": cold_start,
    "refresh": refresh,
    "memory": memory,
    "contract": contract,
    "csv": csv_monitor,
    "cities": cities,
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bench", description=__doc__.split("\n\n")[1])
    parser.add_argument("--quick", action="store_true", help="small sizes, about 5 minutes here")
    parser.add_argument("--only", nargs="+", choices=list(SCENARIOS), help="these scenarios")
    parser.add_argument("--runs", type=int, help="runs per figure (default 3)")
    parser.add_argument("--no-save", action="store_true", help="print only, write no files")
    parser.add_argument(
        "--soak",
        type=float,
        metavar="SECONDS",
        help="instead: memory and threads of a dashboard at 1,000 records/s, 3 tabs, 50,000 rows",
    )
    parser.add_argument("--every", type=float, default=30.0, help="soak: seconds between samples")
    parser.add_argument(
        "--micro",
        action="store_true",
        help="instead: the small choices the code's comments cite, against their alternatives",
    )
    parser.add_argument(
        "--publish",
        action="store_true",
        help=f"also write the results to {PUBLISHED.relative_to(ROOT)} (for docs/benchmarks.md)",
    )
    args = parser.parse_args(argv)
    if args.micro:
        from sales_monitor_bench import micro

        micro.main()
        return 0
    if args.soak is not None:
        return _soak(args.soak, args.every)
    sizes = QUICK if args.quick else FULL
    sizes = replace(sizes, runs=args.runs) if args.runs else sizes
    started = time.perf_counter()
    with Tansu(port=free_port()) as broker:
        figures = [
            f for name in args.only or SCENARIOS for f in SCENARIOS[name](sizes, broker.bootstrap)
        ]
    rows = [figure.row() for figure in figures]
    mode, when = "quick" if args.quick else "full", datetime.now().strftime("%Y-%m-%d %H:%M")
    table = markdown(rows, mode, when)
    print(table + f"\n({time.perf_counter() - started:.0f} s in all)")
    for folder in ([] if args.no_save else [RESULTS]) + ([PUBLISHED] if args.publish else []):
        _save(folder, mode, when, rows, table)
    return 0


def _save(folder: Path, mode: str, when: str, rows: list[dict], table: str) -> None:
    from sales_monitor_bench.report import machine

    folder.mkdir(parents=True, exist_ok=True)
    payload = {"mode": mode, "when": when, "machine": machine(), "figures": rows}
    (folder / f"{mode}.json").write_text(json.dumps(payload, indent=2, ensure_ascii=False) + "\n")
    (folder / f"{mode}.md").write_text(table)
    print(f"Saved to {folder / mode}.json and .md")


def _soak(seconds: float, every: float) -> int:
    from sales_monitor_bench.soak import soak, verdict

    lines = verdict(soak(seconds, every))
    print("\n".join(lines))
    return 0 if lines[-1].startswith("tabs refreshing") else 1
