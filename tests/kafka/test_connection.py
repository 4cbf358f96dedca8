"""Security settings: validated, never shown, and TLS for real in front of the broker."""

import subprocess
import sys
import time

import pytest

from sales_monitor.brokers.ports import free_port
from sales_monitor.brokers.tansu import Tansu
from sales_monitor.errors import BrokerUnavailable, SettingsError
from sales_monitor.kafka.clients import ensure_topic, make_consumer, make_producer
from sales_monitor.kafka.connection import Connection
from sales_monitor.kafka.publish import Publisher
from sales_monitor.settings import Settings
from sales_monitor.stream.consumer import StreamConsumer
from sales_monitor.stream.store import RecordStore
from tests.helpers.factories import sale
from tests.helpers.tls import TlsProxy, make_certificates
from tests.helpers.waiting import wait_for

SECRET = "s3nh4-que-n4o-aparece"
DEMO = "from sales_monitor.commands.demo import main as m; raise SystemExit(m())"
SASL = {
    "KAFKA_SECURITY_PROTOCOL": "SASL_PLAINTEXT",
    "KAFKA_SASL_MECHANISM": "SCRAM-SHA-256",
    "KAFKA_SASL_USERNAME": "ana",
    "KAFKA_SASL_PASSWORD": SECRET,
}


@pytest.mark.unit
@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"KAFKA_SECURITY_PROTOCOL": "TLS"}, "KAFKA_SECURITY_PROTOCOL='TLS' deve ser um de"),
        (
            {"KAFKA_SECURITY_PROTOCOL": "SASL_SSL", "KAFKA_SASL_MECHANISM": "PLAIN"},
            "KAFKA_SASL_USERNAME e KAFKA_SASL_PASSWORD são obrigatórios",
        ),
        (SASL | {"KAFKA_SASL_MECHANISM": "GSSAPI"}, "KAFKA_SASL_MECHANISM deve ser um de"),
        ({"KAFKA_SASL_USERNAME": "ana"}, "KAFKA_SASL_* só valem com"),
        (
            {"KAFKA_SECURITY_PROTOCOL": "SSL", "KAFKA_SSL_CAFILE": "/nao/existe.pem"},
            "KAFKA_SSL_CAFILE='/nao/existe.pem': arquivo não encontrado",
        ),
        ({"KAFKA_SSL_CAFILE": "/etc/hostname"}, "KAFKA_SSL_* só valem com"),
        (
            {"KAFKA_SECURITY_PROTOCOL": "SSL", "KAFKA_SSL_CERTFILE": "/etc/hostname"},
            "KAFKA_SSL_CERTFILE e KAFKA_SSL_KEYFILE vão juntos",
        ),
    ],
)
def test_security_settings_that_cannot_work_are_refused(env, message):
    with pytest.raises(SettingsError, match=message.replace("*", r"\*")):
        Settings.from_env(env)


@pytest.mark.unit
def test_the_password_never_shows_and_the_client_gets_it():
    settings = Settings.from_env(SASL)
    connection = settings.connection
    assert SECRET not in repr(settings) and SECRET not in repr(connection)
    assert SECRET not in str(settings) and connection.username == "ana"
    config = connection.client_config()
    assert config["sasl_plain_password"] == SECRET and config["sasl_mechanism"] == "SCRAM-SHA-256"
    assert connection.environment()["KAFKA_SASL_PASSWORD"] == SECRET  # children get it by env


@pytest.mark.unit
def test_a_failed_secured_connection_names_no_password():
    connection = Connection(f"127.0.0.1:{free_port()}", "SASL_PLAINTEXT", "PLAIN", "ana", SECRET)
    with pytest.raises(BrokerUnavailable) as failure:
        make_producer(connection, bootstrap_timeout_ms=500)
    assert SECRET not in str(failure.value)


@pytest.mark.broker
def test_the_demo_never_starts_a_plaintext_broker_for_a_secured_cluster():
    port = free_port()
    env = {**SASL, "KAFKA_BOOTSTRAP_SERVERS": f"127.0.0.1:{port}", "PATH": "/usr/bin:/bin"}
    result = subprocess.run(
        [sys.executable, "-c", DEMO],
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
    )
    assert result.returncode == 1 and "Broker embutido" not in result.stdout
    assert result.stderr.startswith(f"Erro: não foi possível falar com o Kafka em 127.0.0.1:{port}")
    assert SECRET not in result.stdout + result.stderr


@pytest.fixture(scope="module")
def tls(tmp_path_factory):
    """A real TLS endpoint (a CA made here) in front of an embedded broker that advertises it."""
    files = make_certificates(tmp_path_factory.mktemp("tls"))
    upstream = free_port()
    with TlsProxy(upstream, files["server"], files["server-key"]) as proxy:
        advertised = f"127.0.0.1:{proxy.port}"
        with Tansu(upstream, advertised=advertised) as broker:
            yield {"files": files, "proxy": proxy, "broker": broker, "address": advertised}


def tls_connection(tls, ca="ca") -> Connection:
    return Connection(tls["address"], "SSL", ssl_cafile=str(tls["files"][ca]))


@pytest.mark.broker
def test_records_round_trip_over_tls_through_the_producer_and_the_dashboard_consumer(tls):
    connection = tls_connection(tls)
    ensure_topic(connection, "tls-topic")
    stream = StreamConsumer(connection, "tls-topic", RecordStore())
    stream.start()
    try:
        producer = make_producer(connection)
        Publisher(producer, "tls-topic", "produtor").send_all([sale(i) for i in range(1, 51)])
        producer.flush()
        producer.close()
        assert wait_for(lambda: len(stream.store.snapshot()) == 50)
        assert stream.status.connected
    finally:
        stream.stop()


@pytest.mark.broker
@pytest.mark.parametrize(
    ("make", "cause"),
    [
        (lambda tls: tls_connection(tls, ca="other-ca"), "o certificado do broker não é confiável"),
        (
            lambda tls: Connection(
                tls["broker"].bootstrap, "SSL", ssl_cafile=str(tls["files"]["ca"])
            ),
            "a conexão TLS não se completou",
        ),
        (lambda tls: Connection(tls["address"]), "o broker fechou a conexão: ele espera TLS?"),
    ],
    ids=["untrusted certificate", "TLS to a plaintext port", "plaintext to a TLS port"],
)
def test_tls_mistakes_fail_quickly_with_their_cause(tls, make, cause):
    started = time.monotonic()
    with pytest.raises(BrokerUnavailable) as failure:
        make_consumer(make(tls))
    assert cause in str(failure.value)
    assert time.monotonic() - started < 15  # the 5 s bootstrap bound, not a 30 s timeout


@pytest.mark.broker
def test_the_dashboard_status_names_a_tls_mistake(tls):
    stream = StreamConsumer(tls_connection(tls, ca="other-ca"), "csv-data", RecordStore())
    stream.start()
    try:
        assert wait_for(lambda: "não é confiável" in stream.status.detail, timeout=30)
        assert stream.status.state == "broker indisponível"
    finally:
        stream.stop()


@pytest.mark.unit
def test_the_page_never_shows_the_password(monkeypatch):
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    from sales_monitor.ui import resources
    from tests.helpers.page import PAGE

    for name, value in SASL.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("KAFKA_BOOTSTRAP_SERVERS", f"127.0.0.1:{free_port()}")
    st.cache_resource.clear()
    try:
        app = AppTest.from_file(PAGE, default_timeout=30).run()
        assert wait_for(lambda: resources.stream_for(Settings.from_env()).status.detail, timeout=30)
        app.run()
        shown = [
            e.value
            for kind in ("error", "warning", "info", "markdown", "caption", "metric")
            for e in getattr(app, kind)
        ]
        assert any("Kafka indisponível" in str(text) for text in shown)
        assert not any(SECRET in str(text) for text in shown)
    finally:
        resources.stream_for(Settings.from_env()).stop()
        st.cache_resource.clear()
