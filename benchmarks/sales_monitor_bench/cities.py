"""A topic with 100,000 distinct cities, in Chromium: how long a new tab takes to show the
numbers, and how long the city filter takes to answer each keystroke; and, beside it, a new
tab on as many sales in the producer's few cities, so their ratio is what the cities cost.

The dashboard server reads the whole topic first (a first tab waits for it); then a new tab
is timed from `goto` to Total Registros showing every sale, and the city filter from each
key pressed to its list showing only the cities that match what was typed.
"""

from __future__ import annotations

import statistics
import time
from dataclasses import replace

from sales_monitor.kafka.connection import Connection
from sales_monitor.settings import Settings
from sales_monitor_bench import scenarios as sc
from sales_monitor_bench.browser import CHROMIUM, CHROMIUM_ARGS, dashboard_server, total_records

TYPED = "Cidade 0001"  # typed into the filter one key at a time: among the offered cities

# true once the open list's first option starts with what was typed so far
LIST_FOLLOWS = """(typed) => {
    const first = document.querySelector('[role="option"]');
    return first !== null && first.innerText.trim().startsWith(typed);
}"""


def distinct_cities(n: int) -> list:
    """`n` fake sales, each in a city of its own."""
    return [replace(record, city=f"Cidade {i:06d}") for i, record in enumerate(sc.fake_records(n))]


def many_cities(bootstrap: str, n: int, distinct: bool = True) -> dict:
    from playwright.sync_api import sync_playwright

    topic = sc.new_topic(bootstrap, "cities")
    sc.publish(bootstrap, topic, distinct_cities(n) if distinct else sc.fake_records(n))
    settings = Settings(connection=Connection(bootstrap), topic=topic)
    with dashboard_server(settings) as (port, _), sync_playwright() as playwright:
        url = f"http://127.0.0.1:{port}"
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        warm = browser.new_page()
        warm.goto(url)
        _wait_total(warm, n)  # the server has read the topic
        warm.close()
        page = browser.new_page(viewport={"width": 1400, "height": 1200})
        started = time.perf_counter()
        page.goto(url)
        _wait_total(page, n)
        first_load = time.perf_counter() - started
        page.get_by_role("combobox").first.click()  # the city filter
        keys = []
        for length in range(1, len(TYPED) + 1 if distinct else 1):  # its cities have TYPED
            started = time.perf_counter()
            page.keyboard.type(TYPED[length - 1])
            page.wait_for_function(LIST_FOLLOWS, arg=TYPED[:length], timeout=60_000)
            keys.append(time.perf_counter() - started)
        browser.close()
    return {"first_load_s": first_load, "keystroke_s": statistics.median(keys or [0.0])}


def _wait_total(page, n: int, timeout_s: float = 120.0) -> None:
    deadline = time.monotonic() + timeout_s
    while total_records(page) != n:
        if time.monotonic() > deadline:
            raise RuntimeError(f"the page never showed {n:,} sales")
        page.wait_for_timeout(100)
