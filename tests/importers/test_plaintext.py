"""The plain-text layout of our first article."""

from __future__ import annotations

from datetime import UTC, datetime

from terminal.importers import read_bytes, read_path
from terminal.importers.plaintext import read_text
from tests.conftest import FIRST_ARTICLE, FIRST_ARTICLE_TOPICS

NOW = datetime(2026, 1, 5, 12, 0, tzinfo=UTC)


def test_first_article_reads_as_one_story_with_its_score_tickers_and_topics():
    result = read_path(FIRST_ARTICLE, now=NOW)
    assert result.rejected == []
    [story] = result.records
    assert story.title == (
        "DeepSeek claims training R1 model cost less than $300,000; acknowledges A100 use"
    )
    assert story.impact == 0.5
    assert story.tickers == ["NVDA", "TSLA", "INTC"]
    assert story.topics == FIRST_ARTICLE_TOPICS
    assert story.summary.startswith("Chinese AI startup DeepSeek claims its R1 model")
    assert story.summary.endswith("efficient AI training methodologies.")
    assert story.analysis.startswith("Chinese AI startup DeepSeek has claimed")
    assert story.analysis.endswith("access to critical hardware.")
    assert story.publisher == "AllMind AI Terminal"


def test_page_furniture_stays_out_of_the_story():
    [story] = read_path(FIRST_ARTICLE, now=NOW).records
    everything = " ".join([story.title, story.summary, story.analysis])
    assert "Back to News" not in everything
    assert "AI-powered research" not in everything
    assert "Market Impact" not in everything
    assert "NVDATSLAINTC" not in everything


def test_a_text_without_a_date_uses_import_time_and_says_it_is_estimated():
    result = read_path(FIRST_ARTICLE, now=NOW)
    [story] = result.records
    assert story.published_at == NOW
    assert story.published_estimated is True
    assert any("estimated" in w for w in result.warnings)


def test_published_at_option_sets_the_time():
    when = datetime(2025, 9, 18, 14, 30, tzinfo=UTC)
    [story] = read_path(FIRST_ARTICLE, now=NOW, published_at=when).records
    assert story.published_at == when
    assert story.published_estimated is False


def test_header_metadata_lines_are_read():
    text = (
        "Published: 2025-03-03T15:00:00-05:00\nSource: Example Wire\n"
        "URL: https://example.com/a\nMarket Impact: 80%\n\n"
        "Apple unveils new chip\n\nAAPL\n\nApple said on Monday it would ship a new chip.\n"
    )
    [story] = read_text(text, now=NOW).records
    assert story.published_at == datetime(2025, 3, 3, 20, 0, tzinfo=UTC)
    assert story.publisher == "Example Wire"
    assert story.url == "https://example.com/a"
    assert story.impact == 0.8
    assert story.tickers == ["AAPL"]
    assert story.summary == "Apple said on Monday it would ship a new chip."


def test_several_articles_separated_by_dashes_and_a_bad_part_is_reported():
    text = "First headline\n\nBody one.\n---\n\n\n---\nMarket Impact: 7\nSecond headline\n\nBody two.\n"
    result = read_text(text, now=NOW)
    assert [r.title for r in result.records] == ["First headline", "Second headline"]
    assert result.records[1].impact is None
    assert any("Market Impact" in w for w in result.warnings)


def test_text_with_no_headline_is_rejected_not_fatal():
    result = read_bytes(b"Back to News\n\n\n", name="empty.txt", now=NOW)
    assert result.records == []
    assert result.rejected and "headline" in result.rejected[0].reason


def test_windows_line_endings_and_cp1252_bytes_are_read():
    data = FIRST_ARTICLE.read_bytes().replace(b"\n", b"\r\n") + b"\r\nCaf\xe9\r\n"
    result = read_bytes(data, name="a.txt", now=NOW)
    [story] = result.records
    assert story.tickers == ["NVDA", "TSLA", "INTC"]
    assert any("Windows-1252" in w for w in result.warnings)
