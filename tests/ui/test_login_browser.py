"""The login in Chromium, end to end: Streamlit's `st.login` against an OpenID Connect
provider the test starts (`tests/helpers/oidc.py`), a role for each address."""

import subprocess

import pytest

from sales_monitor.access import parse_roles
from sales_monitor.brokers.ports import free_port
from sales_monitor.kafka.connection import Connection
from sales_monitor.launch.web import dashboard_env, stop_children, streamlit_command, wait_healthy
from sales_monitor.masking import masked_name
from sales_monitor.record import encode
from sales_monitor.settings import Access, Settings
from tests.helpers.factories import sale
from tests.helpers.oidc import Provider
from tests.stream.test_consumer import publish
from tests.ui.test_browser import browser, screenshot  # noqa: F401 (the Chromium fixture)

pytestmark = pytest.mark.browser

ROLES = "ana@empresa.com=operacao; bia@empresa.com=analise; @empresa.com=leitura"
CELLS = '[data-testid="stDataFrame"] [role="gridcell"], [data-testid="stDataFrame"] td'


@pytest.fixture(scope="module")
def site(tmp_path_factory, browser):  # noqa: F811
    """A dashboard with the login configured, on a topic with two sales; its provider."""
    from sales_monitor.brokers.tansu import Tansu
    from sales_monitor.kafka.clients import ensure_topic

    folder = tmp_path_factory.mktemp("login")
    provider = Provider()
    port = free_port()
    (folder / ".streamlit").mkdir()
    (folder / ".streamlit" / "secrets.toml").write_text(provider.secrets_toml(port))
    with Tansu(port=free_port()) as broker:
        ensure_topic(broker.bootstrap, "vendas", partitions=1)
        publish(broker.bootstrap, "vendas", [encode(sale(1, cents=5_000_00)), encode(sale(2))])
        settings = Settings(
            connection=Connection(broker.bootstrap),
            topic="vendas",
            access=Access(roles=parse_roles(ROLES)),
        )
        env = dashboard_env(settings) | {"SALES_MONITOR_DATA_DIR": str(folder / "dados")}
        server = subprocess.Popen(streamlit_command(port, "127.0.0.1"), env=env, cwd=folder)
        try:
            assert wait_healthy(port, server, "127.0.0.1")
            yield browser, provider, f"http://localhost:{port}", folder
        finally:
            stop_children([server])
            provider.close()


def log_in(site, email: str):
    chromium, provider, url, _ = site
    page = chromium.new_page(viewport={"width": 1400, "height": 1100})  # a session of its own
    page.goto(url)
    provider.sign_in_as(email)
    page.get_by_role("button", name="Entrar").click()
    return page


def test_leitura_logs_in_and_sees_masked_names_and_no_write(site):
    page = log_in(site, "caio@empresa.com")
    page.get_by_text("caio@empresa.com · leitura").wait_for(timeout=30_000)
    cell = page.locator(CELLS).filter(has_text=masked_name("Cliente 1")).first
    cell.wait_for(state="attached", timeout=30_000)  # the grid's accessible copy: hidden
    cells = page.locator(CELLS).all_inner_texts()
    assert {masked_name("Cliente 1"), masked_name("Cliente 2")} <= set(cells)
    assert not {"Cliente 1", "Cliente 2"} & set(cells) and "30–39" in cells
    for control in ("Metas", "Ações para todos os painéis", "Baixar para Excel"):
        assert page.get_by_role("button", name=control).count() == 0
    assert page.get_by_role("link", name="Inspecionar").count() == 0
    screenshot(page, "login-leitura.png")
    _, _, url, _ = site
    page.goto(f"{url}/inspecionar")  # its address opens the Painel: no such page here
    page.get_by_text("caio@empresa.com · leitura").wait_for(timeout=30_000)
    assert page.locator("h1").first.inner_text() == "Monitor de Vendas em Tempo Real"
    page.close()


def test_analise_sees_names_and_downloads_but_no_write(site):
    page = log_in(site, "bia@empresa.com")
    page.get_by_text("bia@empresa.com · análise").wait_for(timeout=30_000)
    page.locator(CELLS).filter(has_text="Cliente 1").first.wait_for(state="attached")
    page.get_by_role("button", name="Baixar para Excel").wait_for()
    page.get_by_role("link", name="Inspecionar").wait_for()
    assert page.get_by_role("button", name="Metas").count() == 0
    page.close()


def test_operacao_writes_and_the_trail_says_so_and_log_out_works(site):
    page = log_in(site, "ana@empresa.com")
    page.get_by_text("ana@empresa.com · operação").wait_for(timeout=30_000)
    page.get_by_role("link", name="Inspecionar").wait_for()
    page.get_by_role("button", name="Metas").click()
    target = page.get_by_label("Meta do dia", exact=True)
    target.fill("1000")
    target.press("Enter")
    page.get_by_role("button", name="Salvar metas").click()
    page.get_by_text("Meta do dia: R$").first.wait_for(timeout=30_000)
    *_, folder = site
    trail = (folder / "dados" / "auditoria.log").read_text(encoding="utf-8")
    assert "ana@empresa.com salvou as metas: day R$ 1.000,00" in trail
    page.get_by_role("button", name="Sair").click()
    page.get_by_role("button", name="Entrar").wait_for(timeout=30_000)
    assert page.get_by_text("ana@empresa.com").count() == 0
    page.close()


def test_an_address_not_on_the_list_gets_the_no_access_page(site):
    page = log_in(site, "eva@outra.com")
    page.get_by_text("Conta: eva@outra.com").wait_for(timeout=30_000)
    assert page.get_by_text("Esta conta não tem acesso").count() == 1
    assert page.locator('[data-testid="stMetric"]').count() == 0
    page.close()
