"""The Streamlit app: settings, the warning about who can reach it, and the two pages.

`streamlit/dashboard.py` runs `main()`; so does `uv run dashboard`, through this file, so an
installed wheel can launch the app without the repository.
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from sales_monitor.access import Role
from sales_monitor.errors import SettingsError
from sales_monitor.settings import is_loopback
from sales_monitor.ui import gate, icons, resources
from sales_monitor.ui.errors import show_failure

HERE = Path(__file__).parent
PAINEL = HERE / "painel.py"
INSPECIONAR = HERE / "inspecionar" / "page.py"
FAVICON = str(HERE / "favicon.png")


def main() -> None:
    # the favicon is a file of ours: as a Material icon the browser fetches it from
    # fonts.gstatic.com, as an emoji it is an empty box where no emoji font is installed
    st.set_page_config(
        page_title="Monitor de Vendas em Tempo Real", page_icon=FAVICON, layout="wide"
    )
    try:
        settings = resources.load_settings()
    except SettingsError as error:
        st.error(f"Configuração inválida: {error}")
        st.stop()
    role = gate.admit(settings)  # the login page or the no-access page stop here
    address = st.get_option("server.address") or ""
    if not is_loopback(address) and not gate.login_configured():
        writes = "" if settings.read_only else ", e pode escrever no tópico"
        st.warning(
            f"Sem proteção: o dashboard aceita conexões de outras máquinas (endereço "
            f"'{address or 'todas as interfaces'}') sem login; quem alcança este endereço vê "
            f"os dados dos clientes{writes}. Configure o login (docs/compartilhar.md) ou use "
            "--host 127.0.0.1.",
            icon=icons.WARNING,
        )
    pages = [st.Page(PAINEL, title="Painel", icon=icons.PANEL, default=True)]
    if role >= Role.ANALISE:  # Kafka's raw messages carry names and ages unmasked
        pages.append(
            st.Page(INSPECIONAR, title="Inspecionar", icon=icons.INSPECT, url_path="inspecionar")
        )
    page = st.navigation(pages)
    try:
        page.run()
    except Exception as error:  # the page's own parts are guarded; this is the last wall
        show_failure(error, "esta página")


if __name__ == "__main__":
    main()
