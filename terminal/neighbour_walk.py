"""A new story's neighbours by walking the link indexes from it outwards, per story: how
a batch spread over years (an archive import) finds them (`neighbours.candidates`). The
same neighbours as the window read (`tests/test_clustering_paths.py`).
"""

from __future__ import annotations

from functools import cache, partial
from typing import TYPE_CHECKING

import numpy as np
from sqlalchemy import Select, select, true
from sqlalchemy.orm import Session, aliased

from db.models import ArticleTicker, ArticleTopic
from terminal import bound, driver
from terminal.nearest import ENTRY, SIDE, WINDOW_US, Near, closest, entries, joined

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
    """(new id, neighbour id, its time key, its signature's two halves) rows of the walk
    (PostgreSQL: a LATERAL walk per side)."""
    params = {"ids": bound.values(session, ids)}
    owners: list[int] = []
    packed: list[bytes] = []
    for before in (True, False):
        prepared = driver.prepare(
            ("nearest", link.__tablename__, before),
            partial(_nearest, link=link, key=key, before=before),
            session.get_bind().dialect,
        )
        for new_id, walk_entry in driver.fetch(session, prepared, params):
            owners.append(new_id)
            packed.append(walk_entry)
    if not owners:
        return np.zeros((0, 5), dtype=np.int64)
    return _walked(np.array(owners, dtype=np.int64), entries(b"".join(packed)))


# SQLite: each new link's SIDE nearest on each side, read by a correlated subquery that
# walks the covering (key, time key, id, walk entry) index and hands back their walk
# entries (terminal/nearest.py: ENTRY) one after another, as hex: parsed at once. The same
# walk as a correlated IN joined back to the index (`_nearest`) returned a row per
# neighbour and probed the index again for each: the archive import's walk took 0.45 s per
# 5,000 stories that way, 0.1 s this way. Turning numbers into text was most of the walk's
# cost: four integers a neighbour as decimal lists took a third longer than the entries
# as hex, in SQLite and in the parse.
_SIDE_SQL = (
    "(SELECT hex(group_concat(walk_entry, '')) FROM ("
    "SELECT o.walk_entry FROM {table} o "
    "WHERE o.{key} = n.{key} AND o.pub_key BETWEEN {lo} AND {hi} "
    "AND o.article_id != n.article_id AND o.walk_entry IS NOT NULL "
    "ORDER BY o.pub_key {way} LIMIT {side}))"
)


@cache
def _walk_sql(table: str, key: str) -> str:
    sides = [
        _SIDE_SQL.format(table=table, key=key, lo=lo, hi=hi, way=way, side=SIDE)
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
    texts: list[str] = []
    owners: list[int] = []
    counts: list[int] = []
    width = 2 * ENTRY.size  # hex digits an entry
    for new_id, *sides in found:
        for text in sides:
            if text:  # NULL when the side has no neighbours
                texts.append(text)
                owners.append(new_id)
                counts.append(len(text) // width)
    if not owners:
        return np.zeros((0, 5), dtype=np.int64)
    new_id = np.repeat(np.array(owners, dtype=np.int64), counts)
    return _walked(new_id, entries(bytes.fromhex("".join(texts))))


def _walked(new_id: np.ndarray, walked: np.ndarray) -> np.ndarray:
    """The walk's rows from each neighbour's entry (time key, id, signature) and the new
    story it was found for: (new id, neighbour id, its time key, its signature's two
    halves)."""
    return np.column_stack((new_id, walked[:, 1], walked[:, 0], walked[:, 2:]))


def _nearest(
    dialect: str, link: type[ArticleTicker] | type[ArticleTopic], key: str, before: bool
) -> Select[int, bytes]:
    """(new id, neighbour's walk entry) for the SIDE nearest stories on one side of each
    new link (PostgreSQL; SQLite has no LATERAL: _SIDE_SQL).

    Each new link walks the (key, pub_key) index from its own time outwards and stops
    after SIDE rows, so a burst of stories on a hot ticker costs no more than a quiet day.
    """
    new, old = aliased(link), aliased(link)
    lo, hi = (
        (new.pub_key - WINDOW_US, new.pub_key) if before else (new.pub_key, new.pub_key + WINDOW_US)
    )
    nearest = (
        select(old.walk_entry.label("old_entry"))
        .where(
            getattr(old, key) == getattr(new, key),
            old.pub_key.between(lo, hi),
            old.article_id != new.article_id,
            old.walk_entry.is_not(None),
        )
        .order_by(old.pub_key.desc() if before else old.pub_key.asc())
        .limit(SIDE)
    )
    side = nearest.lateral()
    return (
        select(new.article_id, side.c.old_entry)
        .select_from(new)
        .join(side, true())
        .where(bound.in_list(new.article_id, "ids", dialect))
    )
