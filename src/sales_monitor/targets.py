"""Sales targets (metas) for the day, the week and the month, and a day's target for each
state (UF) that has one, in cents.

A person with write rights sets them on the Painel; they are kept in a small JSON file in
the user's data folder (`metas.json`), written whole and renamed into place, so a restart of
the dashboard keeps them and a crash mid-write never leaves half a file. A file, not a
topic: a target belongs to the dashboard that shows it, needs no rights on the cluster, and
is read in microseconds at every refresh. `DASHBOARD_TARGET_DAY`, `_WEEK` and `_MONTH` give
the targets until someone sets others on the page, and `DASHBOARD_TARGET_STATES`
(`SP=20000;RJ=15000`) the states'.
"""

from __future__ import annotations

import functools
import json
import logging
import os
from collections.abc import Mapping
from dataclasses import asdict, dataclass, replace
from pathlib import Path

from sales_monitor.analysis.places import STATES

PERIODS = ("day", "week", "month")
MAX_TARGET_CENTS = 10_000_000_000_000  # R$ 100 bilhões, the contract's largest sale

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Targets:
    day: int | None = None
    week: int | None = None
    month: int | None = None
    states: tuple[tuple[str, int], ...] = ()  # (UF, the day's target), in UF order

    @property
    def set(self) -> dict[str, int]:
        """The periods that have a target, with it."""
        return {name: cents for name in PERIODS if (cents := getattr(self, name))}

    @classmethod
    def of_periods(cls, targets: Mapping[str, int | None]) -> Targets:
        """Targets from the periods' (`day`, `week`, `month`) cents; 0 or None: no target."""
        day, week, month = (targets.get(name) or None for name in PERIODS)
        return cls(day, week, month)

    def with_states(self, chosen: Mapping[str, object]) -> Targets:
        """These targets, with these states' day targets instead (anything that is not a
        UF and a valid target left out)."""
        kept = {
            uf: cents for uf, value in chosen.items() if uf in STATES and (cents := _cents(value))
        }
        return replace(self, states=tuple(sorted(kept.items())))


def load(path: Path, fallback: Targets) -> Targets:
    """The targets saved on the page, or `fallback` (the settings') where none were saved
    or the file cannot be read (then logged, never raised: the page still draws)."""
    try:
        saved = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return fallback
    except (OSError, ValueError) as error:
        log.warning("metas em %s ilegíveis (%s); valem as da configuração", path, error)
        return fallback
    return _from_saved(saved, fallback)


def _from_saved(saved: object, fallback: Targets) -> Targets:
    if not isinstance(saved, dict):
        return fallback
    states = saved.get("states")
    periods = Targets.of_periods({name: _cents(saved.get(name)) for name in PERIODS})
    return periods.with_states(states if isinstance(states, dict) else {})


def current(path: Path, fallback: Targets) -> Targets:
    """`load` for every tab at every refresh: the file's bytes are read, and parsed again
    only when they changed."""
    try:
        return _parsed(path.read_bytes(), fallback, str(path))
    except OSError:
        return load(path, fallback)  # missing or unreadable: it says which


@functools.lru_cache(maxsize=8)
def _parsed(data: bytes, fallback: Targets, where: str) -> Targets:
    try:
        saved = json.loads(data)
    except ValueError as error:
        log.warning("metas em %s ilegíveis (%s); valem as da configuração", where, error)
        return fallback
    return _from_saved(saved, fallback)


def save(path: Path, targets: Targets) -> None:
    """Written to a temporary file beside it, then renamed over it: whole or not at all."""
    path.parent.mkdir(parents=True, exist_ok=True)
    part = path.with_name(path.name + ".part")
    saved = asdict(targets) | {"states": dict(targets.states)}
    part.write_text(json.dumps(saved), encoding="utf-8")
    os.replace(part, path)


def _cents(value: object) -> int | None:
    if type(value) is int and 0 < value <= MAX_TARGET_CENTS:
        return value
    return None
