"""Reactions for the pages: stored first, computed from cached prices otherwise; chips and the
reaction table come from the same numbers."""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np
import pandas as pd
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from terminal.prices.cache import store_bars
from terminal.reactions.store import STORED_COLUMNS, save_reactions
from terminal.story_rows import ArticleRow, load_rows
from terminal.ui import analysis, market
from tests.ui.test_pages import add_story


def story(engine: Engine, article_id: int) -> ArticleRow:
    with Session(engine) as s:
        return load_rows(s, [article_id])[0]


def stored(article_id: int, moves: dict[str, float], provider: str = "csv") -> pd.DataFrame:
    rows = []
    for symbol, ar in moves.items():
        row: dict[str, object] = dict.fromkeys(STORED_COLUMNS, np.nan)
        row |= {"article_id": article_id, "symbol": symbol, "benchmark": "SPY", "ar_0d": ar,
                "ret_0d": ar, "event_time": datetime(2025, 9, 18, 14, 30, tzinfo=UTC),
                "session": None, "model": "market-model", "provider": provider}  # fmt: skip
        rows.append(row)
    return pd.DataFrame(rows)


def day0_column(engine: Engine, row: ArticleRow) -> dict[str, float]:
    """The article page's reaction table, day 0 abnormal (%), by ticker."""
    reaction = market.article_reaction(engine, row)
    assert reaction is not None
    table = reaction.table
    return dict(zip(table["ticker"], table["day 0 abn"], strict=True))


def test_stored_reactions_are_shown_and_chips_agree_with_the_table(store: Engine) -> None:
    row = story(store, 1)
    assert row.tickers == ["NVDA", "TSLA", "INTC"]
    with Session(store) as s:
        save_reactions(s, stored(1, {"NVDA": -0.1234, "TSLA": 0.02, "INTC": 0.0}))
        s.commit()
    moves = market.day0_moves(store, [row])[1]
    assert moves.values == {"NVDA": -0.1234, "TSLA": 0.02, "INTC": 0.0}
    assert not moves.synthetic
    assert day0_column(store, row) == {"NVDA": -12.34, "TSLA": 2.0, "INTC": 0.0}


def test_a_sample_story_without_stored_reactions_uses_labelled_synthetic_prices(
    store: Engine,
) -> None:
    row = story(store, 1)
    moves = market.day0_moves(store, [row])[1]
    assert moves.synthetic and set(moves.values) == {"NVDA", "TSLA", "INTC"}
    shown = {k: round(v * 100, 2) for k, v in moves.values.items()}
    assert shown == day0_column(store, row)
    reaction = market.article_reaction(store, row)
    assert reaction is not None and reaction.synthetic
    assert set(reaction.table["prices"]) == {"synthetic"}


def test_a_live_story_without_prices_has_no_moves_and_no_chart(store: Engine) -> None:
    row = story(store, add_story(store, "Chipmaker raises guidance"))
    assert market.day0_moves(store, [row]) == {}
    assert market.article_reaction(store, row) is None


def test_once_real_prices_are_stored_samples_get_no_synthetic_ones(store: Engine) -> None:
    bars = pd.DataFrame({"symbol": "ZZZ", "ts": [pd.Timestamp("2025-01-02", tz="UTC")],
                         "open": 1.0, "high": 1.0, "low": 1.0, "close": 1.0, "adj_close": 1.0,
                         "volume": 1.0, "interval": "1d", "provider": "yahoo"})  # fmt: skip
    with Session(store) as s:
        store_bars(s, bars)
        s.commit()
    row = story(store, 1)
    assert market.day0_moves(store, [row]) == {}
    assert market.article_reaction(store, row) is None


def test_moves_by_topic_counts_each_story_under_each_of_its_topics(store: Engine) -> None:
    row = story(store, 1)
    with Session(store) as s:
        save_reactions(s, stored(1, {"NVDA": -0.04, "TSLA": 0.0, "INTC": 0.0}))
        s.commit()
    table = analysis.moves_by_topic(store, "NVDA", [row])
    assert len(table) == len(row.topics)
    assert set(table["stories"]) == {1} and set(table["mean day 0 abn %"]) == {-4.0}


def test_cached_story_results_are_keyed_by_the_stories_ids(store: Engine, monkeypatch) -> None:
    """The pages' cached reaction look-ups hash the stories' ids, not the rows (hashing
    200 rows cost 40 ms a call): equal ids hit the cache, other ids compute again."""
    from dataclasses import replace

    from terminal.ui import cache

    calls: list[list[int]] = []
    real = market.day0_moves

    def counted(engine, rows):
        calls.append([r.id for r in rows])
        return real(engine, rows)

    monkeypatch.setattr(market, "day0_moves", counted)
    cache.clear()
    db = cache.url()
    rows = [story(store, i) for i in (1, 2, 3)]
    first = cache.moves(db, rows)
    # New objects for the same stories (a row's text is not part of the key).
    again = cache.moves(db, [replace(r, summary=r.summary + " (edited)") for r in rows])
    assert calls == [[1, 2, 3]] and again == first
    cache.moves(db, rows[:2])
    assert calls == [[1, 2, 3], [1, 2]]
