"""Enviar arquivo: a whole file of records (JSON, JSON Lines or CSV), sent on its own thread
with progress and a summary."""

import streamlit as st

from sales_monitor.errors import KafkaFailure, UnreadableFile
from sales_monitor.escaping import markdown_literal as literal
from sales_monitor.files import formats
from sales_monitor.kafka.publish import BulkSend
from sales_monitor.ptbr import count_of, format_int
from sales_monitor.record import Rejection, SaleRecord, Tombstone
from sales_monitor.ui import gate
from sales_monitor.ui.inspecionar import context
from sales_monitor.ui.inspecionar.context import state


def start_upload(raw: bytes) -> None:
    """Check the file, then hand the valid changes to a BulkSend, which runs to the end
    however the page reruns meanwhile (a click elsewhere stops the script, not the send)."""
    if context.refused():
        state.upload = ("error", "Nada foi enviado: escrever pede o papel operação.")
        return
    try:
        rows = formats.parse(raw, context.SOURCE)
    except UnreadableFile as error:
        state.upload = ("error", f"Arquivo não lido, nada foi enviado: {error}")
        return
    valid = [row.decoded for row in rows if isinstance(row.decoded, SaleRecord | Tombstone)]
    rejected = [row for row in rows if isinstance(row.decoded, Rejection)]
    try:
        job = BulkSend(context.publisher(), valid, rejected)
    except KafkaFailure as error:
        state.upload = ("error", f"Nada foi enviado: {error}")
        return
    job.start()
    state.upload = job
    gate.audited(
        "enviou um arquivo", f"{len(valid)} mudanças válidas, {len(rejected)} linhas rejeitadas"
    )


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
        "Arquivo JSON (lista), JSON Lines (também o exportado na aba Mensagens), CSV "
        "(vírgula ou ponto e vírgula) ou planilha .xlsx (também a baixada no Painel)",
        type=["json", "jsonl", "ndjson", "csv", "txt", "xlsx"],
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
