"""Who sees what, under AppTest: the login page, the no-access page, and each role's Painel.

The login itself is Streamlit's (`st.login`, OpenID Connect); here `AppTest.user` stands for
the provider's answer, and `AppTest.secrets` for the `[auth]` section that turns it on."""

import pytest
from streamlit.testing.v1 import AppTest

from sales_monitor import masking
from tests.helpers.factories import sale
from tests.helpers.page import PAGE

pytestmark = pytest.mark.unit

AUTH = {
    "redirect_uri": "http://localhost:8501/oauth2callback",
    "cookie_secret": "um segredo de teste",
    "client_id": "monitor",
    "client_secret": "segredo",
    "server_metadata_url": "http://127.0.0.1:9/.well-known/openid-configuration",
}
ROLES = "ana@empresa.com=operacao; bia@empresa.com=analise; @empresa.com=leitura"


@pytest.fixture
def logged_in(seeded_stream, monkeypatch, tmp_path):
    """Runs the page as `email` (None: nobody logged in) with the login configured."""
    monkeypatch.setenv("DASHBOARD_ROLES", ROLES)
    seeded_stream.store.apply([sale(1, cents=5_000_00), sale(2)])

    def run(email: str | None, app: AppTest | None = None) -> AppTest:
        app = app or AppTest.from_file(PAGE, default_timeout=30)
        app.secrets["auth"] = AUTH
        app.user = {"is_logged_in": False} if email is None else {
            "is_logged_in": True, "email": email,
        }  # fmt: skip
        return app.run()

    return run


def names_shown(app: AppTest) -> set[str]:
    return {
        str(name)
        for frame in app.dataframe
        if "nome" in getattr(frame.value, "columns", [])
        for name in frame.value["nome"]
    }


def labels(app: AppTest) -> set[str]:
    return {b.label for b in app.button} | {b.label for b in app.get("download_button")}


def test_nobody_logged_in_sees_only_the_login(logged_in):
    app = logged_in(None)
    assert "Entrar" in [b.label for b in app.button]
    assert not app.metric and not names_shown(app)


def test_an_address_not_on_the_list_has_no_access(logged_in):
    app = logged_in("eva@outra.com")
    assert app.title[0].value == "Sem acesso"
    assert "não tem acesso" in app.error[0].value
    assert "Conta: eva@outra.com" in [t.value for t in app.text]
    assert "Sair" in [b.label for b in app.sidebar.button] and not app.metric


def test_an_address_the_provider_never_verified_has_no_access(logged_in):
    assert logged_in("ana@empresa.com").metric  # verified (or not said): operação
    app = AppTest.from_file(PAGE, default_timeout=30)
    app.secrets["auth"] = AUTH
    app.user = {"is_logged_in": True, "email": "ana@empresa.com", "email_verified": False}
    app.run()
    assert app.title[0].value == "Sem acesso" and not app.metric


def test_leitura_sees_masked_names_and_nothing_to_write_or_download(logged_in):
    app = logged_in("caio@empresa.com")  # the domain's role
    assert app.metric, (app.exception, [e.value for e in app.error])  # the Painel itself
    assert names_shown(app) == {masking.masked_name("Cliente 1"), masking.masked_name("Cliente 2")}
    assert not labels(app) & {"Salvar metas", "Esvaziar a tabela", "Baixar para Excel"}
    assert "caio@empresa.com · leitura" in [t.value for t in app.sidebar.text]
    latest = next(f.value for f in app.dataframe if "nome" in getattr(f.value, "columns", []))
    assert set(latest["idade"]) == {"30–39"}  # sale()'s age, as its band


def test_analise_sees_names_and_may_download_but_not_write(logged_in):
    app = logged_in("bia@empresa.com")  # her own entry wins over the domain's
    assert names_shown(app) == {"Cliente 1", "Cliente 2"}
    assert "Baixar para Excel" in labels(app)
    assert not labels(app) & {"Salvar metas", "Esvaziar a tabela"}


def test_operacao_may_write(logged_in):
    app = logged_in("ana@empresa.com")
    assert {"Salvar metas", "Esvaziar a tabela", "Baixar para Excel"} <= labels(app)


def test_a_write_sent_by_a_session_that_may_not_write_changes_nothing(logged_in, seeded_stream):
    """The button drawn for operação, clicked by the same session once its login is a
    leitura one: the request reaches the server, and the server refuses it."""
    app = logged_in("ana@empresa.com")
    app.checkbox(key="confirm_clear").check().run()
    clear = next(b for b in app.button if b.label == "Esvaziar a tabela")
    app.user = {"is_logged_in": True, "email": "caio@empresa.com"}
    clear.click().run()
    assert len(seeded_stream.snapshot()) == 2
    logged_in("ana@empresa.com", app)
    app.checkbox(key="confirm_clear").check().run()
    next(b for b in app.button if b.label == "Esvaziar a tabela").click().run()
    assert len(seeded_stream.snapshot()) == 0  # the same click, by operação, does it


def test_log_out_returns_to_the_login(logged_in):
    app = logged_in("ana@empresa.com")
    next(b for b in app.sidebar.button if b.label == "Sair").click().run()
    assert "Entrar" in [b.label for b in app.button] and not app.metric


def test_leitura_cannot_reach_inspecionar_even_by_its_address(logged_in):
    """Inspecionar is not registered for a leitura session: its address opens nothing."""
    app = logged_in("caio@empresa.com")
    with pytest.raises(ValueError, match=r"Known pages: \['[^']*painel.py'\]"):
        app.switch_page("../src/sales_monitor/ui/inspecionar/page.py")
    analyst = logged_in("bia@empresa.com")
    analyst.switch_page("../src/sales_monitor/ui/inspecionar/page.py").run()
    assert analyst.title[0].value.startswith("Inspecionar")


def test_what_operacao_does_is_in_the_audit_trail(logged_in, tmp_path, monkeypatch):
    monkeypatch.setenv("SALES_MONITOR_DATA_DIR", str(tmp_path))
    app = logged_in("ana@empresa.com")
    app.number_input(key="target_day").set_value(50_000.0)
    next(b for b in app.sidebar.button if b.label == "Salvar metas").click().run()
    app.checkbox(key="confirm_clear").check().run()
    next(b for b in app.button if b.label == "Esvaziar a tabela").click().run()
    lines = (tmp_path / "auditoria.log").read_text(encoding="utf-8").splitlines()
    assert [line.split(" ", 1)[1] for line in lines] == [
        "ana@empresa.com salvou as metas: day R$ 50.000,00",
        "ana@empresa.com esvaziou a tabela: 2 vendas",
    ]
