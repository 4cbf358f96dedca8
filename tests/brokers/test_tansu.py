import signal
import socket
import sys

import pytest

from sales_monitor.brokers import engines
from sales_monitor.brokers.ports import free_port
from sales_monitor.brokers.tansu import Tansu
from sales_monitor.errors import BrokerUnavailable, EmbeddedBrokerError
from sales_monitor.kafka.clients import ensure_topic, probe
from sales_monitor.settings import Settings
from tests.helpers.processes import started_commands

pytestmark = [
    pytest.mark.broker,
    pytest.mark.skipif(
        not engines.tansu_available(Settings.from_env().embedded),
        reason="o Tansu só existe para Linux x86_64",
    ),
]


@pytest.fixture
def broker_cli():
    """Starts `uv run broker` with flags; whatever the test asserts, none is left running."""
    with started_commands() as start:
        yield lambda *args: start([sys.executable, "-m", "sales_monitor.commands.broker", *args])


def test_embedded_broker_answers_kafka_and_stops_cleanly():
    with Tansu(port=free_port()) as broker:
        probe(broker.bootstrap)
        assert ensure_topic(broker.bootstrap, "csv-data", partitions=2) == 2
        assert ensure_topic(broker.bootstrap, "csv-data", partitions=1) == 2  # already there
    with pytest.raises(BrokerUnavailable):
        probe(broker.bootstrap, timeout_ms=500)


def test_starting_on_a_port_with_a_broker_says_so(broker):
    with pytest.raises(EmbeddedBrokerError, match="já existe um broker Kafka"):
        Tansu(port=broker.port).start()


def test_starting_on_a_port_held_by_something_else_says_so():
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        with pytest.raises(EmbeddedBrokerError, match="já está em uso por outro programa"):
            Tansu(port=holder.getsockname()[1]).start()


@pytest.mark.parametrize(
    ("engine", "kept"),
    [
        ("tansu", "em memória"),
        pytest.param("kafka", "as vendas ficam em", marks=pytest.mark.apache),
    ],
)
def test_cli_creates_the_topic_and_stops_on_ctrl_c(broker_cli, engine, kept):
    port = free_port()
    process = broker_cli("--port", str(port), "--topic", "csv-data", "--broker", engine)
    first = process.stdout.readline()
    assert first.startswith("Broker embutido (") and f"em 127.0.0.1:{port}" in first, first
    assert kept in first
    assert "Tópico 'csv-data' pronto." in process.stdout.readline()
    assert ensure_topic(f"127.0.0.1:{port}", "csv-data", partitions=4) == 1
    process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=60)
    assert process.returncode == 0, err
    assert "Broker parado." in out
    with pytest.raises(BrokerUnavailable):
        probe(f"127.0.0.1:{port}", timeout_ms=500)


def test_cli_on_a_taken_port_fails_in_one_line(broker_cli, broker):
    process = broker_cli("--port", str(broker.port))
    out, err = process.communicate(timeout=60)
    assert process.returncode == 1
    assert err.startswith("Erro: já existe um broker Kafka")
    assert len(err.strip().splitlines()) == 1


def test_the_broker_stops_at_once_even_with_a_client_connected():
    import time

    from sales_monitor.kafka.clients import make_producer

    with Tansu(port=free_port()) as running:
        ensure_topic(running.bootstrap, "t")
        producer = make_producer(running.bootstrap)
        producer.send("t", b"x").get(timeout=10)
        started = time.monotonic()
        running.stop()
        stopped_in = time.monotonic() - started
        producer.close(timeout=0.5)
    assert stopped_in < 2.0  # Tansu waits ~5 s for clients on SIGTERM; we send SIGINT
