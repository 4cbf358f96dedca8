"""Plotly figures built from the small frames in `view`: nothing here sees the full table.

City names come from the topic: every one goes through `plotly_literal`, so a `cidade`
holding HTML is shown as text, never rendered (Plotly renders tags in labels and hovers).
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from sales_monitor.literal import plotly_literal

HEIGHT = 340
MONEY_HOVER = "R$ %{y:,.2f}"


def _literal(names: pd.Series) -> list[str]:
    return [plotly_literal(name) for name in names.tolist()]


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
    bar = go.Bar(
        x=_literal(frame["cidade"]), y=frame["valor"], hovertemplate=MONEY_HOVER + "<extra></extra>"
    )
    return _layout(go.Figure(bar), "Valor total por cidade", "Cidade", "Valor (R$)")


def age_histogram(frame: pd.DataFrame) -> go.Figure:
    bar = go.Bar(x=frame["idade"], y=frame["vendas"], marker_line_width=0)
    figure = _layout(go.Figure(bar), "Distribuição de idade", "Idade", "Vendas")
    return figure.update_layout(bargap=0.05)


def city_share(frame: pd.DataFrame) -> go.Figure:
    # our order: largest first, "Outras" last (Plotly would sort it to the top)
    pie = go.Pie(labels=_literal(frame["cidade"]), values=frame["vendas"], hole=0.35, sort=False)
    return _layout(go.Figure(pie), "Participação por cidade (vendas)", "", "")


def value_by_age(frame: pd.DataFrame, total_rows: int) -> go.Figure:
    points = go.Scattergl(
        x=frame["idade"], y=frame["valor"], mode="markers", text=_literal(frame["cidade"]),
        marker={"size": 5, "opacity": 0.5},
        hovertemplate="%{text}<br>idade %{x}<br>R$ %{y:,.2f}<extra></extra>",
    )  # fmt: skip
    title = "Valor × idade"
    if total_rows > len(frame):
        title += f" (amostra de {len(frame):,} de {total_rows:,})".replace(",", ".")
    return _layout(go.Figure(points), title, "Idade", "Valor (R$)")


def revenue_trend(frame: pd.DataFrame) -> go.Figure:
    """The trend from `trend.revenue_trend`, titled with its bucket (a cada 5 s, …)."""
    bucket = frame.attrs.get("bucket", pd.Timedelta(minutes=1))
    line = go.Scatter(
        x=frame["momento"], y=frame["valor"], mode="lines+markers",
        hovertemplate="%{x|%d/%m %H:%M:%S}<br>" + MONEY_HOVER + "<extra></extra>",
    )  # fmt: skip
    title = f"Receita a cada {bucket_label(bucket)}"
    figure = _layout(go.Figure(line), title, "Horário", "Valor (R$)")
    # seconds only where the axis zooms in below a minute per tick
    stops = [
        {"dtickrange": [None, 60_000], "value": "%H:%M:%S"},
        {"dtickrange": [60_000, 86_400_000], "value": "%H:%M"},
        {"dtickrange": [86_400_000, None], "value": "%d/%m"},
    ]
    figure.update_layout(xaxis_tickformatstops=stops, yaxis_rangemode="tozero")
    if len(frame) == 1:  # Plotly's autorange collapses on one point: show it mid-axis
        moment, value = frame["momento"].iloc[0], float(frame["valor"].iloc[0])
        figure.update_layout(
            xaxis_range=[moment - bucket, moment + bucket], yaxis_range=[0, value * 1.2 or 1]
        )
    return figure


def bucket_label(bucket: pd.Timedelta) -> str:
    """5 s, 15 s, 1 min, 5 min, 1 h, 1 dia."""
    seconds = int(bucket.total_seconds())
    if seconds < 60:
        return f"{seconds} s"
    if seconds < 3600:
        return f"{seconds // 60} min"
    if seconds < 86_400:
        return f"{seconds // 3600} h"
    return f"{seconds // 86_400} dia" + ("s" if seconds >= 2 * 86_400 else "")
