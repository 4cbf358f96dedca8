"""Choosing the embedded broker, and Apache Kafka's engine keeping its sales across restarts."""

import io
import socket
from dataclasses import replace

import pytest

from sales_monitor.brokers import engines
from sales_monitor.brokers.ports import free_port
from sales_monitor.errors import EmbeddedBrokerError
from sales_monitor.kafka.clients import make_producer
from sales_monitor.settings import Embedded
from tests.helpers import apache as apache_kafka
from tests.helpers.topic import messages_in


@pytest.mark.unit
def test_without_tansu_the_default_is_apache_kafka(tmp_path):
    assert engines.chosen(Embedded(data_dir=tmp_path, tansu_allowed=False)) == "kafka"
    assert engines.chosen(Embedded(engine="kafka", data_dir=tmp_path)) == "kafka"


@pytest.mark.unit
def test_tansu_asked_for_where_it_does_not_exist_says_what_to_use(tmp_path):
    embedded = Embedded(engine="tansu", data_dir=tmp_path, tansu_allowed=False)
    with pytest.raises(EmbeddedBrokerError, match="use --broker kafka"):
        engines.start(embedded, free_port())


@pytest.mark.unit
def test_the_download_progress_is_a_line_a_tenth_in_a_log():
    out = io.StringIO()
    report = engines.DownloadProgress(out)
    for done in range(0, 44_163_920, 100_000):
        report(done, 44_163_919)
    report(44_163_919, 44_163_919)
    lines = out.getvalue().splitlines()
    assert len(lines) == 11
    assert lines[-1].endswith(": 44,2 de 44,2 MB (100%)")
    assert "Apache Kafka 4.1.0" in lines[0]


@pytest.fixture
def kafka_engine(tmp_path):
    why = apache_kafka.missing()  # the jars, from the cache or fetched once
    if why is not None:
        pytest.skip(why)
    # a folder named after a person, as user folders are: Java reads the path right
    return replace(Embedded.from_env({}), engine="kafka", data_dir=tmp_path / "vendas de João")


def write(bootstrap: str, count: int) -> None:
    producer = make_producer(bootstrap)
    for n in range(count):
        producer.send("csv-data", key=b"%d" % n, value=b"{}")
    producer.flush()
    producer.close()


@pytest.mark.apache
def test_apache_kafka_keeps_its_sales_across_a_restart_and_fresh_empties_it(kafka_engine):
    port = free_port()
    broker, said = engines.start(kafka_engine, port)
    try:
        assert f"as vendas ficam em {kafka_engine.data_dir / 'kafka'}" in said
        write(broker.bootstrap, 25)
    finally:
        broker.stop()
    assert not broker.running()
    again, _ = engines.start(kafka_engine, port)
    try:
        assert messages_in(again.bootstrap, "csv-data") == 25
    finally:
        again.stop()
    fresh, _ = engines.start(kafka_engine, port, fresh=True)
    try:
        assert messages_in(fresh.bootstrap, "csv-data") == 0
    finally:
        fresh.stop()


@pytest.mark.apache
def test_a_taken_port_is_one_sentence(kafka_engine):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(EmbeddedBrokerError) as raised:
            engines.start(kafka_engine, port)
    assert str(raised.value) == f"a porta {port} já está em uso por outro programa; use --port"
