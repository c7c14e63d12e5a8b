"""Which topics a story is about, from taxonomy keyword hits (title hits count more)."""

from __future__ import annotations

import math
from collections import Counter
from functools import cache

from terminal.enrich.patterns import PhraseMatcher, phrase_matcher
from terminal.taxonomy import topics

TITLE_WEIGHT = 1.0
TEXT_WEIGHT = 0.34
MAX_HITS_PER_KEYWORD = 3
MIN_SCORE = 0.3


@cache
def _keywords() -> tuple[PhraseMatcher, dict[str, tuple[str, ...]]]:
    """One matcher for every keyword, and keyword -> the slugs it stands for."""
    slugs: dict[str, list[str]] = {}
    for topic in topics():
        for keyword in topic.keywords:
            slugs.setdefault(keyword.lower(), []).append(topic.slug)
    return phrase_matcher(slugs), {k: tuple(v) for k, v in slugs.items()}


def _hits(text: str) -> Counter[str]:
    """Slug -> keyword hits in a text; one keyword counts at most three times."""
    matcher, slugs = _keywords()
    per_keyword = Counter(phrase for phrase, _, _ in matcher.finditer(text))
    hits: Counter[str] = Counter()
    for keyword, count in per_keyword.items():
        for slug in slugs.get(keyword, ()):
            hits[slug] += min(count, MAX_HITS_PER_KEYWORD)
    return hits


def tag_topics(title: str, text: str) -> dict[str, float]:
    """Slug -> score 0..1, strongest first, for topics scoring at least MIN_SCORE.

    score = 1 - exp(-(1.0 * title hits + 0.34 * text hits)): one title hit gives 0.63,
    one passing hit in the text 0.29 (below the cut), two 0.49.
    """
    in_title, in_text = _hits(title), _hits(text)
    scores = {}
    for slug in in_title.keys() | in_text.keys():
        weight = TITLE_WEIGHT * in_title[slug] + TEXT_WEIGHT * in_text[slug]
        score = round(1 - math.exp(-weight), 3)
        if score >= MIN_SCORE:
            scores[slug] = score
    return dict(sorted(scores.items(), key=lambda item: (-item[1], item[0])))
