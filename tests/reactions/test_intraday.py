"""Minute reactions from intraday bars."""

import numpy as np
import pandas as pd
import pytest

from terminal.reactions.intraday import intraday_returns


def five_minute_bars(symbol: str = "AAA") -> pd.DataFrame:
    ts = pd.date_range("2025-03-10 13:30Z", "2025-03-10 19:55Z", freq="5min")  # 9:30-16:00 EDT
    px = 100.0 + np.arange(len(ts)) * 0.1
    return pd.DataFrame({"symbol": symbol, "ts": ts, "open": px, "high": px, "low": px, "close": px + 0.1,
                         "adj_close": px + 0.1, "volume": 1.0, "interval": "5m", "provider": "csv"})  # fmt: skip


def events(*rows: tuple[str, str]) -> pd.DataFrame:
    return pd.DataFrame({"article_id": range(len(rows)), "symbol": [r[0] for r in rows],
                         "event_time": pd.to_datetime([r[1] for r in rows], utc=True)})  # fmt: skip


def test_returns_from_the_event_time() -> None:
    out = intraday_returns(events(("AAA", "2025-03-10 14:00")), five_minute_bars())
    # price at 14:00 = 100.6 (bar 6 opens), at 14:15 = 100.9, at 15:00 = 101.8
    assert out.loc[0, "ret_15m"] == pytest.approx(100.9 / 100.6 - 1)
    assert out.loc[0, "ret_60m"] == pytest.approx(101.8 / 100.6 - 1)


def test_story_before_the_open_is_measured_from_the_open() -> None:
    out = intraday_returns(events(("AAA", "2025-03-10 11:00")), five_minute_bars())
    assert out.loc[0, "ret_15m"] == pytest.approx(100.3 / 100.0 - 1)


def test_horizon_past_the_close_or_no_bars_is_nan() -> None:
    out = intraday_returns(
        events(("AAA", "2025-03-10 19:30"), ("BBB", "2025-03-10 14:00")), five_minute_bars()
    )
    assert np.isfinite(out.loc[0, "ret_15m"]) and np.isnan(out.loc[0, "ret_60m"])
    assert out.loc[1].isna().all()
