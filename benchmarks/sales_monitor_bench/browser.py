"""The Chromium the benchmark drives, and what it reads off the page."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager

from sales_monitor.brokers.ports import free_port
from sales_monitor.launch.web import dashboard_env, streamlit_command, wait_healthy
from sales_monitor.settings import Settings

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"  # Debian's (apt-get install chromium)
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


TOTAL_METRIC = '[data-testid="stMetric"]:has-text("Total Registros")'


def total_records(page) -> int:
    """The page's Total Registros (the first match: a rerun can briefly show two)."""
    metric = page.locator(TOTAL_METRIC)
    text = metric.locator('[data-testid="stMetricValue"]').first.inner_text(timeout=30_000)
    return int(text.replace(".", ""))


@contextmanager
def dashboard_server(settings: Settings) -> Iterator[tuple[int, subprocess.Popen]]:
    """A dashboard server for `settings` on a free port, once it answers: its port and its
    process (whose CPU the tabs scenario reads); stopped on the way out."""
    port = free_port()
    server = subprocess.Popen(
        streamlit_command(port, settings.host),
        env=dashboard_env(settings),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
    )
    try:
        if not wait_healthy(port, server, settings.host):
            raise RuntimeError("the dashboard did not start")
        yield port, server
    finally:
        server.terminate()
        server.wait(timeout=30)
