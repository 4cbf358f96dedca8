"""`uv run demo`: broker, producer and dashboard as one command; Ctrl-C stops them all."""

from __future__ import annotations

import subprocess
import sys
from typing import Any

from sales_monitor.commands import flags
from sales_monitor.commands.flags import settings_or_exit
from sales_monitor.commands.launch import (
    add_dashboard_flags,
    browser_host,
    dashboard_env,
    local_port,
    run_until_stopped,
    start_dashboard,
    stop_children,
    with_flags,
)
from sales_monitor.errors import BrokerUnavailable
from sales_monitor.kafka.clients import ensure_topic, probe
from sales_monitor.kafka.embedded import EmbeddedBroker
from sales_monitor.processes import child_dies_with_parent, stop_on_signals
from sales_monitor.settings import Settings


class Demo:
    """Broker (embedded unless one answers already), producer and dashboard, as one."""

    def __init__(self, settings: Settings, port: int, producer_args: list[str]):
        self.settings, self.port, self.producer_args = settings, port, producer_args
        self.broker: EmbeddedBroker | None = None
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
        self.broker = EmbeddedBroker(port).start()
        print(f"Broker embutido (Tansu, em memória) em {self.broker.bootstrap}.", flush=True)

    def _spawn(self, command: list[str], **kwargs: Any) -> subprocess.Popen:
        return subprocess.Popen(
            command,
            env=dashboard_env(self.settings),
            stdin=subprocess.DEVNULL,
            preexec_fn=child_dies_with_parent,
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


def main(argv: list[str] | None = None) -> int:
    settings = settings_or_exit()
    parser = flags.Parser(prog="demo", description="Broker + produtor + dashboard.")
    add_dashboard_flags(parser, settings)
    pacing = parser.add_mutually_exclusive_group()
    pacing.add_argument(
        "--interval", type=flags.seconds, default=1.0, help="segundos entre vendas (padrão 1)"
    )
    pacing.add_argument("--rate", type=flags.positive_number, help="vendas por segundo, em lotes")
    args = parser.parse_args(argv)  # every flag checked before anything starts
    pace = ["--rate", repr(args.rate)] if args.rate else ["--interval", repr(args.interval)]
    demo = Demo(with_flags(settings, args), args.port, pace)

    def start() -> None:
        demo.start()
        url = f"http://{browser_host(demo.settings.host)}:{demo.port}"
        print(f"\nDashboard: {url}  (Ctrl-C para parar tudo)\n", flush=True)

    return run_until_stopped(
        stop_on_signals(),
        start,
        demo.exited,
        demo.stop,
        died=lambda name: f"o {name} parou sozinho; encerrando o demo.",
        farewell="Demo encerrado.",
    )


if __name__ == "__main__":
    raise SystemExit(main())
