"""The Add story page: paste our first article and see it as a card."""

from __future__ import annotations

from sqlalchemy import Engine
from streamlit.testing.v1 import AppTest

from tests.conftest import FIRST_ARTICLE
from tests.ui.conftest import APP


def paste(text: str, *, day: str | None = None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    at.switch_page("pages/add.py")
    at.run()
    at.text_area[0].input(text)
    if day:
        at.checkbox[0].check()
        at.date_input[0].set_value(day)
    at.button[0].click().run()
    assert not at.exception, at.exception
    return at


def links(at: AppTest, page: str) -> list[str]:
    return [e.proto.label for e in at.get("page_link") if e.proto.page.endswith(page)]


def test_pasting_the_first_article_shows_its_card_with_three_tickers(empty_store: Engine) -> None:
    at = paste(FIRST_ARTICLE.read_text(encoding="utf-8"), day="2025-09-18")
    assert [s.value for s in at.success] == ["Added 1 story."]
    [title] = links(at, "article")
    assert "DeepSeek claims training R1 model" in title
    chips = " ".join(links(at, "ticker"))
    for symbol in ("NVDA", "TSLA", "INTC"):
        assert symbol in chips
    markdown = " ".join(str(m.value) for m in at.markdown)
    assert "IMPACT 0.50" in markdown


def test_pasting_it_again_finds_the_stored_story(empty_store: Engine) -> None:
    text = FIRST_ARTICLE.read_text(encoding="utf-8")
    paste(text, day="2025-09-18")
    at = paste(text, day="2025-09-18")
    assert not at.success
    assert any("Already in the store" in i.value for i in at.info)
    assert len(links(at, "article")) == 1


def test_pasting_nothing_useful_says_so(empty_store: Engine) -> None:
    at = paste('[{"title": ""}]')
    assert any("no title" in e.value for e in at.error)
    assert not links(at, "article")
