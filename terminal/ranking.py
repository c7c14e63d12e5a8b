"""Ranked pages (sort by impact, or by realised move): a filter's best stories first.

Two ways to the top of a ranking, chosen per filter:
- few matches (at most RANK_WINDOW): read them all through the filter's own newest-first
  walk (a ticker's or topic's index, the full-text index, a publisher's index) and rank
  just those;
- many: walk the ranking's own order (for impact, its index) and test each story against
  the filter until the page is full. A search term is then tested story by story (a
  full-text probe), not by listing every match first.

The roll-ups tell which when the filter is no more than single values of tickers, topics
or sources (plus the switches); otherwise, on SQLite, a count of the bounded walk does
(it stops at RANK_WINDOW + 1); PostgreSQL plans those from its own statistics. At
1,000,000 stories a rare ticker by impact took 1.3 s (the impact index walked to its
end, probing each story's tickers), a common search term 0.8 s (every match listed
first); both now take a few milliseconds.
"""

from __future__ import annotations

import threading
import time
import weakref
from collections.abc import Callable
from typing import Any

from sqlalchemy import desc, func, select
from sqlalchemy.orm import Session

from db.models import Article, StoryMove
from terminal import driver, rollup_reads, search
from terminal.config import benchmark_symbol
from terminal.counts import rollup_keys
from terminal.query import (
    ArticleFilter,
    Sort,
    conditions,
    driving_link,
    fts_match,
    keys_stmt,
    ranking_term,
)

RANK_WINDOW = 10_000  # at most this many matches: read them all, then rank
# The count that picks the way (`_size`: the roll-ups', or SQLite's bounded count) is
# remembered per store and filter for this long: on PostgreSQL it was a round trip of its
# own before every ranked page (a rare ticker's page took three, where its hand-written
# statement takes one). A remembered count can
# make a page slower, never wrong: the way for few matches counts what it read and gives
# way to the index walk when there were more (`_rank_few`).
SIZE_SECONDS = 30.0
_SIZES_MAX = 4_096  # filters remembered per store
# store (the session's engine or connection) -> filter -> (when counted, count)
_sizes: weakref.WeakKeyDictionary[Any, dict[ArticleFilter, tuple[float, int]]] = (
    weakref.WeakKeyDictionary()
)
_sizes_lock = threading.Lock()


def ranked_keys(
    session: Session, flt: ArticleFilter, sort: Sort, *, limit: int, offset: int
) -> list[Any]:
    """(id, pub_key) of the stories at `offset` .. `offset + limit` of the ranking."""
    size, remembered = _remembered_size(session, flt)
    if size is not None and size <= RANK_WINDOW:
        few = _rank_few(session, flt, sort, limit=limit, offset=offset)
        if few is not None and (few or not remembered):
            return few
        # More matches than the remembered count said, or an empty page that may be one:
        # count again.
        size = _size(session, flt)
        if size is not None and size <= RANK_WINDOW:
            few = _rank_few(session, flt, sort, limit=limit, offset=offset)
            if few is not None:
                return few
    if sort == "move":
        return _moved_first(session, flt, limit=limit, offset=offset)

    def matching() -> Any:
        return select(Article.id, Article.pub_key).where(
            *conditions(session, flt, ranking_walk=True)
        )

    return _page(session, flt, "walk", matching, sort, limit=limit, offset=offset)


def _page(
    session: Session,
    flt: ArticleFilter,
    way: str,
    stories: Callable[[], Any],
    sort: Sort,
    *,
    limit: int,
    offset: int,
) -> list[Any]:
    """(id, pub_key) of `stories()` (a select of them), ranked, one page."""

    def ranked() -> Any:
        order = (ranking_term(sort), desc(Article.pub_key))
        return stories().order_by(*order).offset(offset).limit(limit)

    return _rows(session, flt, (way, sort, limit, offset), ranked)


def _rows(
    session: Session, flt: ArticleFilter, question: tuple[Any, ...], stmt: Callable[[], Any]
) -> list[Any]:
    """`stmt()`'s rows, compiled once per question and run on the driver (as the newest
    pages are: `query.newest_keys`). The question holds all the statement depends on:
    the filter, the way and page, the walk's link and the benchmark a move is against."""
    link = driving_link(flt, session)
    key = ("ranked", flt, link.name if link else None, benchmark_symbol(), *question)
    prepared = driver.prepare(key, lambda _dialect: stmt(), session.get_bind().dialect)
    return driver.fetch(session, prepared, {})


def _remembered_size(session: Session, flt: ArticleFilter) -> tuple[int | None, bool]:
    """(_size, whether it was remembered): counted at most every SIZE_SECONDS per store
    and filter."""
    with _sizes_lock:
        seen = _sizes.get(session.get_bind(), {}).get(flt)
    if seen is not None and time.monotonic() - seen[0] < SIZE_SECONDS:
        return seen[1], True
    return _size(session, flt), False


def _size(session: Session, flt: ArticleFilter) -> int | None:
    """What picks the way to the ranking's top, remembered for `_remembered_size`: the
    stories matching `flt`, exact from the roll-ups when they can tell; else on SQLite
    counted along its walk up to RANK_WINDOW + 1 (`_bounded_size`); else None
    (PostgreSQL plans a search term's ranking from its own statistics: the GIN index and
    a sort for a rare term, the ranking's index for a common one)."""
    keys = rollup_keys(flt)
    if keys is not None and len(keys) <= 2:
        size = rollup_reads.count(session, keys, leads_only=flt.leads_only, sample=flt.sample)
    elif session.get_bind().dialect.name == "sqlite":
        size = _bounded_size(session, flt)
    else:
        return None
    with _sizes_lock:
        known = _sizes.setdefault(session.get_bind(), {})
        if len(known) >= _SIZES_MAX:
            known.clear()
        known[flt] = (time.monotonic(), size)
    return size


def _bounded_size(session: Session, flt: ArticleFilter) -> int:
    """Matches of `flt` counted up to RANK_WINDOW + 1 along its own walk; for a search term
    its full-text matches alone (an upper bound, no story rows read: 3 ms instead of 5
    for a common term)."""

    def counted() -> Any:
        match = fts_match(session, flt)
        if match is not None and driving_link(flt, session) is None:
            rowid = search.FTS.c.rowid
            walk = select(rowid).where(match).limit(RANK_WINDOW + 1).subquery()
        else:
            walk = keys_stmt(session, flt, limit=RANK_WINDOW + 1, before=None).subquery()
        return select(func.count()).select_from(walk)

    [(size,)] = _rows(session, flt, ("size",), counted)
    return int(size or 0)


def _rank_few(
    session: Session, flt: ArticleFilter, sort: Sort, *, limit: int, offset: int
) -> list[Any] | None:
    """Every match (at most RANK_WINDOW) through the filter's own walk, then ranked; None
    when the walk found more than RANK_WINDOW (the count that chose this way was old)."""

    def stories() -> Any:
        few = keys_stmt(session, flt, limit=RANK_WINDOW + 1, before=None).subquery()
        found = func.count().over().label("found")  # how many the walk read, on every row
        return select(Article.id, Article.pub_key, found).join(few, few.c[0] == Article.id)

    rows = _page(session, flt, "few", stories, sort, limit=limit, offset=offset)
    if rows and rows[0][2] > RANK_WINDOW:
        return None
    return [row[:2] for row in rows]


def _moved_first(session: Session, flt: ArticleFilter, *, limit: int, offset: int) -> list[Any]:
    """Many matches by realised move: the stories with a measured move, walking the stored
    moves' (benchmark, move, pub_key) index, then every other match newest first.
    Ranking the reaction table for each page took 0.65 s at 1M stories with 200,000
    reactions; ranking every story by a look-up of its reactions 0.47 s (1.2 s on
    PostgreSQL)."""
    m = StoryMove
    conds = conditions(session, flt, ranking_walk=True)
    moved = (
        select(Article.id, Article.pub_key)
        .select_from(m)
        .join(Article, Article.id == m.article_id)
        .where(m.benchmark == benchmark_symbol(), *conds)
    )
    ranked = moved.order_by(desc(m.move), desc(m.pub_key))
    first = list(session.connection().execute(ranked.offset(offset).limit(limit)).all())
    if len(first) == limit:
        return first
    counted = select(func.count()).select_from(moved.subquery())
    skip = max(0, offset - int(session.scalar(counted) or 0))
    has_move = select(m.article_id).where(m.benchmark == benchmark_symbol())
    rest = (
        select(Article.id, Article.pub_key)
        .where(*conds, ~Article.id.in_(has_move))
        .order_by(desc(Article.pub_key))
        .offset(skip)
        .limit(limit - len(first))
    )
    return first + list(session.connection().execute(rest).all())
