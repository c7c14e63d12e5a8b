"""The nearest-neighbour rule clustering applies, on arrays: each new story's NEAREST
stories within 48 hours, SIDE per key and side, found by `terminal/neighbours.py` (from
a batch's window) or `terminal/neighbour_walk.py` (by walking the indexes per story).
"""

from __future__ import annotations

import struct
from collections.abc import Sequence
from typing import NamedTuple

import numpy as np

WINDOW_US = 48 * 3600 * 1_000_000
GAP_BITS = WINDOW_US.bit_length()  # a gap within the window fits this many bits
NEAREST = 40
SIDE = NEAREST // 2
Pairs = dict[int, list[tuple[int, int]]]  # new story -> (neighbour, gap), nearest first
UNKNOWN = -1  # a link's title signature when it has none
# A link's entry in the walk (its `walk_entry` column, last in the link indexes): the
# story's time key, id and title signature's two halves (UNKNOWN, UNKNOWN when it has
# none), as four big-endian 64-bit integers. Handed back as hex by the SQLite walk, 32
# bytes a neighbour are parsed at once (`entries`): the same numbers as decimal text
# cost the walk a third more, in SQLite and in the parse (0013_walk_entries). Every link
# the store writes has one; a link without (written by hand) is not anyone's neighbour.
ENTRY = struct.Struct(">qqqq")


def entry(pub_key: int, article_id: int, sig: Sequence[int | None] | None) -> bytes:
    """A link's walk entry."""
    first, second = sig if sig is not None and sig[0] is not None else (UNKNOWN, UNKNOWN)
    return ENTRY.pack(pub_key, article_id, first, UNKNOWN if second is None else second)


def entries(packed: bytes) -> np.ndarray:
    """Walk entries one after another, as an (n, 4) array: time key, id, signature."""
    return np.frombuffer(packed, dtype=">i8").astype(np.int64).reshape(-1, 4)


class Near(NamedTuple):
    """The new stories' nearest neighbours as parallel arrays, by new story and then
    nearest first (ties in time order), at most NEAREST per story."""

    story: np.ndarray  # the new story's id
    other: np.ndarray  # the neighbour's id
    gap: np.ndarray  # |difference of their time keys|
    sig: np.ndarray  # the neighbour's title signature, (n, 2); UNKNOWN when not stored

    def pairs(self) -> Pairs:
        """As {new story: [(neighbour, gap), ...]}."""
        out: Pairs = {}
        for story, other, gap in zip(
            self.story.tolist(), self.other.tolist(), self.gap.tolist(), strict=True
        ):
            out.setdefault(story, []).append((other, gap))
        return out


def closest(story: np.ndarray, other: np.ndarray, when: np.ndarray, me: np.ndarray,
             sig: np.ndarray) -> Near:  # fmt: skip
    """Candidate (new story, neighbour) pairs, with the neighbour's and the new story's time
    keys, cut to each story's NEAREST others: itself dropped, a neighbour found twice (by
    two tickers) kept once, then nearest first, ties in time order.

    One sort: by story, then gap, then side (before first) packed into one integer. Time
    keys are unique, so a neighbour found twice gives the same packed value twice, side by
    side, and only the first is kept.
    """
    mine = other != story
    story, other, when, me, sig = story[mine], other[mine], when[mine], me[mine], sig[mine]
    gap = np.abs(when - me)
    _, position = np.unique(story, return_inverse=True)
    packed = (position.astype(np.int64) << GAP_BITS + 1) | (gap << 1) | (when > me)
    order = np.argsort(packed, kind="stable")
    packed = packed[order]
    once = np.ones(len(packed), dtype=bool)
    once[1:] = packed[1:] != packed[:-1]
    order, packed = order[once], packed[once]
    group = packed >> GAP_BITS + 1
    starts = np.ones(len(group), dtype=bool)
    starts[1:] = group[1:] != group[:-1]
    at = np.arange(len(group))
    order = order[at - np.maximum.accumulate(np.where(starts, at, 0)) < NEAREST]
    return Near(story[order], other[order], gap[order], sig[order])


def _none() -> Near:
    empty = np.zeros(0, dtype=np.int64)
    return Near(empty, empty, empty, np.zeros((0, 2), dtype=np.int64))


def joined(parts: list[Near]) -> Near:
    if not parts:
        return _none()
    if len(parts) == 1:
        return parts[0]
    return Near(*(np.concatenate(column) for column in zip(*parts, strict=True)))
