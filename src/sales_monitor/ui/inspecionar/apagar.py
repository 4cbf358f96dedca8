"""Apagar: a tombstone for one id, after a confirmation."""

import streamlit as st

from sales_monitor.errors import KafkaFailure
from sales_monitor.escaping import markdown_literal as literal
from sales_monitor.record import Rejection, Tombstone, parse_id
from sales_monitor.ui import gate
from sales_monitor.ui.inspecionar import context


def delete_tab() -> None:
    """A tombstone for one id, after a confirmation."""
    typed = st.text_input("Id a apagar", max_chars=40).strip()
    chosen = parse_id(typed) if typed else None
    if isinstance(chosen, Rejection):
        st.error(f"Id inválido: {literal(chosen.reason)}.")
    valid_id = isinstance(chosen, int)
    if isinstance(chosen, int) and not context.stream().store.holds(chosen):
        st.warning(
            f"O id {chosen} não está na tabela do painel (nunca escrito, já apagado ou ainda "
            "não lido); o tombstone pode ser enviado assim mesmo."
        )
    shown_id = chosen if valid_id else "…"
    confirmed = st.checkbox(f"Confirmo: apagar o id {shown_id} (envia um tombstone)")
    clicked = st.button("Apagar", disabled=not (valid_id and confirmed))
    if clicked and isinstance(chosen, int) and not context.refused():
        try:
            written, offset = context.publisher().deliver(Tombstone(chosen))
        except KafkaFailure as error:
            st.error(f"Não foi enviado: {literal(str(error))}")
        else:
            gate.audited("apagou", f"id {chosen} (partição {written}, offset {offset})")
            st.success(f"Tombstone do id {chosen} enviado (partição {written}, offset {offset}).")
