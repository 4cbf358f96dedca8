"""The top of Inspecionar: the topic, its partitions and counts, read again every few
seconds."""

import streamlit as st

from sales_monitor.errors import KafkaFailure
from sales_monitor.kafka import browse
from sales_monitor.ptbr import format_int
from sales_monitor.ui import icons
from sales_monitor.ui.inspecionar import context

OVERVIEW_EVERY_S = 5.0


def overview() -> list[browse.PartitionOffsets]:
    """Title, and the topic's partitions; stops the page if Kafka does not answer."""
    st.title("Inspecionar o tópico")
    st.caption(f"Tópico `{context.settings().topic}` em `{context.settings().bootstrap_servers}`")
    if context.settings().read_only:
        st.info("Modo somente leitura: o envio de mensagens está desativado.", icon=icons.LOCKED)
    try:
        offsets = context.reader().offsets()
    except KafkaFailure as error:
        context.kafka_down(error)
    topic_numbers()
    return offsets


@st.fragment(run_every=OVERVIEW_EVERY_S)
def topic_numbers() -> None:
    """The counts, read again every few seconds, so they follow the topic."""
    try:
        offsets = context.reader().offsets()
    except KafkaFailure as error:
        context.kafka_unavailable(error)
        return
    parts, total, behind = st.columns(3)
    parts.metric("Partições", len(offsets))
    total.metric("Mensagens no tópico", format_int(sum(o.messages for o in offsets)))
    behind.metric("Atraso do painel (mensagens)", format_int(context.stream().status.lag))
    if not offsets:
        st.warning(
            f"O tópico '{context.settings().topic}' não existe ainda; o primeiro envio o cria."
        )
        return
    st.dataframe(
        [
            {
                "partição": str(o.partition),
                "primeiro offset": format_int(o.earliest),
                "último offset": format_int(o.latest - 1) if o.messages else "—",
                "mensagens": format_int(o.messages),
            }
            for o in offsets
        ],
        hide_index=True,
    )
