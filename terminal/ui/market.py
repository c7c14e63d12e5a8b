"""Prices and reactions for the pages: the price cache when it holds bars, else, for sample
stories only, the labelled synthetic prices; never both in one result.

The price cache and the stored reactions come from `terminal.prices.cache` and
`terminal.reactions.store` once they exist; until then real stories show "no price data".
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import pandas as pd
from sqlalchemy import Engine

from terminal.config import benchmark_symbol
from terminal.prices.base import PriceQuery, empty_frame
from terminal.prices.synthetic import SyntheticProvider
from terminal.query import ArticleRow

ESTIMATION_DAYS = 420  # calendar days before a story: the market model's [-250, -30] sessions
AFTER_DAYS = 25
WINDOW_DAYS = 7  # the overlay's span either side of publication


@dataclass(frozen=True, slots=True)
class Bars:
    """Daily bars for some symbols and where they came from."""

    frame: pd.DataFrame
    synthetic: bool

    @property
    def empty(self) -> bool:
        return self.frame.empty


def _cached_bars(
    engine: Engine, symbols: Sequence[str], start: datetime, end: datetime
) -> pd.DataFrame:
    """Daily bars from the price cache; real ones win when real and synthetic are both stored."""
    from sqlalchemy.orm import Session

    from terminal.prices.cache import load_prices

    with Session(engine) as session:
        frame = load_prices(session, symbols, start, end)
    real = frame.loc[frame["provider"] != "synthetic"]
    return real if not real.empty else frame


def synthetic_bars(symbols: Sequence[str], start: datetime, end: datetime) -> pd.DataFrame:
    """Deterministic illustrative bars (sample stories only; always labelled synthetic)."""
    query = PriceQuery.build(list(symbols), start, end)
    return SyntheticProvider().fetch(query).frame


def bars_for(
    engine: Engine, symbols: Sequence[str], start: datetime, end: datetime, *, sample: bool
) -> Bars:
    """Cached real bars; for sample stories without them, synthetic ones."""
    cached = _cached_bars(engine, symbols, start, end)
    if not cached.empty:
        return Bars(cached, synthetic=bool((cached["provider"] == "synthetic").all()))
    if not sample:
        return Bars(cached, synthetic=False)
    return Bars(synthetic_bars(symbols, start, end), synthetic=True)


def _events(rows: Sequence[ArticleRow], benchmark: str) -> pd.DataFrame:
    pairs = [
        (r.id, s, pd.Timestamp(r.published_at)) for r in rows for s in r.tickers if s != benchmark
    ]
    return pd.DataFrame(pairs, columns=["article_id", "symbol", "event_time"])


def study_rows(
    engine: Engine, rows: Sequence[ArticleRow], *, sample: bool
) -> tuple[pd.DataFrame, Bars]:
    """Reactions (DESIGN.md fields) for the stories' tickers, and the bars they came from."""
    from terminal.reactions.study import REACTION_COLUMNS, event_study

    benchmark = benchmark_symbol()
    events = _events(rows, benchmark)
    if events.empty:
        return pd.DataFrame(columns=REACTION_COLUMNS), Bars(empty_frame(), False)
    start = min(r.published_at for r in rows) - timedelta(days=ESTIMATION_DAYS)
    end = max(r.published_at for r in rows) + timedelta(days=AFTER_DAYS)
    symbols = sorted({*events["symbol"], benchmark})
    bars = bars_for(engine, symbols, start, end, sample=sample)
    if bars.empty:
        return pd.DataFrame(columns=REACTION_COLUMNS), bars
    return event_study(events, bars.frame, benchmark=benchmark), bars


@dataclass(frozen=True, slots=True)
class Moves:
    """A story's day-0 abnormal return per ticker, and whether synthetic prices gave them."""

    values: dict[str, float]
    synthetic: bool


def day0_moves(engine: Engine, rows: Sequence[ArticleRow]) -> dict[int, Moves]:
    """Day-0 abnormal moves per story, where they can be known."""
    out: dict[int, Moves] = {}
    for sample in (True, False):
        group = [r for r in rows if r.is_sample is sample and r.tickers]
        if not group:
            continue
        table, bars = study_rows(engine, group, sample=sample)
        for rec in table.dropna(subset=["ar_0d"]).itertuples():
            moves = out.setdefault(int(rec.article_id), Moves({}, bars.synthetic))
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
    return out.reset_index(drop=True)


def article_reaction(engine: Engine, row: ArticleRow) -> Reaction | None:
    """The reaction overlay and table for one story; None when no prices are known."""
    from terminal.charts import reaction_overlay

    if not row.tickers:
        return None
    reactions, bars = study_rows(engine, [row], sample=row.is_sample)
    if bars.empty:
        return None
    at = pd.Timestamp(row.published_at)
    window = bars.frame[
        (bars.frame["ts"] >= at - pd.Timedelta(days=WINDOW_DAYS))
        & (bars.frame["ts"] <= at + pd.Timedelta(days=WINDOW_DAYS))
    ]
    title = "Price reaction (synthetic prices)" if bars.synthetic else "Price reaction"
    figure = reaction_overlay(window, at, benchmark=benchmark_symbol(), title=title)
    return Reaction(figure=figure, table=reaction_table(reactions), synthetic=bars.synthetic)


def price_refresher() -> Any:
    """`refresh(engine, progress) -> message` from the price cache, or None while there is none."""
    try:
        from terminal.prices import cache
    except ImportError:
        return None
    return getattr(cache, "refresh_for_ui", None)


def ticker_chart(
    engine: Engine, symbol: str, news: Sequence[ArticleRow], *, kind: str = "line"
) -> Any:
    """The ticker's price chart with a marker per story, or None without prices."""
    from terminal.charts import price_chart

    if not news:
        return None
    start = min(r.published_at for r in news) - timedelta(days=30)
    end = max(r.published_at for r in news) + timedelta(days=AFTER_DAYS)
    bars = bars_for(engine, [symbol], start, end, sample=all(r.is_sample for r in news))
    if bars.empty:
        return None
    marks = pd.DataFrame(
        [
            (
                r.id,
                r.published_at,
                r.title,
                r.impact if r.impact is not None else r.impact_model,
                r.sentiment,
            )
            for r in news
        ],
        columns=["article_id", "published_at", "title", "impact", "sentiment"],
    )
    return price_chart(
        bars.frame,
        marks,
        kind=kind,
        title=f"{symbol}{' (synthetic prices)' if bars.synthetic else ''}",
    )


def study(engine: Engine, rows: Sequence[ArticleRow]) -> dict[str, Any] | None:
    """The event study of a set of stories: CAR path, day-0 distribution, calibration."""
    from terminal.charts import ar_histogram, calibration_scatter, car_chart
    from terminal.reactions.aggregates import calibration, mean_car_path
    from terminal.reactions.study import event_paths

    samples = [r for r in rows if r.is_sample]
    real = [r for r in rows if not r.is_sample]
    group, sample = (real, False) if real else (samples, True)
    reactions, bars = study_rows(engine, group, sample=sample)
    reactions = reactions.dropna(subset=["ar_0d"])
    if reactions.empty:
        return None
    events = _events(group, benchmark_symbol())
    path = mean_car_path(event_paths(events, bars.frame, benchmark=benchmark_symbol()))
    scores = {r.id: (r.impact if r.impact is not None else r.impact_model) for r in group}
    reactions["impact"] = reactions["article_id"].map(scores).astype("float64")
    result = calibration(reactions["impact"], reactions["realised_impact"])
    return {
        "car": car_chart(path, synthetic=bars.synthetic),
        "hist": ar_histogram(reactions),
        "calibration": calibration_scatter(reactions, result),
        "table": reaction_table(reactions).assign(story=reactions["article_id"].to_numpy()),
        "synthetic": bars.synthetic,
        "n": len(reactions),
    }
