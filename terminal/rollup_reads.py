"""Reading the facet roll-ups (`terminal/rollups.py` keeps them): the top values of a
dim overall or among one value's stories, several at once, a filter's exact story count,
and the counts of facets among a bounded window of stories."""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from typing import Any

from sqlalchemy import ColumnElement, Select, bindparam, func, literal, select, union_all
from sqlalchemy.orm import Session

from db.models import Article, ArticleTicker, ArticleTopic, FacetRollup
from terminal.rollups import STORED


def _switches(leads_only: bool, sample: bool | None) -> list[ColumnElement[bool]]:
    r = FacetRollup
    out: list[ColumnElement[bool]] = [r.lead.is_(True)] if leads_only else []
    return out + ([r.sample.is_(sample)] if sample is not None else [])


def top_values(
    session: Session,
    dim: str,
    by: tuple[str, str] | None,
    *,
    leads_only: bool,
    sample: bool | None,
    top: int,
) -> list[tuple[str, int]]:
    """The `top` values of `dim` by story count, overall or among stories carrying `by`."""
    by_dim, by_value = by or ("", "")
    stmt = _top_values_stmt(dim == "s", leads_only, sample, stored(by_dim, dim))
    values = {"by_dim": by_dim, "by_value": by_value, "dim": dim, "top": top}
    return [(str(v), int(c)) for v, c in session.execute(stmt, values)]


def top_values_many(
    session: Session,
    asks: Sequence[tuple[str, tuple[str, str] | None]],
    *,
    leads_only: bool,
    sample: bool | None,
    top: int,
) -> list[list[tuple[str, int]]]:
    """top_values() for each (dim, by) of `asks`, in one statement: the feed's roll-up
    facets were a round trip each on PostgreSQL."""
    if len(asks) == 1:
        return [top_values(session, *asks[0], leads_only=leads_only, sample=sample, top=top)]
    shapes: list[tuple[bool, bool]] = []
    values: dict[str, str | int] = {}
    for i, (dim, by) in enumerate(asks):
        by_dim, by_value = by or ("", "")
        shapes.append((dim == "s", stored(by_dim, dim)))
        names = (f"by_dim_ask{i}", f"by_value_ask{i}", f"dim_ask{i}", f"top_ask{i}")
        values |= dict(zip(names, (by_dim, by_value, dim, top), strict=True))
    out: list[list[tuple[str, int]]] = [[] for _ in asks]
    for i, v, c in session.execute(_top_many_stmt(tuple(shapes), leads_only, sample), values):
        out[i].append((str(v), int(c)))
    return out


@cache
def _top_many_stmt(
    shapes: tuple[tuple[bool, bool], ...], leads_only: bool, sample: bool | None
) -> Select[int, str, int]:
    """top_values_many's statement for one list of shapes (named, forward), built once:
    each shape's `_top_values_stmt` (its parameters suffixed by its place), tagged with
    its place, in one UNION ALL, each part in its own order."""
    parts = []
    for i, (named, forward) in enumerate(shapes):
        # (not "_{i}": SQLAlchemy names anonymous parameters that way, "dim_1")
        inner = _top_values_stmt(named, leads_only, sample, forward, f"_ask{i}").subquery()
        parts.append(select(literal(i).label("ask"), inner.c.value, inner.c.n))
    every = union_all(*parts).subquery()
    return select(every.c.ask, every.c.value, every.c.n).order_by(
        every.c.ask, every.c.n.desc(), every.c.value
    )


def stored(by_dim: str, dim: str) -> bool:
    """Whether (by_dim, dim) rows are kept that way round (else as (dim, by_dim))."""
    return not by_dim or not dim or (by_dim, dim) in STORED


@cache
def _top_values_stmt(
    named: bool, leads_only: bool, sample: bool | None, forward: bool = True, suffix: str = ""
) -> Select[str, int]:
    """top_values' statement for one shape, built once (building it each time was half of
    a roll-up facet's 1 ms); the dims, values and limit are bound (as by_dim, by_value,
    dim and top, each name ending in `suffix`). `forward`: the pair is kept as
    (by_dim, dim), read by primary key; else it is kept the other way round and read
    through the reverse (dim, value, by_dim, by_value) index."""
    r = FacetRollup
    n = func.sum(r.n).label("n")
    by_dim, by_value, dim, value = (
        (r.by_dim, r.by_value, r.dim, r.value)
        if forward
        else (r.dim, r.value, r.by_dim, r.by_value)
    )
    # The other way round, the stored by_dim is compared as an expression: SQLite (with no
    # statistics) took that one-column prefix of the primary key over the reverse index,
    # reading all 58,000 rows of the dim (11 ms instead of 0.3 at 1M).
    where = (
        by_dim == bindparam("by_dim" + suffix),
        by_value == bindparam("by_value" + suffix),
        (dim if forward else dim.concat("")) == bindparam("dim" + suffix),
    )
    stmt = select(value.label("value"), n).where(*where)
    if named:  # sources: stories without a publisher are not a source
        stmt = stmt.where(value != "")
    stmt = stmt.where(*_switches(leads_only, sample)).group_by(value).having(n > 0)
    return stmt.order_by(n.desc(), value).limit(bindparam("top" + suffix))


def count(
    session: Session,
    keys: Sequence[tuple[str, str]],
    *,
    leads_only: bool,
    sample: bool | None,
) -> int:
    """Stories carrying every (dim, value) of `keys` (at most two, of different dims)."""
    padded = [("", ""), *keys][-2:] if keys else [("", ""), ("", "")]
    if not stored(padded[0][0], padded[1][0]):
        padded.reverse()
    (by_dim, by_value), (dim, value) = padded
    values = {"by_dim": by_dim, "by_value": by_value, "dim": dim, "value": value}
    return int(session.scalar(_count_stmt(leads_only, sample), values) or 0)


@cache
def _count_stmt(leads_only: bool, sample: bool | None) -> Select[int]:
    """count's statement for one shape, built once; the keys are bound."""
    r = FacetRollup
    return select(func.coalesce(func.sum(r.n), 0)).where(
        r.by_dim == bindparam("by_dim"),
        r.by_value == bindparam("by_value"),
        r.dim == bindparam("dim"),
        r.value == bindparam("value"),
        *_switches(leads_only, sample),
    )


def window_counts(
    session: Session, keys: Select[int, int], facets: Sequence[str], *, top: int
) -> dict[str, list[tuple[str, int]]]:
    """Counts of `facets` (t, p, s) among the stories `keys` selects (id first, each story
    once, bounded by the caller; with a `publisher` column when it reads the story rows);
    one statement. Each facet joins the window's stories to its rows (an IN list built a
    temporary index of the window per facet: a fifth slower)."""
    w = keys.cte("w")
    columns: dict[str, tuple[Any, Any]] = {
        "t": (ArticleTicker.symbol, ArticleTicker.article_id),
        "p": (ArticleTopic.topic, ArticleTopic.article_id),
        "s": (Article.publisher, Article.id),
    }
    parts: list[Any] = []
    for dim in facets:
        value, story = columns[dim]
        n = func.count().label("n")
        if dim == "s" and "publisher" in w.c:  # the window read each story's row already
            value = w.c.publisher
            part = select(literal(dim), value, n).select_from(w)
        else:
            part = select(literal(dim), value, n).select_from(w).join(story.table, story == w.c[0])
        if dim == "s":
            part = part.where(value != "")
        ranked = part.group_by(value).order_by(n.desc(), value).limit(top).subquery()
        parts.append(select(*ranked.c))
    out: dict[str, list[tuple[str, int]]] = {dim: [] for dim in facets}
    stmt: Any = union_all(*parts) if len(parts) > 1 else parts[0]
    for dim, value, n in session.execute(stmt):
        out[dim].append((value, int(n)))
    for pairs in out.values():
        pairs.sort(key=lambda pair: (-pair[1], pair[0]))
    return out
