"""The seam to Kafka: a failed construction leaves no connected socket or thread behind."""

import gc
import os
import socket
import threading
from pathlib import Path

import pytest
from kafka import KafkaAdminClient, KafkaConsumer, KafkaProducer

from sales_monitor.errors import BrokerUnavailable
from sales_monitor.kafka.clients import (
    FETCH_WAIT_MS,
    QUIET_FETCH_WAIT_MS,
    build,
    make_producer,
    open_consumer,
)
from sales_monitor.record import encode
from tests.helpers.factories import sale
from tests.helpers.waiting import wait_for

pytestmark = pytest.mark.unit


def connections_to(port: int) -> int:
    """This process's TCP sockets whose peer is 127.0.0.1:`port`."""
    ours = set()
    for fd in os.listdir("/proc/self/fd"):
        try:
            link = os.readlink(f"/proc/self/fd/{fd}")
        except FileNotFoundError:  # the listing's own descriptor, already closed
            continue
        if link.startswith("socket:["):
            ours.add(link[len("socket:[") : -1])
    count = 0
    for row in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = row.split()
        remote, inode = fields[2], fields[9]
        if inode in ours and int(remote.split(":")[1], 16) == port:
            count += 1
    return count


@pytest.fixture
def silent_broker():
    """Accepts connections and never answers: connect succeeds, bootstrap times out."""
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(8)
        yield server.getsockname()[1]


@pytest.mark.parametrize("client_class", [KafkaConsumer, KafkaProducer, KafkaAdminClient])
def test_a_bootstrap_timeout_closes_what_the_constructor_opened(silent_broker, client_class):
    threads = set(threading.enumerate())
    with pytest.raises(BrokerUnavailable):
        build(client_class, f"127.0.0.1:{silent_broker}", bootstrap_timeout_ms=300)
    gc.collect()
    assert connections_to(silent_broker) == 0
    assert [t.name for t in set(threading.enumerate()) - threads if t.is_alive()] == []


def test_a_refused_connection_closes_its_socket():
    # kafka-python 3 drops the socket of a failed connect unclosed; with a broker down the
    # dashboard retries every second, so each attempt would hold a descriptor until the
    # garbage collector finds it (and warns about it)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]  # bound, never listening: connects are refused
        before = open_sockets()
        _fail_to_build(port)
        assert open_sockets() == before


def open_sockets() -> int:
    return sum(
        os.readlink(f"/proc/self/fd/{fd}").startswith("socket:")
        for fd in os.listdir("/proc/self/fd")
        if os.path.exists(f"/proc/self/fd/{fd}")
    )


def _fail_to_build(port: int) -> None:
    try:
        build(KafkaProducer, f"127.0.0.1:{port}", bootstrap_timeout_ms=1_000)
    except BrokerUnavailable:
        return
    pytest.fail("a producer was built against a refused port")


@pytest.mark.broker
def test_closing_a_client_with_a_request_still_buffered_closes_its_socket(broker):
    """Before: kafka-python's transport, closed with a write pending, waits for the write
    to finish; the client's close stops its network loop first, and CI saw the socket
    collected unclosed (a ResourceWarning in a later test)."""
    admin = build(KafkaAdminClient, broker.bootstrap)
    admin.list_topics()  # a connection to the broker, not only the bootstrap one
    (connection,) = [c for c in admin._client._manager._conns.values() if c.transport]
    transport = connection.transport
    # a request buffered and its write not yet run: the state a close can catch
    transport._write_buffer.append(b"\0\0\0\0")
    transport._writing = True
    assert connections_to(broker.port) >= 1
    admin.close()
    assert connections_to(broker.port) == 0


@pytest.mark.broker
def test_a_quiet_consumer_asks_for_the_long_fetch_wait_and_still_reads_what_arrives(broker, topic):
    consumer = open_consumer(broker.bootstrap, topic)
    fetcher_config = consumer._consumer._fetcher.config  # where kafka-python reads it
    try:
        consumer.assign([0])
        consumer.seek_to_beginning([0])
        assert consumer.poll(timeout_ms=300, max_records=10) == {}
        consumer.fetch_wait(quiet=True)
        assert fetcher_config["fetch_max_wait_ms"] == QUIET_FETCH_WAIT_MS
        producer = make_producer(broker.bootstrap)
        key, value = encode(sale(7))
        producer.send(topic, key=key, value=value).get(timeout=30)
        producer.close()
        got: list = []
        assert wait_for(lambda: got.extend(consumer.poll(200, 10).get(0, [])) or got)
        assert [m.key for m in got] == [key]
        consumer.fetch_wait(quiet=False)
        assert fetcher_config["fetch_max_wait_ms"] == FETCH_WAIT_MS
    finally:
        consumer.close()
