"""Inspecionar: the topic's offsets, its messages newest first, and writing to it by hand.

Every write is checked by the record contract before it is sent and carries the header
`origem: inspetor`; in read-only mode no write control is drawn at all.
"""

import json
from datetime import datetime, time

import streamlit as st

from sales_monitor.errors import KafkaFailure, UnreadableFile
from sales_monitor.fake import IdGenerator
from sales_monitor.files import formats
from sales_monitor.kafka import browse
from sales_monitor.kafka.publish import BulkSend, Publisher
from sales_monitor.literal import code_span
from sales_monitor.literal import markdown_literal as literal
from sales_monitor.ptbr import WHEN, format_int
from sales_monitor.record import SAO_PAULO, Rejection, SaleRecord, Tombstone, decode, parse_id
from sales_monitor.ui import resources

SOURCE = "inspetor"

settings = resources.load_settings()  # app.py has checked it
stream = resources.stream_for(settings)
reader = browse.TopicReader(settings.connection, settings.topic)
writable = not settings.read_only


def example_record() -> str:
    """The README's example, with a fresh id and the current time."""
    ids = st.session_state.setdefault("id_generator", IdGenerator())
    now = datetime.now(SAO_PAULO).strftime("%Y-%m-%dT%H:%M:%S")
    example = {"id": ids(), "nome": "Novo Usuario", "idade": 28, "cidade": "Recife",
               "valor": 450.00, "timestamp": now}  # fmt: skip
    return json.dumps(example, indent=2, ensure_ascii=False)


def publisher() -> Publisher:
    """Raises KafkaFailure where the broker does not answer."""
    return Publisher(resources.producer_for(settings), settings.topic, SOURCE)


def deliver(change) -> str:
    """Send one message and wait for the broker; the outcome as a sentence."""
    partition, offset = publisher().deliver(change)
    return f"partição {partition}, offset {offset}"


def load_into_editor(message: browse.TopicMessage) -> None:
    st.session_state.editor_key = message.key or ""
    value = message.value
    st.session_state.editor_value = "" if value is None else browse.pretty_json(value)
    st.session_state.editor_result = ("info", "Mensagem carregada no editor (aba Enviar).")


def send_from_editor() -> None:
    key, value = st.session_state.editor_key.strip(), st.session_state.editor_value.strip()
    verdict = decode(key.encode() or None, value.encode() or None)
    if isinstance(verdict, Rejection):
        result = ("error", f"Mensagem recusada, nada foi enviado: {literal(verdict.reason)}")
    else:
        try:
            where = deliver(verdict)
        except KafkaFailure as error:
            result = ("error", f"Não foi enviada: {literal(str(error))}")
        else:
            kind = "Tombstone do id" if isinstance(verdict, Tombstone) else "Registro id"
            result = ("success", f"{kind} {verdict.id} enviado ({where}).")
            st.session_state.editor_value = example_record()
            st.session_state.editor_key = ""
    st.session_state.editor_result = result


def message_heading(message: browse.TopicMessage) -> str:
    """Where and when, key, origem and verdict: Markdown whose every piece from the topic
    is literal (the key and origem as code, the reason escaped)."""
    when = "sem data válida" if message.timestamp is None else message.timestamp.strftime(WHEN)
    key = "sem chave" if message.key is None else f"chave {code_span(_short(message.key))}"
    verdict = message.verdict
    if isinstance(verdict, Rejection):
        shown = f":red[rejeitado]: {literal(verdict.reason)}"
    else:
        shown = ":green[tombstone]" if isinstance(verdict, Tombstone) else ":green[aceito]"
    return (
        f"**partição {message.partition} · offset {message.offset}** · {when} · {key} · "
        f"origem {code_span(message.source)} · {shown}"
    )


def _short(text: str, limit: int = 200) -> str:
    return text if len(text) <= limit else text[:limit] + "…"


def show_result(name: str) -> None:
    if (result := st.session_state.get(name)) is not None:
        kind, text = result
        getattr(st, kind)(text)


# -- Overview --------------------------------------------------------------------------
def overview() -> list[browse.PartitionOffsets]:
    """Title, the topic's partitions and offsets; stops the page if Kafka does not answer."""
    st.title("Inspecionar o tópico")
    st.caption(f"Tópico `{settings.topic}` em `{settings.bootstrap_servers}`")
    try:
        offsets = reader.offsets()
    except KafkaFailure as error:
        st.error(f"Kafka indisponível: {literal(str(error))}", icon="🔌")
        st.stop()
    if settings.read_only:
        st.info("Modo somente leitura: o envio de mensagens está desativado.", icon="🔒")
    parts, total, behind = st.columns(3)
    parts.metric("Partições", len(offsets))
    total.metric("Mensagens no tópico", format_int(sum(o.messages for o in offsets)))
    behind.metric("Atraso do painel (mensagens)", format_int(stream.status.lag))
    if not offsets:
        st.warning(f"O tópico '{settings.topic}' não existe ainda; o primeiro envio o cria.")
    else:
        st.dataframe(
            [{"partição": o.partition, "primeiro offset": o.earliest,
              "último offset": o.latest - 1 if o.messages else None, "mensagens": o.messages}
             for o in offsets],
            hide_index=True,
        )  # fmt: skip
    return offsets


# -- Tabs ------------------------------------------------------------------------------
def messages_tab(offsets: list[browse.PartitionOffsets]) -> None:
    """The topic's messages, newest first, with a search and paging."""
    where, start, search = st.columns([1, 1, 2])
    partition = where.selectbox(
        "Partição", [None, *(o.partition for o in offsets)],
        format_func=lambda p: "Todas" if p is None else str(p),
    )  # fmt: skip
    mode = start.radio("Início", ["Mais recentes", "Offset", "Data e hora"], horizontal=True)
    needle = search.text_input("Buscar (id, chave ou texto)", max_chars=200)
    from_offset = before = None
    if mode == "Offset":
        from_offset = st.number_input("Mostrar a partir do offset (e anteriores)", 0, step=1)
    elif mode == "Data e hora":
        day, moment = st.columns(2)
        chosen_day = day.date_input("Até o dia", format="DD/MM/YYYY")
        chosen_time = moment.time_input("e a hora", value=time(23, 59), step=60)
        before = datetime.combine(chosen_day, chosen_time, SAO_PAULO)
    size, number = st.columns(2)
    per_page = size.number_input("Mensagens por página", 1, 500, 50)
    page_number = number.number_input("Página (1 = mais recentes)", 1, step=1)
    query = browse.Query(partition, from_offset, before, needle.strip(), per_page, page_number - 1)
    try:
        page = reader.browse(query)
    except KafkaFailure as error:
        st.error(f"Kafka indisponível: {literal(str(error))}", icon="🔌")
        st.stop()
    st.caption(
        f"{format_int(len(page.messages))} mensagens nesta página · "
        f"{format_int(page.scanned)} lidas para responder"
        + (" · há páginas mais antigas" if page.more else "")
    )
    if page.cut_short:
        st.warning(f"Busca limitada às {format_int(browse.MAX_SCAN)} mensagens mais recentes.")
    for message in page.messages:
        with st.container(border=True):
            st.markdown(message_heading(message))
            st.code(message.pretty_value, language="json")
            if writable:
                st.button(
                    "Reenviar", key=f"resend-{message.partition}-{message.offset}",
                    on_click=load_into_editor, args=(message,),
                    help="Carrega esta mensagem no editor da aba Enviar",
                )  # fmt: skip


def send_tab() -> None:
    """One message written by hand, checked by the contract first."""
    st.session_state.setdefault("editor_key", "")
    if "editor_value" not in st.session_state:
        st.session_state.editor_value = example_record()
    st.text_input("Chave (opcional: sem chave, o id vem do valor)", key="editor_key")
    st.text_area("Valor (JSON)", key="editor_value", height=230)
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
    shown_id = chosen if valid_id else "…"
    confirmed = st.checkbox(f"Confirmo: apagar o id {shown_id} (envia um tombstone)")
    if st.button("Apagar", disabled=not (valid_id and confirmed)) and isinstance(chosen, int):
        try:
            where = deliver(Tombstone(chosen))
        except KafkaFailure as error:
            st.error(f"Não foi enviado: {literal(str(error))}")
        else:
            st.success(f"Tombstone do id {chosen} enviado ({where}).")


# -- Bulk send -------------------------------------------------------------------------
def start_upload(raw: bytes) -> None:
    """Check the file, then hand the valid records to a BulkSend, which runs to the end
    however the page reruns meanwhile (a click elsewhere stops the script, not the send)."""
    try:
        rows = formats.parse(raw, SOURCE)
    except UnreadableFile as error:
        st.session_state.upload = ("error", f"Arquivo não lido, nada foi enviado: {error}")
        return
    valid = [row.decoded for row in rows if isinstance(row.decoded, SaleRecord)]
    rejected = [row for row in rows if isinstance(row.decoded, Rejection)]
    try:
        job = BulkSend(publisher(), valid, rejected)
    except KafkaFailure as error:
        st.session_state.upload = ("error", f"Nada foi enviado: {error}")
        return
    job.start()
    st.session_state.upload = job


@st.fragment(run_every=1.0)
def upload_progress(job: BulkSend) -> None:
    if job.finished.is_set():
        st.rerun()  # the whole page, so the summary replaces the bar
    share = job.queued / job.total if job.total else 1.0
    st.progress(
        share, text=f"Enviando: {format_int(job.stats.acked)} confirmados, "
        f"{format_int(job.queued)} de {format_int(job.total)} na fila…",
    )  # fmt: skip


def upload_summary(job: BulkSend) -> None:
    stats, rejected = job.stats, job.rejected
    summary = stats.summary(len(rejected))
    if job.error is not None:
        st.error(
            f"Envio interrompido: {literal(str(job.error))}. {literal(summary)} "
            f"{format_int(job.total - job.queued)} registros não chegaram a ser enviados."
        )
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
        "Arquivo JSON (lista), JSON Lines ou CSV (vírgula ou ponto e vírgula)",
        type=["json", "jsonl", "ndjson", "csv", "txt"],
    )
    job = st.session_state.get("upload")
    running = isinstance(job, BulkSend) and not job.finished.is_set()
    if upload is not None and st.button("Enviar arquivo", type="primary", disabled=running):
        with st.spinner("Lendo e conferindo o arquivo…"):
            start_upload(upload.getvalue())
        job = st.session_state.get("upload")
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
    browsing, sending, deleting, uploading = st.tabs(
        ["Mensagens", "Enviar", "Apagar", "Enviar arquivo"]
    )
    with browsing:
        messages_tab(offsets)
    with sending:
        send_tab()
    with deleting:
        delete_tab()
    with uploading:
        upload_tab()
else:
    (browsing,) = st.tabs(["Mensagens"])
    with browsing:
        messages_tab(offsets)
