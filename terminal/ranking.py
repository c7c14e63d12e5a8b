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
(it stops at RANK_WINDOW + 1); PostgreSQL plans those from its own statistics. At 1,000,000 stories a rare ticker by impact took 1.3 s (the impact
index walked to its end, probing each story's tickers), a common search term 0.8 s
(every match listed first); both now take a few milliseconds.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import desc, func, select
from sqlalchemy.orm import Session

from db.models import Article
from terminal import rollups
from terminal.counts import rollup_keys
from terminal.query import ArticleFilter, Sort, conditions, keys_stmt, ranking_term

RANK_WINDOW = 10_000  # at most this many matches: read them all, then rank


def ranked_keys(
    session: Session, flt: ArticleFilter, sort: Sort, *, limit: int, offset: int
) -> list[Any]:
    """(id, pub_key) of the stories at `offset` .. `offset + limit` of the ranking."""
    size = _known_size(session, flt)
    if size is None and session.get_bind().dialect.name == "sqlite":
        walk = keys_stmt(session, flt, limit=RANK_WINDOW + 1, before=None).subquery()
        size = int(session.scalar(select(func.count()).select_from(walk)) or 0)
    # (PostgreSQL plans a search term's ranking from its own statistics: the GIN index
    # and a sort for a rare term, the ranking's index for a common one.)
    if size is not None and size <= RANK_WINDOW:
        return _rank_few(session, flt, sort, limit=limit, offset=offset)
    stmt = (
        select(Article.id, Article.pub_key)
        .where(*conditions(session, flt, probe_text=True))
        .order_by(ranking_term(sort), desc(Article.pub_key))
        .offset(offset)
        .limit(limit)
    )
    return list(session.connection().execute(stmt).all())


def _known_size(session: Session, flt: ArticleFilter) -> int | None:
    """Stories matching `flt`, exact from the roll-ups, when they can tell."""
    keys = rollup_keys(flt)
    if keys is None or len(keys) > 2:
        return None
    return rollups.count(session, keys, leads_only=flt.leads_only, sample=flt.sample)


def _rank_few(
    session: Session, flt: ArticleFilter, sort: Sort, *, limit: int, offset: int
) -> list[Any]:
    """Every match (at most RANK_WINDOW) through the filter's own walk, then ranked."""
    few = keys_stmt(session, flt, limit=RANK_WINDOW + 1, before=None).subquery()
    stmt = (
        select(Article.id, Article.pub_key)
        .join(few, few.c[0] == Article.id)
        .order_by(ranking_term(sort), desc(Article.pub_key))
        .offset(offset)
        .limit(limit)
    )
    return list(session.connection().execute(stmt).all())
