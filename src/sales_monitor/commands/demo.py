"""`uv run demo`: broker, producer and dashboard as one command; Ctrl-C stops them all."""

from __future__ import annotations

from sales_monitor.brokers import engines
from sales_monitor.commands import flags
from sales_monitor.commands.flags import add_dashboard_flags, settings_or_exit, with_flags
from sales_monitor.launch.demo import Demo
from sales_monitor.launch.processes import run_until_stopped, stop_on_signals
from sales_monitor.launch.web import browser_host


def main(argv: list[str] | None = None) -> int:
    settings = settings_or_exit()
    parser = flags.Parser(prog="demo", description="Broker + produtor + dashboard.")
    add_dashboard_flags(parser, settings)
    flags.add_broker_flags(parser, settings)
    pacing = parser.add_mutually_exclusive_group()
    pacing.add_argument(
        "--interval", type=flags.seconds, default=1.0, help="segundos entre vendas (padrão 1)"
    )
    pacing.add_argument("--rate", type=flags.positive_number, help="vendas por segundo, em lotes")
    args = parser.parse_args(argv)  # every flag checked before anything starts
    pace = ["--rate", repr(args.rate)] if args.rate else ["--interval", repr(args.interval)]
    chosen = flags.with_broker_flags(with_flags(settings, args), args)
    stop = stop_on_signals()
    progress = engines.DownloadProgress(stop=stop)
    demo = Demo(chosen, args.port, pace, fresh=args.fresh, progress=progress)

    def start() -> None:
        demo.start()
        url = f"http://{browser_host(demo.settings.host)}:{demo.port}"
        said = "".join(f"{line}\n" for line in flags.operations_lines(chosen))
        print(f"\nDashboard: {url}  (Ctrl-C para parar tudo)\n{said}", flush=True)

    return run_until_stopped(
        stop,
        start,
        demo.exited,
        demo.stop,
        died=lambda name: f"o {name} parou sozinho; encerrando o demo.",
        farewell="Demo encerrado.",
    )


if __name__ == "__main__":
    raise SystemExit(main())
