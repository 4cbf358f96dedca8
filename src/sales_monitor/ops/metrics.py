"""The consumer's figures as Prometheus metrics, computed at each scrape from one `read()`.

Names and units follow Prometheus' conventions (`sales_monitor_…_total` for counters,
seconds for time). Counters restart with the process; the table's evictions also restart
when it is rebuilt (Prometheus' `rate()` reads both as counter resets).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Iterator
from typing import Protocol

from prometheus_client import CollectorRegistry, PlatformCollector, ProcessCollector
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from sales_monitor.stream.ingest import REASON_KINDS
from sales_monitor.stream.status import Reading, StreamState

PREFIX = "sales_monitor"


class AlertCounts(Protocol):
    """What the alert sender counts, by event."""

    def counts(self) -> dict[str, dict[str, int]]:  # sent, failed, dropped: {event: n}
        ...


class StreamCollector(Collector):
    def __init__(
        self,
        read: Callable[[], Reading],
        alerts: AlertCounts | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._read, self._alerts, self._clock = read, alerts, clock

    def collect(self) -> Iterator[Metric]:
        yield from stream_metrics(self._read(), self._clock())
        if self._alerts is not None:
            yield from alert_metrics(self._alerts.counts())


def registry_for(
    read: Callable[[], Reading], alerts: AlertCounts | None = None
) -> CollectorRegistry:
    """A registry of its own: the stream's figures and the process' (memory, CPU, files)."""
    registry = CollectorRegistry(auto_describe=False)
    registry.register(StreamCollector(read, alerts))
    ProcessCollector(registry=registry)
    PlatformCollector(registry=registry)
    return registry


def stream_metrics(reading: Reading, now: float) -> list[Metric]:
    status = reading.status

    def counter(name: str, text: str, value: float) -> Metric:
        return CounterMetricFamily(f"{PREFIX}_{name}", text, value=value)

    def gauge(name: str, text: str, value: float) -> Metric:
        return GaugeMetricFamily(f"{PREFIX}_{name}", text, value=value)

    invalid = CounterMetricFamily(
        f"{PREFIX}_invalid_messages", "Mensagens recusadas pelo contrato", labels=["reason"]
    )
    for kind in REASON_KINDS:
        invalid.add_metric([kind], status.rejections.get(kind, 0))
    lag = GaugeMetricFamily(
        f"{PREFIX}_consumer_lag_messages", "Mensagens confirmadas ainda não lidas",
        labels=["partition"],
    )  # fmt: skip
    lag_s = GaugeMetricFamily(
        f"{PREFIX}_consumer_lag_seconds",
        "Atraso da leitura: agora menos o horário da última mensagem lida, se há o que ler",
        labels=["partition"],
    )
    for partition in sorted(status.highwater):
        behind = max(0, status.end(partition) - status.positions.get(partition, 0))
        lag.add_metric([str(partition)], behind)
        last = status.read_ms.get(partition)
        if not behind:
            lag_s.add_metric([str(partition)], 0.0)
        elif last is not None:
            lag_s.add_metric([str(partition)], max(0.0, now - last / 1000))
    state = GaugeMetricFamily(
        f"{PREFIX}_consumer_state", "Estado do leitor do tópico (1: o atual)", labels=["state"]
    )
    for each in StreamState:
        state.add_metric([each.name.lower()], float(status.state == each))
    found = [
        counter("messages_consumed", "Mensagens lidas do tópico", status.consumed),
        invalid,
        gauge("table_rows", "Vendas vivas na tabela", len(reading.table)),
        counter("rows_evicted", "Vendas tiradas da tabela pelo limite de linhas", reading.evicted),
        lag,
        lag_s,
        gauge("messages_per_second", "Mensagens por segundo no último minuto", reading.per_second),
        counter("table_rebuilds", "Vezes que a tabela foi lida de novo", status.rebuilds),
        counter(
            "data_loss_events", "Vezes que o tópico não tinha mais o que foi lido", status.losses
        ),
        counter("consumer_restarts", "Recomeços do leitor após um erro", status.restarts),
        state,
        gauge("caught_up", "1 depois de ler o tópico até o fim", float(status.caught_up)),
    ]
    if status.last_message_at is not None:
        age = max(0.0, now - status.last_message_at.timestamp())
        found.append(gauge("newest_sale_age_seconds", "Idade da venda mais nova lida", age))
    if status.last_arrival_at is not None:
        moment = status.last_arrival_at.timestamp()
        found.append(
            gauge("last_arrival_timestamp_seconds", "Quando uma venda chegou à tabela", moment)
        )
    return [metric for metric in found if _finite(metric)]


def alert_metrics(counts: dict[str, dict[str, int]]) -> list[Metric]:
    found: list[Metric] = []
    for outcome, text in (
        ("sent", "Alertas enviados"),
        ("failed", "Alertas que não foram entregues depois das novas tentativas"),
        ("dropped", "Alertas descartados com a fila cheia"),
    ):
        family = CounterMetricFamily(f"{PREFIX}_alerts_{outcome}", text, labels=["event"])
        for event, n in sorted(counts.get(outcome, {}).items()):
            family.add_metric([event], n)
        found.append(family)
    return found


def _finite(metric: Metric) -> bool:
    return all(math.isfinite(sample.value) for sample in metric.samples)
