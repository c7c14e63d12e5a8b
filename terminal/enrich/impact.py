"""Catalyst's own impact score for a story, 0..1, from topic, tone, relevance, source, novelty."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from functools import cache, lru_cache
from pathlib import Path

from terminal.taxonomy import topics

_DATA = Path(__file__).parent.parent / "data" / "source_tiers.json"
_NON_WORD = re.compile(r"[^a-z0-9.'/]+")

TOPIC_SHARE = 0.45
RELEVANCE_SHARE = 0.30
SENTIMENT_SHARE = 0.25
SOURCE_FLOOR = 0.5
NOVELTY_FLOOR = 0.4


@cache
def _tiers() -> tuple[float, re.Pattern[str], dict[str, float]]:
    """The default tier, one regex over every alias, and alias -> tier."""
    data = json.loads(_DATA.read_text(encoding="utf-8"))
    tiers = {alias: float(t["tier"]) for t in data["tiers"] for alias in t["aliases"]}
    aliases = "|".join(re.escape(a) for a in sorted(tiers, key=len, reverse=True))
    return float(data["default"]), re.compile(rf"(?<!\w)(?:{aliases})(?!\w)"), tiers


@lru_cache(maxsize=4096)
def source_tier(publisher: str) -> float:
    """How market-moving a publisher's stories tend to be, 0..1; unknown ones get 0.5.

    Cached per publisher string: a feed or file repeats a handful of publishers.
    """
    default, regex, tiers = _tiers()
    name = " ".join(_NON_WORD.sub(" ", publisher.lower()).split())
    found = [tiers[m[0]] for m in regex.finditer(name)]
    return max(found) if found else default


@cache
def taxonomy_weights() -> dict[str, float]:
    """Slug -> the taxonomy's weight for it."""
    return {t.slug: t.weight for t in topics()}


@cache
def _unit_weights() -> dict[str, float]:
    """taxonomy_weights() clipped into 0..1, as topic_signal() uses them."""
    return {slug: _unit(weight) for slug, weight in taxonomy_weights().items()}


def topic_signal(topic_scores: Mapping[str, float], weights: Mapping[str, float]) -> float:
    """Noisy-OR of score x weight over the topics: 1 - prod(1 - score * weight)."""
    remaining = 1.0
    for slug, score in topic_scores.items():
        remaining *= 1.0 - _unit(score) * _unit(weights.get(slug, 0.5))
    return 1.0 - remaining


def _noisy_or(topic_scores: Mapping[str, float], unit_weights: Mapping[str, float]) -> float:
    """topic_signal() with the weights already clipped into 0..1 (unknown slugs 0.5)."""
    remaining = 1.0
    for slug, score in topic_scores.items():
        unit = (score if score < 1.0 else 1.0) if score > 0.0 else 0.0  # _unit(score), inline
        remaining *= 1.0 - unit * unit_weights.get(slug, 0.5)
    return 1.0 - remaining


def _unit(value: float) -> float:
    """A value clipped into 0..1: exactly min(1.0, max(0.0, value)) (NaN, -0.0 too), faster."""
    return (value if value < 1.0 else 1.0) if value > 0.0 else 0.0


def impact_model(
    *,
    topic_scores: Mapping[str, float],
    sentiment: float,
    relevance: float,
    source_tier: float,
    novelty: float = 1.0,
    topic_weights: Mapping[str, float] | None = None,
) -> float:
    """How likely a story is to move prices, 0..1, rounded to 4 places.

        T = 1 - prod over topics (1 - score * weight)        (noisy-OR, 0..1)
        core = 0.45 * T + 0.30 * relevance + 0.25 * |sentiment|
        impact = core * (0.5 + 0.5 * source_tier) * (0.4 + 0.6 * novelty)

    Non-decreasing in every topic score and weight, in relevance, in |sentiment|, in
    source tier and in novelty; inputs are clipped into their ranges first. Unknown
    slugs weigh 0.5; topic_weights defaults to the taxonomy's.
    """
    if topic_weights is None:
        signal = _noisy_or(topic_scores, _unit_weights())
    else:
        signal = topic_signal(topic_scores, topic_weights)
    core = (
        TOPIC_SHARE * signal
        + RELEVANCE_SHARE * _unit(relevance)
        + SENTIMENT_SHARE * _unit(abs(sentiment))
    )
    source = SOURCE_FLOOR + (1 - SOURCE_FLOOR) * _unit(source_tier)
    fresh = NOVELTY_FLOOR + (1 - NOVELTY_FLOOR) * _unit(novelty)
    return round(core * source * fresh, 4)
