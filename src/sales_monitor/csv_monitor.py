"""`uv run csv-monitor FILE`: keep the topic in sync with a CSV file, removals included.

uv run csv-monitor vendas.csv           sync, then follow every saved change (Ctrl-C stops)
uv run csv-monitor vendas.csv --once    sync and exit
"""

from __future__ import annotations

import threading
import time
from pathlib import Path

from . import cli
from .connection import Connection
from .csvfile import UnreadableFile
from .kafka_io import make_consumer
from .money import format_int
from .monitor import (
    HALF_WRITTEN_WAIT_S,
    FileState,
    FileWatch,
    load,
    owned_records,
    signature,
    source_for,
    sync,
)
from .process import stop_on_signals
from .publish import Publisher

LISTED_REJECTIONS = 20


def say(text: str) -> None:
    print(text, flush=True)


class CsvMonitor:
    """The file, the topic, and what this file has published there."""

    def __init__(self, path: Path, connection: Connection | str, topic: str, producer):
        self.path, self.connection, self.topic = path, connection, topic
        self.source = source_for(path)
        self.publisher = Publisher(producer, topic, self.source)
        self.published: dict = {}

    def read_topic(self) -> None:
        say(f"Lendo o tópico '{self.topic}' para achar os registros deste arquivo…")
        consumer = make_consumer(self.connection)
        try:
            self.published = owned_records(
                consumer, self.topic, self.source,
                lambda n: say(f"  {format_int(n)} mensagens lidas…"),
            )  # fmt: skip
        finally:
            consumer.close()
        say(f"{format_int(len(self.published))} registros vivos vieram deste arquivo.")

    def sync_file(self) -> bool:
        """One sync of the file as it is now; False if it could not be used (nothing sent)."""
        try:
            state = load(self.path, self.source)
        except FileNotFoundError:
            say(f"{self.path} sumiu; nada foi apagado. Aguardando o arquivo voltar…")
            return False
        except (UnreadableFile, OSError) as error:
            say(f"{self.path} não pôde ser lido ({error}); nada foi alterado. Aguardando…")
            return False
        report = sync(self.published, state, self._send)
        for row in state.rejected[:LISTED_REJECTIONS]:
            say(f"  linha {row.line}: {row.decoded.reason}")
        if len(state.rejected) > LISTED_REJECTIONS:
            say(f"  … e mais {format_int(len(state.rejected) - LISTED_REJECTIONS)} rejeitadas")
        self.published = dict(state.records)
        say(f"{time.strftime('%H:%M:%S')} Sincronizado: {report.summary()}.")
        return True

    def _send(self, messages: list) -> None:
        every = max(10_000, len(messages) // 10)
        self.publisher.send_all(
            messages,
            lambda n: n % every == 0 and say(f"  {format_int(n)} de {format_int(len(messages))}…"),
        )
        stats = self.publisher.finish(timeout=30)
        if stats.failed or stats.unconfirmed:
            say(f"Atenção: {stats.failed + stats.unconfirmed} mensagens não confirmadas "
                f"({stats.last_error}).")  # fmt: skip

    def follow(self, stop: threading.Event) -> None:
        """Sync each settled change until `stop` is set."""
        seen = signature(self.path)
        with FileWatch(self.path) as watch:
            while (current := watch.settled_change(seen, stop)) != "stop":
                seen = current
                if current is not None and self._half_written(stop):
                    continue
                self.sync_file()

    def _half_written(self, stop: threading.Event) -> bool:
        """A last line cut short: give the writer time to finish, then use it as it is."""
        deadline = time.monotonic() + HALF_WRITTEN_WAIT_S
        while time.monotonic() < deadline and not stop.is_set():
            try:
                state: FileState = load(self.path, self.source)
            except (UnreadableFile, OSError):
                return False
            if not state.cut_short:
                return False
            before = signature(self.path)
            stop.wait(0.2)
            if signature(self.path) != before:
                return True  # still being written: the next settled change handles it
        return False


def main(argv: list[str] | None = None) -> int:
    settings = cli.settings_or_exit()
    parser = cli.Parser(prog="csv-monitor", description="Mantém o tópico igual a um arquivo CSV.")
    parser.add_argument(
        "file", type=Path, help="o arquivo CSV (id,nome,idade,cidade,valor,timestamp)"
    )
    parser.add_argument("--once", action="store_true", help="sincroniza uma vez e sai")
    cli.add_kafka_flags(parser, settings)
    args = parser.parse_args(argv)
    if not args.file.is_file():
        cli.fail(f"{args.file} não existe ou não é um arquivo")
    try:
        load(args.file, source_for(args.file))
    except (UnreadableFile, OSError) as error:
        cli.fail(f"{args.file} não pôde ser lido: {error}; nada foi enviado")
    stop = stop_on_signals()
    connection, producer = cli.producer_or_exit(settings, args.bootstrap_server, args.topic)
    monitor = CsvMonitor(args.file, connection, args.topic, producer)
    try:
        monitor.read_topic()
        synced = monitor.sync_file()
        if not args.once:
            say(f"Observando {args.file}; Ctrl-C para parar.")
            monitor.follow(stop)
    finally:
        producer.close(timeout=5)
    stats = monitor.publisher.stats
    say(f"Resumo: {format_int(stats.acked)} mensagens enviadas, {format_int(stats.failed)} falhas.")
    return 0 if synced and not stats.failed else 1


if __name__ == "__main__":
    raise SystemExit(main())
