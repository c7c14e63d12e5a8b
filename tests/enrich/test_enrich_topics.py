"""Topic tagging from taxonomy keywords."""

from __future__ import annotations

import pytest

from terminal.enrich.topics import MIN_SCORE, tag_topics
from terminal.taxonomy import by_slug
from tests.conftest import FIRST_ARTICLE


@pytest.mark.parametrize(
    ("title", "slug"),
    [
        ("Nvidia beats estimates, raises guidance", "earnings"),
        ("Fed cuts interest rates by a quarter point", "macro-rates"),
        ("Microsoft to acquire Activision in $69 billion deal", "m-and-a"),
        ("FDA approves Lilly obesity drug", "healthcare-biotech"),
        ("US widens export controls on AI chips to China", "sanctions-export-controls"),
        ("Oil jumps as OPEC+ extends output cuts", "energy-commodities"),
        ("Morgan Stanley downgrades Tesla, cuts price target", "analyst-ratings"),
        ("Intel CEO steps down", "management-changes"),
        ("Apple announces $110 billion share buyback", "dividends-buybacks"),
        ("Bitcoin tops $100,000", "crypto"),
        ("Arm prices IPO at top of range", "ipos-listings"),
        ("Boeing machinists vote to end strike action", "labor"),
    ],
)
def test_headlines_get_their_topic(title: str, slug: str) -> None:
    assert slug in by_slug()
    assert slug in tag_topics(title, "")


def test_first_article_topics_include_its_own_labels() -> None:
    lines = FIRST_ARTICLE.read_text(encoding="utf-8").splitlines()
    found = tag_topics(lines[3], "\n".join(lines[7:15]))
    assert {"artificial-intelligence", "semiconductors", "sanctions-export-controls"} <= set(found)


def test_title_hits_weigh_more_than_text_hits() -> None:
    in_title = tag_topics("Bitcoin rallies", "")["crypto"]
    in_text = tag_topics("Prices move", "Bitcoin and ether rallied.")["crypto"]
    assert in_title > in_text


def test_one_passing_mention_in_the_text_is_not_a_topic() -> None:
    assert "crypto" not in tag_topics("Stocks close higher", "One fund also holds some bitcoin.")


def test_scores_stay_in_range_and_drop_weak_topics() -> None:
    text = "earnings " * 50 + "guidance " * 50
    scores = tag_topics("Earnings guidance earnings", text)
    assert all(MIN_SCORE <= s <= 1.0 for s in scores.values())
    assert tag_topics("", "") == {}


def test_keywords_match_whole_words_only() -> None:
    assert "crypto" not in tag_topics("Cryptozoology club meets", "")
    assert "artificial-intelligence" not in tag_topics("Said the chair", "")
