"""The page in a real browser: Debian's Chromium driven by Playwright, against the real demo."""

import os
import re
import shutil
from pathlib import Path

import pytest

from sales_monitor.broker import free_port
from sales_monitor.launch import Demo
from sales_monitor.settings import Settings

pytestmark = pytest.mark.browser

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
SCREENSHOT = Path(__file__).parents[1] / "img" / "dashboard.png"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        message = "Chromium not found: install it with `apt-get install -y chromium`"
        if os.environ.get("SALES_MONITOR_REQUIRE_BROWSER"):
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture(scope="module")
def demo():
    settings = Settings(bootstrap_servers=f"127.0.0.1:{free_port()}")
    running = Demo(settings, free_port(), ["--rate", "20"])
    try:
        running.start()
        yield running
    finally:
        running.stop()


def total_records(page) -> int:
    metric = page.locator('[data-testid="stMetric"]').filter(has_text="Total Registros")
    text = metric.locator('[data-testid="stMetricValue"]').inner_text(timeout=30_000)
    return int(text.replace(".", ""))


def wait_for_total(page, condition, timeout_s: float = 20.0) -> int:
    for _ in range(int(timeout_s * 2)):
        total = total_records(page)
        if condition(total):
            return total
        page.wait_for_timeout(500)
    raise AssertionError(f"Total Registros stayed at {total}")


def test_totals_grow_without_reload_and_two_tabs_agree(browser, demo):
    page = browser.new_page(viewport={"width": 1400, "height": 1800})
    page.goto(f"http://127.0.0.1:{demo.port}")
    first = wait_for_total(page, lambda total: total > 0)
    navigations = []
    page.on("framenavigated", lambda frame: navigations.append(frame.url))
    # two or three 3-second refresh cycles later, with no reload, the number has moved
    later = wait_for_total(page, lambda total: total > first, timeout_s=12)
    assert later > first and navigations == []

    other = browser.new_page()
    other.goto(f"http://127.0.0.1:{demo.port}")
    wait_for_total(other, lambda total: total > 0)
    demo.children["produtor"].terminate()  # freeze the topic, then compare the tabs
    demo.children["produtor"].wait(timeout=15)
    page.wait_for_timeout(7_000)
    assert total_records(page) == total_records(other)
    assert re.fullmatch(r"R\$ [\d.]+,\d\d", _metric(page, "Valor Total"))
    assert _metric(page, "Valor Total") == _metric(other, "Valor Total")

    page.wait_for_timeout(500)
    SCREENSHOT.parent.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOT), full_page=False)
    other.close()
    page.close()


def _metric(page, label: str) -> str:
    metric = page.locator('[data-testid="stMetric"]').filter(has_text=label)
    return metric.locator('[data-testid="stMetricValue"]').inner_text()
