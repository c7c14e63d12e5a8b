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

from collections import defaultdict
from collections.abc import Mapping
from itertools import groupby
from typing import Any, NamedTuple

import numpy as np
from sqlalchemy import Select, bindparam, func, select
from sqlalchemy.orm import Session

from db.models import Article, ArticleTicker, ArticleTopic
from terminal import bound, driver
from terminal.enrich.clusters import (
    content_words,
    fingerprint_words,
    may_share,
    signature_probes,
    words_needed,
)
from terminal.nearest import SIDE, WINDOW_US, Near, closest, entries, joined
from terminal.neighbour_walk import neighbour_pairs

PACK_BITS = 44  # a time within a window read at once (window_pairs), in microseconds
# A batch whose window (48 hours around its stories) holds more stored stories than this
# (an archive import spread over years) walks the indexes per story instead: reading its
# tickers' ranges across so long a span would cost more.
WINDOW_MAX = 30_000
# ... and a batch spread over more than this many days walks without counting (counting
# up to WINDOW_MAX stories took 3-4 ms of each archive batch); both ways find the same
# neighbours, so this only chooses the faster one.
WINDOW_DAYS_MAX = 30


def window(session: Session, times: list[int]) -> tuple[int, int] | None:
    """(lo, hi) time keys 48 hours around stories at these time keys, if that span holds at
    most WINDOW_MAX stored stories; None otherwise (or when there are none, or when the
    stories are spread over more than WINDOW_DAYS_MAX days)."""
    if not times or max(times) - min(times) > WINDOW_DAYS_MAX * 24 * 3600 * 1_000_000:
        return None
    lo, hi = min(times) - WINDOW_US, max(times) + WINDOW_US
    held = select(Article.pub_key).where(Article.pub_key.between(lo, hi)).limit(WINDOW_MAX + 1)
    count = session.connection().execute(select(func.count()).select_from(held.subquery()))
    return (lo, hi) if count.scalar_one() <= WINDOW_MAX else None


def candidates(
    session: Session, new_rows: Mapping[int, Story], span: tuple[int, int] | None
) -> tuple[dict[int, list[int]], dict[int, Story], dict[int, frozenset[str]]]:
    """Each new story's neighbours worth comparing (nearest first): those whose titles
    share enough words with its own (`shares_enough`); and the rows and words of the new
    stories (`new_rows`, read by `stories`) and of those neighbours.

    The neighbours come from the window (`span`, see `window`) or, without one, from the
    index walk; either way each comes with its title's signature from the link index, and
    only those whose titles may share enough words with the new story's (`may_share`:
    exact, so no neighbour that could match is dropped) have their rows read. A new story
    with neighbours keeps its entry even when none is worth comparing.
    """
    rows = dict(new_rows)
    new = list(new_rows)
    near = (
        neighbour_pairs(session, new, rows)
        if span is None
        else window_pairs(session, new, rows, span)
    )
    words = {i: _words(rows[i]) for i in new}
    order = np.array(sorted(new), dtype=np.int64)
    mine = [words[i] for i in order.tolist()]
    at = np.searchsorted(order, near.story)
    sizes = np.array([len(w) for w in mine], dtype=np.int64)
    keep = may_share(signature_probes(mine), at, sizes[at], near.sig)
    worth: dict[int, list[int]] = {i: [] for i in np.unique(near.story).tolist()}
    for story, other in zip(near.story[keep].tolist(), near.other[keep].tolist(), strict=True):
        worth[story].append(other)
    if others := sorted(set(near.other[keep].tolist()) - rows.keys()):
        rows |= stories(session, others)
    for story, found in worth.items():
        worth[story] = _sharing(words[story], found, rows, words)
    return worth, {i: rows[i] for i in words}, words


def _sharing(
    mine: frozenset[str],
    others: list[int],
    rows: dict[int, Story],
    words: dict[int, frozenset[str]],
) -> list[int]:
    """The stories among `others` whose titles share enough words with `mine` to compare
    (shares_enough); their words go into `words`.

    Most neighbours the signatures let through share too few (about 95% in an archive
    import): their stored words are counted against `mine` as split, not made into a set
    first. (Stored title words are a fingerprint: each word once.)"""
    out = []
    size = len(mine)
    for other in others:
        theirs = words.get(other)
        if theirs is None:
            row = rows[other]
            if row.title_words is None:
                theirs = words[other] = content_words(row.title)
            else:
                listed = row.title_words.split()
                shortest = min(size, len(listed))
                if shortest and len(mine.intersection(listed)) >= words_needed(shortest):
                    words[other] = frozenset(listed)
                    out.append(other)
                continue
        shortest = min(size, len(theirs))
        if shortest and len(mine & theirs) >= words_needed(shortest):
            out.append(other)
    return out


def _words(row: Story) -> frozenset[str]:
    """A story's content words: stored with it, or (NULL) reduced from its title here."""
    return (
        content_words(row.title) if row.title_words is None else fingerprint_words(row.title_words)
    )


def window_pairs(
    session: Session, ids: list[int], rows: dict[int, Story], span: tuple[int, int]
) -> Near:
    """neighbour_pairs() in memory, from one read per ticker (or topic) of the time window.

    Each new story (`rows` holds theirs) takes, per ticker, the SIDE nearest stories on
    either side within `span` (48 hours around the new ones), as the index walk does; one
    with no such neighbour takes them per topic instead. Only the new stories' own
    tickers and topics are read, each as one range of its covering (key, time key, id,
    signature) index; the nearest are then found for the whole batch at once, with numpy.
    """
    parts: list[Near] = []
    found: set[int] = set()
    for link in (ArticleTicker, ArticleTopic):
        wanted = [i for i in ids if i not in found]
        if not wanted:
            break
        keys_of = _keys_of(session, link, sorted(wanted), rows)
        with_key: dict[str, list[int]] = defaultdict(list)
        for new_id, keys in keys_of.items():
            for key in keys:
                with_key[key].append(new_id)
        times, owners, sigs, ranges = _keys_in_window(session, link, span, sorted(with_key))
        if not ranges:
            continue
        first, length, story, me = _ranges(times, ranges, with_key, rows, span)
        offsets = np.cumsum(length) - length
        index = np.arange(int(length.sum())) - np.repeat(offsets, length)
        index += np.repeat(first, length)
        near = closest(
            np.repeat(story, length),
            owners[index],
            times[index],
            np.repeat(me, length),
            sigs[index],
        )
        parts.append(near)
        found.update(near.story.tolist())
    return joined(parts)


def _ranges(
    times: np.ndarray,
    ranges: dict[str, tuple[int, int]],
    with_key: dict[str, list[int]],
    rows: dict[int, Story],
    span: tuple[int, int],
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """For each (new story, one of its keys): where its candidates start in the window's
    arrays and how many there are (its SIDE nearest on either side within 48 hours, and
    itself), with the story and its time key.

    Each key's rows are one run of `times`, in time order; (run, time since the window's
    start) packed into one integer orders the whole window, so one binary search per
    bound finds every story's place at once. (A window longer than the packing allows,
    about 200 days, is searched run by run.)"""
    names = list(ranges)
    run = {name: i for i, name in enumerate(names)}
    pairs = [(story, run[key]) for key in names for story in with_key[key]]
    story = np.array([p[0] for p in pairs], dtype=np.int64)
    own = np.array([p[1] for p in pairs], dtype=np.int64)
    me = np.array([rows[i].pub_key for i in story.tolist()], dtype=np.int64)
    starts = np.array([ranges[name][0] for name in names], dtype=np.int64)
    ends = np.array([ranges[name][1] for name in names], dtype=np.int64)
    lo, hi = span
    if hi - lo < 1 << PACK_BITS and len(names) < 1 << (62 - PACK_BITS):
        of_row = np.repeat(np.arange(len(names), dtype=np.int64), ends - starts)
        packed = (of_row << PACK_BITS) | (times - lo)
        base = own << PACK_BITS
        at = np.searchsorted(packed, base | (me - lo))  # the story itself: keys are unique
        low = np.searchsorted(packed, base | (me - WINDOW_US - lo))
        high = np.searchsorted(packed, base | (me + WINDOW_US - lo), "right")
    else:
        at, low, high = (np.empty(len(pairs), dtype=np.int64) for _ in range(3))
        for i in range(len(names)):
            mine = own == i
            segment, offset = times[starts[i] : ends[i]], starts[i]
            at[mine] = offset + np.searchsorted(segment, me[mine])
            low[mine] = offset + np.searchsorted(segment, me[mine] - WINDOW_US)
            high[mine] = offset + np.searchsorted(segment, me[mine] + WINDOW_US, "right")
    first = np.maximum(at - SIDE, low)
    last = np.minimum(at + 1 + SIDE, high)
    return first, np.maximum(last - first, 0), story, me


def _link_key(link: type[ArticleTicker] | type[ArticleTopic]) -> Any:
    return link.symbol if link is ArticleTicker else link.topic  # type: ignore[union-attr]


def _keys_of(
    session: Session,
    link: type[ArticleTicker] | type[ArticleTopic],
    ids: list[int],
    rows: dict[int, Story],
) -> dict[int, list[str]]:
    """Each story's tickers (or topics), by name, sorted; from what the store wrote when
    every story is one it has just stored (`Story.known`)."""
    written = {i: rows[i].known for i in ids}
    if all(w is not None for w in written.values()):
        keys = "tickers" if link is ArticleTicker else "topics"
        return {i: list(getattr(w, keys)) for i, w in written.items()}
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
) -> tuple[np.ndarray, np.ndarray, np.ndarray, dict[str, tuple[int, int]]]:
    """The stories within `span` carrying each ticker (or topic) of `keys`: time keys, ids
    and signatures as arrays in (key, time) order, and each key's (start, end) in them;
    one range of the covering (key, time key, id, walk entry) index each, the numbers
    read from the entries at once (terminal/nearest.py: entries)."""
    if not keys:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty, np.zeros((0, 2), dtype=np.int64), {}
    key = _link_key(link)

    def stmt(dialect: str) -> Select[Any]:
        return (
            select(key, link.walk_entry)
            .where(
                bound.in_list(key, "keys", dialect, "str"),
                link.pub_key.between(bindparam("lo"), bindparam("hi")),
                link.walk_entry.is_not(None),
            )
            .order_by(key, link.pub_key)
        )

    # On the driver's cursor (thousands of rows a batch: see terminal/driver.py).
    prepared = driver.prepare(
        ("window links", link.__tablename__), stmt, session.get_bind().dialect
    )
    lo, hi = span
    params = {"keys": bound.values(session, keys, "str"), "lo": lo, "hi": hi}
    found = driver.fetch(session, prepared, params)
    if not found:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty, np.zeros((0, 2), dtype=np.int64), {}
    values, packed = zip(*found, strict=True)
    walked = entries(b"".join(packed))
    ranges: dict[str, tuple[int, int]] = {}
    start = 0
    for value, group in groupby(values):
        end = start + sum(1 for _ in group)
        ranges[value] = (start, end)
        start = end
    return walked[:, 0].copy(), walked[:, 1].copy(), walked[:, 2:].copy(), ranges


class Story(NamedTuple):
    """What clustering reads of a story (a plain tuple: attribute reads on SQLAlchemy's
    rows raised and caught an AttributeError inside each, 1.3% of an import).

    A story the writer has just stored comes with what it wrote beside the row (`known`):
    its tickers and topics, so clustering does not read them back."""

    id: int
    title: str
    title_words: str | None
    pub_key: int
    cluster_id: int | None
    cluster_size: int
    known: Written | None = None


class Written(NamedTuple):
    """A new story's links, as the store wrote them."""

    tickers: tuple[str, ...]  # sorted, each once
    topics: tuple[str, ...]


def stories(session: Session, ids: list[int]) -> dict[int, Story]:
    """The stories of `ids` that exist, by id, in the order of `ids`."""

    def stmt(dialect: str) -> Any:
        a = Article
        return select(a.id, a.title, a.title_words, a.pub_key, a.cluster_id, a.cluster_size).where(
            bound.in_list(a.id, "ids", dialect)
        )

    prepared = driver.prepare("cluster stories", stmt, session.get_bind().dialect)
    found = {
        row[0]: Story(*row)
        for row in driver.fetch(session, prepared, {"ids": bound.values(session, ids)})
    }
    return {i: found[i] for i in ids if i in found}
