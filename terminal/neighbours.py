"""A new story's neighbours: the NEAREST stories within 48 hours sharing a ticker with it
(or, when none does, a topic), the candidates clustering compares its title with.

Two ways, which find the same neighbours (`tests/test_clustering_paths.py`): a batch
close together in time (what feeds deliver) is matched in memory from one read of its
window (`window`, `window_pairs`): its own tickers or topics across that window, one
range of their covering (key, time key, id, signature) index each; a batch spread over
years (an archive import) walks the link indexes per story in SQL (`neighbour_pairs`).
Either way each neighbour comes with its title's signature, and `candidates` reads the
rows of only those whose titles may share enough words with the new story's.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections import defaultdict
from functools import partial
from operator import itemgetter
from typing import Any, NamedTuple

from sqlalchemy import Select, and_, bindparam, func, select, true
from sqlalchemy.orm import Session, aliased

from db.models import Article, ArticleTicker, ArticleTopic
from terminal import bound, driver
from terminal.enrich.clusters import (
    content_words,
    fingerprint_words,
    sharing_signatures,
)

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


Pairs = dict[int, list[tuple[int, int]]]  # new story -> (neighbour, gap), nearest first
Signatures = dict[int, int | None]  # story -> its title signature, as its links carry it


def candidates(
    session: Session, ids: list[int], span: tuple[int, int] | None
) -> tuple[dict[int, list[int]], dict[int, Story], dict[int, frozenset[str]]]:
    """Each new story's neighbours worth comparing (nearest first), and the rows and words
    of the new stories and of those neighbours.

    The neighbours come from the window (`span`, see `window`) or, without one, from the
    index walk; either way each comes with its title's signature from the link index, and
    only those whose titles may share enough words with the new story's (`may_share`:
    exact, so no neighbour that could match is dropped) have their rows read. A new story
    with neighbours keeps its entry even when none is worth comparing.
    """
    rows = _story_rows(session, "ids", {"ids": bound.values(session, ids)})
    new = [i for i in ids if i in rows]
    pairs, signatures = (
        neighbour_pairs(session, new) if span is None else window_pairs(session, new, rows, span)
    )
    words = {i: _words(rows[i]) for i in new}
    worth = {
        new_id: sharing_signatures(words[new_id], [o for o, _ in near], signatures)
        for new_id, near in pairs.items()
    }
    if others := sorted({o for near in worth.values() for o in near} - rows.keys()):
        rows |= _story_rows(session, "ids", {"ids": bound.values(session, others)})
    for near in worth.values():
        for other in near:
            if other not in words:
                words[other] = _words(rows[other])
    return worth, {i: rows[i] for i in words}, words


def _words(row: Story) -> frozenset[str]:
    """A story's content words: stored with it, or (NULL) reduced from its title here."""
    return (
        content_words(row.title) if row.title_words is None else fingerprint_words(row.title_words)
    )


def window_pairs(
    session: Session, ids: list[int], rows: dict[int, Story], span: tuple[int, int]
) -> tuple[Pairs, Signatures]:
    """neighbour_pairs() in memory, from one read per ticker (or topic) of the time window.

    Each new story (`rows` holds theirs) takes, per ticker, the SIDE nearest stories on
    either side within `span` (48 hours around the new ones), as the index walk does; one
    with no such neighbour takes them per topic instead. Only the new stories' own
    tickers and topics are read, each as one range of its covering (key, time key, id,
    signature) index.
    """
    pairs: Pairs = {}
    signatures: Signatures = {}
    for link in (ArticleTicker, ArticleTopic):
        wanted = [i for i in ids if i not in pairs]
        if not wanted:
            break
        keys_of = _keys_of(session, link, wanted)
        index = _keys_in_window(
            session, link, span, sorted({k for ks in keys_of.values() for k in ks}), signatures
        )
        for new_id in wanted:
            near = _nearest_in(index, keys_of.get(new_id, []), rows[new_id].pub_key, new_id)
            if near:
                pairs[new_id] = near
    return pairs, signatures


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
    signatures: Signatures,
) -> dict[str, tuple[list[int], list[int]]]:
    """Per ticker (or topic) of `keys`: the stories within `span` carrying it, as (time
    keys, ids) in time order, their signatures added to `signatures`; one range of the
    covering (key, time key, id, signature) index each."""
    if not keys:
        return {}
    key = _link_key(link)

    def stmt(dialect: str) -> Select[Any]:
        return (
            select(key, link.pub_key, link.article_id, link.title_sig)
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
    for value, pub_key, article_id, signature in driver.fetch(session, prepared, params):
        times, owners = index.setdefault(value, ([], []))
        times.append(pub_key)
        owners.append(article_id)
        signatures[article_id] = signature
    return index


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


def neighbour_pairs(session: Session, ids: list[int]) -> tuple[Pairs, Signatures]:
    """For each new story, up to NEAREST other stories within the window sharing a key,
    walking the link indexes per story; and the neighbours' signatures."""
    found: dict[int, dict[int, int]] = defaultdict(dict)
    signatures: Signatures = {}
    with_tickers: set[int] = set()
    links: tuple[tuple[type[ArticleTicker] | type[ArticleTopic], str], ...] = (
        (ArticleTicker, "symbol"),
        (ArticleTopic, "topic"),
    )
    for link, key in links:
        wanted = ids if link is ArticleTicker else [i for i in ids if i not in with_tickers]
        if not wanted:
            break
        params = {"ids": bound.values(session, wanted)}
        for before in (True, False):
            prepared = driver.prepare(
                ("nearest", link.__tablename__, before),
                partial(_nearest, link=link, key=key, before=before),
                session.get_bind().dialect,
            )
            # On the driver's cursor: tens of thousands of rows per archive batch.
            for new_id, old_id, gap, signature in driver.fetch(session, prepared, params):
                signatures[old_id] = signature
                near = found[new_id]
                known = near.get(old_id)
                if known is None or gap < known:
                    near[old_id] = gap
        if link is ArticleTicker:
            with_tickers.update(found)
    by_gap = itemgetter(1)
    pairs = {new_id: sorted(near.items(), key=by_gap)[:NEAREST] for new_id, near in found.items()}
    return pairs, signatures


def _nearest(
    dialect: str, link: type[ArticleTicker] | type[ArticleTopic], key: str, before: bool
) -> Select[int, int, int, int | None]:
    """(new id, neighbour id, gap, its signature) for the SIDE nearest stories on one side
    of each new link.

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
            old.title_sig.label("old_sig"),
        )
        .where(
            getattr(old, key) == getattr(new, key),
            old.pub_key.between(lo, hi),
            old.article_id != new.article_id,
        )
        .order_by(old.pub_key.desc() if before else old.pub_key.asc())
        .limit(SIDE)
    )
    new_ones = bound.in_list(new.article_id, "ids", dialect)
    if dialect == "postgresql":
        side = nearest.lateral()
        return (
            select(
                new.article_id,
                side.c.old_id,
                func.abs(side.c.old_key - new.pub_key),
                side.c.old_sig,
            )
            .select_from(new)
            .join(side, true())
            .where(new_ones)
        )
    # SQLite has no LATERAL: the same walk as a correlated IN on the index's key.
    other = aliased(link)
    keys = nearest.with_only_columns(old.pub_key)
    return (
        select(
            new.article_id,
            other.article_id,
            func.abs(other.pub_key - new.pub_key),
            other.title_sig,
        )
        .select_from(new)
        .join(other, and_(getattr(other, key) == getattr(new, key), other.pub_key.in_(keys)))
        .where(new_ones)
    )
