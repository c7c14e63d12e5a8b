"""Story clusters: reworded headlines of one event join; other events do not."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import numpy as np
import pytest

from terminal.enrich.clusters import (
    CODED_WORDS_MAX,
    ClusterCandidate,
    content_words,
    find_cluster,
    fingerprint_words,
    may_share,
    shares_enough,
    signature_probes,
    strip_publisher,
    title_fingerprint,
    title_signature,
    word_hash,
)

NOW = datetime(2025, 9, 18, 14, 0, tzinfo=UTC)

SAME_EVENT = [
    (
        "DeepSeek claims training R1 model cost less than $300,000; acknowledges A100 use",
        "DeepSeek says its R1 model cost just $294,000 to train - Reuters",
    ),
    (
        "DeepSeek claims training R1 model cost less than $300,000; acknowledges A100 use",
        "China's DeepSeek reveals R1 model training cost of $294,000 | CNBC",
    ),
    (
        "Nvidia beats quarterly revenue estimates on AI chip demand",
        "Nvidia quarterly revenue tops estimates as AI demand booms - Bloomberg",
    ),
    (
        "Nvidia to invest $5 billion in Intel",
        "Nvidia to invest $5 billion in Intel, co-develop chips - Reuters",
    ),
    (
        "Fed cuts interest rates by a quarter point",
        "Federal Reserve cuts rates by quarter point, signals more to come",
    ),
    (
        "Tesla recalls 2 million vehicles over Autopilot concerns",
        "Tesla recalls over 2 million vehicles to fix Autopilot system | CNBC",
    ),
    (
        "Microsoft to buy Activision Blizzard for $68.7 billion",
        "Microsoft agrees to buy Activision Blizzard in $68.7 billion deal",
    ),
]
OTHER_EVENTS = [
    (
        "DeepSeek claims training R1 model cost less than $300,000; acknowledges A100 use",
        "DeepSeek releases new V3.1 model with agent features",
    ),
    (
        "Nvidia beats quarterly revenue estimates on AI chip demand",
        "Nvidia shares fall after China bans purchases of its AI chips",
    ),
    (
        "Nvidia beats quarterly revenue estimates on AI chip demand",
        "Nvidia to invest $5 billion in Intel",
    ),
    (
        "Tesla recalls 2 million vehicles over Autopilot concerns",
        "Tesla quarterly deliveries beat estimates",
    ),
    (
        "Tesla recalls 2 million vehicles over Autopilot concerns",
        "Tesla shares jump as Musk unveils robotaxi",
    ),
    ("Apple unveils iPhone 17 at September event", "Apple faces EU antitrust fine over App Store"),
    ("Intel shares jump on report of Nvidia investment", "Intel shares fall after weak guidance"),
    ("Fed cuts interest rates by a quarter point", "Fed holds interest rates steady"),
]


def _candidate(title: str, hours: float = 2, cluster_id: int | None = None) -> ClusterCandidate:
    return ClusterCandidate(7, title, NOW - timedelta(hours=hours), cluster_id)


@pytest.mark.parametrize(("first", "second"), SAME_EVENT)
def test_reworded_headlines_of_one_event_cluster(first: str, second: str) -> None:
    assert find_cluster(second, NOW, [_candidate(first)]) is not None
    assert find_cluster(first, NOW, [_candidate(second)]) is not None


@pytest.mark.parametrize(("first", "second"), OTHER_EVENTS)
def test_other_events_about_the_same_company_do_not(first: str, second: str) -> None:
    assert find_cluster(second, NOW, [_candidate(first)]) is None


def test_stories_far_apart_in_time_do_not_cluster() -> None:
    title = "Nvidia to invest $5 billion in Intel"
    assert find_cluster(title, NOW, [_candidate(title, hours=72)]) is None
    assert find_cluster(title, NOW - timedelta(hours=72), [_candidate(title, hours=0)]) is None


def test_the_most_alike_candidate_wins_then_the_nearest() -> None:
    title = "Nvidia to invest $5 billion in Intel"
    reworded = ClusterCandidate(1, "Nvidia will put $5 billion into Intel, shares jump", NOW, 10)
    exact_far = ClusterCandidate(2, title, NOW - timedelta(hours=30), 20)
    exact_near = ClusterCandidate(3, title, NOW - timedelta(hours=1), None)
    assert find_cluster(title, NOW, [reworded]) == reworded
    assert find_cluster(title, NOW, [reworded, exact_far]) == exact_far
    assert find_cluster(title, NOW, [reworded, exact_far, exact_near]) == exact_near
    assert find_cluster(title, NOW, []) is None


@pytest.mark.parametrize(
    ("title", "stripped"),
    [
        ("Nvidia rises - Reuters", "Nvidia rises"),
        ("Nvidia rises | CNBC", "Nvidia rises"),
        ("Nvidia rises \u2014 Bloomberg News", "Nvidia rises"),
        ("Nvidia rises", "Nvidia rises"),
        ("Nvidia rises - and that is why it matters", "Nvidia rises - and that is why it matters"),
    ],
)
def test_publisher_suffixes_are_stripped(title: str, stripped: str) -> None:
    assert strip_publisher(title) == stripped


def test_fingerprints_ignore_order_case_outlet_and_filler() -> None:
    a = title_fingerprint("Nvidia Shares Fall After China Ban - Reuters")
    b = title_fingerprint("China ban: nvidia shares fall")
    assert a == b
    assert title_fingerprint("Tesla recalls cars") != title_fingerprint("Tesla sells cars")


def test_naive_times_are_read_as_utc() -> None:
    title = "Nvidia to invest $5 billion in Intel"
    naive = ClusterCandidate(1, title, datetime(2025, 9, 18, 13, 0), None)
    assert find_cluster(title, NOW, [naive]) == naive
    assert find_cluster(title, NOW.replace(tzinfo=None), [_candidate(title)]) is not None


@pytest.mark.parametrize("title", [t for pair in SAME_EVENT + OTHER_EVENTS for t in pair])
def test_a_stored_fingerprint_reads_back_as_the_titles_content_words(title: str) -> None:
    assert fingerprint_words(title_fingerprint(title)) == content_words(title)


@pytest.mark.parametrize(("first", "second"), SAME_EVENT + OTHER_EVENTS)
def test_precomputed_words_decide_as_the_titles_would(first: str, second: str) -> None:
    stored = replace(_candidate(first), words=content_words(first))
    found = find_cluster(second, NOW, [stored], words=content_words(second))
    assert (found == stored) == ((first, second) in SAME_EVENT)


def test_a_candidates_stored_words_are_what_is_compared() -> None:
    title = "Nvidia to invest $5 billion in Intel"
    stale = replace(_candidate(title), words=content_words("Tesla recalls cars over seat belts"))
    assert find_cluster(title, NOW, [stale]) is None
    assert find_cluster(title, NOW, [_candidate(title)]) is not None


def _may_share(pairs: list[tuple[frozenset[str], tuple[int, int] | None]]) -> list[bool]:
    """may_share for (title words, other title's signature) pairs (None: not known)."""
    probes = signature_probes([words for words, _ in pairs])
    which = np.arange(len(pairs))
    sizes = np.array([len(words) for words, _ in pairs], dtype=np.int64)
    signatures = np.array([sig or (-1, -1) for _, sig in pairs], dtype=np.int64).reshape(-1, 2)
    return may_share(probes, which, sizes, signatures).tolist()


def test_a_signature_never_rejects_a_title_that_shares_enough_words() -> None:
    """may_share is exact: whenever two titles share enough words to compare, the
    signature says so; and it turns away most titles that do not (what it is for)."""
    import random

    rng = random.Random(11)
    vocabulary = [f"w{i}" for i in range(400)]  # small, so titles often share words
    pairs = []
    for _ in range(20_000):
        mine = frozenset(rng.sample(vocabulary, rng.randint(0, 12)))
        theirs = frozenset(rng.sample(vocabulary, rng.randint(0, 12)))
        if rng.random() < 0.3:  # a look-alike: some of mine in theirs
            theirs |= frozenset(rng.sample(sorted(mine), min(len(mine), rng.randint(1, 5))))
        pairs.append((mine, theirs))
    verdicts = _may_share([(mine, title_signature(theirs)) for mine, theirs in pairs])
    kept = rejected = 0
    for (mine, theirs), verdict in zip(pairs, verdicts, strict=True):
        if shares_enough(mine, theirs):
            assert verdict, (sorted(mine), sorted(theirs))
            kept += 1
        elif not verdict:
            rejected += 1
    assert kept > 1_000
    assert rejected > 0.97 * (20_000 - kept)
    # A signature not known may always share; an empty title never does.
    assert _may_share([(frozenset({"chip", "export"}), None)]) == [True]
    assert _may_share([(frozenset({"chip"}), title_signature(frozenset()))]) == [False]


def test_a_long_titles_words_past_its_twelfth_hash_count_as_possibly_shared() -> None:
    """A signature holds twelve word hashes (the smallest) and the word count: words
    without a slot may be shared, so a long title is never turned away for them; and a
    title past CODED_WORDS_MAX words has no signature (always read)."""
    words = sorted((f"word{i}" for i in range(40)), key=word_hash)
    theirs = frozenset(words[:14])  # fourteen words: the two with the largest hashes have no slot
    other = words[30:36]  # none of theirs
    mine = frozenset([*words[12:14], *words[:2], *other])  # both unslotted and two slotted
    assert shares_enough(mine, theirs)
    assert _may_share([(mine, title_signature(theirs))]) == [True]
    # Both unslotted and one slotted: three shared, too few, and the signature can tell.
    fewer = frozenset([*words[12:14], words[0], *other])
    assert not shares_enough(fewer, theirs)
    assert _may_share([(fewer, title_signature(theirs))]) == [False]
    assert title_signature([f"w{i}" for i in range(CODED_WORDS_MAX + 1)]) is None
    assert title_signature([f"w{i}" for i in range(CODED_WORDS_MAX)]) is not None


def test_colliding_words_are_counted_as_possibly_shared() -> None:
    """Two words of a title on one hash: either may be the one shared."""
    words = [f"w{i}" for i in range(400)]
    a, b = next((x, y) for x in words for y in words if x < y and word_hash(x) == word_hash(y))
    others = [w for w in words if word_hash(w) != word_hash(a)][:6]
    mine = frozenset({a, *others[:4]})  # holds a, not b
    theirs = frozenset({a, b, *others[:3]})  # shares a and three others: four words
    assert shares_enough(mine, theirs)
    assert _may_share([(mine, title_signature(theirs))]) == [True]
    # b in place of a: only three shared words, yet b's hash is a's, so it may share.
    swapped = frozenset({b, *others[:4]})
    assert not shares_enough(swapped, frozenset({a, *others[:3], others[5]}))
    assert _may_share([(swapped, title_signature({a, *others[:3], others[5]}))]) == [True]
