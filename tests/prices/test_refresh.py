"""Prices for the app: the Sources page's refresh and the first run, online and offline."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from db.models import PriceBar
from terminal.prices import refresh
from terminal.prices.cache import prepare_first_run, refresh_for_ui
from terminal.reactions.store import load_reactions
from terminal.store import save_articles
from tests.helpers import story
from tests.prices.test_cache import CountingProvider


def add_stories(engine: Engine) -> None:
    """A sample story on NVDA and a live one on AMD."""
    with Session(engine) as s:
        when = datetime(2025, 6, 4, 15, tzinfo=UTC)
        save_articles(s, [story(1, tickers=["NVDA"], published_at=when, is_sample=True),
                          story(2, tickers=["AMD"], published_at=when)])  # fmt: skip
        s.commit()


def stored(engine: Engine) -> dict[str, set[str]]:
    """Per provider, the symbols with bars."""
    with Session(engine) as s:
        rows = s.execute(select(PriceBar.provider, PriceBar.symbol).distinct()).all()
    out: dict[str, set[str]] = {}
    for provider, symbol in rows:
        out.setdefault(provider, set()).add(symbol)
    return out


def offline() -> bool:
    return False


def online() -> bool:
    return True


def test_offline_refresh_says_so_once_and_fills_the_sample_set_only(sqlite_db: Engine) -> None:
    add_stories(sqlite_db)
    shares: list[float] = []
    message = refresh.refresh_prices(
        sqlite_db, lambda share, text: shares.append(share), reachable=offline
    )
    assert message.startswith("Yahoo Finance cannot be reached from this machine")
    assert message.count("cannot be reached") == 1
    assert stored(sqlite_db) == {"synthetic": {"NVDA", "SPY"}}
    with Session(sqlite_db) as s:
        reactions = load_reactions(s)
    assert list(reactions["article_id"]) == [1] and list(reactions["provider"]) == ["synthetic"]
    assert "1 reaction(s) computed" in message
    assert shares and all(0.0 <= x <= 1.0 for x in shares) and shares[-1] == 1.0


def test_online_refresh_fetches_every_story_and_computes_reactions(sqlite_db: Engine) -> None:
    add_stories(sqlite_db)
    fake = CountingProvider()
    message = refresh.refresh_prices(sqlite_db, provider=lambda: fake, reachable=online)
    assert stored(sqlite_db) == {"fake": {"NVDA", "AMD", "SPY"}}
    assert message.startswith("Prices: ") and "2 reaction(s) computed" in message
    again = refresh.refresh_prices(sqlite_db, provider=lambda: fake, reachable=online)
    assert len(fake.queries) == 1 and "0 bars stored" in again


def test_when_every_fetch_fails_the_sample_set_falls_back_to_synthetic(sqlite_db: Engine) -> None:
    add_stories(sqlite_db)
    fake = CountingProvider(fail={"NVDA", "AMD", "SPY"})
    message = refresh.refresh_prices(sqlite_db, provider=lambda: fake, reachable=online)
    assert "failed for AMD, NVDA, SPY (offline)" in message
    assert "synthetic prices meanwhile" in message
    assert stored(sqlite_db) == {"synthetic": {"NVDA", "SPY"}}


def test_first_run_offline_uses_synthetic_prices(
    sqlite_db: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    add_stories(sqlite_db)
    monkeypatch.setattr(refresh, "yahoo_probe", offline)
    message = prepare_first_run(sqlite_db)
    assert "Yahoo Finance cannot be reached" in message and "\n" not in message
    assert set(stored(sqlite_db)) == {"synthetic"}


def test_first_run_online_fetches_once_then_leaves_real_prices_alone(
    sqlite_db: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    add_stories(sqlite_db)
    fake = CountingProvider()
    monkeypatch.setattr(refresh, "yahoo_probe", online)
    monkeypatch.setattr(refresh, "yahoo_provider", lambda: fake)
    assert prepare_first_run(sqlite_db).startswith("Prices: ")
    assert len(fake.queries) == 1
    monkeypatch.setattr(refresh, "yahoo_probe", offline)
    assert "real prices are cached" in prepare_first_run(sqlite_db)
    assert len(fake.queries) == 1 and set(stored(sqlite_db)) == {"fake"}


def test_the_sources_page_entry_point_runs_the_same_refresh(
    sqlite_db: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    add_stories(sqlite_db)
    monkeypatch.setattr(refresh, "yahoo_probe", offline)
    labels: list[str] = []
    message = refresh_for_ui(sqlite_db, lambda share, text: labels.append(text))
    assert message.startswith("Yahoo Finance cannot be reached") and labels[-1] == "done"
