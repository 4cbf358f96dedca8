"""Whether the dashboard is ready: connected to Kafka and caught up with the topic."""

from __future__ import annotations

from sales_monitor.ptbr import format_int
from sales_monitor.stream.status import StreamStatus


def not_ready(status: StreamStatus) -> str | None:
    """Why the dashboard is not ready yet, in one sentence; None when it is."""
    if not status.connected:
        detail = f": {status.detail}" if status.detail else ""
        return f"Kafka {status.state}{detail}"
    if not status.caught_up:
        read, total = status.reading or (0, 0)
        return f"lendo o tópico: {format_int(read)} de {format_int(total)} mensagens"
    return None
