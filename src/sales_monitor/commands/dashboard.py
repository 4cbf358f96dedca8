"""`uv run dashboard`: the Streamlit dashboard alone, against the configured broker."""

from __future__ import annotations

import subprocess

from sales_monitor.commands import flags
from sales_monitor.commands.flags import add_dashboard_flags, settings_or_exit, with_flags
from sales_monitor.launch.processes import run_until_stopped, stop_on_signals
from sales_monitor.launch.web import browser_host, start_dashboard, stop_children


def main(argv: list[str] | None = None) -> int:
    settings = settings_or_exit()
    parser = flags.Parser(prog="dashboard", description="O dashboard Streamlit.")
    add_dashboard_flags(parser, settings)
    args = parser.parse_args(argv)  # every flag checked before anything starts
    settings = with_flags(settings, args)
    running: list[subprocess.Popen] = []

    def start() -> None:
        child, port = start_dashboard(settings, args.port)
        running.append(child)
        url = f"http://{browser_host(settings.host)}:{port}"
        print(f"Dashboard: {url}  (Ctrl-C para parar)", flush=True)
        for line in flags.operations_lines(settings):
            print(line, flush=True)

    return run_until_stopped(
        stop_on_signals(),
        start,
        exited=lambda: "dashboard" if any(c.poll() is not None for c in running) else None,
        shutdown=lambda: stop_children(running),
        died=lambda _: "o dashboard parou sozinho; veja as mensagens acima.",
        farewell="Dashboard encerrado.",
    )


if __name__ == "__main__":
    raise SystemExit(main())
