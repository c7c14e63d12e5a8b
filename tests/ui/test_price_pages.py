"""Prices in the pages: the offline notice (once), the Sources refresh, the realised-move sort."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from db.models import PriceBar
from terminal.prices import refresh
from terminal.reactions.store import save_reactions
from tests.ui.test_market import stored
from tests.ui.test_pages import add_story, button, page, story_links, texts, url

OFFLINE = "Yahoo Finance cannot be reached from this machine"


def test_a_sample_article_offline_says_so_once_beside_its_synthetic_chart(store: Engine) -> None:
    at = page("article", id="1")
    assert texts(at).count(OFFLINE) == 1
    assert at.get("plotly_chart") and "SYNTHETIC PRICES" in texts(at)


def test_no_offline_notice_when_yahoo_answers(
    store: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(refresh, "yahoo_probe", lambda: True)
    assert OFFLINE not in texts(page("article", id="1"))
    assert OFFLINE not in texts(page("sources"))


def test_the_feed_never_probes_yahoo(store: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    def probe() -> bool:
        raise AssertionError("the feed must not wait for the network")

    monkeypatch.setattr(refresh, "yahoo_probe", probe)
    assert OFFLINE not in texts(page())


def test_refresh_prices_offline_fills_the_sample_set_and_says_so_once(store: Engine) -> None:
    at = page("sources")
    assert texts(at).count(OFFLINE) == 1
    button(at, "Refresh prices").click().run()
    assert not at.exception
    shown = texts(at).replace("\\", "")  # escaped markdown, as displayed
    assert shown.count(OFFLINE) == 1 and "reaction(s) computed" in shown
    with Session(store) as s:
        providers = set(s.scalars(select(PriceBar.provider).distinct()))
    assert providers == {"synthetic"}


def test_sort_by_realised_move_lives_in_the_url_and_puts_the_biggest_move_first(
    store: Engine,
) -> None:
    big = add_story(store, "Chipmaker shares collapse")
    with Session(store) as s:
        save_reactions(s, stored(big, {"NVDA": -0.2}))
        s.commit()
    at = page(sort="move")
    assert at.segmented_control(key="f_sort").value == "move"
    assert "Chipmaker shares collapse" in story_links(at)[0]
    assert ":red[NVDA −20\\.0%]" in "\n".join(e.proto.label for e in at.get("page_link"))
    at.segmented_control(key="f_sort").set_value("impact").run()
    assert url(at, "sort") == ["impact"]


def test_the_ticker_page_shows_what_moves_it(store: Engine) -> None:
    at = page("ticker", symbol="NVDA")
    assert "What moves NVDA" in texts(at)
    assert len(at.dataframe) == 1
