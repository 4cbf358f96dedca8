"""The page in a real browser: Debian's Chromium driven by Playwright, against the real demo."""

import os
import re
import shutil
from dataclasses import replace
from pathlib import Path

import pytest
from sales_monitor_bench.browser import CHROMIUM, CHROMIUM_ARGS, total_records

from sales_monitor.brokers import jars
from sales_monitor.brokers.ports import free_port
from sales_monitor.kafka.connection import Connection
from sales_monitor.launch.demo import Demo
from sales_monitor.record import encode
from sales_monitor.settings import Settings
from tests.helpers import apache as apache_kafka
from tests.helpers.waiting import wait_for

pytestmark = pytest.mark.browser

ROOT = Path(__file__).parents[2]
SHOTS = ROOT / "build" / "screenshots"  # ignored by git; --update-screenshots copies to img/


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        message = "Chromium not found: install it with `apt-get install -y chromium`"
        if os.environ.get("SALES_MONITOR_REQUIRE_BROWSER"):
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture(scope="module")
def demo():
    # the session's folders (tests/conftest.py), kept by every piece the demo starts
    settings = replace(Settings.from_env(), connection=Connection(f"127.0.0.1:{free_port()}"))
    running = Demo(settings, free_port(), ["--rate", "20"])
    try:
        running.start()
        yield running
    finally:
        running.stop()


def wait_for_total(page, condition, timeout_s: float = 20.0) -> int:
    for _ in range(int(timeout_s * 2)):
        total = total_records(page)
        if condition(total):
            return total
        page.wait_for_timeout(500)
    raise AssertionError(f"Total Registros stayed at {total}")


def live_sales(demo) -> int:
    """How many sales the topic holds now: the latest write of each id, tombstones and
    rejected messages left out (what a table caught up with the topic counts)."""
    from sales_monitor.record import SaleRecord, Tombstone, decode
    from tests.helpers.topic import everything_in

    latest: dict = {}
    for message in everything_in(demo.settings.bootstrap_servers, demo.settings.topic):
        verdict = decode(message.key, message.value, message.headers)
        if isinstance(verdict, SaleRecord | Tombstone):
            latest[verdict.id] = verdict
    return sum(isinstance(verdict, SaleRecord) for verdict in latest.values())


def caught_up(page, demo) -> int:
    """Wait until the page's Total Registros equals the (still) topic's sales."""
    expected = live_sales(demo)
    return wait_for_total(page, lambda total: total == expected, timeout_s=30)


def test_totals_grow_without_reload_and_two_tabs_agree(browser, demo):
    page = browser.new_page(viewport={"width": 1400, "height": 1800})
    page.goto(f"http://127.0.0.1:{demo.port}")
    first = wait_for_total(page, lambda total: total > 0)
    navigations = []
    page.on("framenavigated", lambda frame: navigations.append(frame.url))
    # two or three 3-second refresh cycles later, with no reload, the number has moved
    later = wait_for_total(page, lambda total: total > first, timeout_s=12)
    assert later > first and navigations == []

    other = browser.new_page()
    other.goto(f"http://127.0.0.1:{demo.port}")
    wait_for_total(other, lambda total: total > 0)
    demo.children["produtor"].terminate()  # freeze the topic, then compare the tabs
    demo.children["produtor"].wait(timeout=15)
    assert caught_up(page, demo) == caught_up(other, demo)
    assert re.fullmatch(r"R\$ [\d.]+,\d\d", _metric(page, "Valor Total"))
    assert _metric(page, "Valor Total") == _metric(other, "Valor Total")

    page.locator(".js-plotly-plot").first.wait_for(timeout=30_000)
    screenshot(page, "dashboard.png")
    other.close()
    page.close()


def test_a_message_sent_from_the_inspector_adds_one_to_the_dashboard(browser, demo):
    producer = demo.children["produtor"]
    if producer.poll() is None:  # a still topic, so the count can only move by our message
        producer.terminate()
        producer.wait(timeout=15)
    page = browser.new_page(viewport={"width": 1400, "height": 1500})
    page.goto(f"http://127.0.0.1:{demo.port}")
    before = caught_up(page, demo)

    page.get_by_role("link", name="Inspecionar").click()
    page.get_by_text("Mensagens no tópico").wait_for(timeout=30_000)
    page.get_by_role("tab", name="Enviar", exact=True).click()
    page.get_by_role("button", name="Enviar mensagem").click()
    page.get_by_text(re.compile(r"Registro id \d+ enviado")).wait_for(timeout=30_000)
    page.get_by_role("tab", name="Mensagens").click()
    page.get_by_text(re.compile(r"^partição \d+ · offset")).first.wait_for(timeout=30_000)
    screenshot(page, "inspector.png")

    page.get_by_role("link", name="Painel").click()
    assert wait_for_total(page, lambda total: total == before + 1) == before + 1
    page.close()


def screenshot(page, name: str, publish: bool = True) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / name), full_page=False)
    if publish and os.environ.get("SALES_MONITOR_UPDATE_SCREENSHOTS"):
        shutil.copyfile(SHOTS / name, ROOT / "img" / name)


def _metric(page, label: str) -> str:
    metric = page.locator('[data-testid="stMetric"]').filter(has_text=label)
    return metric.locator('[data-testid="stMetricValue"]').first.inner_text()


def test_hostile_messages_leave_the_good_sales_exact_and_render_nothing(browser, demo):
    """Good sales, then every kind of hostile message, then more good sales: the table
    holds exactly the good ones (count and cents), the page fires no request the app did
    not choose, renders no markup from the topic and shows no exception."""
    from urllib.parse import urlencode

    from sales_monitor.kafka.clients import make_producer
    from sales_monitor.ptbr import format_brl
    from tests.helpers.factories import sale
    from tests.helpers.hostile import HOSTILE_VALID, HOSTILE_VALID_CENTS, MARKUP, publish_hostile

    producer = demo.children["produtor"]
    if producer.poll() is None:
        producer.terminate()
        producer.wait(timeout=15)
    app = f"http://127.0.0.1:{demo.port}"
    requests = []
    page = browser.new_page(viewport={"width": 1400, "height": 2400})
    page.on("request", lambda request: requests.append(request.url))
    page.goto(app)
    before = caught_up(page, demo)
    before_value = _metric(page, "Valor Total")

    bootstrap, topic = demo.settings.bootstrap_servers, demo.settings.topic
    good = [sale(9_000_000 + i, cents=i * 1_001) for i in range(1, 11)]
    sender = make_producer(bootstrap)
    for record in good[:5]:
        sender.send(topic, **_kv(record))
    sender.flush()
    publish_hostile(bootstrap, topic, first_id=9_100_000)
    for record in good[5:]:
        sender.send(topic, **_kv(record))
    sender.flush()
    sender.close()
    expected = before + len(good) + HOSTILE_VALID
    assert wait_for_total(page, lambda total: total == expected, timeout_s=30) == expected
    cents = _cents(before_value) + sum(r.value_cents for r in good) + HOSTILE_VALID_CENTS
    assert _metric(page, "Valor Total") == format_brl(cents)

    # the markup cities alone, through a link: their names in the charts' labels and legend
    page.goto(f"{app}/?{urlencode([('cidade', text) for text in MARKUP])}")
    chart_texts = (
        "[...document.querySelectorAll('.js-plotly-plot text')].map(t => t.textContent).join(' ')"
    )
    page.wait_for_function(f"({chart_texts}).includes('<b>negrito</b>')", timeout=30_000)
    chart_text = page.evaluate(chart_texts)
    assert "<b>negrito</b>" in chart_text and '<span style="font-size:60px' in chart_text
    assert page.locator(".js-plotly-plot a, .js-plotly-plot tspan[style*='60px']").count() == 0

    page.get_by_role("link", name="Inspecionar").click()
    page.get_by_text("Mensagens no tópico").wait_for(timeout=30_000)
    page.get_by_text("Abrir os detalhes de todas").click()
    page.get_by_text(":green[aceito]", exact=True).first.wait_for(timeout=30_000)
    assert page.get_by_text("$\\frac{a}{b}$", exact=True).count() >= 1
    screenshot(page, "inspector-hostile.png", publish=False)
    assert page.locator(".katex, [data-testid='stException']").count() == 0
    assert page.locator("img[src*='127.0.0.2'], a[href*='127.0.0.2']").count() == 0
    foreign = [u for u in requests if not u.startswith((app, "data:", "blob:"))]
    assert foreign == [], foreign
    page.close()


def _kv(record) -> dict:
    key, value = encode(record)
    return {"key": key, "value": value}


def _cents(brl: str) -> int:
    return int(brl.removeprefix("R$ ").replace(".", "").replace(",", ""))


def test_an_upload_survives_a_click_elsewhere_and_ends_in_its_summary(browser, demo, tmp_path):
    """Typing in Buscar in the middle of an upload reruns the page; the upload still runs to
    its end and its summary shows."""
    from sales_monitor.kafka.browse import TopicReader
    from sales_monitor.ptbr import format_int
    from tests.helpers.factories import sale

    producer = demo.children["produtor"]
    if producer.poll() is None:
        producer.terminate()
        producer.wait(timeout=15)
    reader = TopicReader(demo.settings.connection, demo.settings.topic)
    before = sum(o.messages for o in reader.offsets())
    lines = 60_000
    path = tmp_path / "vendas.jsonl"
    path.write_text("\n".join(encode(sale(8_000_000 + i))[1].decode() for i in range(lines)))
    page = browser.new_page(viewport={"width": 1400, "height": 1500})
    page.goto(f"http://127.0.0.1:{demo.port}/inspecionar")
    page.get_by_role("tab", name="Enviar arquivo").click()
    page.locator("input[type=file]").set_input_files(str(path))
    page.get_by_role("button", name="Enviar arquivo").click()
    page.get_by_text("na fila").first.wait_for(timeout=30_000)
    page.get_by_role("tab", name="Mensagens").click()
    search = page.get_by_role("textbox", name="Buscar (valor, chave, cabeçalhos ou offset)")
    search.fill("Ana")
    search.press("Enter")  # a rerun of the page in the middle of the upload
    tab = page.get_by_role("tab", name="Enviar arquivo")
    tab.click()
    done = page.get_by_text(f"Resumo: {format_int(lines)} enviados, 0 rejeitados, 0 falhas.")
    done.wait_for(state="attached", timeout=120_000)
    # the search's rerun can land after the click and show its own tab again: a person then
    # clicks Enviar arquivo once more, and so does the test, until the summary is in view
    assert wait_for(lambda: done.is_visible() or (tab.click() and False), 60)
    assert sum(o.messages for o in reader.offsets()) - before == lines
    page.close()


def test_the_live_tail_shows_arrivals_and_an_export_reads_back(browser, demo, tmp_path):
    """Ao vivo shows a message written after the page opened, with no click; the search's
    export, sent back through Enviar arquivo after its sales were deleted, restores them."""
    from sales_monitor.files import formats
    from sales_monitor.kafka.clients import make_producer
    from sales_monitor.record import SaleRecord, encode_tombstone
    from tests.helpers.factories import sale

    producer = demo.children["produtor"]
    if producer.poll() is None:
        producer.terminate()
        producer.wait(timeout=15)
    bootstrap, topic = demo.settings.bootstrap_servers, demo.settings.topic
    exported = [replace(sale(7_000_001 + i), name=f"Exportação {i}") for i in range(6)]
    sender = make_producer(bootstrap)

    def write(*records) -> None:
        for record in records:
            sender.send(topic, **_kv(record), headers=[("trace-id", b"t-%d" % record.id)])
        sender.flush()

    write(*exported[:5])
    app = f"http://127.0.0.1:{demo.port}"
    page = browser.new_page(viewport={"width": 1400, "height": 1500})
    page.goto(app)
    before = caught_up(page, demo)

    page.goto(f"{app}/inspecionar")
    page.get_by_text("Ao vivo", exact=True).click()
    page.get_by_text(re.compile(r"^Ao vivo \(lido às")).wait_for(timeout=30_000)
    write(exported[5])  # after the page opened: it must appear by itself
    page.get_by_text("chave 7000006").first.wait_for(timeout=30_000)
    screenshot(page, "inspector-live.png")
    page.get_by_text("Pausar", exact=True).click()
    page.get_by_text(re.compile(r"^Ao vivo \(pausado\)")).wait_for(timeout=30_000)

    page.get_by_text("Mais recentes", exact=True).click()
    search = page.get_by_role("textbox", name="Buscar (valor, chave, cabeçalhos ou offset)")
    search.fill("exportacao")  # no accent, no capital: finds Exportação
    search.press("Enter")
    page.get_by_text("6 mensagens nesta página").wait_for(timeout=30_000)
    with page.expect_download() as download:
        page.get_by_role("button", name=re.compile("^Exportar esta busca")).click()
    path = tmp_path / download.value.suggested_filename
    download.value.save_as(path)
    assert path.suffix == ".jsonl"
    rows = formats.parse(path.read_bytes(), "teste")
    assert sorted(r.decoded.id for r in rows) == [r.id for r in exported]
    assert all(isinstance(r.decoded, SaleRecord) for r in rows)
    assert all(r.decoded.name.startswith("Exportação") for r in rows)

    for record in exported:  # gone from the table...
        key, value = encode_tombstone(record.id)
        sender.send(topic, key=key, value=value)
    sender.flush()
    sender.close()
    page.goto(app)
    assert wait_for_total(page, lambda total: total == before - 5, timeout_s=30) == before - 5
    page.goto(f"{app}/inspecionar")  # ...and back from the export
    page.get_by_role("tab", name="Enviar arquivo").click()
    page.locator("input[type=file]").set_input_files(str(path))
    page.get_by_role("button", name="Enviar arquivo").click()
    page.get_by_text("Resumo: 6 enviados, 0 rejeitados, 0 falhas.").wait_for(timeout=60_000)
    page.goto(app)
    assert wait_for_total(page, lambda total: total == before + 1, timeout_s=30) == before + 1
    page.close()


def test_the_painel_for_a_sales_person_in_chromium(browser, demo, tmp_path):
    """A link that matches nothing says so; a window compares with the period before; the
    state chart is drawn; the Excel download opens in columns with `;` and a decimal comma,
    and its total equals the page's."""
    import subprocess
    import sys
    from datetime import datetime, timedelta

    import openpyxl

    from sales_monitor.kafka.clients import make_producer
    from sales_monitor.ptbr import format_brl, format_int
    from sales_monitor.record import SAO_PAULO
    from tests.helpers.factories import sale

    producer = demo.children["produtor"]
    if producer.poll() is None:
        producer.terminate()
        producer.wait(timeout=15)
    now = datetime.now(SAO_PAULO)
    recent = [
        replace(
            sale(6_000_000 + i, "Londrina", cents=10_000 + i), timestamp=now - timedelta(minutes=1)
        )
        for i in range(3)
    ]
    earlier = [
        replace(sale(6_100_000, "Londrina", cents=5_000), timestamp=now - timedelta(minutes=20))
    ]
    # the same minutes yesterday and a week ago, and sales across the days between
    days_ago = [
        replace(sale(6_200_000 + days, "Londrina", cents=days * 1_000), timestamp=moment)
        for days in range(1, 9)
        for moment in [now - timedelta(days=days, minutes=2)]
    ]
    sender = make_producer(demo.settings.bootstrap_servers)
    for record in recent + earlier + days_ago:
        sender.send(demo.settings.topic, **_kv(record))
    sender.flush()
    sender.close()
    app = f"http://127.0.0.1:{demo.port}"
    page = browser.new_page(viewport={"width": 1400, "height": 2000})

    page.goto(f"{app}/?cidade=Natal&valor=100-500&idade=18-30&janela=5min&uf=PR")
    page.get_by_text("Nenhuma venda corresponde aos filtros escolhidos").wait_for(timeout=30_000)
    assert page.get_by_text("empty", exact=True).count() == 0

    page.goto(f"{app}/?cidade=Londrina&janela=15min")  # no producer sale is from Londrina
    page.get_by_text("vs. 15 min antes").first.wait_for(timeout=30_000)
    assert _metric(page, "Total Registros") == "3"
    assert _metric(page, "Valor Total") == "R$ 300,03"
    delta = page.locator('[data-testid="stMetric"]').filter(has_text="Valor Total")
    # the sale 20 minutes ago is in the previous 15 minutes: 300,03 against 50,00
    assert "+R$ 250,03 (+500,1%)" in delta.locator('[data-testid="stMetricDelta"]').inner_text()

    # a manager's comparisons: the same 15 minutes yesterday (R$ 10,00), a week ago (R$ 70,00)
    for code, label, change in [
        ("ontem", "vs. ontem, mesmo horário", "+R$ 290,03 (+2.900,3%)"),
        ("semana", "vs. semana passada", "+R$ 230,03 (+328,6%)"),
    ]:
        page.goto(f"{app}/?cidade=Londrina&janela=15min&comparar={code}")
        page.get_by_text(label).first.wait_for(timeout=30_000)
        delta = page.locator('[data-testid="stMetric"]').filter(has_text="Valor Total")
        assert change in delta.locator('[data-testid="stMetricDelta"]').inner_text()
    page.get_by_text("Valor total por estado (UF da cidade)").wait_for(timeout=30_000)
    screenshot(page, "dashboard-filtered.png")

    page.goto(app)
    caught_up(page, demo)
    total = _metric(page, "Valor Total")
    with page.expect_download() as download:
        page.get_by_role("button", name="Baixar para Excel").click()
    path = tmp_path / download.value.suggested_filename
    download.value.save_as(path)
    assert path.name.startswith("vendas_") and path.suffix == ".xlsx"
    book = openpyxl.load_workbook(path)
    sheet = book.worksheets[0]
    rows = list(sheet.iter_rows(min_row=5, values_only=True))
    assert all(isinstance(row[0], str) and isinstance(row[6], datetime) for row in rows)
    cents = sum(round(row[5] * 100) for row in rows)
    count = _metric(page, "Total Registros").replace(".", "")
    assert _cents(total) == cents and str(len(rows)) == count
    moments = [row[6] for row in rows]
    assert moments == sorted(moments, reverse=True)  # newest first

    # a manager fixes one sale in the sheet and hands it back: exactly that sale changes
    sheet["F5"] = 12_345.67
    edited = tmp_path / "corrigida.xlsx"
    book.save(edited)
    before = round(rows[0][5] * 100)
    sent = subprocess.run(
        [sys.executable, "-m", "sales_monitor.commands.send", "--file", str(edited)],
        capture_output=True,
        text=True,
        timeout=120,
        env=os.environ | {"KAFKA_BOOTSTRAP_SERVERS": demo.settings.bootstrap_servers},
    )
    assert sent.returncode == 0, sent.stdout + sent.stderr
    assert f"Resumo: {format_int(len(rows))} enviados, 0 rejeitados, 0 falhas." in sent.stdout
    expected = format_brl(cents - before + 1_234_567)
    page.wait_for_function(
        "(want) => [...document.querySelectorAll('[data-testid=\"stMetric\"]')]"
        ".some(m => m.innerText.includes('Valor Total') && m.innerText.includes(want))",
        arg=expected,
        timeout=30_000,
    )
    assert _metric(page, "Total Registros").replace(".", "") == count
    page.close()


def test_a_phone_reads_the_metrics_and_the_latest_sales_without_scrolling_sideways(browser, demo):
    phone = browser.new_page(viewport={"width": 390, "height": 844}, is_mobile=True)
    phone.goto(f"http://127.0.0.1:{demo.port}")
    wait_for_total(phone, lambda total: total > 0)
    phone.get_by_text("Pela hora da venda").first.wait_for(timeout=30_000)
    grids = phone.locator('[data-testid="stDataFrame"]:visible')  # alerts, latest sales
    wide = phone.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert wide <= 0, f"the page is {wide} px wider than the phone"
    for label in ("Valor Total", "Total Registros"):
        box = phone.locator('[data-testid="stMetric"]').filter(has_text=label).first.bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 390
    assert grids.count() >= 1
    for grid in grids.all():
        box = grid.bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 390
    assert phone.locator(".modebar").count() == 0  # no toolbar over the charts' titles
    phone.get_by_text("Pela hora da venda").first.scroll_into_view_if_needed()
    screenshot(phone, "dashboard-phone.png")
    phone.close()


def test_a_target_set_on_the_page_survives_a_dashboard_restart(browser, demo):
    from sales_monitor.launch.web import start_dashboard, stop_children

    page = browser.new_page(viewport={"width": 1400, "height": 1500})
    page.goto(f"http://127.0.0.1:{demo.port}")
    wait_for_total(page, lambda total: total > 0)
    page.get_by_role("button", name="Metas").click()
    set_target(page, "Meta do dia", "123456")
    states = page.get_by_role("combobox", name="Estados com meta do dia")
    for uf in ("SP", "RJ"):
        states.click()
        states.fill(uf)
        states.press("Enter")
        set_target(page, f"Meta do dia — {uf}", "20000")
    page.get_by_role("button", name="Salvar metas").click()
    bar = page.get_by_text(re.compile(r"^Meta do dia: R\$ [\d.]+,\d\d de R\$ 123\.456,00"))
    bar.first.wait_for(timeout=30_000)
    page.get_by_text(re.compile(r"^SP: R\$ [\d.]+,\d\d de R\$ 20\.000,00")).wait_for()
    page.keyboard.press("Escape")  # the popover closes
    screenshot(page, "dashboard-target.png")

    stop_children([demo.children["dashboard"]])  # a new server: nothing kept in memory
    demo.children["dashboard"], demo.port = start_dashboard(demo.settings, demo.port)
    page.goto(f"http://127.0.0.1:{demo.port}")
    bar.first.wait_for(timeout=30_000)
    # 0 is no target: the bar goes, and the module's later tests see none
    page.get_by_role("button", name="Metas").click()
    for label in ("Meta do dia", "Meta do dia — SP", "Meta do dia — RJ"):
        set_target(page, label, "0")  # a state whose target is 0 has none
    page.get_by_role("button", name="Salvar metas").click()
    page.wait_for_function(
        "() => ![...document.querySelectorAll('p')]"
        ".some(p => /^(Meta do dia|SP|RJ):/.test(p.innerText))",
        timeout=30_000,
    )
    page.close()


def set_target(page, label: str, reais: str) -> None:
    target = page.get_by_label(label, exact=True)
    target.fill(reais)
    target.press("Enter")


def test_a_demo_on_apache_kafka_keeps_its_sales_across_a_restart(browser, tmp_path):
    """With Tansu made unavailable, as on macOS, Windows or Linux ARM, the demo runs Apache
    Kafka: the page shows sales, Ctrl-C leaves no process behind, and a second demo shows at
    least the sales the first one sent."""
    import signal
    import subprocess
    import sys

    from tests.helpers.processes import alive, children_of

    why = apache_kafka.missing()
    if why is not None:
        if os.environ.get("SALES_MONITOR_REQUIRE_APACHE"):
            pytest.fail(why)
        pytest.skip(why)
    kafka_port, web_port = free_port(), free_port()
    env = os.environ | {
        "SALES_MONITOR_NO_TANSU": "1",
        "SALES_MONITOR_DATA_DIR": str(tmp_path),
        "KAFKA_BOOTSTRAP_SERVERS": f"127.0.0.1:{kafka_port}",
    }

    def run_demo(*pace: str) -> tuple[subprocess.Popen, str]:
        demo = subprocess.Popen(
            [sys.executable, "-m", "sales_monitor.commands.demo", "--port", str(web_port), *pace],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        said = ""
        for line in demo.stdout:
            said += line
            if "Dashboard: http://" in line:
                return demo, said
        raise AssertionError(said + demo.stderr.read())

    def ctrl_c(demo: subprocess.Popen) -> str:
        pieces = children_of(demo.pid)
        demo.send_signal(signal.SIGINT)
        out, err = demo.communicate(timeout=90)
        assert demo.returncode == 0, err
        assert not [pid for pid in pieces if alive(pid)]
        return out

    first, said = run_demo("--rate", "20")
    assert f"Apache Kafka {jars.KAFKA_VERSION}" in said and str(tmp_path / "kafka") in said
    page = browser.new_page(viewport={"width": 1400, "height": 1200})
    try:
        page.goto(f"http://127.0.0.1:{web_port}")
        wait_for_total(page, lambda total: total >= 20, timeout_s=60)
    finally:
        out = ctrl_c(first)
    sent = int(re.search(r"Resumo: ([\d.]+) enviados", out).group(1).replace(".", ""))
    assert sent >= 20

    second, _ = run_demo("--interval", "3600")
    try:
        page.goto(f"http://127.0.0.1:{web_port}")
        assert wait_for_total(page, lambda total: total >= sent, timeout_s=60) >= sent
        screenshot(page, "dashboard-restarted.png", publish=False)
    finally:
        ctrl_c(second)
        page.close()
