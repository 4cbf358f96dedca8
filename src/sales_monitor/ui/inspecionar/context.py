"""What every tab of Inspecionar shares: the settings, the topic's reader, the dashboard's
stream, the producer, and how a Kafka failure is shown."""

import streamlit as st

from sales_monitor.access import Role
from sales_monitor.errors import KafkaFailure
from sales_monitor.escaping import markdown_literal as literal
from sales_monitor.kafka import browse
from sales_monitor.kafka.publish import Publisher
from sales_monitor.settings import Settings
from sales_monitor.stream.consumer import StreamConsumer
from sales_monitor.ui import gate, icons, resources

SOURCE = "inspetor"  # the `origem` of what this page writes, unless the person sets another
state = st.session_state


def settings() -> Settings:
    return gate.page_settings()  # app.py has checked them; read-only below operação


def reader() -> browse.TopicReader:
    return browse.TopicReader(settings().connection, settings().topic)


def stream() -> StreamConsumer:
    return resources.stream_for(settings())


def writable() -> bool:
    return not settings().read_only


def refused() -> bool:
    """Checked where a write runs: a session below operação (or a read-only server) that
    reaches it anyway gets nothing done."""
    return not gate.may(Role.OPERACAO)


def publisher() -> Publisher:
    """Raises KafkaFailure where the broker does not answer."""
    return Publisher(resources.producer_for(settings()), settings().topic, SOURCE)


def kafka_unavailable(error: KafkaFailure) -> None:
    st.error(f"Kafka indisponível: {literal(str(error))}", icon=icons.OFFLINE)


def kafka_down(error: KafkaFailure) -> None:
    """Kafka does not answer: say so and draw nothing more of the page."""
    kafka_unavailable(error)
    st.stop()


def show_result(name: str) -> None:
    if (result := state.get(name)) is not None:
        kind, text = result
        getattr(st, kind)(text)
