"""How fast messages reach the table, and how long after they were written: one clock
(the wall clock, since a message's own timestamp is wall time) for both figures."""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Sequence

from sales_monitor.kafka.interface import Message
from sales_monitor.stream.ingest import arrival_delays

WINDOW_S = 60
DELAYS_KEPT = 10_000  # produce-to-table delays kept for the freshness line (sampled per poll)


class ArrivalMeter:
    """Written by the consumer thread, read by the pages."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._per_second: deque[tuple[int, int]] = deque()  # (whole second, messages)
        # (arrival, ms from the message's timestamp to the table), newest last
        self._delays: deque[tuple[float, int]] = deque(maxlen=DELAYS_KEPT)

    def arrived(self, messages: Sequence[Message], at: float) -> None:
        """Live messages that reached the table at `at` (seconds since the epoch)."""
        second, delays = int(at), arrival_delays(messages, at)
        with self._lock:
            counts = self._per_second
            if counts and counts[-1][0] == second:
                counts[-1] = (second, counts[-1][1] + len(messages))
            else:
                counts.append((second, len(messages)))
            while counts and counts[0][0] <= second - WINDOW_S:
                counts.popleft()
            self._delays.extend(delays)

    def per_second(self, now: float | None = None) -> float:
        """Messages per second over the last minute."""
        cutoff = int(time.time() if now is None else now) - WINDOW_S
        with self._lock:
            return sum(n for second, n in self._per_second if second > cutoff) / WINDOW_S

    def delays_ms(self, now: float | None = None) -> list[int]:
        """Produce-to-table delays of the messages that reached the table in the last
        minute (at most DELAYS_KEPT of the newest)."""
        cutoff = (time.time() if now is None else now) - WINDOW_S
        with self._lock:
            return [delay for arrived, delay in self._delays if arrived > cutoff]
