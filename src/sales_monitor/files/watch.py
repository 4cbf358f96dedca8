"""A watched file: wakes up when it may have changed, and says when a change has settled."""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from watchdog.events import FileSystemEvent
    from watchdog.observers.api import BaseObserver

SETTLE_S = 0.3  # a file unchanged this long is done being written
POLL_S = 0.5  # stat check where file events do not arrive


def signature(path: Path) -> tuple | None:
    """What changes when the file is written, replaced or removed."""
    try:
        info = os.stat(path)
    except FileNotFoundError:
        return None
    return (info.st_ino, info.st_size, info.st_mtime_ns)


class FileWatch:
    """Wakes up when the file may have changed: watchdog events on its folder (renames
    included), and a stat poll for where events do not arrive."""

    def __init__(self, path: Path):
        self.path = path
        self.wake = threading.Event()
        self._observer: BaseObserver | None = None

    def __enter__(self) -> FileWatch:
        from watchdog.events import FileSystemEventHandler
        from watchdog.observers import Observer

        watch = self

        class Handler(FileSystemEventHandler):
            def on_any_event(self, event: FileSystemEvent) -> None:
                paths = {getattr(event, "src_path", ""), getattr(event, "dest_path", "")}
                if str(watch.path) in {os.fsdecode(p) for p in paths if p}:
                    watch.wake.set()

        try:
            self._observer = Observer()
            self._observer.schedule(Handler(), str(self.path.parent))
            self._observer.start()
        except OSError:  # no inotify here: the poll alone does the job
            self._observer = None
        return self

    def __exit__(self, *exc: object) -> None:
        if self._observer is not None:
            self._observer.stop()
            self._observer.join(timeout=5)

    def settled_change(
        self, since: tuple | None, stop: threading.Event, timeout: float | None = None
    ) -> tuple | None | str:
        """Block until the file's signature differs from `since` and then holds still for
        SETTLE_S; the new signature, "stop", or "timeout" after `timeout` seconds."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while not stop.is_set():
            if deadline is not None and time.monotonic() >= deadline:
                return "timeout"
            self.wake.wait(POLL_S)
            self.wake.clear()
            current = signature(self.path)
            if current == since:
                continue
            while not stop.wait(SETTLE_S):
                again = signature(self.path)
                if again == current:
                    return current
                current = again
        return "stop"
