"""`uv run producer`: one fake sale per interval (or R per second) into the topic."""

from __future__ import annotations

import argparse
import sys
from dataclasses import replace

from sales_monitor.commands import flags
from sales_monitor.commands.flags import settings_or_exit
from sales_monitor.errors import BrokerUnavailable
from sales_monitor.fake_sales.pace import DEFAULT_INTERVAL, Pace
from sales_monitor.fake_sales.produce import DELIVERY_TIMEOUT_S, MAX_BLOCK_S, produce
from sales_monitor.kafka.clients import ensure_topic, make_producer
from sales_monitor.settings import Settings


def parse_args(argv: list[str] | None, settings: Settings) -> argparse.Namespace:
    parser = flags.Parser(
        prog="producer", description="Publica vendas falsas (Faker pt_BR) no Kafka."
    )
    pacing = parser.add_mutually_exclusive_group()
    pacing.add_argument(
        "--interval", type=flags.seconds, help="segundos entre registros (0 = sem pausa)"
    )
    pacing.add_argument(
        "--rate", type=flags.positive_number, help="registros por segundo, em lotes (carga)"
    )
    parser.add_argument("--count", type=flags.positive_int, help="para depois de N registros")
    flags.add_kafka_flags(parser, settings)
    parser.add_argument(
        "--partitions",
        type=flags.positive_int,
        default=1,
        help="partições ao criar o tópico (padrão 1)",
    )
    parser.add_argument("--quiet", action="store_true", help="não imprime cada registro")
    flags.add_metrics_flag(parser)
    return parser.parse_args(argv)


def choose_pace(args: argparse.Namespace, interactive: bool) -> Pace:
    if args.rate is not None:
        return Pace(1 / args.rate)
    if args.interval is not None:
        return Pace(args.interval)
    return Pace(flags.ask_seconds(DEFAULT_INTERVAL) if interactive else DEFAULT_INTERVAL)


def main(argv: list[str] | None = None) -> int:
    settings = settings_or_exit()
    try:
        args = parse_args(argv, settings)
        settings = replace(settings.with_address(args.bootstrap_server), topic=args.topic)
        flags.check_metrics_port(settings, args.metrics_port)
        pace = choose_pace(args, interactive=sys.stdin.isatty())
        ensure_topic(settings.connection, settings.topic, args.partitions)
        producer = make_producer(
            settings.connection,
            delivery_timeout_ms=DELIVERY_TIMEOUT_S * 1000,
            max_block_ms=MAX_BLOCK_S * 1000,  # so Ctrl-C is never kept waiting long
            compression_type=flags.codec(args.compression),
        )
    except BrokerUnavailable as error:
        print(f"Erro: {error}", file=sys.stderr)
        return 1
    except (KeyboardInterrupt, EOFError):
        print()
        return 130
    return produce(
        producer,
        settings,
        pace,
        count=args.count,
        quiet=args.quiet,
        started=lambda stats: flags.serve_writer_metrics(
            settings, args.metrics_port, stats, "producer"
        ),
    )


if __name__ == "__main__":
    raise SystemExit(main())
