"""enrich(): filling an ArticleRecord with tickers, topics, tone and impact_model."""

from __future__ import annotations

from datetime import UTC, datetime

from terminal.enrich import enrich
from terminal.records import ArticleRecord
from tests.conftest import FIRST_ARTICLE, FIRST_ARTICLE_TOPICS

SIX_LABELS = [
    "Artificial Intelligence", "Technology & Innovation", "Sanctions & Export Controls",
    "Company Fundamentals", "Product Launches", "Geopolitics & War",
]  # fmt: skip


def _first_article() -> ArticleRecord:
    lines = FIRST_ARTICLE.read_text(encoding="utf-8").splitlines()
    return ArticleRecord(
        title=lines[3],
        published_at=datetime(2025, 9, 18, tzinfo=UTC),
        summary=lines[9],
        analysis=lines[13],
        publisher="AllMind AI Terminal",
        tickers=["NVDA", "TSLA", "INTC"],
        topics=list(SIX_LABELS),
        impact=0.5,
    )


def test_first_article_keeps_its_tickers_and_topics_and_gains_scores() -> None:
    record = enrich(_first_article())
    assert record.tickers[:3] == ["NVDA", "TSLA", "INTC"]
    assert record.ticker_relevance["TSLA"] == 1.0  # tagged by the source, never named
    assert 0.7 < record.ticker_relevance["NVDA"] < 1.0  # from the text
    assert record.topics[:6] == FIRST_ARTICLE_TOPICS
    assert "semiconductors" in record.topics
    assert record.sentiment is not None and -1 <= record.sentiment <= 1
    assert record.impact_model is not None and 0 < record.impact_model <= 1
    assert record.impact == 0.5


def test_extracted_tickers_and_topics_fill_a_bare_record() -> None:
    record = enrich(
        ArticleRecord(
            title="Intel shares plunge after guidance cut",
            published_at=datetime(2025, 1, 1, tzinfo=UTC),
            body="Intel said demand for its chips weakened as chipmakers cut orders.",
            publisher="Reuters",
        )
    )
    assert record.tickers == ["INTC"]
    assert set(record.ticker_relevance) == {"INTC"}
    assert {"earnings", "semiconductors"} <= set(record.topics)
    assert record.sentiment is not None and record.sentiment < 0
    assert record.impact is None


def test_given_values_win_and_odd_spellings_are_tidied() -> None:
    record = ArticleRecord(
        title="Nvidia rises",
        published_at=datetime(2025, 1, 1, tzinfo=UTC),
        tickers=["$nvda", " AMD", "AMD"],
        topics=["m and a", "Not A Topic", "earnings"],
        ticker_relevance={"AMD": 0.2},
        sentiment=0.9,
    )
    enrich(record)
    assert record.tickers == ["NVDA", "AMD"]
    assert record.ticker_relevance == {"NVDA": 0.699, "AMD": 0.2}
    assert record.topics[:2] == ["m-and-a", "earnings"]
    assert "Not A Topic" not in record.topics
    assert record.sentiment == 0.9


def test_lower_novelty_lowers_impact() -> None:
    fresh = enrich(_first_article()).impact_model
    repeat = enrich(_first_article(), novelty=0.2).impact_model
    assert fresh is not None and repeat is not None and repeat < fresh
