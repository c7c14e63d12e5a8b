"""A new story's neighbours: the NEAREST stories within 48 hours sharing a ticker with it
(or, when none does, a topic), the candidates clustering compares its title with.

Two ways, which find the same neighbours (`tests/test_clustering_paths.py`): a batch
close together in time (what feeds deliver) is matched in memory from one read of its
window (`window`, `window_candidates`): its own tickers or topics across that window,
one range of their covering (key, time key, id) index each, then the rows it needs; a
batch spread over years (an archive import) walks the link indexes per story in SQL
(`neighbour_pairs`, then `stories`).
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections import defaultdict
from operator import itemgetter
from typing import Any, NamedTuple

from sqlalchemy import Select, and_, bindparam, func, select, true
from sqlalchemy.orm import Session, aliased

from db.models import Article, ArticleTicker, ArticleTopic
from terminal import bound, driver
from terminal.enrich.clusters import content_words, fingerprint_words

WINDOW_US = 48 * 3600 * 1_000_000
NEAREST = 40
SIDE = NEAREST // 2
# A batch whose window (48 hours around its stories) holds more stored stories than this
# (an archive import spread over years) walks the indexes per story instead: reading its
# tickers' ranges across so long a span would cost more.
WINDOW_MAX = 30_000


def window(session: Session, ids: list[int]) -> tuple[int, int] | None:
    """(lo, hi) time keys 48 hours around the stories, if that span holds at most
    WINDOW_MAX stored stories; None otherwise (or when none of the ids exist)."""
    # The stories' own time keys, by id (min/max in SQL led PostgreSQL to walk the
    # time-key index and test every story's id: 5.7 s at 1M stories).
    keys = select(Article.pub_key).where(
        bound.in_list(Article.id, "ids", bound.dialect_of(session))
    )
    found = session.scalars(keys, {"ids": bound.values(session, ids)}).all()
    if not found:
        return None
    lo, hi = min(found) - WINDOW_US, max(found) + WINDOW_US
    held = select(Article.pub_key).where(Article.pub_key.between(lo, hi)).limit(WINDOW_MAX + 1)
    count = session.connection().execute(select(func.count()).select_from(held.subquery()))
    return (lo, hi) if count.scalar_one() <= WINDOW_MAX else None


def window_candidates(
    session: Session, ids: list[int], span: tuple[int, int]
) -> tuple[dict[int, list[tuple[int, int]]], dict[int, Story], dict[int, frozenset[str]]]:
    """neighbour_pairs() and stories() in memory, from one read per ticker (or topic)
    of the time window.

    Each new story takes, per ticker, the SIDE nearest stories on either side within
    `span` (48 hours around the new ones), as the index walk does; one with no such
    neighbour takes them per topic instead. Only the new stories' own tickers and topics
    are read, each as one range of its covering (key, time key, id) index, and then the
    rows of the new stories and the neighbours found.
    """
    rows = _story_rows(session, "ids", {"ids": bound.values(session, ids)})
    new = [i for i in ids if i in rows]
    pairs: dict[int, list[tuple[int, int]]] = {}
    for link in (ArticleTicker, ArticleTopic):
        wanted = [i for i in new if i not in pairs]
        if not wanted:
            break
        keys_of = _keys_of(session, link, wanted)
        index = _keys_in_window(
            session, link, span, sorted({k for ks in keys_of.values() for k in ks})
        )
        for new_id in wanted:
            near = _nearest_in(index, keys_of.get(new_id, []), rows[new_id].pub_key, new_id)
            if near:
                pairs[new_id] = near
    neighbours = {o for n in pairs.values() for o, _ in n}
    if others := sorted(neighbours - rows.keys()):
        rows |= _story_rows(session, "ids", {"ids": bound.values(session, others)})
    kept = {i: rows[i] for i in neighbours.union(new)}
    words = {
        i: content_words(r.title) if r.title_words is None else fingerprint_words(r.title_words)
        for i, r in kept.items()
    }
    return pairs, kept, words


def _nearest_in(
    index: dict[str, tuple[list[int], list[int]]], keys: list[str], me: int, own_id: int
) -> list[tuple[int, int]]:
    """(id, gap) of the NEAREST stories sharing one of `keys`, SIDE per key and side,
    nearest first (ties in time order)."""
    near: dict[int, int] = {}
    for key in keys:
        times, owners = index[key]
        at = bisect_left(times, me)  # the story itself: time keys are unique
        first = max(at - SIDE, bisect_left(times, me - WINDOW_US, 0, at))
        last = min(at + 1 + SIDE, bisect_right(times, me + WINDOW_US, at))
        gaps = [me - t if t < me else t - me for t in times[first:last]]
        if len(keys) == 1:  # one key: each story is listed once, nothing to merge
            found = [
                pair for pair in zip(owners[first:last], gaps, strict=True) if pair[0] != own_id
            ]
            found.sort(key=itemgetter(1))
            return found[:NEAREST]
        for owner, gap in zip(owners[first:last], gaps, strict=True):
            known = near.get(owner)
            if known is None or gap < known:
                near[owner] = gap
    near.pop(own_id, None)
    return sorted(near.items(), key=itemgetter(1))[:NEAREST]


def _link_key(link: type[ArticleTicker] | type[ArticleTopic]) -> Any:
    return link.symbol if link is ArticleTicker else link.topic  # type: ignore[union-attr]


def _keys_of(
    session: Session, link: type[ArticleTicker] | type[ArticleTopic], ids: list[int]
) -> dict[int, list[str]]:
    """Each story's tickers (or topics), by name."""
    key = _link_key(link)

    def stmt(dialect: str) -> Select[Any]:
        return (
            select(link.article_id, key)
            .where(bound.in_list(link.article_id, "ids", dialect))
            .order_by(link.article_id, key)
        )

    prepared = driver.prepare(("story keys", link.__tablename__), stmt, session.get_bind().dialect)
    out: dict[int, list[str]] = defaultdict(list)
    for article_id, value in driver.fetch(session, prepared, {"ids": bound.values(session, ids)}):
        out[article_id].append(value)
    return out


def _keys_in_window(
    session: Session,
    link: type[ArticleTicker] | type[ArticleTopic],
    span: tuple[int, int],
    keys: list[str],
) -> dict[str, tuple[list[int], list[int]]]:
    """Per ticker (or topic) of `keys`: the stories within `span` carrying it, as (time
    keys, ids) in time order; one range of the covering (key, time key, id) index each."""
    if not keys:
        return {}
    key = _link_key(link)

    def stmt(dialect: str) -> Select[Any]:
        return (
            select(key, link.pub_key, link.article_id)
            .where(
                bound.in_list(key, "keys", dialect, "str"),
                link.pub_key.between(bindparam("lo"), bindparam("hi")),
            )
            .order_by(key, link.pub_key)
        )

    # On the driver's cursor (thousands of rows a batch: see terminal/driver.py).
    prepared = driver.prepare(
        ("window links", link.__tablename__), stmt, session.get_bind().dialect
    )
    lo, hi = span
    params = {"keys": bound.values(session, keys, "str"), "lo": lo, "hi": hi}
    index: dict[str, tuple[list[int], list[int]]] = {}
    for value, pub_key, article_id in driver.fetch(session, prepared, params):
        times, owners = index.setdefault(value, ([], []))
        times.append(pub_key)
        owners.append(article_id)
    return index


def stories(session: Session, ids: set[int]) -> tuple[dict[int, Story], dict[int, frozenset[str]]]:
    """The stories' rows (id, title, title_words, pub_key, cluster id and size) and words.

    Words stored with the story are read back; a story stored without them (NULL) has
    its title reduced here.
    """
    rows = _story_rows(session, "ids", {"ids": bound.values(session, sorted(ids))})
    words = {
        i: content_words(r.title) if r.title_words is None else fingerprint_words(r.title_words)
        for i, r in rows.items()
    }
    return rows, words


class Story(NamedTuple):
    """What clustering reads of a story (a plain tuple: attribute reads on SQLAlchemy's
    rows raised and caught an AttributeError inside each, 1.3% of an import)."""

    id: int
    title: str
    title_words: str | None
    pub_key: int
    cluster_id: int | None
    cluster_size: int


def _story_rows(session: Session, which: str, params: dict[str, Any]) -> dict[int, Story]:
    """The stories in a time window ("window": lo, hi) or of a list ("ids"), by id."""

    def stmt(dialect: str) -> Any:
        a = Article
        where = (
            a.pub_key.between(bindparam("lo"), bindparam("hi"))
            if which == "window"
            else bound.in_list(a.id, "ids", dialect)
        )
        return select(a.id, a.title, a.title_words, a.pub_key, a.cluster_id, a.cluster_size).where(
            where
        )

    prepared = driver.prepare(("cluster stories", which), stmt, session.get_bind().dialect)
    return {row[0]: Story(*row) for row in driver.fetch(session, prepared, params)}


def neighbour_pairs(session: Session, ids: list[int]) -> dict[int, list[tuple[int, int]]]:
    """For each new story, up to NEAREST other stories within the window sharing a key."""
    found: dict[int, dict[int, int]] = defaultdict(dict)
    with_tickers: set[int] = set()
    links: tuple[tuple[type[ArticleTicker] | type[ArticleTopic], str], ...] = (
        (ArticleTicker, "symbol"),
        (ArticleTopic, "topic"),
    )
    for link, key in links:
        wanted = ids if link is ArticleTicker else [i for i in ids if i not in with_tickers]
        if not wanted:
            break
        for before in (True, False):
            for new_id, old_id, gap in (
                session.connection().execute(_nearest(session, link, key, wanted, before)).all()
            ):
                if link is ArticleTicker:
                    with_tickers.add(new_id)
                near = found[new_id]
                if old_id not in near or gap < near[old_id]:
                    near[old_id] = gap
    return {
        new_id: sorted(near.items(), key=lambda item: item[1])[:NEAREST]
        for new_id, near in found.items()
    }


def _nearest(
    session: Session,
    link: type[ArticleTicker] | type[ArticleTopic],
    key: str,
    ids: list[int],
    before: bool,
) -> Select[int, int, int]:
    """(new id, neighbour id, gap) for the SIDE nearest stories on one side of each new link.

    Each new link walks the (key, pub_key) index from its own time outwards and stops
    after SIDE rows, so a burst of stories on a hot ticker costs no more than a quiet day.
    """
    new, old = aliased(link), aliased(link)
    lo, hi = (
        (new.pub_key - WINDOW_US, new.pub_key) if before else (new.pub_key, new.pub_key + WINDOW_US)
    )
    nearest = (
        select(old.article_id.label("old_id"), old.pub_key.label("old_key"))
        .where(
            getattr(old, key) == getattr(new, key),
            old.pub_key.between(lo, hi),
            old.article_id != new.article_id,
        )
        .order_by(old.pub_key.desc() if before else old.pub_key.asc())
        .limit(SIDE)
    )
    if session.get_bind().dialect.name == "postgresql":
        side = nearest.lateral()
        return (
            select(new.article_id, side.c.old_id, func.abs(side.c.old_key - new.pub_key))
            .select_from(new)
            .join(side, true())
            .where(new.article_id.in_(ids))
        )
    # SQLite has no LATERAL: the same walk as a correlated IN on the index's key.
    other = aliased(link)
    keys = nearest.with_only_columns(old.pub_key)
    return (
        select(new.article_id, other.article_id, func.abs(other.pub_key - new.pub_key))
        .select_from(new)
        .join(other, and_(getattr(other, key) == getattr(new, key), other.pub_key.in_(keys)))
        .where(new.article_id.in_(ids))
    )
