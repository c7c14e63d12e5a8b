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


# A title's signature: one bit per content word (its CRC-32 modulo 63, so the value fits a
# signed 64-bit column), kept in the link indexes beside each story's time key. Clustering
# reads a neighbour's row only when the signature says its title may share enough words
# with the new one (`may_share`), which rejects most neighbours from the index alone.
SIGNATURE_BITS = 63


@lru_cache(maxsize=200_000)
def _word_bit(word: str) -> int:
    return 1 << (zlib.crc32(word.encode("utf-8")) % SIGNATURE_BITS)


def title_signature(words: Iterable[str]) -> int:
    """The signature of a title's content words (those of title_fingerprint())."""
    signature = 0
    for word in words:
        signature |= _word_bit(word)
    return signature


@dataclass(frozen=True, slots=True)
class SignatureProbe:
    """A title's words, prepared to test other titles' signatures against (`may_share`)."""

    mask: int  # the title's own signature
    size: int  # its content words
    collided: int  # words whose bit another of its words already set


def signature_probe(words: frozenset[str]) -> SignatureProbe:
    mask = title_signature(words)
    return SignatureProbe(mask, len(words), len(words) - mask.bit_count())


def may_share(
    mask: np.ndarray, size: np.ndarray, collided: np.ndarray, signature: np.ndarray
) -> np.ndarray:
    """For (probe, signature) pairs (the probes' fields and the signatures as int64
    arrays): False only where a title with that signature cannot share enough words with
    the probe's title to be compared (shares_enough); a negative signature (not known)
    may always share.

    Exact, never a false "no": every shared word has its bit in both signatures, so the
    shared words are at most the common bits plus the probe's collided words; and the
    other title has at least as many words as its signature has bits, so the words
    needed are at least words_needed() of that smaller count.
    """
    known = np.maximum(signature, 0)
    shortest = np.minimum(size, np.bitwise_count(known).astype(np.int64))
    needed = np.where(shortest > SHORT_TITLE_WORDS, MIN_SHARED_WORDS, np.minimum(3, shortest))
    common = np.bitwise_count(mask & known).astype(np.int64) + collided
    return (signature < 0) | ((shortest > 0) & (common >= needed))


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
