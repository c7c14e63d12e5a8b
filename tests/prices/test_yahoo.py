"""The Yahoo provider, driven through yfinance's real parsing code by a fake HTTP transport."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
import yfinance as yf
from yfinance.data import YfData

from terminal.prices import yahoo
from terminal.prices.base import PriceQuery
from terminal.prices.yahoo import UNREACHABLE, YahooProvider
from tests.prices.yahoo_fake import NY, Bar, FakeYahoo, chart_json, not_found, session_for, window

NOW = pd.Timestamp("2025-03-12 18:00Z")


@pytest.fixture(autouse=True)
def isolated_yfinance(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> Iterator[None]:
    """Keep yfinance's caches out of $HOME and data/, and its response memo out of other tests."""
    monkeypatch.setenv("TERMINAL_YF_CACHE", str(tmp_path_factory.getbasetemp() / "yf-cache"))
    yf.set_tz_cache_location(str(yahoo.use_cache_dir()))
    YfData.cache_get.cache_clear()
    yield
    YfData.cache_get.cache_clear()


def daily_bars(
    start: str, closes: list[float], adj: list[float] | None = None
) -> dict[pd.Timestamp, Bar]:
    """Daily bars stamped 09:30 ET, as Yahoo stamps them."""
    days = pd.bdate_range(start, periods=len(closes))
    adj = adj or closes
    return {
        pd.Timestamp(d).tz_localize(NY) + pd.Timedelta(hours=9.5): (c, c + 1, c - 1, c, a, 1e6)
        for d, c, a in zip(days, closes, adj, strict=True)
    }


def provider(fake: FakeYahoo, **kwargs: object) -> YahooProvider:
    options = {"session": session_for(fake), "probe": None, "deadline": 10.0, "now": lambda: NOW}
    return YahooProvider(**(options | kwargs))  # type: ignore[arg-type]


def test_batched_daily_download_with_split_dividend_and_a_failing_ticker() -> None:
    # AAPL: 4:1 split before 2024-01-04 (Yahoo's closes are already split-adjusted) and a
    # 1.00 dividend going ex on 2024-01-08 (adjclose below close before it).
    closes = [100.0, 101.0, 102.0, 103.0, 104.0]
    adj = [99.0, 100.0, 101.0, 102.0, 104.0]
    aapl = daily_bars("2024-01-02", closes, adj)
    ex = int(pd.Timestamp("2024-01-08 14:30Z").timestamp())
    split = int(pd.Timestamp("2024-01-04 14:30Z").timestamp())
    events = {
        "dividends": {str(ex): {"amount": 1.0, "date": ex}},
        "splits": {
            str(split): {"date": split, "numerator": 4, "denominator": 1, "splitRatio": "4:1"}
        },
    }
    spy = daily_bars("2024-01-02", [470.0, 471.0, 472.0, 473.0, 474.0])

    def answer(symbol: str, params: dict[str, str]) -> tuple[int, object]:
        if symbol == "AAPL":
            return 200, chart_json(symbol, window(aapl, params), events=events)
        if symbol == "SPY":
            return 200, chart_json(symbol, window(spy, params))
        return 404, not_found(symbol)

    fake = FakeYahoo(answer)
    result = provider(fake).fetch(
        PriceQuery.build(["aapl", "SPY", "NOPE"], "2024-01-01", "2024-01-09")
    )

    frame = result.frame
    # (Once, under a loaded full run, AAPL came back empty: say why if it happens again.)
    assert sorted(set(frame["symbol"])) == ["AAPL", "SPY"], (result.errors, result.missing)
    got = frame[frame["symbol"] == "AAPL"]
    assert got["ts"].dt.strftime("%Y-%m-%d").tolist() == [
        "2024-01-02", "2024-01-03", "2024-01-04", "2024-01-05", "2024-01-08",
    ]  # fmt: skip
    assert (got["ts"].dt.hour == 0).all() and str(got["ts"].dt.tz) == "UTC"
    assert got["close"].tolist() == closes
    assert got["adj_close"].tolist() == adj
    assert set(frame["provider"]) == {"yahoo"} and set(frame["interval"]) == {"1d"}
    assert list(result.missing) == ["NOPE"] and not result.errors


def test_empty_intraday_weekend_reply_is_missing_not_an_error() -> None:
    fake = FakeYahoo(lambda symbol, params: (200, chart_json(symbol, {})))
    query = PriceQuery.build(["AAPL"], "2025-03-08 00:00Z", "2025-03-10 00:00Z", "5m")
    result = provider(fake).fetch(query)
    assert result.frame.empty
    assert "AAPL" in result.missing and not result.errors


def test_intraday_bars_come_back_in_utc() -> None:
    start = pd.Timestamp("2025-03-11 09:30", tz=NY)
    bars = {
        start + pd.Timedelta(minutes=5 * i): (
            10.0 + i,
            11.0 + i,
            9.0 + i,
            10.5 + i,
            10.5 + i,
            100.0,
        )
        for i in range(6)
    }
    fake = FakeYahoo(lambda symbol, params: (200, chart_json(symbol, window(bars, params))))
    query = PriceQuery.build(["AAPL"], "2025-03-11 13:00Z", "2025-03-11 21:00Z", "5m")
    frame = provider(fake).fetch(query).frame
    assert frame["ts"].iloc[0] == pd.Timestamp("2025-03-11 13:30Z")
    assert len(frame) == 6 and set(frame["interval"]) == {"5m"}


def test_intraday_range_is_clamped_to_yahoo_lookback_and_says_so() -> None:
    fake = FakeYahoo(lambda symbol, params: (200, chart_json(symbol, {})))
    query = PriceQuery.build(["AAPL"], "2025-01-01", "2025-03-12", "1m")
    result = provider(fake).fetch(query)
    assert result.notes and "clamped" in result.notes[0] and "7 days" in result.notes[0]


def test_rate_limited_symbols_are_retried_with_backoff() -> None:
    spy = daily_bars("2024-01-02", [470.0, 471.0])
    limited = {"n": 0}

    def answer(symbol: str, params: dict[str, str]) -> tuple[int, object]:
        if "period1" in params and limited["n"] < 2:
            limited["n"] += 1
            return 429, "Too Many Requests"
        return 200, chart_json(symbol, window(spy, params))

    sleeps: list[float] = []
    fake = FakeYahoo(answer)
    result = provider(fake, sleep=sleeps.append, backoff=1.0).fetch(
        PriceQuery.build(["SPY"], "2024-01-01", "2024-01-05")
    )
    assert len(result.frame) == 2 and not result.errors
    assert sleeps == [1.0]


def test_persistent_rate_limit_gives_up_after_bounded_retries() -> None:
    sleeps: list[float] = []
    fake = FakeYahoo(lambda symbol, params: (429, "Too Many Requests"))
    result = provider(fake, sleep=sleeps.append, retries=2, backoff=0.5).fetch(
        PriceQuery.build(["SPY"], "2024-01-01", "2024-01-05")
    )
    assert result.frame.empty and "Too Many Requests" in result.errors["SPY"]
    assert sleeps == [0.5, 1.0]


def test_dead_network_returns_within_the_deadline_with_a_clear_message() -> None:
    release = threading.Event()
    fake = FakeYahoo(lambda symbol, params: (200, {}), hang=release)
    started = time.monotonic()
    try:
        result = provider(fake, deadline=0.5).fetch(
            PriceQuery.build(["SPY", "AAPL"], "2024-01-01", "2024-01-05")
        )
    finally:
        release.set()
    assert time.monotonic() - started < 2.0
    assert result.frame.empty
    assert set(result.errors) == {"SPY", "AAPL"}
    assert all(msg.startswith(UNREACHABLE) for msg in result.errors.values())


def test_failed_probe_answers_at_once_without_calling_yahoo() -> None:
    fake = FakeYahoo(lambda symbol, params: (200, {}))
    result = provider(fake, probe=lambda: False).fetch(
        PriceQuery.build(["SPY"], "2024-01-01", "2024-01-05")
    )
    assert UNREACHABLE in result.errors["SPY"] and not fake.calls


def test_probe_result_is_remembered(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    calls = []

    def refuse(*args: object, **kwargs: object) -> None:
        calls.append(args)
        raise OSError("no route")

    monkeypatch.setattr(yahoo.socket, "create_connection", refuse)
    monkeypatch.setattr(yahoo, "_probe_cache", {})
    assert yahoo.yahoo_reachable() is False
    assert yahoo.yahoo_reachable() is False
    assert len(calls) == 1


def test_yfinance_caches_live_in_the_configured_folder_kept_out_of_git(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("TERMINAL_YF_CACHE", str(tmp_path / "yf"))
    assert yahoo.use_cache_dir() == tmp_path / "yf"
    assert yf.cache._TzDBManager.get_location() == str(tmp_path / "yf")
    assert (tmp_path / "yf" / ".gitignore").read_text() == "*\n"
    monkeypatch.delenv("TERMINAL_YF_CACHE")
    monkeypatch.setattr(yahoo, "DATA_DIR", tmp_path / "data")
    assert yahoo.use_cache_dir() == tmp_path / "data" / ".yfinance-cache"
