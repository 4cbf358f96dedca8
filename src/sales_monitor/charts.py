"""Plotly figures built from the small frames in `view`: nothing here sees the full table."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

HEIGHT = 340
MONEY_HOVER = "R$ %{y:,.2f}"


def _layout(figure: go.Figure, title: str, x: str, y: str) -> go.Figure:
    figure.update_layout(
        title=title,
        xaxis_title=x,
        yaxis_title=y,
        height=HEIGHT,
        margin={"l": 10, "r": 10, "t": 50, "b": 10},
        separators=",.",  # pt-BR: comma for decimals, dot for thousands
    )
    return figure


def value_by_city(frame: pd.DataFrame) -> go.Figure:
    bar = go.Bar(x=frame["cidade"], y=frame["valor"], hovertemplate=MONEY_HOVER + "<extra></extra>")
    return _layout(go.Figure(bar), "Valor total por cidade", "Cidade", "Valor (R$)")


def age_histogram(frame: pd.DataFrame) -> go.Figure:
    bar = go.Bar(x=frame["idade"], y=frame["vendas"], marker_line_width=0)
    figure = _layout(go.Figure(bar), "Distribuição de idade", "Idade", "Vendas")
    return figure.update_layout(bargap=0.05)


def city_share(frame: pd.DataFrame) -> go.Figure:
    # our order: largest first, "Outras" last (Plotly would sort it to the top)
    pie = go.Pie(labels=frame["cidade"], values=frame["vendas"], hole=0.35, sort=False)
    return _layout(go.Figure(pie), "Participação por cidade (vendas)", "", "")


def value_by_age(frame: pd.DataFrame, total_rows: int) -> go.Figure:
    points = go.Scattergl(
        x=frame["idade"], y=frame["valor"], mode="markers", text=frame["cidade"],
        marker={"size": 5, "opacity": 0.5},
        hovertemplate="%{text}<br>idade %{x}<br>R$ %{y:,.2f}<extra></extra>",
    )  # fmt: skip
    title = "Valor × idade"
    if total_rows > len(frame):
        title += f" (amostra de {len(frame):,} de {total_rows:,})".replace(",", ".")
    return _layout(go.Figure(points), title, "Idade", "Valor (R$)")


def revenue_trend(frame: pd.DataFrame) -> go.Figure:
    line = go.Scatter(
        x=frame["minuto"], y=frame["valor"], mode="lines+markers",
        hovertemplate="%{x|%H:%M}<br>" + MONEY_HOVER + "<extra></extra>",
    )  # fmt: skip
    figure = _layout(go.Figure(line), "Receita por minuto", "Minuto", "Valor (R$)")
    # minutes as HH:MM; seconds only where the axis zooms in below a minute per tick
    stops = [
        {"dtickrange": [None, 60_000], "value": "%H:%M:%S"},
        {"dtickrange": [60_000, None], "value": "%H:%M"},
    ]
    figure.update_layout(xaxis_tickformatstops=stops, yaxis_rangemode="tozero")
    if len(frame) == 1:  # Plotly's autorange collapses on one point: show it mid-axis
        minute, value = frame["minuto"].iloc[0], float(frame["valor"].iloc[0])
        one = pd.Timedelta(minutes=1)
        figure.update_layout(
            xaxis_range=[minute - one, minute + one], yaxis_range=[0, value * 1.2 or 1]
        )
    return figure
