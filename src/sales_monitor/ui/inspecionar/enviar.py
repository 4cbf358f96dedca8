"""Enviar: one message written by hand, checked by the record contract first, or sent as
raw text (clearly labeled) to test how the Painel rejects it."""

import json
from datetime import datetime

import streamlit as st

from sales_monitor.errors import KafkaFailure
from sales_monitor.escaping import markdown_literal as literal
from sales_monitor.fake_sales.faker import IdGenerator
from sales_monitor.kafka import browse
from sales_monitor.kafka.headers import parse_headers
from sales_monitor.record import SAO_PAULO, SOURCE_HEADER, Rejection, Tombstone, decode
from sales_monitor.ui import gate
from sales_monitor.ui.inspecionar import context
from sales_monitor.ui.inspecionar.context import state

AUTOMATIC = "automática (pela chave)"


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


def send_from_editor() -> None:
    if context.refused():
        state.editor_result = ("error", "Nada foi enviado: escrever pede o papel operação.")
        return
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
        written, offset = context.publisher().deliver(verdict, headers, partition)
    except KafkaFailure as error:
        state.editor_result = ("error", f"Não foi enviada: {literal(str(error))}")
        return
    kind = "Tombstone do id" if isinstance(verdict, Tombstone) else "Registro id"
    where = f"partição {written}, offset {offset}"
    gate.audited("enviou", f"{kind.lower()} {verdict.id} ({where})")
    state.editor_result = ("success", f"{kind} {verdict.id} enviado ({where}).")
    state.editor_value = example_record()
    state.editor_key = ""


def send_raw(
    key: str, value: str, headers: list[tuple[str, bytes]], partition: int | None
) -> tuple[str, str]:
    try:
        written, offset = context.publisher().deliver_message(
            key.encode() or None, value.encode() or None, headers, partition
        )
    except KafkaFailure as error:
        return "error", f"Não foi enviada: {literal(str(error))}"
    gate.audited("enviou", f"texto bruto (partição {written}, offset {offset})")
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
        help=f"Sem `{SOURCE_HEADER}`, vai `{SOURCE_HEADER}: {context.SOURCE}`",
    )
    if raw:
        st.warning("Texto bruto: nada é conferido; o painel dirá se aceita a mensagem.")
    else:
        st.caption("Conferido pelo contrato do registro antes do envio; recusado, nada é enviado.")
    st.button("Enviar mensagem", type="primary", on_click=send_from_editor)
    context.show_result("editor_result")
