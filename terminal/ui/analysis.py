"""Aggregates for the study and ticker pages: the event study of a set, moves by topic."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd
from sqlalchemy import Engine

from terminal.config import benchmark_symbol
from terminal.story_rows import ArticleRow
from terminal.ui.cards import topic_label
from terminal.ui.market import (
    SYNTHETIC,
    bars_for,
    reaction_table,
    story_events,
    story_reactions,
    story_span,
)


def _known(engine: Engine, rows: Sequence[ArticleRow]) -> tuple[list[ArticleRow], pd.DataFrame]:
    """The live stories' reactions when any are known, else the sample stories'."""
    for sample in (False, True):
        group = [r for r in rows if r.is_sample is sample and r.tickers]
        reactions = story_reactions(engine, group).dropna(subset=["ar_0d"]) if group else None
        if reactions is not None and not reactions.empty:
            return group, reactions.reset_index(drop=True)
    return [], pd.DataFrame()


def study(engine: Engine, rows: Sequence[ArticleRow]) -> dict[str, Any] | None:
    """The event study of a set of stories: CAR path, day-0 distribution, calibration."""
    from terminal.charts import ar_histogram, calibration_scatter, car_chart
    from terminal.reactions.aggregates import calibration, mean_car_path
    from terminal.reactions.study import event_paths

    group, reactions = _known(engine, rows)
    if reactions.empty:
        return None
    benchmark = benchmark_symbol()
    used = {int(a) for a in reactions["article_id"]}
    events = story_events([r for r in group if r.id in used], benchmark)
    symbols = sorted({*events["symbol"], benchmark})
    bars = bars_for(engine, symbols, *story_span(group), sample=group[0].is_sample)
    path = mean_car_path(event_paths(events, bars.frame, benchmark=benchmark))
    scores = {r.id: (r.impact if r.impact is not None else r.impact_model) for r in group}
    reactions["impact"] = reactions["article_id"].map(scores).astype("float64")
    result = calibration(reactions["impact"], reactions["realised_impact"])
    synthetic = bool(reactions[SYNTHETIC].any())
    return {
        "car": car_chart(path, synthetic=synthetic),
        "hist": ar_histogram(reactions),
        "calibration": calibration_scatter(reactions, result),
        "table": reaction_table(reactions).assign(
            story=[f"/article?id={int(a)}" for a in reactions["article_id"]],
            headline=reactions["article_id"].map({r.id: r.title for r in group}).to_numpy(),
        ),
        "synthetic": synthetic,
        "n": len(reactions),
    }


def moves_by_topic(engine: Engine, symbol: str, news: Sequence[ArticleRow]) -> pd.DataFrame:
    """What moves a ticker: its mean day-0 abnormal move (%) and event count by story topic."""
    columns = ["topic", "stories", "mean day 0 abn %", "mean |day 0 abn| %", "synthetic"]
    reactions = story_reactions(engine, news)
    mine = reactions.loc[(reactions["symbol"] == symbol) & reactions["ar_0d"].notna()]
    if mine.empty:
        return pd.DataFrame(columns=columns)
    topics = {r.id: r.topics or ["(no topic)"] for r in news}
    pairs = [
        (topic_label(t), float(ar) * 100, bool(syn))
        for aid, ar, syn in zip(mine["article_id"], mine["ar_0d"], mine[SYNTHETIC], strict=True)
        for t in topics.get(int(aid), [])
    ]
    frame = pd.DataFrame(pairs, columns=["topic", "ar", "synthetic"])
    out = frame.groupby("topic").agg(
        stories=("ar", "size"), mean=("ar", "mean"), size=("ar", lambda s: s.abs().mean()),
        synthetic=("synthetic", "any"),
    )  # fmt: skip
    out = out.rename(columns={"mean": columns[2], "size": columns[3]}).round(2)
    return out.sort_values(["stories", columns[3]], ascending=False).reset_index()[columns]
