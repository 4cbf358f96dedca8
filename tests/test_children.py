"""Child processes: started and stopped the same way on every system."""

import subprocess
import sys
import time

import pytest

from sales_monitor import children

pytestmark = pytest.mark.unit

SLEEPER = [sys.executable, "-c", "import time; time.sleep(60)"]


# the child asks the kernel which signal it gets when its parent dies (0: none)
DEATH_SIGNAL = (
    "import ctypes; libc = ctypes.CDLL('libc.so.6'); found = ctypes.c_int(); "
    "libc.prctl(2, ctypes.byref(found)); print(found.value)"
)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="prctl is Linux's")
@pytest.mark.parametrize(
    ("platform", "signal"), [("linux", b"15\n"), ("darwin", b"0\n"), ("win32", b"0\n")]
)
def test_only_linux_children_get_the_parent_death_signal(monkeypatch, platform, signal):
    monkeypatch.setattr(sys, "platform", platform)
    child = children.spawn([sys.executable, "-c", DEATH_SIGNAL], stdout=subprocess.PIPE)
    out, _ = child.communicate(timeout=30)
    assert out == signal


@pytest.mark.parametrize("platform", ["linux", "darwin", "win32"])
def test_a_child_starts_and_stops_within_its_timeout(monkeypatch, platform):
    monkeypatch.setattr(sys, "platform", platform)
    child = children.spawn(SLEEPER)
    started = time.monotonic()
    children.stop(child, timeout=10, interrupt=True)
    assert child.returncode is not None and time.monotonic() - started < 10


def test_a_child_that_ignores_the_request_is_killed():
    child = children.spawn(
        [
            sys.executable,
            "-c",
            "import signal, sys, time; signal.signal(signal.SIGTERM, signal.SIG_IGN);"
            " print('pronto', flush=True); time.sleep(60)",
        ],
        stdout=subprocess.PIPE,
    )
    assert child.stdout.readline() == b"pronto\n"
    children.stop(child, timeout=0.5)
    assert child.returncode == -9
    child.stdout.close()


def test_a_child_never_reads_the_parent_s_terminal():
    child = children.spawn(
        [sys.executable, "-c", "import sys; print(repr(sys.stdin.read()))"],
        stdout=subprocess.PIPE,
    )
    out, _ = child.communicate(timeout=30)
    assert out == b"''\n"
