"""What open tabs cost the dashboard server: its CPU with 1 and 8 tabs on the same view
while records arrive, and with 1 tab while nothing arrives (once the reader has seen the
stream quiet, as an idle dashboard stays).

A dashboard server reads a topic prepared with `rows` records; Chromium opens the page in
separate windows (no background throttling); a steady producer sends 100 records/s. The
server's CPU (user + system, from /proc) is read over `window_s` seconds in each state, and
every tab must have refreshed meanwhile (its Total Registros grew), or the figure says so.
"""

from __future__ import annotations

import os
import threading
import time
from dataclasses import replace
from datetime import datetime
from pathlib import Path

from sales_monitor.fake_sales.produce import SOURCE
from sales_monitor.kafka.clients import make_producer
from sales_monitor.kafka.connection import Connection
from sales_monitor.kafka.publish import Publisher
from sales_monitor.record import SAO_PAULO
from sales_monitor.settings import Settings
from sales_monitor.stream.consumer import QUIET_AFTER_S
from sales_monitor_bench import scenarios as sc
from sales_monitor_bench.browser import (
    CHROMIUM,
    CHROMIUM_ARGS,
    TOTAL_METRIC,
    dashboard_server,
    total_records,
)

ARRIVING_PER_S = 100
OPEN_TIMEOUT_S = 600
MANY_TABS = 8
NO_THROTTLING = [  # every tab refreshes as a person's foreground tab would
    "--disable-background-timer-throttling",
    "--disable-renderer-backgrounding",
    "--disable-backgrounding-occluded-windows",
]


def cpu_seconds(pid: int) -> float:
    """User + system CPU of a process so far (all its threads)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def tabs_cpu(bootstrap: str, rows: int, window_s: float) -> dict:
    """Server CPU in cores: 1 tab and MANY_TABS tabs with records arriving, 1 tab idle."""
    from playwright.sync_api import sync_playwright

    topic = sc.prepared_topic(bootstrap, rows)
    # room for what arrives: past the cap the total would stop growing
    settings = Settings(connection=Connection(bootstrap), topic=topic, max_rows=rows + 1_000_000)
    arriving = threading.Event()
    sender = threading.Thread(target=_send_while, args=(bootstrap, topic, arriving), daemon=True)
    try:
        with dashboard_server(settings) as (port, server), sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=CHROMIUM, args=CHROMIUM_ARGS + NO_THROTTLING
            )
            tabs = [_open(browser, port, rows)]
            arriving.set()
            sender.start()
            settle = 2 * settings.refresh_seconds
            one = _measure(server.pid, tabs, window_s, settle)
            tabs += [_open(browser, port, rows) for _ in range(MANY_TABS - 1)]
            many = _measure(server.pid, tabs, window_s, settle)
            arriving.clear()
            for tab in tabs[1:]:
                tab.context.close()
            # idle as it stays: once the reader has seen the stream quiet (QUIET_AFTER_S)
            quiet = max(settle, QUIET_AFTER_S + settings.refresh_seconds)
            idle = _measure(server.pid, tabs[:1], window_s, quiet, expect_growth=False)
            browser.close()
    finally:
        arriving.clear()
    return {"one": one, "many": many, "idle": idle, "refresh_s": settings.refresh_seconds}


def _open(browser, port: int, rows: int):
    page = browser.new_context().new_page()
    page.goto(f"http://127.0.0.1:{port}")
    deadline = time.monotonic() + OPEN_TIMEOUT_S
    # the page's first run can take longer than a reading's 30 s on a loaded machine
    page.locator(TOTAL_METRIC).first.wait_for(timeout=OPEN_TIMEOUT_S * 1000)
    while total_records(page) < rows:  # the cold start: the whole topic in the table
        if time.monotonic() > deadline:
            raise RuntimeError("the table did not fill")
        page.wait_for_timeout(1_000)
    return page


def _measure(pid: int, tabs: list, window_s: float, settle_s: float, expect_growth=True):
    """Cores used over the window, and whether every tab refreshed in it."""
    time.sleep(settle_s)
    before = [total_records(tab) for tab in tabs]
    start_cpu, start = cpu_seconds(pid), time.monotonic()
    time.sleep(window_s)
    cores = (cpu_seconds(pid) - start_cpu) / (time.monotonic() - start)
    after = [total_records(tab) for tab in tabs]
    refreshed = all(b > a for a, b in zip(before, after, strict=True)) or not expect_growth
    return {"cores": cores, "tabs": len(tabs), "refreshed": refreshed}


def _send_while(bootstrap: str, topic: str, arriving: threading.Event) -> None:
    """ARRIVING_PER_S records a second, with the producer's own path, while `arriving`."""
    producer = make_producer(bootstrap)
    publisher = Publisher(producer, topic, SOURCE)
    records = sc.fake_records(ARRIVING_PER_S * 3_600, seed=7)
    for record in sc.paced(records, ARRIVING_PER_S):
        if not arriving.is_set():
            break
        publisher.send(replace(record, timestamp=datetime.now(SAO_PAULO)))
    publisher.finish()
    producer.close()
