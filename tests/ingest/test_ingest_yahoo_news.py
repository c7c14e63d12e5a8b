"""Yahoo Finance news: both item shapes through yfinance's real code, deadlines, plain failures."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
import yfinance.cache
import yfinance.data

from terminal.ingest.yahoo_news import fetch_yahoo_news, parse_yahoo_items
from tests.ingest.yahoo_news_fake import FakeYahooNews, ad_item, flat_item, nested_item, session_for

NOW = datetime(2025, 1, 29, 12, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def fresh_yfinance(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """A new yfinance singleton per test and no cookie cache on disk."""
    monkeypatch.setattr(
        yfinance.cache._CookieCacheManager, "_Cookie_cache", yfinance.cache._CookieCacheDummy()
    )
    instances = yfinance.data.SingletonMeta._instances
    saved = instances.pop(yfinance.data.YfData, None)
    yield
    instances.pop(yfinance.data.YfData, None)
    if saved is not None:
        instances[yfinance.data.YfData] = saved


def test_nested_items_come_through_yfinance_as_records() -> None:
    fake = FakeYahooNews(
        {
            "NVDA": [
                ad_item(),
                nested_item("n-1", "Nvidia <b>soars</b> on AI demand", ["NVDA", "^GSPC"]),
            ]
        }
    )
    result, errors = fetch_yahoo_news(["nvda"], session=session_for(fake), now=NOW)
    assert errors == [] and fake.unexpected == []
    (record,) = result.records  # the sponsored slot was dropped by yfinance
    assert record.title == "Nvidia soars on AI demand"
    assert record.summary == "Nvidia soars on AI demand, analysts said on Tuesday."
    assert record.url == "https://finance.yahoo.com/news/n-1-144900123.html"
    assert record.guid == "n-1"
    assert record.publisher == "Reuters"
    assert record.published_at == datetime(2025, 1, 28, 14, 49, tzinfo=UTC)
    assert not record.published_estimated
    assert record.tickers == ["NVDA", "^GSPC"]
    assert record.language == "en"
    assert fake.news_requests[0]["params"]["crumb"] == "fake-crumb"
    assert fake.news_requests[0]["payload"]["serviceConfig"]["s"] == ["NVDA"]


def test_flat_items_come_through_yfinance_as_records() -> None:
    fake = FakeYahooNews({"TSLA": [flat_item("f-1", "Tesla recalls 2M cars", ["TSLA", "F"])]})
    result, errors = fetch_yahoo_news(["TSLA"], session=session_for(fake), now=NOW)
    assert errors == [] and fake.unexpected == []
    (record,) = result.records
    assert (record.title, record.guid, record.publisher) == (
        "Tesla recalls 2M cars",
        "f-1",
        "Motley Fool",
    )
    assert record.url == "https://finance.yahoo.com/m/f-1/story.html"
    assert record.published_at == datetime(2024, 4, 30, 16, 0, tzinfo=UTC)
    assert record.tickers == ["TSLA", "F"]


def test_a_story_listed_for_two_symbols_is_kept_once_with_both_tickers() -> None:
    shared = nested_item("s-1", "Chipmakers rally", ["NVDA"])
    also = nested_item("s-1", "Chipmakers rally", ["AMD"])
    fake = FakeYahooNews({"NVDA": [shared], "AMD": [also, nested_item("a-2", "AMD launches", [])]})
    result, errors = fetch_yahoo_news(["NVDA", "AMD"], session=session_for(fake), now=NOW)
    assert errors == []
    assert [r.guid for r in result.records] == ["s-1", "a-2"]
    assert result.records[0].tickers == ["NVDA", "AMD"]
    assert result.records[1].tickers == ["AMD"]  # no tickers listed: the queried symbol


def test_offline_gives_one_clear_line_per_symbol_and_no_exception() -> None:
    fake = FakeYahooNews({}, offline=True)
    result, errors = fetch_yahoo_news(["NVDA", "TSLA"], session=session_for(fake), now=NOW)
    assert result.records == []
    assert errors == [
        "Yahoo Finance unreachable (offline?) — NVDA news not fetched",
        "Yahoo Finance unreachable (offline?) — TSLA news not fetched",
    ]


def test_yahoo_being_down_is_said_plainly() -> None:
    fake = FakeYahooNews({}, down=True)
    _, errors = fetch_yahoo_news(["NVDA"], session=session_for(fake), now=NOW)
    assert errors == ["Yahoo Finance is down — NVDA news not fetched"]


def test_a_hanging_call_is_abandoned_at_the_deadline() -> None:
    release = threading.Event()
    fake = FakeYahooNews({}, hang=release)
    started = time.monotonic()
    try:
        result, errors = fetch_yahoo_news(
            ["NVDA"], deadline=0.3, session=session_for(fake), now=NOW
        )
        elapsed = time.monotonic() - started
    finally:
        release.set()
        for thread in threading.enumerate():
            if thread.name == "yahoo-news":
                thread.join(5)
    assert elapsed < 3
    assert result.records == []
    assert errors == [
        "Yahoo Finance unreachable (no answer within 0.3 s; offline?) — NVDA news not fetched"
    ]


def test_symbols_that_are_not_tickers_are_skipped_with_a_line() -> None:
    fake = FakeYahooNews({})
    _, errors = fetch_yahoo_news(["NVDA", "<script>", ""], session=session_for(fake), now=NOW)
    assert len(errors) == 2 and all("is not a ticker symbol" in e for e in errors)


def test_untrusted_items_are_cleaned_checked_and_deduplicated() -> None:
    items = [
        nested_item("x-1", "<script>alert(1)</script>Apple <i>beats</i>", ["AAPL", "<img>", 5]),
        nested_item(
            "x-2",
            "Bad links",
            ["AAPL"],
            canonicalUrl={"url": "javascript:alert(1)"},
            clickThroughUrl={"url": "https://finance.yahoo.com/news/ok.html"},
            pubDate="9999-12-31T00:00:00Z",
        ),
        nested_item("x-1", "Repeat", ["AAPL"]),
        flat_item("f-2", "", [], providerPublishTime="not a time"),
        flat_item("f-3", "Epoch garbage", "AAPL", providerPublishTime=10**20),
        "not an object",
    ]
    result = parse_yahoo_items(items, symbol="AAPL", fetched_at=NOW)
    first, second, third = result.records
    assert first.title == "Apple beats"
    assert first.tickers == ["AAPL"]
    assert second.url == "https://finance.yahoo.com/news/ok.html"
    assert (second.published_at, second.published_estimated) == (NOW, True)
    assert (third.published_at, third.published_estimated, third.tickers) == (NOW, True, ["AAPL"])
    assert [(r.location, r.reason) for r in result.rejected] == [
        ("AAPL item 3", "duplicate guid"),
        ("AAPL item 4", "no title and no summary"),
        ("AAPL item 6", "not a JSON object"),
    ]
    assert any("implausible date" in w for w in result.warnings)
