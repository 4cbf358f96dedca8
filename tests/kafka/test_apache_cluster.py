"""Three Apache Kafka nodes on loopback, the topic with 3 replicas and min.insync.replicas
2: the leader of a partition is killed (SIGKILL) while the producer writes 1,000 records/s
and the dashboard reads, then started again. Nothing the producer counted as sent may be
lost or doubled, and the dashboard may never show a number it later takes back.

SALES_MONITOR_CLUSTER_SECONDS makes the run longer (default 12 s: the kill at a third,
the restart at two thirds). The figures go to build/cluster/figures.json.
"""

from __future__ import annotations

import json
import os
import threading
import time

import pytest
from kafka import KafkaAdminClient

from sales_monitor.brokers.ports import free_port
from sales_monitor.fake_sales.faker import SaleFaker
from sales_monitor.kafka.clients import make_producer
from sales_monitor.kafka.connection import Connection
from sales_monitor.kafka.publish import Publisher
from sales_monitor.record import decode
from sales_monitor.stream.consumer import StreamConsumer
from sales_monitor.stream.store import RecordStore
from tests.helpers.apache import ROOT, ApacheKafka, Listener, cluster_id
from tests.helpers.factories import cents_by_id
from tests.helpers.topic import everything_in
from tests.helpers.waiting import wait_for

pytestmark = pytest.mark.apache

TOPIC = "vendas-cluster"
RATE = 1_000
SECONDS = float(os.environ.get("SALES_MONITOR_CLUSTER_SECONDS", "12"))


@pytest.fixture(scope="module")
def cluster(apache, tmp_path_factory):  # `apache`: skipped or failed the same way
    folder = tmp_path_factory.mktemp("cluster")
    controllers = {node: free_port() for node in (1, 2, 3)}
    voters = ",".join(f"{n}@127.0.0.1:{port}" for n, port in controllers.items())
    shared = {
        "offsets.topic.replication.factor": "3",
        "transaction.state.log.replication.factor": "3",
        "transaction.state.log.min.isr": "2",
        "default.replication.factor": "3",
        "min.insync.replicas": "2",
    }
    uuid = cluster_id()
    nodes = [
        ApacheKafka(
            folder,
            [Listener("PLAIN", "PLAINTEXT")],
            node_id=n,
            controller_port=port,
            voters=voters,
            cluster=uuid,
            settings=shared,
        )
        for n, port in controllers.items()
    ]
    try:
        for node in nodes:  # the quorum needs a majority up before any node is ready
            node.start(wait=False)
        for node in nodes:
            node.wait_ready()
        yield nodes
    finally:
        for node in nodes:
            node.stop()


def leader_of(bootstrap: str, partition: int) -> int:
    admin = KafkaAdminClient(bootstrap_servers=bootstrap)
    try:
        (described,) = admin.describe_topics([TOPIC])
        partitions = described["partitions"]
        return next(p["leader_id"] for p in partitions if p["partition_index"] == partition)
    finally:
        admin.close()


def test_a_killed_leader_loses_nothing_and_the_page_never_goes_back(cluster):
    bootstrap = ",".join(node.bootstrap for node in cluster)
    admin = KafkaAdminClient(bootstrap_servers=bootstrap)
    try:
        admin.create_topics(
            {
                TOPIC: {
                    "num_partitions": 3,
                    "replication_factor": 3,
                    "configs": {"min.insync.replicas": "2"},
                }
            }
        )
    finally:
        admin.close()
    stream = StreamConsumer(Connection(bootstrap), TOPIC, RecordStore())
    stream.start()
    producer = make_producer(bootstrap, acks="all", enable_idempotence=True)
    publisher, faker = Publisher(producer, TOPIC, "produtor"), SaleFaker(seed=22)
    acked: dict[int, int] = {}  # id -> cents, as the broker confirmed
    acked_at: list[float] = []
    shown: list[tuple[float, int]] = []  # the table's row count, sampled
    stop = threading.Event()

    def confirmed(record, _metadata) -> None:
        acked[record.id] = record.value_cents
        acked_at.append(time.monotonic())

    def write() -> None:
        started = time.monotonic()
        for n in range(int(RATE * SECONDS)):
            record = faker.record()
            if (future := publisher.send(record)) is not None:
                future.add_callback(confirmed, record)
            time.sleep(max(0.0, started + (n + 1) / RATE - time.monotonic()))

    def watch() -> None:
        while not stop.wait(0.05):
            shown.append((time.monotonic(), len(stream.snapshot())))

    writer, watcher = threading.Thread(target=write), threading.Thread(target=watch)
    began = time.monotonic()
    writer.start()
    watcher.start()
    time.sleep(SECONDS / 3)
    victim = next(n for n in cluster if n.node_id == leader_of(bootstrap, 0))
    victim.kill()
    killed_at = time.monotonic()
    time.sleep(SECONDS / 3)
    victim.start()
    restarted_at = time.monotonic()
    writer.join()
    stats = publisher.finish(timeout=60)
    producer.close()
    assert wait_for(lambda: set(acked) <= set(stream.snapshot()["id"].tolist()), timeout=120)
    stop.set()
    watcher.join()
    frame = stream.snapshot()
    stream.stop()

    replay = [decode(m.key, m.value, m.headers) for m in everything_in(bootstrap, TOPIC)]
    ids = [r.id for r in replay]
    table = cents_by_id(frame)
    assert stats.failed == 0 and stats.unconfirmed == 0
    assert len(ids) == len(set(ids))  # idempotent: no record written twice
    assert set(acked) <= set(ids)  # nothing acknowledged was lost
    assert table == {r.id: r.value_cents for r in replay}  # the table is the topic's replay
    counts = [n for _, n in shown]
    assert counts == sorted(counts)  # the page's total never went back

    gaps = [later - earlier for earlier, later in zip(acked_at, acked_at[1:], strict=False)]
    figures = {
        "seconds": SECONDS,
        "sent": stats.attempted,
        "acknowledged": len(acked),
        "in_topic": len(ids),
        "in_table": len(table),
        "leader_killed_after_s": round(killed_at - began, 2),
        "restarted_after_s": round(restarted_at - began, 2),
        "longest_gap_between_acknowledgements_s": round(max(gaps), 2),
        "longest_time_the_table_did_not_grow_s": round(max(_still(shown)), 2),
    }
    out = ROOT / "build" / "cluster"
    out.mkdir(parents=True, exist_ok=True)
    (out / "figures.json").write_text(json.dumps(figures, indent=2))
    print(json.dumps(figures))


def _still(shown: list[tuple[float, int]]) -> list[float]:
    """How long each stretch of samples with the same row count lasted."""
    stretches, since = [0.0], shown[0][0]
    for (_, before), (at, count) in zip(shown, shown[1:], strict=False):
        if count != before:
            stretches.append(at - since)
            since = at
    return [*stretches, shown[-1][0] - since]
