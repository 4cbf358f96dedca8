"""The writers' figures: what they sent, what failed, what waits and for how long."""

import signal
import subprocess
import sys
from types import SimpleNamespace

import pytest

from sales_monitor.brokers.ports import free_port
from sales_monitor.kafka.publish import DeliveryStats
from sales_monitor.ops.writers import WriterCollector, writer_server
from tests.helpers.waiting import wait_for
from tests.ops.test_service import get, scrape


def sent_so_far(port: int) -> float:
    """The producer's sent count, 0 until its port answers."""
    try:
        return scrape(port).get(("sales_monitor_writer_sent_total", (("writer", "producer"),)), 0)
    except OSError:
        return 0


def answered(error=None):
    return SimpleNamespace(is_done=True, exception=error)


@pytest.mark.unit
def test_a_writers_figures_are_its_delivery_counts_and_ready_while_kafka_answers():
    stats = DeliveryStats()
    waiting = SimpleNamespace(is_done=False, exception=None)
    stats.track_all([answered(), answered(), answered(RuntimeError("x")), waiting], now=0.0)
    port = free_port()
    server = writer_server("127.0.0.1", port, stats, "producer")
    try:
        found = scrape(port)
        labels = (("writer", "producer"),)
        assert found[("sales_monitor_writer_sent_total", labels)] == stats.acked == 2
        assert found[("sales_monitor_writer_failed_total", labels)] == stats.failed == 1
        assert found[("sales_monitor_writer_unconfirmed", labels)] == stats.unconfirmed == 1
        assert found[("sales_monitor_writer_outage_seconds", labels)] > 5  # sent at 0
        status, why = get(port, "/readyz")
        assert status == 503 and why.startswith("não está pronto: Kafka sem resposta há")
        waiting.is_done = True
        assert get(port, "/readyz") == (200, "pronto\n")
        assert list(WriterCollector(stats, "producer").collect())
    finally:
        server.stop()


@pytest.mark.broker
def test_the_producer_serves_its_figures_while_it_sends(broker, topic):
    port = free_port()
    producer = subprocess.Popen(
        [sys.executable, "-m", "sales_monitor.commands.producer", "--rate", "50", "--quiet",
         "--bootstrap-server", broker.bootstrap, "--topic", topic, "--metrics-port", str(port)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    labels = (("writer", "producer"),)
    try:
        assert wait_for(lambda: sent_so_far(port) >= 20, 60)
        assert get(port, "/readyz") == (200, "pronto\n")
        last = scrape(port)[("sales_monitor_writer_sent_total", labels)]
    finally:
        producer.send_signal(signal.SIGINT)
        out, err = producer.communicate(timeout=60)
    assert f"Métricas: http://localhost:{port}/metrics\n" in out
    sent = int(out.split("Resumo: ")[1].split(" enviados")[0].replace(".", ""))
    assert sent >= last and producer.returncode == 0, err
