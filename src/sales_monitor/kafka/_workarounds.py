"""kafka-python 3's gaps, worked around in one place: each names what the client does and
why we step in. Nothing outside `sales_monitor.kafka` uses these."""

from __future__ import annotations

import ssl
import weakref
from typing import Any

from kafka import KafkaConsumer, KafkaProducer, TopicPartition
from kafka.net.inet import KafkaNetSocket
from kafka.net.selector import NetworkSelector

from sales_monitor.kafka.connection import Connection


def _closing_failed_connects(sock_connect: Any) -> Any:
    """kafka-python 3 leaves the socket of a failed or timed-out connect to the garbage
    collector (`KafkaNetSocket.sock_connect`): with a broker down, every retry leaks a file
    descriptor until a collection, and the tests saw it as an unclosed-socket warning.
    A socket that connects is remembered by its network loop (see `_closing_connected`)."""

    async def closing(
        self: Any, net: Any, sock: Any, sockaddr: Any, timeout_at: float | None = None
    ) -> Any:
        try:
            connected = await sock_connect(self, net, sock, sockaddr, timeout_at=timeout_at)
        except BaseException:
            sock.close()
            raise
        net.__dict__.setdefault("_connected_sockets", weakref.WeakSet()).add(connected)
        return connected

    closing.closes_failed_connects = True  # type: ignore[attr-defined]
    return closing


def _closing_connected(close: Any) -> Any:
    """kafka-python 3's transport, closed while a request is still buffered, waits for the
    write to finish before closing its socket; a client's `close()` then stops the network
    loop and cancels that write, and the socket is left to the garbage collector (a way a
    connected socket reaches it, as one did in CI, warning in a later test). Once the loop
    has stopped nothing will use its sockets again: close every one it connected. (A TLS
    socket replaces the one connected, so only plaintext sockets are covered.)"""

    def closing(self: Any) -> None:
        close(self)
        for sock in list(self.__dict__.pop("_connected_sockets", ())):
            sock.close()  # a no-op for one the client closed itself

    closing.closes_connected = True  # type: ignore[attr-defined]
    return closing


def close_dropped_sockets() -> None:
    """Patch `KafkaNetSocket.sock_connect` and `NetworkSelector.close` once per process."""
    if not getattr(KafkaNetSocket.sock_connect, "closes_failed_connects", False):
        KafkaNetSocket.sock_connect = _closing_failed_connects(KafkaNetSocket.sock_connect)
    if not getattr(NetworkSelector.close, "closes_connected", False):
        NetworkSelector.close = _closing_connected(NetworkSelector.close)


class TrackedTLS(ssl.SSLContext):
    """The TLS settings kafka-python would build from the connection, remembering the
    sockets it wraps while the client is being built: kafka-python drops a socket whose
    handshake failed without closing it, and a client given up on must leave none open."""

    @classmethod
    def for_connection(cls, connection: Connection) -> TrackedTLS | None:
        if not connection.uses_tls:
            return None
        context = cls(ssl.PROTOCOL_TLS_CLIENT)
        context.minimum_version = ssl.TLSVersion.TLSv1_2
        context.check_hostname = True
        if connection.ssl_cafile:
            context.load_verify_locations(connection.ssl_cafile)
        else:
            context.load_default_certs()
        if connection.ssl_certfile:
            context.load_cert_chain(connection.ssl_certfile, connection.ssl_keyfile)
        return context

    def wrap_socket(self, *args: Any, **kwargs: Any) -> ssl.SSLSocket:
        wrapped = super().wrap_socket(*args, **kwargs)
        if self.__dict__.get("tracking", True):
            self.__dict__.setdefault("_wrapped", []).append(wrapped)
        return wrapped

    def close_all(self) -> None:
        for wrapped in self.__dict__.pop("_wrapped", []):
            wrapped.close()

    def stop_tracking(self) -> None:
        """Built: from now on the client owns its sockets."""
        self.__dict__["tracking"] = False
        self.__dict__.pop("_wrapped", None)


def abort_pending(producer: KafkaProducer, wait_s: float) -> None:
    """Fail every record still waiting, so its errback runs (`close()` would raise
    instead, before stopping its I/O thread): no public call does this."""
    sender = producer._sender
    sender.force_close()
    sender.join(timeout=wait_s)


def unreadable_partition(consumer: KafkaConsumer) -> TopicPartition | None:
    """The partition whose next message kafka-python could not parse, right after `poll`
    raised CorruptRecordError (a header name that is not UTF-8, a bad checksum).

    kafka-python 3 keeps that partition's broken batch as the one to read next and never
    fetches the partition again, while `poll` returns nothing and raises no more; the way
    on is to seek past the message. The exception does not name the partition, so it is
    read from the fetcher (no public call says it).
    """
    fetcher = getattr(consumer, "_fetcher", None)
    pending = getattr(fetcher, "_next_in_line_exception_metadata", None)
    if pending is not None:
        return pending.partition
    return getattr(getattr(fetcher, "_next_partition_records", None), "topic_partition", None)


def set_fetch_wait(consumer: KafkaConsumer, wait_ms: int) -> None:
    """How long the broker may hold the consumer's next fetches when it has nothing to
    send. kafka-python reads `fetch_max_wait_ms` from its fetcher's config each time it
    builds a fetch, and no public call changes it after the consumer is made."""
    consumer._fetcher.config["fetch_max_wait_ms"] = wait_ms


FetchBounds = dict[TopicPartition, tuple[int, int]]  # (last stable offset, log start), -1: unsaid


def record_fetch_bounds(consumer: KafkaConsumer) -> FetchBounds:
    """Where each partition's readable part ends and starts, as the last fetch said.

    A fetch answer carries the partition's last stable offset (the end a `read_committed`
    reader can reach: an open transaction holds it below the highwater) and its log start
    (where retention or DeleteRecords left it); kafka-python keeps only the highwater. Its
    fetcher parses each answer in the consumer's own thread, in `poll`: the bounds are
    taken there, before the records.
    """
    bounds: FetchBounds = {}
    fetcher = consumer._fetcher
    parse = fetcher._parse_fetched_data

    def parsing(completed_fetch: Any) -> Any:
        data = completed_fetch.partition_data
        if data.error_code == 0:
            stable = getattr(data, "last_stable_offset", -1)
            start = getattr(data, "log_start_offset", -1)
            bounds[completed_fetch.topic_partition] = (stable, start)
        return parse(completed_fetch)

    fetcher._parse_fetched_data = parsing
    return bounds


def topic_id(consumer: KafkaConsumer, topic: str) -> str | None:
    """The topic's id from the last metadata answer (Kafka gives a topic a new one when it
    is re-created); None where the broker gives none."""
    found = consumer._client.cluster.topic_id(topic)
    if found is None or found.int == 0:
        return None
    return str(found)


def drop_buffered(consumer: KafkaConsumer, tp: TopicPartition) -> None:
    """Forget what kafka-python holds of a partition's last fetch, so the next poll fetches
    it again. A batch it could not decode stays held as the partition's next records (an
    empty iterator then), and a partition with held records is never fetched again; no
    public call lets go of it (a seek does not)."""
    fetcher = consumer._fetcher
    held = fetcher._next_partition_records
    if held is not None and held.topic_partition == tp:
        fetcher._next_partition_records = None
        held.drain()
    if (paused := fetcher._paused_partition_records.pop(tp, None)) is not None:
        paused.drain()
    fetcher._paused_completed_fetches.pop(tp, None)
