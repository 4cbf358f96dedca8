"""The seam to Kafka: the clients the project uses, built and wrapped here.

Every client is built from a `Connection` (address and security). kafka-python 3 reports
a missing broker, a refused password or an untrusted certificate alike as a bootstrap
timeout; callers here get `BrokerUnavailable` with the cause, in words a person can act on.
Past construction, every kafka-python error becomes a `KafkaFailure` (`translated`), its
cause kept.
"""

from __future__ import annotations

import contextlib
import logging
import re
import threading
from collections.abc import Iterable, Iterator
from typing import Any

from kafka import KafkaAdminClient, KafkaConsumer, KafkaProducer, TopicPartition
from kafka import errors as kafka_errors
from kafka.errors import (
    CorruptRecordError,
    IllegalStateError,
    KafkaError,
    KafkaTimeoutError,
    OffsetOutOfRangeError,
    TopicAlreadyExistsError,
    UnsupportedCodecError,
)
from kafka.net.compat import KafkaNetClient

from sales_monitor.errors import (
    START_HINT,
    BrokerUnavailable,
    DeliveryAborted,
    KafkaFailure,
    OffsetsOutOfRange,
    UnreadableBatch,
    UnreadableMessage,
)
from sales_monitor.kafka import _workarounds
from sales_monitor.kafka._workarounds import (
    TrackedTLS,
    abort_pending,
    drop_buffered,
    record_fetch_bounds,
    set_fetch_wait,
    topic_id,
    unreadable_partition,
)
from sales_monitor.kafka.connection import Connection, as_connection
from sales_monitor.kafka.interface import Message

log = logging.getLogger(__name__)

BOOTSTRAP_TIMEOUT_MS = 5_000
POSITION_TIMEOUT_MS = 10_000
HANDSHAKE_GRACE_S = 1.0


_workarounds.close_dropped_sockets()


# kafka-python's errors in a person's words; its own (English) text goes to the log.
KAFKA_REASONS = {
    kafka_errors.KafkaConnectionError: "a conexão com o broker caiu ou foi recusada",
    kafka_errors.KafkaTimeoutError: "o Kafka não respondeu a tempo",
    kafka_errors.RequestTimedOutError: "o broker não respondeu a tempo",
    kafka_errors.NodeNotReadyError: "o broker ainda não está pronto",
    kafka_errors.BrokerNotAvailableError: "o broker não está disponível",
    kafka_errors.MessageSizeTooLargeError: "a mensagem é grande demais para o broker",
    kafka_errors.RecordListTooLargeError: "o lote de mensagens é grande demais para o broker",
    kafka_errors.UnknownTopicOrPartitionError: "o tópico ou a partição não existe",
    kafka_errors.InvalidTopicError: "o nome do tópico não é válido",
    kafka_errors.InvalidPartitionsError: "número de partições inválido",
    kafka_errors.NotLeaderForPartitionError: "a partição está trocando de líder; tente de novo",
    kafka_errors.LeaderNotAvailableError: "a partição está sem líder agora; tente de novo",
    kafka_errors.NotEnoughReplicasError: "réplicas insuficientes para confirmar a escrita",
    kafka_errors.NotEnoughReplicasAfterAppendError: "réplicas insuficientes para confirmar",
    kafka_errors.TopicAuthorizationFailedError: "sem permissão para este tópico",
    kafka_errors.ClusterAuthorizationFailedError: "sem permissão no cluster",
    kafka_errors.SaslAuthenticationFailedError: "usuário ou senha recusados",
    kafka_errors.InvalidTimestampError: (
        "o broker recusou o timestamp da mensagem (longe demais do relógio dele)"
    ),
    kafka_errors.CorruptRecordError: "o broker recebeu uma mensagem corrompida",
    kafka_errors.InvalidRecordError: "o broker recusou a mensagem (inválida para o tópico)",
    kafka_errors.PolicyViolationError: "a operação viola uma política do broker",
    kafka_errors.UnsupportedVersionError: "o broker não suporta esta operação",
}


def kafka_reason(error: Exception) -> str:
    """A kafka-python error as a sentence in Portuguese; an unusual one is named, for a
    search, and its own text is logged."""
    log.debug("erro do kafka-python: %r", error)
    for kind in type(error).__mro__:
        if kind in KAFKA_REASONS:
            return KAFKA_REASONS[kind]
    return f"erro do Kafka ({type(error).__name__})"


# What kafka-python logs when a connection fails, and what it means for a person.
_CAUSES = [
    (("connection refused", "econnrefused"),
     "a conexão foi recusada: nada escuta nesse endereço", START_HINT),
    (("certificate verify failed", "self-signed certificate", "unable to get local issuer"),
     "o certificado do broker não é confiável", "confira KAFKA_SSL_CAFILE"),
    (("hostname mismatch", "doesn't match", "ip address mismatch"),
     "o certificado do broker não vale para este endereço", "confira o nome em KAFKA_BOOTSTRAP_SERVERS"),  # noqa: E501
    (("alert bad certificate", "alert certificate required", "alert unknown ca"),
     "o broker recusou o certificado do cliente (ou a falta dele)",
     "confira KAFKA_SSL_CERTFILE e KAFKA_SSL_KEYFILE"),
    (("wrong version number", "unknown protocol", "record layer failure", "packet length too long"),
     "o broker não fala TLS nesta porta", "confira KAFKA_SECURITY_PROTOCOL"),
    (("authentication failed", "authenticationfailed", "invalid credentials", "invalid username or password"),  # noqa: E501
     "usuário ou senha recusados", "confira KAFKA_SASL_USERNAME e KAFKA_SASL_PASSWORD"),
    (("unsupportedsaslmechanism", "unsupported sasl mechanism"),
     "o broker não aceita esse mecanismo SASL", "confira KAFKA_SASL_MECHANISM"),
]  # fmt: skip


class _Log(logging.Handler):
    """What kafka-python says while a client is being built (its errors are only logged)."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(record.getMessage().lower())


_SPOKE_KAFKA = re.compile(r"broker_version=\(\d[^)]*\) \(disconnected\)>: connection lost")


def _sasl_cut_short(lines: list[str]) -> bool:
    """The broker answered as Kafka (its version was read) and then hung up: with SASL,
    that is the exchange refused. Apache Kafka closes right after refusing a mechanism or
    a password, and kafka-python reads the refusal itself only sometimes."""
    return any(_SPOKE_KAFKA.search(line) for line in lines)


def diagnose(lines: list[str], connection: Connection) -> tuple[str, str] | None:
    """(cause, what to check) from kafka-python's log of a failed bootstrap, if it says."""
    text = "\n".join(lines)
    for needles, cause, hint in _CAUSES:
        if any(needle in text for needle in needles):
            return cause, hint
    if connection.sasl_mechanism and _sasl_cut_short(lines):
        cause = "o broker encerrou a conexão na autenticação: mecanismo SASL, usuário ou senha recusados?"  # noqa: E501
        return cause, "confira KAFKA_SASL_MECHANISM, KAFKA_SASL_USERNAME e KAFKA_SASL_PASSWORD"
    if connection.uses_tls and any(w in text for w in ("timed out", "disconnected", "handshake")):
        return ("a conexão TLS não se completou: a porta fala TLS?",
                "confira KAFKA_SECURITY_PROTOCOL e a porta")  # fmt: skip
    if not connection.uses_tls and "disconnected" in text and "refused" not in text:
        return ("o broker fechou a conexão: ele espera TLS?",
                "confira KAFKA_SECURITY_PROTOCOL")  # fmt: skip
    return None


def ensure_topic(target: Connection | str, topic: str, partitions: int = 1) -> int:
    """Create `topic` if it is missing; return its partition count.

    Creating it ourselves matters: a broker that auto-creates topics (Tansu does) would
    pick its own partition count on the first produce.
    """
    connection = as_connection(target)
    admin = build(KafkaAdminClient, connection, bootstrap_timeout_ms=BOOTSTRAP_TIMEOUT_MS)
    try:
        with contextlib.suppress(TopicAlreadyExistsError):
            admin.create_topics(
                {topic: {"num_partitions": partitions, "replication_factor": 1}},
                wait_for_metadata=True,
            )
        (described,) = admin.describe_topics([topic])
        return len(described["partitions"])
    except KafkaError as error:
        raise BrokerUnavailable(connection.bootstrap_servers, kafka_reason(error)) from error
    finally:
        admin.close()


def probe(target: Connection | str, timeout_ms: int = 2_000) -> None:
    """Return if a Kafka broker answers, else raise BrokerUnavailable."""
    build(KafkaAdminClient, target, bootstrap_timeout_ms=timeout_ms).close()


def build(client_class: Any, target: Connection | str, **config: Any) -> Any:
    """A kafka-python admin, producer or consumer, or BrokerUnavailable.

    kafka-python 3's constructors connect and bootstrap; when that times out they raise
    without closing the network client they made, leaving its connected socket and I/O
    thread to the garbage collector. We hand them a client factory that remembers what it
    made, so a failed construction closes it here.
    """
    connection = as_connection(target)
    made: list[KafkaNetClient] = []

    def tracked_client(**kwargs: Any) -> KafkaNetClient:
        made.append(KafkaNetClient(**kwargs))
        return made[-1]

    tls = TrackedTLS.for_connection(connection)

    def close_made() -> None:
        for client in made:
            client.close()
        if tls is not None:
            tls.close_all()  # a socket still in its handshake is not the client's yet

    # kafka-python 3 can wait forever for a TLS handshake a plaintext port never answers:
    # past the bootstrap bound, closing its client fails the wait
    limit_s = config.get("bootstrap_timeout_ms", BOOTSTRAP_TIMEOUT_MS) / 1000 + HANDSHAKE_GRACE_S
    guard = threading.Timer(limit_s, close_made)
    log, kafka_log = _Log(), logging.getLogger("kafka")
    kafka_log.addHandler(log)
    guard.start()
    try:
        tls_config = {} if tls is None else {"ssl_context": tls}
        client = client_class(
            bootstrap_servers=connection.bootstrap_servers, kafka_client=tracked_client,
            **connection.client_config(), **tls_config, **config,
        )  # fmt: skip
        if tls is not None:
            tls.stop_tracking()
        return client
    except Exception as error:
        if not isinstance(error, KafkaError) and not guard.finished.is_set():
            raise
        close_made()
        found = diagnose(log.lines, connection)
        if found is None:
            cause = kafka_reason(error) if isinstance(error, KafkaError) else "sem resposta"
            raise BrokerUnavailable(connection.bootstrap_servers, cause) from error
        raise BrokerUnavailable(connection.bootstrap_servers, found[0], found[1]) from error
    finally:
        guard.cancel()
        kafka_log.removeHandler(log)


def make_producer(target: Connection | str, **tuning: Any) -> KafkaProducer:
    """A producer that survives broker restarts.

    Idempotence is off: kafka-python 3 turns it on by default, and an idempotent
    producer never recovers after an in-memory broker restarts.
    """
    config = {
        "linger_ms": 5,
        "batch_size": 256 * 1024,
        "max_block_ms": 10_000,
        "acks": "all",  # acknowledged only once the in-sync replicas have it (a cluster)
        "enable_idempotence": False,
        "allow_auto_create_topics": False,
        "bootstrap_timeout_ms": BOOTSTRAP_TIMEOUT_MS,
    } | tuning
    return build(KafkaProducer, target, **config)


# How long the broker may hold a fetch it has nothing for. Measured on the embedded broker
# (`uv run bench --only latency`, and an idle consumer's CPU): 250 ms gives a produce-to-
# table p50/p95 of 68/130 ms at 1,000 records/s and 0.010 cores idle; 500 ms 130/249 ms;
# 1 s 251/482 ms and 0.003 cores. Flowing records get the short wait; a stream quiet for
# a while the long one (`KafkaTopicConsumer.fetch_wait`), where a record that ends the
# quiet still came back in 3 to 25 ms (the broker answers a held fetch when it arrives)
FETCH_WAIT_MS = 250
QUIET_FETCH_WAIT_MS = 1_000


def make_consumer(target: Connection | str, **tuning: Any) -> KafkaConsumer:
    """A group-less consumer: callers `assign()` partitions themselves, so every reader
    sees every message (a shared group would split them between readers). It reads
    committed data only: a sale of an aborted transaction never counts, and one of an open
    transaction counts once it commits."""
    config = {
        "isolation_level": "read_committed",
        "enable_auto_commit": False,
        "allow_auto_create_topics": False,
        "auto_offset_reset": "earliest",
        "fetch_max_wait_ms": FETCH_WAIT_MS,
        "max_partition_fetch_bytes": 4 * 1024 * 1024,
        "bootstrap_timeout_ms": BOOTSTRAP_TIMEOUT_MS,
    } | tuning
    return build(KafkaConsumer, target, **config)


def close_producer(producer: KafkaProducer, wait_s: float) -> None:
    """Deliver what is pending for up to `wait_s` seconds, then close; never raises.

    kafka-python 3's `close()` flushes first and raises when records are still waiting
    (a broker that went away), before it stops its I/O thread, and tries again at exit
    with more tracebacks. Here records that cannot be delivered in time are aborted, so
    their errbacks count them as failed, and the producer is closed for good.
    """
    try:
        producer.flush(timeout=wait_s)
    except KafkaTimeoutError:
        abort_pending(producer, wait_s)
    with contextlib.suppress(KafkaError):
        producer.close(timeout=wait_s)


UNREADABLE = (  # the reason shown for a message kafka-python cannot parse
    "o cliente Kafka não consegue ler esta mensagem "
    "(nome de cabeçalho que não é UTF-8, ou lote corrompido)"
)


def failure(error: Exception) -> KafkaFailure:
    """A kafka-python error as the project's: a record aborted at close is `DeliveryAborted`."""
    if isinstance(error, KafkaFailure):
        return error
    found: KafkaFailure
    if isinstance(error, IllegalStateError):
        found = DeliveryAborted("o registro foi abortado ao fechar o produtor")
    else:
        found = KafkaFailure(kafka_reason(error))
        found.unreachable = isinstance(error, UNREACHABLE_ERRORS)
    found.__cause__ = error
    return found


UNREACHABLE_ERRORS = (
    kafka_errors.KafkaConnectionError,
    kafka_errors.KafkaTimeoutError,
    kafka_errors.RequestTimedOutError,
    kafka_errors.NodeNotReadyError,
    kafka_errors.BrokerNotAvailableError,
)


@contextlib.contextmanager
def translated() -> Iterator[None]:
    """Inside: any kafka-python error leaves as a `KafkaFailure`, the original its cause."""
    try:
        yield
    except KafkaError as error:
        raise failure(error) from error


def _codec_reason(error: Exception) -> str:
    """Why a batch cannot be decoded, for a person."""
    text = str(error)
    if isinstance(error, UnsupportedCodecError):
        for codec in ("snappy", "lz4", "zstd", "gzip"):
            if codec in text:
                return f"lote comprimido em {codec}, que este cliente Kafka não consegue ler"
        return "lote com uma compressão que este cliente Kafka não conhece"
    return f"lote comprimido corrompido ({type(error).__name__})"


class KafkaTopicConsumer:
    """`interface.TopicConsumer` on kafka-python's KafkaConsumer (not thread-safe: one
    thread uses it)."""

    def __init__(self, consumer: KafkaConsumer, topic: str):
        self._consumer, self.topic = consumer, topic
        self._bounds = record_fetch_bounds(consumer)

    def _tp(self, partition: int) -> TopicPartition:
        return TopicPartition(self.topic, partition)

    def partitions(self) -> list[int]:
        with translated():
            return sorted(self._consumer.partitions_for_topic(self.topic) or ())

    def topic_id(self) -> str | None:
        return topic_id(self._consumer, self.topic)

    def assign(self, partitions: Iterable[int]) -> None:
        with translated():
            self._consumer.assign([self._tp(p) for p in partitions])

    def pause(self, partition: int) -> None:
        self._consumer.pause(self._tp(partition))

    def resume(self, partition: int) -> None:
        """Fetch the partition again, from its position: what the client held of its last
        fetch (a batch it could not decode) is let go."""
        drop_buffered(self._consumer, self._tp(partition))
        self._consumer.resume(self._tp(partition))

    def seek(self, partition: int, offset: int) -> None:
        with translated():
            self._consumer.seek(self._tp(partition), offset)

    def seek_to_beginning(self, partitions: Iterable[int]) -> None:
        with translated():
            self._consumer.seek_to_beginning(*(self._tp(p) for p in partitions))

    def position(self, partition: int) -> int:
        with translated():
            found = self._consumer.position(self._tp(partition), timeout_ms=POSITION_TIMEOUT_MS)
        if found is None:  # a partition whose offsets the broker did not say in time
            raise KafkaFailure(f"a posição na partição {partition} não pôde ser lida")
        return found

    def highwater(self, partition: int) -> int | None:
        return self._consumer.highwater(self._tp(partition))

    def stable_end(self, partition: int) -> int | None:
        """The last stable offset as of the last fetch: where a committed read ends now.
        The highwater where the broker does not say (None before any fetch)."""
        stable, _ = self._bounds.get(self._tp(partition), (-1, -1))
        return stable if stable >= 0 else self.highwater(partition)

    def beginning_offsets(self, partitions: Iterable[int]) -> dict[int, int]:
        with translated():
            found = self._consumer.beginning_offsets([self._tp(p) for p in partitions])
        return {tp.partition: offset for tp, offset in found.items()}

    def end_offsets(self, partitions: Iterable[int]) -> dict[int, int]:
        with translated():
            found = self._consumer.end_offsets([self._tp(p) for p in partitions])
        return {tp.partition: offset for tp, offset in found.items()}

    def poll(self, timeout_ms: int, max_records: int) -> dict[int, list[Message]]:
        try:
            polled = self._consumer.poll(timeout_ms=timeout_ms, max_records=max_records)
        except CorruptRecordError as error:
            tp = unreadable_partition(self._consumer)
            if tp is None:  # not known: the caller's fresh start after an error tries again
                raise failure(error) from error
            raise UnreadableMessage(tp.partition, self._consumer.position(tp)) from error
        except OffsetOutOfRangeError as error:
            (offsets,) = error.args or ({},)
            found = {tp.partition: offset for tp, offset in dict(offsets).items()}
            raise OffsetsOutOfRange(found) from error
        except KafkaError as error:
            if isinstance(error, UnsupportedCodecError):
                raise self._unreadable_batch(error) from error
            raise failure(error) from error
        except Exception as error:  # a codec library failing on a corrupt batch
            raise self._unreadable_batch(error) from error
        return {tp.partition: messages for tp, messages in polled.items()}

    def _unreadable_batch(self, error: Exception) -> KafkaFailure:
        tp = unreadable_partition(self._consumer)
        if tp is None:
            log.warning("lote ilegível numa partição desconhecida: %r", error)
            return failure(error if isinstance(error, KafkaError) else KafkaError(repr(error)))
        log.warning("lote ilegível em %s: %r", tp, error)
        found = UnreadableBatch(tp.partition, self._consumer.position(tp), _codec_reason(error))
        drop_buffered(self._consumer, tp)  # so the next poll fetches it again (and says so)
        return found

    def check(self) -> None:
        with translated():
            self._consumer.topics()

    def fetch_wait(self, quiet: bool) -> None:
        """The long fetch wait while the stream is quiet, the short one while it flows."""
        set_fetch_wait(self._consumer, QUIET_FETCH_WAIT_MS if quiet else FETCH_WAIT_MS)

    def close(self) -> None:
        with contextlib.suppress(KafkaError):
            self._consumer.close()


def open_consumer(target: Connection | str, topic: str, **tuning: Any) -> KafkaTopicConsumer:
    """A group-less consumer of `topic` (see `make_consumer`), or BrokerUnavailable."""
    return KafkaTopicConsumer(make_consumer(target, **tuning), topic)
