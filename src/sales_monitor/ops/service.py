"""What the dashboard server runs beside its pages, once per process: the operations port
(metrics and health) and the alerts, both fed by the one consumer's `read()`, plus a line of
figures in the log every minute."""

from __future__ import annotations

import logging
import threading
from datetime import datetime, timedelta
from typing import Protocol

from sales_monitor.errors import os_reason
from sales_monitor.ops.alerts import AlertRules, Thresholds
from sales_monitor.ops.endpoints import OperationsServer
from sales_monitor.ops.health import not_ready
from sales_monitor.ops.metrics import registry_for
from sales_monitor.ops.notify import AlertSender
from sales_monitor.ptbr import format_int
from sales_monitor.record import SAO_PAULO
from sales_monitor.settings import Settings
from sales_monitor.stream.status import Reading, StreamStatus

WATCH_S = 1.0  # how often the alert rules look at the stream
FIGURES_EVERY_S = 60.0  # a log line of the stream's figures

log = logging.getLogger(__name__)


class Stream(Protocol):
    status: StreamStatus

    def read(self) -> Reading: ...


class OperationsService:
    def __init__(self, settings: Settings, stream: Stream) -> None:
        ops = settings.operations
        self._stream = stream
        self.sender = AlertSender(ops.alert_urls) if ops.alert_urls else None
        self.rules = AlertRules(
            Thresholds(
                high_ticket_cents=settings.high_ticket_cents,
                stall=timedelta(minutes=ops.stall_minutes),
                outage=timedelta(seconds=ops.outage_seconds),
                group=timedelta(seconds=ops.group_seconds),
                hour_share=ops.hour_share,
            )
        )
        self.server: OperationsServer | None = None
        self.problem = ""  # why the operations port is not served, for the page
        if ops.metrics_port is not None:
            registry = registry_for(stream.read, self.sender)
            try:
                self.server = OperationsServer(
                    settings.host, ops.metrics_port, registry, lambda: not_ready(stream.status)
                )
            except OSError as error:
                self.problem = f"porta {ops.metrics_port}: {os_reason(error)}"
                log.error("métricas não servidas na %s", self.problem)
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._watch, name="operacao", daemon=True)

    def start(self) -> OperationsService:
        if self.server is not None:
            self.server.start()
        if self.sender is not None:
            self.sender.start()
            self._check()  # what the table holds now is history, not news
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()
        if self.server is not None:
            self.server.stop()
        if self.sender is not None:
            self.sender.stop()
        self._thread.join(5)

    def _watch(self) -> None:
        """Every second the alert rules look (when there are alerts to send); every
        minute a log line of figures. With neither due, the table is not read."""
        waited = 0.0
        while not self._stopping.wait(WATCH_S):
            waited += WATCH_S
            due = waited >= FIGURES_EVERY_S
            if self.sender is None and not due:
                continue
            try:
                reading = self._check() if self.sender is not None else self._stream.read()
                if due:
                    waited = 0.0
                    log_figures(reading)
            except Exception:  # the watch must outlive any one reading
                log.exception("a vigia de alertas falhou nesta leitura; segue")

    def _check(self) -> Reading:
        """One look at the stream: what the alert rules find goes to the sender."""
        reading = self._stream.read()
        if self.sender is not None:
            for alert in self.rules.check(reading, datetime.now(SAO_PAULO)):
                self.sender.put(alert)
        return reading


def log_figures(reading: Reading) -> None:
    status = reading.status
    fields = {
        "consumed": status.consumed,
        "invalid": status.invalid,
        "rows": len(reading.table),
        "evicted": reading.evicted,
        "lag": status.lag,
        "per_second": round(reading.per_second, 2),
        "state": status.state.name.lower(),
        "caught_up": status.caught_up,
    }
    log.info(
        "leitura: %s lidas, %s recusadas, %s vendas na tabela, %s por ler, %s",
        format_int(status.consumed), format_int(status.invalid), format_int(len(reading.table)),
        format_int(status.lag), status.state,
        extra={"fields": fields},
    )  # fmt: skip
