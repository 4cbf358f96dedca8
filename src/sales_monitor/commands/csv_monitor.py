"""`uv run csv-monitor FILE`: keep the topic in sync with a CSV file, removals included.

uv run csv-monitor vendas.csv           sync, then follow every saved change (Ctrl-C stops)
uv run csv-monitor vendas.csv --once    sync and exit
"""

from __future__ import annotations

from pathlib import Path

from sales_monitor.commands import flags
from sales_monitor.errors import TopicNotRead, UnreadableFile
from sales_monitor.files.monitor import CsvMonitor, reason, say
from sales_monitor.files.sync import load, source_for
from sales_monitor.launch.processes import stop_on_signals
from sales_monitor.ptbr import count_of


def main(argv: list[str] | None = None) -> int:
    settings = flags.settings_or_exit()
    parser = flags.Parser(prog="csv-monitor", description="Mantém o tópico igual a um arquivo CSV.")
    parser.add_argument(
        "file", type=Path, help="o arquivo CSV (id,nome,idade,cidade,valor,timestamp)"
    )
    parser.add_argument("--once", action="store_true", help="sincroniza uma vez e sai")
    flags.add_kafka_flags(parser, settings)
    flags.add_metrics_flag(parser)
    args = parser.parse_args(argv)
    flags.check_metrics_port(settings, args.metrics_port)
    if not args.file.is_file():
        flags.fail(f"{args.file} não existe ou não é um arquivo")
    try:
        load(args.file, source_for(args.file))
    except (UnreadableFile, OSError) as error:
        flags.fail(f"{args.file} não pôde ser lido: {reason(error)}; nada foi enviado")
    stop = stop_on_signals()
    connection, producer = flags.producer_or_exit(
        settings, args.bootstrap_server, args.topic, args.compression
    )
    monitor = CsvMonitor(args.file, connection, args.topic, producer)
    flags.serve_writer_metrics(settings, args.metrics_port, monitor.publisher.stats, "csv-monitor")
    try:
        report = monitor.run(stop, once=args.once)
    except TopicNotRead as error:
        flags.fail(f"não foi possível ler o tópico inteiro ({error}); nada foi enviado", status=1)
    summary, lost = monitor.summary()
    say(summary)
    if lost:
        cause = monitor.publisher.stats.last_error
        lost_text = count_of(lost, "mudança não confirmada", "mudanças não confirmadas")
        say(
            f"Erro: {lost_text} pelo Kafka em {connection.bootstrap_servers} ({cause}); "
            "a próxima execução as envia."
        )
    return 0 if report is not None and not lost else 1


if __name__ == "__main__":
    raise SystemExit(main())
