"""`uv run dashboard` and `uv run demo`: start the pieces, print where to look, stop cleanly."""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
import urllib.request
from dataclasses import replace
from pathlib import Path

from . import cli
from .broker import BrokerError, EmbeddedBroker, free_port, port_is_open
from .cli import settings_or_exit
from .kafka_io import BrokerUnavailable, ensure_topic, probe
from .process import child_dies_with_parent, stop_on_signals, wait_for_stop
from .settings import Settings, is_loopback

# the package's own entry point, so an installed wheel can launch the app
DASHBOARD = Path(__file__).resolve().parent / "ui" / "app.py"
HEALTH_TIMEOUT_S = 30.0


# What an idle server spent its CPU on (py-spy, one tab, nothing arriving): a full garbage
# collection after every rerun of every tab (a fifth of it, and more with a bigger table)
# and polling the app's source files for changes (a tenth). Neither serves a running app.
IDLE_FLAGS = ["--runner.postScriptGC", "false", "--server.fileWatcherType", "none"]


def streamlit_command(port: int, host: str) -> list[str]:
    # headless: no browser launch and no first-run e-mail prompt, which would block here
    return [
        sys.executable, "-m", "streamlit", "run", str(DASHBOARD),
        "--server.port", str(port), "--server.address", host, "--server.headless", "true",
        "--browser.gatherUsageStats", "false", "--logger.level", "warning",
        "--client.toolbarMode", "minimal", "--client.showErrorDetails", "none",
        *IDLE_FLAGS,
    ]  # fmt: skip


def dashboard_env(settings: Settings, base: dict[str, str] | None = None) -> dict[str, str]:
    """The environment that hands `settings` to the Streamlit process."""
    return (
        dict(os.environ if base is None else base)
        | {
            "KAFKA_BOOTSTRAP_SERVERS": settings.bootstrap_servers,
            "KAFKA_TOPIC": settings.topic,
            "DASHBOARD_REFRESH_SECONDS": f"{settings.refresh_seconds:g}",
            "DASHBOARD_MAX_ROWS": str(settings.max_rows),
            "DASHBOARD_HIGH_TICKET": f"{settings.high_ticket_cents / 100:.2f}",
            "DASHBOARD_HOST": settings.host,
            "DASHBOARD_READ_ONLY": "1" if settings.read_only else "0",
        }
        | settings.security.environment()
    )


def _common_flags(parser: argparse.ArgumentParser, settings: Settings) -> None:
    cli.add_kafka_flags(parser, settings)
    parser.add_argument("--port", type=cli.port, default=8501, help="porta do dashboard")
    parser.add_argument(
        "--host", type=cli.host, default=settings.host,
        help=f"endereço em que o dashboard escuta (padrão {settings.host}: só esta máquina)",
    )  # fmt: skip
    parser.add_argument("--max-rows", type=cli.positive_int, default=settings.max_rows)
    parser.add_argument("--refresh", type=cli.positive_number, default=settings.refresh_seconds)
    parser.add_argument(
        "--read-only", action="store_true", default=settings.read_only,
        help="esconde toda ação que escreve no tópico (DASHBOARD_READ_ONLY=1)",
    )  # fmt: skip


def _with_flags(settings: Settings, args: argparse.Namespace) -> Settings:
    return replace(
        settings, bootstrap_servers=args.bootstrap_server, topic=args.topic,
        max_rows=args.max_rows, refresh_seconds=args.refresh, host=args.host,
        read_only=args.read_only,
    )  # fmt: skip


def dashboard_main(argv: list[str] | None = None) -> int:
    settings = settings_or_exit()
    parser = cli.Parser(prog="dashboard", description="O dashboard Streamlit.")
    _common_flags(parser, settings)
    args = parser.parse_args(argv)
    settings = _with_flags(settings, args)
    stop = stop_on_signals()
    # the dashboard dies with this command, even by SIGKILL: no Streamlit left behind
    child = subprocess.Popen(
        streamlit_command(args.port, settings.host), env=dashboard_env(settings),
        preexec_fn=child_dies_with_parent,
    )  # fmt: skip
    wait_for_stop(stop, lambda: None if child.poll() is None else "dashboard")
    if child.poll() is None:
        child.terminate()
        try:
            child.wait(timeout=15)
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()
    return 0 if stop.is_set() else child.returncode


class DemoError(RuntimeError):
    """A piece of the demo did not come up."""


def _local_port(bootstrap: str) -> int | None:
    """The port of a single loopback address, where an embedded broker can stand in."""
    host, _, port = bootstrap.strip().rpartition(":")
    if host in ("localhost", "127.0.0.1") and port.isdigit():
        return int(port)
    return None


def reachable_host(host: str) -> str:
    """Where this machine reaches a server listening on `host` (a wildcard: loopback)."""
    return "127.0.0.1" if host in ("", "0.0.0.0", "::") else host


def browser_host(host: str) -> str:
    """The address to open in a browser on this machine."""
    reached = reachable_host(host)
    return "localhost" if is_loopback(reached) else reached


def wait_healthy(
    port: int, process: subprocess.Popen, host: str = "127.0.0.1", timeout=HEALTH_TIMEOUT_S
) -> bool:
    deadline = time.monotonic() + timeout
    url = f"http://{reachable_host(host)}:{port}/_stcore/health"
    while time.monotonic() < deadline and process.poll() is None:
        try:
            with urllib.request.urlopen(url, timeout=1):
                return True
        except OSError:
            time.sleep(0.2)
    return False


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
            [sys.executable, "-m", "sales_monitor.producer", "--quiet",
             "--bootstrap-server", self.settings.bootstrap_servers,
             "--topic", self.settings.topic, *self.producer_args],
        )  # fmt: skip
        if port_is_open("127.0.0.1", self.port):
            print(f"A porta {self.port} está ocupada; usando outra.", flush=True)
            self.port = free_port()
        self.children["dashboard"] = self._spawn(
            streamlit_command(self.port, self.settings.host), stdout=subprocess.DEVNULL
        )
        if not wait_healthy(self.port, self.children["dashboard"], self.settings.host):
            raise DemoError("o dashboard não respondeu; veja as mensagens acima")

    def _broker(self) -> None:
        connection = self.settings.connection
        bootstrap = connection.bootstrap_servers
        try:
            probe(connection)
            print(f"Usando o broker Kafka que já responde em {bootstrap}.", flush=True)
            return
        except BrokerUnavailable:
            # the embedded broker speaks plaintext only: never in place of a secured cluster
            port = None if connection.secured else _local_port(bootstrap)
            if port is None:
                raise
        self.broker = EmbeddedBroker(port).start()
        print(f"Broker embutido (Tansu, em memória) em {self.broker.bootstrap}.", flush=True)

    def _spawn(self, command: list[str], **kwargs) -> subprocess.Popen:
        return subprocess.Popen(
            command, env=dashboard_env(self.settings), stdin=subprocess.DEVNULL,
            preexec_fn=child_dies_with_parent, **kwargs,
        )  # fmt: skip

    def exited(self) -> str | None:
        """The name of a piece that stopped by itself, if any."""
        for name, child in self.children.items():
            if child.poll() is not None:
                return name
        if self.broker is not None and not self.broker.running():
            return "broker"
        return None

    def stop(self) -> None:
        for child in self.children.values():
            if child.poll() is None:
                child.terminate()
        for child in self.children.values():
            try:
                child.wait(timeout=15)
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait()
        if self.broker is not None:
            self.broker.stop()


def demo_main(argv: list[str] | None = None) -> int:
    settings = settings_or_exit()
    parser = cli.Parser(prog="demo", description="Broker + produtor + dashboard.")
    _common_flags(parser, settings)
    pacing = parser.add_mutually_exclusive_group()
    pacing.add_argument(
        "--interval", type=cli.seconds, default=1.0, help="segundos entre vendas (padrão 1)"
    )
    pacing.add_argument("--rate", type=cli.positive_number, help="vendas por segundo, em lotes")
    args = parser.parse_args(argv)  # every flag checked before anything starts
    pace = ["--rate", repr(args.rate)] if args.rate else ["--interval", repr(args.interval)]
    stop = stop_on_signals()
    demo = Demo(_with_flags(settings, args), args.port, pace)
    try:
        demo.start()
        url = f"http://{browser_host(demo.settings.host)}:{demo.port}"
        print(f"\nDashboard: {url}  (Ctrl-C para parar tudo)\n", flush=True)
        if (name := wait_for_stop(stop, demo.exited)) is not None:
            print(f"Erro: o {name} parou sozinho; encerrando o demo.", file=sys.stderr)
            return 1
    except (BrokerError, BrokerUnavailable, DemoError) as error:
        print(f"Erro: {error}", file=sys.stderr)
        return 1
    finally:
        demo.stop()
    print("Demo encerrado.", flush=True)
    return 0
