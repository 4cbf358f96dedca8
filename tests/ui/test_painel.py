"""The real page, run by Streamlit's AppTest with a seeded store instead of Kafka."""

import json
from dataclasses import replace

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from sales_monitor.kafka.connection import Connection
from sales_monitor.record import Tombstone
from sales_monitor.stream.consumer import StreamConsumer, StreamState, StreamStatus
from sales_monitor.stream.store import RecordStore
from tests.helpers.factories import sale
from tests.helpers.page import PAGE, button, metrics, run_page

pytestmark = pytest.mark.unit


def test_metrics_have_the_original_labels_and_exact_values(seeded_stream):
    seeded_stream.store.apply(
        [
            sale(1, "Natal", 123_456, 40),
            sale(2, "Recife", 10_001, 30),
            sale(2, "Recife", 10_000, 31),
            sale(3, "Natal", 1, 99),
            Tombstone(3),
        ]
    )
    app = run_page()
    assert not app.exception
    shown = metrics(app)
    assert shown["Valor Total"] == "R$ 1.334,56"
    assert shown["Valor Médio"] == "R$ 667,28"
    assert shown["Total Registros"] == "2"
    assert shown["Idade Média"] == "35,5"
    assert shown["Atraso (mensagens)"] == "2"


def test_empty_table_says_it_is_waiting(seeded_stream):
    app = run_page()
    assert not app.exception
    assert any(c.value.startswith("Atualizado às ") for c in app.caption)
    assert metrics(app)["Total Registros"] == "0"
    assert metrics(app)["Valor Médio"] == "—"
    assert any("aguardando mensagens" in info.value for info in app.info)


def test_new_messages_show_on_the_next_run_without_reloading(seeded_stream):
    app = run_page()
    assert metrics(app)["Total Registros"] == "0"
    seeded_stream.store.apply([sale(1), sale(2)])
    app.run()  # what the fragment timer does in the browser
    assert metrics(app)["Total Registros"] == "2"


def test_city_filter_changes_every_number(seeded_stream):
    seeded_stream.store.apply(
        [sale(1, "Natal", 50_000), sale(2, "Recife", 10_000), sale(3, "Natal", 30_000)]
    )
    app = run_page()
    app.sidebar.multiselect[0].select("Recife").run()
    shown = metrics(app)
    assert (shown["Total Registros"], shown["Valor Total"]) == ("1", "R$ 100,00")


def test_age_filter(seeded_stream):
    seeded_stream.store.apply([sale(1, age=20), sale(2, age=60)])
    app = run_page()
    app.sidebar.slider[0].set_range(50, 130).run()
    assert metrics(app)["Total Registros"] == "1"


def test_high_ticket_sales_are_listed(seeded_stream):
    seeded_stream.store.apply([sale(1, cents=180_000), sale(2, cents=5_000)])
    app = run_page()
    assert any(h.value == "Vendas a partir de R$ 1.800,00" for h in app.subheader)
    alerts = app.dataframe[0].value
    assert alerts["id"].tolist() == [1]


def test_broker_down_shows_a_clear_status(seeded_stream):
    seeded_stream.status = StreamStatus(
        state=StreamState.BROKER_DOWN, detail="nenhum broker responde", bootstrap="x:1"
    )
    app = run_page()
    assert not app.exception
    (box,) = [error.value for error in app.error if "Kafka indisponível" in error.value]
    assert "em x:1 e tenta de novo" in box  # plain words, the address as typed
    assert "`" not in box and "\u2060" not in box and "\\" not in box
    assert any(t.value == "Último aviso do Kafka: nenhum broker responde" for t in app.text)


def test_missing_topic_shows_a_warning(seeded_stream):
    seeded_stream.status = StreamStatus(
        state=StreamState.NO_TOPIC, detail="o tópico 'csv-data' não existe ainda"
    )
    app = run_page()
    assert any("Aguardando o tópico" in w.value for w in app.warning)


def test_eviction_is_announced(seeded_stream):
    seeded_stream.store.apply([sale(i) for i in range(1, 106)])
    app = run_page()
    assert any("5 vendas mais antigas saíram da tabela" in i.value for i in app.info)


def test_emptying_the_table_is_named_for_what_it_does_and_asks_first(seeded_stream):
    """Before: "Limpar Cache" emptied the table for every viewer, with no confirmation."""
    seeded_stream.store.apply([sale(1), sale(2)])
    app = run_page()
    assert button(app, "Esvaziar a tabela").disabled  # not confirmed yet
    app.sidebar.checkbox(key="confirm_clear").check().run()
    button(app, "Esvaziar a tabela").click().run()
    assert metrics(app)["Total Registros"] == "0"
    assert not app.sidebar.checkbox(key="confirm_clear").value  # asked again next time


def test_reading_the_topic_again_asks_first_then_rewinds(seeded_stream, mocker):
    rewind = mocker.patch.object(seeded_stream, "rewind")
    app = run_page()
    assert button(app, "Reler o tópico do início").disabled
    app.sidebar.checkbox(key="confirm_reread").check().run()
    button(app, "Reler o tópico do início").click().run()
    rewind.assert_called_once()


def test_read_only_mode_hides_what_changes_the_table_for_everyone(seeded_stream, monkeypatch):
    monkeypatch.setenv("DASHBOARD_READ_ONLY", "1")
    app = run_page()
    labels = [b.label for b in app.sidebar.button]
    assert "Esvaziar a tabela" not in labels and "Reler o tópico do início" not in labels
    assert "Pausar" in labels


def test_invalid_messages_are_listed_in_the_status_tab(seeded_stream):
    from sales_monitor.stream.ingest import Rejected

    seeded_stream.invalid_messages.append(Rejected(0, 4, "{oops", "valor não é JSON válido"))
    seeded_stream.status = StreamStatus(
        state=StreamState.CONNECTED, bootstrap="b:1", topic="csv-data", invalid=1
    )
    app = run_page()
    assert any(e.label == "Detalhes técnicos" for e in app.expander)
    assert any("Mensagens inválidas (últimas 1)" in c.value for c in app.caption)
    listed = app.dataframe[-1].value
    assert listed.to_dict("records") == [
        {"partição": 0, "offset": 4, "motivo": "valor não é JSON válido", "mensagem": "{oops"}
    ]


def test_bad_configuration_is_explained_on_the_page(seeded_stream, monkeypatch):
    monkeypatch.setenv("DASHBOARD_REFRESH_SECONDS", "soon")
    app = run_page()
    assert not app.exception
    assert app.error[0].value.startswith("Configuração inválida: DASHBOARD_REFRESH_SECONDS='soon'")


@pytest.fixture
def listen_on():
    """Pretend the server listens on another address, as `--host` would make it."""
    from streamlit import config

    previous = config.get_option("server.address")
    yield lambda address: config.set_option("server.address", address)
    config.set_option("server.address", previous)


def test_listening_beyond_loopback_without_login_is_said_on_every_page(seeded_stream, listen_on):
    assert not run_page().warning  # loopback: nothing to say
    listen_on("0.0.0.0")
    app = run_page()
    (warning,) = [w.value for w in app.warning if w.value.startswith("Sem proteção")]
    assert "vê os dados dos clientes, e pode escrever no tópico" in warning
    app.switch_page("../src/sales_monitor/ui/inspecionar/page.py").run()
    assert any(w.value.startswith("Sem proteção") for w in app.warning)


def test_read_only_beyond_loopback_still_says_the_data_is_open(
    seeded_stream, listen_on, monkeypatch
):
    monkeypatch.setenv("DASHBOARD_READ_ONLY", "1")
    listen_on("0.0.0.0")
    (warning,) = [w.value for w in run_page().warning if w.value.startswith("Sem proteção")]
    assert "dados dos clientes" in warning and "escrever" not in warning


def test_status_tab_counts_live_records_by_source(seeded_stream):
    from dataclasses import replace

    seeded_stream.store.apply([replace(sale(1), source="produtor"), sale(2), sale(3)])
    app = run_page()
    by_source = next(d.value for d in app.dataframe if "origem" in d.value.columns[:1])
    assert by_source.to_dict("records") == [
        {"origem": "manual", "registros": 2},
        {"origem": "produtor", "registros": 1},
    ]


def test_an_outage_dates_the_numbers_and_a_data_loss_is_stated(seeded_stream):
    from datetime import datetime

    from sales_monitor.record import SAO_PAULO
    from sales_monitor.stream.consumer import DataLoss

    seeded_stream.store.apply([sale(1), sale(2)])
    when = datetime(2025, 8, 27, 12, 0, 5, tzinfo=SAO_PAULO)
    seeded_stream.status = StreamStatus(
        state=StreamState.BROKER_DOWN,
        detail="x",
        bootstrap="b:1",
        checked_at=when,
        data_loss=DataLoss(at=when, rows_before=7),
    )
    app = run_page()
    warnings = [w.value for w in app.warning]
    assert any(w.startswith("Números de 27/08/2025 12:00:05, a última resposta") for w in warnings)
    assert any(
        w.startswith(
            "Às 27/08/2025 12:00:05 o Kafka voltou sem os dados que a tabela "
            "tinha (7 vendas): relendo"
        )
        for w in warnings
    )
    # once rebuilt, the loss is stated once, whatever arrives later, and can be dismissed
    seeded_stream.status = replace(seeded_stream.status, data_loss=DataLoss(when, 7, 2))
    seeded_stream.store.apply([sale(3), sale(4)])
    app.run()
    stated = (
        "Às 27/08/2025 12:00:05 o Kafka voltou sem parte dos dados: 5 vendas perdidas. "
        "A tabela tinha 7 vendas; o tópico tinha 2 depois."
    )
    assert stated in [w.value for w in app.warning]
    app.button(key="dismiss_loss").click().run()
    assert not any("voltou sem" in w.value for w in app.warning)


def test_the_time_window_filters_every_number(seeded_stream):
    from dataclasses import replace
    from datetime import datetime

    from sales_monitor.record import SAO_PAULO

    just_now = replace(sale(1, cents=5_000), timestamp=datetime.now(SAO_PAULO))
    seeded_stream.store.apply([just_now, sale(2, cents=7_000)])  # sale 2 is from 2025
    app = run_page()
    assert metrics(app)["Total Registros"] == "2"
    app.sidebar.selectbox[0].select("Últimos 5 min").run()
    shown = metrics(app)
    assert (shown["Total Registros"], shown["Valor Total"]) == ("1", "R$ 50,00")


def test_pause_freezes_the_numbers_and_counts_what_arrived_meanwhile(seeded_stream):
    seeded_stream.store.apply([sale(1), sale(2)])
    app = run_page()
    button(app, "Pausar").click().run()
    seeded_stream.store.apply([sale(3), sale(4), sale(5)])
    seeded_stream.status = replace(seeded_stream.status, consumed=seeded_stream.status.consumed + 3)
    app.run()  # a refresh while paused
    assert metrics(app)["Total Registros"] == "2"
    assert any("Pausado às" in i.value and "3 vendas chegaram" in i.value for i in app.info)
    button(app, "Continuar").click().run()
    assert metrics(app)["Total Registros"] == "5"


def test_filters_come_from_the_url_and_go_back_to_it(seeded_stream):
    seeded_stream.store.apply(
        [
            sale(1, "Natal", 50_000, age=20),
            sale(2, "Recife", 10_000, age=40),
            sale(3, "Natal", 30_000, age=60),
        ]
    )
    app = AppTest.from_file(PAGE, default_timeout=30)
    app.query_params = {"cidade": ["Natal"], "idade": "10-50"}
    app.run()
    shown = metrics(app)
    assert (shown["Total Registros"], shown["Valor Total"]) == ("1", "R$ 500,00")
    app.sidebar.selectbox[0].select("Última hora").run()
    assert app.query_params["janela"] == "1h" and app.query_params["cidade"] == "Natal"
    assert app.query_params["idade"] == "10-50"


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({}, {"cities": [], "values": (0, 2_000), "ages": (0, 130), "window": "Tudo"}),
        (
            {
                "cidade": ["Natal", " "],
                "valor": ["100-500"],
                "idade": ["18-30"],
                "janela": ["5min"],
            },
            {
                "cities": ["Natal"],
                "values": (100, 500),
                "ages": (18, 30),
                "window": "Últimos 5 min",
            },
        ),
        (
            {"valor": ["abc"], "idade": ["90-10"], "janela": ["ontem"]},
            {
                "cities": [],
                "values": (0, 2_000),
                "ages": (0, 130),
                "window": "Tudo",
                "notes": [
                    "O filtro de valor do link não foi entendido e ficou sem limite.",
                    "O filtro de idade do link não foi entendido e ficou sem limite.",
                ],
            },
        ),
        (
            {"valor": ["100-99999"]},
            {"cities": [], "values": (100, 2_000), "ages": (0, 130), "window": "Tudo"},
        ),
    ],
)
def test_url_parameters_become_widget_values(query, expected):
    from sales_monitor.analysis import filtering

    no_states_or_dates = {
        "states": [],
        "since": None,
        "until": None,
        "compare": filtering.BEFORE,
        "notes": [],
    }
    assert filtering.choices_from_query(query, 2_000) == no_states_or_dates | expected


@pytest.mark.parametrize(
    "query",
    [
        {"valor": "²-5"},
        {"idade": "1-" + "9" * 5000},
        {"valor": "9" * 40 + "-" + "9" * 40},
        {"cidade": ["Re\u200bcife", "x" * 5000, *[f"c{i}" for i in range(500)]]},
        {"janela": "\u202e5min"},
    ],
)
def test_any_link_opens_the_page_with_sensible_filters(seeded_stream, query):
    """Before: the first two gave a traceback on the page."""
    from sales_monitor.analysis import filtering

    seeded_stream.store.apply([sale(1, "Recife", 50_000)])
    app = AppTest.from_file(PAGE, default_timeout=30)
    app.query_params = query
    app.run()
    assert not app.exception and not app.error
    start = filtering.choices_from_query(
        {k: v if isinstance(v, list) else [v] for k, v in query.items()}, 2_000
    )
    assert len(start["cities"]) <= filtering.MAX_LINK_CITIES
    assert all(len(c) <= 200 and "\u200b" not in c for c in start["cities"])


def test_city_names_with_markup_reach_the_charts_as_text(seeded_stream):
    html_city = '<span style="font-size:60px">X</span>'
    seeded_stream.store.apply([sale(1, html_city, 50_000), sale(2, "A & B", 10_000)])
    app = run_page()
    assert not app.exception
    figures = [json.loads(chart.proto.spec) for chart in app.get("plotly_chart")]
    labels = json.dumps(
        [
            trace.get(axis)
            for f in figures
            for trace in f["data"]
            for axis in ("x", "y", "labels", "text")
        ]
    )
    assert "<span" not in labels and "&lt;span style" in labels and "A &amp; B" in labels


def test_an_error_while_drawing_is_one_sentence_and_the_details_go_to_the_log(
    seeded_stream, mocker, caplog
):
    mocker.patch(
        "sales_monitor.analysis.metrics.summarize", side_effect=RuntimeError("segredo do servidor")
    )
    app = run_page()
    assert not app.exception  # no traceback element on the page
    (shown,) = [e.value for e in app.error]
    assert shown.startswith("Não foi possível mostrar o painel") and "segredo" not in shown
    assert "segredo do servidor" in caplog.text


def test_a_consumer_thread_that_ended_is_replaced(mocker):
    from sales_monitor.errors import BrokerUnavailable
    from sales_monitor.settings import Settings
    from sales_monitor.ui import resources

    def unreachable(_connection, _topic):
        raise BrokerUnavailable("127.0.0.1:9", "recusada")

    st.cache_resource.clear()
    dead = StreamConsumer(
        Connection("127.0.0.1:9"), "csv-data", RecordStore(), consumer_factory=unreachable
    )
    dead.start()
    dead.stop()
    assert not dead.is_alive()
    fresh = StreamConsumer(Connection("127.0.0.1:9"), "csv-data", RecordStore())
    shared = mocker.patch("sales_monitor.ui.resources.shared_stream", side_effect=[dead, fresh])
    assert resources.stream_for(Settings.from_env({})) is fresh
    shared.clear.assert_called_once()


def test_a_page_opened_during_the_first_read_says_how_far_it_is(seeded_stream):
    seeded_stream.status = replace(
        seeded_stream.status, positions={0: 340_000}, highwater={0: 1_000_000}, caught_up=False
    )
    app = run_page()
    (bar,) = app.get("progress")
    assert "Lendo o tópico: 340.000 de 1.000.000 mensagens (34%)" in bar.proto.text
    seeded_stream.status = replace(seeded_stream.status, caught_up=True)
    assert not app.run().get("progress")


def test_a_link_that_matches_nothing_says_so_and_offers_to_clear_the_filters(seeded_stream):
    """Before: `?cidade=Natal&valor=100-500&idade=18-30&janela=5min` with 150 sales said
    "aguardando mensagens do tópico", and the tables showed Streamlit's English `empty`."""
    seeded_stream.store.apply([sale(i, "Recife") for i in range(1, 91)])  # the cap is 100
    app = AppTest.from_file(PAGE, default_timeout=30)
    app.query_params = {"cidade": "Natal", "valor": "100-500", "idade": "18-30", "janela": "5min"}
    app.run()
    (info,) = [i.value for i in app.info]
    assert info == (
        "Nenhuma venda corresponde aos filtros escolhidos; a tabela tem 90 vendas no total."
    )
    assert not app.dataframe[:1] or all(len(d.value) for d in app.dataframe)  # no empty grid
    assert any(c.value == "Nenhuma venda para listar." for c in app.caption)
    app.button(key="clear_filters_empty").click().run()
    assert metrics(app)["Total Registros"] == "90"
    assert dict(app.query_params) == {}


def test_metrics_compare_with_the_period_just_before(seeded_stream):
    from datetime import datetime, timedelta

    from sales_monitor.record import SAO_PAULO

    now = datetime.now(SAO_PAULO)
    seeded_stream.store.apply(
        [
            replace(sale(1, cents=30_000), timestamp=now - timedelta(minutes=2)),
            replace(sale(2, cents=10_000), timestamp=now - timedelta(minutes=1)),
            replace(sale(3, cents=10_000), timestamp=now - timedelta(minutes=7)),
        ]
    )
    app = run_page()
    assert all(m.proto.delta == "" for m in app.metric if m.label == "Valor Total")  # no window
    app.sidebar.selectbox[0].select("Últimos 5 min").run()
    shown = {m.label: m for m in app.metric}
    assert shown["Valor Total"].value == "R$ 400,00"
    assert shown["Valor Total"].proto.delta == "+R$ 300,00 (+300,0%)"
    assert shown["Total Registros"].proto.delta == "+1 (+100,0%)"
    assert "vs. 5 min antes" in str(shown["Valor Total"].proto)


def test_a_state_filter_and_a_custom_range_come_from_the_link(seeded_stream):
    from datetime import timedelta

    from tests.helpers.factories import T0

    seeded_stream.store.apply(
        [
            sale(1, "São Paulo", 10_000, minute=0),
            sale(2, "Campinas", 20_000, minute=90),
            sale(3, "Recife", 40_000, minute=30),
        ]
    )
    app = AppTest.from_file(PAGE, default_timeout=30)
    app.query_params = {"uf": "SP"}
    app.run()
    assert metrics(app)["Valor Total"] == "R$ 300,00"
    charts = [json.loads(c.proto.spec)["layout"]["title"]["text"] for c in app.get("plotly_chart")]
    assert "Valor total por estado (UF da cidade)" in charts
    assert "Participação por região (vendas)" in charts
    app = AppTest.from_file(PAGE, default_timeout=30)
    until = (T0 + timedelta(minutes=60)).strftime("%Y-%m-%dT%H:%M")
    app.query_params = {"de": "2025-08-27T12:00", "ate": until}
    app.run()
    assert metrics(app)["Total Registros"] == "2"  # sales 1 and 3; 2 is at 13:30
    assert app.query_params["janela"] == "personalizado" and app.query_params["ate"] == until


def test_a_new_high_ticket_sale_is_announced_once_in_each_tab(seeded_stream):
    seeded_stream.store.apply([sale(1, "Natal", 190_000)])
    app = run_page()
    assert not app.toast  # what was listed when the tab opened is not news
    seeded_stream.store.apply([sale(2, "Recife", 250_000), sale(3, "Natal", 1_000)])
    app.run()
    assert [t.value for t in app.toast] == ["Venda de R$ 2.500,00 em Recife"]
    app.run()
    assert not app.toast  # once
    seeded_stream.store.apply([sale(n, "Natal", 200_000 + n) for n in range(4, 9)])
    app.run()  # five at once: one notice, the largest named
    assert [t.value for t in app.toast] == ["5 vendas altas agora; a maior: R$ 2.000,08 em Natal"]


def test_the_sales_page_speaks_plain_words(seeded_stream):
    """Before: `atraso produção→tabela p50/p95`, `offsets lidos`, `Status do stream` and
    `origem: produtor` on the page a sales person reads."""
    seeded_stream.store.apply([replace(sale(1), source="produtor")])
    app = run_page()
    technical = next(e for e in app.expander if e.label == "Detalhes técnicos")
    inside = {id(el) for el in technical.caption} | {id(el) for el in technical.markdown}
    outside = [el.value for el in [*app.caption, *app.markdown] if id(el) not in inside]
    for word in ("offset", "atraso produção", "origem", "Status do stream"):
        assert not any(word in text for text in outside), word
    assert "origem" not in app.dataframe[0].value.columns  # the latest sales
    assert [t.label for t in app.tabs] == ["Últimas vendas", "Estatísticas"]


def test_what_holds_the_topic_back_is_named_by_partition(seeded_stream):
    from datetime import datetime

    from sales_monitor.record import SAO_PAULO
    from sales_monitor.stream.consumer import DataLoss, Expired, LossCause

    when = datetime(2025, 8, 27, 12, 0, 5, tzinfo=SAO_PAULO)
    seeded_stream.store.apply([sale(1)])
    seeded_stream.status = replace(
        seeded_stream.status,
        partitions=(0, 1, 2),
        caught_up=True,
        positions={0: 5, 1: 54, 2: 9},
        highwater={0: 5, 1: 60, 2: 12},
        ends={2: 9},
        set_aside={1: "offset 54: lote comprimido em lz4, que este cliente Kafka não consegue ler"},
        expired=Expired(when, 7),
        data_loss=DataLoss(when, 8, 5, cause=LossCause.TOPIC_RECREATED),
    )
    app = run_page()
    assert [e.value for e in app.error] == [
        "A partição 1 não está sendo lida: offset 54: lote comprimido em lz4, que este cliente "
        "Kafka não consegue ler. As outras seguem; ela é tentada de novo a cada poucos segundos."
    ]
    assert (
        "Uma transação aberta na partição 2 segura a leitura: 3 mensagens esperam o commit "
        "(ou o abort) do produtor." in [i.value for i in app.info]
    )
    warnings = [w.value for w in app.warning]
    assert (
        "Às 27/08/2025 12:00:05, 7 mensagens foram apagadas do Kafka antes de serem lidas "
        "(retenção ou remoção): a leitura seguiu do que restou." in warnings
    )
    assert (
        "Às 27/08/2025 12:00:05 o tópico foi apagado e criado de novo; a tabela foi refeita: "
        "3 vendas saíram. A tabela tinha 8 vendas; o novo tópico tem 5." in warnings
    )
    assert not any(e.value.startswith("Kafka indisponível") for e in app.error)
    assert metrics(app)["Atraso (mensagens)"] == "6"  # partition 1's, not the open transaction's


def test_a_link_with_more_cities_than_the_page_keeps_says_so(seeded_stream):
    seeded_stream.store.apply([sale(1, "c0", 50_000)])
    app = AppTest.from_file(PAGE, default_timeout=30)
    app.query_params = {"cidade": [f"c{i}" for i in range(150)], "de": "ontem"}
    app.run()
    notes = [i.value for i in app.sidebar.info]
    assert notes == [
        "O link filtra 150 cidades; a página usa as primeiras 100.",
        "A data 'de' do link não foi entendida e foi ignorada.",
    ]
    assert len(app.sidebar.multiselect[0].value) == 100


def test_metrics_compare_with_yesterday_and_last_week_from_the_link(seeded_stream):
    """Sales across 8 days: the last hour against the same hour yesterday and a week ago."""
    from datetime import datetime, timedelta

    from sales_monitor.record import SAO_PAULO

    now = datetime.now(SAO_PAULO)
    at = now - timedelta(minutes=10)
    seeded_stream.store.apply(
        [
            replace(sale(1, cents=50_000), timestamp=at),  # this hour
            replace(sale(2, cents=20_000), timestamp=at - timedelta(days=1)),  # yesterday
            replace(sale(3, cents=30_000), timestamp=at - timedelta(days=1, hours=2)),  # no
            replace(sale(4, cents=40_000), timestamp=at - timedelta(days=7)),  # a week ago
            replace(sale(5, cents=10_000), timestamp=at - timedelta(days=7)),
        ]
    )
    for code, delta, label in [
        ("ontem", "+R$ 300,00 (+150,0%)", "vs. ontem, mesmo horário"),
        ("semana", "+R$ 0,00 (+0,0%)", "vs. semana passada"),
    ]:
        app = AppTest.from_file(PAGE, default_timeout=30)
        app.query_params = {"janela": "1h", "comparar": code}
        app.run()
        shown = {m.label: m for m in app.metric}
        assert shown["Valor Total"].value == "R$ 500,00"
        assert shown["Valor Total"].proto.delta == delta
        assert label in str(shown["Valor Total"].proto)
        assert app.query_params["comparar"] == code


def test_an_empty_comparison_period_says_so_in_words(seeded_stream):
    from datetime import datetime, timedelta

    from sales_monitor.record import SAO_PAULO

    now = datetime.now(SAO_PAULO)
    seeded_stream.store.apply(
        [replace(sale(1, cents=30_000), timestamp=now - timedelta(minutes=2))]
    )
    app = AppTest.from_file(PAGE, default_timeout=30)
    app.query_params = {"janela": "15min"}
    app.run()
    four = ("Valor Total", "Valor Médio", "Total Registros", "Idade Média")
    deltas = {m.label: m.proto.delta for m in app.metric if m.label in four}
    assert deltas == dict.fromkeys(four, "sem vendas 15 min antes")


def test_a_target_set_on_the_page_shows_progress_and_outlives_the_server(
    seeded_stream, monkeypatch, tmp_path
):
    from datetime import datetime, timedelta

    from sales_monitor.record import SAO_PAULO

    monkeypatch.setenv("SALES_MONITOR_DATA_DIR", str(tmp_path))
    now = datetime.now(SAO_PAULO)
    today = max(now - timedelta(minutes=1), now.replace(hour=0, minute=0, second=1))
    seeded_stream.store.apply([replace(sale(1, cents=25_000_00), timestamp=today)])
    app = run_page()
    assert not any(p.proto.text.startswith("Meta do dia") for p in app.get("progress"))
    app.number_input(key="target_day").set_value(100_000.0)
    button(app, "Salvar metas").click().run()
    assert (tmp_path / "metas.json").is_file()
    (bar,) = [p for p in app.get("progress") if p.proto.text.startswith("Meta do dia")]
    assert "R$ 25.000,00 de R$ 100.000,00 (25,0%)" in bar.proto.text
    st.cache_resource.clear()  # a new server process: nothing kept in memory
    again = run_page()
    assert any("de R$ 100.000,00" in p.proto.text for p in again.get("progress"))


def test_a_state_target_set_on_the_page_shows_that_states_share(
    seeded_stream, monkeypatch, tmp_path
):
    from datetime import datetime, timedelta

    from sales_monitor import targets
    from sales_monitor.record import SAO_PAULO

    monkeypatch.setenv("SALES_MONITOR_DATA_DIR", str(tmp_path))
    now = datetime.now(SAO_PAULO)
    today = max(now - timedelta(minutes=1), now.replace(hour=0, minute=0, second=1))
    seeded_stream.store.apply(
        [
            replace(sale(1, "Campinas", cents=3_000_00), timestamp=today),
            replace(sale(2, "Niterói", cents=9_000_00), timestamp=today),
        ]
    )
    app = run_page()
    app.multiselect(key="target_states").set_value(["SP"]).run()
    app.number_input(key="target_uf_SP").set_value(10_000.0)
    button(app, "Salvar metas").click().run()
    saved = targets.load(tmp_path / "metas.json", targets.Targets())
    assert saved.states == (("SP", 10_000_00),)
    (bar,) = [p for p in app.get("progress") if p.proto.text.startswith("SP:")]
    assert "R$ 3.000,00 de R$ 10.000,00 (30,0%)" in bar.proto.text  # Niterói is RJ's
    assert "Meta do dia por estado" in [c.value for c in app.caption]


def test_targets_from_the_settings_and_no_editor_in_read_only(seeded_stream, monkeypatch, tmp_path):
    monkeypatch.setenv("SALES_MONITOR_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("DASHBOARD_TARGET_MONTH", "1000000")
    monkeypatch.setenv("DASHBOARD_READ_ONLY", "1")
    app = run_page()
    assert any(
        p.proto.text.startswith("Meta do mês: R$ 0,00 de R$ 1.000.000,00")
        for p in app.get("progress")
    )
    assert "Salvar metas" not in [b.label for b in app.button]


def test_a_table_of_many_cities_offers_the_busiest_and_says_so(seeded_stream, monkeypatch):
    from sales_monitor.analysis import filtering

    monkeypatch.setattr(filtering, "CITY_OPTIONS", 3)
    seeded_stream.store.apply(
        [sale(n, f"Cidade {n % 5}") for n in range(1, 21)] + [sale(99, "Cidade 4")]
    )
    app = run_page()
    (cities,) = [m for m in app.sidebar.multiselect if m.label == "Cidades"]
    assert cities.options == ["Cidade 0", "Cidade 1", "Cidade 4"]
    assert any(
        "A lista traz as 3 cidades com mais vendas de 5" in c.value for c in app.sidebar.caption
    )


def test_technical_details_show_where_alerts_go_with_secrets_masked(seeded_stream, monkeypatch):
    monkeypatch.setenv(
        "DASHBOARD_ALERT_URLS", "json://127.0.0.1:9/alertas tgram://123456:segredoXYZ/789"
    )
    app = run_page()
    (said,) = [t.value for t in app.text if t.value.startswith("Alertas para ")]
    assert "json://127.0.0.1:9/alertas" in said and "tgram://" in said
    assert "segredoXYZ" not in said
    assert said.endswith("0 enviados, 0 não entregues, 0 descartados (fila cheia)")


def test_without_alert_urls_the_details_say_how_to_add_them(seeded_stream):
    app = run_page()
    assert any(c.value.startswith("Alertas: nenhum destino") for c in app.caption)
