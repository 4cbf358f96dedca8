"""The audit trail: every download, write, delete, replay and table action of the dashboard,
one line each (when, who, what: counts and ids), appended to `auditoria.log` in the user's
data folder, a file a person reads with any text viewer."""

from __future__ import annotations

import logging
import threading
from datetime import datetime
from pathlib import Path

from sales_monitor.record import SAO_PAULO

IDS_SHOWN = 20  # ids named in one line; beyond them, the count says how many

log = logging.getLogger(__name__)
_lock = threading.Lock()  # one line at a time, whatever the tabs


def record(path: Path, who: str, action: str, what: str = "") -> None:
    """`2026-12-05T11:22:33-03:00 ana@empresa.com apagou: 2 vendas (ids 5, 7)`. A trail
    that cannot be written is logged, and the action still counts as done."""
    moment = datetime.now(SAO_PAULO).isoformat(timespec="seconds")
    line = f"{moment} {_one_line(who)} {action}" + (f": {_one_line(what)}" if what else "")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with _lock, path.open("a", encoding="utf-8") as trail:
            trail.write(line + "\n")
    except OSError as error:
        log.error("trilha de auditoria não gravada em %s (%s): %s", path, error, line)


def ids_text(ids: list[int]) -> str:
    """`ids 5, 7` or `ids 1, 2, … (e mais 30)`."""
    shown = ", ".join(str(i) for i in ids[:IDS_SHOWN])
    rest = len(ids) - IDS_SHOWN
    return f"ids {shown}" + (f", … (e mais {rest})" if rest > 0 else "")


def _one_line(text: str) -> str:
    """Text from a person or the topic, kept on its own line."""
    return " ".join(text.split())
