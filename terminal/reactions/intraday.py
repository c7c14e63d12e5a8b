"""Minute-level reactions: the return 15 and 60 minutes after a story, from intraday bars."""

from __future__ import annotations

import numpy as np
import pandas as pd

from terminal.prices.base import is_intraday
from terminal.prices.calendar import event_sessions, session_times

HORIZONS = (15, 60)


def _price_points(bars: pd.DataFrame, minutes: int) -> tuple[np.ndarray, np.ndarray]:
    """Sorted (time, price) points: each bar's open at its start, its close at its end."""
    start = bars["ts"].to_numpy(dtype="datetime64[ns]")
    end = start + np.timedelta64(minutes, "m")
    times = np.concatenate([end, start])
    prices = np.concatenate([bars["close"].to_numpy(), bars["open"].to_numpy()])
    order = np.argsort(times, kind="stable")
    return times[order], prices[order]


def _price_at(
    times: np.ndarray, prices: np.ndarray, at: np.ndarray, fresh: np.timedelta64
) -> np.ndarray:
    """The last price at or before each instant, NaN if none within `fresh` of it."""
    i = np.searchsorted(times, at, side="right") - 1
    found = i >= 0
    j = np.clip(i, 0, None)
    ok = found & (at - times[j] <= fresh) if len(times) else np.zeros(len(at), bool)
    return np.where(ok, prices[j] if len(prices) else np.nan, np.nan)


def _bar_minutes(interval: str) -> int:
    """Bar length in minutes ("5m" -> 5, "1h" -> 60)."""
    return int(interval[:-1]) * (60 if interval.endswith("h") else 1)


def intraday_returns(
    events: pd.DataFrame, bars: pd.DataFrame, horizons: tuple[int, ...] = HORIZONS
) -> pd.DataFrame:
    """ret_{h}m for each event (same index): price at anchor + h minutes over price at anchor, minus 1.

    The anchor is the event time, or the open of its session when the story came
    out while the market was closed. NaN when the horizon passes the session's close
    or no bar covers it. One pass per symbol, vectorised over that symbol's events.
    """
    out = pd.DataFrame(np.nan, index=events.index, columns=[f"ret_{h}m" for h in horizons])
    if events.empty or bars.empty:
        return out
    bars = bars.loc[bars["interval"].map(is_intraday)]
    if bars.empty:
        return out
    times = pd.to_datetime(events["event_time"], utc=True)
    sessions = event_sessions(times)
    opens, closes = session_times(sessions)
    event_ns = times.dt.tz_localize(None).to_numpy(dtype="datetime64[ns]")
    anchor = np.where(event_ns > opens, event_ns, opens)
    symbols = events["symbol"].astype(str).str.upper().to_numpy()
    for symbol, group in bars.groupby("symbol"):
        finest = min(group["interval"].unique(), key=_bar_minutes)
        mine = group.loc[group["interval"] == finest]
        minutes = _bar_minutes(finest)
        tpts, ppts = _price_points(mine.assign(ts=mine["ts"].dt.tz_localize(None)), minutes)
        rows = np.flatnonzero(symbols == symbol)
        fresh = np.timedelta64(minutes, "m")
        p0 = _price_at(tpts, ppts, anchor[rows], fresh)
        for h in horizons:
            at = anchor[rows] + np.timedelta64(h, "m")
            ph = np.where(at <= closes[rows], _price_at(tpts, ppts, at, fresh), np.nan)
            out.iloc[rows, out.columns.get_loc(f"ret_{h}m")] = ph / p0 - 1.0
    return out
