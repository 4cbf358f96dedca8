"""The seam to Kafka: admin, producer and consumer construction with one error type.

kafka-python 3 reports a missing broker as a timeout; callers here get
`BrokerUnavailable` with a message a person can act on instead.
"""

from __future__ import annotations

import contextlib

from kafka import KafkaAdminClient, KafkaConsumer, KafkaProducer
from kafka.errors import KafkaError, KafkaTimeoutError, TopicAlreadyExistsError
from kafka.net.compat import KafkaNetClient

BOOTSTRAP_TIMEOUT_MS = 5_000
START_HINT = "inicie um broker com `uv run broker` (ou `docker compose up -d kafka`)"


class BrokerUnavailable(RuntimeError):
    """No Kafka broker answered at the configured address."""

    def __init__(self, bootstrap: str, cause: Exception | str):
        super().__init__(
            f"não foi possível falar com o Kafka em {bootstrap} ({cause}); {START_HINT}"
        )
        self.bootstrap = bootstrap


def ensure_topic(bootstrap: str, topic: str, partitions: int = 1) -> int:
    """Create `topic` if it is missing; return its partition count.

    Creating it ourselves matters: a broker that auto-creates topics (Tansu does) would
    pick its own partition count on the first produce.
    """
    admin = build(KafkaAdminClient, bootstrap, bootstrap_timeout_ms=BOOTSTRAP_TIMEOUT_MS)
    try:
        with contextlib.suppress(TopicAlreadyExistsError):
            admin.create_topics(
                {topic: {"num_partitions": partitions, "replication_factor": 1}},
                wait_for_metadata=True,
            )
        (described,) = admin.describe_topics([topic])
        return len(described["partitions"])
    except KafkaError as error:
        raise BrokerUnavailable(bootstrap, error) from None
    finally:
        admin.close()


def probe(bootstrap: str, timeout_ms: int = 2_000) -> None:
    """Return if a Kafka broker answers at `bootstrap`, else raise BrokerUnavailable."""
    build(KafkaAdminClient, bootstrap, bootstrap_timeout_ms=timeout_ms).close()


def build(client_class, bootstrap: str, **config):
    """A kafka-python admin, producer or consumer, or BrokerUnavailable.

    kafka-python 3's constructors connect and bootstrap; when that times out they raise
    without closing the network client they made, leaving its connected socket and I/O
    thread to the garbage collector. We hand them a client factory that remembers what it
    made, so a failed construction closes it here.
    """
    made: list[KafkaNetClient] = []

    def tracked_client(**kwargs) -> KafkaNetClient:
        made.append(KafkaNetClient(**kwargs))
        return made[-1]

    try:
        return client_class(bootstrap_servers=bootstrap, kafka_client=tracked_client, **config)
    except KafkaError as error:
        for client in made:
            client.close()
        raise BrokerUnavailable(bootstrap, error) from None


def make_producer(bootstrap: str, **tuning) -> KafkaProducer:
    """A producer that survives broker restarts.

    Idempotence is off: kafka-python 3 turns it on by default, and an idempotent
    producer never recovers after an in-memory broker restarts.
    """
    config = {
        "linger_ms": 5,
        "batch_size": 256 * 1024,
        "max_block_ms": 10_000,
        "enable_idempotence": False,
        "allow_auto_create_topics": False,
        "bootstrap_timeout_ms": BOOTSTRAP_TIMEOUT_MS,
    } | tuning
    return build(KafkaProducer, bootstrap, **config)


def make_consumer(bootstrap: str, **tuning) -> KafkaConsumer:
    """A group-less consumer: callers `assign()` partitions themselves, so every reader
    sees every message (a shared group would split them between readers)."""
    config = {
        "enable_auto_commit": False,
        "allow_auto_create_topics": False,
        "auto_offset_reset": "earliest",
        "fetch_max_wait_ms": 20,  # latency: the default 500 ms wait dominates end-to-end time
        "max_partition_fetch_bytes": 4 * 1024 * 1024,
        "bootstrap_timeout_ms": BOOTSTRAP_TIMEOUT_MS,
    } | tuning
    return build(KafkaConsumer, bootstrap, **config)


def close_producer(producer: KafkaProducer, wait_s: float) -> None:
    """Deliver what is pending for up to `wait_s` seconds, then close; never raises.

    kafka-python 3's `close()` flushes first and raises when records are still waiting
    (a broker that went away), before it stops its I/O thread, and tries again at exit
    with more tracebacks. Here records that cannot be delivered in time are aborted, so
    their errbacks count them as failed, and the producer is closed for good.
    """
    try:
        producer.flush(timeout=wait_s)
    except KafkaTimeoutError:
        sender = producer._sender  # no public call aborts pending records
        sender.force_close()
        sender.join(timeout=wait_s)
    with contextlib.suppress(KafkaError):
        producer.close(timeout=wait_s)
