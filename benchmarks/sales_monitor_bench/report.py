"""Benchmark figures and their table: medians with min and max, ours beside the original
design and beside the bare Kafka client's own limit, measured in the same run."""

from __future__ import annotations

import os
import platform
import statistics
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class Figure:
    """One measured quantity. With `limit` (the bare client's figure, one per run, each
    measured next to ours), the target judges `of_limit`; otherwise the median of ours."""

    name: str
    unit: str
    target: str = ""
    meets: Callable[[float], bool] | None = None
    note: str = ""
    ours: list[float] = field(default_factory=list)
    original: list[float] = field(default_factory=list)
    limit: list[float] = field(default_factory=list)

    def gain(self) -> float | None:
        """How many times better ours is: higher rates, or lower times and sizes."""
        if not (self.ours and self.original):
            return None
        ours, original = statistics.median(self.ours), statistics.median(self.original)
        return ours / original if is_rate(self.unit) else original / ours

    def of_limit(self) -> float | None:
        """The median over runs of ours ÷ the client's limit in the same run: a fraction
        of the client's rate, or a multiple of the client's time."""
        if not (self.ours and self.limit):
            return None
        return statistics.median(o / b for o, b in zip(self.ours, self.limit, strict=True))

    def row(self) -> dict:
        if self.limit:
            judged = self.of_limit()
        else:
            judged = statistics.median(self.ours) if self.ours else None
        met = None if self.meets is None or judged is None else bool(self.meets(judged))
        return {
            "figure": self.name,
            "unit": self.unit,
            "ours": spread(self.ours),
            "limit": spread(self.limit),
            "of_limit": self.of_limit(),
            "original": spread(self.original),
            "gain": self.gain(),
            "target": self.target,
            "met": met,
            "note": self.note,
        }


def is_rate(unit: str) -> bool:
    """Rates are better higher; times and sizes, lower."""
    return unit.endswith("/s")


def spread(values: list[float]) -> dict | None:
    if not values:
        return None
    return {
        "median": statistics.median(values),
        "min": min(values),
        "max": max(values),
        "runs": len(values),
    }


def machine() -> str:
    cpu = "unknown CPU"
    try:
        models = [
            line for line in Path("/proc/cpuinfo").read_text().splitlines() if "model name" in line
        ]
        cpu = models[0].split(":", 1)[1].strip() if models else cpu
    except OSError:
        pass
    return f"{os.cpu_count()} cores, {cpu}, Python {platform.python_version()}, {platform.system()}"


def markdown(rows: list[dict], mode: str, when: str) -> str:
    lines = [
        f"Benchmark ({mode}), {when}, on {machine()}. Median (min–max) of the runs.",
        "",
        "| figure | ours | client limit | of limit | original design | gain | target | met |",
        "|---|---|---|---|---|---|---|---|",
    ]
    lines += [_markdown_row(row) for row in rows]
    return "\n".join(lines) + "\n"


def _markdown_row(row: dict) -> str:
    met = {True: "yes", False: "**no**", None: ""}[row["met"]]
    gain = f"{row['gain']:.1f}×" if row["gain"] else ""
    name = row["figure"] + (f" ({row['note']})" if row["note"] else "")
    ours, original = _cell(row["ours"], row["unit"]), _cell(row["original"], row["unit"])
    limit, of_limit = _cell(row.get("limit"), row["unit"]), _share(row.get("of_limit"), row["unit"])
    return (
        f"| {name} | {ours} | {limit} | {of_limit} | {original} | {gain} | {row['target']} "
        f"| {met} |"
    )


def _share(value: float | None, unit: str) -> str:
    """A rate as a percentage of the client's, a time as a multiple of the client's."""
    if value is None:
        return ""
    return f"{value:.0%}" if is_rate(unit) else f"{value:.2f}×"


def _cell(values: dict | None, unit: str) -> str:
    if values is None:
        return "—"
    median = values["median"]
    digits = 0 if median >= 100 else 1 if median >= 10 else 2
    low, high = (f"{values[k]:,.{digits}f}" for k in ("min", "max"))
    return f"{median:,.{digits}f} {unit} ({low}–{high})"
