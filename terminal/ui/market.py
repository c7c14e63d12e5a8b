"""Prices and reactions for the pages.

Reactions come from the `reactions` table where stored, else they are computed on the fly
from cached prices; sample stories, while no real price is stored, fall back to the labelled
synthetic prices. Real and synthetic prices never meet in one result.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pandas as pd
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from terminal.config import benchmark_symbol
from terminal.prices.base import PriceQuery, empty_frame
from terminal.prices.cache import has_real_prices, load_prices
from terminal.prices.synthetic import SyntheticProvider
from terminal.reactions.store import load_reactions
from terminal.reactions.study import REACTION_COLUMNS, event_study
from terminal.story_rows import ArticleRow

ESTIMATION_DAYS = 420  # calendar days before a story: the market model's [-250, -30] sessions
AFTER_DAYS = 25
WINDOW_DAYS = 7  # the overlay's span either side of publication
SYNTHETIC = "synthetic"


@dataclass(frozen=True, slots=True)
class Bars:
    """Daily bars for some symbols and where they came from."""

    frame: pd.DataFrame
    synthetic: bool

    @property
    def empty(self) -> bool:
        return self.frame.empty


def synthetic_bars(symbols: Sequence[str], start: datetime, end: datetime) -> pd.DataFrame:
    """Deterministic illustrative bars (sample stories only; always labelled synthetic)."""
    query = PriceQuery.build(list(symbols), start, end)
    return SyntheticProvider().fetch(query).frame


def bars_for(
    engine: Engine, symbols: Sequence[str], start: datetime, end: datetime, *, sample: bool
) -> Bars:
    """Cached bars (real ones win); sample stories get synthetic ones while nothing real is stored."""
    with Session(engine) as session:
        frame = load_prices(session, symbols, start, end)
        real = frame.loc[frame["provider"] != SYNTHETIC]
        if not real.empty:
            return Bars(real, synthetic=False)
        if not frame.empty or not sample:
            return Bars(frame, synthetic=not frame.empty)
        if has_real_prices(session):
            return Bars(frame, synthetic=False)
    return Bars(synthetic_bars(symbols, start, end), synthetic=True)


def story_events(rows: Sequence[ArticleRow], benchmark: str) -> pd.DataFrame:
    """(article_id, symbol, event_time) for every ticker of the stories but the benchmark."""
    pairs = [
        (r.id, s, pd.Timestamp(r.published_at)) for r in rows for s in r.tickers if s != benchmark
    ]
    return pd.DataFrame(pairs, columns=["article_id", "symbol", "event_time"])


def story_span(rows: Sequence[ArticleRow]) -> tuple[datetime, datetime]:
    """The calendar span the event study of these stories needs."""
    start = min(r.published_at for r in rows) - timedelta(days=ESTIMATION_DAYS)
    return start, max(r.published_at for r in rows) + timedelta(days=AFTER_DAYS)


def computed_reactions(
    engine: Engine, rows: Sequence[ArticleRow], *, sample: bool
) -> tuple[pd.DataFrame, Bars]:
    """Reactions computed now from cached (or, for samples, synthetic) prices, and the bars."""
    benchmark = benchmark_symbol()
    events = story_events(rows, benchmark)
    if events.empty:
        return pd.DataFrame(columns=REACTION_COLUMNS), Bars(empty_frame(), False)
    symbols = sorted({*events["symbol"], benchmark})
    bars = bars_for(engine, symbols, *story_span(rows), sample=sample)
    if bars.empty:
        return pd.DataFrame(columns=REACTION_COLUMNS), bars
    study = event_study(events, bars.frame, benchmark=benchmark)
    return study.loc[~study["provider"].astype(str).str.contains("none")], bars


def story_reactions(engine: Engine, rows: Sequence[ArticleRow]) -> pd.DataFrame:
    """Every known reaction of the stories' tickers (DESIGN.md fields plus `synthetic`):
    stored ones first, the rest computed from cached prices; in the stories' ticker order."""
    benchmark = benchmark_symbol()
    events = story_events(rows, benchmark)
    if events.empty:
        return pd.DataFrame(columns=[*REACTION_COLUMNS, SYNTHETIC])
    with Session(engine) as session:
        stored = load_reactions(session, article_ids=[r.id for r in rows], benchmark=benchmark)
    stored = stored.merge(events[["article_id", "symbol"]], on=["article_id", "symbol"])
    known = set(zip(stored["article_id"], stored["symbol"], strict=True))
    parts = [stored]
    for sample in (True, False):
        group = [
            r
            for r in rows
            if r.is_sample is sample and any((r.id, t) not in known for t in r.tickers)
        ]
        if group:
            fresh, _ = computed_reactions(engine, group, sample=sample)
            keys = pd.Series(
                list(zip(fresh["article_id"], fresh["symbol"], strict=True)), dtype=object
            )
            parts.append(fresh.loc[~keys.isin(known).to_numpy()])
    frames = [p for p in parts if not p.empty]
    if not frames:
        return pd.DataFrame(columns=[*REACTION_COLUMNS, SYNTHETIC])
    out = pd.concat(frames, ignore_index=True)
    out[SYNTHETIC] = out["provider"].astype(str).str.contains(SYNTHETIC)
    order = {
        (a, s): i
        for i, (a, s) in enumerate(zip(events["article_id"], events["symbol"], strict=True))
    }
    rank = [
        order.get((a, s), len(order)) for a, s in zip(out["article_id"], out["symbol"], strict=True)
    ]
    return out.assign(_rank=rank).sort_values("_rank").drop(columns="_rank").reset_index(drop=True)


@dataclass(frozen=True, slots=True)
class Moves:
    """A story's day-0 abnormal return per ticker, and whether synthetic prices gave them."""

    values: dict[str, float]
    synthetic: bool


def day0_moves(engine: Engine, rows: Sequence[ArticleRow]) -> dict[int, Moves]:
    """Day-0 abnormal moves per story, where they can be known (the reaction table's day 0)."""
    out: dict[int, Moves] = {}
    known = story_reactions(engine, [r for r in rows if r.tickers])
    for rec in known.dropna(subset=["ar_0d"]).itertuples():
        moves = out.setdefault(int(rec.article_id), Moves({}, bool(rec.synthetic)))
        moves.values[str(rec.symbol)] = float(rec.ar_0d)
    return out


@dataclass(frozen=True, slots=True)
class Reaction:
    """An article's price reaction: the overlay figure and the windows table."""

    figure: Any
    table: pd.DataFrame
    synthetic: bool


def reaction_table(reactions: pd.DataFrame) -> pd.DataFrame:
    """Ticker rows by window columns, in percent (raw and abnormal), t-stat and volume ×."""
    pct = {
        "pre −5..−1 abn": "pre_5d", "day 0 raw": "ret_0d", "day 0 abn": "ar_0d",
        "0..+1 abn": "car_0_1d", "0..+3 abn": "car_0_3d", "0..+5 abn": "car_0_5d",
    }  # fmt: skip
    out = pd.DataFrame({"ticker": reactions["symbol"].astype(str)})
    for label, column in pct.items():
        out[label] = (reactions[column].astype("float64") * 100).round(2)
    out["t (day 0)"] = reactions["tstat_0d"].astype("float64").round(2)
    out["volume ×"] = reactions["volume_ratio"].astype("float64").round(2)
    out["model"] = reactions["model"].astype(str)
    out["prices"] = reactions["provider"].astype(str)
    return out.reset_index(drop=True)


def article_reaction(engine: Engine, row: ArticleRow) -> Reaction | None:
    """The reaction overlay and table for one story; None when no prices are known."""
    from terminal.charts import reaction_overlay

    if not row.tickers:
        return None
    symbols = sorted({*row.tickers, benchmark_symbol()})
    bars = bars_for(engine, symbols, *story_span([row]), sample=row.is_sample)
    if bars.empty:
        return None
    at = pd.Timestamp(row.published_at)
    near = (bars.frame["ts"] >= at - pd.Timedelta(days=WINDOW_DAYS)) & (
        bars.frame["ts"] <= at + pd.Timedelta(days=WINDOW_DAYS)
    )
    title = "Price reaction (synthetic prices)" if bars.synthetic else "Price reaction"
    figure = reaction_overlay(bars.frame[near], at, benchmark=benchmark_symbol(), title=title)
    reactions = story_reactions(engine, [row])
    synthetic = bars.synthetic or bool(reactions[SYNTHETIC].any())
    return Reaction(figure=figure, table=reaction_table(reactions), synthetic=synthetic)


def price_refresher() -> Any:
    """`refresh(engine, progress) -> message`: the price cache's refresh for the Sources page."""
    from terminal.prices.cache import refresh_for_ui

    return refresh_for_ui


RANGES = {"1M": 31, "3M": 92, "6M": 183, "1Y": 366, "5Y": 1827}


@dataclass(frozen=True, slots=True)
class TickerChart:
    """A ticker's price chart with news markers, its last close and that day's move."""

    figure: Any
    last_close: float
    day_move: float | None
    synthetic: bool


def ticker_chart(
    engine: Engine,
    symbol: str,
    news: Sequence[ArticleRow],
    *,
    kind: str = "line",
    days: int | None = None,
) -> TickerChart | None:
    """The last `days` (all the news when None) up to its latest story; None without prices."""
    from terminal.charts import price_chart

    if not news:
        return None
    end = min(datetime.now(UTC), max(r.published_at for r in news) + timedelta(days=AFTER_DAYS))
    start = (
        end - timedelta(days=days)
        if days
        else min(r.published_at for r in news) - timedelta(days=30)
    )
    bars = bars_for(engine, [symbol], start, end, sample=all(r.is_sample for r in news))
    if bars.empty:
        return None
    marks = pd.DataFrame(
        [
            (r.id, r.published_at, r.title,
             r.impact if r.impact is not None else r.impact_model, r.sentiment)
            for r in news if start <= r.published_at <= end
        ],
        columns=["article_id", "published_at", "title", "impact", "sentiment"],
    )  # fmt: skip
    title = f"{symbol}{' (synthetic prices)' if bars.synthetic else ''}"
    closes = bars.frame["close"].dropna()
    move = float(closes.iloc[-1] / closes.iloc[-2] - 1) if len(closes) > 1 else None
    figure = price_chart(bars.frame, marks, kind=kind, title=title)
    return TickerChart(figure, float(closes.iloc[-1]), move, bars.synthetic)
