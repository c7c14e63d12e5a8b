"""The topic taxonomy: its contents, label resolution and topic-line splitting."""

from __future__ import annotations

import re

import pytest

from terminal.taxonomy import Topic, by_slug, resolve_topic, split_topic_line, topics
from tests.conftest import FIRST_ARTICLE_TOPICS

FIRST_ARTICLE_LINE = (
    "Artificial IntelligenceTechnology & InnovationSanctions & Export Controls"
    "Company FundamentalsProduct LaunchesGeopolitics & War"
)
REQUIRED_LABELS = [
    "Artificial Intelligence", "Technology & Innovation", "Sanctions & Export Controls",
    "Company Fundamentals", "Product Launches", "Geopolitics & War", "Earnings", "M&A",
    "Regulation & Legal", "Macro & Rates", "Energy & Commodities", "Supply Chain", "Labor",
    "Crypto", "Markets", "Analyst Ratings", "Management Changes", "Dividends & Buybacks",
    "IPOs & Listings", "Semiconductors", "Healthcare & Biotech",
]  # fmt: skip


def test_taxonomy_holds_every_label_analysts_expect() -> None:
    labels = {t.label for t in topics()}
    assert set(REQUIRED_LABELS) <= labels
    assert 20 <= len(topics()) <= 26


def test_topics_are_well_formed() -> None:
    slugs = [t.slug for t in topics()]
    assert len(set(slugs)) == len(slugs)
    for topic in topics():
        assert isinstance(topic, Topic)
        assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", topic.slug)
        assert 0 < topic.weight <= 1
        assert topic.keywords and all(k.strip() == k and k for k in topic.keywords)


def test_slugs_follow_the_agreed_spelling() -> None:
    assert by_slug()["artificial-intelligence"].label == "Artificial Intelligence"
    assert by_slug()["sanctions-export-controls"].label == "Sanctions & Export Controls"
    assert by_slug()["m-and-a"].label == "M&A"


def test_topics_are_immutable_and_cached() -> None:
    assert topics() is topics()
    with pytest.raises(AttributeError):
        topics()[0].weight = 0.1  # type: ignore[misc]
    by_slug().clear()
    assert "earnings" in by_slug()


@pytest.mark.parametrize(
    ("value", "slug"),
    [
        ("M&A", "m-and-a"),
        ("m and a", "m-and-a"),
        ("m-and-a", "m-and-a"),
        ("Macro and Rates", "macro-rates"),
        ("  sanctions &  EXPORT controls ", "sanctions-export-controls"),
        ("geopolitics-war", "geopolitics-war"),
        ("IPOs & Listings", "ipos-listings"),
    ],
)
def test_resolve_topic_accepts_labels_and_slugs_loosely(value: str, slug: str) -> None:
    assert resolve_topic(value) == slug


@pytest.mark.parametrize("value", ["", "and", "Weather", "Artificial", "earnings season"])
def test_resolve_topic_rejects_what_is_not_a_topic(value: str) -> None:
    assert resolve_topic(value) is None


def test_split_topic_line_reads_the_first_article_run_together_line() -> None:
    assert split_topic_line(FIRST_ARTICLE_LINE) == FIRST_ARTICLE_TOPICS


@pytest.mark.parametrize(
    ("line", "slugs"),
    [
        ("Earnings, M&A | Macro and Rates", ["earnings", "m-and-a", "macro-rates"]),
        ("Markets · Crypto", ["markets", "crypto"]),
        ("Labor; Supply Chain", ["labor", "supply-chain"]),
        ("EarningsM&AEarnings", ["earnings", "m-and-a"]),
        ("semiconductors", ["semiconductors"]),
    ],
)
def test_split_topic_line_accepts_separated_labels(line: str, slugs: list[str]) -> None:
    assert split_topic_line(line) == slugs


@pytest.mark.parametrize(
    "line",
    [
        "",
        "The company reported strong earnings on Tuesday",
        "Earnings; Weather",
        "Artificial IntelligenceTechnology",
        "DeepSeek claims training R1 model cost less than $300,000",
    ],
)
def test_split_topic_line_returns_none_for_ordinary_text(line: str) -> None:
    assert split_topic_line(line) is None
