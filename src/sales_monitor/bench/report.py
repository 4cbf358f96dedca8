"""Benchmark figures and their table: medians with min and max, ours beside the original."""

from __future__ import annotations

import os
import platform
import statistics
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class Figure:
    name: str
    unit: str
    target: str = ""
    meets: Callable[[float], bool] | None = None
    note: str = ""
    ours: list[float] = field(default_factory=list)
    original: list[float] = field(default_factory=list)

    def gain(self) -> float | None:
        """How many times better ours is: higher rates, or lower times and sizes."""
        if not (self.ours and self.original):
            return None
        ours, original = statistics.median(self.ours), statistics.median(self.original)
        return ours / original if self.unit.endswith("/s") else original / ours

    def row(self) -> dict:
        met = None
        if self.meets is not None and self.ours:
            met = bool(self.meets(statistics.median(self.ours)))
        return {
            "figure": self.name, "unit": self.unit, "ours": spread(self.ours),
            "original": spread(self.original), "gain": self.gain(), "target": self.target,
            "met": met, "note": self.note,
        }  # fmt: skip


def spread(values: list[float]) -> dict | None:
    if not values:
        return None
    return {
        "median": statistics.median(values), "min": min(values), "max": max(values),
        "runs": len(values),
    }  # fmt: skip


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
        "| figure | ours | original design | gain | target | met |",
        "|---|---|---|---|---|---|",
    ]
    lines += [_markdown_row(row) for row in rows]
    return "\n".join(lines) + "\n"


def _markdown_row(row: dict) -> str:
    met = {True: "yes", False: "**no**", None: ""}[row["met"]]
    gain = f"{row['gain']:.1f}×" if row["gain"] else ""
    name = row["figure"] + (f" ({row['note']})" if row["note"] else "")
    ours, original = _cell(row["ours"], row["unit"]), _cell(row["original"], row["unit"])
    return f"| {name} | {ours} | {original} | {gain} | {row['target']} | {met} |"


def _cell(values: dict | None, unit: str) -> str:
    if values is None:
        return "—"
    median = values["median"]
    digits = 0 if median >= 100 else 1 if median >= 10 else 2
    low, high = (f"{values[k]:,.{digits}f}" for k in ("min", "max"))
    return f"{median:,.{digits}f} {unit} ({low}–{high})"
