"""Ticker extraction: explicit symbol forms, company names, no bare-word false hits."""

from __future__ import annotations

import pytest

from terminal.enrich.tickers import extract_tickers, relevance
from tests.conftest import FIRST_ARTICLE


@pytest.mark.parametrize(
    ("title", "symbols"),
    [
        ("A new chip from Nvidia beats expectations", {"NVDA"}),
        ("Tesla (TSLA) recalls 200,000 vehicles", {"TSLA"}),
        ("Shares of Intel Corp. (NASDAQ: INTC) jump 8%", {"INTC"}),
        ("Berkshire Hathaway (NYSE: BRK.B) adds to Chevron stake", {"BRK.B", "CVX"}),
        ("Buffett buys more stock (NYSE:BRK-B filing)", {"BRK.B"}),
        ("Nasdaq:AAPL slips in early trade", {"AAPL"}),
        ("$AAPL $MSFT lead tech higher", {"AAPL", "MSFT"}),
        ("Traders pile into $BRK.B and $SOUN", {"BRK.B", "SOUN"}),
        ("Nvidia (NVDA.O) shares fall", {"NVDA"}),
        ("Ralph Lauren (RL) earnings beat", {"RL"}),
        ("Advanced Micro Devices (AMD) unveils new GPU", {"AMD"}),
        ("Google parent Alphabet hit with antitrust suit", {"GOOGL"}),
        ("Meta Platforms to cut jobs; Facebook parent restructures", {"META"}),
        ("Apple and Microsoft race to $4 trillion", {"AAPL", "MSFT"}),
        ("Amazon.com Inc profit jumps on cloud demand", {"AMZN"}),
        ("Eli Lilly's obesity drug wins approval", {"LLY"}),
        ("Samsung and TSMC race for 2nm chips", {"TSM"}),
        ("NVIDIA AND INTEL ANNOUNCE PARTNERSHIP", {"NVDA", "INTC"}),
        ("eBay beats estimates", {"EBAY"}),
    ],
)
def test_finds_the_companies_a_headline_names(title: str, symbols: set[str]) -> None:
    assert set(extract_tickers(title, "")) == symbols


@pytest.mark.parametrize(
    "title",
    [
        "IT spending rises as companies budget for AI",
        "A new chip design wins praise",
        "ALL eyes on the Fed as rates decision looms",
        "NOW is the time to buy stocks, strategist says",
        "CAN the rally last? ON a roll, BE careful, ARE you in?",
        "The BIG short returns as GDP slows",
        "Reinforcement learning (RL) is hot again",
        "Chief Executive Officer (CEO) resigns at startup",
        "apple pie recipes for the fall",
        "Fed Misses Its Inflation Target Again",
        "Oil rises as $USD weakens; costs top $300,000",
        "The Nasdaq closes at a record",
        "A meta-analysis finds no effect",
    ],
)
def test_bare_words_and_acronyms_are_not_tickers(title: str) -> None:
    assert extract_tickers(title, "") == {}


def test_first_article_is_about_nvidia() -> None:
    lines = FIRST_ARTICLE.read_text(encoding="utf-8").splitlines()
    title, text = lines[3], "\n".join(lines[7:15])
    found = extract_tickers(title, text)
    assert "NVDA" in found
    assert found["NVDA"] > 0.7  # named five times in the text
    assert "RL" not in found  # "reinforcement learning (RL)"


def test_title_mentions_weigh_more_than_text_mentions() -> None:
    in_title = extract_tickers("Nvidia shares slide", "Chips fell broadly.")
    in_text = extract_tickers("Chip stocks slide", "Nvidia fell with its peers.")
    assert in_title["NVDA"] > in_text["NVDA"]


def test_more_mentions_mean_more_relevance_capped_at_one() -> None:
    once = extract_tickers("Chips slide", "Intel fell.")["INTC"]
    thrice = extract_tickers("Chips slide", "Intel fell. Intel said so. Intel cut jobs.")["INTC"]
    assert once < thrice <= 1.0
    assert relevance(50, 500) == 1.0
    assert relevance(0, 0) == 0.0


def test_a_symbol_after_its_company_name_is_one_mention() -> None:
    assert extract_tickers("Nvidia (NVDA) rises", "") == extract_tickers("Nvidia rises", "")


def test_most_relevant_symbols_come_first() -> None:
    found = extract_tickers(
        "Nvidia to invest in Intel", "Nvidia said. Nvidia added. Microsoft too."
    )
    assert list(found) == ["NVDA", "INTC", "MSFT"]


def test_custom_symbol_and_name_tables_are_honoured() -> None:
    names = {"acme widgets": "ACME"}
    found = extract_tickers(
        "Acme Widgets soars", "Analysts like (ACME).", symbols={"ACME"}, names=names
    )
    assert list(found) == ["ACME"]
    assert extract_tickers("Nvidia soars", "", symbols={"ACME"}, names=names) == {}
