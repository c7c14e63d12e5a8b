"""Story tone with VADER and finance terms."""

from __future__ import annotations

import pytest
from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

from terminal.enrich.sentiment import analyzer, sentiment


@pytest.mark.parametrize(
    "title",
    [
        "Nvidia beats estimates, raises guidance",
        "Apple posts record revenue as iPhone sales soar",
        "Analysts upgrade Micron as shares surge",
        "Stocks rally to all-time high",
    ],
)
def test_good_news_reads_positive(title: str) -> None:
    assert sentiment(title, "") > 0.3


@pytest.mark.parametrize(
    "title",
    [
        "Intel issues guidance cut; shares plunge",
        "Tesla recalls 2 million cars after probe",
        "Retailer files for bankruptcy",
        "Stocks tumble as layoffs mount",
        "Analyst downgrade sends shares lower",
        "Chipmaker misses estimates, faces lawsuit",
    ],
)
def test_bad_news_reads_negative(title: str) -> None:
    assert sentiment(title, "") < -0.3


def test_finance_words_move_the_score_where_plain_vader_does_not() -> None:
    plain = SentimentIntensityAnalyzer()
    assert plain.polarity_scores("Stock prices plunge")["compound"] == 0.0
    assert plain.polarity_scores("Revenue beats estimates")["compound"] == 0.0
    assert sentiment("Stock prices plunge", "") < -0.3
    assert sentiment("Revenue beats estimates", "") > 0.3


def test_multiword_terms_count_as_one_term() -> None:
    assert sentiment("Company announces guidance cut", "") < -0.3
    assert sentiment("Company announces guidance", "") == 0.0


def test_negation_still_applies_to_finance_terms() -> None:
    assert sentiment("Company did not beat estimates", "") < 0


def test_neutral_news_is_near_zero_and_scores_stay_in_range() -> None:
    assert sentiment("Fed holds rates steady", "") == 0.0
    assert sentiment("", "") == 0.0
    score = sentiment("Great great great! Record revenue!", "Soars. Surges. Beats. " * 100)
    assert -1.0 <= score <= 1.0


def test_the_lede_counts_but_the_title_counts_more() -> None:
    title_only = sentiment("Stock prices plunge", "")
    with_good_lede = sentiment("Stock prices plunge", "Later they rebounded strongly.")
    assert with_good_lede > title_only  # the lede pulls the score up...
    assert with_good_lede < 0  # ...but not past the title's tone


def test_the_fast_analyzer_scores_exactly_as_vader_does() -> None:
    stock = SentimentIntensityAnalyzer()
    fast = analyzer()
    texts = [
        "The movie was not so good at all, but the ending was great!!",
        "Never so happy, without doubt the best; at least it isn't horrible.",
        "It's kind of the bomb, VERY SMART and FUNNY, no good at all",
        "Today SUX! the shit hit the fan \U0001f600",
        "The plot was good, but the characters are uncompelling and the dialog is not great.",
    ]
    for text in texts:
        expected = stock.polarity_scores(text)["compound"]
        # the finance lexicon is additive: these texts hold none of its words
        assert fast.polarity_scores(text)["compound"] == expected
