"""Child-process hygiene: no broker or dashboard outlives the command that started it."""

from __future__ import annotations

import ctypes
import signal
import sys

_PR_SET_PDEATHSIG = 1


def child_dies_with_parent() -> None:
    """`preexec_fn` for Popen: on Linux the kernel sends SIGTERM to the child if its
    parent dies, even by SIGKILL, so a crashed demo leaves no orphans behind."""
    if sys.platform.startswith("linux"):
        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)
