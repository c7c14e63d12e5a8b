"""Listing the store: one filter object, newest-first pages with a keyset cursor.

Every query is bounded: a ticker or topic filter walks that link table's
(key, pub_key) index once per value and stops after a page; a text search walks the
full-text index in time order; values are always bound, never spliced into SQL.
The statement builders at the bottom are shared with counting (`terminal/counts.py`).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any, Literal, NamedTuple

from sqlalchemy import (
    ColumnElement,
    Select,
    bindparam,
    desc,
    func,
    literal,
    literal_column,
    nulls_last,
    select,
    union_all,
)
from sqlalchemy.orm import Session

from db.models import Article, ArticleTicker, ArticleTopic, FacetRollup, Reaction
from terminal import driver, search
from terminal.config import benchmark_symbol
from terminal.story_rows import ArticleRow, load_rows
from terminal.timekeys import to_pub_key

Sort = Literal["newest", "impact", "move"]
SENTIMENT_BANDS = {"negative": (-1.0, -0.15), "neutral": (-0.15, 0.15), "positive": (0.15, 1.0)}


@dataclass(frozen=True, slots=True)
class ArticleFilter:
    """What the analyst asked to see. Empty fields do not filter."""

    tickers: tuple[str, ...] = ()
    topics: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    text: str = ""
    since: datetime | None = None
    until: datetime | None = None
    min_impact: float | None = None
    max_impact: float | None = None
    sentiment: str | None = None
    sample: bool | None = None
    leads_only: bool = False

    def without(self, name: str) -> ArticleFilter:
        empty = ArticleFilter()
        return replace(self, **{name: getattr(empty, name)})


@dataclass(slots=True)
class Page:
    items: list[ArticleRow]
    next_cursor: int | None


def list_articles(
    session: Session,
    flt: ArticleFilter,
    *,
    limit: int = 25,
    cursor: int | None = None,
    offset: int = 0,
    sort: Sort = "newest",
) -> Page:
    """One page of stories. Newest first pages by `cursor` (keyset) or `offset`."""
    limit = max(1, min(int(limit), 1000))
    if sort in ("impact", "move"):
        from terminal.ranking import ranked_keys  # (it builds on this module)

        keys: Sequence[Any] = ranked_keys(session, flt, sort, limit=limit + 1, offset=offset)
    else:
        keys = newest_keys(session, flt, limit=offset + limit + 1, before=cursor)[offset:]
    more = len(keys) > limit
    keys = keys[:limit]
    rows = load_rows(session, [k[0] for k in keys])
    next_cursor = keys[-1][1] if more and sort == "newest" else None
    return Page(items=rows, next_cursor=next_cursor)


def newest_keys(
    session: Session, flt: ArticleFilter, *, limit: int, before: int | None
) -> list[tuple[Any, ...]]:
    """`keys_stmt`'s rows, its statement compiled once per question and run on the driver
    (building and compiling it took twice as long as SQLite's walk for a page)."""
    link = driving_link(flt, session)  # the one choice the store's data makes
    question = ("newest keys", flt, limit, before, link.name if link else None)
    prepared = driver.prepare(
        question,
        lambda _dialect: keys_stmt(session, flt, limit=limit, before=before),
        session.get_bind().dialect,
    )
    return driver.fetch(session, prepared, {})


def iter_articles(
    session: Session, flt: ArticleFilter, *, batch: int = 500, limit: int | None = None
) -> Iterator[Article]:
    """Every matching story as a full model, newest first, read in keyset batches."""
    cursor: int | None = None
    seen = 0
    while True:
        want = batch if limit is None else min(batch, limit - seen)
        if want <= 0:
            return
        keys = session.execute(keys_stmt(session, flt, limit=want, before=cursor)).all()
        if not keys:
            return
        by_id = {
            a.id: a
            for a in session.scalars(select(Article).where(Article.id.in_([k[0] for k in keys])))
        }
        for article_id, _ in keys:
            if article_id in by_id:
                yield by_id[article_id]
        seen += len(keys)
        cursor = keys[-1][1]
        if len(keys) < want:
            return


class Link(NamedTuple):
    """A link table a filter can be walked by: `name` is the filter field it answers."""

    name: str
    table: Any  # ArticleTicker or ArticleTopic
    key: Any  # its symbol or topic column


LINKS = (
    Link("tickers", ArticleTicker, ArticleTicker.symbol),
    Link("topics", ArticleTopic, ArticleTopic.topic),
)


def driving_link(flt: ArticleFilter, session: Session | None = None) -> Link | None:
    """The link table whose (key, pub_key) index a filter is walked by: tickers, else topics.

    With both filters and a session, the side holding fewer stories (by the facet
    roll-ups) drives: "NVDA and earnings" walks earnings' 73,000 stories at 1M, not
    NVDA's 218,000, and checks the other side per story.
    """
    present = [link for link in LINKS if getattr(flt, link.name)]
    if len(present) < 2 or session is None:
        return present[0] if present else None
    # One look-up per session and pair of value sets: a page's count, facets and rows ask
    # the same question up to four times.
    asked: dict[tuple[tuple[str, ...], ...], dict[str, int]]
    asked = session.info.setdefault("link_sizes", {})
    sizes = asked.get((flt.tickers, flt.topics))
    if sizes is None:
        sizes = dict.fromkeys(("t", "p"), 0)
        for dim, n in session.execute(
            _LINK_SIZES, {"tickers": list(flt.tickers), "topics": list(flt.topics)}
        ).all():
            sizes[dim] = int(n or 0)
        asked[(flt.tickers, flt.topics)] = sizes
    return present[1] if sizes["p"] < sizes["t"] else present[0]


def fts_match(session: Session, flt: ArticleFilter) -> ColumnElement[bool] | None:
    """The FTS5 MATCH a text search walks `articles_fts` by (SQLite only; None otherwise)."""
    terms = search.parse_query(flt.text)
    if not terms or session.get_bind().dialect.name != "sqlite":
        return None
    return literal_column("articles_fts").op("MATCH")(search.fts5_query(terms))


def keys_stmt(
    session: Session, flt: ArticleFilter, *, limit: int, before: int | None
) -> Select[int, int]:
    """(article id, pub_key) of the next `limit` matches, newest first, by the cheapest path."""
    a = Article
    link = driving_link(flt, session)
    if link is not None:
        return _link_keys(session, flt, link, limit=limit, before=before)
    match = fts_match(session, flt)
    if match is not None:
        fts = search.FTS
        stmt = (
            select(a.id, a.pub_key)
            .select_from(fts)
            .join(a, a.pub_key == fts.c.rowid)
            .where(match, *conditions(session, flt, skip="text"))
            .where(*range_conditions(fts.c.rowid, flt))  # bounds the index walk itself
            .order_by(desc(fts.c.rowid))
            .limit(limit)
        )
        return stmt.where(fts.c.rowid < before) if before is not None else stmt
    stmt = select(a.id, a.pub_key).where(*conditions(session, flt))
    if before is not None:
        stmt = stmt.where(a.pub_key < before)
    return stmt.order_by(desc(a.pub_key)).limit(limit)


def _link_keys(
    session: Session, flt: ArticleFilter, link: Link, *, limit: int, before: int | None
) -> Select[int, int]:
    """`keys_stmt` by a link table: the newest `limit` of each value, merged."""
    # Only link filters and dates besides the driving one: the walk never reads the (wide)
    # story rows (three times faster for a topic and a ticker).
    alone = _links_only(flt)
    # The other links are tested against the walk's own story id, so a database can test
    # them on the index entry, before it reads the story's row for the row's own filters
    # (PostgreSQL read every candidate's row first: a ticker, topic and minimum impact
    # page, 3.9 -> 2.7 ms at 1M).
    conds = conditions(session, flt, skip=link.name, owner=link.table.article_id)
    bounds = range_conditions(link.table.pub_key, flt)
    walks = [
        _walk(link, value, [*conds, *bounds], before, limit, join=not alone)
        for value in getattr(flt, link.name)
    ]
    if len(walks) == 1:
        # One value: the (key, pub_key) index yields the rows in order, so the walk is the
        # whole statement (wrapped in a subquery, SQLite sorted its rows again).
        return walks[0]
    parts = [select(w.c.id, w.c.pub_key) for w in (walk.subquery() for walk in walks)]
    merged = union_all(*parts).subquery()
    return (
        select(merged.c.id, merged.c.pub_key)
        .group_by(merged.c.id, merged.c.pub_key)
        .order_by(desc(merged.c.pub_key))
        .limit(limit)
    )


def _links_only(flt: ArticleFilter) -> bool:
    """Whether `flt` asks nothing of the story row itself (only tickers, topics, dates)."""
    return not (
        flt.sources
        or flt.min_impact is not None
        or flt.max_impact is not None
        or flt.sentiment in SENTIMENT_BANDS
        or flt.sample is not None
        or flt.leads_only
        or search.parse_query(flt.text)
    )


def _walk(
    link: Link,
    value: str,
    conds: list[ColumnElement[bool]],
    before: int | None,
    limit: int,
    *,
    join: bool = True,
) -> Select[int, int]:
    """(id, pub_key) of the newest `limit` stories carrying one link value, newest first;
    `join=False` when `conds` need nothing of the story row."""
    stmt = select(link.table.article_id.label("id"), link.table.pub_key.label("pub_key"))
    if join:
        stmt = stmt.join(Article, Article.id == link.table.article_id)
    stmt = stmt.where(link.key == value, *conds)
    if before is not None:
        stmt = stmt.where(link.table.pub_key < before)
    return stmt.order_by(desc(link.table.pub_key)).limit(limit)


def conditions(
    session: Session,
    flt: ArticleFilter,
    *,
    skip: str = "",
    owner: Any = None,
    ranking_walk: bool = False,
) -> list[ColumnElement[bool]]:
    """WHERE clauses on `articles` for every filter except the driving one (`skip`); link
    filters test `owner` (a story id column, `articles.id` unless given). A new clause on
    the story row must also be named in `_links_only`. `ranking_walk`: the caller walks
    the ranking's index and stops after a page of dense matches, so on SQLite a search
    term is tested per story (a full-text look-up of its row, not the list of every
    match) and a source on the walk's own index entry, not through the publisher index."""
    a = Article
    owner = a.id if owner is None else owner
    out: list[ColumnElement[bool]] = []
    probe_only = session.get_bind().dialect.name == "postgresql"
    for link in LINKS:
        values = getattr(flt, link.name)
        if values and skip != link.name:
            carries = select(link.table.article_id).where(
                link.table.article_id == owner, link.key.in_(values)
            )
            if probe_only:
                # OFFSET 0 keeps PostgreSQL from turning the test into a semi-join that
                # hashes every story of the value (218,000 for NVDA) when the driving walk
                # reads a bounded few: one index probe per candidate instead (a ticker and
                # topic's facets 37 -> 27 ms at 1M).
                carries = carries.offset(0)
            out.append(carries.exists())
    sqlite = session.get_bind().dialect.name == "sqlite"
    if flt.sources:
        # `publisher || ''` keeps SQLite's planner off the publisher index for a ranking
        # walk (the impact index carries the publisher).
        publisher = a.publisher.concat("") if ranking_walk and sqlite else a.publisher
        out.append(publisher.in_(flt.sources))
    if flt.min_impact is not None:
        out.append(a.impact_score >= flt.min_impact)
    if flt.max_impact is not None:
        out.append(a.impact_score <= flt.max_impact)
    if flt.sentiment in SENTIMENT_BANDS:
        lo, hi = SENTIMENT_BANDS[flt.sentiment]
        out.append(a.sentiment.between(lo, hi))
    if flt.sample is not None:
        out.append(a.is_sample.is_(flt.sample))
    if flt.leads_only:
        out.append(a.is_cluster_lead.is_(True))
    terms = search.parse_query(flt.text)
    if terms and skip != "text":
        if sqlite:
            matching = search.sqlite_matching(terms)
            if ranking_walk:
                out.append(matching.where(search.FTS.c.rowid == a.pub_key).exists())
            else:
                out.append(a.pub_key.in_(matching))
        else:
            out.append(search.postgres_condition(terms))
    if skip not in ("tickers", "topics"):
        out.extend(range_conditions(a.pub_key, flt))
    return out


def range_conditions(key: Any, flt: ArticleFilter) -> list[ColumnElement[bool]]:
    """The since/until bounds on a time-key column (`pub_key`, a link's, the FTS rowid)."""
    out: list[ColumnElement[bool]] = []
    if flt.since is not None:
        out.append(key >= to_pub_key(flt.since))
    if flt.until is not None:
        out.append(key < to_pub_key(flt.until))
    return out


def ranking_term(sort: Sort) -> Any:  # a descending ORDER BY term
    """The ORDER BY term ahead of newest-first: the impact score, or (sort="move") the largest
    |day-0 abnormal return| among the story's reactions to the configured benchmark, none last."""
    if sort == "impact":
        return desc(Article.impact_score)
    move = (
        select(func.max(func.abs(Reaction.ar_0d)))
        .where(Reaction.article_id == Article.id, Reaction.benchmark == benchmark_symbol())
        .scalar_subquery()
    )
    return nulls_last(desc(move))


def _link_sizes() -> Any:
    """Stories per side of a ticker and topic filter, from the roll-ups: one primary-key
    range per side (an OR across both made SQLite scan every overall row)."""
    r = FacetRollup
    sides = [
        select(literal(dim).label("dim"), func.sum(r.n)).where(
            r.by_dim == "", r.by_value == "", r.dim == dim,
            r.value.in_(bindparam(name, expanding=True)),
        )
        for dim, name in (("t", "tickers"), ("p", "topics"))
    ]  # fmt: skip
    return union_all(*sides)


_LINK_SIZES = _link_sizes()
