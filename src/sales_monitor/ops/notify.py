"""Alerts out to where the team is, through Apprise (Telegram, Slack, Discord, Teams,
e-mail, webhooks and a hundred more), without ever holding up the reading of the topic.

`put` never waits: alerts go into a bounded queue (one full drops the alert, counted) and a
thread of their own sends them, each target tried again with a growing pause. Each target
is its own Apprise object, so one that fails is named (its URL with the secrets masked) and
retried alone. The text is plain text (`NotifyFormat.TEXT`): a city from the topic is never
read as Markdown or HTML on the receiving end.
"""

from __future__ import annotations

import contextlib
import logging
import queue
import threading
from collections import Counter, deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

import apprise

from sales_monitor.errors import SettingsError
from sales_monitor.ops.alerts import Alert
from sales_monitor.record import SAO_PAULO
from sales_monitor.settings import secretless

QUEUED = 100  # alerts waiting at most; beyond that each new one is dropped and counted
ATTEMPTS = 3
FIRST_PAUSE_S = 1.0  # then twice as long before each further attempt
FAILURES_KEPT = 20

log = logging.getLogger(__name__)


def check_urls(urls: Sequence[str]) -> list[apprise.Apprise]:
    """An Apprise object for each URL, or a SettingsError naming the first one Apprise does
    not take (by its scheme only: the rest may hold a token)."""
    targets = []
    for url in urls:
        target = apprise.Apprise()
        if not target.add(url):
            raise SettingsError(
                f"a URL de alerta {secretless(url)!r} não é aceita pelo Apprise "
                "(veja o formato do serviço em https://github.com/caronc/apprise/wiki)"
            )
        targets.append(target)
    return targets


def shown(target: apprise.Apprise) -> str:
    """A target as logs and pages may show it: Apprise's own URL with secrets masked."""
    return target[0].url(privacy=True)


@dataclass(frozen=True, slots=True)
class Failure:
    at: datetime
    event: str
    target: str  # masked
    attempts: int


class AlertSender:
    def __init__(
        self,
        urls: Sequence[str],
        pause_s: float = FIRST_PAUSE_S,
        sleep: Callable[[float], object] | None = None,
    ) -> None:
        self._targets = check_urls(urls)
        self._queue: queue.Queue[Alert | None] = queue.Queue(QUEUED)
        self._pause_s = pause_s
        self._stopping = threading.Event()
        self._sleep = sleep or self._stopping.wait
        self._lock = threading.Lock()
        self._counts: dict[str, Counter[str]] = {
            outcome: Counter() for outcome in ("sent", "failed", "dropped")
        }
        self._failures: deque[Failure] = deque(maxlen=FAILURES_KEPT)
        self._thread = threading.Thread(target=self._run, name="alertas", daemon=True)

    def start(self) -> AlertSender:
        self._thread.start()
        return self

    def stop(self, timeout: float = 5.0) -> None:
        self._stopping.set()
        with contextlib.suppress(queue.Full):  # a full queue: the thread sees `_stopping`
            self._queue.put_nowait(None)
        self._thread.join(timeout)

    def put(self, alert: Alert) -> bool:
        """Queued for sending, or dropped (and counted) when the queue is full."""
        try:
            self._queue.put_nowait(alert)
            return True
        except queue.Full:
            self._count("dropped", alert.event)
            log.warning("alerta %s descartado: a fila de envio está cheia", alert.event)
            return False

    def counts(self) -> dict[str, dict[str, int]]:
        with self._lock:
            return {outcome: dict(counted) for outcome, counted in self._counts.items()}

    def failures(self) -> list[Failure]:
        """The latest failures, newest first."""
        with self._lock:
            return list(self._failures)[::-1]

    @property
    def targets(self) -> list[str]:
        return [shown(target) for target in self._targets]

    def _count(self, outcome: str, event: str) -> None:
        with self._lock:
            self._counts[outcome][event] += 1

    def _run(self) -> None:
        while not self._stopping.is_set():
            alert = self._queue.get()
            if alert is None:
                return
            for target in self._targets:
                self._deliver(target, alert)

    def _deliver(self, target: apprise.Apprise, alert: Alert) -> None:
        pause = self._pause_s
        for attempt in range(1, ATTEMPTS + 1):
            try:
                delivered = bool(
                    target.notify(
                        body=alert.body, title=alert.title, body_format=apprise.NotifyFormat.TEXT
                    )
                )
            except Exception:  # a plugin's own bug must not end the sender
                log.exception("o envio do alerta %s falhou em %s", alert.event, shown(target))
                delivered = False
            if delivered:
                self._count("sent", alert.event)
                log.info("alerta %s enviado a %s", alert.event, shown(target))
                return
            log.warning(
                "alerta %s não entregue a %s (tentativa %d de %d)",
                alert.event, shown(target), attempt, ATTEMPTS,
            )  # fmt: skip
            if attempt < ATTEMPTS:
                self._sleep(pause)
                pause *= 2
                if self._stopping.is_set():
                    break
        self._count("failed", alert.event)
        with self._lock:
            self._failures.append(
                Failure(datetime.now(SAO_PAULO), alert.event, shown(target), attempt)
            )
