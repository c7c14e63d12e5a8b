"""Facet roll-ups: exact story counts per ticker, topic and publisher, kept by the store.

`facet_rollups` holds, for every (dim, value) — dim `t` ticker, `p` topic, `s` publisher —
how many stories carry it, overall (by_dim "") and among the stories that carry one value
of another dim (by_dim, by_value), split by cluster lead and sample; a pair of dims is
kept one way round only (STORED) and read the other way through the reverse index. The
row with dim "" is the story total. Writers call `add_new` after inserting stories (one
upsert of the counts of what they hold), `remove` before deleting them and `leads_moved`
after re-electing cluster leads (one set-based upsert per (by, dim) pair); every change
adds to `n` (`n = n + excluded.n`), on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from functools import cache
from itertools import chain, product
from typing import Any

from sqlalchemy import ColumnElement, Select, bindparam, func, literal, select, text, union_all
from sqlalchemy.orm import Session

from db.models import Article, ArticleTicker, ArticleTopic, FacetRollup
from terminal import bound

# dim -> (table, story id column, value column)
SOURCES = {
    "t": ("article_tickers", "article_id", "symbol"),
    "p": ("article_topics", "article_id", "topic"),
    "s": ("articles", "id", "publisher"),
}
# Two values of two dims are counted once, in this orientation (by_dim, dim): the stories
# carrying ticker X and topic Y are as many among X's as among Y's. The other way round,
# (dim, value) is read through the table's reverse index (`stored`, `_top_values_stmt`),
# one row lookup per value found: so the long list (tickers, thousands) is kept in order,
# and what is read through the index is a ticker's topics or sources, a few dozen.
STORED = (("p", "t"), ("s", "t"), ("p", "s"))
PAIRS = [("", "")] + [("", d) for d in SOURCES] + list(STORED)
BY_IDS = "a.id IN :ids"
UPSERT = (
    " ON CONFLICT (by_dim, by_value, dim, value, lead, sample)"
    " DO UPDATE SET n = facet_rollups.n + excluded.n"
)


def _value(dim: str, alias: str) -> tuple[str, str]:
    """(join clause, value expression) for one dim of the story `a`."""
    if not dim:
        return "", "''"
    table, key, column = SOURCES[dim]
    if table == "articles":
        return "", f"a.{column}"
    return f" JOIN {table} {alias} ON {alias}.{key} = a.id", f"{alias}.{column}"


def contribution_sql(by: str, dim: str, where: str, *, sign: int = 1, flip: bool = False) -> str:
    """INSERT ... SELECT of the (by, dim) counts of the stories matching `where` (times sign)."""
    by_join, by_value = _value(by, "b")
    dim_join, value = _value(dim, "d")
    lead = "NOT a.is_cluster_lead" if flip else "a.is_cluster_lead"
    groups = [e for e in (by_value, value) if e != "''"] + ["a.is_cluster_lead", "a.is_sample"]
    return (
        "INSERT INTO facet_rollups (by_dim, by_value, dim, value, lead, sample, n) "  # noqa: S608
        f"SELECT '{by}', {by_value}, '{dim}', {value}, {lead}, a.is_sample, {int(sign)} * count(*) "
        f"FROM articles a{by_join}{dim_join} WHERE {where} "
        f"GROUP BY {', '.join(groups)}" + UPSERT
    )


def _apply(session: Session, where: str, params: Mapping[str, Any], **kw: Any) -> None:
    values = dict(params)
    if "ids" in params:
        # One bound value for the whole id list: rendering 2,500 placeholders into each of
        # ten statements cost more than running some of them.
        where = where.replace("IN :ids", bound.in_sql("ids", bound.dialect_of(session)))
        values["ids"] = bound.values(session, params["ids"])
    for by, dim in PAIRS:
        session.execute(text(contribution_sql(by, dim, where, **kw)), values)


def _chunks(ids: Sequence[int], size: int = 500) -> list[list[int]]:
    return [list(ids[i : i + size]) for i in range(0, len(ids), size)]


# One new story as the store writes it: publisher, tickers, topics (each listed once),
# sample flag. A new story leads its cluster until clustering says otherwise.
NewStory = tuple[str, Sequence[str], Sequence[str], bool]


def add_new(
    session: Session,
    stories: Sequence[NewStory],
    leads: Sequence[bool] | None = None,
    *,
    tally: Tally | None = None,
) -> None:
    """Count stories just stored (call after their links are inserted), from what the
    writer holds instead of reading them back: the rows `_apply` would count (tested
    against `rebuild`), in one upsert statement instead of ten INSERT ... SELECT over the
    batch's links, which a small batch (a feed's refresh) mostly paid for. `leads`: each
    story's lead flag, when clustering has already run (else each counts as a lead).
    `tally`: add the counts to it instead, for its `flush` before the commit."""
    split: dict[tuple[bool, bool], list[NewStory]] = defaultdict(list)
    for story, lead in zip(stories, leads or [True] * len(stories), strict=True):
        split[(bool(lead), bool(story[3]))].append(story)
    sqlite = bound.dialect_of(session) == "sqlite"
    # Booleans as SQLite stores them (the driver adapts a bool through a slow path).
    flag = int if sqlite else bool
    counts = [
        row
        for (lead, sample), part in split.items()
        for row in _counts(part, flag(lead), flag(sample))
    ]
    if tally is not None:
        tally.add(counts)
    else:
        _upsert(session, counts)


class Tally:
    """New stories' roll-up counts held back until their transaction commits: a large
    import adds each batch's (`add_new(..., tally=)`) and `flush`es them once, so a key
    counted in several batches is written once (each upsert rewrites its row's page, and
    each commit every page it dirtied). Counts are sums, so when they land within the
    transaction changes nothing: nothing reads the roll-ups in between."""

    def __init__(self) -> None:
        self.counts: Counter[tuple[Any, ...]] = Counter()

    def add(self, rows: Sequence[tuple[Any, ...]]) -> None:
        counts = self.counts
        for row in rows:
            counts[row[:-1]] += row[-1]

    def flush(self, session: Session) -> None:
        """Write what was added (in the session's transaction) and start again."""
        _upsert(session, [(*key, n) for key, n in self.counts.items() if n])
        self.counts.clear()


def _upsert(session: Session, counts: list[tuple[Any, ...]]) -> None:
    """Add roll-up rows (by_dim, by_value, dim, value, lead, sample, n) to the table."""
    if not counts:
        return
    sqlite = bound.dialect_of(session) == "sqlite"
    columns = "by_dim, by_value, dim, value, lead, sample, n"
    if sqlite:
        counts.sort()  # in key order, the upserts walk the table's B-tree pages in turn
        session.connection().exec_driver_sql(
            f"INSERT INTO facet_rollups ({columns}) VALUES (?, ?, ?, ?, ?, ?, ?)"  # noqa: S608
            + UPSERT,
            counts,
        )
        return
    # PostgreSQL: the rows by COPY into a scratch table emptied at commit, then one upsert
    # from it. (Seven arrays bound to one statement were dumped element by element in
    # Python: a fifth of the writer's samples in an import.)
    connection = session.connection()
    connection.exec_driver_sql(
        "CREATE TEMPORARY TABLE IF NOT EXISTS facet_delta "
        "(LIKE facet_rollups INCLUDING DEFAULTS) ON COMMIT DELETE ROWS"
    )
    cursor = connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
    with cursor.copy(f"COPY facet_delta ({columns}) FROM STDIN") as copy:
        for row in counts:
            copy.write_row(row)
    connection.exec_driver_sql(
        f"INSERT INTO facet_rollups ({columns}) SELECT {columns} FROM facet_delta"  # noqa: S608
        + UPSERT
    )
    connection.exec_driver_sql("DELETE FROM facet_delta")


def _counts(stories: Sequence[NewStory], lead: Any, sample: Any) -> list[tuple[Any, ...]]:
    """The roll-up rows of stories that share a lead flag and a sample flag: the total, each
    value's count, and each pair of values of two dims (STORED). The counting runs in C
    (Counter over chained products), not a Python loop per story."""
    values: dict[str, list[Sequence[str]]] = {
        "t": [s[1] for s in stories],
        "p": [s[2] for s in stories],
        "s": [(s[0],) for s in stories],
    }
    rows = [("", "", "", "", lead, sample, len(stories))]
    for dim, lists in values.items():
        rows += [
            ("", "", dim, v, lead, sample, n)
            for v, n in Counter(chain.from_iterable(lists)).items()
        ]
    for by, dim in STORED:
        pairs = Counter(chain.from_iterable(map(product, values[by], values[dim])))
        rows += [(by, a, dim, b, lead, sample, n) for (a, b), n in pairs.items()]
    return rows


def remove(session: Session, ids: Sequence[int]) -> None:
    """Uncount stories about to be deleted (call before deleting them or their links)."""
    for chunk in _chunks(ids):
        _apply(session, BY_IDS, {"ids": chunk}, sign=-1)
    prune(session)


def remove_sample(session: Session) -> None:
    """Uncount every sample story (call before deleting them)."""
    _apply(session, "a.is_sample = :sample", {"sample": True}, sign=-1)
    prune(session)


def prune(session: Session) -> None:
    session.execute(text("DELETE FROM facet_rollups WHERE n = 0"))


def leads_moved(session: Session, flipped: Sequence[int], *, tally: Tally | None = None) -> None:
    """Move stories whose is_cluster_lead just flipped (and that were counted with the
    old flag) to their new split: each story's counts added under its flag now and taken
    away under the other, worked out here from its publisher, tickers and topics (read
    in three statements; the twenty INSERT ... SELECTs over them per batch that did this
    took an archive import 0.12 s of its 2.5). `tally`: add the moves to it, as `add_new`."""
    if not flipped:
        return
    sqlite = bound.dialect_of(session) == "sqlite"
    flag = int if sqlite else bool
    split: dict[tuple[bool, bool], list[NewStory]] = defaultdict(list)
    for lead, story in _as_counted(session, flipped):
        split[(lead, story[3])].append(story)
    counts: list[tuple[Any, ...]] = []
    for (lead, sample), part in split.items():
        counts += _counts(part, flag(lead), flag(sample))
        counts += [(*row[:-1], -row[-1]) for row in _counts(part, flag(not lead), flag(sample))]
    if tally is not None:
        tally.add(counts)
    else:
        _upsert(session, counts)


def _as_counted(session: Session, ids: Sequence[int]) -> list[tuple[bool, NewStory]]:
    """Stored stories as the roll-ups count them: (lead flag, (publisher, tickers,
    topics, sample flag))."""
    dialect = bound.dialect_of(session)
    values = {"ids": bound.values(session, list(ids))}
    keys: dict[str, dict[int, list[str]]] = {}
    for dim in ("t", "p"):
        table, key, column = SOURCES[dim]
        found: dict[int, list[str]] = defaultdict(list)
        sql = f"SELECT {key}, {column} FROM {table} WHERE {key} {bound.in_sql('ids', dialect)}"  # noqa: S608
        for story, value in session.execute(text(sql), values):
            found[story].append(value)
        keys[dim] = found
    sql = (
        "SELECT id, publisher, is_cluster_lead, is_sample FROM articles "  # noqa: S608
        f"WHERE id {bound.in_sql('ids', dialect)}"
    )
    return [
        (bool(lead), (publisher, keys["t"].get(i, ()), keys["p"].get(i, ()), bool(sample)))
        for i, publisher, lead, sample in session.execute(text(sql), values)
    ]


def rebuild(session: Session) -> None:
    """Recount everything from the story tables (after a bulk load that bypassed the store)."""
    session.execute(text("DELETE FROM facet_rollups"))
    _apply(session, "1 = 1", {})
    prune(session)


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
