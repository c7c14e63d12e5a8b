"""NYSE trading sessions (exchange-calendars XNYS): when a story first becomes tradable."""

from __future__ import annotations

import warnings
from datetime import UTC, date, datetime
from functools import lru_cache
from typing import Any

import exchange_calendars as xcals
import numpy as np
import pandas as pd

FIRST_YEAR = 1995


@lru_cache(maxsize=1)
def xnys() -> Any:
    """The XNYS calendar, built once (it is slow to build) from 1995 to two years ahead."""
    last = datetime.now(UTC).year + 2
    with warnings.catch_warnings():  # exchange-calendars trips pandas deprecation warnings
        warnings.simplefilter("ignore")
        return xcals.get_calendar("XNYS", start=f"{FIRST_YEAR}-01-01", end=f"{last}-12-31")


@lru_cache(maxsize=1)
def _schedule() -> tuple[pd.DatetimeIndex, np.ndarray, np.ndarray]:
    """Session dates (naive midnight) and their open/close instants as int64 UTC nanoseconds."""
    cal = xnys()
    opens = cal.opens.dt.tz_convert("UTC").astype("int64").to_numpy()
    closes = cal.closes.dt.tz_convert("UTC").astype("int64").to_numpy()
    return pd.DatetimeIndex(cal.sessions), opens, closes


def _utc_nanos(values: Any) -> np.ndarray:
    """Instants (anything pandas reads; naive = UTC) as int64 UTC nanoseconds."""
    idx = pd.DatetimeIndex(pd.to_datetime(pd.Series(values), utc=True))
    return idx.as_unit("ns").asi8


def event_sessions(times: Any) -> pd.DatetimeIndex:
    """For each UTC instant, the first session whose close is after it (vectorised).

    During a session -> that session; before the open -> that day's session; at or
    after the close (16:00 ET, 13:00 on early-close days), on a weekend or a holiday
    -> the next session. DST needs no special case: closes are true UTC instants.
    NaT where the instant lies outside the calendar.
    """
    sessions, _, closes = _schedule()
    nanos = _utc_nanos(times)
    idx = np.searchsorted(closes, nanos, side="right")
    valid = (idx < len(sessions)) & (nanos >= closes[0] - 86_400 * 10**9 * 7)
    out = np.full(len(nanos), np.datetime64("NaT"), dtype="datetime64[ns]")
    out[valid] = sessions.to_numpy()[idx[valid]]
    return pd.DatetimeIndex(out)


def event_session(ts_utc: datetime | pd.Timestamp) -> date:
    """The trading date on which a story published at `ts_utc` is first tradable."""
    session = event_sessions([ts_utc])[0]
    if pd.isna(session):
        raise ValueError(f"{ts_utc} is outside the XNYS calendar")
    return session.date()


def sessions_in_range(start: date | str, end: date | str) -> pd.DatetimeIndex:
    """Session dates (naive midnight) from start to end, both inclusive."""
    sessions, _, _ = _schedule()
    lo = sessions.searchsorted(pd.Timestamp(start))
    hi = sessions.searchsorted(pd.Timestamp(end), side="right")
    return sessions[lo:hi]


def session_bounds(session: date | str) -> tuple[pd.Timestamp, pd.Timestamp]:
    """The UTC open and close of a session (raises ValueError if it is not one)."""
    sessions, opens, closes = _schedule()
    day = pd.Timestamp(session)
    i = sessions.searchsorted(day)
    if i >= len(sessions) or sessions[i] != day:
        raise ValueError(f"{day.date()} is not an XNYS session")
    return pd.Timestamp(opens[i], tz="UTC"), pd.Timestamp(closes[i], tz="UTC")


def shift_sessions(session: date | str, offset: int) -> date:
    """The session `offset` sessions after (negative: before) a given session."""
    sessions, _, _ = _schedule()
    i = sessions.searchsorted(pd.Timestamp(session)) + offset
    if not 0 <= i < len(sessions):
        raise ValueError(f"{offset} sessions from {session} is outside the calendar")
    return sessions[i].date()


def closed_periods(
    start: datetime | pd.Timestamp, end: datetime | pd.Timestamp
) -> list[tuple[pd.Timestamp, pd.Timestamp]]:
    """UTC intervals between start and end when the market is closed (nights, weekends, holidays)."""
    sessions, opens, closes = _schedule()
    lo_ns, hi_ns = _utc_nanos([start, end])
    first = max(int(np.searchsorted(closes, lo_ns)) - 1, 0)
    last = int(np.searchsorted(opens, hi_ns, side="right"))
    periods: list[tuple[pd.Timestamp, pd.Timestamp]] = []
    cursor = lo_ns
    for o, c in zip(opens[first:last], closes[first:last], strict=True):
        if o > cursor:
            periods.append((cursor, min(o, hi_ns)))
        cursor = max(cursor, c)
    if cursor < hi_ns:
        periods.append((cursor, hi_ns))
    return [(pd.Timestamp(a, tz="UTC"), pd.Timestamp(b, tz="UTC")) for a, b in periods if b > a]


def session_times(sessions: pd.DatetimeIndex) -> tuple[np.ndarray, np.ndarray]:
    """Open and close (naive UTC datetime64) of each session; NaT for non-sessions and NaT."""
    grid, opens, closes = _schedule()
    i = grid.get_indexer(sessions)
    ok = i >= 0
    nat = np.iinfo("int64").min
    pick = np.clip(i, 0, None)
    return (
        np.where(ok, opens[pick], nat).view("datetime64[ns]"),
        np.where(ok, closes[pick], nat).view("datetime64[ns]"),
    )
