"""Story clusters: the same event reported by several outlets, found by near-duplicate titles."""

from __future__ import annotations

import re
import unicodedata
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache

import numpy as np
from rapidfuzz import fuzz

WINDOW = timedelta(hours=48)
THRESHOLD = 70.0
MIN_SHARED_WORDS = 4
SHORT_TITLE_WORDS = 4

_PUBLISHER_SUFFIX = re.compile(r"\s+[-\u2013\u2014|]\s+((?:[A-Z0-9&'.][\w&'.]*\s?){1,5})$")
_TOKEN = re.compile(r"[a-z0-9$][a-z0-9$%.,]*[a-z0-9%]|[a-z0-9]")
# fmt: off
_STOPWORDS = frozenset({
    "a", "an", "the", "and", "or", "of", "to", "in", "on", "for", "at", "by", "with", "from",
    "as", "is", "are", "was", "were", "be", "been", "its", "it", "this", "that", "after",
    "amid", "over", "into", "than", "says", "said", "say", "report", "reports", "update",
    "exclusive", "live",
})
# fmt: on


@dataclass(frozen=True, slots=True)
class ClusterCandidate:
    """A stored story a new one may repeat: its id, title, time and cluster (if any).

    `words` are the title's content words when the caller already has them (stored with
    the story); None means find_cluster reduces the title itself.
    """

    article_id: int
    title: str
    published_at: datetime
    cluster_id: int | None = None
    words: frozenset[str] | None = None


def strip_publisher(title: str) -> str:
    """A title without a trailing outlet name (" - Reuters", " | CNBC", " — Bloomberg")."""
    return _PUBLISHER_SUFFIX.sub("", title.strip())


@lru_cache(maxsize=200_000)
def _word(token: str) -> str:
    """A token with plural and possessive endings dropped ("chips" -> "chip")."""
    token = token.removesuffix("'s").rstrip(".,")
    if len(token) > 3 and token.endswith("s") and not token.endswith("ss"):
        token = token[:-1]
    if len(token) > 5 and token.endswith("ing"):
        return token[:-3]
    if len(token) > 4 and token.endswith("ed"):
        return token[:-2]
    return token


@lru_cache(maxsize=50_000)
def _words(title: str) -> frozenset[str]:
    """The content words of a title, normalised (cached: a batch compares each title often)."""
    text = title.strip()
    if "-" in text or "|" in text or "\u2013" in text or "\u2014" in text:
        # Only a title with one of these marks can end in an outlet name (strip_publisher).
        text = _PUBLISHER_SUFFIX.sub("", text)
    text = unicodedata.normalize("NFKC", text).lower().replace("\u2019", "'")
    return frozenset(map(_word, _TOKEN.findall(text.replace("'s ", " ")))) - _STOPWORDS


def _utc(moment: datetime) -> datetime:
    """An aware UTC time (a naive one, as some databases return, is taken as UTC)."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def title_fingerprint(title: str) -> str:
    """A title reduced to its sorted content words: equal for trivially different titles."""
    return " ".join(sorted(_words(title)))


def title_similarity(a: str, b: str) -> float:
    """How alike two titles are, 0..100: rapidfuzz's token_set_ratio of their content words.

    Titles sharing fewer than four content words (three when one has at most four)
    score 0: token_set_ratio alone calls any subset a match ("Fed holds rates" would
    join "Fed cuts rates by a quarter point").
    """
    return _similarity(_words(a), _words(b))


def content_words(title: str) -> frozenset[str]:
    """A title's content words, as the cluster rules compare them."""
    return _words(title)


def fingerprint_words(fingerprint: str) -> frozenset[str]:
    """The content words of a stored title_fingerprint() (the inverse of joining them)."""
    return frozenset(fingerprint.split())


def shares_enough(words_a: frozenset[str], words_b: frozenset[str]) -> bool:
    """Whether two titles share enough content words to be compared at all (a cheap pre-check)."""
    shortest = min(len(words_a), len(words_b))
    return bool(shortest) and len(words_a & words_b) >= words_needed(shortest)


def words_needed(shortest: int) -> int:
    """Shared content words two titles need, the shorter having `shortest` words."""
    return MIN_SHARED_WORDS if shortest > SHORT_TITLE_WORDS else min(3, shortest)


# A title's signature, kept in the link indexes beside each story's time key (two signed
# 64-bit columns, `title_sig` and `title_sig2`): its content words' 10-bit hashes (CRC-32
# modulo 1023), the smallest twelve in order, six to a column, and its word count (three
# bits in each column's top). Clustering reads a neighbour's row only when the signature
# says its title may share enough words with the new one (`may_share`), which rejects
# most neighbours from the index alone: of an archive import's neighbours it lets through
# 2.5%, where 1.6% do share enough (round 12's one 63-bit mask let through 28%).
CODE_BITS = 10
CODE_SLOTS = 6  # word hashes per column
CODE_EMPTY = (1 << CODE_BITS) - 1  # an empty slot: no word hashes to it
CODED_WORDS_MAX = 63  # the count's six bits; a title with more words has no signature
_COUNT_SHIFT = CODE_BITS * CODE_SLOTS
PROBE_WORDS = (CODE_EMPTY + 1) // 64  # a probe: one bit per hash, as 64-bit integers


@lru_cache(maxsize=200_000)
def word_hash(word: str) -> int:
    """A content word's 10-bit hash (never CODE_EMPTY)."""
    return zlib.crc32(word.encode("utf-8")) % CODE_EMPTY


def title_signature(words: Iterable[str]) -> tuple[int, int] | None:
    """The signature of a title's content words (those of title_fingerprint()), as the two
    link columns hold it; None (not known) past CODED_WORDS_MAX words."""
    hashes = sorted(word_hash(w) for w in set(words))
    count = len(hashes)
    if count > CODED_WORDS_MAX:
        return None
    slots = (hashes + [CODE_EMPTY] * 2 * CODE_SLOTS)[: 2 * CODE_SLOTS]
    halves = []
    for half, bits in enumerate((count & 7, count >> 3)):
        value = bits << _COUNT_SHIFT
        for k, h in enumerate(slots[half * CODE_SLOTS : (half + 1) * CODE_SLOTS]):
            value |= h << (CODE_BITS * k)
        halves.append(value)
    return halves[0], halves[1]


def signature_probes(titles: Sequence[Iterable[str]]) -> np.ndarray:
    """Each title's words as a probe for `may_share`: one bit per word hash, PROBE_WORDS
    int64 values a title (an array of shape (titles, PROBE_WORDS))."""
    owner: list[int] = []
    hashes: list[int] = []
    for i, words in enumerate(titles):
        for word in words:
            owner.append(i)
            hashes.append(word_hash(word))
    probes = np.zeros((len(titles), PROBE_WORDS), dtype=np.uint64)
    h = np.array(hashes, dtype=np.uint64)
    np.bitwise_or.at(probes, (np.array(owner, dtype=np.int64), (h >> 6).astype(np.int64)),
                     np.left_shift(np.uint64(1), h & np.uint64(63)))  # fmt: skip
    return probes.view(np.int64)


def may_share(
    probes: np.ndarray, which: np.ndarray, size: np.ndarray, signature: np.ndarray
) -> np.ndarray:
    """For (title, other title's signature) pairs: the titles' probes (`signature_probes`),
    which probe each pair tests and its title's word count, and the other titles'
    signatures (shape (pairs, 2), negative: not known). False only where the other title
    cannot share enough words with the probe's title to be compared (shares_enough); a
    signature not known may always share.

    Exact, never a false "no": each word of the other title has its own slot, or counts
    among those past the twelfth; a shared word's hash is in the probe, so the shared
    words are at most the slots the probe holds plus the words not in a slot; and the
    word count is exact, so the words needed are words_needed() of the smaller count.
    """
    first, second = signature[:, 0], signature[:, 1]
    mask = np.int64(CODE_EMPTY)
    count = ((first >> _COUNT_SHIFT) & 7) | (((second >> _COUNT_SHIFT) & 7) << 3)
    held = np.zeros(len(signature), dtype=np.int64)
    for half in (first, second):
        for k in range(CODE_SLOTS):
            h = (half >> (CODE_BITS * k)) & mask
            held += (probes[which, h >> 6] >> (h & 63)) & 1
    unslotted = np.maximum(count - 2 * CODE_SLOTS, 0)
    shortest = np.minimum(size, count)
    needed = np.where(shortest > SHORT_TITLE_WORDS, MIN_SHARED_WORDS, np.minimum(3, shortest))
    known = (first >= 0) & (second >= 0)
    return ~known | ((shortest > 0) & (held + unslotted >= needed))


def _similarity(words_a: frozenset[str], words_b: frozenset[str]) -> float:
    """title_similarity() on titles already reduced to their content words."""
    if not shares_enough(words_a, words_b):
        return 0.0
    return float(fuzz.token_set_ratio(" ".join(sorted(words_a)), " ".join(sorted(words_b))))


def find_cluster(
    title: str,
    published_at: datetime,
    candidates: Sequence[ClusterCandidate],
    *,
    words: frozenset[str] | None = None,
) -> ClusterCandidate | None:
    """The candidate reporting the same story (most alike, then nearest in time), else None.

    Same story: published within 48 hours and titles at least THRESHOLD alike. Times
    without a zone are read as UTC. `words`, when given, are `title`'s content words.
    """
    words, when = (_words(title) if words is None else words), _utc(published_at)
    best: tuple[float, timedelta, ClusterCandidate] | None = None
    for candidate in candidates:
        gap = abs(_utc(candidate.published_at) - when)
        if gap > WINDOW:
            continue
        theirs = _words(candidate.title) if candidate.words is None else candidate.words
        score = _similarity(words, theirs)
        if score >= THRESHOLD and (best is None or (score, -gap) > (best[0], -best[1])):
            best = (score, gap, candidate)
    return best[2] if best else None
