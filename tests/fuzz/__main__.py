"""Fuzz every target in turn: `uv run python -m tests.fuzz [--seconds 60] [--only NAME]`.

New inputs go to build/fuzz/ (ignored), never into the committed seeds; a crash stops the
run with exit status 1 and the input's path, to be kept in `crashes/<target>/`.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

from tests.fuzz.targets import TARGETS

HERE = Path(__file__).parent
BUILD = HERE.parents[1] / "build" / "fuzz"


def fuzz(name: str, seconds: int) -> int:
    found, crashes = BUILD / "corpus" / name, BUILD / "crashes"
    found.mkdir(parents=True, exist_ok=True)
    crashes.mkdir(parents=True, exist_ok=True)
    seeds = [str(HERE / folder / name) for folder in ("corpus", "crashes")]
    command = [
        sys.executable,
        "-m",
        "tests.fuzz.one",
        name,
        f"-max_total_time={seconds}",
        "-timeout=10",
        "-rss_limit_mb=2048",
        f"-artifact_prefix={crashes}/{name}-",
        f"-dict={HERE / 'json.dict'}",
        "-print_final_stats=1",
        str(found),
        *[s for s in seeds if Path(s).is_dir()],
    ]
    run = subprocess.run(command, capture_output=True, text=True)
    stats = [line for line in run.stderr.splitlines() if line.startswith(("stat::", "#"))]
    runs = next((line.split()[-1] for line in stats if "number_of_executed_units" in line), "?")
    print(f"fuzz {name}: {runs} entradas em {seconds} s, status {run.returncode}")
    if run.returncode != 0:
        print(run.stderr[-4000:], file=sys.stderr)
    return run.returncode


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.fuzz")
    parser.add_argument("--seconds", type=int, default=60, help="in all, split over targets")
    parser.add_argument("--only", choices=sorted(TARGETS), action="append")
    args = parser.parse_args()
    names = args.only or list(TARGETS)
    each = max(1, args.seconds // len(names))
    failed = [name for name in names if fuzz(name, each) != 0]
    if failed:
        print(f"Erro: o fuzzing achou falhas em {', '.join(failed)} (entradas em {BUILD}/crashes)")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
