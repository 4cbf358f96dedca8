"""The demo as one piece: a broker (embedded unless one answers already), the fake producer
and the dashboard, started and stopped together."""

from __future__ import annotations

import subprocess
import sys
from typing import Any

from sales_monitor import children
from sales_monitor.brokers import engines, jars
from sales_monitor.errors import BrokerUnavailable
from sales_monitor.kafka.clients import ensure_topic, probe
from sales_monitor.launch.web import dashboard_env, local_port, start_dashboard, stop_children
from sales_monitor.settings import Settings


class Demo:
    """Broker (embedded unless one answers already), producer and dashboard, as one."""

    def __init__(
        self,
        settings: Settings,
        port: int,
        producer_args: list[str],
        fresh: bool = False,
        progress: jars.Progress | None = None,
    ):
        self.settings, self.port, self.producer_args = settings, port, producer_args
        self.fresh = fresh  # Apache Kafka's saved sales are deleted first
        self.progress = progress  # of the first download of Kafka's jars
        self.broker: engines.Broker | None = None
        self.children: dict[str, subprocess.Popen] = {}

    def start(self) -> None:
        self._broker()
        ensure_topic(self.settings.connection, self.settings.topic)
        self.children["produtor"] = self._spawn(
            [
                sys.executable,
                "-m",
                "sales_monitor.commands.producer",
                "--quiet",
                "--bootstrap-server",
                self.settings.bootstrap_servers,
                "--topic",
                self.settings.topic,
                *self.producer_args,
            ],
        )
        self.children["dashboard"], self.port = start_dashboard(self.settings, self.port)

    def _broker(self) -> None:
        connection = self.settings.connection
        bootstrap = connection.bootstrap_servers
        try:
            probe(connection)
            print(f"Usando o broker Kafka que já responde em {bootstrap}.", flush=True)
            return
        except BrokerUnavailable:
            # the embedded broker speaks plaintext only: never in place of a secured cluster
            port = None if connection.secured else local_port(bootstrap)
            if port is None:
                raise
        self.broker, description = engines.start(
            self.settings.embedded, port, self.fresh, self.progress
        )
        print(description, flush=True)

    def _spawn(self, command: list[str], **kwargs: Any) -> subprocess.Popen:
        return children.spawn(
            command,
            env=dashboard_env(self.settings),
            **kwargs,
        )

    def exited(self) -> str | None:
        """The name of a piece that stopped by itself, if any."""
        for name, child in self.children.items():
            if child.poll() is not None:
                return name
        if self.broker is not None and not self.broker.running():
            return "broker"
        return None

    def stop(self) -> None:
        stop_children(list(self.children.values()))
        if self.broker is not None:
            self.broker.stop()
