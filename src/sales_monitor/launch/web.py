"""The dashboard's web server as a child process: its Streamlit command line, the
environment that hands it the settings, and starting it (`start_dashboard`: a busy port is
replaced the same way for `dashboard` and `demo`)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterable
from pathlib import Path

from sales_monitor import children
from sales_monitor.brokers.ports import free_port, port_is_open
from sales_monitor.errors import StartupError
from sales_monitor.settings import Settings, is_loopback

# the package's own entry point, so an installed wheel can launch the app
DASHBOARD = Path(__file__).resolve().parent.parent / "ui" / "app.py"
HEALTH_TIMEOUT_S = 30.0


# What an idle server spent its CPU on (py-spy, one tab, nothing arriving): a full garbage
# collection after every rerun of every tab (a fifth of it, and more with a bigger table)
# and polling the app's source files for changes (a tenth). Neither serves a running app.
IDLE_FLAGS = ["--runner.postScriptGC", "false", "--server.fileWatcherType", "none"]


def streamlit_command(port: int, host: str) -> list[str]:
    """`streamlit run` through `ui.server`, which starts the consumer with the server.
    Headless: no browser launch and no first-run e-mail prompt, which would block here."""
    return [
        sys.executable,
        "-m",
        "sales_monitor.ui.server",
        str(DASHBOARD),
        "--server.port",
        str(port),
        "--server.address",
        host,
        "--server.headless",
        "true",
        "--browser.gatherUsageStats",
        "false",
        "--logger.level",
        "warning",
        "--client.toolbarMode",
        "minimal",
        "--client.showErrorDetails",
        "none",
        *IDLE_FLAGS,
    ]


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
            "KAFKA_COMPRESSION_TYPE": settings.compression,
            # where the targets file and Kafka's log live: the command's folders, not each
            # child's own guess
            "SALES_MONITOR_DATA_DIR": str(settings.embedded.data_dir),
            "SALES_MONITOR_CACHE_DIR": str(settings.embedded.cache_dir),
        }
        | {
            f"DASHBOARD_TARGET_{name}": f"{cents / 100:.2f}"
            for name, cents in (
                ("DAY", settings.targets.day),
                ("WEEK", settings.targets.week),
                ("MONTH", settings.targets.month),
            )
            if cents
        }
        | {
            "DASHBOARD_TARGET_STATES": ";".join(
                f"{uf}={cents / 100:.2f}" for uf, cents in settings.targets.states
            )
        }
        | settings.operations.environment()
        | settings.access.environment()
        | settings.connection.environment()
    )


def login_configured(folder: Path | None = None) -> bool:
    """Whether Streamlit's login is configured: an `[auth]` section in the secrets files
    Streamlit reads (`.streamlit/secrets.toml` here, then in the home folder)."""
    import tomllib

    for secrets in ((folder or Path.cwd()) / ".streamlit", Path.home() / ".streamlit"):
        try:
            found = tomllib.loads((secrets / "secrets.toml").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if isinstance(found.get("auth"), dict):
            return True
    return False


def reachable_host(host: str) -> str:
    """Where this machine reaches a server listening on `host` (a wildcard: loopback)."""
    return "127.0.0.1" if host in ("", "0.0.0.0", "::") else host


def browser_host(host: str) -> str:
    """The address to open in a browser on this machine."""
    reached = reachable_host(host)
    return "localhost" if is_loopback(reached) else reached


def local_port(bootstrap: str) -> int | None:
    """The port of a single loopback address, where an embedded broker can stand in."""
    host, _, port = bootstrap.strip().rpartition(":")
    if host in ("localhost", "127.0.0.1") and port.isdigit():
        return int(port)
    return None


def dashboard_port(port: int, host: str) -> int:
    """`port`, or a free one when something already listens there (said in one line)."""
    if not port_is_open(reachable_host(host), port):
        return port
    chosen = free_port()
    print(f"A porta {port} está ocupada; o dashboard usa a porta {chosen}.", flush=True)
    return chosen


def start_dashboard(settings: Settings, port: int) -> tuple[subprocess.Popen, int]:
    """The Streamlit server on `port` (or a free one), once it answers, and its port. Its
    standard output (an English banner) is dropped: the command prints its own line; its
    errors still show. It dies with this process, even by SIGKILL. Raises StartupError."""
    port = dashboard_port(port, settings.host)
    child = children.spawn(
        streamlit_command(port, settings.host),
        env=dashboard_env(settings),
        stdout=subprocess.DEVNULL,
    )
    if not wait_healthy(port, child, settings.host):
        stop_children([child])
        raise StartupError(
            f"o dashboard não respondeu na porta {port} em {HEALTH_TIMEOUT_S:g} s; "
            "veja as mensagens acima"
        )
    return child, port


def stop_children(running: Iterable[subprocess.Popen]) -> None:
    """Ask each to stop at once, then wait (15 s each at most, then kill)."""
    running = list(running)
    for child in running:
        if child.poll() is None:
            child.terminate()
    for child in running:
        children.stop(child, timeout=15)


def wait_healthy(
    port: int,
    process: subprocess.Popen,
    host: str = "127.0.0.1",
    timeout: float = HEALTH_TIMEOUT_S,
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
