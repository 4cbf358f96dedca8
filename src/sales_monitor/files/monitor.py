"""The CSV monitor at work: reads which records the file owns, syncs the file, then follows
each settled change until stopped. It speaks through `say`, a line at a time."""

from __future__ import annotations

import logging
import threading
import time
from pathlib import Path

from sales_monitor.errors import UnreadableFile, os_reason
from sales_monitor.files.sync import (
    HALF_WRITTEN_WAIT_S,
    FileState,
    SyncReport,
    confirmed,
    diff,
    load,
    owned_records,
    source_for,
)
from sales_monitor.files.watch import FileWatch, signature
from sales_monitor.kafka.clients import open_consumer
from sales_monitor.kafka.connection import Connection
from sales_monitor.kafka.interface import Producer
from sales_monitor.kafka.publish import Publisher, end_write
from sales_monitor.ptbr import count_of, format_int

LISTED_REJECTIONS = 20
RETRY_S = 5.0  # changes the broker did not confirm are sent again this often
ACK_WAIT_S = 30.0

log = logging.getLogger(__name__)


def say(text: str) -> None:
    print(text, flush=True)


class CsvMonitor:
    """The file, the topic, and what this file has published there."""

    def __init__(self, path: Path, connection: Connection, topic: str, producer: Producer):
        self.path, self.connection, self.topic = path, connection, topic
        self.source = source_for(path)
        self.publisher = Publisher(producer, topic, self.source)
        self.published: dict = {}
        self.last_report: SyncReport | None = None
        self.read_signature: tuple | None = None  # the file as the last sync began to read it
        # how far `follow` is, for whoever waits on it (the tests): watching, settled
        # changes seen, and passes of its loop finished (a sync made or skipped)
        self.watching = threading.Event()
        self.changes_seen = 0
        self.passes = 0

    def run(self, stop: threading.Event, once: bool = False) -> SyncReport | None:
        """Read the topic, sync the file once, then (unless `once`) follow its changes until
        `stop` is set; every write is delivered or counted before it returns. The first
        sync's report, None if the file could not be used. Raises TopicNotRead."""
        try:
            self.read_topic()
            report = self.sync_file()
            if not once:
                say(f"Observando {self.path}; Ctrl-C para parar.")
                self.follow(stop)
        finally:
            end_write(self.publisher)
        return report

    def read_topic(self) -> None:
        """Which live records came from this file. Raises TopicNotRead if the topic could
        not be read to its end (deleting on a guess could remove what others wrote)."""
        say(f"Lendo o tópico '{self.topic}' para achar os registros deste arquivo…")
        consumer = open_consumer(self.connection, self.topic)
        try:
            self.published = owned_records(
                consumer,
                self.source,
                lambda n: say(f"  {count_of(n, 'mensagem lida', 'mensagens lidas')}…"),
            )
        finally:
            consumer.close()
        found = count_of(len(self.published), "registro vivo veio", "registros vivos vieram")
        say(f"{found} deste arquivo.")

    def sync_file(self) -> SyncReport | None:
        """One sync of the file as it is now; None if it could not be used (nothing sent).
        A change counts as published only once the broker acknowledged it; the others are
        sent again at the next sync."""
        self.read_signature = signature(self.path)  # before reading: a change after it shows
        try:
            state = load(self.path, self.source)
        except FileNotFoundError:
            say(f"{self.path} sumiu; nada foi apagado. Aguardando o arquivo voltar…")
            return None
        except (UnreadableFile, OSError) as error:
            say(f"{self.path} não pôde ser lido ({reason(error)}); nada foi alterado. Aguardando…")
            return None
        changes = diff(self.published, state.records)
        sent = self._send(changes.messages)
        self.publisher.finish(timeout=ACK_WAIT_S)
        self.published, failed = confirmed(self.published, sent)
        report = SyncReport(changes, failed, state.rejected)
        self.last_report = report
        for row in state.rejected[:LISTED_REJECTIONS]:
            say(f"  linha {row.line}: {row.reason}")
        if len(state.rejected) > LISTED_REJECTIONS:
            say(f"  … e mais {format_int(len(state.rejected) - LISTED_REJECTIONS)} rejeitadas")
        say(f"{time.strftime('%H:%M:%S')} Sincronizado: {report.summary()}.")
        if failed:
            cause = self.publisher.stats.last_error
            lost = count_of(len(failed), "mudança não confirmada", "mudanças não confirmadas")
            again = "será enviada" if len(failed) == 1 else "serão enviadas"
            say(f"Atenção: {lost} pelo Kafka ({cause}); {again} de novo em {RETRY_S:g} s.")
        return report

    def _send(self, messages: list) -> list:
        """(change, future) for each message, in order; the future is None where the send
        itself failed."""
        every = max(10_000, len(messages) // 10)
        sent = []
        for n, change in enumerate(messages, 1):
            sent.append((change, self.publisher.send(change)))
            if n % every == 0:
                say(f"  {format_int(n)} de {format_int(len(messages))}…")
        return sent

    def follow(self, stop: threading.Event) -> None:
        """Sync each settled change until `stop` is set; while changes wait for the broker,
        try again every RETRY_S even if the file stays the same."""
        # from what the last sync read, so a change made since, before this watch began, is
        # synced too; never synced: one sync at once, harmless
        seen = self.read_signature
        with FileWatch(self.path) as watch:
            self.watching.set()
            while True:
                waiting = self.last_report is not None and self.last_report.failed
                current = watch.settled_change(seen, stop, timeout=RETRY_S if waiting else None)
                if current == "stop":
                    return
                still_writing = False
                if not isinstance(current, str):  # a change, not "timeout"
                    seen = current
                    self.changes_seen += 1
                    still_writing = current is not None and self._half_written(stop)
                if not still_writing:  # else the next settled change handles it
                    self._sync_guarded()
                self.passes += 1

    def _sync_guarded(self) -> None:
        try:
            self.sync_file()
        except Exception:  # whatever the file holds, the watch goes on
            log.exception("falha inesperada ao sincronizar")
            say("Erro inesperado ao sincronizar; nada foi alterado. Aguardando…")

    def summary(self) -> tuple[str, int]:
        """The closing `Resumo:` line and how many changes are still not confirmed: those
        of the last sync, since a failed change is sent again until it is (so a failure that
        a retry fixed is not a failure at the end)."""
        report = self.last_report
        lost = len(report.failed) if report is not None else 0
        rejected = len(report.rejected) if report is not None else 0
        return self.publisher.stats.summary(rejected, failed=lost), lost

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


def reason(error: UnreadableFile | OSError) -> str:
    return os_reason(error) if isinstance(error, OSError) else str(error)
