"""Who is using this session, and what the pages may show and do for them.

With Streamlit's login configured (`[auth]` in `.streamlit/secrets.toml`), a person logs in
through the OpenID Connect provider there, and their address gives their role
(`DASHBOARD_ROLES`); without it, the one person at this machine has every role the server
allows (all of them, or reading only with `--read-only`). The role is worked out on the
server at every run, from the login itself: nothing the browser sends can change it.
"""

from __future__ import annotations

from dataclasses import replace

import streamlit as st

from sales_monitor import audit
from sales_monitor.access import Role, role_of
from sales_monitor.settings import Settings
from sales_monitor.ui import icons, resources


def login_configured() -> bool:
    try:
        return "auth" in st.secrets
    except FileNotFoundError:  # no secrets file at all
        return False


def admit(settings: Settings) -> Role:
    """This session's role; the login page, or the no-access page, stop the run here."""
    if not login_configured():
        return Role.OPERACAO
    return _logged_in_role(settings)


def _logged_in_role(settings: Settings) -> Role:
    if not st.user.is_logged_in:
        st.title("Monitor de Vendas em Tempo Real")
        st.write("Entre com a sua conta para ver o painel.")
        st.button("Entrar", on_click=st.login, type="primary", icon=icons.LOGIN)
        st.stop()
    email = _verified_email()
    role = role_of(email, settings.access.roles)
    with st.sidebar:
        shown = role.label if role is not None else "sem acesso"
        st.text(f"{email or 'sem e-mail'} · {shown}")  # plain text: an address is no link
        st.button("Sair", on_click=st.logout, icon=icons.LOGOUT)
    if role is None:
        st.title("Sem acesso")
        st.error(
            "Esta conta não tem acesso a este painel. Peça a quem cuida dele para incluí-la "
            "(DASHBOARD_ROLES).",
            icon=icons.NO_ACCESS,
        )
        st.text(f"Conta: {email or 'sem e-mail'}")
        st.stop()
    return role


def role() -> Role | None:
    """This session's role, from the login itself at each call (a callback runs before the
    page does: it must not trust what an earlier run found). None: no access."""
    if not login_configured():
        return Role.OPERACAO
    if not st.user.is_logged_in:
        return None
    return role_of(_verified_email(), resources.load_settings().access.roles)


def _verified_email() -> str:
    """The login's address, or "" when the provider says it was never verified (anyone
    could otherwise sign up as someone@the-company and get the domain's role)."""
    if st.user.get("email_verified") is False:
        return ""
    return str(st.user.get("email") or "")


def who() -> str:
    """Who acts, for the audit trail: the login's address, or `local` without login."""
    if login_configured() and st.user.is_logged_in:
        return str(st.user.get("email") or "sem e-mail")
    return "local"


def audited(action: str, what: str = "") -> None:
    """One line in the audit trail: who (this session's login) did what."""
    audit.record(resources.load_settings().audit_file, who(), action, what)


def page_settings() -> Settings:
    """The settings as this session's pages use them: below *operação*, read-only."""
    settings = resources.load_settings()
    if not may(Role.OPERACAO) and not settings.read_only:
        return replace(settings, read_only=True)
    return settings


def may(needed: Role) -> bool:
    """Checked where an action runs, not only where its button is drawn."""
    found = role()
    if found is None or found < needed:
        return False
    return needed < Role.OPERACAO or not resources.load_settings().read_only
