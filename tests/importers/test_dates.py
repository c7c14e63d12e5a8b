"""Publication times written the ways outside data writes them."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from terminal.importers.dates import DateError, parse_when

SEP18 = datetime(2025, 9, 18, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "moment", "guessed"),
    [
        ("2025-09-18T14:30:00Z", datetime(2025, 9, 18, 14, 30, tzinfo=UTC), False),
        ("2025-09-18", SEP18, True),
        ("1758205800", datetime(2025, 9, 18, 14, 30, tzinfo=UTC), False),
        ("1758205800000", datetime(2025, 9, 18, 14, 30, tzinfo=UTC), False),
        ("2025/09/18 14:30", datetime(2025, 9, 18, 14, 30, tzinfo=UTC), False),
        ("18/09/2025", SEP18, True),
        ("09/18/2025", SEP18, True),
        ("18.09.2025 16:30 CEST", datetime(2025, 9, 18, 14, 30, tzinfo=UTC), False),
        ("Sep 18, 2025", SEP18, True),
        ("Sept. 18, 2025", SEP18, True),
        ("18 September 2025", SEP18, True),
        (
            "Thursday, September 18, 2025 at 10:30 AM ET",
            datetime(2025, 9, 18, 14, 30, tzinfo=UTC),
            False,
        ),
        ("Thu, 18 Sep 2025 10:30:00 -0400", datetime(2025, 9, 18, 14, 30, tzinfo=UTC), False),
    ],
)
def test_common_date_forms_read_to_utc(text, moment, guessed):
    assert parse_when(text) == (moment, guessed)


def test_a_us_time_with_pm_and_zone_is_not_silently_read_as_morning_utc():
    # email.utils used to read this as 02:30 UTC, ignoring both "PM" and "EDT".
    moment, _ = parse_when("September 18, 2025 2:30 PM EDT")
    assert moment == datetime(2025, 9, 18, 18, 30, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("05/06/2025", "ambiguous"),
        ("Sep 31, 2025", "not a date"),
        ("Sep 18, 2025 2:30 XYZ", "unknown time zone"),
        ("next tuesday", "not a date"),
        ("13:00 on the 18th", "not a date"),
    ],
)
def test_ambiguous_or_unreadable_dates_are_refused_with_a_reason(text, reason):
    with pytest.raises(DateError, match=reason):
        parse_when(text)


def test_non_finite_and_absurd_epochs_are_refused():
    for value in (float("nan"), float("inf"), 1e300):
        with pytest.raises(DateError):
            parse_when(value)
