"""Mensagens: the topic's messages, newest first in stable pages or live as they arrive,
each with its headers, its contract verdict and a button that loads it into the editor."""

from dataclasses import replace
from datetime import datetime, time

import streamlit as st

from sales_monitor.errors import KafkaFailure
from sales_monitor.escaping import code_span
from sales_monitor.escaping import markdown_literal as literal
from sales_monitor.kafka import browse
from sales_monitor.kafka.headers import headers_text
from sales_monitor.ptbr import WHEN, count_of, format_int
from sales_monitor.record import SAO_PAULO, SOURCE_HEADER, Rejection, Tombstone
from sales_monitor.ui import gate, icons
from sales_monitor.ui.inspecionar import context
from sales_monitor.ui.inspecionar.context import state

TAIL_EVERY_S = 2.0
EXPORT_LIMIT = 10_000  # messages one export holds at most, newest first


def first_page() -> None:
    state.browse_page = 1


def new_query() -> None:
    """The query changed: back to page 1 (read at the topic's ends as they are now), the
    offset start at its default, the live tail from the newest."""
    first_page()
    state.pop("browse_offset", None)
    state.pop("tail", None)


def message_label(message: browse.Listed) -> str:
    """One line: where and when, key, origem, verdict and size; Markdown whose every piece
    from the topic is literal (the key and origem as code, the reason escaped)."""
    when = "sem data válida" if message.timestamp is None else message.timestamp.strftime(WHEN)
    key = "sem chave" if message.key is None else f"chave {code_span(_short(message.key, 60))}"
    verdict = message.verdict
    if isinstance(verdict, Rejection):
        shown = f"rejeitado: {literal(_short(verdict.reason, 120))}"
    else:
        shown = "tombstone" if isinstance(verdict, Tombstone) else "aceito"
    return (
        f"partição {message.partition} · offset {message.offset} · {when} · {key} · "
        f"origem {code_span(message.source)} · {shown} · "
        f"{count_of(message.size, 'byte', 'bytes')}"
    )


def _short(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[:limit] + "…"


def verdict_icon(message: browse.Listed) -> str:
    if isinstance(message.verdict, Rejection):
        return icons.REJECTED
    return icons.DELETED if isinstance(message.verdict, Tombstone) else icons.ACCEPTED


def load_into_editor(message: browse.Listed) -> None:
    """Reenviar: the message in the editor, and the Enviar tab open; a message the contract
    refuses opens in raw-text mode, so it can be sent again as it was."""
    state.editor_key = message.key or ""
    state.editor_value = "" if message.value is None else browse.pretty_json(message.value)
    state.editor_headers = headers_text(message.headers, skip=SOURCE_HEADER)
    state.editor_raw = isinstance(message.verdict, Rejection)
    state.editor_result = ("info", f"Mensagem do offset {message.offset} carregada no editor.")
    state.inspecionar_tab = "Enviar"


def draw_messages(messages: list[browse.Listed], live: bool = False) -> None:
    opened = state.get("browse_open", False)
    for message in messages:
        with st.expander(message_label(message), expanded=opened, icon=verdict_icon(message)):
            if message.headers:  # as code: text from the topic is shown literally
                st.code(headers_text(message.headers), language=None)
            else:
                st.caption("Sem cabeçalhos.")
            st.code(message.pretty_value, language="json")
            kind = message.timestamp_kind
            st.caption(f"Timestamp {message.timestamp_ms} ms" + (f" ({kind})" if kind else ""))
            where = f"{message.partition}-{message.offset}"
            if (
                context.writable()
                and st.button(
                    "Reenviar",
                    key=f"resend-{where}",
                    on_click=load_into_editor,
                    args=(message,),
                    help="Abre esta mensagem no editor da aba Enviar",
                )
                and live
            ):
                st.rerun()  # from the live fragment: the whole page, so the tab opens


def messages_tab(offsets: list[browse.PartitionOffsets]) -> None:
    """The topic's messages: newest first in stable pages, or live as they arrive."""
    where, start, search = st.columns([1, 2, 2])
    partition = where.selectbox(
        "Partição",
        [None, *(o.partition for o in offsets)],
        key="browse_partition",
        format_func=lambda p: "Todas" if p is None else str(p),
        on_change=new_query,
    )
    mode = start.radio(
        "Mostrar",
        ["Mais recentes", "Ao vivo", "Até um offset", "Até uma data"],
        horizontal=True,
        key="browse_mode",
        on_change=new_query,
    )
    needle = search.text_input(
        "Buscar (valor, chave, cabeçalhos ou offset)",
        max_chars=200,
        key="browse_search",
        on_change=new_query,
        help="Sem diferença entre maiúsculas e minúsculas nem acentos",
    ).strip()
    st.toggle("Abrir os detalhes de todas", key="browse_open")
    if mode == "Ao vivo":
        live_tail(partition, needle)
        return
    chosen = [o for o in offsets if partition is None or o.partition == partition]
    from_offset = before = None
    if mode == "Até um offset":
        newest = max((o.latest - 1 for o in chosen if o.messages), default=0)
        state.setdefault("browse_offset", newest)
        from_offset = st.number_input(
            "Offset mais novo a mostrar (a página mostra este e os anteriores de cada "
            "partição escolhida)",
            min_value=0,
            step=1,
            key="browse_offset",
            on_change=first_page,
        )
    elif mode == "Até uma data":
        day, moment = st.columns(2)
        chosen_day = day.date_input("Até o dia", format="DD/MM/YYYY", on_change=new_query)
        chosen_time = moment.time_input("e a hora", time(23, 59), step=60, on_change=new_query)
        before = datetime.combine(chosen_day, chosen_time, SAO_PAULO)
    size, number = st.columns(2)
    per_page = size.number_input(
        "Mensagens por página", 1, 500, 50, key="browse_per_page", on_change=new_query
    )
    state.setdefault("browse_page", 1)
    page_number = number.number_input("Página (1 = mais recentes)", 1, step=1, key="browse_page")
    # page 1 is read at the topic's ends as they are now; later pages below the ends page 1
    # was read at, so paging never repeats or skips a message while the topic grows
    tops = None if page_number == 1 else state.get("browse_tops")
    query = browse.Query(partition, from_offset, before, needle, per_page, page_number - 1, tops)
    try:
        page = context.reader().browse(query)
    except KafkaFailure as error:
        context.kafka_down(error)
    state.browse_tops = page.tops
    arrived = sum(max(0, o.latest - page.tops.get(o.partition, o.latest)) for o in chosen)
    st.caption(
        f"{count_of(len(page.messages), 'mensagem', 'mensagens')} nesta página · "
        f"{count_of(page.scanned, 'lida', 'lidas')} para responder"
        + (" · há páginas mais antigas" if page.more else "")
        + (f" · {count_of(arrived, 'nova chegou', 'novas chegaram')} depois" if arrived else "")
    )
    refresh, export = st.columns(2)
    refresh.button(
        "Atualizar",
        on_click=new_query,
        icon=icons.REFRESH,
        help="As páginas seguintes ficam presas ao tópico como ele estava quando a página 1 "
        "foi lida: nada se repete nem some ao paginar. Atualizar volta à página 1, com as "
        "mensagens novas.",
    )
    export.download_button(
        f"Exportar esta busca (até {format_int(EXPORT_LIMIT)}, JSON Lines)",
        data=lambda: _exported(
            context.reader()
            .browse(replace(query, per_page=EXPORT_LIMIT, page=0, tops=page.tops))
            .messages
        ),
        file_name=f"{context.settings().topic}-{datetime.now(SAO_PAULO):%Y%m%d-%H%M%S}.jsonl",
        mime="application/jsonl",
        icon=icons.DOWNLOAD,
        on_click="ignore",
        help="Chave, valor, cabeçalhos, partição, offset e timestamp; a aba Enviar arquivo "
        "e `uv run send --file` leem este arquivo de volta.",
    )
    if page.cut_short:
        st.warning(f"Busca limitada às {format_int(browse.MAX_SCAN)} mensagens mais recentes.")
    draw_messages(page.messages)


def _exported(messages: list[browse.Listed]) -> bytes:
    data = browse.export_lines(messages)
    gate.audited("exportou", f"{len(messages)} mensagens do tópico (JSON Lines)")
    return data


def live_tail(partition: int | None, needle: str) -> None:
    st.toggle(
        "Pausar", key="tail_paused", help="Congela a lista; ao retomar, as que chegaram aparecem"
    )
    tail_view(partition, needle)


@st.fragment(run_every=TAIL_EVERY_S)
def tail_view(partition: int | None, needle: str) -> None:
    """The newest messages (at most TAIL_LIMIT), read again every TAIL_EVERY_S seconds."""
    tail = state.setdefault("tail", {"positions": None, "messages": []})
    if not state.get("tail_paused"):
        try:
            read = context.reader().tail(tail["positions"], partition, needle)
        except KafkaFailure as error:
            context.kafka_unavailable(error)
            return
        seen = {(m.partition, m.offset) for m in read.messages}
        kept = [m for m in tail["messages"] if (m.partition, m.offset) not in seen]
        tail["messages"] = (read.messages + kept)[: browse.TAIL_LIMIT]
        tail["positions"] = read.positions
    shown = tail["messages"]
    moment = datetime.now(SAO_PAULO).strftime("%H:%M:%S")
    status = "pausado" if state.get("tail_paused") else f"lido às {moment}"
    st.caption(
        f"Ao vivo ({status}): as {count_of(len(shown), 'mensagem', 'mensagens')} mais "
        f"recentes, no máximo {browse.TAIL_LIMIT}, a mais nova em cima."
    )
    draw_messages(shown, live=True)
