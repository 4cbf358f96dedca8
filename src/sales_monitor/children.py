"""Child processes that never outlive the command that started them, on every system.

On Linux the kernel sends the child SIGTERM when its parent dies, even by SIGKILL (`prctl`).
Elsewhere a child stops with its parent's Ctrl-C (it shares the terminal's process group)
and with the parent's own `stop`, which every command runs on its way out.
"""

from __future__ import annotations

import ctypes
import signal
import subprocess
import sys
from collections.abc import Sequence
from typing import Any

_PR_SET_PDEATHSIG = 1


def _die_with_parent() -> None:
    libc = ctypes.CDLL("libc.so.6", use_errno=True)
    libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)


def spawn(command: Sequence[str], **options: Any) -> subprocess.Popen:
    """`subprocess.Popen` with no standard input and, on Linux, death with the parent."""
    options.setdefault("stdin", subprocess.DEVNULL)
    if sys.platform.startswith("linux"):
        options["preexec_fn"] = _die_with_parent
    return subprocess.Popen(list(command), **options)


def stop(child: subprocess.Popen, timeout: float, interrupt: bool = False) -> None:
    """Ask the child to stop (SIGTERM, or SIGINT with `interrupt` where signals exist; on
    Windows `terminate`), wait up to `timeout` seconds, then kill it."""
    if child.poll() is None:
        if interrupt and sys.platform != "win32":
            child.send_signal(signal.SIGINT)
        else:
            child.terminate()
        try:
            child.wait(timeout=timeout)
            return
        except subprocess.TimeoutExpired:
            child.kill()
    child.wait()
