"""The feed's "realised move" sort: the largest stored day-0 abnormal move first, none last."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from terminal.query import ArticleFilter, list_articles
from terminal.reactions.store import STORED_COLUMNS, save_reactions
from terminal.store import save_articles
from tests.helpers import story


def reaction(article_id: int, symbol: str, ar_0d: float, benchmark: str = "SPY") -> dict:
    row: dict[str, object] = dict.fromkeys(STORED_COLUMNS, np.nan)
    row |= {"article_id": article_id, "symbol": symbol, "benchmark": benchmark, "ar_0d": ar_0d,
            "event_time": datetime(2025, 6, 2, 15, tzinfo=UTC), "session": None,
            "model": "market-model", "provider": "csv"}  # fmt: skip
    return row


@pytest.fixture(autouse=True, params=[0, 10_000], ids=["many-matches", "few-matches"])
def _ranking_window(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every test both ways: stories with a move first, then the rest (many matches), or
    every match read and ranked (few)."""
    from terminal import ranking

    monkeypatch.setattr(ranking, "RANK_WINDOW", request.param)


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    """Stories 1-4 (4 newest); 1 moved 8% (NVDA, down), 2 moved 5%, 3 has no reaction, 4 only
    against QQQ."""
    with Session(engine, expire_on_commit=False) as s:
        save_articles(s, [story(n, tickers=["NVDA", "AMD"]) for n in range(1, 5)])
        ids = dict(enumerate(sorted(a.id for a in list_articles(s, ArticleFilter()).items), 1))
        rows = [reaction(ids[1], "NVDA", -0.08), reaction(ids[1], "AMD", 0.01),
                reaction(ids[2], "NVDA", 0.05), reaction(ids[4], "NVDA", 0.5, "QQQ")]  # fmt: skip
        save_reactions(s, pd.DataFrame(rows))
        s.commit()
        yield s


def titles(session: Session, **kw: object) -> list[int]:
    """The story numbers (from their titles) of a page."""
    page = list_articles(session, ArticleFilter(), **kw)  # type: ignore[arg-type]
    return [int(r.title.split()[2]) for r in page.items]


def test_largest_absolute_move_first_and_stories_without_one_last_newest_first(
    session: Session,
) -> None:
    assert titles(session, sort="move") == [1, 2, 4, 3]


def test_move_sort_pages_by_offset(session: Session) -> None:
    pages = [titles(session, sort="move", limit=1, offset=i) for i in range(5)]
    assert pages == [[1], [2], [4], [3], []]


def test_the_configured_benchmark_decides_which_reactions_count(
    session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TERMINAL_BENCHMARK", "QQQ")
    assert titles(session, sort="move") == [4, 3, 2, 1]


def test_move_sort_keeps_the_filters(session: Session) -> None:
    page = list_articles(session, ArticleFilter(text="number 2"), sort="move")
    assert [r.title for r in page.items] == ["Story number 2 about markets"]


def _moves(session: Session) -> dict[tuple[int, str], float]:
    from sqlalchemy import select

    from db.models import StoryMove

    found = session.execute(select(StoryMove.article_id, StoryMove.benchmark, StoryMove.move))
    return {(a, b): round(m, 6) for a, b, m in found}


def test_the_stored_moves_follow_the_reactions_written_again(session: Session) -> None:
    """A reaction computed again with another move re-ranks its story (the sort walks the
    stored moves, kept by save_reactions)."""
    ids = dict(enumerate(sorted(a.id for a in list_articles(session, ArticleFilter()).items), 1))
    assert _moves(session) == {
        (ids[1], "SPY"): 0.08, (ids[2], "SPY"): 0.05, (ids[4], "QQQ"): 0.5,
    }  # fmt: skip
    save_reactions(session, pd.DataFrame([reaction(ids[2], "NVDA", 0.2)]))
    session.commit()
    assert _moves(session)[(ids[2], "SPY")] == 0.2
    assert titles(session, sort="move") == [2, 1, 4, 3]


def test_moves_leave_with_their_stories_and_with_synthetic_reactions(session: Session) -> None:
    from sqlalchemy import delete, update

    from db.models import Article, Reaction
    from terminal.prices.cache import purge_synthetic

    ids = dict(enumerate(sorted(a.id for a in list_articles(session, ArticleFilter()).items), 1))
    session.execute(
        update(Reaction)
        .where(Reaction.article_id == ids[1], Reaction.symbol == "NVDA")
        .values(provider="synthetic")
    )
    purge_synthetic(session)  # story 1 keeps its AMD reaction: a 1% move
    session.execute(delete(Article).where(Article.id == ids[2]))
    session.commit()
    assert _moves(session) == {(ids[1], "SPY"): 0.01, (ids[4], "QQQ"): 0.5}
    assert titles(session, sort="move") == [1, 4, 3]
