"""Reading the store: one filter object, newest-first pages with a keyset cursor, facet counts.

Every query is bounded: a ticker or topic filter walks that link table's
(key, pub_key) index once per value and stops after a page; a text search walks the
full-text index in time order; values are always bound, never spliced into SQL.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any, Literal

from sqlalchemy import (
    ColumnElement,
    Select,
    bindparam,
    desc,
    exists,
    func,
    literal,
    literal_column,
    nulls_last,
    select,
    union_all,
)
from sqlalchemy.orm import Session

from db.models import Article, ArticleTicker, ArticleTopic, Reaction
from terminal import rollups, search
from terminal.config import benchmark_symbol
from terminal.store import from_pub_key, to_pub_key

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


@dataclass(slots=True)
class Page:
    items: list[ArticleRow]
    next_cursor: int | None


def _range_conditions(key: Any, flt: ArticleFilter) -> list[ColumnElement[bool]]:
    out: list[ColumnElement[bool]] = []
    if flt.since is not None:
        out.append(key >= to_pub_key(flt.since))
    if flt.until is not None:
        out.append(key < to_pub_key(flt.until))
    return out


def _conditions(
    session: Session, flt: ArticleFilter, *, skip: str = ""
) -> list[ColumnElement[bool]]:
    """WHERE clauses on `articles` for every filter except the driving one (`skip`)."""
    a = Article
    out: list[ColumnElement[bool]] = []
    if flt.tickers and skip != "tickers":
        out.append(
            exists().where(ArticleTicker.article_id == a.id, ArticleTicker.symbol.in_(flt.tickers))
        )
    if flt.topics and skip != "topics":
        out.append(
            exists().where(ArticleTopic.article_id == a.id, ArticleTopic.topic.in_(flt.topics))
        )
    if flt.sources:
        out.append(a.publisher.in_(flt.sources))
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
        if session.get_bind().dialect.name == "sqlite":
            out.append(a.pub_key.in_(search.sqlite_matching(terms)))
        else:
            out.append(search.postgres_condition(terms))
    if skip not in ("tickers", "topics"):
        out.extend(_range_conditions(a.pub_key, flt))
    return out


def _keys_stmt(
    session: Session, flt: ArticleFilter, *, limit: int, before: int | None
) -> Select[int, int]:
    """(article id, pub_key) of the next `limit` matches, newest first, by the cheapest path."""
    a = Article
    for name, link, key_col in (
        ("tickers", ArticleTicker, ArticleTicker.symbol),
        ("topics", ArticleTopic, ArticleTopic.topic),
    ):
        values: tuple[str, ...] = getattr(flt, name)
        if not values:
            continue
        conds = _conditions(session, flt, skip=name)
        parts = []
        for value in values:
            part = (
                select(link.article_id.label("id"), link.pub_key.label("pub_key"))
                .join(a, a.id == link.article_id)
                .where(key_col == value, *conds, *_range_conditions(link.pub_key, flt))
            )
            if before is not None:
                part = part.where(link.pub_key < before)
            ranked = part.order_by(desc(link.pub_key)).limit(limit).subquery()
            parts.append(select(ranked.c.id, ranked.c.pub_key))
        if len(parts) == 1:
            # One value: the link table's (key, pub_key) index already yields unique rows in order.
            return parts[0].order_by(desc(parts[0].selected_columns.pub_key))
        merged = union_all(*parts).subquery()
        return (
            select(merged.c.id, merged.c.pub_key)
            .group_by(merged.c.id, merged.c.pub_key)
            .order_by(desc(merged.c.pub_key))
            .limit(limit)
        )
    terms = search.parse_query(flt.text)
    if terms and session.get_bind().dialect.name == "sqlite":
        fts = search.FTS
        match = literal_column("articles_fts").op("MATCH")(search.fts5_query(terms))
        stmt = (
            select(a.id, a.pub_key)
            .select_from(fts)
            .join(a, a.pub_key == fts.c.rowid)
            .where(match, *_conditions(session, flt, skip="text"))
            .where(*_range_conditions(fts.c.rowid, flt))  # bounds the index walk itself
            .order_by(desc(fts.c.rowid))
            .limit(limit)
        )
        return stmt.where(fts.c.rowid < before) if before is not None else stmt
    stmt = select(a.id, a.pub_key).where(*_conditions(session, flt))
    if before is not None:
        stmt = stmt.where(a.pub_key < before)
    return stmt.order_by(desc(a.pub_key)).limit(limit)


def _ranking(sort: Sort) -> Any:  # a descending ORDER BY term
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
        stmt = (
            select(Article.id, Article.pub_key)
            .where(*_conditions(session, flt))
            .order_by(_ranking(sort), desc(Article.pub_key))
            .offset(offset)
            .limit(limit + 1)
        )
        keys: Sequence[Any] = session.connection().execute(stmt).all()
    else:
        keys = (
            session.connection()
            .execute(_keys_stmt(session, flt, limit=offset + limit + 1, before=cursor))
            .all()
        )
        keys = keys[offset:]
    more = len(keys) > limit
    keys = keys[:limit]
    rows = load_rows(session, [k[0] for k in keys])
    next_cursor = keys[-1][1] if more and sort == "newest" else None
    return Page(items=rows, next_cursor=next_cursor)


_ROW_COLUMNS = (
    Article.id,
    Article.title,
    Article.summary,
    Article.publisher,
    Article.url,
    Article.published_at,
    Article.published_estimated,
    Article.impact,
    Article.impact_model,
    Article.sentiment,
    Article.is_sample,
    Article.cluster_size,
    Article.pub_key,
)  # fmt: skip  (ArticleRow's field order)
_ROWS = select(*_ROW_COLUMNS).where(Article.id.in_(bindparam("ids", expanding=True)))


def load_rows(session: Session, ids: Sequence[int]) -> list[ArticleRow]:
    """Stories by id, in the order given, with their tickers and topics."""
    if not ids:
        return []
    rows = session.connection().execute(_ROWS, {"ids": list(ids)})
    found = {r[0]: ArticleRow(*r) for r in rows}  # type: ignore[call-arg]  # field order
    tickers, topics = links_for(session, list(found))
    for article_id, row in found.items():
        row.tickers, row.topics = tickers[article_id], topics[article_id]
    return [found[i] for i in ids if i in found]


WINDOW = 10_000  # beyond the roll-ups, counts look at the newest this many candidate stories
COUNT_CAP = 10_000  # ... and the feed's count stops after this many matches ("10,000+")
FACET_DIMS = {"tickers": "t", "topics": "p", "sources": "s"}


@dataclass(frozen=True, slots=True)
class Count:
    """A number of stories; not `exact` when counting stopped at a cap (shown "10,000+")."""

    n: int
    exact: bool = True

    def __str__(self) -> str:
        return f"{self.n:,}" if self.exact else f"{self.n:,}+"


@dataclass(slots=True)
class Facets:
    """Facet counts; `window` is set when some were counted among only the newest `window`
    candidate stories (say so: "counts from the latest 10,000 stories")."""

    counts: dict[str, list[tuple[str, int]]]
    window: int | None = None


def _rollup_keys(flt: ArticleFilter) -> list[tuple[str, str]] | None:
    """The (dim, value) pairs `flt` amounts to when only those and the switches filter."""
    if (
        search.parse_query(flt.text)
        or flt.since is not None
        or flt.until is not None
        or flt.min_impact is not None
        or flt.max_impact is not None
        or flt.sentiment in SENTIMENT_BANDS
    ):
        return None
    keys: list[tuple[str, str]] = []
    for name, dim in FACET_DIMS.items():
        values = set(getattr(flt, name))
        if len(values) > 1:
            return None
        keys += [(dim, value) for value in values]
    return keys


def _walk(session: Session, flt: ArticleFilter, limit: int) -> Select[Any]:
    """Time keys of the newest `limit` candidates on the index `_keys_stmt` drives by (only
    that index is read: the other filters are not checked)."""
    for name, link, key_col in (
        ("tickers", ArticleTicker, ArticleTicker.symbol),
        ("topics", ArticleTopic, ArticleTopic.topic),
    ):
        values: tuple[str, ...] = getattr(flt, name)
        if values:
            parts = [
                select(link.pub_key.label("k"))
                .where(key_col == value, *_range_conditions(link.pub_key, flt))
                .order_by(desc(link.pub_key))
                .limit(limit)
                .subquery()
                for value in values
            ]
            merged = union_all(*(select(p.c.k) for p in parts)).subquery()
            return select(merged.c.k).order_by(desc(merged.c.k)).limit(limit)
    terms = search.parse_query(flt.text)
    if terms and session.get_bind().dialect.name == "sqlite":
        fts = search.FTS
        match = literal_column("articles_fts").op("MATCH")(search.fts5_query(terms))
        return (
            select(fts.c.rowid.label("k"))
            .where(match, *_range_conditions(fts.c.rowid, flt))
            .order_by(desc(fts.c.rowid))
            .limit(limit)
        )
    key = Article.pub_key.label("k")
    return (
        select(key).where(*_range_conditions(Article.pub_key, flt)).order_by(desc(key)).limit(limit)
    )


def _windowed(session: Session, flt: ArticleFilter, window: int) -> tuple[ArticleFilter, bool]:
    """`flt` limited to the time span of the newest `window` candidates of its driving index,
    so counting it examines about `window` stories; True when that cut anything off."""
    walk = _walk(session, flt, window).subquery()
    oldest, seen = session.execute(select(func.min(walk.c.k), func.count())).one()
    if seen < window:
        return flt, False
    since = from_pub_key(int(oldest))
    return replace(flt, since=max(since, flt.since) if flt.since else since), True


def count_stories(
    session: Session, flt: ArticleFilter, *, cap: int | None = COUNT_CAP, window: int = WINDOW
) -> Count:
    """How many stories match: exact from the roll-ups for no filter or one value of up to two
    of tickers/topics/sources (plus the sample and cluster switches); otherwise counted among
    the newest `window` candidates, stopping after `cap` matches (None: count every story).
    Not `exact` means "at least n"."""
    keys = _rollup_keys(flt)
    if keys is not None and len(keys) <= 2:
        return Count(rollups.count(session, keys, leads_only=flt.leads_only, sample=flt.sample))
    if cap is None:
        stmt = select(func.count()).select_from(Article).where(*_conditions(session, flt))
        return Count(int(session.scalar(stmt) or 0))
    bounded, cut = _windowed(session, flt, window)
    found = _keys_stmt(session, bounded, limit=cap + 1, before=None).subquery()
    n = int(session.scalar(select(func.count()).select_from(found)) or 0)
    return Count(min(n, cap), exact=n <= cap and not cut)


def count_articles(session: Session, flt: ArticleFilter) -> int:
    """How many stories match (exact)."""
    return count_stories(session, flt, cap=None).n


def facet_summary(
    session: Session, flt: ArticleFilter, *, top: int = 50, window: int = WINDOW
) -> Facets:
    """Counts per ticker, topic and source; each facet ignores its own filter, so the
    alternatives stay visible. Exact from the roll-ups when a facet's filter is none or one
    value of one dim (plus the switches); otherwise among the newest `window` candidates."""
    out: dict[str, list[tuple[str, int]]] = {}
    counted: dict[ArticleFilter, list[str]] = {}
    for name, dim in FACET_DIMS.items():
        sub = flt.without(name)
        keys = _rollup_keys(sub)
        if keys is None or len(keys) > 1:
            counted.setdefault(sub, []).append(name)
            continue
        out[name] = rollups.top_values(
            session, dim, keys[0] if keys else None,
            leads_only=sub.leads_only, sample=sub.sample, top=top,
        )  # fmt: skip
    partial = None
    for sub, names in counted.items():
        bounded, cut = _windowed(session, sub, window)
        keys_stmt = _keys_stmt(session, bounded, limit=window, before=None)
        dims = [FACET_DIMS[name] for name in names]
        counts, _ = rollups.window_counts(session, keys_stmt, dims, top=top)
        out.update((name, counts[FACET_DIMS[name]]) for name in names)
        partial = window if cut else partial
    return Facets({name: out[name] for name in FACET_DIMS}, partial)


def facet_counts(
    session: Session, flt: ArticleFilter, *, top: int = 50
) -> dict[str, list[tuple[str, int]]]:
    """Counts per ticker, topic and source (see `facet_summary`)."""
    return facet_summary(session, flt, top=top).counts


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
        keys = session.execute(_keys_stmt(session, flt, limit=want, before=cursor)).all()
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


def links_for(
    session: Session, ids: Sequence[int]
) -> tuple[dict[int, list[str]], dict[int, list[str]]]:
    """Tickers and topics of each story id (one round trip)."""
    tickers: dict[int, list[str]] = {i: [] for i in ids}
    topics: dict[int, list[str]] = {i: [] for i in ids}
    if ids:
        for aid, kind, value, _ in session.connection().execute(_LINKS, {"ids": list(ids)}):
            (topics if kind else tickers)[aid].append(value)
    return tickers, topics


def _links_stmt() -> Select[Any]:
    """Both link tables for a list of ids, ordered for display (built once, cached compiled)."""
    t, p = ArticleTicker, ArticleTopic
    ids: Any = bindparam("ids", expanding=True)
    both = union_all(
        select(t.article_id, literal(0).label("kind"), t.symbol, t.position).where(
            t.article_id.in_(ids)
        ),
        select(p.article_id, literal(1).label("kind"), p.topic, p.position).where(
            p.article_id.in_(ids)
        ),
    ).subquery()
    return select(both).order_by(both.c.article_id, both.c.kind, both.c.position)


_LINKS = _links_stmt()
