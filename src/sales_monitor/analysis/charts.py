"""Plotly figures built from the small frames in `view`: nothing here sees the full table.

City names come from the topic: every one goes through `plotly_literal`, so a `cidade`
holding HTML is shown as text, never rendered (Plotly renders tags in labels and hovers).
"""

from __future__ import annotations

import math

import pandas as pd
import plotly.graph_objects as go

from sales_monitor.escaping import plotly_literal
from sales_monitor.ptbr import count_of, format_brl, format_int, short_brl

HEIGHT = 340
BAR_CITIES = 25  # cities in the bar chart; the rest are said to exist
ROW_PX = 22  # height of one horizontal bar's row: names stay readable


class SharedFigure(go.Figure):
    """A figure drawn by every tab on the same view. Streamlit copies a figure out with
    `to_dict()` on each draw: at 100,000 rows 2 to 10 ms a chart, 23 ms for the six, per
    tab per refresh (timed with the figures `refresh.build` makes). Once `freeze()` is
    called the figure is finished: its dict is made then, once, and only read after."""

    def freeze(self) -> SharedFigure:
        self._frozen = super().to_dict()
        return self

    def to_dict(self) -> dict:
        frozen = self.__dict__.get("_frozen")
        return super().to_dict() if frozen is None else frozen


def ticks(top: float, whole: bool = False, count: int = 5) -> list[float]:
    """Round tick values from 0 past `top` (steps of 1, 2, 2.5 or 5 times a power of ten);
    `whole`: whole-number steps only (counts)."""
    if top <= 0:
        return [0.0, 1.0]
    raw = top / count
    power = 10 ** math.floor(math.log10(raw))
    steps = [m * power for m in (1, 2, 2.5, 5, 10)]
    if whole:
        steps = [max(1, round(step)) for step in steps if step >= 1 or step == steps[-1]]
    step = next(step for step in steps if step >= raw)
    return [i * step for i in range(math.ceil(top / step) + 1)]


# room above the last tick, so a point on it shows whole instead of cut in half
HEADROOM = 1.04


def _money_axis(top: float) -> dict:
    values = ticks(top)
    return {
        "tickvals": values,
        "ticktext": [short_brl(v) for v in values],
        "range": [0, values[-1] * HEADROOM],
    }


def _count_axis(top: float) -> dict:
    values = ticks(top, whole=True)
    return {
        "tickvals": values,
        "ticktext": [format_int(int(v)) for v in values],
        "range": [0, values[-1] * HEADROOM],
    }


def _ages_axis(ages: pd.Series) -> dict:
    """Whole years on the axis: a single age gave ticks at 29,6 and 29,8."""
    low, high = (int(ages.min()), int(ages.max())) if len(ages) else (0, 1)
    step = ticks(max(1, high - low), whole=True)[1]
    return {
        "tickmode": "linear",
        "tick0": 0,
        "dtick": step,
        "range": [low - 0.5 - step / 2, high + 0.5 + step / 2],
    }


def _brl(values: pd.Series) -> list[str]:
    """Exact pt-BR amounts for hovers (`R$ 12.345,67`)."""
    return [format_brl(round(v * 100)) for v in values.tolist()]


def _literal(names: pd.Series) -> list[str]:
    return [plotly_literal(name) for name in names.tolist()]


def _layout(figure: SharedFigure, title: str, x: str, y: str) -> SharedFigure:
    figure.update_layout(
        title=title,
        xaxis_title=x,
        yaxis_title=y,
        height=HEIGHT,
        margin={"l": 10, "r": 10, "t": 50, "b": 10},
        separators=",.",  # pt-BR: comma for decimals, dot for thousands
    )
    return figure


def value_by_city(frame: pd.DataFrame) -> SharedFigure:
    """Horizontal bars, largest on top: 25 or more names stay readable."""
    shown = frame.iloc[:BAR_CITIES]
    title = "Valor total por cidade"
    if len(frame) > len(shown):
        title += f" ({len(shown)} maiores de {format_int(len(frame))})"
    return _ranked_bars(_literal(shown["cidade"]), shown["valor"], title)


def value_by_state(frame: pd.DataFrame) -> SharedFigure:
    return _ranked_bars(
        frame["uf"].tolist(), frame["valor"], "Valor total por estado (UF da cidade)"
    )


def _ranked_bars(names: list[str], values: pd.Series, title: str) -> SharedFigure:
    """Amounts as horizontal bars in the order given (largest first, on top)."""
    bar = go.Bar(
        y=names,
        x=values,
        orientation="h",
        customdata=_brl(values),
        hovertemplate="%{y}: %{customdata}<extra></extra>",
    )
    figure = _layout(SharedFigure(bar), title, "Valor", "")
    return figure.update_layout(
        height=max(HEIGHT, 60 + ROW_PX * len(names)),
        xaxis=_money_axis(values.max()),
        yaxis={"autorange": "reversed", "automargin": True},
    )


def age_histogram(frame: pd.DataFrame) -> SharedFigure:
    bar = go.Bar(
        x=frame["idade"],
        y=frame["vendas"],
        marker_line_width=0,
        hovertemplate="%{x} anos: %{y} vendas<extra></extra>",
    )
    figure = _layout(SharedFigure(bar), "Vendas por idade (todas)", "Idade", "Vendas")
    return figure.update_layout(
        bargap=0.05, yaxis=_count_axis(frame["vendas"].max()), xaxis=_ages_axis(frame["idade"])
    )


def region_share(frame: pd.DataFrame) -> SharedFigure:
    # our order: the regions as the country lists them, "não identificado" last
    pie = go.Pie(
        labels=frame["regiao"].tolist(),
        values=frame["vendas"],
        hole=0.35,
        sort=False,
        hovertemplate="%{label}: %{value} vendas (%{percent})<extra></extra>",
    )
    return _layout(SharedFigure(pie), "Participação por região (vendas)", "", "")


def value_by_age(frame: pd.DataFrame, total_rows: int) -> SharedFigure:
    points = go.Scattergl(
        x=frame["idade"],
        y=frame["valor"],
        mode="markers",
        text=_literal(frame["cidade"]),
        marker={"size": 5, "opacity": 0.5},
        customdata=_brl(frame["valor"]),
        hovertemplate="%{text}<br>idade %{x}<br>%{customdata}<extra></extra>",
    )
    title = "Valor × idade"
    if total_rows > len(frame):
        title += f" (amostra de {format_int(len(frame))} de {format_int(total_rows)})"
    figure = _layout(SharedFigure(points), title, "Idade", "Valor")
    top = frame["valor"].max() if len(frame) else 0
    return figure.update_layout(yaxis=_money_axis(top), xaxis=_ages_axis(frame["idade"]))


def revenue_trend(
    frame: pd.DataFrame, compared: pd.DataFrame | None = None, versus: str = ""
) -> SharedFigure:
    """The trend from `trend.revenue_trend`, titled with its bucket (a cada 5 s, …); with
    `compared` (the compared period's trend, already on this period's clock), a faint
    dotted line behind it, named by `versus`."""
    bucket = frame.attrs.get("bucket", pd.Timedelta(minutes=1))
    # the year, where the drawn span crosses one (a sale of last December beside today's)
    years = len(frame) and frame["momento"].iloc[0].year != frame["momento"].iloc[-1].year
    day = "%d/%m/%Y" if years else "%d/%m"
    line = go.Scatter(
        x=frame["momento"],
        y=frame["valor"],
        mode="lines+markers",
        customdata=_brl(frame["valor"]),
        hovertemplate=f"%{{x|{day} %H:%M:%S}}<br>%{{customdata}}<extra></extra>",
    )
    traces = [line]
    if compared is not None and len(compared):
        traces.insert(
            0,
            go.Scatter(
                x=compared["momento"],
                y=compared["valor"],
                mode="lines+markers",  # markers: a period of one bucket still shows
                name=versus,
                line={"dash": "dot", "width": 1.5, "color": "rgba(120, 120, 120, 0.55)"},
                marker={"size": 4, "color": "rgba(120, 120, 120, 0.55)"},
                customdata=_brl(compared["valor"]),
                hovertemplate=f"{versus}<br>%{{customdata}}<extra></extra>",
            ),
        )
        line.name = "agora"
    title = f"Receita a cada {bucket_label(bucket)}"
    if earlier := frame.attrs.get("earlier", 0):
        title += f" ({count_of(earlier, 'venda anterior', 'vendas anteriores')} fora da escala)"
    figure = _layout(SharedFigure(traces), title, "Horário", "Valor")
    if len(traces) > 1:
        figure.update_layout(showlegend=True, legend={"orientation": "h", "y": -0.3})
    tops = [frame["valor"].max() if len(frame) else 0]
    if len(traces) > 1 and compared is not None:
        tops.append(compared["valor"].max())
    if len(frame):
        figure.update_layout(yaxis=_money_axis(max(tops)))
    # seconds only where the axis zooms in below a minute per tick
    stops = [
        {"dtickrange": [None, 60_000], "value": "%H:%M:%S"},
        {"dtickrange": [60_000, 86_400_000], "value": "%H:%M"},
        {"dtickrange": [86_400_000, None], "value": day},
    ]
    figure.update_layout(xaxis_tickformatstops=stops)
    if len(frame) == 1:  # Plotly's autorange collapses on one point: show it mid-axis
        moment = frame["momento"].iloc[0]
        figure.update_layout(xaxis_range=[moment - bucket, moment + bucket])
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
