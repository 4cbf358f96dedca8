"""The Inspecionar page, driven by AppTest against the real embedded broker."""

import html
import json
from dataclasses import replace
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
INSPECTOR = "../src/sales_monitor/ui/inspecionar/page.py"


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


def labels(page: AppTest) -> list[str]:
    """The browsed messages' one-line summaries, top to bottom."""
    return [e.label for e in page.expander if e.label.startswith("partição")]


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
    shown = labels(page)
    assert any("offset 1" in text and "rejeitado" in text for text in shown)
    assert any(
        "offset 0" in text and "aceito" in text and "origem ` manual `" in text for text in shown
    )
    assert "sem chave" in shown[1] and "None" not in shown[1]
    assert f"{len(kafka_ui)} bytes" in shown[1]
    assert '"nome": "Novo Usuario"' in page.code[-1].value  # pretty-printed, newest first
    # "Reenviar" loads a browsed message into the editor and opens the Enviar tab
    page.button(key="resend-0-0").click().run()
    assert page.session_state["inspecionar_tab"] == "Enviar"
    assert json.loads(tab(page, "Enviar").text_area[0].value)["id"] == 200
    assert not page.session_state["editor_raw"]  # the contract accepts it
    page.button(key="resend-0-1").click().run()  # a rejected one opens as raw text
    assert page.session_state["editor_raw"]
    assert json.loads(tab(page, "Enviar").text_area[0].value) == {"id": 201}


def test_read_only_mode_draws_no_write_control(app):
    page = app(DASHBOARD_READ_ONLY="1")
    assert not page.exception
    assert [t.label for t in page.tabs] == ["Mensagens"]
    assert not page.text_area and not page.get("file_uploader")
    assert not [b for b in page.button if b.label in ("Enviar mensagem", "Apagar", "Reenviar")]
    assert any("somente leitura" in i.value for i in page.info)


def test_clearing_the_cache_stops_the_consumer_and_closes_the_producer(broker, topic, mocker):
    from sales_monitor.kafka.clients import close_producer

    mocker.patch.dict(
        "os.environ", {"KAFKA_BOOTSTRAP_SERVERS": broker.bootstrap, "KAFKA_TOPIC": topic}
    )
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
    headings = labels(page)
    assert len(headings) == HOSTILE_REJECTED + HOSTILE_VALID - refused
    rendered = [MarkdownIt("commonmark").renderInline(h) for h in headings]
    assert not any("<img" in r or "<a " in r or "<span" in r for r in rendered)
    for text in MARKUP:  # each origem shown whole, as code
        assert any(
            f"<code>{html.escape(text, quote=False)}</code>" in r.replace("&quot;", '"')
            for r in rendered
        ), text
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


def publish(bootstrap: str, topic: str, ids, partition: int = 0) -> None:
    producer = make_producer(bootstrap)
    for i in ids:
        key, value = encode(sale(i))
        producer.send(topic, key=key, value=value, partition=partition)
    producer.flush()
    producer.close()


def offsets_shown(page: AppTest) -> list[int]:
    return [int(label.split("offset ")[1].split(" ")[0]) for label in labels(page)]


def test_pages_stay_put_while_the_topic_grows_until_atualizar(app, broker, topic):
    publish(broker.bootstrap, topic, range(1, 13))
    page = app()
    browsing = tab(page, "Mensagens")
    browsing.number_input(key="browse_per_page").set_value(5).run()
    assert offsets_shown(page) == [11, 10, 9, 8, 7]
    publish(broker.bootstrap, topic, range(13, 16))
    page.number_input(key="browse_page").set_value(2).run()
    assert offsets_shown(page) == [6, 5, 4, 3, 2]  # not 9..5: the page is anchored
    assert any("3 novas chegaram depois" in c.value for c in page.caption)
    next(b for b in page.button if b.label == "Atualizar").click().run()
    assert page.number_input(key="browse_page").value == 1
    assert offsets_shown(page) == [14, 13, 12, 11, 10]
    page.number_input(key="browse_page").set_value(3).run()
    page.text_input(key="browse_search").input("cliente 1").run()  # a new query: page 1
    assert page.number_input(key="browse_page").value == 1
    assert all("offset" in label for label in labels(page))


def test_the_offset_start_explains_itself_and_starts_at_the_newest(app, broker, topic):
    publish(broker.bootstrap, topic, range(1, 8))
    page = app()
    page.radio(key="browse_mode").set_value("Até um offset").run()
    start = page.number_input(key="browse_offset")
    assert start.value == 6 and "este e os anteriores" in start.label
    assert offsets_shown(page)[:2] == [6, 5]
    start.set_value(2).run()
    assert offsets_shown(page) == [2, 1, 0]


def test_the_live_tail_shows_arrivals_newest_on_top_and_pauses(app, broker, topic):
    publish(broker.bootstrap, topic, range(1, 4))
    page = app()
    page.radio(key="browse_mode").set_value("Ao vivo").run()
    assert offsets_shown(page) == [2, 1, 0]
    publish(broker.bootstrap, topic, [4, 5])
    page.run()  # what the fragment's timer does in a browser
    assert offsets_shown(page) == [4, 3, 2, 1, 0]
    page.toggle(key="tail_paused").set_value(True).run()
    publish(broker.bootstrap, topic, [6])
    page.run()
    assert offsets_shown(page)[0] == 4 and any("pausado" in c.value for c in page.caption)
    page.toggle(key="tail_paused").set_value(False).run()
    assert offsets_shown(page)[0] == 5


def test_sending_to_a_partition_with_headers_and_as_raw_text(app, broker, topic):
    from sales_monitor.kafka.clients import ensure_topic

    two = topic + "-2p"
    ensure_topic(broker.bootstrap, two, partitions=2)
    page = app(KAFKA_TOPIC=two)
    editor = tab(page, "Enviar")
    editor.selectbox(key="editor_partition").set_value(1)
    editor.text_area(key="editor_headers").input("trace-id: 7f3a\norigem: carga-teste")
    editor.button[0].click().run()
    assert any("partição 1" in s.value for s in page.success), [s.value for s in page.success]
    page.toggle(key="editor_raw").set_value(True).run()
    editor = tab(page, "Enviar")
    assert any("Texto bruto" in w.value for w in page.warning)
    editor.text_area(key="editor_value").input("isto nao e json")
    editor.text_area(key="editor_headers").input("")
    editor.selectbox(key="editor_partition").set_value(0)
    editor.button[0].click().run()
    assert any("o painel a rejeita: valor não é JSON válido" in s.value for s in page.success)
    messages = read_topic(broker.bootstrap, two, expected=2)
    by_partition = {m.partition: m for m in messages}
    assert by_partition[0].value == b"isto nao e json" and by_partition[0].key is None
    assert dict(by_partition[0].headers) == {"origem": b"inspetor"}
    assert dict(by_partition[1].headers) == {"origem": b"carga-teste", "trace-id": b"7f3a"}
    assert isinstance(decode(by_partition[1].key, by_partition[1].value), SaleRecord)


def test_bad_headers_send_nothing(app, broker, topic):
    page = app()
    tab(page, "Enviar").text_area(key="editor_headers").input("sem dois pontos")
    tab(page, "Enviar").button[0].click().run()
    assert any("cabeçalho da linha 1 deve ser" in e.value for e in page.error)
    assert read_topic(broker.bootstrap, topic, expected=1, timeout_s=2) == []


def test_apagar_says_when_the_id_is_not_in_the_table(app, broker, topic):
    publish(broker.bootstrap, topic, [77])
    page = app()
    assert wait_for(lambda: 77 in live_ids())
    tab(page, "Apagar").text_input[0].input("77").run()
    assert not page.warning
    tab(page, "Apagar").text_input[0].input("78").run()
    assert any("O id 78 não está na tabela" in w.value for w in page.warning)
    tab(page, "Apagar").checkbox[0].check().run()
    assert not tab(page, "Apagar").button[0].disabled  # still allowed


def test_the_overview_counts_follow_the_topic(app, broker, topic):
    publish(broker.bootstrap, topic, range(1, 4))
    page = app()
    assert page.metric[1].value == "3"
    publish(broker.bootstrap, topic, range(4, 1_204))
    page.run()
    assert page.metric[1].value == "1.203"


def test_every_header_is_shown_and_searched_without_case_or_accents(app, broker, topic):
    producer = make_producer(broker.bootstrap)
    key, value = encode(replace(sale(5), city="São José"))
    producer.send(topic, key=key, value=value, headers=[("trace-id", b"Ab-9"), ("tenant", b"x")])
    producer.flush()
    producer.close()
    publish(broker.bootstrap, topic, [6])
    page = app()
    page.text_input(key="browse_search").input("TRACE-ID: ab-9").run()
    assert offsets_shown(page) == [0]
    assert "trace-id: Ab-9\ntenant: x" in [c.value for c in page.code]
    page.text_input(key="browse_search").input("sao jose").run()
    assert offsets_shown(page) == [0]
    page.text_input(key="browse_search").input("").run()
    assert offsets_shown(page) == [1, 0]
