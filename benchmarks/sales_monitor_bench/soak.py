"""`uv run bench --soak SECONDS`: memory and threads of a dashboard over time.

The demo's pieces (embedded broker, producer at 1,000 records/s, dashboard capped at 50,000
rows) run with three Chromium tabs open on the page. Every `every` seconds the dashboard
server's resident memory and thread count are read from /proc, with each tab's Total
Registros. Once the cap is reached, memory should stay flat, threads constant, and every tab
should keep refreshing.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

from sales_monitor.brokers.ports import free_port
from sales_monitor.kafka.connection import Connection
from sales_monitor.launch.demo import Demo
from sales_monitor.settings import Settings
from sales_monitor_bench.browser import CHROMIUM, CHROMIUM_ARGS, total_records

RATE = 1_000
CAP = 50_000
TABS = 3


@dataclass(frozen=True)
class Sample:
    at_s: float
    rss_mb: float
    threads: int
    totals: tuple[int, ...]  # Total Registros in each tab
    evicted: tuple[int, ...]  # "N vendas mais antigas saíram da tabela" in each tab


def process_stats(pid: int) -> tuple[float, int]:
    fields = dict(
        line.split(":", 1) for line in Path(f"/proc/{pid}/status").read_text().splitlines()
    )
    return int(fields["VmRSS"].split()[0]) / 1024, int(fields["Threads"])


def _evicted(page) -> int:
    """Past the cap this grows every refresh: the sign a tab is still live."""
    notice = page.get_by_text("mais antigas saíram da tabela")  # the Painel's eviction notice
    if notice.count() == 0:
        return 0
    return int(notice.first.inner_text().split()[0].replace(".", ""))


def soak(seconds: float, every: float) -> list[Sample]:
    from playwright.sync_api import sync_playwright

    settings = Settings(connection=Connection(f"127.0.0.1:{free_port()}"), max_rows=CAP)
    demo = Demo(settings, free_port(), ["--rate", str(RATE)])
    samples: list[Sample] = []
    try:
        demo.start()
        server = demo.children["dashboard"].pid
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            tabs = [browser.new_page() for _ in range(TABS)]
            for tab in tabs:
                tab.goto(f"http://127.0.0.1:{demo.port}")
            started = time.monotonic()
            while (elapsed := time.monotonic() - started) <= seconds:
                rss, threads = process_stats(server)
                totals = tuple(total_records(t) for t in tabs)
                samples.append(Sample(elapsed, rss, threads, totals, tuple(map(_evicted, tabs))))
                print(_line(samples[-1]), flush=True)
                time.sleep(max(0.0, every - (time.monotonic() - started - elapsed)))
            browser.close()
    finally:
        demo.stop()
    return samples


def _line(sample: Sample) -> str:
    totals = ", ".join(f"{t:,}".replace(",", ".") for t in sample.totals)
    evicted = ", ".join(f"{e:,}".replace(",", ".") for e in sample.evicted)
    return (
        f"{sample.at_s:6.0f} s  RSS {sample.rss_mb:7.1f} MB  threads {sample.threads:3d}  "
        f"Total Registros nas abas: {totals}  descartados: {evicted}"
    )


def verdict(samples: list[Sample]) -> list[str]:
    """What the samples show once every tab shows the cap."""
    capped = [s for s in samples if min(s.totals) >= CAP]
    if len(capped) < 2:
        return [f"cap of {CAP:,} rows not reached long enough to judge (raise SECONDS)"]
    rss = [s.rss_mb for s in capped]
    threads = [s.threads for s in capped]
    half = len(capped) // 2
    grew = max(threads[half:]) > max(threads[:half])
    refreshing = all(
        all(b > a for a, b in zip(earlier.evicted, later.evicted, strict=True))
        for earlier, later in zip(capped, capped[1:], strict=False)
    )
    return [
        f"after the cap: {len(capped)} samples over {capped[-1].at_s - capped[0].at_s:.0f} s",
        f"RSS {min(rss):.1f}–{max(rss):.1f} MB: spread {max(rss) - min(rss):.1f} MB "
        f"({(max(rss) - min(rss)) / min(rss):.1%} of the lowest)",
        f"threads {min(threads)}–{max(threads)}: "
        + (
            "grew in the second half" if grew else "no growth (one more while a rerun is in flight)"
        ),
        "tabs refreshing: each tab's evicted count grew between every two samples"
        if refreshing
        else "a tab stopped refreshing (its evicted count did not grow)",
    ]
