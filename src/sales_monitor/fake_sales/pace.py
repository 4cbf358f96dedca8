"""The producer's schedule: which records are due and how long to wait, with no drift."""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

DEFAULT_INTERVAL = 5.0
MAX_BATCH = 1_000
TICK_S = 0.05  # fast paces send a batch per tick instead of sleeping per record
KeyValue = tuple[bytes, bytes]  # a sale's Kafka key and value, as the faker makes them


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
    send: Callable[[list[KeyValue]], object],
    make_messages: Callable[[int], list[KeyValue]],
    pace: Pace,
    stop: threading.Event,
    count: int | None = None,
    on_batch: Callable[[list[KeyValue]], None] = lambda batch: None,
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


def describe(pace: Pace) -> str:
    if pace.period <= 0:
        return "sem pausa"
    if pace.period < 1:
        return f"{1 / pace.period:g} registros/s"
    return f"um registro a cada {pace.period:g} s"
