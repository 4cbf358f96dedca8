"""What a command left running: its child processes, found through /proc (Linux)."""

from pathlib import Path


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
