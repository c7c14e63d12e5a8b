"""Which topics a story is about, from taxonomy keyword hits (title hits count more)."""

from __future__ import annotations

import math
from functools import cache, lru_cache
from operator import itemgetter

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


def _hits(text: str) -> dict[str, int]:
    """Slug -> keyword hits in a text; one keyword counts at most three times."""
    matcher, slugs = _keywords()
    seen: dict[str, int] = {}
    hits: dict[str, int] = {}
    for keyword in matcher.findall(text):
        count = seen.get(keyword, 0)
        if count < MAX_HITS_PER_KEYWORD:
            seen[keyword] = count + 1
            for slug in slugs.get(keyword, ()):
                hits[slug] = hits.get(slug, 0) + 1
    return hits


@lru_cache(maxsize=4096)
def _score(title_hits: int, text_hits: int) -> float:
    """1 - exp(-(1.0 * title hits + 0.34 * text hits)), to 3 places (few distinct pairs occur)."""
    weight = TITLE_WEIGHT * title_hits + TEXT_WEIGHT * text_hits
    return round(1 - math.exp(-weight), 3)


def tag_topics(title: str, text: str) -> dict[str, float]:
    """Slug -> score 0..1, strongest first, for topics scoring at least MIN_SCORE.

    score = 1 - exp(-(1.0 * title hits + 0.34 * text hits)): one title hit gives 0.63,
    one passing hit in the text 0.29 (below the cut), two 0.49.
    """
    in_title, in_text = _hits(title), _hits(text)
    scores = {}
    for slug, hits in in_title.items():
        score = _score(hits, in_text.get(slug, 0))
        if score >= MIN_SCORE:
            scores[slug] = score
    for slug, hits in in_text.items():
        if slug not in in_title:
            score = _score(0, hits)
            if score >= MIN_SCORE:
                scores[slug] = score
    if len(scores) < 2:
        return scores
    # Slug order first, then a stable sort by score, highest first: (-score, slug).
    ordered = sorted(scores.items())
    ordered.sort(key=itemgetter(1), reverse=True)
    return dict(ordered)
