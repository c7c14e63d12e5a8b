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
from itertools import chain, product
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

from terminal import bound
from terminal.story_rows import links_for

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
    in two statements; the twenty INSERT ... SELECTs over them per batch that did this
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
    tickers, topics = links_for(session, ids)
    sql = (
        "SELECT id, publisher, is_cluster_lead, is_sample FROM articles "  # noqa: S608
        f"WHERE id {bound.in_sql('ids', bound.dialect_of(session))}"
    )
    found = session.execute(text(sql), {"ids": bound.values(session, list(ids))})
    return [
        (bool(lead), (publisher, tickers[i], topics[i], bool(sample)))
        for i, publisher, lead, sample in found
    ]


def rebuild(session: Session) -> None:
    """Recount everything from the story tables (after a bulk load that bypassed the store)."""
    session.execute(text("DELETE FROM facet_rollups"))
    _apply(session, "1 = 1", {})
    prune(session)
