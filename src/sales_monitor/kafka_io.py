"""The seam to Kafka: admin, producer and consumer construction with one error type.

kafka-python 3 reports a missing broker as a timeout; callers here get
`BrokerUnavailable` with a message a person can act on instead.
"""

from __future__ import annotations

import contextlib

from kafka import KafkaAdminClient, KafkaConsumer, KafkaProducer
from kafka.errors import KafkaError, TopicAlreadyExistsError

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
    try:
        admin = KafkaAdminClient(
            bootstrap_servers=bootstrap, bootstrap_timeout_ms=BOOTSTRAP_TIMEOUT_MS
        )
    except KafkaError as error:
        raise BrokerUnavailable(bootstrap, error) from None
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
    try:
        KafkaAdminClient(bootstrap_servers=bootstrap, bootstrap_timeout_ms=timeout_ms).close()
    except KafkaError as error:
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
    try:
        return KafkaProducer(bootstrap_servers=bootstrap, **config)
    except KafkaError as error:
        raise BrokerUnavailable(bootstrap, error) from None


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
    try:
        return KafkaConsumer(bootstrap_servers=bootstrap, **config)
    except KafkaError as error:
        raise BrokerUnavailable(bootstrap, error) from None
