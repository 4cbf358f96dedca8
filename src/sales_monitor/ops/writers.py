"""The long-running writers' figures (the producer, the CSV monitor), on a port of their own
when asked (`--metrics-port`): what they sent, what failed, what waits for the broker's
answer and for how long. Ready while the broker answers."""

from __future__ import annotations

from collections.abc import Iterator

from prometheus_client import CollectorRegistry, ProcessCollector
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from sales_monitor.kafka.publish import DeliveryStats
from sales_monitor.ops.endpoints import OperationsServer
from sales_monitor.ops.metrics import PREFIX

STALLED_S = 5.0  # a record unanswered this long: not ready (the writers' own outage note)


class WriterCollector(Collector):
    def __init__(self, stats: DeliveryStats, writer: str) -> None:
        self._stats, self._writer = stats, writer

    def collect(self) -> Iterator[Metric]:
        stats, labels = self._stats, [self._writer]
        for name, text, value, kind in (
            ("writer_sent", "Mensagens confirmadas pelo Kafka", stats.acked, CounterMetricFamily),
            ("writer_failed", "Mensagens que o Kafka recusou ou não confirmou a tempo",
             stats.failed, CounterMetricFamily),
            ("writer_unconfirmed", "Mensagens aguardando a resposta do Kafka",
             stats.unconfirmed, GaugeMetricFamily),
            ("writer_outage_seconds", "Há quanto tempo a mensagem mais antiga espera resposta",
             stats.waiting_s(), GaugeMetricFamily),
        ):  # fmt: skip
            family = kind(f"{PREFIX}_{name}", text, labels=["writer"])
            family.add_metric(labels, value)
            yield family


def writer_server(host: str, port: int, stats: DeliveryStats, writer: str) -> OperationsServer:
    """`/metrics`, `/healthz`, `/readyz` for a writer; started. Raises OSError if the port
    cannot be had."""
    registry = CollectorRegistry(auto_describe=False)
    registry.register(WriterCollector(stats, writer))
    ProcessCollector(registry=registry)

    def not_ready() -> str | None:
        waiting = stats.waiting_s()
        return f"Kafka sem resposta há {waiting:.0f} s" if waiting >= STALLED_S else None

    return OperationsServer(host, port, registry, not_ready).start()
