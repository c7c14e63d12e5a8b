"""A page's stories as the feed, the story page and the CLI show them: each row with its
tickers and topics, read by id in one statement (`load_rows`); the listing itself, which
ids in which order, is `terminal/query.py`'s.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache
from typing import Any

from sqlalchemy import Select, func, literal, literal_column, select, union_all
from sqlalchemy.orm import Session

from db.models import Article, ArticleTicker, ArticleTopic
from terminal import bound, driver


@dataclass(slots=True)
class ArticleRow:
    """A story as the feed and the CLI show it."""

    id: int
    title: str
    summary: str
    publisher: str
    url: str | None
    published_at: datetime
    published_estimated: bool
    impact: float | None
    impact_model: float | None
    sentiment: float | None
    is_sample: bool
    cluster_size: int
    pub_key: int
    tickers: list[str] = field(default_factory=list)
    topics: list[str] = field(default_factory=list)


def load_rows(session: Session, ids: Sequence[int]) -> list[ArticleRow]:
    """Stories by id, in the order given, with their tickers and topics."""
    if not ids:
        return []
    # On the driver's cursor: SQLAlchemy's result rows cost more than the query (driver.py).
    prepared = driver.prepare("rows", _rows_stmt, session.get_bind().dialect)
    found = {}
    for *columns, tickers, topics in driver.fetch(session, prepared, _ids_param(session, ids)):
        row = ArticleRow(*columns)  # field order
        row.tickers, row.topics = _split(tickers), _split(topics)
        found[row.id] = row
    return [found[i] for i in ids if i in found]


def _split(listed: str | None) -> list[str]:
    """A story's symbols or topic slugs, as the row statement joins them (neither holds ",")."""
    return listed.split(",") if listed else []


def links_for(
    session: Session, ids: Sequence[int]
) -> tuple[dict[int, list[str]], dict[int, list[str]]]:
    """Tickers and topics of each story id (one round trip)."""
    tickers: dict[int, list[str]] = {i: [] for i in ids}
    topics: dict[int, list[str]] = {i: [] for i in ids}
    if ids:
        stmt = _links_stmt(bound.dialect_of(session))
        found = session.connection().execute(stmt, _ids_param(session, ids)).all()
        for aid, kind, value, _ in found:
            (topics if kind else tickers)[aid].append(value)
    return tickers, topics


_ROW_COLUMNS = (  # ArticleRow's field order
    Article.id, Article.title, Article.summary, Article.publisher, Article.url,
    Article.published_at, Article.published_estimated, Article.impact, Article.impact_model,
    Article.sentiment, Article.is_sample, Article.cluster_size, Article.pub_key,
)  # fmt: skip


def _ids_param(session: Session, ids: Sequence[int]) -> dict[str, Any]:
    """The :ids value the row and link statements expect on this session's database."""
    return {"ids": bound.values(session, ids)}


@cache
def _rows_stmt(dialect: str) -> Any:
    """The feed's columns for a list of ids, each story's tickers and topics joined in
    their stored order in the same statement (built once per database kind)."""
    joined = [
        _joined(table.article_id, key, table.position, dialect)
        for table, key in (
            (ArticleTicker, ArticleTicker.symbol),
            (ArticleTopic, ArticleTopic.topic),
        )
    ]
    return select(*_ROW_COLUMNS, *joined).where(bound.in_list(Article.id, "ids", dialect))


def _joined(owner: Any, value: Any, position: Any, dialect: str) -> Any:
    """One story's link values as "a,b,c" in position order (a correlated subquery)."""
    if dialect == "postgresql":
        agg = func.string_agg(value, literal_column("','").op("ORDER BY")(position))
        return select(agg).where(owner == Article.id).scalar_subquery()
    ordered = (
        select(value.label("v"))
        .where(owner == Article.id)
        .order_by(position)
        .correlate(Article)
        .subquery()
    )
    return select(func.group_concat(ordered.c.v, ",")).correlate(Article).scalar_subquery()


@cache
def _links_stmt(dialect: str) -> Select[Any]:
    """Both link tables for a list of ids, ordered for display (built once, cached compiled)."""
    t, p = ArticleTicker, ArticleTopic
    both = union_all(
        select(t.article_id, literal(0).label("kind"), t.symbol, t.position).where(
            bound.in_list(t.article_id, "ids", dialect)
        ),
        select(p.article_id, literal(1).label("kind"), p.topic, p.position).where(
            bound.in_list(p.article_id, "ids", dialect)
        ),
    ).subquery()
    return select(both).order_by(both.c.article_id, both.c.kind, both.c.position)
