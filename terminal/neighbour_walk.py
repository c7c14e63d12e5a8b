"""A new story's neighbours by walking the link indexes from it outwards, per story: how
a batch spread over years (an archive import) finds them (`neighbours.candidates`). The
same neighbours as the window read (`tests/test_clustering_paths.py`).
"""

from __future__ import annotations

from functools import cache, partial
from typing import TYPE_CHECKING, Any

import numpy as np
from sqlalchemy import Select, func, select, true
from sqlalchemy.orm import Session, aliased

from db.models import ArticleTicker, ArticleTopic
from terminal import bound, driver
from terminal.nearest import SIDE, UNKNOWN, WINDOW_US, Near, closest, joined

if TYPE_CHECKING:
    from terminal.neighbours import Story


def neighbour_pairs(session: Session, ids: list[int], rows: dict[int, Story]) -> Near:
    """For each new story (`rows` holds theirs), up to NEAREST other stories within the
    window sharing a key, walking the link indexes per story, with their signatures."""
    parts: list[Near] = []
    found: set[int] = set()
    links: tuple[tuple[type[ArticleTicker] | type[ArticleTopic], str], ...] = (
        (ArticleTicker, "symbol"),
        (ArticleTopic, "topic"),
    )
    sqlite = session.get_bind().dialect.name == "sqlite"
    for link, key in links:
        wanted = [i for i in ids if i not in found]
        if not wanted:
            break
        walked = (_walk_sqlite if sqlite else _walk)(session, link, key, wanted)
        if not len(walked):
            continue
        new_id, old_id, old_key = walked[:, 0], walked[:, 1], walked[:, 2]
        sig = walked[:, 3:]
        order = np.array(wanted, dtype=np.int64)
        keys = np.array([rows[i].pub_key for i in wanted], dtype=np.int64)
        by_id = np.argsort(order)
        me = keys[by_id][np.searchsorted(order[by_id], new_id)]
        near = closest(new_id, old_id, old_key, me, sig)
        parts.append(near)
        found.update(near.story.tolist())
    return joined(parts)


def _walk(
    session: Session, link: type[ArticleTicker] | type[ArticleTopic], key: str, ids: list[int]
) -> np.ndarray:
    """(new id, neighbour id, its time key, its signature's two columns) rows of the walk
    (PostgreSQL: a LATERAL walk per side)."""
    params = {"ids": bound.values(session, ids)}
    walked: list[tuple[Any, ...]] = []
    for before in (True, False):
        prepared = driver.prepare(
            ("nearest", link.__tablename__, before),
            partial(_nearest, link=link, key=key, before=before),
            session.get_bind().dialect,
        )
        walked += driver.fetch(session, prepared, params)
    return np.array(walked, dtype=np.int64).reshape(-1, 5)


# SQLite: each new link's SIDE nearest on each side, read by a correlated subquery that
# walks the covering (key, time key, id, signature) index and hands them back as text:
# one list of numbers per column, "keys;ids;sigs;sig2s" (the aggregates step through
# the same rows in the same order, so the i-th number of each list is the same
# neighbour's). The same walk as a correlated IN joined back to the index (`_nearest`)
# returned a row per neighbour and probed the index again for each: the archive import's
# walk took 0.45 s per 5,000 stories that way, 0.1 s this way. Turning the numbers into
# text is most of the walk's cost: one list per column is a quarter cheaper than one
# "key,id,sig,sig2" string per neighbour, which SQLite concatenated three times.
_SIDE_SQL = (
    "(SELECT group_concat(pub_key) || ';' || group_concat(article_id) || ';' || "
    "group_concat(sig) || ';' || group_concat(sig2) FROM ("
    "SELECT o.pub_key, o.article_id, coalesce(o.title_sig, {unknown}) AS sig, "
    "coalesce(o.title_sig2, {unknown}) AS sig2 FROM {table} o "
    "WHERE o.{key} = n.{key} AND o.pub_key BETWEEN {lo} AND {hi} "
    "AND o.article_id != n.article_id ORDER BY o.pub_key {way} LIMIT {side}))"
)


@cache
def _walk_sql(table: str, key: str) -> str:
    sides = [
        _SIDE_SQL.format(unknown=UNKNOWN, table=table, key=key, lo=lo, hi=hi, way=way, side=SIDE)
        for lo, hi, way in (
            (f"n.pub_key - {WINDOW_US}", "n.pub_key", "DESC"),
            ("n.pub_key", f"n.pub_key + {WINDOW_US}", "ASC"),
        )
    ]
    return (
        f"SELECT n.article_id, {sides[0]}, {sides[1]} FROM {table} n "  # noqa: S608
        "WHERE n.article_id IN (SELECT value FROM json_each(?))"
    )


def _walk_sqlite(
    session: Session, link: type[ArticleTicker] | type[ArticleTopic], key: str, ids: list[int]
) -> np.ndarray:
    """_walk() on SQLite (see _SIDE_SQL)."""
    cursor = session.connection().connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    try:
        cursor.execute(_walk_sql(link.__tablename__, key), (bound.values(session, ids),))
        found = cursor.fetchall()
    finally:
        cursor.close()
    columns: tuple[list[str], ...] = ([], [], [], [])
    owners: list[int] = []
    counts: list[int] = []
    for new_id, *sides in found:
        for text in sides:
            if text:  # NULL when the side has no neighbours
                lists = text.split(";")
                for column, numbers in zip(columns, lists, strict=True):
                    column.append(numbers)
                owners.append(new_id)
                counts.append(lists[0].count(",") + 1)
    if not owners:
        return np.zeros((0, 5), dtype=np.int64)
    keys, others, sigs, sig2s = (
        np.fromstring(",".join(column), dtype=np.int64, sep=",") for column in columns
    )
    new_id = np.repeat(np.array(owners, dtype=np.int64), counts)
    return np.column_stack((new_id, others, keys, sigs, sig2s))


def _nearest(
    dialect: str, link: type[ArticleTicker] | type[ArticleTopic], key: str, before: bool
) -> Select[int, int, int, int, int]:
    """(new id, neighbour id, its time key, its signature's two columns or UNKNOWN) for
    the SIDE nearest stories on one side of each new link (PostgreSQL; SQLite has no
    LATERAL: _SIDE_SQL).

    Each new link walks the (key, pub_key) index from its own time outwards and stops
    after SIDE rows, so a burst of stories on a hot ticker costs no more than a quiet day.
    """
    new, old = aliased(link), aliased(link)
    lo, hi = (
        (new.pub_key - WINDOW_US, new.pub_key) if before else (new.pub_key, new.pub_key + WINDOW_US)
    )
    nearest = (
        select(
            old.article_id.label("old_id"),
            old.pub_key.label("old_key"),
            func.coalesce(old.title_sig, UNKNOWN).label("old_sig"),
            func.coalesce(old.title_sig2, UNKNOWN).label("old_sig2"),
        )
        .where(
            getattr(old, key) == getattr(new, key),
            old.pub_key.between(lo, hi),
            old.article_id != new.article_id,
        )
        .order_by(old.pub_key.desc() if before else old.pub_key.asc())
        .limit(SIDE)
    )
    side = nearest.lateral()
    return (
        select(new.article_id, side.c.old_id, side.c.old_key, side.c.old_sig, side.c.old_sig2)
        .select_from(new)
        .join(side, true())
        .where(bound.in_list(new.article_id, "ids", dialect))
    )
