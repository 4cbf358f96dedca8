"""The Chromium the benchmark drives, and what it reads off the page."""

from __future__ import annotations

import shutil

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
