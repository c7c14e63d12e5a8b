"""One field of an imported record read as Catalyst keeps it: a time, tickers, topics, a
score, a flag, or text from whatever shape the source gave (a string, a number, a list
of paragraphs, an object with a name); `BadRecord` says why a value cannot be read.
Shared by the canonical format (`canonical.py`), the plain-text articles and the CLI's
filters.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from datetime import datetime
from functools import lru_cache
from typing import Any

from terminal.importers.dates import DateError, parse_when
from terminal.taxonomy import resolve_topic
from terminal.text import one_line

SYMBOL = re.compile(r"^(?=.*[A-Z])[A-Z0-9][A-Z0-9.\-=^]{0,14}$")
LIST_SPLIT = re.compile(r"[;,|]\s*|\s+")
TOPIC_SPLIT = re.compile(r"[;|]\s*|,\s*")
# Pure functions of short strings are cached: feeds repeat the same keys, symbols and topics.
CACHED_LEN, CACHE_SIZE = 100, 4096
MIN_YEAR, MAX_FUTURE_DAYS = 1970, 2
_NAME_KEYS = ("name", "title", "text", "value", "#text", "href", "url", "symbol", "ticker")


class BadRecord(ValueError):
    """A record that cannot become a story; the message says why."""


def parse_time(value: Any) -> datetime:
    """An aware UTC datetime from any accepted date form (see `dates`); naive means UTC."""
    return parse_time_guessed(value)[0]


def parse_time_guessed(value: Any) -> tuple[datetime, bool]:
    """The UTC moment and whether its time of day was guessed (a date without a time)."""
    try:
        return parse_when(value)
    except DateError as exc:
        raise BadRecord(f"published_at {exc}") from None


def check_time(moment: datetime, now: datetime) -> None:
    if moment.year < MIN_YEAR or (moment - now).days >= MAX_FUTURE_DAYS:
        raise BadRecord(f"published_at {moment.isoformat()} is out of range")


def _items(value: Any) -> Iterable[Any]:
    """The items of a list field, flattening one level of nested lists."""
    if not isinstance(value, list | tuple):
        return LIST_SPLIT.split(str(value))
    return [inner for item in value for inner in (item if isinstance(item, list) else [item])]


def parse_symbols(value: Any) -> tuple[list[str], list[str]]:
    """Ticker symbols from a list (of strings or {"symbol": ...}) or a delimited string."""
    good: list[str] = []
    bad: list[str] = []
    for item in _items(value):
        if type(item) is not str:
            if isinstance(item, Mapping):
                item = item.get("symbol") or item.get("ticker")
            item = scalar(item)
            if item is None:
                continue
        symbol, ok = _symbol(item) if len(item) <= CACHED_LEN else _read_symbol(item)
        if symbol:
            (good if ok else bad).append(symbol)
    return list(dict.fromkeys(good)), bad


def _read_symbol(item: str) -> tuple[str, bool]:
    """(the symbol as kept, at most 20 characters; whether it is a valid ticker)."""
    symbol = item.strip().lstrip("$").upper()
    return symbol[:20], bool(SYMBOL.match(symbol))


_symbol = lru_cache(maxsize=CACHE_SIZE)(_read_symbol)


def parse_topics(value: Any) -> tuple[list[str], list[str]]:
    """Topic slugs from labels or slugs; also the unknown ones."""
    if isinstance(value, list | tuple):
        items = [text for v in value if (text := scalar(v))]
    else:
        items = [p for p in TOPIC_SPLIT.split(str(value)) if p.strip()]
    slugs: list[str] = []
    unknown: list[str] = []
    for item in items:
        slug, other = _topic(item) if len(item) <= CACHED_LEN else _read_topic(item)
        if slug:
            slugs.append(slug)
        elif other is not None:
            unknown.append(other)
    return list(dict.fromkeys(slugs)), unknown


def _read_topic(item: str) -> tuple[str | None, str | None]:
    """(the topic's slug, or None; else the item as an unknown topic, None when blank)."""
    slug = resolve_topic(item)
    if slug:
        return slug, None
    return None, one_line(item, max_len=100) if item.strip() else None


_topic = lru_cache(maxsize=CACHE_SIZE)(_read_topic)


def parse_score(value: Any, name: str, lo: float, hi: float) -> float | None:
    """A score in lo..hi from a number or a numeric string ("0.7", "70%"); None when absent."""
    if type(value) is float and lo <= value <= hi:
        return value  # what the text route below makes of a float (repr reads back exactly)
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise BadRecord(f"{name} {str(value)[:30]!r} is not a number")
    text = str(value).strip()
    percent = text.endswith("%")
    try:
        score = float(text.removesuffix("%")) / (100 if percent else 1)
    except (TypeError, ValueError, OverflowError):
        raise BadRecord(f"{name} {text[:30]!r} is not a number") from None
    if not math.isfinite(score) or not lo <= score <= hi:
        raise BadRecord(f"{name} {text[:30]} is outside {lo:g}..{hi:g}")
    return score


def scalar(value: Any) -> str | None:
    """One text value: strings and numbers as text, a list's first item, an object's name."""
    if isinstance(value, str):
        return value
    if value is None:
        return None
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value) if math.isfinite(value) else None
    if isinstance(value, list | tuple):
        return next((text for item in value if (text := scalar(item))), None)
    if isinstance(value, Mapping):
        return next((text for key in _NAME_KEYS if (text := scalar(value.get(key)))), None)
    return None


def paragraphs(value: Any) -> str | None:
    """Text that may come as a list of paragraphs."""
    if isinstance(value, list | tuple):
        return "\n\n".join(text for item in value if (text := scalar(item)))
    return scalar(value)


def flag(value: Any) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in ("1", "true", "yes", "y")
    return bool(value)
