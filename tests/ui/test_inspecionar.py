"""The Inspecionar page, driven by AppTest against the real embedded broker."""

import html
import json
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from sales_monitor.kafka.clients import make_producer
from sales_monitor.record import SaleRecord, decode, encode
from sales_monitor.settings import Settings
from sales_monitor.ui import resources
from tests.helpers.factories import sale
from tests.helpers.topic import read_topic
from tests.helpers.waiting import wait_for

pytestmark = pytest.mark.broker

MAIN = Path(__file__).parents[2] / "streamlit" / "dashboard.py"
INSPECTOR = "../src/sales_monitor/ui/inspecionar.py"


@pytest.fixture
def app(broker, topic, monkeypatch):
    """The inspector page on a fresh topic; the app's consumer and producer are closed after."""
    monkeypatch.setenv("KAFKA_BOOTSTRAP_SERVERS", broker.bootstrap)
    monkeypatch.setenv("KAFKA_TOPIC", topic)
    st.cache_resource.clear()

    def open_page(**env) -> AppTest:
        for name, value in env.items():
            monkeypatch.setenv(name, value)
        page = AppTest.from_file(str(MAIN), default_timeout=60).run()
        return page.switch_page(INSPECTOR).run()

    yield open_page
    settings = Settings.from_env()
    resources.stream_for(settings).stop()
    st.cache_resource.clear()


def tab(page: AppTest, label: str):
    return next(t for t in page.tabs if t.label == label)


def finish_upload(page: AppTest) -> None:
    """Wait for the page's bulk send to end, then draw the page (AppTest fires no timer)."""
    job = page.session_state["upload"]
    assert job.finished.wait(timeout=120)
    page.run()


def live_ids() -> set[int]:
    return set(resources.stream_for(Settings.from_env()).store.snapshot()["id"].tolist())


def test_a_message_from_the_editor_reaches_the_dashboard_table(app, broker, topic):
    page = app()
    assert not page.exception
    editor = tab(page, "Enviar")
    sent = json.loads(editor.text_area[0].value)  # the prefilled example, with a fresh id
    assert sent["nome"] == "Novo Usuario" and sent["valor"] == 450.0
    editor.button[0].click().run()
    assert not page.exception
    assert any(f"Registro id {sent['id']} enviado" in s.value for s in page.success)
    assert wait_for(lambda: sent["id"] in live_ids())
    frame = resources.stream_for(Settings.from_env()).store.snapshot()
    assert frame.loc[frame["id"] == sent["id"], "origem"].item() == "inspetor"
    # the editor is ready for the next one, with another fresh id
    assert json.loads(tab(page, "Enviar").text_area[0].value)["id"] != sent["id"]


def test_an_invalid_message_is_refused_with_its_reason_and_nothing_is_sent(app, broker, topic):
    page = app()
    editor = tab(page, "Enviar")
    editor.text_area[0].set_value('{"id": 5, "nome": "Ana", "idade": 200}')
    editor.button[0].click().run()
    assert any("idade 200 fora do intervalo" in e.value for e in page.error)
    assert read_topic(broker.bootstrap, topic, expected=1, timeout_s=2) == []


def test_delete_needs_confirmation_then_sends_a_tombstone(app, broker, topic):
    producer = make_producer(broker.bootstrap)
    key, value = encode(sale(77))
    producer.send(topic, key=key, value=value)
    producer.flush()
    producer.close()
    page = app()
    assert wait_for(lambda: 77 in live_ids())
    delete = tab(page, "Apagar")
    delete.text_input[0].input("77").run()
    delete = tab(page, "Apagar")
    assert delete.button[0].disabled  # not confirmed yet
    delete.checkbox[0].check().run()
    tab(page, "Apagar").button[0].click().run()
    assert any("Tombstone do id 77 enviado" in s.value for s in page.success)
    assert wait_for(lambda: 77 not in live_ids())


def test_bulk_upload_sends_exactly_the_good_lines_and_lists_the_bad(app, broker, topic):
    lines = [json.dumps(json.loads(encode(sale(i))[1])) for i in range(1, 6)]
    lines.insert(2, '{"id": 99, "nome": "", "idade": 30}')  # line 3: bad
    lines.append("not json")  # line 7: bad
    page = app()
    upload = tab(page, "Enviar arquivo")
    upload.get("file_uploader")[0].set_value(
        ("vendas.jsonl", "\n".join(lines).encode(), "application/json")
    )
    page.run()
    tab(page, "Enviar arquivo").button[0].click().run()
    assert not page.exception
    finish_upload(page)
    assert any("Resumo: 5 enviados, 2 rejeitados, 0 falhas." in w.value for w in page.warning)
    rejected = page.dataframe[-1].value
    assert rejected["linha"].tolist() == [3, 7]
    messages = read_topic(broker.bootstrap, topic, expected=5)
    decoded = [decode(m.key, m.value, m.headers) for m in messages]
    assert sorted(r.id for r in decoded) == [1, 2, 3, 4, 5]
    assert all(isinstance(r, SaleRecord) and r.source == "inspetor" for r in decoded)


def test_browsing_shows_a_kafka_ui_message_with_the_contract_verdict(app, broker, topic):
    producer = make_producer(broker.bootstrap)
    kafka_ui = b'{\n  "id": 200,\n  "nome": "Novo Usuario",\n  "idade": 28,\n  "cidade": "Recife",\n  "valor": 450.00,\n  "timestamp": "2025-08-27T12:00:00"\n}'  # noqa: E501
    producer.send(topic, key=None, value=kafka_ui, partition=0)
    producer.send(topic, key=b"201", value=b'{"id": 201}', partition=0)
    producer.flush()
    producer.close()
    page = app()
    shown = [m.value for m in page.markdown]
    assert any("offset 1" in text and "rejeitado" in text for text in shown)
    assert any(
        "offset 0" in text and "aceito" in text and "origem ` manual `" in text for text in shown
    )
    assert '"nome": "Novo Usuario"' in page.code[-1].value  # pretty-printed, newest first
    # "Reenviar" loads a browsed message into the editor
    page.button(key="resend-0-0").click().run()
    assert json.loads(tab(page, "Enviar").text_area[0].value)["id"] == 200


def test_read_only_mode_draws_no_write_control(app):
    page = app(DASHBOARD_READ_ONLY="1")
    assert not page.exception
    assert [t.label for t in page.tabs] == ["Mensagens"]
    assert not page.text_area and not page.get("file_uploader")
    assert not [b for b in page.button if b.label in ("Enviar mensagem", "Apagar", "Reenviar")]
    assert any("somente leitura" in i.value for i in page.info)


def test_clearing_the_cache_stops_the_consumer_and_closes_the_producer(broker, topic, mocker):
    from sales_monitor.kafka.clients import close_producer

    mocker.patch.dict("os.environ", {"KAFKA_BOOTSTRAP_SERVERS": broker.bootstrap,
                                     "KAFKA_TOPIC": topic})  # fmt: skip
    st.cache_resource.clear()
    settings = Settings.from_env()
    stream, producer = resources.stream_for(settings), resources.producer_for(settings)
    closed = mocker.patch("sales_monitor.ui.resources.close_producer", wraps=close_producer)
    st.cache_resource.clear()  # what a server shutdown or eviction does
    closed.assert_called_once_with(producer, wait_s=1.0)
    assert not stream.is_alive()


@pytest.mark.parametrize(
    ("typed", "reason"),
    [("²", "não é um id"), ("9" * 40, "40 dígitos"), (str(2**63), "fora do intervalo")],
)
def test_apagar_refuses_an_id_the_contract_refuses(app, typed, reason):
    """Before: the first two gave a traceback, the third sent a tombstone for 2**63."""
    page = app()
    tab(page, "Apagar").text_input[0].input(typed).run()
    assert not page.exception
    assert any("Id inválido" in e.value and reason in e.value for e in page.error)
    tab(page, "Apagar").checkbox[0].check().run()
    assert tab(page, "Apagar").button[0].disabled


def test_hostile_messages_are_browsed_as_text_and_the_write_tabs_still_draw(app, broker, topic):
    from markdown_it import MarkdownIt

    from tests.helpers.hostile import HOSTILE_REJECTED, HOSTILE_VALID, MARKUP, publish_hostile

    refused = publish_hostile(broker.bootstrap, topic, first_id=100)  # Apache Kafka: 3
    page = app()
    assert not page.exception and not page.error
    assert [t.label for t in page.tabs] == ["Mensagens", "Enviar", "Apagar", "Enviar arquivo"]
    headings = [m.value for m in page.markdown if m.value.startswith("**partição")]
    assert len(headings) == HOSTILE_REJECTED + HOSTILE_VALID - refused
    rendered = [MarkdownIt("commonmark").renderInline(h) for h in headings]
    assert not any("<img" in r or "<a " in r or "<span" in r for r in rendered)
    for text in MARKUP:  # each origem shown whole, as code
        assert any(f"<code>{html.escape(text, quote=False)}</code>"
                   in r.replace("&quot;", '"') for r in rendered), text  # fmt: skip
    if not refused:  # a broker that kept the Kafka timestamps past 9999 (Tansu)
        assert any("sem data válida" in h for h in headings)
    assert any("[[[[" in c.value for c in page.code)  # the deep value, as it came


def test_an_upload_runs_to_its_end_whatever_the_page_does_meanwhile(app, broker, topic):
    """Before: 200,000 lines, then typing in Buscar about 4 s later: 16,000 messages reached
    the topic, the progress bar vanished, no summary, no warning."""
    lines = [json.dumps(json.loads(encode(sale(i))[1])) for i in range(1, 20_001)]
    page = app()
    tab(page, "Enviar arquivo").get("file_uploader")[0].set_value(
        ("vendas.jsonl", "\n".join(lines).encode(), "application/json")
    )
    page.run()
    tab(page, "Enviar arquivo").button[0].click().run()
    tab(page, "Mensagens").text_input[0].input("Ana").run()  # a click elsewhere: a rerun
    assert not page.exception
    finish_upload(page)
    assert any("Resumo: 20.000 enviados, 0 rejeitados, 0 falhas." in s.value for s in page.success)
    assert len(read_topic(broker.bootstrap, topic, expected=20_000)) == 20_000
