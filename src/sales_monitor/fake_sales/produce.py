"""Fake sales sent on a pace until stopped, with a line for each record at human pace, a
line a second otherwise, and word when the broker stops or starts answering again."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable

from sales_monitor.errors import DeliveryAborted
from sales_monitor.fake_sales.faker import SaleFaker
from sales_monitor.fake_sales.pace import KeyValue, Pace, describe, run
from sales_monitor.kafka.clients import close_producer
from sales_monitor.kafka.interface import Producer
from sales_monitor.kafka.publish import DeliveryStats, Publisher
from sales_monitor.launch.processes import stop_on_signals
from sales_monitor.ptbr import count_of, format_brl
from sales_monitor.record import SaleRecord, decode
from sales_monitor.settings import Settings

SOURCE = "produtor"  # the `origem` header of every message the fake producer writes
PRINT_EACH_BELOW_RATE = 20  # records per second; faster than that, print progress instead
STALL_S = 3.0  # no answer from the broker this long, with records waiting: say so
OUTAGE_NOTE_EVERY_S = 10.0
STOP_WAIT_S = 3.0  # on Ctrl-C/SIGTERM, how long pending records may still be delivered
DELIVERY_TIMEOUT_S = 120  # kafka-python's delivery_timeout_ms: a record waits this long
MAX_BLOCK_S = 2  # a full buffer blocks send() this long, then the record counts as failed


def produce(
    producer: Producer,
    settings: Settings,
    pace: Pace,
    count: int | None = None,
    quiet: bool = False,
    started: Callable[[DeliveryStats], object] | None = None,
) -> int:
    """Sends until stopped or `count`; `started` is handed the delivery figures first (the
    command serves them as metrics)."""
    stop = stop_on_signals()
    publisher = Publisher(producer, settings.topic, SOURCE)
    stats = publisher.stats
    if started is not None:
        started(stats)
    verbose = not quiet and pace.period * PRINT_EACH_BELOW_RATE >= 1
    print(
        f"Enviando para o tópico '{settings.topic}' em {settings.bootstrap_servers} "
        f"({describe(pace)}); Ctrl-C para parar.",
        flush=True,
    )
    faker = SaleFaker()
    progress = Progress(stats, settings.bootstrap_servers, verbose=verbose, quiet=quiet)

    def send(batch: list[KeyValue]) -> None:
        futures = publisher.send_messages(batch)
        if verbose:  # each announced once the broker has it, not when queued
            for message, future in zip(batch, futures, strict=True):
                if future is not None:
                    future.add_callback(announce, message)

    run(
        send,
        faker.messages,
        pace,
        stop,
        count=count,
        on_batch=progress,
    )
    pending = stats.unconfirmed
    close_producer(producer, STOP_WAIT_S)
    print(stats.summary(), flush=True)
    if pending and stats.unconfirmed == 0 and isinstance(stats.last_error, DeliveryAborted):
        lost = count_of(pending, "registro não foi entregue", "registros não foram entregues")
        print(
            f"Erro: {lost}: o Kafka não "
            f"respondeu em {STOP_WAIT_S:g} s depois do pedido para parar.",
            file=sys.stderr,
        )
    elif (error := stats.error_line(settings.bootstrap_servers)) is not None:
        print(error, file=sys.stderr)
    return 0 if stats.failed == 0 else 1


def announce(message: KeyValue, _metadata: object) -> None:
    record = decode(*message)  # the faker's own message: always a record
    if isinstance(record, SaleRecord):
        print(
            f"Enviado: id={record.id} {record.name} ({record.age}), {record.city}, "
            f"{format_brl(record.value_cents)}",
            flush=True,
        )


class Progress:
    """Prints each record at human pace, otherwise a line per second; and, whatever the
    pace, when the broker stops answering and when it answers again."""

    def __init__(self, stats: DeliveryStats, bootstrap: str, verbose: bool, quiet: bool) -> None:
        self._stats, self._verbose, self._quiet = stats, verbose, quiet
        self._bootstrap = bootstrap
        self._next_report = time.monotonic() + 1
        self._next_outage_note = 0.0
        self._in_outage = False

    def __call__(self, batch: list[KeyValue]) -> None:
        self._outage()
        if not self._verbose and not self._quiet and time.monotonic() >= self._next_report:
            self._next_report += 1
            print(
                f"{count_of(self._stats.acked, 'registro enviado', 'registros enviados')}…",
                flush=True,
            )

    def _outage(self) -> None:
        waiting, now = self._stats.waiting_s(), time.monotonic()
        if waiting >= STALL_S and now >= self._next_outage_note:
            self._in_outage, self._next_outage_note = True, now + OUTAGE_NOTE_EVERY_S
            waiting_records = count_of(
                self._stats.unconfirmed, "registro aguardando", "registros aguardando"
            )
            print(
                f"Kafka sem resposta em {self._bootstrap} há {waiting:.0f} s: "
                f"{waiting_records} (até "
                f"{DELIVERY_TIMEOUT_S // 60} min; depois contam como falhas). "
                "O envio continua sozinho quando ele voltar.",
                flush=True,
            )
        elif self._in_outage and waiting < STALL_S:
            self._in_outage, self._next_outage_note = False, 0.0
            print("Kafka respondeu de novo; envio retomado.", flush=True)
