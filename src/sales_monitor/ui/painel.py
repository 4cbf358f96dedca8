"""Painel: the live dashboard, top to bottom.

Layout only: the numbers come from `sales_monitor.dashboard`, the data from the one
shared consumer in `ui.resources`.
"""

from datetime import datetime
from typing import cast

import streamlit as st

from sales_monitor.dashboard import filtering, metrics, refresh, tables
from sales_monitor.dashboard.consumer import Reading, StreamState
from sales_monitor.literal import markdown_literal as literal
from sales_monitor.ptbr import WHEN, count_of, format_brl, format_int
from sales_monitor.record import SAO_PAULO
from sales_monitor.ui import icons, resources
from sales_monitor.ui.errors import guarded

settings = resources.load_settings()  # app.py has checked it
stream = resources.stream_for(settings)
views = resources.views_for(settings)

st.title("Monitor de Vendas em Tempo Real")
st.caption(
    f"Tópico `{settings.topic}` em `{settings.bootstrap_servers}` · "
    f"atualiza a cada {settings.refresh_seconds:g} s"
)


def _start_from_url(value_top: int) -> None:
    """Widget values: from the URL on a session's first run; afterwards kept, except that a
    valor range left at full width follows the largest sale."""
    if "f_cities" not in st.session_state:
        query = {name: st.query_params.get_all(name) for name in st.query_params}
        start = filtering.choices_from_query(query, value_top)
        st.session_state.f_cities, st.session_state.f_values = start["cities"], start["values"]
        st.session_state.f_ages, st.session_state.f_window = start["ages"], start["window"]
    low, high = st.session_state.f_values
    if high == st.session_state.get("f_top", value_top) or high > value_top:
        high = value_top  # full width stays full width; never beyond the slider's end
    st.session_state.f_values = (min(low, high), high)
    st.session_state.f_top = value_top


def _pause() -> None:
    now = datetime.now(SAO_PAULO)
    reading = stream.read()
    st.session_state.paused = (now, reading.table, reading.status.consumed)
    st.session_state.pop("paused_view", None)


def _resume() -> None:
    st.session_state.paused = None
    st.session_state.pop("paused_view", None)


# -- Sidebar: filters and actions (a change reruns the page; the fragment below follows) --
with st.sidebar:
    st.header("Filtros")
    snapshot = stream.snapshot()
    top_value = filtering.value_ceiling(snapshot)
    _start_from_url(top_value)
    filters = filtering.filters_from_choices(
        st.multiselect(
            "Cidades", sorted(set(snapshot["cidade"].unique()) | set(st.session_state.f_cities)),
            key="f_cities", placeholder="Todas",
        ),
        cast(tuple[int, int], st.slider(
            "Valor (R$)", 0, top_value, key="f_values", step=10, format="R$ %d")),
        top_value,
        cast(tuple[int, int], st.slider("Idade", *filtering.AGE_BOUNDS, key="f_ages")),
        st.selectbox("Janela de tempo", list(filtering.WINDOWS), key="f_window"),
    )  # fmt: skip
    st.query_params.from_dict(filtering.query_from_filters(filters))  # the view, as a link
    st.divider()
    if st.session_state.get("paused") is None:
        st.button("Pausar", on_click=_pause, help="Congela os números desta aba")
    else:
        st.button("Continuar", on_click=_resume, type="primary")
    clear_help = "Esvazia a tabela (em todas as abas) e segue só com mensagens novas"
    if st.button("Limpar Cache", help=clear_help):
        stream.clear()
        st.toast("Tabela limpa; mostrando só mensagens novas.")
    if st.button("Recarregar do tópico", help="Reconstrói a tabela desde o início do tópico"):
        stream.rewind()
        st.toast("Recarregando desde o início do tópico…")


@st.fragment(run_every=settings.refresh_seconds)
@guarded("o painel")
def live_panel(filters: filtering.Filters) -> None:
    paused = st.session_state.get("paused")
    reading = stream.read()  # one reading for this refresh: every number below is of it
    status = reading.status
    if status.state == StreamState.BROKER_DOWN:
        st.error(f"Kafka indisponível: {literal(status.detail)}", icon=icons.OFFLINE)
    elif status.state == StreamState.FAILED:
        detail = literal(status.detail)
        st.error(f"A leitura do tópico falhou e está recomeçando: {detail}", icon=icons.OFFLINE)
    elif status.state == StreamState.NO_TOPIC:
        st.warning(f"Aguardando o tópico: {literal(status.detail)}", icon=icons.WAITING)
    elif status.state == StreamState.CONNECTING:
        st.info(f"Conectando ao Kafka em {status.bootstrap}…", icon=icons.WAITING)
    if not status.connected and status.checked_at is not None:
        st.warning(
            f"Números de {status.checked_at.strftime(WHEN)}, a última resposta do Kafka: "
            "podem estar desatualizados.", icon=icons.STALE,
        )  # fmt: skip
    if (progress := status.reading) is not None:
        read, in_topic = progress
        share = min(1.0, read / in_topic) if in_topic else 0.0
        st.progress(
            share, text=f"Lendo o tópico: {format_int(read)} de {format_int(in_topic)} "
            f"mensagens ({share:.0%}); os números crescem até a leitura terminar.",
        )  # fmt: skip
    version, snapshot = reading.version, reading.table
    if (loss := status.data_loss) is not None:
        rows_now = len(snapshot)
        lost = max(0, loss.rows_before - rows_now)
        st.warning(
            f"O Kafka voltou sem os dados às {loss.at.strftime(WHEN)}: a tabela tinha "
            f"{count_of(loss.rows_before, 'registro', 'registros')} e foi reconstruída com o "
            f"que o tópico tem agora ({format_int(rows_now)}); "
            f"{count_of(lost, 'registro perdido', 'registros perdidos')}.",
            icon=icons.WARNING,
        )  # fmt: skip
    if reading.evicted:
        dropped = count_of(
            reading.evicted, "registro mais antigo foi descartado",
            "registros mais antigos foram descartados",
        )  # fmt: skip
        st.info(
            f"{dropped} para manter o limite de {format_int(settings.max_rows)} linhas.",
            icon=icons.INFO,
        )

    if paused is None:
        now = datetime.now(SAO_PAULO)
        shown = _shared_view(version, snapshot, filters, now)
    else:
        now, frozen, consumed = paused
        shown = _paused_view(frozen, filters, now)
        new = max(0, status.consumed - consumed)
        arrived = count_of(new, "mensagem chegou", "mensagens chegaram")
        st.info(
            f"Pausado às {now:%H:%M:%S}: os números estão congelados; {arrived} "
            "desde então. Continuar volta ao vivo.", icon=icons.PAUSED,
        )  # fmt: skip
    st.caption(metrics.freshness(now, status.last_arrival_at, reading.delays_ms))
    summary, table = shown.summary, shown.table
    total, mean, count, age = st.columns([1.6, 1.3, 1, 1])
    total.metric("Valor Total", format_brl(summary.total_cents))
    mean.metric(
        "Valor Médio", "—" if summary.mean_cents is None else format_brl(summary.mean_cents)
    )
    count.metric("Total Registros", format_int(summary.count))
    age.metric(
        "Idade Média",
        "—" if summary.mean_age is None else f"{summary.mean_age:.1f}".replace(".", ","),
    )

    if summary.count == 0:
        st.info(
            "Nenhuma venda para mostrar ainda: aguardando mensagens do tópico.",
            icon=icons.WAITING,
        )
    else:
        figures = shown.figures
        left, right = st.columns(2)
        left.plotly_chart(figures["bar"], key="bar")
        right.plotly_chart(figures["hist"], key="hist")
        left, right = st.columns(2)
        left.plotly_chart(figures["pie"], key="pie")
        right.plotly_chart(figures["scatter"], key="scatter")
        st.plotly_chart(figures["trend"], key="trend")

    st.subheader(f"Alertas: vendas a partir de {format_brl(settings.high_ticket_cents)}")
    if shown.alerts.empty:
        st.caption("Nenhuma venda acima do limite até agora.")
    else:
        st.dataframe(shown.alerts, hide_index=True)

    data_tab, stats_tab, status_tab = st.tabs(["Dados", "Estatísticas", "Status do stream"])
    with data_tab:
        rows = min(tables.TABLE_ROWS, len(table))
        st.caption(f"Mais recentes primeiro: {format_int(rows)} de {format_int(len(table))}.")
        st.dataframe(shown.latest, hide_index=True)
        st.download_button(
            "Baixar CSV (filtrado)", data=lambda: tables.to_csv(table), file_name="vendas.csv",
            mime="text/csv", on_click="ignore",
        )  # fmt: skip
    with stats_tab:
        st.dataframe(shown.statistics)
    with status_tab:
        _status_panel(reading, shown.by_source)


def _shared_view(version: int, snapshot, filters: filtering.Filters, now: datetime):
    """This refresh's view, computed once for every tab on the same table and filters."""
    end = refresh.window_end(filters, now, settings.refresh_seconds)
    return views.get(
        version, (filters, end),
        lambda: refresh.build(snapshot, filters, end or now, settings.high_ticket_cents),
    )  # fmt: skip


def _paused_view(frozen, filters: filtering.Filters, at: datetime):
    """A paused tab's view: its table never changes, so it is built once per filters."""
    kept = st.session_state.get("paused_view")
    if kept is None or kept[0] != filters:
        kept = (filters, refresh.build(frozen, filters, at, settings.high_ticket_cents))
        st.session_state.paused_view = kept
    return kept[1]


def _status_panel(reading: Reading, by_source) -> None:
    status = reading.status
    broker, topic, lag, rate = st.columns(4)
    broker.metric("Broker", status.bootstrap)
    topic.metric("Tópico", f"{status.topic} ({len(status.partitions)} part.)")
    lag.metric("Atraso (mensagens)", format_int(status.lag))
    rate.metric("Registros/s (último minuto)", f"{reading.per_second:.1f}".replace(".", ","))
    read = sum(status.positions.values())
    highwater = sum(status.highwater.values())
    last = status.last_message_at.strftime("%d/%m/%Y %H:%M:%S") if status.last_message_at else "—"
    st.write(
        f"Estado: **{status.state}** · offsets lidos {format_int(read)} de {format_int(highwater)} "
        f"· última mensagem: {last} · mensagens inválidas: **{format_int(status.invalid)}**"
    )
    if status.detail:
        st.caption(literal(status.detail))
    if not by_source.empty:
        st.caption("Registros vivos por origem (cabeçalho `origem`; sem ele: manual)")
        st.dataframe(by_source, hide_index=True)
    with st.expander(f"Mensagens inválidas (últimas {len(reading.invalid)})"):
        if invalid := reading.invalid:
            st.dataframe(
                [
                    {
                        "partição": m.partition,
                        "offset": m.offset,
                        "motivo": m.reason,
                        "mensagem": m.raw,
                    }
                    for m in invalid
                ],
                hide_index=True,
            )
        else:
            st.caption("Nenhuma até agora.")


live_panel(filters)
