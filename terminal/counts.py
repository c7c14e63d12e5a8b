"""Counting the store: how many stories match a filter, and facet counts per ticker, topic, source.

Bounded whatever the store's size: exact from the `facet_rollups` table (`terminal/rollups.py`)
when a filter is no more than single values of tickers, topics or sources (plus the sample
and cluster switches); otherwise counted among the newest WINDOW candidate stories of the
index the feed's query walks, and said so (`Count.exact`, `Facets.window`).
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from functools import cache
from typing import Any

from sqlalchemy import Engine, Select, desc, func, select, union_all
from sqlalchemy.orm import Session

from db.engine import read_session, side_engine
from db.models import Article
from terminal import rollup_reads, search
from terminal.query import (
    SENTIMENT_BANDS,
    ArticleFilter,
    conditions,
    driving_link,
    fts_match,
    keys_stmt,
    range_conditions,
)
from terminal.timekeys import from_pub_key

WINDOW = 10_000  # beyond the roll-ups, counts look at the newest this many candidate stories
COUNT_CAP = 10_000  # ... and the feed's count stops after this many matches ("10,000+")
FACET_DIMS = {"tickers": "t", "topics": "p", "sources": "s"}
# Relative work of counting a facet over a window: link rows per story (topics ~3.5,
# tickers ~2.5), against one story row per story for sources.
COUNT_COST = {"topics": 3, "tickers": 2, "sources": 1}


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


def count_stories(
    session: Session, flt: ArticleFilter, *, cap: int | None = COUNT_CAP, window: int = WINDOW
) -> Count:
    """How many stories match: exact from the roll-ups for no filter or one value of up to two
    of tickers/topics/sources (plus the sample and cluster switches); otherwise counted among
    the newest `window` candidates, stopping after `cap` matches (None: count every story).
    Not `exact` means "at least n"."""
    keys = rollup_keys(flt)
    if keys is not None and len(keys) <= 2:
        return Count(
            rollup_reads.count(session, keys, leads_only=flt.leads_only, sample=flt.sample)
        )
    if cap is None:
        stmt = select(func.count()).select_from(Article).where(*conditions(session, flt))
        return Count(int(session.scalar(stmt) or 0))
    bounded, cut = _windowed(session, flt, window)
    found = keys_stmt(session, bounded, limit=cap + 1, before=None).subquery()
    n = int(session.scalar(select(func.count()).select_from(found)) or 0)
    return Count(min(n, cap), exact=n <= cap and not cut)


def count_articles(session: Session, flt: ArticleFilter) -> int:
    """How many stories match (exact, however long it takes: for the CLI and tests)."""
    return count_stories(session, flt, cap=None).n


def facet_summary(
    session: Session,
    flt: ArticleFilter,
    *,
    top: int = 50,
    window: int = WINDOW,
    parallel: bool = True,
) -> Facets:
    """Counts per ticker, topic and source; each facet ignores its own filter, so the
    alternatives stay visible. Exact from the roll-ups when a facet's filter is none or one
    value of one dim (plus the switches); otherwise among the newest candidates, `window`
    of them shared by the facets that need counting (a ticker, topic and source filter
    leaves three different filters to count: a third each), so the work stays bounded.

    Facets that need counting are counted at the same time, one job per core, each on a
    connection of its own (`parallel`, when the session is bound to an engine): a search
    term's three facets took 43 ms one after the other at 1M stories, 24 ms side by side
    on two cores.
    """
    out: dict[str, list[tuple[str, int]]] = {}
    counted: dict[ArticleFilter, list[str]] = {}
    asks: dict[str, tuple[str, tuple[str, str] | None]] = {}  # from the roll-ups, at once
    for name, dim in FACET_DIMS.items():
        sub = flt.without(name)
        keys = rollup_keys(sub)
        if keys is None or len(keys) > 1:
            counted.setdefault(sub, []).append(name)
            continue
        asks[name] = (dim, keys[0] if keys else None)
    if asks:  # (the switches are the filter's own: `without` keeps them)
        found = rollup_reads.top_values_many(
            session, list(asks.values()), leads_only=flt.leads_only, sample=flt.sample, top=top
        )
        out |= dict(zip(asks, found, strict=True))
    share = window // len(counted) if counted else window
    jobs = list(counted.items())
    bind = session.get_bind()
    engine = side_engine(bind) if isinstance(bind, Engine) else None
    if parallel and engine is not None and sum(len(n) for _, n in jobs) > 1:
        jobs = _spread(jobs, os.cpu_count() or 1)

        def count(job: tuple[ArticleFilter, list[str]]) -> tuple[dict[str, Any], bool]:
            with read_session(engine) as own:
                return _count_window(own, *job, share=share, top=top)

        results = list(_workers().map(count, jobs))
    else:
        results = [_count_window(session, *job, share=share, top=top) for job in jobs]
    partial = None
    for counts, cut in results:
        out.update(counts)
        partial = share if cut else partial
    return Facets({name: out[name] for name in FACET_DIMS}, partial)


def _spread(
    jobs: list[tuple[ArticleFilter, list[str]]], cores: int
) -> list[tuple[ArticleFilter, list[str]]]:
    """The counting jobs split until there is one per core (or per facet): the costliest
    facet of the largest job goes alone. Facets of one job share one read of its window;
    a search term's three facets as one job per facet read the window three times on two
    cores (38 ms p50 at 1M), topics beside tickers and sources twice (see docs)."""
    out = [(sub, list(names)) for sub, names in jobs]
    while len(out) < cores:
        i = max(range(len(out)), key=lambda k: len(out[k][1]))
        sub, names = out[i]
        if len(names) < 2:
            break
        costliest = max(names, key=COUNT_COST.__getitem__)
        out[i] = (sub, [n for n in names if n != costliest])
        out.append((sub, [costliest]))
    return out


def _count_window(
    session: Session, sub: ArticleFilter, names: list[str], *, share: int, top: int
) -> tuple[dict[str, list[tuple[str, int]]], bool]:
    """The facets `names` of `sub` among its newest `share` candidates; True when cut."""
    bounded, cut = _windowed(session, sub, share)
    stmt = keys_stmt(session, bounded, limit=share, before=None)
    walks_stories = driving_link(bounded, session) is None and fts_match(session, bounded) is None
    if "sources" in names and walks_stories:
        # A walk of the stories themselves reads each row: the publisher comes with it,
        # instead of a second look-up per story (PostgreSQL's search-term sources facet:
        # 17 ms of a 46 ms job).
        stmt = stmt.add_columns(Article.publisher)
    if session.get_bind().dialect.name == "sqlite":
        # Bounded by the floor, the walk holds at most `share` stories: no order, no limit
        # (sorting the window for a LIMIT that cuts nothing cost SQLite 3 ms of a search's
        # facets; PostgreSQL's planner needs the LIMIT to walk the time index).
        stmt = stmt.order_by(None).limit(None)
    counts = rollup_reads.window_counts(session, stmt, [FACET_DIMS[n] for n in names], top=top)
    return {name: counts[FACET_DIMS[name]] for name in names}, cut


def stop_workers() -> None:
    """End the counting threads (a later count starts them again): a process that is about
    to fork its tagging workers must have no other thread (`pipeline._start_method`), or
    its import spawns them instead, 0.5 s slower."""
    if _workers.cache_info().currsize:
        _workers().shutdown(wait=True)
        _workers.cache_clear()


@cache
def _workers() -> ThreadPoolExecutor:
    """Threads for counting facets side by side (the database drivers release the GIL
    while a statement runs)."""
    return ThreadPoolExecutor(max_workers=len(FACET_DIMS), thread_name_prefix="facets")


def facet_counts(
    session: Session, flt: ArticleFilter, *, top: int = 50
) -> dict[str, list[tuple[str, int]]]:
    """Counts per ticker, topic and source (see `facet_summary`)."""
    return facet_summary(session, flt, top=top).counts


def rollup_keys(flt: ArticleFilter) -> list[tuple[str, str]] | None:
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


def _windowed(session: Session, flt: ArticleFilter, window: int) -> tuple[ArticleFilter, bool]:
    """`flt` limited to the time span of the newest `window` candidates of its driving index,
    so counting it examines about `window` stories; True when that cut anything off."""
    # The same walk may bound several facets of a page (a ticker, topic and source filter
    # walks the topic's index for two of them): one look per session.
    floors: dict[tuple[Any, ...], tuple[Any, int]] = session.info.setdefault("floors", {})
    link = driving_link(flt, session)
    asked = (link.name, getattr(flt, link.name)) if link else (None, flt.text)
    asked = (*asked, flt.since, flt.until, window)
    if asked not in floors:
        walk = _candidates(session, flt, window).subquery()
        floors[asked] = tuple(session.execute(select(func.min(walk.c.k), func.count())).one())
    oldest, seen = floors[asked]
    if seen < window:
        return flt, False
    since = from_pub_key(int(oldest))
    return replace(flt, since=max(since, flt.since) if flt.since else since), True


def _candidates(session: Session, flt: ArticleFilter, limit: int) -> Select[Any]:
    """Time keys of the newest `limit` candidates on the index `keys_stmt` walks (only that
    index is read: the other filters are not checked)."""
    link = driving_link(flt, session)
    if link is not None:
        key = link.table.pub_key
        walks = [
            select(key.label("k"))
            .where(link.key == value, *range_conditions(key, flt))
            .order_by(desc(key))
            .limit(limit)
            for value in getattr(flt, link.name)
        ]
        if len(walks) == 1:  # the index yields one value's keys in order: no merge to sort
            return walks[0]
        parts = [walk.subquery() for walk in walks]
        merged = union_all(*(select(p.c.k) for p in parts)).subquery()
        return select(merged.c.k).order_by(desc(merged.c.k)).limit(limit)
    match = fts_match(session, flt)
    if match is not None:
        rowid = search.FTS.c.rowid
        return (
            select(rowid.label("k"))
            .where(match, *range_conditions(rowid, flt))
            .order_by(desc(rowid))
            .limit(limit)
        )
    key = Article.pub_key.label("k")
    return (
        select(key).where(*range_conditions(Article.pub_key, flt)).order_by(desc(key)).limit(limit)
    )
