"""Inspecionar: the topic's offsets, its messages newest first or live, and writing to it by
hand.

Every write carries the header `origem: inspetor` (unless the person sets another) and is
checked by the record contract first, except in the clearly labeled raw-text mode, which
exists to test the dashboard's rejections; in read-only mode no write control is drawn.
"""

import streamlit as st

from sales_monitor.ui.inspecionar import apagar, arquivo, context, enviar, mensagens, overview

TABS = ["Mensagens", "Enviar", "Apagar", "Enviar arquivo"]

# -- The page, top to bottom -------------------------------------------------------------
offsets = overview.overview()
if context.writable():
    browsing, sending, deleting, uploading = st.tabs(TABS, key="inspecionar_tab", on_change="rerun")
    with browsing:
        mensagens.messages_tab(offsets)
    with sending:
        enviar.send_tab(offsets)
    with deleting:
        apagar.delete_tab()
    with uploading:
        arquivo.upload_tab()
else:
    (browsing,) = st.tabs(TABS[:1])
    with browsing:
        mensagens.messages_tab(offsets)
