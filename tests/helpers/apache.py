"""Apache Kafka's own broker for the `apache` tests: the package's `KafkaNode` (the same one
`uv run demo --broker kafka` starts) on free loopback ports, with every security mode a client
can pick, and three of them as a cluster.

The jars come from the user's cache, fetched from Maven Central the first time (about 44 MB);
SCRAM users are added when a node's storage is formatted, as KRaft wants them.
"""

from __future__ import annotations

from pathlib import Path

from sales_monitor.brokers import jars
from sales_monitor.brokers.apache import KafkaNode, Listener, cluster_id
from sales_monitor.errors import EmbeddedBrokerError
from sales_monitor.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
USER, PASSWORD = "alice", "alice-secret"
MECHANISMS = ("PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512")
__all__ = ["ROOT", "ApacheKafka", "Listener", "cluster_id", "libs", "missing"]


def libs() -> Path:
    """The folder of Kafka's jars, fetched first where missing. Raises EmbeddedBrokerError."""
    embedded = Settings.from_env().embedded
    folder = embedded.cache_dir / f"kafka-{jars.KAFKA_VERSION}"
    return jars.ensure(folder, jars.manifest(), embedded.maven_url)


def missing() -> str | None:
    """Why Apache Kafka cannot run here (None: it can)."""
    try:
        libs()
    except EmbeddedBrokerError as error:
        return str(error)
    return None


def sasl_settings(name: str) -> dict[str, str]:
    """PLAIN and both SCRAMs on one listener, with one user for each."""
    prefix = f"listener.name.{name.lower()}"
    plain = (
        "org.apache.kafka.common.security.plain.PlainLoginModule required "
        f'user_{USER}="{PASSWORD}";'
    )
    scram = "org.apache.kafka.common.security.scram.ScramLoginModule required;"
    return {
        f"{prefix}.sasl.enabled.mechanisms": ",".join(MECHANISMS),
        f"{prefix}.plain.sasl.jaas.config": plain,
        f"{prefix}.scram-sha-256.sasl.jaas.config": scram,
        f"{prefix}.scram-sha-512.sasl.jaas.config": scram,
    }


def tls_settings(name: str, keystore: Path, ca: Path | None = None) -> dict[str, str]:
    """Kafka's own TLS from PEM files; with `ca`, client certificates are required."""
    prefix = f"listener.name.{name.lower()}"
    settings = {
        f"{prefix}.ssl.keystore.type": "PEM",
        f"{prefix}.ssl.keystore.location": str(keystore),
    }
    if ca is not None:
        settings |= {
            f"{prefix}.ssl.client.auth": "required",
            f"{prefix}.ssl.truststore.type": "PEM",
            f"{prefix}.ssl.truststore.location": str(ca),
        }
    return settings


class ApacheKafka(KafkaNode):
    """A test's node: the jars from the cache, and the SCRAM users the security tests log
    in as."""

    def __init__(self, folder: Path, listeners: list[Listener] | None = None, **options):
        super().__init__(folder, libs(), listeners, scram_users={USER: PASSWORD}, **options)


def security_listeners(certs: dict[str, Path]) -> list[Listener]:
    """Plaintext first (the tests' default), then every security mode a client can pick:
    SASL without and with TLS, TLS, and TLS with a client certificate."""
    keystore = certs["server-keystore"]
    return [
        Listener("PLAIN", "PLAINTEXT"),
        Listener("SASL", "SASL_PLAINTEXT", settings=sasl_settings("SASL")),
        Listener(
            "PLAINONLY",
            "SASL_PLAINTEXT",
            settings=sasl_settings("PLAINONLY")
            | {"listener.name.plainonly.sasl.enabled.mechanisms": "PLAIN"},
        ),
        Listener(
            "SASLSSL",
            "SASL_SSL",
            settings=sasl_settings("SASLSSL") | tls_settings("SASLSSL", keystore),
        ),
        Listener("TLS", "SSL", settings=tls_settings("TLS", keystore)),
        Listener("MTLS", "SSL", settings=tls_settings("MTLS", keystore, certs["ca"])),
    ]
