"""What the user sees: from a record being produced to the page in Chromium showing it.

A dashboard server reads a fresh topic at the default refresh interval; a real Chromium
has the page open, and a MutationObserver in the page notes (with the browser's clock)
each time Total Registros changes. Records go out at a steady rate with the producer's
settings, each with its send time. Record k is on the page from the first moment Total
Registros reaches k, so every record has a delay. Both clocks are this machine's.
"""

from __future__ import annotations

import statistics
import time
from dataclasses import replace
from datetime import datetime

from sales_monitor.fake_sales.produce import SOURCE
from sales_monitor.kafka.clients import make_producer
from sales_monitor.kafka.connection import Connection
from sales_monitor.kafka.publish import Publisher
from sales_monitor.record import SAO_PAULO
from sales_monitor.settings import Settings
from sales_monitor_bench import scenarios as sc
from sales_monitor_bench.browser import CHROMIUM, CHROMIUM_ARGS, dashboard_server, total_records

# Installed in the page: [browser time in ms, Total Registros] each time it changes.
OBSERVER = """() => {
    window.__totals = [];
    const read = () => {
        for (const metric of document.querySelectorAll('[data-testid="stMetric"]')) {
            if (!metric.innerText.includes("Total Registros")) continue;
            const value = metric.querySelector('[data-testid="stMetricValue"]');
            return value ? parseInt(value.innerText.replaceAll(".", ""), 10) : NaN;
        }
        return NaN;
    };
    let last = read();
    new MutationObserver(() => {
        const now = Date.now(), total = read();
        if (!Number.isNaN(total) && total !== last) {
            last = total;
            window.__totals.push([now, total]);
        }
    }).observe(document.body, {subtree: true, childList: true, characterData: true});
}"""


def page_latency(bootstrap: str, topic: str, rate: float, seconds: float) -> dict:
    """Send `rate` records a second for `seconds` into an empty `topic`; the delays (ms)
    until the page showed each."""
    from playwright.sync_api import sync_playwright

    settings = Settings(connection=Connection(bootstrap), topic=topic)
    with dashboard_server(settings) as (port, _), sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page()
        page.goto(f"http://127.0.0.1:{port}")
        assert total_records(page) == 0, "the topic should start empty"
        page.evaluate(OBSERVER)
        records = sc.fake_records(round(rate * seconds))
        sent_at = _send_paced(bootstrap, topic, records, rate)
        page.wait_for_function(
            f"() => window.__totals.some(([, total]) => total >= {len(records)})",
            timeout=(settings.refresh_seconds * 3 + 10) * 1000,
        )
        shown = page.evaluate("() => window.__totals")
        browser.close()
    delays = delays_ms(sent_at, shown)
    q = statistics.quantiles(delays, n=100)
    return {"p50_ms": statistics.median(delays), "p99_ms": q[98], "records": len(delays)}


def delays_ms(sent_at: list[float], shown: list[tuple[float, int]]) -> list[float]:
    """Each record's delay: from its send time (seconds) to the first moment (ms) the
    page's total reached its position."""
    delays, step = [], 0
    for k, sent in enumerate(sent_at, 1):
        while shown[step][1] < k:
            step += 1
        delays.append(shown[step][0] - sent * 1000)
    return delays


def _send_paced(bootstrap: str, topic: str, records: list, rate: float) -> list[float]:
    """Send on a steady schedule with the producer's own path; the wall-clock send times."""
    producer = make_producer(bootstrap)
    publisher = Publisher(producer, topic, SOURCE)
    sent_at = []
    for record in sc.paced(records, rate):
        sent_at.append(time.time())
        publisher.send(replace(record, timestamp=datetime.now(SAO_PAULO)))
    publisher.finish()
    producer.close()
    return sent_at
