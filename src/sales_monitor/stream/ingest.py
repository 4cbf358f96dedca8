"""One partition's polled messages into what the store takes and the page lists: pure,
apart from the write order it moves on."""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass

from sales_monitor.kafka.interface import Message
from sales_monitor.record import FIELDS, KAFKA_MS_MAX, Rejection, SaleRecord, Tombstone, decode
from sales_monitor.record_columns import SaleColumns, decode_columns
from sales_monitor.stream.store import WriteOrder

RAW_TEXT_LIMIT = 200
# what a rejection is about, few enough to be a metric's label: a field of the record, the
# key, the JSON itself, a message with neither key nor value, one the client cannot read
REASON_KINDS = ("chave", "json", *FIELDS, "vazia", "ilegivel", "outro")
_FIELD = re.compile(r"campo '(\w+)'")

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Rejected:
    """A message the table refused: where it is in the topic, its text, and why."""

    partition: int
    offset: int
    raw: str
    reason: str


@dataclass(frozen=True, slots=True)
class Ingested:
    """One partition's polled messages, as the store takes them and the page lists them:
    the changes, or (`ingest_columns`, every message a record) the records as columns."""

    changes: list[SaleRecord | Tombstone]
    versions: list[int]
    rejected: list[Rejected]
    columns: SaleColumns | None = None


def ingest_columns(messages: Sequence[Message], order: WriteOrder, partition: int) -> Ingested:
    """`ingest`, with the records as columns when the whole poll is in our writers' own
    form (`record_columns`), which costs a fraction of decoding each message. Never raises:
    should the batch path ever fail, each message is decoded on its own, and it is logged."""
    try:
        columns = decode_columns(messages)
    except Exception:
        log.exception("a leitura em lote falhou em %s; lendo mensagem a mensagem", partition)
        columns = None
    if columns is None:
        return ingest(messages, order, partition)
    return Ingested([], order.versions(partition, [m.timestamp for m in messages]), [], columns)


def ingest(messages: Sequence[Message], order: WriteOrder, partition: int) -> Ingested:
    """Decode consecutive messages of one partition. Pure but for `order`, which moves on;
    never raises: `decode` is total (property tests and fuzzing say so), and should it ever
    raise anyway, that message alone is rejected, and logged."""
    versions = order.versions(partition, [m.timestamp for m in messages])
    changes: list[SaleRecord | Tombstone] = []
    kept: list[int] = []
    rejected: list[Rejected] = []
    for message, version in zip(messages, versions, strict=True):
        try:
            decoded = decode(message.key, message.value, message.headers)
        except Exception as error:
            log.exception("decode falhou em %s/%s", message.partition, message.offset)
            decoded = Rejection(f"erro inesperado ao ler a mensagem ({type(error).__name__})")
        if isinstance(decoded, Rejection):
            rejected.append(invalid_message(message, decoded))
        else:
            changes.append(decoded)
            kept.append(version)
    return Ingested(changes, kept, rejected)


def reason_kind(reason: str) -> str:
    """The kind of a rejection's reason, one of REASON_KINDS (the contract's sentences
    start with what they are about)."""
    if reason.startswith("mensagem sem chave"):
        return "vazia"
    if reason.startswith(("chave", "id da chave")):
        return "chave"
    if reason.startswith(("valor não é JSON", "valor JSON")):
        return "json"
    if reason.startswith("o cliente Kafka"):
        return "ilegivel"
    named = _FIELD.match(reason)
    about = named[1] if named else reason.split(" ", 1)[0]
    return about if about in FIELDS else "outro"


def arrival_delays(messages: Sequence[Message], arrived: float) -> list[tuple[float, int]]:
    """(arrival, ms from the message's timestamp to the table) of up to 100 messages of a
    poll (enough for p95); messages without a plausible timestamp are left out."""
    now_ms, step = round(arrived * 1000), max(1, len(messages) // 100)
    stamps = (m.timestamp for m in messages[::step])
    return [(arrived, now_ms - t) for t in stamps if type(t) is int and 0 <= t <= KAFKA_MS_MAX]


def invalid_message(message: Message, rejection: Rejection) -> Rejected:
    value = message.value
    if value is None:
        raw = "(nulo)"
    else:  # only the start is shown: decode no more than could be
        raw = value[: 4 * RAW_TEXT_LIMIT].decode("utf-8", "replace")
        if len(raw) > RAW_TEXT_LIMIT or len(value) > 4 * RAW_TEXT_LIMIT:
            raw = raw[:RAW_TEXT_LIMIT] + "…"
    return Rejected(message.partition, message.offset, raw, rejection.reason)
