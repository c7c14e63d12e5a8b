"""Every page through Streamlit's AppTest, on a real SQLite store: smoke and behaviour."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session
from streamlit.testing.v1 import AppTest

from terminal.pipeline import store_result
from terminal.records import ArticleRecord, ParseResult
from terminal.sources import list_sources
from terminal.ui import cache
from tests.ui.conftest import APP

HOSTILE = "<img src=x onerror=alert(1)><script>alert(2)</script>[click](javascript:alert(3))"


def page(name: str | None = None, **params: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    if name:
        at.switch_page(f"pages/{name}.py")
    for key, value in params.items():
        at.query_params[key] = value
    at.run()
    assert not at.exception, at.exception
    return at


def texts(at: AppTest) -> str:
    parts = [e.value for kind in ("markdown", "caption", "info", "warning") for e in at.get(kind)]
    return "\n".join(str(p) for p in parts)


def url(at: AppTest, name: str) -> list[str]:
    value = at.query_params.get(name, [])
    return [value] if isinstance(value, str) else list(value)


def button(at: AppTest, label: str) -> Any:
    return next(b for b in at.button if b.label == label)


def story_links(at: AppTest) -> list[str]:
    return [e.proto.label for e in at.get("page_link") if e.proto.page.endswith("article")]


def add_story(engine: Engine, title: str, *, tickers: list[str] | None = None) -> int:
    record = ArticleRecord(
        title=title, published_at=datetime(2025, 12, 1, 15, 0, tzinfo=UTC),
        url="https://news.example/hostile", publisher="<b>Wire</b>", summary=HOSTILE,
        tickers=tickers or ["NVDA"], topics=["ai"], impact=0.9,
    )  # fmt: skip
    summary = store_result(engine, ParseResult(records=[record]), label="test", kind="file")
    return summary.inserted_ids[0]


def test_feed_shows_25_cards_a_page_and_the_sample_notice(store: Engine) -> None:
    at = page()
    assert len(story_links(at)) == 25
    assert "sample set" in texts(at)
    assert "59 stories · page 1 of 3" in texts(at)


def test_url_parameters_seed_the_filters(store: Engine) -> None:
    at = page(ticker="NVDA", page="1")
    assert at.multiselect(key="f_ticker").value == ["NVDA"]
    assert "16 stories" in texts(at)


def test_changing_a_filter_changes_results_and_the_url(store: Engine) -> None:
    at = page()
    before = story_links(at)
    at.multiselect(key="f_ticker").select("TSLA").run()
    assert not at.exception
    assert story_links(at) != before
    assert url(at, "ticker") == ["TSLA"]
    at.text_input(key="f_q").input("recall").run()
    assert url(at, "q") == ["recall"]
    assert all("recall" in t.lower() or "tesla" in t.lower() for t in story_links(at))


def test_second_page_is_in_the_url(store: Engine) -> None:
    at = page(page="3")
    assert len(story_links(at)) == 59 - 50
    button(at, "‹ Newer").click().run()
    assert url(at, "page") == ["2"]


def test_a_count_past_the_cap_says_at_least_and_pages_on_while_pages_are_full(
    store: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(cache, "COUNT_CAP", 30)
    at = page(min_impact="0.1")  # 59 matches: beyond the roll-ups, so the cap applies
    assert "30+ stories · page 1 of 2+" in texts(at)
    button(at, "Older ›").click().run()
    assert len(story_links(at)) == 25 and not button(at, "Older ›").disabled
    button(at, "Older ›").click().run()
    assert len(story_links(at)) == 59 - 50 and button(at, "Older ›").disabled
    assert "page 3 of 3+" in texts(at) and url(at, "page") == ["3"]


def test_facets_counted_among_the_latest_stories_say_so(
    store: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert "counts from the latest" not in texts(page(min_impact="0.1"))
    cache.clear()
    monkeypatch.setattr(cache, "WINDOW", 10)
    assert "counts from the latest 10 matching stories" in texts(page(min_impact="0.1"))
    cache.clear()
    assert "counts from the latest" not in texts(page(ticker="NVDA"))  # from the roll-ups


def test_impact_sort_puts_the_highest_first(store: Engine) -> None:
    at = page(sort="impact")
    assert at.segmented_control(key="f_sort").value == "impact"
    assert "IMPACT 0.9" in texts(at) or "IMPACT 0.8" in texts(at)


def test_empty_store_says_what_to_do(empty_store: Engine) -> None:
    at = page()
    assert "No stories yet" in texts(at) and "python -m terminal ingest FILE" in texts(at)


def test_no_match_says_so(store: Engine) -> None:
    at = page(q="zzzunmatchedzzz")
    assert "No stories match" in texts(at)


def test_hostile_story_is_escaped_everywhere(store: Engine) -> None:
    article_id = add_story(store, HOSTILE)
    for at in (page(), page("article", id=str(article_id))):
        shown = texts(at) + "\n".join(story_links(at))
        assert "<script>" not in shown and "](javascript" not in shown
        assert "\\<script\\>" in shown


def test_article_page_shows_text_chart_and_table_for_a_sample_story(store: Engine) -> None:
    at = page("article", id="1")
    assert at.get("plotly_chart"), "the reaction overlay"
    assert "SYNTHETIC PRICES" in texts(at)
    assert at.dataframe, "the reaction table"


def test_article_without_prices_says_so(store: Engine) -> None:
    article_id = add_story(store, "Chipmaker raises guidance")
    at = page("article", id=str(article_id))
    assert "No price data yet" in texts(at)
    assert not at.get("plotly_chart")


def test_opening_an_article_marks_it_read_and_notes_are_kept(store: Engine) -> None:
    at = page("article", id="1")
    at.text_area[0].input("check the guidance")
    button(at, "Save note").click().run()
    assert not at.exception
    assert "check the guidance" in texts(page("article", id="1"))


def test_unknown_article_id_is_a_warning_not_a_crash(store: Engine) -> None:
    assert "No story with id 999999" in texts(page("article", id="999999"))


def test_ticker_page_shows_chart_and_news(store: Engine) -> None:
    from terminal.counts import count_stories
    from terminal.query import ArticleFilter

    with Session(store) as s:
        n = count_stories(s, ArticleFilter(tickers=("NVDA",))).n
    at = page("ticker", symbol="NVDA")
    assert at.get("plotly_chart")
    assert 1 < n <= 50 and f"News: {n} stories" in texts(at)
    assert "The latest" not in texts(at)


def test_ticker_page_counts_every_story_and_says_how_many_it_shows(store: Engine) -> None:
    """The heading counts the ticker's stories (not the 200 loaded for the chart); the
    cards are the latest 50."""
    records = [
        ArticleRecord(
            title=f"Zeta Corp filing number {i} on {i} widgets", tickers=["ZETA"],
            published_at=datetime(2025, 6, 1, tzinfo=UTC).replace(hour=i % 24, minute=i // 24),
            url=f"https://news.example/zeta/{i}", publisher="Wire",
        )
        for i in range(230)
    ]  # fmt: skip
    store_result(store, ParseResult(records=records), label="test", kind="file")
    cache.clear()
    at = page("ticker", symbol="ZETA")
    assert "News: 230 stories" in texts(at) and "The latest 50;" in texts(at)
    assert len(story_links(at)) == 50


def test_ticker_without_stories(store: Engine) -> None:
    assert "No stories mention ZZZZ" in texts(page("ticker", symbol="ZZZZ"))


def test_study_page_charts_the_sample_set(store: Engine) -> None:
    at = page("study")
    assert len(at.get("plotly_chart")) == 3
    assert "SYNTHETIC PRICES" in texts(at)


def test_study_page_on_an_empty_store(empty_store: Engine) -> None:
    assert "No price reactions" in texts(page("study"))


def test_sources_page_adds_a_source(empty_store: Engine) -> None:
    at = page("sources")
    assert "No sources yet" in texts(at)
    at.text_input[0].input("yahoo:NVDA,AAPL")
    button(at, "Add source").click().run()
    assert not at.exception
    with Session(empty_store) as s:
        assert [src.url for src in list_sources(s)] == ["yahoo:NVDA,AAPL"]
    assert "No sources yet" not in texts(at)
