"""Configuration, read once from the environment into a frozen object.

Command-line flags override it with `dataclasses.replace`; nothing else in the
package reads `os.environ`.
"""

from __future__ import annotations

import math
import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from sales_monitor.access import Role, parse_roles
from sales_monitor.analysis.places import STATES
from sales_monitor.errors import SecurityError, SettingsError
from sales_monitor.kafka.connection import Connection
from sales_monitor.targets import MAX_TARGET_CENTS, PERIODS, Targets

DEFAULT_BOOTSTRAP = "localhost:9092"
DEFAULT_TOPIC = "csv-data"
DEFAULT_HOST = "127.0.0.1"  # the dashboard shows customer data with no login: loopback only
LOOPBACK = {"127.0.0.1", "localhost", "::1"}
HOST = re.compile(r"[A-Za-z0-9.:_-]+")  # a name, an IPv4 or an IPv6 address to listen on
# batch compression for what the project writes (readers decode them all)
CODECS = ("none", "gzip", "snappy", "lz4", "zstd")
_YES, _NO = {"1", "true", "sim", "yes"}, {"0", "false", "nao", "não", "no"}


ENGINES = ("tansu", "kafka")
MAVEN_CENTRAL = "https://repo1.maven.org/maven2"


def _user_folder(kind: str) -> Path:
    import platformdirs

    finder = platformdirs.user_data_dir if kind == "data" else platformdirs.user_cache_dir
    return Path(finder("sales-monitor", appauthor=False))


@dataclass(frozen=True, slots=True)
class Embedded:
    """The broker the project starts by itself where none answers."""

    engine: str | None = None  # "tansu" or "kafka"; None: Tansu where its wheel exists
    data_dir: Path = field(default_factory=lambda: _user_folder("data"))  # Kafka's log
    cache_dir: Path = field(default_factory=lambda: _user_folder("cache"))  # Kafka's jars
    maven_url: str = MAVEN_CENTRAL  # a mirror of Maven Central, if need be
    tansu_allowed: bool = True  # SALES_MONITOR_NO_TANSU=1: as on a machine without it

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> Embedded:
        engine = (env.get("SALES_MONITOR_BROKER") or "").strip().lower() or None
        if engine is not None and engine not in ENGINES:
            raise SettingsError(
                f"SALES_MONITOR_BROKER={env['SALES_MONITOR_BROKER']!r} não é um broker "
                f"conhecido (use {' ou '.join(ENGINES)})"
            )
        data, cache = env.get("SALES_MONITOR_DATA_DIR"), env.get("SALES_MONITOR_CACHE_DIR")
        return cls(
            engine=engine,
            data_dir=Path(data) if data else _user_folder("data"),
            cache_dir=Path(cache) if cache else _user_folder("cache"),
            maven_url=env.get("SALES_MONITOR_MAVEN_URL") or MAVEN_CENTRAL,
            tansu_allowed=not _flag(env, "SALES_MONITOR_NO_TANSU"),
        )


LOG_FORMATS = ("text", "json")
ALERT_URL = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://\S*")  # a scheme, then anything


@dataclass(frozen=True, slots=True)
class Operations:
    """How the dashboard server is watched: its metrics port, where alerts go, and when."""

    metrics_port: int | None = None  # /metrics, /healthz, /readyz; None: not served
    alert_urls: tuple[str, ...] = ()  # Apprise URLs; secrets inside: never printed
    stall_minutes: float = 10.0  # no sale reaching the table this long, after some did
    outage_seconds: float = 60.0  # Kafka unreachable (or the reader failing) this long
    group_seconds: float = 30.0  # high-ticket sales within this go out as one message
    hour_share: float | None = None  # the last hour below this share of yesterday's
    log_format: str = "text"  # or "json": one event per line

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> Operations:
        port = env.get("DASHBOARD_METRICS_PORT")
        share = env.get("DASHBOARD_ALERT_HOUR_SHARE")
        log_format = (env.get("SALES_MONITOR_LOG_FORMAT") or "text").strip().lower()
        if log_format not in LOG_FORMATS:
            raise SettingsError(
                f"SALES_MONITOR_LOG_FORMAT={env['SALES_MONITOR_LOG_FORMAT']!r} deve ser "
                f"{' ou '.join(LOG_FORMATS)}"
            )
        return cls(
            metrics_port=_port(env, "DASHBOARD_METRICS_PORT") if port else None,
            alert_urls=alert_urls(env.get("DASHBOARD_ALERT_URLS") or ""),
            stall_minutes=_number(env, "DASHBOARD_ALERT_STALL_MINUTES", 10.0, float, minimum=0.1),
            outage_seconds=_number(env, "DASHBOARD_ALERT_OUTAGE_SECONDS", 60.0, float, minimum=1),
            group_seconds=_number(env, "DASHBOARD_ALERT_GROUP_SECONDS", 30.0, float, minimum=0),
            hour_share=_share(env, "DASHBOARD_ALERT_HOUR_SHARE") if share else None,
            log_format=log_format,
        )

    def environment(self) -> dict[str, str]:
        """These settings as the environment hands them to a child process."""
        found = {
            "DASHBOARD_ALERT_URLS": " ".join(self.alert_urls),
            "DASHBOARD_ALERT_STALL_MINUTES": f"{self.stall_minutes:g}",
            "DASHBOARD_ALERT_OUTAGE_SECONDS": f"{self.outage_seconds:g}",
            "DASHBOARD_ALERT_GROUP_SECONDS": f"{self.group_seconds:g}",
            "SALES_MONITOR_LOG_FORMAT": self.log_format,
        }
        if self.metrics_port is not None:
            found["DASHBOARD_METRICS_PORT"] = str(self.metrics_port)
        if self.hour_share is not None:
            found["DASHBOARD_ALERT_HOUR_SHARE"] = f"{self.hour_share:g}"
        return found


def alert_urls(text: str, source: str = "DASHBOARD_ALERT_URLS") -> tuple[str, ...]:
    """Apprise URLs separated by spaces; each checked for its form here (`scheme://…`),
    and by Apprise itself before a command starts (`ops.notify.check_urls`)."""
    urls = tuple(text.split())
    for url in urls:
        if not ALERT_URL.fullmatch(url):
            raise SettingsError(
                f"{source}: {secretless(url)!r} não é uma URL de alerta "
                "(ex.: tgram://token/chat, mailto://…, json://host:porta/caminho)"
            )
    return urls


def secretless(url: str) -> str:
    """An alert URL as it may be shown: its scheme only (tokens and passwords live in the
    rest)."""
    scheme, found, _ = url.partition("://")
    return f"{scheme}://…" if found else url[:3] + "…"


@dataclass(frozen=True, slots=True)
class Access:
    """Who may use a dashboard shared beyond this machine (the login is Streamlit's own,
    configured in `.streamlit/secrets.toml`)."""

    roles: tuple[tuple[str, Role], ...] = ()  # (e-mail or @domain, role)
    unprotected: bool = False  # beyond loopback with no login, because the person said so

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> Access:
        try:
            roles = parse_roles(env.get("DASHBOARD_ROLES") or "")
        except ValueError as error:
            raise SettingsError(f"DASHBOARD_ROLES: {error}") from None
        return cls(roles=roles, unprotected=_flag(env, "DASHBOARD_UNPROTECTED"))

    def environment(self) -> dict[str, str]:
        return {
            "DASHBOARD_ROLES": "; ".join(f"{who}={role.name.lower()}" for who, role in self.roles),
            "DASHBOARD_UNPROTECTED": "1" if self.unprotected else "0",
        }


@dataclass(frozen=True, slots=True)
class Settings:
    # what every Kafka client is built from: the address with protocol, SASL and TLS
    connection: Connection = Connection(DEFAULT_BOOTSTRAP)
    topic: str = DEFAULT_TOPIC
    refresh_seconds: float = 3.0
    max_rows: int = 1_000_000
    high_ticket_cents: int = 180_000
    host: str = DEFAULT_HOST  # where the dashboard listens
    read_only: bool = False  # hide every action that writes to the topic
    compression: str = "none"  # how the project's writers compress their batches
    embedded: Embedded = field(default_factory=Embedded)
    targets: Targets = Targets()  # until someone sets others on the page
    operations: Operations = Operations()
    access: Access = Access()

    @property
    def targets_file(self) -> Path:
        """Where the targets set on the page are kept."""
        return self.embedded.data_dir / "metas.json"

    @property
    def audit_file(self) -> Path:
        """Where the dashboard's audit trail is kept."""
        return self.embedded.data_dir / "auditoria.log"

    @property
    def bootstrap_servers(self) -> str:
        return self.connection.bootstrap_servers

    def with_address(self, bootstrap_servers: str) -> Settings:
        """The same settings at another address (a flag's), security kept."""
        connection = replace(self.connection, bootstrap_servers=bootstrap_servers)
        return replace(self, connection=connection)

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if env is None else env
        bootstrap = env.get("KAFKA_BOOTSTRAP_SERVERS") or DEFAULT_BOOTSTRAP
        try:
            connection = Connection.from_env(bootstrap, env)
        except SecurityError as error:
            raise SettingsError(str(error)) from None
        return cls(
            connection=connection,
            topic=env.get("KAFKA_TOPIC") or DEFAULT_TOPIC,
            refresh_seconds=_number(env, "DASHBOARD_REFRESH_SECONDS", 3.0, float, minimum=0.5),
            max_rows=_number(env, "DASHBOARD_MAX_ROWS", 1_000_000, int, minimum=1),
            high_ticket_cents=round(
                _number(env, "DASHBOARD_HIGH_TICKET", 1800.0, float, minimum=0) * 100
            ),
            host=_host(env.get("DASHBOARD_HOST") or DEFAULT_HOST),
            read_only=_flag(env, "DASHBOARD_READ_ONLY"),
            compression=_codec(env.get("KAFKA_COMPRESSION_TYPE") or "none"),
            embedded=Embedded.from_env(env),
            targets=Targets.of_periods(
                {period: _target(env, f"DASHBOARD_TARGET_{period.upper()}") for period in PERIODS}
            ).with_states(_state_targets(env.get("DASHBOARD_TARGET_STATES") or "")),
            operations=Operations.from_env(env),
            access=Access.from_env(env),
        )


def _number(
    env: Mapping[str, str], name: str, default: Any, kind: Callable[[str], Any], *, minimum: float
) -> Any:
    raw = env.get(name)
    if not raw:
        return default
    kind_name = "inteiro" if kind is int else "número"
    shown = repr(raw) if len(raw) <= 40 else repr(raw[:40] + "…")
    try:
        value = kind(raw)
    except ValueError:
        raise SettingsError(f"{name}={shown} não é um {kind_name} válido") from None
    if not math.isfinite(value):  # float() reads "nan" and "inf"
        raise SettingsError(f"{name}={shown} não é um {kind_name} finito")
    if value < minimum:
        raise SettingsError(f"{name}={shown} deve ser pelo menos {minimum:g}")
    return value


def _target(env: Mapping[str, str], name: str) -> int | None:
    """A target in reais (`50000`, `50000.50`) as cents; unset or 0: no target."""
    reais = _number(env, name, 0.0, float, minimum=0)
    if reais * 100 > MAX_TARGET_CENTS:
        raise SettingsError(f"{name} acima do maior valor aceito (R$ 100 bilhões)")
    return round(reais * 100) or None


def _state_targets(text: str) -> dict[str, int]:
    """`SP=20000;RJ=15000,50` (reais, `;` between states) as each UF's day target in cents."""
    name = "DASHBOARD_TARGET_STATES"
    found = {}
    for part in filter(None, (piece.strip() for piece in text.split(";"))):
        uf, equals, reais = (piece.strip() for piece in part.partition("="))
        if not equals or uf.upper() not in STATES:
            raise SettingsError(f"{name}: {part[:40]!r} não é UF=valor (por exemplo SP=20000)")
        key = f"{name}[{uf.upper()}]"
        if cents := _target({key: reais.replace(",", ".")}, key):
            found[uf.upper()] = cents
    return found


def _port(env: Mapping[str, str], name: str) -> int:
    raw = env[name].strip()
    if not (raw.isascii() and raw.isdigit()) or not 0 < int(raw) < 65536:
        raise SettingsError(f"{name}={env[name][:40]!r} não é uma porta (use 1 a 65535)")
    return int(raw)


def _share(env: Mapping[str, str], name: str) -> float:
    share = _number(env, name, 0.0, float, minimum=0)
    if not 0 < share <= 1:
        raise SettingsError(f"{name}={env[name][:40]!r} deve ser uma fração entre 0 e 1 (ex.: 0.5)")
    return share


def _flag(env: Mapping[str, str], name: str) -> bool:
    raw = (env.get(name) or "0").strip().lower()
    if raw in _YES | _NO:
        return raw in _YES
    raise SettingsError(f"{name}={raw!r} deve ser 1 (sim) ou 0 (não)")


def _codec(text: str) -> str:
    codec = text.strip().lower()
    if codec not in CODECS:
        raise SettingsError(
            f"KAFKA_COMPRESSION_TYPE={text!r} não é uma compressão conhecida "
            f"(use {', '.join(CODECS)})"
        )
    return codec


def _host(text: str) -> str:
    host = text.strip()
    if not HOST.fullmatch(host):
        raise SettingsError(
            f"DASHBOARD_HOST={text!r} não é um endereço (ex.: 127.0.0.1 ou 0.0.0.0)"
        )
    return host


def is_loopback(host: str) -> bool:
    """Whether only this machine can reach an address (an empty one means every interface)."""
    return host.strip().lower() in LOOPBACK or host.startswith("127.")
