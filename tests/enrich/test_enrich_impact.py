"""Catalyst's impact score and the source tiers behind it."""

from __future__ import annotations

import itertools

import pytest

from terminal.enrich.impact import impact_model, source_tier, taxonomy_weights

BASE = {
    "topic_scores": {"earnings": 0.6},
    "sentiment": 0.4,
    "relevance": 0.5,
    "source_tier": 0.6,
    "novelty": 0.7,
}


@pytest.mark.parametrize(
    ("publisher", "tier"),
    [
        ("Reuters", 1.0),
        ("www.reuters.com", 1.0),
        ("Bloomberg News", 1.0),
        ("The Wall Street Journal", 0.95),
        ("FT", 0.95),
        ("Barron's", 0.85),
        ("CNBC", 0.85),
        ("MarketWatch", 0.75),
        ("Yahoo Finance", 0.65),
        ("Benzinga", 0.55),
        ("Seeking Alpha", 0.55),
        ("PR Newswire", 0.45),
        ("Business Wire", 0.45),
        ("The Motley Fool", 0.4),
    ],
)
def test_source_tier_knows_the_usual_publishers(publisher: str, tier: float) -> None:
    assert source_tier(publisher) == tier


@pytest.mark.parametrize("publisher", ["", "Some Blog", "Microsoft", "Draft notes"])
def test_unknown_publishers_get_the_middle_tier(publisher: str) -> None:
    assert source_tier(publisher) == 0.5


def test_impact_is_in_range_and_deterministic() -> None:
    assert impact_model(**BASE) == impact_model(**BASE)  # type: ignore[arg-type]
    low = impact_model(topic_scores={}, sentiment=0, relevance=0, source_tier=0, novelty=0)
    high = impact_model(
        topic_scores={"earnings": 1, "m-and-a": 1, "macro-rates": 1},
        sentiment=-1,
        relevance=1,
        source_tier=1,
        novelty=1,
    )
    assert low == 0.0
    assert 0.95 < high <= 1.0


def test_impact_follows_the_documented_formula() -> None:
    weight = taxonomy_weights()["earnings"]
    core = 0.45 * (0.6 * weight) + 0.30 * 0.5 + 0.25 * 0.4
    expected = core * (0.5 + 0.5 * 0.6) * (0.4 + 0.6 * 0.7)
    assert impact_model(**BASE) == round(expected, 4)  # type: ignore[arg-type]


@pytest.mark.parametrize("field", ["relevance", "source_tier", "novelty"])
def test_impact_never_falls_as_an_input_rises(field: str) -> None:
    values = [0.0, 0.2, 0.5, 0.8, 1.0]
    scores = [impact_model(**{**BASE, field: v}) for v in values]  # type: ignore[arg-type]
    assert all(a < b for a, b in itertools.pairwise(scores))


def test_impact_rises_with_the_strength_of_sentiment_either_way() -> None:
    scores = [impact_model(**{**BASE, "sentiment": s}) for s in (0, 0.3, 0.9)]  # type: ignore[arg-type]
    assert scores[0] < scores[1] < scores[2]
    assert impact_model(**{**BASE, "sentiment": -0.9}) == scores[2]  # type: ignore[arg-type]


def test_impact_rises_with_topic_scores_weights_and_more_topics() -> None:
    one = impact_model(**BASE)  # type: ignore[arg-type]
    stronger = impact_model(**{**BASE, "topic_scores": {"earnings": 0.9}})  # type: ignore[arg-type]
    more = impact_model(**{**BASE, "topic_scores": {"earnings": 0.6, "labor": 0.5}})  # type: ignore[arg-type]
    heavier = impact_model(**BASE, topic_weights={"earnings": 1.0})  # type: ignore[arg-type]
    lighter = impact_model(**BASE, topic_weights={"earnings": 0.1})  # type: ignore[arg-type]
    assert one < stronger and one < more
    assert lighter < one < heavier


def test_out_of_range_inputs_are_clipped() -> None:
    wild = impact_model(
        topic_scores={"earnings": 7}, sentiment=-3, relevance=9, source_tier=2, novelty=5
    )
    assert 0.0 <= wild <= 1.0
    assert (
        impact_model(topic_scores={}, sentiment=0, relevance=-1, source_tier=-1, novelty=-1) == 0.0
    )
