"""The pages' cached data access: the engine in st.cache_resource, queries in st.cache_data.

Every cached function takes the database URL, so two stores never share an entry;
`clear()` drops the query caches after anything is written (an ingest, an import).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, cast

import pandas as pd
import streamlit as st
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from db.engine import read_session, write_session
from terminal import counts
from terminal.config import database_url
from terminal.counts import Count, Facets, count_stories, facet_summary
from terminal.database import get_engine, migrate
from terminal.query import ArticleFilter, Sort, list_articles
from terminal.story_rows import ArticleRow
from terminal.ui import analysis, data, market
from terminal.ui.params import SORTS

PAGE_SIZE = 25
COUNT_CAP = counts.COUNT_CAP  # the feed's count stops here and says "10,000+"
WINDOW = counts.WINDOW  # counts beyond the roll-ups look at the newest this many stories
SHORT_TTL = 30
LONG_TTL = 300
PROBE_TTL = 600  # how long "Yahoo cannot be reached" is believed


@st.cache_resource(show_spinner=False)
def _engine_for(url: str) -> Engine:
    engine = get_engine(url)
    migrate(engine)
    return engine


def engine() -> Engine:
    """The store's engine (migrated to head once per process)."""
    return _engine_for(database_url())


def session() -> Session:
    """A short session for reading; use it in a `with` block."""
    return read_session(engine())


@contextmanager
def writing() -> Iterator[Session]:
    """A short write transaction (on SQLite it takes the write lock up front, so a busy
    store makes the click wait, never fail on a stale snapshot); committed on exit."""
    with write_session(engine()) as s, s.begin():
        yield s


def url() -> str:
    return database_url()


@st.cache_data(ttl=SHORT_TTL, show_spinner=False, max_entries=500)
def feed_page(db: str, flt: ArticleFilter, sort: str, page: int) -> list[ArticleRow]:
    """One page of the feed (PAGE_SIZE stories)."""
    with read_session(_engine_for(db)) as s:
        result = list_articles(
            s, flt, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE,
            sort=cast(Sort, sort if sort in SORTS else "newest"),
        )  # fmt: skip
    return result.items


@st.cache_data(ttl=SHORT_TTL, show_spinner=False, max_entries=500)
def feed_count(db: str, flt: ArticleFilter) -> Count:
    """How many stories the view holds; past COUNT_CAP (or the window) "at least n"."""
    with read_session(_engine_for(db)) as s:
        # A window a fifth wider than the cap, so a common filter reads "10,000+", not the
        # "9,987+" that the clusters folded away inside a window of exactly the cap would give.
        return count_stories(s, flt, cap=COUNT_CAP, window=max(WINDOW, COUNT_CAP + COUNT_CAP // 5))


@st.cache_data(ttl=SHORT_TTL, show_spinner=False, max_entries=500)
def facets(db: str, flt: ArticleFilter) -> Facets:
    """Facet counts for the sidebar; `window` set when counted among the newest WINDOW stories."""
    with read_session(_engine_for(db)) as s:
        return facet_summary(s, flt, window=WINDOW)


@st.cache_data(ttl=SHORT_TTL, show_spinner=False)
def store_summary(db: str) -> data.StoreSummary:
    with read_session(_engine_for(db)) as s:
        return data.store_summary(s)


@st.cache_data(ttl=LONG_TTL, show_spinner=False, max_entries=200)
def article(db: str, article_id: int) -> data.ArticleDetail | None:
    with read_session(_engine_for(db)) as s:
        return data.article_detail(s, article_id)


@st.cache_data(ttl=SHORT_TTL, show_spinner=False, max_entries=200)
def related(db: str, article_id: int) -> list[ArticleRow]:
    with read_session(_engine_for(db)) as s:
        detail = data.article_detail(s, article_id)
        return data.related_stories(s, detail) if detail else []


# Cached functions that take stories are keyed by the stories' ids (a story's tickers,
# topics and time never change; `clear` runs after every import): hashing the rows
# themselves cost Streamlit ~0.2 ms a row, 40 ms for the ticker page's 200 stories on
# each of three calls, more than the queries behind them.


def _ids(rows: list[ArticleRow]) -> tuple[int, ...]:
    return tuple(row.id for row in rows)


def moves(db: str, rows: list[ArticleRow]) -> dict[int, market.Moves]:
    """Day-0 abnormal moves of the stories' tickers (empty while no prices are known)."""
    return _moves(db, _ids(rows), rows)


@st.cache_data(ttl=LONG_TTL, show_spinner=False, max_entries=500)
def _moves(db: str, ids: tuple[int, ...], _rows: list[ArticleRow]) -> dict[int, market.Moves]:
    return market.day0_moves(_engine_for(db), _rows)


def reaction(db: str, row: ArticleRow) -> market.Reaction | None:
    return _reaction(db, row.id, row)


@st.cache_data(ttl=LONG_TTL, show_spinner=False, max_entries=100)
def _reaction(db: str, article_id: int, _row: ArticleRow) -> market.Reaction | None:
    return market.article_reaction(_engine_for(db), _row)


@st.cache_data(ttl=SHORT_TTL, show_spinner=False)
def ticker_news(db: str, symbol: str, limit: int = 200) -> list[ArticleRow]:
    with read_session(_engine_for(db)) as s:
        return list_articles(s, ArticleFilter(tickers=(symbol,)), limit=limit).items


@st.cache_data(ttl=SHORT_TTL, show_spinner=False)
def sources_table(db: str) -> pd.DataFrame:
    with read_session(_engine_for(db)) as s:
        return pd.DataFrame(data.sources_table(s))


@st.cache_data(ttl=SHORT_TTL, show_spinner=False)
def runs_table(db: str) -> pd.DataFrame:
    with read_session(_engine_for(db)) as s:
        return pd.DataFrame(data.runs_table(s))


def export(flt: ArticleFilter, fmt: str) -> Any:
    """A callable for st.download_button: the view's stories, built only when clicked."""
    db = url()

    def build() -> str:
        with read_session(_engine_for(db)) as s:
            return data.export_view(s, flt, fmt)

    return build


def clear() -> None:
    """Forget every cached query (after an ingest, an import or a price refresh)."""
    st.cache_data.clear()


def ticker_chart(
    db: str, symbol: str, news: list[ArticleRow], kind: str, days: int | None
) -> market.TickerChart | None:
    return _ticker_chart(db, symbol, _ids(news), news, kind, days)


@st.cache_data(ttl=LONG_TTL, show_spinner=False, max_entries=50)
def _ticker_chart(
    db: str,
    symbol: str,
    ids: tuple[int, ...],
    _news: list[ArticleRow],
    kind: str,
    days: int | None,
) -> market.TickerChart | None:
    return market.ticker_chart(_engine_for(db), symbol, _news, kind=kind, days=days)


@st.cache_data(ttl=LONG_TTL, show_spinner=False, max_entries=50)
def study(db: str, flt: ArticleFilter, limit: int = 2000) -> dict[str, Any] | None:
    """The event study of up to `limit` stories of a filter."""
    with read_session(_engine_for(db)) as s:
        rows = list_articles(s, flt, limit=limit).items
    return analysis.study(_engine_for(db), rows)


def moves_by_topic(db: str, symbol: str, news: list[ArticleRow]) -> pd.DataFrame:
    return _moves_by_topic(db, symbol, _ids(news), news)


@st.cache_data(ttl=LONG_TTL, show_spinner=False, max_entries=50)
def _moves_by_topic(
    db: str, symbol: str, ids: tuple[int, ...], _news: list[ArticleRow]
) -> pd.DataFrame:
    return analysis.moves_by_topic(_engine_for(db), symbol, _news)


@st.cache_data(ttl=SHORT_TTL, show_spinner=False)
def has_real_prices(db: str) -> bool:
    """Whether any real (non-synthetic) price bar is stored."""
    from terminal.prices.cache import has_real_prices as stored

    with read_session(_engine_for(db)) as s:
        return stored(s)


@st.cache_resource(ttl=PROBE_TTL, show_spinner=False)
def yahoo_reachable() -> bool:
    """One quick probe of Yahoo per process and PROBE_TTL (at most ~2.5 s, usually instant)."""
    from terminal.prices import refresh

    return refresh.yahoo_probe()


def prices_offline(db: str) -> bool:
    """True when no real prices are stored and Yahoo cannot be reached (probed lazily)."""
    return not has_real_prices(db) and not yahoo_reachable()
