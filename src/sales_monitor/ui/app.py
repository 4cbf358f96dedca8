"""The Streamlit app: settings, the warning about who can reach it, and the two pages.

`streamlit/dashboard.py` runs `main()`; so does `uv run dashboard`, through this file, so an
installed wheel can launch the app without the repository.
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from sales_monitor.errors import SettingsError
from sales_monitor.settings import is_loopback
from sales_monitor.ui import icons, resources
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
    address = st.get_option("server.address") or ""
    if not is_loopback(address) and not settings.read_only:
        st.warning(
            f"O dashboard aceita conexões de outras máquinas (endereço "
            f"'{address or 'todas as interfaces'}'), sem login, e pode escrever no tópico. "
            "Use --host 127.0.0.1 ou --read-only (DASHBOARD_READ_ONLY=1).",
            icon=icons.WARNING,
        )
    pages = [
        st.Page(PAINEL, title="Painel", icon=icons.PANEL, default=True),
        st.Page(INSPECIONAR, title="Inspecionar", icon=icons.INSPECT, url_path="inspecionar"),
    ]
    page = st.navigation(pages)
    try:
        page.run()
    except Exception as error:  # the page's own parts are guarded; this is the last wall
        show_failure(error, "esta página")


if __name__ == "__main__":
    main()
