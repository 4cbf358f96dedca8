"""Ingest while the alerts are stuck: the sender's queue full and a receiver that takes the
request and never answers (each attempt waits out Apprise's timeout), the alert rules
looking at the table every second. Against the same ingest with no alerts, same run."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator
from contextlib import contextmanager

from sales_monitor.kafka.connection import Connection
from sales_monitor.ops.alerts import Alert
from sales_monitor.ops.notify import QUEUED
from sales_monitor.ops.service import OperationsService
from sales_monitor.settings import Operations, Settings
from sales_monitor.stream.consumer import StreamConsumer
from sales_monitor.stream.store import RecordStore


@contextmanager
def silent_receiver() -> Iterator[str]:
    """A `json://` URL whose server accepts connections (the kernel's backlog) and never
    answers."""
    with socket.socket() as listening:
        listening.bind(("127.0.0.1", 0))
        listening.listen(128)
        yield f"json://127.0.0.1:{listening.getsockname()[1]}/alertas"


def ingest_with_stuck_alerts(bootstrap: str, topic: str, n: int, timeout_s: float = 600) -> dict:
    with silent_receiver() as url:
        settings = Settings(
            connection=Connection(bootstrap),
            topic=topic,
            operations=Operations(alert_urls=(url,), group_seconds=0),
        )
        consumer = StreamConsumer(settings.connection, topic, RecordStore(max_rows=max(n, 1)))
        service = OperationsService(settings, consumer)
        assert service.sender is not None
        for _ in range(QUEUED):  # the queue full before reading starts
            service.sender.put(Alert("high_ticket", "bench", "bench"))
        service.start()
        start = time.perf_counter()
        consumer.start()
        deadline = start + timeout_s
        while consumer.status.consumed < n and time.perf_counter() < deadline:
            time.sleep(0.005)
        elapsed = time.perf_counter() - start
        rows = len(consumer.store.snapshot())
        consumer.stop()
        service.stop()  # after the clock stopped: the sender may wait out its timeout
    assert rows == n, f"store holds {rows} rows, expected {n}"
    return {"records_per_s": n / elapsed, "seconds": elapsed}
