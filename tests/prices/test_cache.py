"""The price cache: ranges are never fetched twice, empty ones included; synthetic gives way to real."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any, ClassVar

import pandas as pd
import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from db.models import ArticleTicker, PriceBar, PriceRange
from terminal.prices.base import PriceFetcher, PriceQuery, PriceResult, in_range
from terminal.prices.cache import (
    fill_synthetic_for_sample,
    load_prices,
    missing_spans,
    refresh_for_articles,
    store_bars,
)
from terminal.prices.synthetic import SyntheticProvider
from terminal.store import save_articles
from tests.helpers import story

NOW = pd.Timestamp("2025-09-01 12:00Z")


class CountingProvider(PriceFetcher):
    """Synthetic-shaped bars labelled as a real provider, counting every fetch; ZZZZ has none."""

    name: ClassVar[str] = "fake"

    def __init__(self, *, fail: set[str] | None = None) -> None:
        self.queries: list[PriceQuery] = []
        self.fail = fail or set()

    def transform_query(self, query: PriceQuery) -> PriceQuery:
        return query

    def extract_data(self, query: PriceQuery) -> Any:
        self.queries.append(query)
        return SyntheticProvider().fetch(query).frame.assign(provider="fake")

    def transform_data(self, query: PriceQuery, raw: Any) -> PriceResult:
        frame = in_range(raw[~raw["symbol"].isin({"ZZZZ"} | self.fail)], query.start, query.end)
        errors = {s: "offline" for s in self.fail if s in query.symbols}
        return PriceResult(
            frame.reset_index(drop=True),
            missing={"ZZZZ": "none"} if "ZZZZ" in query.symbols else {},
            errors=errors,
        )


@pytest.fixture
def session(sqlite_db: Engine) -> Iterator[Session]:
    with Session(sqlite_db, expire_on_commit=False) as s:
        yield s


def add_stories(session: Session, *tickers: list[str], sample: bool = False) -> None:
    records = [
        story(i, tickers=t, published_at=datetime(2025, 6, 2 + i, 15, tzinfo=UTC), is_sample=sample)
        for i, t in enumerate(tickers)
    ]
    save_articles(session, records)
    session.commit()


def T(text: str) -> pd.Timestamp:
    return pd.Timestamp(text, tz="UTC")


def test_missing_spans_subtracts_covered_ranges() -> None:
    wanted = (T("2025-01-01"), T("2025-12-31"))
    covered = [(T("2025-03-01"), T("2025-04-01")), (T("2024-06-01"), T("2025-02-01"))]
    assert missing_spans(wanted, covered) == [
        (T("2025-02-01"), T("2025-03-01")),
        (T("2025-04-01"), T("2025-12-31")),
    ]
    assert missing_spans(wanted, [(T("2024-01-01"), T("2026-01-01"))]) == []


def test_second_refresh_of_the_same_range_makes_no_provider_call(session: Session) -> None:
    add_stories(session, ["NVDA", "ZZZZ"], ["AMD"])
    fake = CountingProvider()
    first = refresh_for_articles(session, fake, now=NOW)
    assert first.calls >= 1 and first.bars > 0 and "ZZZZ" in first.missing
    calls = len(fake.queries)
    again = refresh_for_articles(session, fake, now=NOW)
    assert len(fake.queries) == calls and again.calls == 0
    assert sorted(again.up_to_date) == ["AMD", "NVDA", "SPY", "ZZZZ"]
    empty = session.scalars(select(PriceRange).where(PriceRange.symbol == "ZZZZ")).one()
    assert empty.rows == 0  # fetched but empty: remembered, never asked again


def test_refresh_spans_260_sessions_before_to_10_after_and_batches_symbols(
    session: Session,
) -> None:
    add_stories(session, ["NVDA", "AMD"])
    fake = CountingProvider()
    refresh_for_articles(session, fake, now=NOW)
    assert len(fake.queries) == 1 and set(fake.queries[0].symbols) == {"NVDA", "AMD", "SPY"}
    prices = load_prices(session, ["NVDA"], "2000-01-01", "2030-01-01")
    days = list(prices["ts"].dt.date.astype(str))
    assert days.index("2025-06-02") == 260 and len(days) == 260 + 11


def test_a_later_story_fetches_only_the_new_part(session: Session) -> None:
    add_stories(session, ["NVDA"])
    fake = CountingProvider()
    refresh_for_articles(session, fake, now=NOW)
    save_articles(
        session, [story(50, tickers=["NVDA"], published_at=datetime(2025, 7, 15, 15, tzinfo=UTC))]
    )
    session.commit()
    refresh_for_articles(session, fake, now=NOW)
    newest = fake.queries[-1]
    assert newest.start >= T("2025-06-16") and newest.end <= T("2025-08-01")


def test_transient_errors_are_not_recorded_so_they_are_retried(session: Session) -> None:
    add_stories(session, ["NVDA"])
    fake = CountingProvider(fail={"NVDA"})
    report = refresh_for_articles(session, fake, now=NOW)
    assert report.errors == {"NVDA": "offline"}
    fake.fail = set()
    refresh_for_articles(session, fake, now=NOW)
    assert "NVDA" in fake.queries[-1].symbols


def test_ranges_never_reach_past_today(session: Session) -> None:
    save_articles(
        session, [story(1, tickers=["NVDA"], published_at=datetime(2025, 8, 29, 15, tzinfo=UTC))]
    )
    session.commit()
    fake = CountingProvider()
    refresh_for_articles(session, fake, now=NOW)
    assert max(q.end for q in fake.queries) == T("2025-09-01")


def test_synthetic_fills_the_sample_only_until_real_prices_arrive(session: Session) -> None:
    add_stories(session, ["NVDA"], sample=True)
    report = fill_synthetic_for_sample(session)
    session.commit()
    assert report.bars > 0 and any("SYNTHETIC" in n for n in report.notes)
    assert set(load_prices(session, ["NVDA", "SPY"], "2000-01-01", "2030-01-01")["provider"]) == {
        "synthetic"
    }
    real = SyntheticProvider().fetch(PriceQuery.build(["NVDA"], "2025-05-01", "2025-06-01")).frame
    store_bars(session, real.assign(provider="yahoo"))
    session.commit()
    providers = session.scalars(select(PriceBar.provider).distinct()).all()
    assert providers == ["yahoo"]
    assert fill_synthetic_for_sample(session).bars == 0


def test_upsert_replaces_a_bar(session: Session) -> None:
    bar = (
        SyntheticProvider()
        .fetch(PriceQuery.build(["NVDA"], "2025-05-01", "2025-05-03"))
        .frame.assign(provider="csv")
    )
    store_bars(session, bar)
    store_bars(session, bar.assign(close=1.0))
    session.commit()
    assert set(load_prices(session, ["nvda"], "2025-05-01", "2025-05-03")["close"]) == {1.0}
    assert session.scalars(select(ArticleTicker)).first() is None


def test_no_write_lock_is_held_while_the_provider_is_called(sqlite_db: Engine) -> None:
    from db.engine import write_session

    class Checking(CountingProvider):
        def extract_data(self, query: PriceQuery) -> Any:
            # Another writer (ingestion) must get the lock while Yahoo is being asked.
            other = sqlite_db.execution_options(sqlite_begin="IMMEDIATE")
            with other.begin() as conn:  # waits out the busy timeout, then fails
                conn.exec_driver_sql("CREATE TABLE IF NOT EXISTS probe (x)")
            return super().extract_data(query)

    with write_session(sqlite_db) as session:
        add_stories(session, ["NVDA"], ["AMD"])
        report = refresh_for_articles(session, Checking(), now=NOW)
    assert report.calls >= 1 and report.bars > 0


def test_recent_stories_get_5_minute_bars_around_them_once(session: Session) -> None:
    save_articles(
        session, [story(1, tickers=["NVDA"], published_at=datetime(2025, 8, 20, 15, tzinfo=UTC))]
    )
    session.commit()
    fake = CountingProvider()
    refresh_for_articles(session, fake, now=NOW)
    minutes = [q for q in fake.queries if q.interval == "5m"]
    assert len(minutes) == 1 and set(minutes[0].symbols) == {"NVDA", "SPY"}
    assert minutes[0].start <= T("2025-08-19 15:00") and minutes[0].end >= T("2025-08-22 15:00")
    calls = len(fake.queries)
    refresh_for_articles(session, fake, now=NOW)
    assert len(fake.queries) == calls


def test_stories_older_than_the_intraday_lookback_get_daily_bars_only(session: Session) -> None:
    add_stories(session, ["NVDA"])  # June, over 59 days before NOW
    fake = CountingProvider()
    refresh_for_articles(session, fake, now=NOW)
    assert {q.interval for q in fake.queries} == {"1d"}
