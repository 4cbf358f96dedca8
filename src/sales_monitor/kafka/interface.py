"""What the rest of the project asks of Kafka: typed, with partitions as numbers.

`clients.open_consumer` and `clients.make_producer` give the real ones; tests give fakes
of the same shape. A consumer's calls raise `KafkaFailure` (from `sales_monitor.errors`)
or a subclass of it, never a kafka-python error; so do `publish`'s.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Protocol


class Message(Protocol):
    """One message as read: the fields of kafka-python's ConsumerRecord we use."""

    @property
    def partition(self) -> int: ...
    @property
    def offset(self) -> int: ...
    @property
    def timestamp(self) -> int: ...
    @property
    def key(self) -> bytes | None: ...
    @property
    def value(self) -> bytes | None: ...
    @property
    def headers(self) -> Sequence[tuple[str, bytes | None]]: ...


class TopicConsumer(Protocol):
    """One topic, read by manual assignment with no consumer group."""

    topic: str

    def partitions(self) -> list[int]:
        """The topic's partitions, [] while it does not exist."""
        ...

    def topic_id(self) -> str | None:
        """The topic's identity as the last metadata said (a re-created topic has a new
        one); None where the broker gives none."""
        ...

    def assign(self, partitions: Iterable[int]) -> None: ...
    def pause(self, partition: int) -> None: ...
    def resume(self, partition: int) -> None: ...
    def seek(self, partition: int, offset: int) -> None: ...
    def seek_to_beginning(self, partitions: Iterable[int]) -> None: ...
    def position(self, partition: int) -> int: ...
    def beginning_offsets(self, partitions: Iterable[int]) -> dict[int, int]: ...
    def end_offsets(self, partitions: Iterable[int]) -> dict[int, int]: ...

    def highwater(self, partition: int) -> int | None:
        """The end of the partition as of the last fetch (None before one)."""
        ...

    def stable_end(self, partition: int) -> int | None:
        """Where a committed read of the partition ends as of the last fetch (its last
        stable offset: below the highwater while a transaction is open)."""
        ...

    def poll(self, timeout_ms: int, max_records: int) -> dict[int, list[Message]]:
        """Messages by partition, committed ones only. Raises `UnreadableMessage` for one
        the client cannot parse (the caller seeks past it), `UnreadableBatch` for a batch
        it cannot decode (the caller sets the partition aside), `OffsetsOutOfRange` when a
        position is no longer in its partition."""
        ...

    def check(self) -> None:
        """A metadata round trip: raises `KafkaFailure` if the broker is gone; after it,
        `partitions` and `topic_id` say what the broker says now."""
        ...

    def fetch_wait(self, quiet: bool) -> None:
        """Let the broker hold a fetch longer while the stream is quiet (less work for an
        idle reader), and the usual time while records flow."""
        ...

    def close(self) -> None: ...


ConsumerFactory = Callable[..., TopicConsumer]  # (connection, topic) -> TopicConsumer


class Written(Protocol):
    """Where the broker put a record."""

    @property
    def partition(self) -> int: ...
    @property
    def offset(self) -> int: ...


class Delivery(Protocol):
    """A send's outcome, later: callbacks get the record's metadata or the error; once
    `is_done`, `exception` is None for a record the broker has."""

    is_done: bool
    exception: BaseException | None

    def add_callback(self, f: Callable[..., object], *args: object) -> object: ...
    def add_errback(self, f: Callable[..., object], *args: object) -> object: ...
    def get(self, timeout: float | None = None) -> Written: ...


class Producer(Protocol):
    """The producer calls `publish` makes (kafka-python's KafkaProducer has them); the
    rest of the project only hands a producer on, and `publish` translates its errors."""

    def send(
        self,
        topic: str,
        *,
        key: bytes | None,
        value: bytes | None,
        headers: list | None,
        partition: int | None = None,
    ) -> Delivery: ...

    def flush(self, timeout: float | None = None) -> None: ...
    def close(self, timeout: float | None = None) -> None: ...
