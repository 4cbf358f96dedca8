"""The operations port and the alerts, against a real broker and a consumer reading it."""

import threading
import urllib.error
import urllib.request
from dataclasses import replace

import pytest
from prometheus_client.parser import text_string_to_metric_families

from sales_monitor.brokers.ports import free_port
from sales_monitor.kafka.connection import Connection
from sales_monitor.ops.service import OperationsService
from sales_monitor.record import encode
from sales_monitor.settings import Operations, Settings
from sales_monitor.stream.consumer import StreamConsumer
from sales_monitor.stream.store import RecordStore
from tests.helpers.factories import sale
from tests.helpers.receivers import WebhookReceiver
from tests.helpers.waiting import wait_for
from tests.stream.test_consumer import publish

pytestmark = pytest.mark.broker

INVALID = [(b"900001", b"{not json"), (None, b'{"id": 900002}'), (b"x", None)]


def get(port: int, path: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=10) as answer:
            return answer.status, answer.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def scrape(port: int) -> dict[tuple[str, tuple], float]:
    """Every sample of ours, parsed by prometheus-client's own parser."""
    _, text = get(port, "/metrics")
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
        if sample.name.startswith("sales_monitor_")
    }


@pytest.fixture
def running():
    started = []

    def start(settings: Settings, stream: StreamConsumer) -> OperationsService:
        service = OperationsService(settings, stream).start()
        started.append((service, stream))
        return service

    yield start
    for service, stream in started:
        service.stop()
        stream.stop()


def test_metrics_follow_the_consumers_own_figures_and_readiness_its_reading(broker, topic, running):
    port = free_port()
    settings = Settings(
        connection=Connection(broker.bootstrap),
        topic=topic,
        operations=Operations(metrics_port=port),
    )
    stream = StreamConsumer(settings.connection, topic, RecordStore())
    running(settings, stream)
    assert get(port, "/healthz") == (200, "ok\n")
    status, why = get(port, "/readyz")
    assert status == 503 and why.startswith("não está pronto: Kafka conectando")

    publish(broker.bootstrap, topic, [encode(sale(n)) for n in range(1, 301)] + INVALID)
    stream.start()
    more = [encode(sale(n)) for n in range(301, 2_301)]
    sender = threading.Thread(
        target=lambda: [
            publish(broker.bootstrap, topic, more[i : i + 200]) for i in range(0, 2_000, 200)
        ]
    )
    sender.start()
    seen = []
    while sender.is_alive():  # scraped while records arrive: a counter never goes back
        seen.append(scrape(port).get(("sales_monitor_messages_consumed_total", ()), 0.0))
    sender.join()
    assert seen == sorted(seen)
    assert wait_for(lambda: stream.status.consumed == 2_303 and stream.status.caught_up)

    found = scrape(port)
    status = stream.status
    assert found[("sales_monitor_messages_consumed_total", ())] == status.consumed == 2_303
    invalid = {
        dict(labels)["reason"]: value
        for (name, labels), value in found.items()
        if name == "sales_monitor_invalid_messages_total" and value
    }
    assert invalid == status.rejections == {"json": 1, "nome": 1, "chave": 1}
    assert found[("sales_monitor_table_rows", ())] == len(stream.snapshot()) == 2_300
    assert found[("sales_monitor_consumer_lag_messages", (("partition", "0"),))] == 0
    assert found[("sales_monitor_consumer_lag_seconds", (("partition", "0"),))] == 0
    assert found[("sales_monitor_consumer_state", (("state", "connected"),))] == 1
    assert found[("sales_monitor_consumer_state", (("state", "broker_down"),))] == 0
    assert found[("sales_monitor_caught_up", ())] == 1
    assert found[("sales_monitor_table_rebuilds_total", ())] == status.rebuilds == 0
    assert get(port, "/readyz") == (200, "pronto\n")
    assert get(port, "/outra")[0] == 404


def test_a_burst_a_stall_and_the_return_each_reach_the_team_once(broker, topic, running):
    receiver = WebhookReceiver()
    operations = Operations(alert_urls=(receiver.url,), group_seconds=1, stall_minutes=0.05)
    settings = Settings(connection=Connection(broker.bootstrap), topic=topic, operations=operations)
    stream = StreamConsumer(settings.connection, topic, RecordStore())
    stream.start()
    assert wait_for(lambda: stream.status.caught_up)
    service = running(settings, stream)
    try:
        burst = [sale(n, f"Cidade {n}", cents=2_000_00 + n) for n in range(1, 6)]
        publish(broker.bootstrap, topic, [encode(s) for s in [*burst, sale(6, cents=10_00)]])
        assert wait_for(lambda: len(receiver.messages) == 2, 60), receiver.titles()
        publish(broker.bootstrap, topic, [encode(sale(7, cents=10_00))])
        assert wait_for(lambda: len(receiver.messages) == 3, 60), receiver.titles()
        assert receiver.titles() == [
            "5 vendas altas; a maior: R$ 2.000,05 em Cidade 5",
            "Nenhuma venda chegando",
            "Vendas voltaram a chegar",
        ]
        assert service.sender.counts()["sent"] == {"high_ticket": 1, "stalled": 1, "flowing": 1}
    finally:
        receiver.close()


def test_a_receiver_that_is_down_costs_the_reading_nothing(broker, topic, running):
    gone = WebhookReceiver()
    gone.close()  # nothing listens there any more
    operations = Operations(alert_urls=(gone.url,), group_seconds=0)
    settings = Settings(connection=Connection(broker.bootstrap), topic=topic, operations=operations)
    stream = StreamConsumer(settings.connection, topic, RecordStore())
    stream.start()
    assert wait_for(lambda: stream.status.caught_up)
    service = running(replace(settings), stream)
    publish(broker.bootstrap, topic, [encode(sale(n, cents=5_000_00)) for n in range(1, 1_001)])
    assert wait_for(lambda: stream.status.consumed == 1_000)  # read while the alert fails
    assert wait_for(lambda: service.sender.counts()["failed"] == {"high_ticket": 1}, 60)
