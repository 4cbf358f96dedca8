"""Inspecionar: the topic's offsets, its messages newest first or live, and writing to it by
hand.

Every write carries the header `origem: inspetor` (unless the person sets another) and is
checked by the record contract first, except in the clearly labeled raw-text mode, which
exists to test the dashboard's rejections; in read-only mode no write control is drawn.
"""

import json
from dataclasses import replace
from datetime import datetime, time

import streamlit as st

from sales_monitor.errors import KafkaFailure, UnreadableFile
from sales_monitor.escaping import code_span
from sales_monitor.escaping import markdown_literal as literal
from sales_monitor.fake_sales.faker import IdGenerator
from sales_monitor.files import formats
from sales_monitor.kafka import browse
from sales_monitor.kafka.headers import headers_text, parse_headers
from sales_monitor.kafka.publish import BulkSend, Publisher
from sales_monitor.ptbr import WHEN, count_of, format_int
from sales_monitor.record import (
    SAO_PAULO,
    SOURCE_HEADER,
    Rejection,
    SaleRecord,
    Tombstone,
    decode,
    parse_id,
)
from sales_monitor.ui import icons, resources

SOURCE = "inspetor"
TABS = ["Mensagens", "Enviar", "Apagar", "Enviar arquivo"]
TAIL_EVERY_S = 2.0
OVERVIEW_EVERY_S = 5.0
EXPORT_LIMIT = 10_000  # messages one export holds at most, newest first
AUTOMATIC = "automática (pela chave)"

settings = resources.load_settings()  # app.py has checked it
stream = resources.stream_for(settings)
reader = browse.TopicReader(settings.connection, settings.topic)
writable = not settings.read_only
state = st.session_state


def example_record() -> str:
    """The docs' example record (docs/usage.md), with a fresh id and the current time."""
    ids = state.setdefault("id_generator", IdGenerator())
    now = datetime.now(SAO_PAULO).strftime("%Y-%m-%dT%H:%M:%S")
    example = {
        "id": ids(),
        "nome": "Novo Usuario",
        "idade": 28,
        "cidade": "Recife",
        "valor": 450.00,
        "timestamp": now,
    }
    return json.dumps(example, indent=2, ensure_ascii=False)


def publisher() -> Publisher:
    """Raises KafkaFailure where the broker does not answer."""
    return Publisher(resources.producer_for(settings), settings.topic, SOURCE)


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


# -- Overview --------------------------------------------------------------------------
def overview() -> list[browse.PartitionOffsets]:
    """Title, and the topic's partitions; stops the page if Kafka does not answer."""
    st.title("Inspecionar o tópico")
    st.caption(f"Tópico `{settings.topic}` em `{settings.bootstrap_servers}`")
    if settings.read_only:
        st.info("Modo somente leitura: o envio de mensagens está desativado.", icon=icons.LOCKED)
    try:
        offsets = reader.offsets()
    except KafkaFailure as error:
        kafka_down(error)
    topic_numbers()
    return offsets


@st.fragment(run_every=OVERVIEW_EVERY_S)
def topic_numbers() -> None:
    """The counts, read again every few seconds, so they follow the topic."""
    try:
        offsets = reader.offsets()
    except KafkaFailure as error:
        kafka_unavailable(error)
        return
    parts, total, behind = st.columns(3)
    parts.metric("Partições", len(offsets))
    total.metric("Mensagens no tópico", format_int(sum(o.messages for o in offsets)))
    behind.metric("Atraso do painel (mensagens)", format_int(stream.status.lag))
    if not offsets:
        st.warning(f"O tópico '{settings.topic}' não existe ainda; o primeiro envio o cria.")
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


# -- Browsing --------------------------------------------------------------------------
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
                writable
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
        page = reader.browse(query)
    except KafkaFailure as error:
        kafka_down(error)
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
        data=lambda: browse.export_lines(
            reader.browse(replace(query, per_page=EXPORT_LIMIT, page=0, tops=page.tops)).messages
        ),
        file_name=f"{settings.topic}-{datetime.now(SAO_PAULO):%Y%m%d-%H%M%S}.jsonl",
        mime="application/jsonl",
        icon=icons.DOWNLOAD,
        on_click="ignore",
        help="Chave, valor, cabeçalhos, partição, offset e timestamp; a aba Enviar arquivo "
        "e `uv run send --file` leem este arquivo de volta.",
    )
    if page.cut_short:
        st.warning(f"Busca limitada às {format_int(browse.MAX_SCAN)} mensagens mais recentes.")
    draw_messages(page.messages)


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
            read = reader.tail(tail["positions"], partition, needle)
        except KafkaFailure as error:
            kafka_unavailable(error)
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


# -- Writing ---------------------------------------------------------------------------
def send_from_editor() -> None:
    key, value = state.editor_key.strip(), state.editor_value.strip()
    headers = parse_headers(state.get("editor_headers", ""))
    partition = state.get("editor_partition")
    partition = None if partition == AUTOMATIC else partition
    if isinstance(headers, Rejection):
        state.editor_result = ("error", f"Nada foi enviado: {literal(headers.reason)}.")
        return
    if state.get("editor_raw"):  # exactly as typed: not even trimmed
        state.editor_result = send_raw(state.editor_key, state.editor_value, headers, partition)
        return
    verdict = decode(key.encode() or None, value.encode() or None)
    if isinstance(verdict, Rejection):
        reason = literal(verdict.reason)
        state.editor_result = ("error", f"Mensagem recusada, nada foi enviado: {reason}")
        return
    try:
        written, offset = publisher().deliver(verdict, headers, partition)
    except KafkaFailure as error:
        state.editor_result = ("error", f"Não foi enviada: {literal(str(error))}")
        return
    kind = "Tombstone do id" if isinstance(verdict, Tombstone) else "Registro id"
    where = f"partição {written}, offset {offset}"
    state.editor_result = ("success", f"{kind} {verdict.id} enviado ({where}).")
    state.editor_value = example_record()
    state.editor_key = ""


def send_raw(
    key: str, value: str, headers: list[tuple[str, bytes]], partition: int | None
) -> tuple[str, str]:
    try:
        written, offset = publisher().deliver_message(
            key.encode() or None, value.encode() or None, headers, partition
        )
    except KafkaFailure as error:
        return "error", f"Não foi enviada: {literal(str(error))}"
    verdict = decode(key.encode() or None, value.encode() or None, headers)
    judged = (
        f"o painel a rejeita: {literal(verdict.reason)}"
        if isinstance(verdict, Rejection)
        else "o painel a aceita"
    )
    return "success", f"Texto bruto enviado (partição {written}, offset {offset}); {judged}."


def send_tab(offsets: list[browse.PartitionOffsets]) -> None:
    """One message written by hand: checked by the contract first, or sent as raw text."""
    state.setdefault("editor_key", "")
    if "editor_value" not in state:
        state.editor_value = example_record()
    raw = st.toggle(
        "Texto bruto: envia a chave e o valor exatamente como escritos, sem conferir o "
        "contrato (para testar como o painel rejeita mensagens inválidas)",
        key="editor_raw",
    )
    st.text_input("Chave (opcional: sem chave, o id vem do valor)", key="editor_key")
    label = "Valor (texto bruto; vazio = nulo)" if raw else "Valor (JSON)"
    st.text_area(label, key="editor_value", height=230)
    where, headers = st.columns([1, 2])
    where.selectbox(
        "Partição", [AUTOMATIC, *(o.partition for o in offsets)], key="editor_partition"
    )
    headers.text_area(
        "Cabeçalhos (opcional, um por linha: nome: valor)",
        key="editor_headers",
        height=100,
        placeholder="trace-id: 7f3a",
        help=f"Sem `{SOURCE_HEADER}`, vai `{SOURCE_HEADER}: {SOURCE}`",
    )
    if raw:
        st.warning("Texto bruto: nada é conferido; o painel dirá se aceita a mensagem.")
    else:
        st.caption("Conferido pelo contrato do registro antes do envio; recusado, nada é enviado.")
    st.button("Enviar mensagem", type="primary", on_click=send_from_editor)
    show_result("editor_result")


def delete_tab() -> None:
    """A tombstone for one id, after a confirmation."""
    typed = st.text_input("Id a apagar", max_chars=40).strip()
    chosen = parse_id(typed) if typed else None
    if isinstance(chosen, Rejection):
        st.error(f"Id inválido: {literal(chosen.reason)}.")
    valid_id = isinstance(chosen, int)
    if isinstance(chosen, int) and not stream.store.holds(chosen):
        st.warning(
            f"O id {chosen} não está na tabela do painel (nunca escrito, já apagado ou ainda "
            "não lido); o tombstone pode ser enviado assim mesmo."
        )
    shown_id = chosen if valid_id else "…"
    confirmed = st.checkbox(f"Confirmo: apagar o id {shown_id} (envia um tombstone)")
    if st.button("Apagar", disabled=not (valid_id and confirmed)) and isinstance(chosen, int):
        try:
            written, offset = publisher().deliver(Tombstone(chosen))
        except KafkaFailure as error:
            st.error(f"Não foi enviado: {literal(str(error))}")
        else:
            st.success(f"Tombstone do id {chosen} enviado (partição {written}, offset {offset}).")


# -- Bulk send -------------------------------------------------------------------------
def start_upload(raw: bytes) -> None:
    """Check the file, then hand the valid changes to a BulkSend, which runs to the end
    however the page reruns meanwhile (a click elsewhere stops the script, not the send)."""
    try:
        rows = formats.parse(raw, SOURCE)
    except UnreadableFile as error:
        state.upload = ("error", f"Arquivo não lido, nada foi enviado: {error}")
        return
    valid = [row.decoded for row in rows if isinstance(row.decoded, SaleRecord | Tombstone)]
    rejected = [row for row in rows if isinstance(row.decoded, Rejection)]
    try:
        job = BulkSend(publisher(), valid, rejected)
    except KafkaFailure as error:
        state.upload = ("error", f"Nada foi enviado: {error}")
        return
    job.start()
    state.upload = job


@st.fragment(run_every=1.0)
def upload_progress(job: BulkSend) -> None:
    if job.finished.is_set():
        st.rerun()  # the whole page, so the summary replaces the bar
    share = job.queued / job.total if job.total else 1.0
    st.progress(
        share,
        text=f"Enviando: {format_int(job.stats.acked)} confirmados, "
        f"{format_int(job.queued)} de {format_int(job.total)} na fila…",
    )


def upload_summary(job: BulkSend) -> None:
    stats, rejected = job.stats, job.rejected
    summary = stats.summary(len(rejected))
    if job.error is not None:
        missing = count_of(
            job.total - job.queued,
            "registro não chegou a ser enviado",
            "registros não chegaram a ser enviados",
        )
        st.error(f"Envio interrompido: {literal(str(job.error))}. {literal(summary)} {missing}.")
    elif rejected or stats.failed or stats.unconfirmed:
        st.warning(summary)
    else:
        st.success(summary)
    if rejected:
        st.dataframe(
            [{"linha": row.line, "motivo": row.reason} for row in rejected],
            hide_index=True,
        )


def upload_tab() -> None:
    """A whole file of records, sent on its own thread with progress and a summary."""
    upload = st.file_uploader(
        "Arquivo JSON (lista), JSON Lines (também o exportado na aba Mensagens) ou CSV "
        "(vírgula ou ponto e vírgula)",
        type=["json", "jsonl", "ndjson", "csv", "txt"],
    )
    job = state.get("upload")
    running = isinstance(job, BulkSend) and not job.finished.is_set()
    if upload is not None and st.button("Enviar arquivo", type="primary", disabled=running):
        with st.spinner("Lendo e conferindo o arquivo…"):
            start_upload(upload.getvalue())
        job = state.get("upload")
        running = isinstance(job, BulkSend)
    if isinstance(job, tuple):
        st.error(literal(job[1]))
    elif isinstance(job, BulkSend) and running:
        upload_progress(job)
    elif isinstance(job, BulkSend):
        upload_summary(job)


# -- The page, top to bottom -------------------------------------------------------------
offsets = overview()
if writable:
    browsing, sending, deleting, uploading = st.tabs(TABS, key="inspecionar_tab", on_change="rerun")
    with browsing:
        messages_tab(offsets)
    with sending:
        send_tab(offsets)
    with deleting:
        delete_tab()
    with uploading:
        upload_tab()
else:
    (browsing,) = st.tabs(TABS[:1])
    with browsing:
        messages_tab(offsets)
