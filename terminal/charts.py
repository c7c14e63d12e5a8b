"""Plotly figures from frames: reaction overlays, price charts with news, CAR paths, calibration."""

from __future__ import annotations

import html
import re
from collections.abc import Iterable
from datetime import datetime

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from terminal.colors import BENCHMARK_COLOR, impact_color, line_style, ticker_color, ticker_colors
from terminal.prices.calendar import closed_periods, event_session
from terminal.prices.synthetic import WATERMARK
from terminal.reactions.aggregates import Calibration

TEMPLATE = "plotly_dark"

SHADE = "rgba(255,255,255,0.06)"
EVENT_LINE = {"color": "#ffffff", "width": 1, "dash": "dot"}
EVENT_LABEL = {"showarrow": False, "xanchor": "left", "yanchor": "top", "font": {"size": 11}}
WATERMARK_STYLE = {"xref": "paper", "yref": "paper", "x": 0.5, "y": 0.5, "showarrow": False,
                   "opacity": 0.25, "font": {"size": 26, "color": "#ffffff"}, "textangle": -20}  # fmt: skip
# Legends sit in one row above the plot area, right-aligned, so they never squeeze the plot.
LEGEND = {"orientation": "h", "yanchor": "bottom", "y": 1.02, "xanchor": "right", "x": 1}
AXIS_LABELS = {"impact": "predicted impact (0–1)", "realised_impact": "realised impact (0–1)"}


def provenance(providers: Iterable[object]) -> bool:
    """True if the data is synthetic; ValueError if real and synthetic are mixed."""
    names = {p for v in providers if isinstance(v, str) for p in re.split(r"[/+]", v) if p}
    names.discard("none")
    if "synthetic" in names and len(names) > 1:
        raise ValueError("real and synthetic prices cannot be mixed in one figure")
    return names == {"synthetic"}


def _finish(fig: go.Figure, title: str, synthetic: bool) -> go.Figure:
    """Dark template, title, a one-row legend when there is more than one trace, the watermark."""
    legend = sum(t.showlegend is not False for t in fig.data) > 1
    fig.update_layout(
        template=TEMPLATE,
        title={"text": title, "x": 0, "xref": "paper", "yref": "container", "y": 0.97},
        showlegend=legend,
        legend=LEGEND,
        margin={"l": 60, "r": 20, "t": 80 if legend else 50, "b": 50},
    )
    if synthetic:
        fig.add_annotation(text=WATERMARK, name="synthetic-watermark", **WATERMARK_STYLE)
    return fig


def _event_line(fig: go.Figure, x: object, label: str) -> None:
    """A vertical line at the story's publication, labelled inside the top of the plot."""
    fig.add_shape(type="line", x0=x, x1=x, y0=0, y1=1, yref="paper", line=EVENT_LINE)
    fig.add_annotation(x=x, y=1, yref="paper", text=label, **EVENT_LABEL)


def _rebased(bars: pd.DataFrame, at: pd.Timestamp) -> pd.Series:
    """Percent change of close against the last close before the story (the first open if none).

    Daily bars are stamped with their session date, so for them "before" means a session
    before the story's event session (a story during a session compares with the prior close).
    """
    cutoff = at
    if (bars["interval"] == "1d").all():
        cutoff = pd.Timestamp(event_session(at)).tz_localize("UTC")
    before = bars.loc[bars["ts"] < cutoff, "close"]
    base = before.iloc[-1] if len(before) else bars["open"].iloc[0]
    return (bars["close"] / base - 1.0) * 100.0


def _daily_gaps(ts: pd.Series) -> list[tuple[pd.Timestamp, pd.Timestamp]]:
    """Closed days between consecutive daily bars (weekends, holidays)."""
    days = pd.Series(sorted(set(ts)))
    gaps = days.diff() > pd.Timedelta(days=1)
    return [
        (days[i - 1] + pd.Timedelta(hours=12), days[i] - pd.Timedelta(hours=12))
        for i in np.flatnonzero(gaps.to_numpy())
    ]


def reaction_overlay(
    prices: pd.DataFrame,
    event_time: datetime | pd.Timestamp,
    *,
    benchmark: str = "SPY",
    title: str = "Price reaction",
) -> go.Figure:
    """Each ticker and the benchmark rebased to 0% at publication, closed-market time shaded."""
    synthetic = provenance(prices["provider"])
    at = pd.Timestamp(event_time)
    at = at.tz_localize("UTC") if at.tzinfo is None else at.tz_convert("UTC")
    daily = bool((prices["interval"] == "1d").all())
    colors = ticker_colors(s for s in prices["symbol"].unique() if s != benchmark)
    fig = go.Figure()
    for symbol, bars in prices.sort_values("ts").groupby("symbol", sort=True):
        name = html.escape(str(symbol))
        fig.add_trace(
            go.Scatter(
                x=bars["ts"],
                y=_rebased(bars, at),
                name=str(symbol),
                mode="lines",
                line=line_style(str(symbol), benchmark=benchmark, color=colors.get(str(symbol))),
                hovertemplate=f"%{{y:+.2f}}%<extra>{name}</extra>",
            )
        )
    if not prices.empty:
        lo, hi = prices["ts"].min(), prices["ts"].max()
        spans = _daily_gaps(prices["ts"]) if daily else closed_periods(lo, hi)
        for a, b in spans:
            fig.add_vrect(x0=a, x1=b, fillcolor=SHADE, line_width=0, layer="below")
    _event_line(fig, at, "story")
    fig.update_layout(hovermode="x unified")
    fig.update_xaxes(
        title="session (shaded: market closed)" if daily else "time (UTC)",
        hoverformat="%a %d %b %Y" if daily else "%a %d %b %H:%M UTC",
    )
    fig.update_yaxes(
        title="change since the pre-story close",
        ticksuffix="%",
        zeroline=True,
        zerolinecolor=BENCHMARK_COLOR,
    )
    return _finish(fig, title, synthetic)


def _marker_shape(sentiment: float | None) -> str:
    """Triangle up for positive, down for negative, circle for neutral or unknown sentiment."""
    if sentiment is None or sentiment != sentiment:
        return "circle"
    return "triangle-up" if sentiment > 0.05 else "triangle-down" if sentiment < -0.05 else "circle"


def _impact_label(impact: float | None) -> str:
    """The impact score for a hover, or that it is unknown."""
    return "impact unknown" if impact is None or impact != impact else f"impact {impact:.2f}"


def price_chart(
    bars: pd.DataFrame, news: pd.DataFrame, *, kind: str = "candles", title: str = ""
) -> go.Figure:
    """One ticker's bars (candles or a line) with a marker per story (article_id in customdata).

    `news` columns: article_id, published_at, title, impact, sentiment. Marker colour is
    impact, shape is sentiment; headlines are HTML-escaped for the hover.
    """
    synthetic = provenance(bars["provider"])
    bars = bars.sort_values("ts")
    symbol = str(bars["symbol"].iloc[0]) if len(bars) else ""
    fig = go.Figure()
    if kind == "candles":
        fig.add_trace(
            go.Candlestick(
                x=bars["ts"],
                open=bars["open"],
                high=bars["high"],
                low=bars["low"],
                close=bars["close"],
                name=symbol,
                xhoverformat="%a %d %b %Y",
                yhoverformat=".2f",
            )
        )
    else:
        fig.add_trace(
            go.Scatter(
                x=bars["ts"],
                y=bars["close"],
                mode="lines",
                name=symbol,
                line={"color": ticker_color(symbol)},
                hovertemplate="%{x|%a %d %b %Y}<br>close %{y:.2f}<extra>"
                + html.escape(symbol)
                + "</extra>",
            )
        )
    if len(news) and len(bars):
        when = pd.to_datetime(news["published_at"], utc=True)
        pos = np.clip(np.searchsorted(bars["ts"].to_numpy(), when.to_numpy(), "right") - 1, 0, None)
        fig.add_trace(
            go.Scatter(
                x=when,
                y=bars["high"].to_numpy()[pos] * 1.01,
                mode="markers",
                name="news (colour: impact, shape: sentiment)",
                marker={
                    "size": 11,
                    "color": [impact_color(v) for v in news["impact"]],
                    "symbol": [_marker_shape(v) for v in news["sentiment"]],
                    "line": {"width": 1, "color": "#ffffff"},
                },
                customdata=news["article_id"].to_numpy(),
                hovertext=[html.escape(str(t)) for t in news["title"]],
                text=[_impact_label(v) for v in news["impact"]],
                hovertemplate="%{hovertext}<br>%{x|%d %b %Y %H:%M} UTC · %{text}"
                "<extra>story %{customdata}</extra>",
            )
        )
    fig.update_layout(xaxis_rangeslider_visible=False)
    fig.update_xaxes(title="date")
    fig.update_yaxes(title="price (as quoted)")
    return _finish(fig, title or symbol, synthetic)


def car_chart(path: pd.DataFrame, *, title: str = "Mean CAR", synthetic: bool = False) -> go.Figure:
    """The mean cumulative abnormal return (in %) by trading day with its 95% band and N."""
    x = list(path.index)
    pct = path[["mean", "lo", "hi"]] * 100.0
    fig = go.Figure(
        [
            go.Scatter(
                x=x + x[::-1],
                y=list(pct["hi"]) + list(pct["lo"])[::-1],
                fill="toself",
                fillcolor="rgba(76,201,240,0.2)",
                line={"width": 0},
                name="95% band",
                hoverinfo="skip",
            ),
            go.Scatter(
                x=x,
                y=pct["mean"],
                mode="lines+markers",
                name="mean CAR",
                line={"color": "#4cc9f0"},
                customdata=path["n"],
                hovertemplate="day %{x:+d}: %{y:+.2f}% (N=%{customdata})<extra></extra>",
            ),
        ]
    )
    _event_line(fig, 0, "day 0")
    fig.update_xaxes(title="trading days from the story (day 0 = its session)", dtick=1)
    fig.update_yaxes(title="mean cumulative abnormal return", ticksuffix="%")
    return _finish(fig, f"{title} (N={int(path['n'].max()) if len(path) else 0})", synthetic)


def ar_histogram(reactions: pd.DataFrame, *, title: str = "Day-0 abnormal returns") -> go.Figure:
    """The distribution of day-0 abnormal returns, in %."""
    synthetic = provenance(reactions["provider"])
    fig = go.Figure(
        go.Histogram(
            x=reactions["ar_0d"] * 100.0,
            name="events",
            marker_color="#4cc9f0",
            nbinsx=40,
            hovertemplate="%{x}: %{y} events<extra></extra>",
        )
    )
    fig.update_xaxes(ticksuffix="%", title="abnormal return on day 0")
    fig.update_yaxes(title="events (story × ticker)")
    fig.update_layout(bargap=0.05)
    return _finish(fig, title, synthetic)


def calibration_scatter(
    frame: pd.DataFrame,
    result: Calibration,
    *,
    score: str = "impact",
    realised: str = "realised_impact",
    title: str = "Impact vs realised impact",
) -> go.Figure:
    """Predicted impact against realised impact, correlations in the title."""
    synthetic = provenance(frame["provider"]) if "provider" in frame else False
    story = "story %{customdata}" if "article_id" in frame else ""
    fig = go.Figure(
        go.Scatter(
            x=frame[score],
            y=frame[realised],
            mode="markers",
            name="events",
            marker={"color": "#4cc9f0", "opacity": 0.6},
            customdata=frame.get("article_id"),
            hovertemplate=f"predicted %{{x:.2f}}, realised %{{y:.2f}}<extra>{story}</extra>",
        )
    )
    fig.add_trace(
        go.Scatter(
            x=result.buckets["mean_score"],
            y=result.buckets["mean_realised"],
            mode="lines+markers",
            name="bucket means",
            line={"color": "#ffd166"},
            hovertemplate="bucket mean: predicted %{x:.2f}, realised %{y:.2f}<extra></extra>",
        )
    )
    fig.update_xaxes(range=[0, 1], title=AXIS_LABELS.get(score, score))
    fig.update_yaxes(range=[0, 1], title=AXIS_LABELS.get(realised, realised))
    full = f"{title} — Pearson {result.pearson:.2f}, Spearman {result.spearman:.2f}, N={result.n}"
    return _finish(fig, full, synthetic)
