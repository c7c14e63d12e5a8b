"""Publication times as outside data writes them, to aware UTC datetimes; ambiguity refused.

Accepted: ISO 8601 (`2025-09-18T14:30:00Z`, `2025-09-18`), RFC 2822 (`Thu, 18 Sep 2025
14:30:00 EDT`), epoch seconds or milliseconds (numbers or digit strings), `2025/09/18`,
month names (`Sep 18, 2025`, `September 18, 2025 2:30 PM EDT`, `18 Sep 2025 14:30 GMT`),
and numeric day/month dates when the order is certain: `18/09/2025` (day first: 18 is no
month), `09/18/2025` (month first), `18.09.2025` (dots: day first). `05/06/2025` could
be either and is refused. A value with no time of day is midnight UTC, flagged as guessed.
"""

from __future__ import annotations

import math
import re
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from email.utils import parsedate_to_datetime
from typing import Any
from zoneinfo import ZoneInfo


class DateError(ValueError):
    """A value that is not a date we can read without guessing; the message says why."""


MONTHS = {
    name: number
    for number, names in enumerate(
        (
            ("jan", "january"), ("feb", "february"), ("mar", "march"), ("apr", "april"),
            ("may",), ("jun", "june"), ("jul", "july"), ("aug", "august"),
            ("sep", "sept", "september"), ("oct", "october"), ("nov", "november"),
            ("dec", "december"),
        ),
        start=1,
    )
    for name in names
}  # fmt: skip
_HOURS = {
    "UTC": 0, "UT": 0, "GMT": 0, "Z": 0, "EST": -5, "EDT": -4, "CST": -6, "CDT": -5,
    "MST": -7, "MDT": -6, "PST": -8, "PDT": -7, "BST": 1, "CET": 1, "CEST": 2, "EET": 2,
    "EEST": 3, "JST": 9, "KST": 9, "HKT": 8, "SGT": 8, "AEST": 10, "AEDT": 11,
}  # fmt: skip
_REGIONS = {"ET": "America/New_York", "CT": "America/Chicago", "PT": "America/Los_Angeles"}

_TIME = (
    r"(?:[ T,]+(?:at\s+)?(?P<h>\d{1,2})(?::(?P<mi>\d{2}))?(?::(?P<s>\d{2})(?:\.\d+)?)?"
    r"\s*(?P<ampm>[ap]\.?m\.?)?\s*(?P<tz>[A-Za-z]{1,5}|[+-]\d{2}:?\d{2})?)?"
)
_EPOCH = re.compile(r"^-?\d{9,13}(?:\.\d+)?$")
_YMD = re.compile(r"^(?P<y>\d{4})[/.](?P<a>\d{1,2})[/.](?P<b>\d{1,2})" + _TIME + r"$", re.I)
_NUMERIC = re.compile(
    r"^(?P<a>\d{1,2})(?P<sep>[/.\-])(?P<b>\d{1,2})(?P=sep)(?P<y>\d{4})" + _TIME + r"$", re.I
)
_WEEKDAY = r"(?:(?:mon|tue|wed|thu|fri|sat|sun)[a-z]*\.?,?\s+)?"
_MONTH_FIRST = re.compile(
    r"^" + _WEEKDAY + r"(?P<mon>[a-z]{3,9})\.?\s+(?P<d>\d{1,2})(?:st|nd|rd|th)?,?\s+(?P<y>\d{4})"
    + _TIME + r"$", re.I,
)  # fmt: skip
_DAY_FIRST = re.compile(
    r"^" + _WEEKDAY + r"(?P<d>\d{1,2})(?:st|nd|rd|th)?\s+(?P<mon>[a-z]{3,9})\.?,?\s+(?P<y>\d{4})"
    + _TIME + r"$", re.I,
)  # fmt: skip
_RFC2822 = re.compile(r"^(?:[a-z]{3},\s*)?\d{1,2}\s+[a-z]{3}\s+\d{2,4}\s+\d{1,2}:\d{2}", re.I)
_DATE_ONLY = re.compile(r"^\d{4}-?\d{2}-?\d{2}$")


def parse_when(value: Any) -> tuple[datetime, bool]:
    """An aware UTC datetime and whether its time of day was guessed (a bare date)."""
    try:
        return _parse_when(value)
    except (OverflowError, OSError) as exc:  # a moment UTC cannot hold (year 1 at +14:00)
        raise DateError(f"{str(value)[:60]!r} is out of range") from exc


def _parse_when(value: Any) -> tuple[datetime, bool]:
    if type(value) is str and _tidy_time(value):
        # Such text is what the general path below reads, and it is neither an epoch
        # nor a bare date (both lack ":"): that path would try ISO 8601 first too.
        moment = _iso(value)
        if moment is not None:
            return moment, False
    if isinstance(value, datetime):
        moment = value if value.tzinfo else value.replace(tzinfo=UTC)
        return moment.astimezone(UTC), False
    if isinstance(value, int | float) and not isinstance(value, bool):
        return _from_epoch(value), False
    text = " ".join(str(value).split())
    if not text or len(text) > 80:
        raise DateError(f"{text[:60]!r} is not a date")
    if _EPOCH.match(text):
        return _from_epoch(float(text)), False
    iso = _iso(text)
    if iso is not None:
        return iso, bool(_DATE_ONLY.match(text))
    for reader in (_ymd, _numeric, _named, _rfc2822):
        found = reader(text)
        if found is not None:
            return found
    raise DateError(f"{text[:60]!r} is not a date")


def _tidy_time(text: str) -> bool:
    """Text with a ":" and no whitespace, of at most 80 characters (checked without copying).

    " " is the only character both printable and a space, so the test below rules out all.
    """
    return ":" in text and len(text) <= 80 and text.isprintable() and " " not in text


def _from_epoch(value: float) -> datetime:
    if not math.isfinite(value):
        raise DateError(f"{value!r} is not a date")
    seconds = value / 1000 if abs(value) > 1e11 else value
    try:
        return datetime.fromtimestamp(seconds, UTC)
    except (OverflowError, OSError, ValueError):
        raise DateError(f"{value!r} is out of range") from None


def _iso(text: str) -> datetime | None:
    """An ISO 8601 moment in UTC (naive means UTC), or None; `text` has no newline."""
    if text[-1:] in ("Z", "z"):
        text = text[:-1] + "+00:00"
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(UTC)


def _ymd(text: str) -> tuple[datetime, bool] | None:
    match = _YMD.match(text)
    return _build(match, int(match["a"]), int(match["b"])) if match else None


def _numeric(text: str) -> tuple[datetime, bool] | None:
    """18/09/2025 (day first), 09/18/2025 (month first), 18.09.2025; 05/06/2025 refused."""
    match = _NUMERIC.match(text)
    if not match:
        return None
    a, b = int(match["a"]), int(match["b"])
    if match["sep"] == "." or a > 12:
        return _build(match, b, a)
    if b > 12 or a == b:
        return _build(match, a, b)
    raise DateError(
        f"{text[:60]!r} is ambiguous (day/month or month/day?); write it as {match['y']}-MM-DD"
    )


def _named(text: str) -> tuple[datetime, bool] | None:
    match = _MONTH_FIRST.match(text) or _DAY_FIRST.match(text)
    if not match:
        return None
    month = MONTHS.get(match["mon"].lower())
    if month is None:
        raise DateError(f"{text[:60]!r} is not a date (unknown month {match['mon']!r})")
    return _build(match, month, int(match["d"]))


def _rfc2822(text: str) -> tuple[datetime, bool] | None:
    if not _RFC2822.match(text):
        return None
    try:
        moment = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(UTC), False


def _build(match: re.Match[str], month: int, day: int) -> tuple[datetime, bool]:
    """The moment a matched date (and optional time and zone) names, in UTC."""
    text = match.group(0)
    if match["h"] is None:
        hour = minute = second = 0
    else:
        hour, minute = int(match["h"]), int(match["mi"] or 0)
        second = int(match["s"] or 0)
        if match["ampm"]:
            if not 1 <= hour <= 12:
                raise DateError(f"{text[:60]!r} is not a date (hour {hour} with am/pm)")
            hour = hour % 12 + (12 if match["ampm"][0].lower() == "p" else 0)
        elif match["mi"] is None:
            return _fail(text)
    try:
        naive = datetime(int(match["y"]), month, day, hour, minute, second)
    except ValueError:
        return _fail(text)
    zone = _zone(match["tz"], naive, text)
    return naive.replace(tzinfo=zone).astimezone(UTC), match["h"] is None


def _fail(text: str) -> tuple[datetime, bool]:
    raise DateError(f"{text[:60]!r} is not a date")


def _zone(name: str | None, naive: datetime, text: str) -> tzinfo:
    if not name:
        return UTC
    if name[0] in "+-":
        digits = name[1:].replace(":", "")
        offset = timedelta(hours=int(digits[:2]), minutes=int(digits[2:]))
        return timezone(-offset if name[0] == "-" else offset)
    upper = name.upper()
    if upper in _HOURS:
        return timezone(timedelta(hours=_HOURS[upper]))
    if upper in _REGIONS:
        return ZoneInfo(_REGIONS[upper])
    raise DateError(f"{text[:60]!r}: unknown time zone {name!r}")
