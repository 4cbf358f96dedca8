"""No traceback reaches a browser: one sentence in Portuguese on the page, the details in
the server's log. Streamlit's own display of exceptions is switched off as well
(`client.showErrorDetails = "none"`, set by `uv run dashboard` and .streamlit/config.toml)."""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from typing import Any

import streamlit as st

from sales_monitor.ui import icons

log = logging.getLogger("sales_monitor.ui")


def show_failure(error: Exception, where: str) -> None:
    log.error("erro ao desenhar %s", where, exc_info=error)
    st.error(
        f"Não foi possível mostrar {where}: houve um erro interno. "
        "Os detalhes estão no log do servidor.",
        icon=icons.WARNING,
    )


def guarded(where: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Run a page part; an exception becomes `show_failure`. Streamlit's rerun and stop
    are BaseExceptions, so they pass through."""

    def wrap(draw: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(draw)
        def drawn(*args: Any, **kwargs: Any) -> Any:
            try:
                return draw(*args, **kwargs)
            except Exception as error:
                show_failure(error, where)

        return drawn

    return wrap
