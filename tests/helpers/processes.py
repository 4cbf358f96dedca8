"""Commands a test starts, and what a command left running: its child processes, found
through /proc (Linux)."""

import subprocess
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def started_commands() -> Iterator[Callable[..., subprocess.Popen]]:
    """A way to start commands, their output captured as text; on the way out, whatever the
    test asserted, none is left running."""
    started: list[subprocess.Popen] = []

    def start(command: list[str], env: Mapping[str, str] | None = None) -> subprocess.Popen:
        process = subprocess.Popen(
            command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env
        )
        started.append(process)
        return process

    try:
        yield start
    finally:
        for process in started:
            if process.poll() is None:
                process.kill()
            process.communicate()


def children_of(pid: int) -> set[int]:
    found = set()
    for task in Path(f"/proc/{pid}/task").iterdir():
        found |= {int(c) for c in (task / "children").read_text().split()}
    return found | {grandchild for child in found for grandchild in _safe_children(child)}


def _safe_children(pid: int) -> set[int]:
    try:
        return children_of(pid)
    except FileNotFoundError:
        return set()


def alive(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().split()[2] != "Z"
    except FileNotFoundError:
        return False
