"""Apache Kafka's own broker for the `apache` tests: KRaft nodes from the jars that
`tests/apache/pom.xml` fetches, started on free loopback ports, stopped with nothing left.

A node is a combined broker and controller with any listeners a test asks for; a cluster is
three of them voting for each other. Storage is a temporary folder, formatted first (SCRAM
users are added then, as KRaft wants them).
"""

from __future__ import annotations

import base64
import os
import shutil
import signal
import subprocess
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from sales_monitor.kafka.embedded import free_port, port_is_open

ROOT = Path(__file__).resolve().parents[2]
LIBS = ROOT / "build" / "apache-kafka" / "libs"
FETCH = "mvn -q -B -f tests/apache/pom.xml dependency:copy-dependencies"
START_TIMEOUT_S = 90.0
JAVA_OPTS = ["-Xms128m", "-Xmx512m", "-XX:+UseSerialGC", "-Djava.awt.headless=true"]

USER, PASSWORD = "alice", "alice-secret"
MECHANISMS = ("PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512")


def missing() -> str | None:
    """Why Apache Kafka cannot run here (None: it can)."""
    if shutil.which("java") is None:
        return "java não encontrado (instale OpenJDK 17)"
    if not any(LIBS.glob("kafka_2.13-*.jar")):
        return f"os jars do Apache Kafka não estão em {LIBS}: rode `{FETCH}`"
    return None


def cluster_id() -> str:
    """A KRaft cluster id: 16 random bytes, URL-safe base64 without padding, never starting
    with "-" (1 in 64 would: the storage tool then reads it as an option, as Kafka's own
    random ids avoid; one CI run failed so)."""
    while (found := base64.urlsafe_b64encode(uuid.uuid4().bytes).rstrip(b"=").decode())[0] == "-":
        pass
    return found


@dataclass
class Listener:
    name: str  # the listener's name in the broker's config, e.g. SASL
    protocol: str  # PLAINTEXT, SSL, SASL_PLAINTEXT or SASL_SSL
    port: int = field(default_factory=free_port)
    settings: dict[str, str] = field(default_factory=dict)  # listener.name.<name>.…

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"


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


class ApacheKafka:
    """One KRaft node (broker and controller); `voters` makes it one of a cluster."""

    def __init__(
        self,
        folder: Path,
        listeners: list[Listener] | None = None,
        node_id: int = 1,
        controller_port: int | None = None,
        voters: str | None = None,
        cluster: str | None = None,
        settings: dict[str, str] | None = None,
    ):
        self.folder, self.node_id = folder, node_id
        self.listeners = listeners or [Listener("PLAIN", "PLAINTEXT")]
        self.controller_port = controller_port or free_port()
        self.voters = voters or f"{node_id}@127.0.0.1:{self.controller_port}"
        self.cluster = cluster or cluster_id()
        self.settings = settings or {}
        self.certs: dict[str, Path] = {}  # the TLS files its listeners use, if any
        self.logs = folder / f"node-{node_id}.log"
        self._process: subprocess.Popen | None = None
        self._formatted = False

    @property
    def bootstrap(self) -> str:
        """The first listener's address (the plaintext one, by default)."""
        return self.listeners[0].address

    @property
    def port(self) -> int:
        return self.listeners[0].port

    def listener(self, name: str) -> Listener:
        return next(item for item in self.listeners if item.name == name)

    def _config(self) -> Path:
        names = [item.name for item in self.listeners]
        protocols = [f"{item.name}:{item.protocol}" for item in self.listeners]
        config = {
            "process.roles": "broker,controller",
            "node.id": str(self.node_id),
            "controller.quorum.voters": self.voters,
            "controller.listener.names": "CONTROLLER",
            "listeners": ",".join(
                [f"{i.name}://{i.address}" for i in self.listeners]
                + [f"CONTROLLER://127.0.0.1:{self.controller_port}"]
            ),
            "advertised.listeners": ",".join(f"{i.name}://{i.address}" for i in self.listeners),
            "listener.security.protocol.map": ",".join([*protocols, "CONTROLLER:PLAINTEXT"]),
            "inter.broker.listener.name": names[0],
            "log.dirs": str(self.folder / f"data-{self.node_id}"),
            "offsets.topic.replication.factor": "1",
            "transaction.state.log.replication.factor": "1",
            "transaction.state.log.min.isr": "1",
            "group.initial.rebalance.delay.ms": "0",
            "num.partitions": "1",
        }
        for item in self.listeners:
            config |= item.settings
        config |= self.settings
        path = self.folder / f"node-{self.node_id}.properties"
        path.write_text("".join(f"{key}={value}\n" for key, value in config.items()))
        return path

    def _java(self, main: str, *args: str) -> list[str]:
        return ["java", *JAVA_OPTS, "-cp", f"{LIBS}/*", main, *args]

    def format(self) -> None:
        scram = [
            arg
            for mechanism in MECHANISMS[1:]
            for arg in ("--add-scram", f"{mechanism}=[name={USER},password={PASSWORD}]")
        ]
        subprocess.run(
            self._java(
                "kafka.tools.StorageTool",
                "format",
                "-t",
                self.cluster,
                "-c",
                str(self._config()),
                "--ignore-formatted",
                *scram,
            ),
            check=True,
            capture_output=True,
            timeout=120,
        )
        self._formatted = True

    def start(self, wait: bool = True) -> ApacheKafka:
        if not self._formatted:
            self.format()
        with self.logs.open("ab") as log:
            self._process = subprocess.Popen(
                self._java("kafka.Kafka", str(self._config())),
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
            )
        if wait:
            self.wait_ready()
        return self

    def wait_ready(self) -> None:
        deadline = time.monotonic() + START_TIMEOUT_S
        while not all(port_is_open("127.0.0.1", item.port) for item in self.listeners):
            if self._process is None or self._process.poll() is not None:
                raise RuntimeError(f"o Apache Kafka parou ao iniciar:\n{self.tail()}")
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"o Apache Kafka não abriu as portas:\n{self.tail()}")
            time.sleep(0.2)

    def tail(self, lines: int = 40) -> str:
        if not self.logs.exists():
            return ""
        return "\n".join(self.logs.read_text(errors="replace").splitlines()[-lines:])

    def running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    def kill(self) -> None:
        """SIGKILL: a crash, not a stop."""
        if self._process is not None and self._process.poll() is None:
            os.killpg(self._process.pid, signal.SIGKILL)
            self._process.wait()

    def stop(self) -> None:
        if self._process is None:
            return
        if self._process.poll() is None:
            os.killpg(self._process.pid, signal.SIGTERM)
            try:
                self._process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.kill()
        self._process = None

    def __enter__(self) -> ApacheKafka:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


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
