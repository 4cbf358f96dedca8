"""Streamlit glue: one settings object and one background consumer per server process.

`st.cache_resource` objects are shared by every session of a server, so every browser
tab reads the same store, fed by one consumer.
"""

from __future__ import annotations

import streamlit as st

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
