"""Configuration, read once from the environment into a frozen object.

Command-line flags override it with `dataclasses.replace`; nothing else in the
package reads `os.environ`.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from dataclasses import dataclass

DEFAULT_BOOTSTRAP = "localhost:9092"
DEFAULT_TOPIC = "csv-data"


class SettingsError(ValueError):
    """A setting from the environment has a value we cannot use."""


@dataclass(frozen=True, slots=True)
class Settings:
    bootstrap_servers: str = DEFAULT_BOOTSTRAP
    topic: str = DEFAULT_TOPIC
    refresh_seconds: float = 3.0
    max_rows: int = 1_000_000
    high_ticket_cents: int = 180_000

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if env is None else env
        return cls(
            bootstrap_servers=env.get("KAFKA_BOOTSTRAP_SERVERS") or DEFAULT_BOOTSTRAP,
            topic=env.get("KAFKA_TOPIC") or DEFAULT_TOPIC,
            refresh_seconds=_number(env, "DASHBOARD_REFRESH_SECONDS", 3.0, float, minimum=0.5),
            max_rows=_number(env, "DASHBOARD_MAX_ROWS", 1_000_000, int, minimum=1),
            high_ticket_cents=round(
                _number(env, "DASHBOARD_HIGH_TICKET", 1800.0, float, minimum=0) * 100
            ),
        )


def settings_or_exit() -> Settings:
    """For commands: the settings, or one line on stderr and exit status 2."""
    try:
        return Settings.from_env()
    except SettingsError as error:
        print(f"Erro: {error}", file=sys.stderr)
        raise SystemExit(2) from None


def _number(env: Mapping[str, str], name: str, default, kind, *, minimum):
    raw = env.get(name)
    if not raw:
        return default
    try:
        value = kind(raw)
    except ValueError:
        kind_name = "inteiro" if kind is int else "número"
        raise SettingsError(f"{name}={raw!r} não é um {kind_name} válido") from None
    if value < minimum:
        raise SettingsError(f"{name}={raw!r} deve ser pelo menos {minimum:g}")
    return value
