"""Streamlit glue: one settings object, one background consumer and one producer per
server process.

`st.cache_resource` objects are shared by every session of a server, so every browser
tab reads the same store, fed by one consumer, and writes through one producer.
"""

from __future__ import annotations

import logging
from typing import Any

import streamlit as st

from sales_monitor import masking
from sales_monitor.analysis.refresh import SharedViews
from sales_monitor.kafka.clients import close_producer, ensure_topic, make_producer
from sales_monitor.kafka.connection import Connection
from sales_monitor.kafka.interface import Producer
from sales_monitor.ops.service import OperationsService
from sales_monitor.settings import Settings
from sales_monitor.stream.consumer import StreamConsumer
from sales_monitor.stream.store import RecordStore

log = logging.getLogger(__name__)


@st.cache_resource
def load_settings() -> Settings:
    return Settings.from_env()


# on_release: what a cleared or evicted resource must do, so nothing is left to the GC
@st.cache_resource(on_release=lambda stream: stream.stop())
def shared_stream(key: str, _connection: Connection, topic: str, max_rows: int) -> StreamConsumer:
    """One per connection (`key` names it; the connection itself, password included, is
    not hashed: a leading underscore keeps Streamlit away from it)."""
    consumer = StreamConsumer(_connection, topic, RecordStore(max_rows))
    consumer.start()
    return consumer


@st.cache_resource(on_release=lambda producer: close_producer(producer, wait_s=1.0))
def shared_producer(key: str, _connection: Connection, topic: str, compression: str) -> Producer:
    """Made on the first write, with the topic made too if missing (once, not on every
    write); a broker that is down raises, and nothing is cached."""
    ensure_topic(_connection, topic)
    return make_producer(
        _connection, compression_type=None if compression == "none" else compression
    )


@st.cache_resource
def shared_views(key: str, max_age_s: float) -> SharedViews:
    """The Painel's computed views, shared by every tab reading the same consumer."""
    return SharedViews(max_age_s)


def views_for(settings: Settings) -> SharedViews:
    """One reading of the table per refresh interval, shared by the tabs' timed refreshes."""
    key = f"{_key(settings.connection)}/{settings.topic}"
    return shared_views(key, settings.refresh_seconds)


def _key(connection: Connection) -> str:
    user = connection.username or ""
    return f"{connection.security_protocol}://{user}@{connection.bootstrap_servers}"


def stream_for(settings: Settings) -> StreamConsumer:
    """The shared consumer; one whose thread has ended (it never should: it restarts itself
    after any error) is replaced by a new one, which reads the topic again."""
    connection = settings.connection
    args = (_key(connection), connection, settings.topic, settings.max_rows)
    stream = shared_stream(*args)
    if stream.ident is not None and not stream.is_alive():  # started, then ended
        log.error("o leitor do tópico tinha parado; começando outro")
        shared_stream.clear(*args)
        stream = shared_stream(*args)
    return stream


def producer_for(settings: Settings) -> Producer:
    connection = settings.connection
    return shared_producer(_key(connection), connection, settings.topic, settings.compression)


@st.cache_resource(on_release=lambda service: service.stop())
def shared_operations(key: str, _settings: Settings) -> OperationsService:
    """The metrics port and the alerts, once per server process, whatever the tabs."""
    return OperationsService(_settings, stream_for(_settings)).start()


def operations_for(settings: Settings) -> OperationsService:
    return shared_operations(_key(settings.connection) + settings.topic, settings)


@st.cache_resource
def _masked_tables() -> dict[str, Any]:
    return {}


def masked_snapshot(version: int, table: Any) -> Any:
    """The table with names and ages masked, made once per table version for every
    session that sees it masked."""
    kept = _masked_tables()
    made = kept.get("newest")  # (version, table), replaced whole
    if made is None or made[0] != version:
        made = (version, masking.masked_table(table))
        kept["newest"] = made
    return made[1]


@st.cache_resource
def city_lists() -> dict[str, Any]:
    """The city filter's list for the newest table, kept for every session of the server."""
    return {}
