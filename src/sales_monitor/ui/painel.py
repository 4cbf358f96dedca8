"""Painel: the live dashboard, top to bottom, for the person who sells.

Layout only: the numbers come from `sales_monitor.analysis`, the data from the one
shared consumer in `ui.resources`. Plain words on the page; offsets, lag, origins and
invalid messages live under "Detalhes técnicos".
"""

import logging
from collections.abc import Callable
from datetime import datetime, time
from typing import cast

import numpy as np
import pandas as pd
import pyarrow as pa
import streamlit as st

from sales_monitor import masking, targets
from sales_monitor.access import Role
from sales_monitor.analysis import filtering, metrics, places, refresh, tables
from sales_monitor.analysis import targets as analysis_targets
from sales_monitor.errors import os_reason
from sales_monitor.escaping import markdown_literal as literal
from sales_monitor.ptbr import WHEN, count_of, format_brl, format_int
from sales_monitor.record import SAO_PAULO
from sales_monitor.stream.consumer import (
    DataLoss,
    LossCause,
    Reading,
    StreamState,
    StreamStatus,
)
from sales_monitor.ui import gate, icons, resources
from sales_monitor.ui.errors import guarded

settings = gate.page_settings()  # app.py has checked them; read-only below operação
stream = resources.stream_for(settings)
views = resources.views_for(settings)
state = st.session_state
log = logging.getLogger(__name__)

st.title("Monitor de Vendas em Tempo Real")
st.caption(f"Atualiza sozinho a cada {settings.refresh_seconds:g} s")


def _start_from_url(value_top: int) -> list[int]:
    """Widget values: from the URL on a session's first run; afterwards kept, except that a
    valor range left at full width follows the largest sale. The valor slider's stops."""
    stops = filtering.value_stops(value_top)
    if "f_cities" not in state:
        query = {name: st.query_params.get_all(name) for name in st.query_params}
        start = filtering.choices_from_query(query, value_top)
        _set_filters(start)
        state.link_notes = start["notes"]
    low, high = state.f_values
    if high == state.get("f_top", value_top) or high > value_top:
        high = value_top  # full width stays full width; never beyond the slider's end
    low, high = filtering.snap(min(low, high), stops), filtering.snap(high, stops)
    state.f_values, state.f_top = (low, high), value_top
    return stops


def _set_filters(start: dict) -> None:
    state.f_cities, state.f_states = start["cities"], start.get("states", [])
    state.f_values, state.f_ages, state.f_window = start["values"], start["ages"], start["window"]
    state.f_compare = start.get("compare", filtering.BEFORE)
    since, until = start.get("since"), start.get("until")
    today = datetime.now(SAO_PAULO)
    state.f_days = ((since or today).date(), (until or since or today).date())
    state.f_from = since.time() if since else time(0, 0)
    state.f_to = until.time() if until else time(23, 59)


def _clear_filters() -> None:
    _set_filters(
        {
            "cities": [],
            "values": (0, state.get("f_top", 0)),
            "ages": filtering.AGE_BOUNDS,
            "window": "Tudo",
        }
    )


def _custom_range() -> tuple[datetime | None, datetime | None]:
    days = tuple(state.get("f_days") or ())
    if len(days) != 2:  # the calendar between its two clicks
        return None, None
    since = datetime.combine(days[0], state.f_from, SAO_PAULO)
    return since, datetime.combine(days[1], state.f_to, SAO_PAULO)


def _pause() -> None:
    now = datetime.now(SAO_PAULO)
    reading = stream.read()
    table = reading.table
    if _masked():
        table = resources.masked_snapshot(reading.version, table)
    state.paused = (now, table, reading.status.consumed)
    state.pop("paused_view", None)


def _resume() -> None:
    state.paused = None
    state.pop("paused_view", None)


def _empty_table() -> None:
    if not gate.may(Role.OPERACAO):  # a crafted click from a session that may not
        return
    rows = len(stream.snapshot())
    stream.clear()
    gate.audited("esvaziou a tabela", f"{rows} vendas")
    state.confirm_clear = False
    st.toast("Tabela esvaziada para todos; seguem só as vendas novas.")


def _read_again() -> None:
    if not gate.may(Role.OPERACAO):
        return
    stream.rewind()
    gate.audited("releu o tópico desde o início")
    state.confirm_reread = False
    st.toast("Relendo o tópico desde o início…")


def _table_actions() -> None:
    """What changes the table for every viewer: named for what it does, confirmed first."""
    with st.popover("Ações para todos os painéis", icon=icons.WARNING):
        st.caption("Mudam a tabela de todas as abas e de todas as pessoas que a veem.")
        sure = st.checkbox("Confirmo: esvaziar a tabela", key="confirm_clear")
        st.button(
            "Esvaziar a tabela",
            disabled=not sure,
            on_click=_empty_table,
            help="Apaga o que a tabela tem e segue só com as vendas novas",
        )
        sure = st.checkbox("Confirmo: reler o tópico do início", key="confirm_reread")
        st.button(
            "Reler o tópico do início",
            disabled=not sure,
            on_click=_read_again,
            help="Reconstrói a tabela com tudo o que o tópico tem",
        )


def _save_targets() -> None:
    if not gate.may(Role.OPERACAO):
        return
    chosen = targets.Targets.of_periods(
        {period: round(state[f"target_{period}"] * 100) for period in targets.PERIODS}
    ).with_states({uf: round(state.get(f"target_uf_{uf}", 0) * 100) for uf in state.target_states})
    try:
        targets.save(settings.targets_file, chosen)
    except OSError as error:
        log.warning("metas não salvas em %s: %s", settings.targets_file, error)
        st.toast(f"As metas não foram salvas ({os_reason(error)}).", icon=icons.WARNING)
        return
    gate.audited("salvou as metas", _targets_text(chosen))
    st.toast("Metas salvas: valem para todas as abas, também depois de reiniciar.")


def _targets_text(chosen: targets.Targets) -> str:
    periods = [f"{name} {format_brl(cents)}" for name, cents in chosen.set.items()]
    states = [f"{uf} {format_brl(cents)}" for uf, cents in chosen.states]
    return ", ".join(periods + states) or "nenhuma"


def _downloaded(kind: str, table: pd.DataFrame, make: Callable[[], bytes]) -> Callable[[], bytes]:
    """The file, made when the person asks for it, and the download in the audit trail."""

    def made() -> bytes:
        if not gate.may(Role.ANALISE):  # asked for by a session that may not
            return b""
        data = make()
        what = f"{kind} com {count_of(len(table), 'venda', 'vendas')}"
        gate.audited("baixou", what)
        return data

    return made


def _target_editor() -> None:
    """The day's, week's and month's targets, for whoever may write (not in read-only)."""
    saved = targets.load(settings.targets_file, settings.targets)
    with st.popover("Metas", icon=icons.TARGET):
        st.caption("Em reais; 0 = sem meta. Valem para todas as abas e todas as pessoas.")
        for period, label in analysis_targets.NAMES.items():
            cents = getattr(saved, period) or 0
            st.number_input(
                label,
                min_value=0.0,
                max_value=targets.MAX_TARGET_CENTS / 100,
                value=cents / 100,
                step=1_000.0,
                format="%.0f",  # whole reais: a target is a round number
                key=f"target_{period}",
            )
        kept = dict(saved.states)
        chosen = st.multiselect(
            "Estados com meta do dia",
            places.STATES,
            default=list(kept),
            key="target_states",
            placeholder="Nenhum",
        )
        for uf in chosen:
            st.number_input(
                f"Meta do dia — {uf}",
                min_value=0.0,
                max_value=targets.MAX_TARGET_CENTS / 100,
                value=kept.get(uf, 0) / 100,
                step=1_000.0,
                format="%.0f",
                key=f"target_uf_{uf}",
            )
        st.button("Salvar metas", on_click=_save_targets, type="primary")


def _city_options(snapshot: pd.DataFrame, chosen: list[str]) -> tuple[list[str], int]:
    """The city filter's list (the chosen cities added) and how many cities the table has,
    counted once per table for every tab: a snapshot is a new object only when the table
    changed."""
    kept = resources.city_lists()
    if kept.get("table") is not snapshot:
        offered = filtering.city_options(snapshot, [])
        kept.update(table=snapshot, cities=offered, count=snapshot["cidade"].nunique())
    offered, count = kept["cities"], kept["count"]
    if not set(chosen) <= set(offered):
        offered = sorted(set(offered) | set(chosen))
    return offered, count


# -- Sidebar: filters and actions (a change reruns the page; the fragment below follows) --
with st.sidebar:
    st.header("Filtros")
    snapshot = stream.snapshot()
    top_value = filtering.value_ceiling(snapshot)
    stops = _start_from_url(top_value)
    for note in state.get("link_notes", []):
        st.info(note, icon=icons.INFO)
    offered, in_table = _city_options(snapshot, state.f_cities)
    cities = st.multiselect(
        "Cidades",
        offered,
        key="f_cities",
        placeholder="Todas",
        select_all=False,
        accept_new_options=True,  # a city beyond the list: typed as it is written
    )
    if in_table > len(offered):
        st.caption(
            f"A lista traz as {format_int(filtering.CITY_OPTIONS)} cidades com mais vendas de "
            f"{format_int(in_table)}; digite o nome de outra para filtrar por ela."
        )
    states = st.multiselect(
        "Estados (UF)",
        places.STATES,
        key="f_states",
        placeholder="Todos",
        select_all=False,
        format_func=lambda uf: f"{uf} · {places.region_of(uf)}",
    )
    # no key: a select_slider keyed in Session State would come back as one value, not a
    # range; its identity follows `value`, so a reset or a new largest sale redraws it
    values = st.select_slider(
        "Valor", stops, value=state.f_values, format_func=lambda v: f"R$ {format_int(v)}"
    )
    state.f_values = tuple(values)
    ages = st.slider("Idade", *filtering.AGE_BOUNDS, key="f_ages")
    window = st.selectbox("Período", list(filtering.WINDOWS), key="f_window")
    if window == filtering.CUSTOM:
        st.date_input("Dias", key="f_days", format="DD/MM/YYYY")
        start, end = st.columns(2)
        start.time_input("Das", key="f_from", step=300)
        end.time_input("Até as", key="f_to", step=300)
    compare = st.selectbox(
        "Comparar com",
        list(filtering.COMPARISONS),
        key="f_compare",
        disabled=window == "Tudo",
        help="Cada métrica mostra a variação contra este período (escolha um período acima)",
    )
    since, until = _custom_range()
    filters = filtering.filters_from_choices(
        cities,
        cast(tuple[int, int], values),
        top_value,
        cast(tuple[int, int], ages),
        window,
        states,
        since,
        until,
        compare,
    )
    query = filtering.query_from_filters(filters)
    st.query_params.from_dict(query)  # the view, as a link
    st.button("Limpar filtros", on_click=_clear_filters, icon=icons.CLEAR_FILTERS)
    st.divider()
    if state.get("paused") is None:
        st.button("Pausar", on_click=_pause, help="Congela os números desta aba")
    else:
        st.button("Continuar", on_click=_resume, type="primary")
    if not settings.read_only:
        _target_editor()
        _table_actions()


@st.fragment(run_every=settings.refresh_seconds)
@guarded("o painel")
def live_panel(filters: filtering.Filters, query: dict) -> None:
    paused = state.get("paused")
    # one reading for this refresh: every number below is of it. A timed refresh (the
    # fragment alone) shares the tabs' reading of this interval; a whole-page run (a
    # person's click or a new tab) reads the table now
    reading = views.reading(stream.read, fresh=state.pop("whole_page_run", False))
    status = reading.status
    _connection_notices(reading)
    version, snapshot = reading.version, reading.table
    if _masked():  # before any surface sees the table
        snapshot = resources.masked_snapshot(version, snapshot)
    if paused is None:
        now = datetime.now(SAO_PAULO)
        shown = _shared_view(version, snapshot, filters, now)
    else:
        now, frozen, consumed = paused
        shown = _paused_view(frozen, filters, now)
        new = max(0, status.consumed - consumed)
        arrived = count_of(new, "venda chegou", "vendas chegaram")
        st.info(
            f"Pausado às {now:%H:%M:%S}: os números estão congelados; {arrived} "
            "desde então. Continuar volta ao vivo.",
            icon=icons.PAUSED,
        )
    st.caption(metrics.freshness(now, status.last_arrival_at, []))
    summary, table = shown.summary, shown.table
    _targets(shown.targets)
    _metrics(shown, filters)
    if summary.count == 0:
        _empty_state(len(snapshot))
    else:
        _charts(shown)

    st.subheader(f"Vendas a partir de {format_brl(settings.high_ticket_cents)}")
    if paused is None:
        _announce_high_tickets(shown)
    if shown.alerts.empty:
        st.caption("Nenhuma venda acima do limite até agora.")
    else:
        st.dataframe(_people(shown.alerts), hide_index=True)

    sales_tab, stats_tab = st.tabs(["Últimas vendas", "Estatísticas"])
    with sales_tab:
        rows = min(tables.TABLE_ROWS, len(table))
        if rows:
            st.caption(
                f"Pela hora da venda, a mais recente primeiro: {format_int(rows)} de "
                f"{count_of(len(table), 'venda', 'vendas')}."
            )
            st.dataframe(_people(shown.latest), hide_index=True)
        else:
            st.caption("Nenhuma venda para listar.")
        if gate.may(Role.ANALISE):  # a file of names and ages: not for leitura
            _downloads(table, query, now)
        else:
            st.caption("Os downloads trazem dados pessoais: pedem o papel análise.")
    with stats_tab:
        if summary.count:
            st.dataframe(shown.statistics)
        else:
            st.caption("Sem vendas, sem estatísticas.")
    with st.expander("Detalhes técnicos"):
        _technical_details(reading, shown.by_source, now)


def _downloads(table: pd.DataFrame, query: dict, now: datetime) -> None:
    excel, machine = st.columns(2)
    excel.download_button(
        "Baixar para Excel",
        data=_downloaded(
            "Excel", table, lambda: tables.to_xlsx(table, tables.filters_text(query), now)
        ),
        file_name=tables.file_name(query, now, "xlsx"),
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        on_click="ignore",
        icon=icons.DOWNLOAD,
        type="primary",
        disabled=not len(table),
        help="Planilha .xlsx: valores em R$, datas como datas, ids inteiros; as vendas "
        "filtradas, a mais recente primeiro. Editada, volta ao tópico por Enviar arquivo "
        "ou `uv run send --file`",
    )
    machine.download_button(
        "CSV para programas",
        data=_downloaded("CSV", table, lambda: tables.to_csv(table)),
        file_name=tables.file_name(query, now).replace(".csv", "_dados.csv"),
        mime="text/csv",
        on_click="ignore",
        disabled=not len(table),
        help="Vírgula entre colunas, ponto decimal, horários ISO 8601",
    )


def _connection_notices(reading: Reading) -> None:
    status = reading.status
    if status.state == StreamState.BROKER_DOWN:
        st.error(
            f"Kafka indisponível: o painel não consegue falar com o Kafka em "
            f"{status.bootstrap or settings.bootstrap_servers} e tenta de novo a cada "
            "segundo. O motivo está em Detalhes técnicos, no fim da página.",
            icon=icons.OFFLINE,
        )
    elif status.state == StreamState.FAILED:
        st.error(
            "A leitura do tópico falhou e está recomeçando sozinha. O motivo está em "
            "Detalhes técnicos, no fim da página.",
            icon=icons.OFFLINE,
        )
    elif status.state == StreamState.NO_TOPIC:
        st.warning(f"Aguardando o tópico: {literal(status.detail)}", icon=icons.WAITING)
    elif status.state == StreamState.CONNECTING:
        st.info(f"Conectando ao Kafka em {status.bootstrap}…", icon=icons.WAITING)
    if not status.connected and status.checked_at is not None:
        st.warning(
            f"Números de {status.checked_at.strftime(WHEN)}, a última resposta do Kafka: "
            "podem estar desatualizados.",
            icon=icons.STALE,
        )
    if (progress := status.reading) is not None:
        read, in_topic = progress
        share = min(1.0, read / in_topic) if in_topic else 0.0
        st.progress(
            share,
            text=f"Lendo o tópico: {format_int(read)} de {format_int(in_topic)} "
            f"mensagens ({share:.0%}); os números crescem até a leitura terminar.",
        )
    if (loss := status.data_loss) is not None and state.get("loss_dismissed") != loss.at:
        _data_loss_notice(loss)
    _topic_notices(status)
    if reading.evicted:
        dropped = count_of(
            reading.evicted,
            "venda mais antiga saiu",
            "vendas mais antigas saíram",
        )
        st.info(
            f"{dropped} da tabela para manter o limite de {format_int(settings.max_rows)} vendas.",
            icon=icons.INFO,
        )


def _topic_notices(status: StreamStatus) -> None:
    """What holds part of the topic back, by partition, in words a person can act on."""
    for partition, why in sorted(status.set_aside.items()):
        st.error(
            f"A partição {partition} não está sendo lida: {why}. As outras seguem; "
            "ela é tentada de novo a cada poucos segundos.",
            icon=icons.WARNING,
        )
    for partition, held in sorted(status.held.items()):
        waiting = count_of(held, "mensagem espera", "mensagens esperam")
        st.info(
            f"Uma transação aberta na partição {partition} segura a leitura: {waiting} "
            "o commit (ou o abort) do produtor.",
            icon=icons.WAITING,
        )
    if (expired := status.expired) is not None:
        gone = count_of(expired.messages, "mensagem foi apagada", "mensagens foram apagadas")
        st.warning(
            f"Às {expired.at.strftime(WHEN)}, {gone} do Kafka antes de serem lidas "
            "(retenção ou remoção): a leitura seguiu do que restou.",
            icon=icons.WARNING,
        )


def _data_loss_notice(loss: DataLoss) -> None:
    """Stated once, against the rebuilt table; a person can dismiss it (in this tab)."""
    st.warning(_loss_sentence(loss), icon=icons.WARNING)
    if loss.lost is not None:
        st.button("Dispensar o aviso", key="dismiss_loss", on_click=_dismiss, args=(loss.at,))


def _loss_sentence(loss: DataLoss) -> str:
    at, had = loss.at.strftime(WHEN), count_of(loss.rows_before, "venda", "vendas")
    after = format_int(loss.rows_after or 0)
    if loss.cause == LossCause.TOPIC_RECREATED:
        if loss.lost is None:
            return (
                f"Às {at} o tópico foi apagado e criado de novo: a tabela ({had}) está "
                "sendo refeita com o que o novo tópico tem…"
            )
        left = count_of(loss.lost, "venda saiu", "vendas saíram")
        return (
            f"Às {at} o tópico foi apagado e criado de novo; a tabela foi refeita: {left}. "
            f"A tabela tinha {had}; o novo tópico tem {after}."
        )
    if loss.lost is None:
        return (
            f"Às {at} o Kafka voltou sem os dados que a tabela tinha ({had}): relendo o que "
            "o tópico tem agora…"
        )
    lost = count_of(loss.lost, "venda perdida", "vendas perdidas")
    return (
        f"Às {at} o Kafka voltou sem parte dos dados: {lost}. A tabela tinha {had}; "
        f"o tópico tinha {after} depois."
    )


def _dismiss(at: datetime) -> None:
    state.loss_dismissed = at


def _targets(progress: list[analysis_targets.Progress]) -> None:
    """A bar for each target set: the share sold, the projection at the pace so far; the
    states' day targets three to a row under their own caption."""
    for each in progress:
        if each.state is None:
            st.progress(min(each.share, 1.0), text=each.sentence())
    by_state = [each for each in progress if each.state is not None]
    if by_state:
        st.caption("Meta do dia por estado")
        for row in range(0, len(by_state), 3):
            for column, each in zip(st.columns(3), by_state[row : row + 3], strict=False):
                column.progress(min(each.share, 1.0), text=each.sentence())


def _metrics(shown: refresh.PanelView, filters: filtering.Filters) -> None:
    summary, previous = shown.summary, shown.previous
    total, mean, count, age = st.columns([1.6, 1.3, 1, 1])
    values = {
        "Valor Total": (total, format_brl(summary.total_cents), "total"),
        "Valor Médio": (
            mean,
            "—" if summary.mean_cents is None else format_brl(summary.mean_cents),
            "mean",
        ),
        "Total Registros": (count, format_int(summary.count), "count"),
        "Idade Média": (
            age,
            "—" if summary.mean_age is None else f"{summary.mean_age:.1f}".replace(".", ","),
            "age",
        ),
    }
    if previous is not None and previous.count == 0:  # in words, not an empty delta
        for label, (column, value, _) in values.items():
            column.metric(
                label,
                value,
                delta=filtering.empty_comparison(filters),
                delta_color="off",
                delta_arrow="off",
            )
        return
    change = metrics.changes(summary, previous) if previous is not None else {}
    versus = filtering.comparison_label(filters) if previous is not None else None
    for label, (column, value, name) in values.items():
        column.metric(
            label,
            value,
            delta=change.get(name),
            delta_color="off" if name == "age" else "normal",
            delta_description=versus,
        )


def _empty_state(in_table: int) -> None:
    """Why nothing shows: no sales yet, or none that the filters keep."""
    if in_table == 0:
        st.info("Nenhuma venda ainda: aguardando mensagens do tópico.", icon=icons.WAITING)
        return
    st.info(
        f"Nenhuma venda corresponde aos filtros escolhidos; a tabela tem "
        f"{count_of(in_table, 'venda', 'vendas')} no total.",
        icon=icons.CLEAR_FILTERS,
    )
    st.button("Limpar filtros", on_click=_clear_filters, key="clear_filters_empty")


# no toolbar over the charts' titles (on a phone it covered them); zoom by dragging stays
CHART_CONFIG = {"displayModeBar": False}


def _charts(shown: refresh.PanelView) -> None:
    figures = shown.figures
    for pair in (("bar", "states"), ("pie", "hist"), ("trend", "scatter")):
        for column, name in zip(st.columns(2), pair, strict=True):
            column.plotly_chart(figures[name], key=name, config=CHART_CONFIG)


def _announce_high_tickets(shown: refresh.PanelView) -> None:
    """A short notice in this tab for each new sale at or above the threshold, once; what
    was already listed when the tab opened is not announced."""
    ids = shown.alerts["id"].tolist()
    seen = state.get("announced")
    if seen is None:
        state.announced = set(ids)
        return
    new = [i for i in ids if i not in seen]
    if not new:
        return
    table = shown.table
    hits = table.iloc[np.flatnonzero(np.isin(table["id"].to_numpy(), new))]
    largest = hits.iloc[int(hits["valor_centavos"].to_numpy().argmax())]
    where = f"{format_brl(int(largest['valor_centavos']))} em {literal(str(largest['cidade']))}"
    if len(new) == 1:
        st.toast(f"Venda de {where}", icon=icons.SALE)
    else:
        several = count_of(len(new), "venda alta", "vendas altas")
        st.toast(f"{several} agora; a maior: {where}", icon=icons.SALE)
    seen.update(new)


def _people(rows: pd.DataFrame | pa.Table) -> pd.DataFrame | pa.Table:
    """Rows about to be drawn: for leitura, ages as bands (the names are masked already)."""
    if not _masked():
        return rows
    frame = rows.to_pandas() if isinstance(rows, pa.Table) else rows
    return masking.ages_as_bands(frame)


def _masked() -> bool:
    """Whether this session sees customers' names and ages masked (the leitura role)."""
    return not gate.may(Role.ANALISE)


def _shared_view(
    version: int, snapshot: pd.DataFrame, filters: filtering.Filters, now: datetime
) -> refresh.PanelView:
    """This refresh's view, computed once for every tab on the same table and filters."""
    end = refresh.window_end(filters, now, settings.refresh_seconds)
    goals = targets.current(settings.targets_file, settings.targets)
    return views.get(
        version,
        (filters, end, goals, _masked()),
        lambda: refresh.build(snapshot, filters, end or now, settings.high_ticket_cents, goals),
    )


def _paused_view(
    frozen: pd.DataFrame, filters: filtering.Filters, at: datetime
) -> refresh.PanelView:
    """A paused tab's view: its table never changes, so it is built once per filters."""
    kept = state.get("paused_view")
    if kept is None or kept[0] != filters:
        goals = targets.current(settings.targets_file, settings.targets)
        kept = (filters, refresh.build(frozen, filters, at, settings.high_ticket_cents, goals))
        state.paused_view = kept
    return kept[1]


def _technical_details(reading: Reading, by_source: pd.DataFrame, now: datetime) -> None:
    status = reading.status
    st.caption(
        f"Tópico `{settings.topic}` em `{settings.bootstrap_servers}` · "
        + metrics.freshness(now, status.last_arrival_at, reading.delays_ms)
    )
    partitions, lag, rate = st.columns(3)
    partitions.metric("Partições", format_int(len(status.partitions)))
    lag.metric("Atraso (mensagens)", format_int(status.lag))
    rate.metric("Registros/s (último minuto)", f"{reading.per_second:.1f}".replace(".", ","))
    read = sum(status.positions.values())
    ends = sum(status.end(p) for p in status.highwater)
    last = status.last_message_at.strftime(WHEN) if status.last_message_at else "—"
    st.write(
        f"Estado: **{status.state}** · offsets lidos {format_int(read)} de {format_int(ends)} "
        f"· última mensagem: {last} · mensagens inválidas: **{format_int(status.invalid)}**"
    )
    if status.detail:
        st.text(f"Último aviso do Kafka: {status.detail}")  # as written: no Markdown
    if not by_source.empty:
        st.caption("Registros vivos por origem (cabeçalho `origem`; sem ele: manual)")
        st.dataframe(by_source, hide_index=True)
    if _masked():  # a refused message's text may hold a customer's name
        st.caption("O texto das mensagens inválidas pede o papel análise.")
    else:
        _invalid_messages(reading)
    _operations()


def _invalid_messages(reading: Reading) -> None:
    st.caption(f"Mensagens inválidas (últimas {len(reading.invalid)})")
    if invalid := reading.invalid:
        st.dataframe(
            [
                {"partição": m.partition, "offset": m.offset, "motivo": m.reason, "mensagem": m.raw}
                for m in invalid
            ],
            hide_index=True,
        )
    else:
        st.caption("Nenhuma até agora.")


def _operations() -> None:
    """The metrics port and the alerts: where they go and how sending went (secrets
    masked by Apprise)."""
    service = resources.operations_for(settings)
    port = settings.operations.metrics_port
    if port is not None:
        served = service.problem or f"/metrics, /healthz e /readyz na porta {port}"
        st.text(f"Operação: {served}")
    sender = service.sender
    if sender is None:
        st.caption("Alertas: nenhum destino (DASHBOARD_ALERT_URLS ou --alert-url).")
        return
    counts = {outcome: sum(by.values()) for outcome, by in sender.counts().items()}
    st.text(
        f"Alertas para {', '.join(sender.targets)}: {format_int(counts['sent'])} enviados, "
        f"{format_int(counts['failed'])} não entregues, {format_int(counts['dropped'])} "
        "descartados (fila cheia)"
    )
    if failures := sender.failures():
        st.dataframe(
            [
                {"quando": f.at.strftime(WHEN), "alerta": f.event, "destino": f.target,
                 "tentativas": f.attempts}
                for f in failures
            ],
            hide_index=True,
        )  # fmt: skip


state.whole_page_run = True  # this line runs on whole-page runs only, not timed ones
live_panel(filters, query)
