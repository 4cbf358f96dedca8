"""Waiting on a condition instead of sleeping a fixed time."""

from __future__ import annotations

import time


def wait_for(condition, timeout: float = 30.0) -> bool:
    """Poll `condition` until it holds or `timeout` seconds pass."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return False
