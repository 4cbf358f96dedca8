"""The seam to Kafka: a failed construction leaves no connected socket or thread behind."""

import gc
import os
import socket
import threading
from pathlib import Path

import pytest
from kafka import KafkaAdminClient, KafkaConsumer, KafkaProducer

from sales_monitor.kafka_io import BrokerUnavailable, build

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
