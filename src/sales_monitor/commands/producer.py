"""The fake producer: one sale per interval (or R per second) into the topic.

`main(argv)` is the command line; `run()` is the loop, testable without a broker.
"""

from __future__ import annotations

import argparse
import math
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, replace

from sales_monitor.commands import flags
from sales_monitor.commands.flags import settings_or_exit
from sales_monitor.errors import BrokerUnavailable, DeliveryAborted
from sales_monitor.fake import SaleFaker
from sales_monitor.kafka.clients import close_producer, ensure_topic, make_producer
from sales_monitor.kafka.interface import Producer
from sales_monitor.kafka.publish import DeliveryStats, Publisher
from sales_monitor.processes import stop_on_signals
from sales_monitor.ptbr import count_of, format_brl
from sales_monitor.record import SaleRecord, decode
from sales_monitor.settings import Settings

DEFAULT_INTERVAL = 5.0
MAX_BATCH = 1_000
TICK_S = 0.05  # fast paces send a batch per tick instead of sleeping per record
SOURCE = "produtor"  # the `origem` header of every message this command writes
PRINT_EACH_BELOW_RATE = 20  # records per second; faster than that, print progress instead
SaleMessage = tuple[bytes, bytes]  # a sale's Kafka key and value, as the faker makes them
STALL_S = 3.0  # no answer from the broker this long, with records waiting: say so
OUTAGE_NOTE_EVERY_S = 10.0
STOP_WAIT_S = 3.0  # on Ctrl-C/SIGTERM, how long pending records may still be delivered
DELIVERY_TIMEOUT_S = 120  # kafka-python's delivery_timeout_ms: a record waits this long
MAX_BLOCK_S = 2  # a full buffer blocks send() this long, then the record counts as failed


@dataclass(frozen=True, slots=True)
class Pace:
    """A drift-free schedule: record n is due at start + n * period (period 0: no wait)."""

    period: float

    def due(self, sent: int, elapsed: float) -> int:
        if self.period <= 0:
            return MAX_BATCH
        # The epsilon keeps float error from making a due record look early.
        return max(0, min(MAX_BATCH, math.floor(elapsed / self.period + 1e-9) + 1 - sent))

    def wait(self, sent: int, elapsed: float) -> float:
        if self.period <= 0:
            return 0.0
        return max(TICK_S, sent * self.period - elapsed)


def run(
    send: Callable[[list[SaleMessage]], object],
    make_messages: Callable[[int], list[SaleMessage]],
    pace: Pace,
    stop: threading.Event,
    count: int | None = None,
    on_batch: Callable[[list[SaleMessage]], None] = lambda batch: None,
    clock: Callable[[], float] = time.monotonic,
) -> int:
    """Send records on `pace` until `stop` is set or `count` are sent; return how many.
    Each tick's due records are made and sent as one batch."""
    sent, start = 0, clock()
    while not stop.is_set() and (count is None or sent < count):
        due = pace.due(sent, clock() - start)
        if count is not None:
            due = min(due, count - sent)
        batch = make_messages(due) if due else []
        if batch:
            send(batch)
        sent += due
        on_batch(batch)
        wait = pace.wait(sent, clock() - start)
        if wait > 0 and (count is None or sent < count):
            stop.wait(wait)
    return sent


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
    return parser.parse_args(argv)


def ask_interval(read: Callable[[str], str] = input, say: Callable[[str], None] = print) -> float:
    """Ask until the answer is an interval (Enter: the default); a typo asks again."""
    while True:
        prompt = f"Intervalo entre mensagens em segundos (Enter = {DEFAULT_INTERVAL:g}): "
        answer = read(prompt).strip()
        if not answer:
            return DEFAULT_INTERVAL
        try:
            return flags.seconds(answer.replace(",", "."))
        except argparse.ArgumentTypeError as error:
            say(f"{error}; tente de novo.")


def choose_pace(args: argparse.Namespace, interactive: bool) -> Pace:
    if args.rate is not None:
        return Pace(1 / args.rate)
    if args.interval is not None:
        return Pace(args.interval)
    return Pace(ask_interval() if interactive else DEFAULT_INTERVAL)


def main(argv: list[str] | None = None) -> int:
    settings = settings_or_exit()
    try:
        args = parse_args(argv, settings)
        settings = replace(settings.with_address(args.bootstrap_server), topic=args.topic)
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
    return _produce(producer, settings, pace, args)


def _produce(producer: Producer, settings: Settings, pace: Pace, args: argparse.Namespace) -> int:
    stop = stop_on_signals()
    publisher = Publisher(producer, settings.topic, SOURCE)
    stats = publisher.stats
    verbose = not args.quiet and pace.period * PRINT_EACH_BELOW_RATE >= 1
    print(
        f"Enviando para o tópico '{settings.topic}' em {settings.bootstrap_servers} "
        f"({_describe(pace)}); Ctrl-C para parar.",
        flush=True,
    )
    faker = SaleFaker()
    progress = _Progress(stats, settings.bootstrap_servers, verbose=verbose, quiet=args.quiet)

    def send(batch: list[SaleMessage]) -> None:
        futures = publisher.send_messages(batch)
        if verbose:  # each announced once the broker has it, not when queued
            for message, future in zip(batch, futures, strict=True):
                if future is not None:
                    future.add_callback(_announce, message)

    run(
        send,
        faker.messages,
        pace,
        stop,
        count=args.count,
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


def _announce(message: SaleMessage, _metadata: object) -> None:
    record = decode(*message)  # the faker's own message: always a record
    if isinstance(record, SaleRecord):
        print(
            f"Enviado: id={record.id} {record.name} ({record.age}), {record.city}, "
            f"{format_brl(record.value_cents)}",
            flush=True,
        )


class _Progress:
    """Prints each record at human pace, otherwise a line per second; and, whatever the
    pace, when the broker stops answering and when it answers again."""

    def __init__(self, stats: DeliveryStats, bootstrap: str, verbose: bool, quiet: bool) -> None:
        self._stats, self._verbose, self._quiet = stats, verbose, quiet
        self._bootstrap = bootstrap
        self._next_report = time.monotonic() + 1
        self._next_outage_note = 0.0
        self._in_outage = False

    def __call__(self, batch: list[SaleMessage]) -> None:
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


def _describe(pace: Pace) -> str:
    if pace.period <= 0:
        return "sem pausa"
    if pace.period < 1:
        return f"{1 / pace.period:g} registros/s"
    return f"um registro a cada {pace.period:g} s"


if __name__ == "__main__":
    raise SystemExit(main())
