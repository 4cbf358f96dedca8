"""`uv run dashboard`: the Streamlit dashboard alone, against the configured broker."""

from __future__ import annotations

import subprocess

from sales_monitor.commands import flags
from sales_monitor.commands.flags import settings_or_exit
from sales_monitor.commands.launch import (
    add_dashboard_flags,
    dashboard_env,
    streamlit_command,
    with_flags,
)
from sales_monitor.processes import child_dies_with_parent, stop_on_signals, wait_for_stop


def main(argv: list[str] | None = None) -> int:
    settings = settings_or_exit()
    parser = flags.Parser(prog="dashboard", description="O dashboard Streamlit.")
    add_dashboard_flags(parser, settings)
    args = parser.parse_args(argv)
    settings = with_flags(settings, args)
    stop = stop_on_signals()
    # the dashboard dies with this command, even by SIGKILL: no Streamlit left behind
    child = subprocess.Popen(
        streamlit_command(args.port, settings.host), env=dashboard_env(settings),
        preexec_fn=child_dies_with_parent,
    )  # fmt: skip
    wait_for_stop(stop, lambda: None if child.poll() is None else "dashboard")
    if child.poll() is None:
        child.terminate()
        try:
            child.wait(timeout=15)
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()
    return 0 if stop.is_set() else child.returncode


if __name__ == "__main__":
    raise SystemExit(main())
