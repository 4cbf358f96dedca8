"""The life of a long-running command: it stops on Ctrl-C or SIGTERM, or when a piece it
started stops by itself, and always shuts down what it started."""

from __future__ import annotations

import signal
import sys
import threading
from collections.abc import Callable

from sales_monitor.errors import MonitorError


def stop_on_signals() -> threading.Event:
    """An event set by Ctrl-C or SIGTERM, so commands stop cleanly instead of by traceback."""
    stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())
    return stop


def wait_for_stop(stop: threading.Event, stopped_piece: Callable[[], str | None]) -> str | None:
    """Block until `stop` is set (None) or `stopped_piece()` names a child that died."""
    while not stop.wait(0.5):
        if (name := stopped_piece()) is not None:
            return name
    return None


def run_until_stopped(
    stop: threading.Event,
    start: Callable[[], None],
    exited: Callable[[], str | None],
    shutdown: Callable[[], None],
    died: Callable[[str], str],
    farewell: str,
) -> int:
    """Start, wait for Ctrl-C or a piece that stops by itself, and always shut down: one
    `Erro:` line for a failure of the project's (`MonitorError`), exit status 0 only for
    a clean stop."""
    try:
        start()
        if (name := wait_for_stop(stop, exited)) is not None:
            print(f"Erro: {died(name)}", file=sys.stderr)
            return 1
    except MonitorError as error:
        print(f"Erro: {error}", file=sys.stderr)
        return 1
    finally:
        shutdown()
    print(farewell, flush=True)
    return 0
