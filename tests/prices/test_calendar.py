"""Event timing: which session a story first trades in."""

from datetime import date

import pandas as pd
import pytest

from terminal.prices.calendar import (
    closed_periods,
    event_session,
    event_sessions,
    session_bounds,
    sessions_in_range,
    shift_sessions,
)


def et(text: str) -> pd.Timestamp:
    return pd.Timestamp(text, tz="America/New_York")


@pytest.mark.parametrize(
    ("published", "session"),
    [
        (et("2025-06-06 10:15"), date(2025, 6, 6)),  # during Friday's session
        (et("2025-06-06 16:00"), date(2025, 6, 9)),  # at Friday's close -> Monday
        (et("2025-06-06 17:30"), date(2025, 6, 9)),  # after Friday's close -> Monday
        (et("2025-06-07 12:00"), date(2025, 6, 9)),  # Saturday -> Monday
        (et("2025-06-09 07:00"), date(2025, 6, 9)),  # before the open -> that day
        (et("2025-07-03 14:00"), date(2025, 7, 7)),  # after the 13:00 early close, then holiday
        (et("2025-07-04 11:00"), date(2025, 7, 7)),  # Independence Day -> next session
        (et("2025-11-28 12:59"), date(2025, 11, 28)),  # before the early close
        (et("2025-11-28 14:00"), date(2025, 12, 1)),  # after the 13:00 early close
        (et("2025-03-10 15:59"), date(2025, 3, 10)),  # Monday after the DST change (EDT)
        (et("2025-03-10 16:01"), date(2025, 3, 11)),
        (et("2025-03-07 15:59"), date(2025, 3, 7)),  # Friday before it (EST)
    ],
)
def test_story_maps_to_first_tradable_session(published: pd.Timestamp, session: date) -> None:
    assert event_session(published.tz_convert("UTC")) == session


def test_dst_moves_the_close_in_utc() -> None:
    # 20:30 UTC is after the 16:00 EDT close (20:00 UTC) but before the 16:00 EST close (21:00 UTC).
    assert event_session(pd.Timestamp("2025-03-10 20:30Z")) == date(2025, 3, 11)
    assert event_session(pd.Timestamp("2025-03-07 20:30Z")) == date(2025, 3, 7)


def test_event_sessions_is_vectorised_and_naive_input_is_utc() -> None:
    out = event_sessions(["2025-06-06 14:00", "2025-06-06 21:00", None])
    assert list(out[:2].date) == [date(2025, 6, 6), date(2025, 6, 9)]
    assert pd.isna(out[2])


def test_session_helpers() -> None:
    opens, closes = session_bounds("2025-11-28")
    assert (opens, closes) == (pd.Timestamp("2025-11-28 14:30Z"), pd.Timestamp("2025-11-28 18:00Z"))
    assert date(2025, 7, 4) not in set(sessions_in_range("2025-07-01", "2025-07-08").date)
    assert shift_sessions("2025-07-03", 1) == date(2025, 7, 7)
    with pytest.raises(ValueError, match="not an XNYS session"):
        session_bounds("2025-07-04")


def test_closed_periods_cover_nights_weekends_and_early_closes() -> None:
    spans = closed_periods(pd.Timestamp("2025-07-03 12:00Z"), pd.Timestamp("2025-07-08 00:00Z"))
    assert spans[0] == (pd.Timestamp("2025-07-03 12:00Z"), pd.Timestamp("2025-07-03 13:30Z"))
    assert spans[1] == (pd.Timestamp("2025-07-03 17:00Z"), pd.Timestamp("2025-07-07 13:30Z"))
    assert spans[-1] == (pd.Timestamp("2025-07-07 20:00Z"), pd.Timestamp("2025-07-08 00:00Z"))
