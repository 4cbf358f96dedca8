"""Security against Apache Kafka's own listeners: SASL (PLAIN and both SCRAMs, users made
at format time) without and with TLS, TLS, and TLS with a client certificate; each mistake
a user can make gives its Portuguese cause within the bootstrap bound."""

from __future__ import annotations

import time
import uuid

import pytest

from sales_monitor.errors import BrokerUnavailable
from sales_monitor.kafka.clients import BOOTSTRAP_TIMEOUT_MS, ensure_topic, make_producer
from sales_monitor.kafka.connection import Connection
from sales_monitor.kafka.publish import Publisher
from sales_monitor.stream.consumer import StreamConsumer
from sales_monitor.stream.store import RecordStore
from tests.helpers.apache import MECHANISMS, PASSWORD, USER
from tests.helpers.factories import sale
from tests.helpers.waiting import wait_for

pytestmark = pytest.mark.apache


def sasl(apache, listener: str, mechanism: str, password: str = PASSWORD) -> Connection:
    protocol = apache.listener(listener).protocol
    ca = str(apache.certs["ca"]) if protocol == "SASL_SSL" else None
    return Connection(
        apache.listener(listener).address, protocol, mechanism, USER, password, ssl_cafile=ca
    )


def tls(apache, listener: str = "TLS", client: bool = False, ca: str = "ca") -> Connection:
    certs = apache.certs
    return Connection(
        apache.listener(listener).address,
        "SSL",
        ssl_cafile=str(certs[ca]),
        ssl_certfile=str(certs["client"]) if client else None,
        ssl_keyfile=str(certs["client-key"]) if client else None,
    )


def round_trip(connection: Connection, sales: int = 50) -> None:
    """The producer writes, the dashboard's consumer reads: the same sales, to the cent."""
    topic = f"seguro-{uuid.uuid4().hex[:8]}"
    ensure_topic(connection, topic)
    stream = StreamConsumer(connection, topic, RecordStore())
    stream.start()
    try:
        producer = make_producer(connection)
        records = [sale(i, cents=i * 101) for i in range(1, sales + 1)]
        Publisher(producer, topic, "produtor").send_all(records)
        producer.flush(timeout=10)
        producer.close()
        assert wait_for(lambda: len(stream.snapshot()) == sales)
        assert int(stream.snapshot()["valor_centavos"].sum()) == sum(r.value_cents for r in records)
        assert stream.status.connected
    finally:
        stream.stop()


@pytest.mark.parametrize("mechanism", MECHANISMS)
@pytest.mark.parametrize("listener", ["SASL", "SASLSSL"], ids=["SASL_PLAINTEXT", "SASL_SSL"])
def test_sasl_round_trips_through_the_producer_and_the_dashboard(apache, listener, mechanism):
    round_trip(sasl(apache, listener, mechanism))


def test_tls_on_kafkas_own_listener_round_trips(apache):
    round_trip(tls(apache))


def test_mutual_tls_with_a_client_certificate_round_trips(apache):
    round_trip(tls(apache, "MTLS", client=True))


@pytest.mark.parametrize(
    ("make", "cause"),
    [
        (lambda k: sasl(k, "SASL", "SCRAM-SHA-256", "errada"), "usuário ou senha recusados"),
        (lambda k: sasl(k, "SASLSSL", "PLAIN", "errada"), "usuário ou senha recusados"),
        (lambda k: sasl(k, "PLAINONLY", "SCRAM-SHA-512"), "mecanismo SASL"),
        (lambda k: tls(k, ca="other-ca"), "o certificado do broker não é confiável"),
        (
            lambda k: Connection(k.listener("PLAIN").address, "SSL", ssl_cafile=str(k.certs["ca"])),
            "a conexão TLS não se completou",
        ),
        (lambda k: Connection(k.listener("TLS").address), "o broker fechou a conexão"),
        (lambda k: tls(k, "MTLS"), "o broker recusou o certificado do cliente"),
    ],
    ids=[
        "wrong SCRAM password",
        "wrong PLAIN password over TLS",
        "mechanism not enabled",
        "untrusted certificate",
        "TLS to a plaintext port",
        "plaintext to a TLS port",
        "no client certificate",
    ],
)
def test_each_mistake_names_its_cause_within_the_bootstrap_bound(apache, make, cause):
    """Kafka hangs up right after refusing a mechanism or a password, and kafka-python reads
    the refusal only sometimes (both outcomes were seen in a few tries): read, the cause is
    exact; cut short, the message names the SASL settings ("mecanismo SASL, usuário ou
    senha recusados?"), never TLS."""
    started = time.monotonic()
    with pytest.raises(BrokerUnavailable) as failure:
        ensure_topic(make(apache), "nunca-criado")
    assert cause in str(failure.value), str(failure.value)
    assert PASSWORD not in str(failure.value) and "errada" not in str(failure.value)
    assert time.monotonic() - started < BOOTSTRAP_TIMEOUT_MS / 1000 + 5
