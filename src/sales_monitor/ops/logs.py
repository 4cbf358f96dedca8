"""Logs a machine can read: with `--log-format json` (`SALES_MONITOR_LOG_FORMAT=json`) every
log event is one JSON object on its own line, its figures as fields of their own."""

from __future__ import annotations

import json
import logging
import sys
from datetime import datetime
from typing import TextIO

from sales_monitor.record import SAO_PAULO


class JsonLines(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        event = {
            "time": datetime.fromtimestamp(record.created, SAO_PAULO).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        event.update(getattr(record, "fields", {}))
        if record.exc_info:
            event["exception"] = self.formatException(record.exc_info)
        return json.dumps(event, ensure_ascii=False, default=str)


class _Stderr(logging.StreamHandler):
    """Whatever `sys.stderr` is when an event is written, not when the handler was made."""

    @property
    def stream(self) -> TextIO:
        return sys.stderr

    @stream.setter
    def stream(self, _: object) -> None:
        pass


def configure(log_format: str) -> None:
    """JSON lines on stderr for the project's own events (INFO and up), where asked; the
    plain default (warnings and errors, as their sentence) otherwise."""
    if log_format != "json":
        return
    handler = _Stderr()
    handler.setFormatter(JsonLines())
    ours = logging.getLogger("sales_monitor")
    ours.handlers[:] = [handler]
    ours.setLevel(logging.INFO)
    ours.propagate = False
