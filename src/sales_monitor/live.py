"""Streamlit glue: one settings object, one background consumer and one producer per
server process.

`st.cache_resource` objects are shared by every session of a server, so every browser
tab reads the same store, fed by one consumer, and writes through one producer.
"""

from __future__ import annotations

import streamlit as st

from .kafka_io import make_producer
from .settings import Settings
from .store import RecordStore
from .stream import StreamConsumer


@st.cache_resource
def load_settings() -> Settings:
    return Settings.from_env()


@st.cache_resource
def shared_stream(bootstrap: str, topic: str, max_rows: int) -> StreamConsumer:
    consumer = StreamConsumer(bootstrap, topic, RecordStore(max_rows))
    consumer.start()
    return consumer


@st.cache_resource
def shared_producer(bootstrap: str):
    """Made on the first write; a broker that is down raises, and nothing is cached."""
    return make_producer(bootstrap)


def stream_for(settings: Settings) -> StreamConsumer:
    return shared_stream(settings.bootstrap_servers, settings.topic, settings.max_rows)
