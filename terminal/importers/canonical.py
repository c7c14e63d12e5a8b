"""The canonical article format (JSON object, JSONL line, CSV row) to an ArticleRecord."""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from terminal.importers.dates import DateError, parse_when
from terminal.records import MAX_TEXT, MAX_TITLE, ArticleRecord
from terminal.taxonomy import resolve_topic
from terminal.text import clean_text, one_line, safe_url

# Each field and the keys it is read from, in order of preference. Keys are compared
# lower-cased without spaces, "_" or "-", so "publishedAt" and "Published At" both match.
FIELDS: dict[str, tuple[str, ...]] = {
    "title": ("title", "headline", "webtitle"),
    "published_at": (
        "publishedat", "published", "date", "pubdate", "publicationdate", "publisheddate",
        "datepublished", "webpublicationdate", "datetime", "timestamp", "time",
        "providerpublishtime", "createdat",
    ),
    "url": ("url", "link", "weburl", "articleurl"),
    "source": ("source", "publisher", "sourcename"),
    "summary": ("summary", "description", "abstract", "snippet"),
    "body": ("body", "content", "text", "articlebody"),
    "analysis": ("analysis",),
    "tickers": ("tickers", "symbols", "ticker", "relatedtickers"),
    "topics": ("topics", "topic"),
    "guid": ("guid", "uuid"),
    "impact": ("impact", "marketimpact"),
    "impact_model": ("impactmodel",),
    "sentiment": ("sentiment",),
    "language": ("language", "lang"),
    "is_sample": ("issample",),
    "published_estimated": ("publishedestimated",),
    "id": ("id",),
}  # fmt: skip
SYMBOL = re.compile(r"^(?=.*[A-Z])[A-Z0-9][A-Z0-9.\-=^]{0,14}$")
LIST_SPLIT = re.compile(r"[;,|]\s*|\s+")
MIN_YEAR, MAX_FUTURE_DAYS = 1970, 2
MAX_EXTRA_DEPTH, MAX_EXTRA_CHARS = 20, 50_000
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
        if isinstance(item, Mapping):
            item = item.get("symbol") or item.get("ticker")
        item = _scalar(item)
        symbol = "" if item is None else item.strip().lstrip("$").upper()
        if symbol:
            (good if SYMBOL.match(symbol) else bad).append(symbol[:20])
    return list(dict.fromkeys(good)), bad


def parse_topics(value: Any) -> tuple[list[str], list[str]]:
    """Topic slugs from labels or slugs; also the unknown ones."""
    if isinstance(value, list | tuple):
        items = [text for v in value if (text := _scalar(v))]
    else:
        items = [p for p in re.split(r"[;|]\s*|,\s*", str(value)) if p.strip()]
    slugs: list[str] = []
    unknown: list[str] = []
    for item in items:
        slug = resolve_topic(item)
        if slug:
            slugs.append(slug)
        elif item.strip():
            unknown.append(one_line(item, max_len=100))
    return list(dict.fromkeys(slugs)), unknown


def parse_score(value: Any, name: str, lo: float, hi: float) -> float | None:
    """A score in lo..hi from a number or a numeric string ("0.7", "70%"); None when absent."""
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


def _scalar(value: Any) -> str | None:
    """One text value: strings and numbers as text, a list's first item, an object's name."""
    if isinstance(value, str):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value) if math.isfinite(value) else None
    if isinstance(value, list | tuple):
        return next((text for item in value if (text := _scalar(item))), None)
    if isinstance(value, Mapping):
        return next((text for key in _NAME_KEYS if (text := _scalar(value.get(key)))), None)
    return None


def _paragraphs(value: Any) -> str | None:
    """Text that may come as a list of paragraphs."""
    if isinstance(value, list | tuple):
        return "\n\n".join(text for item in value if (text := _scalar(item)))
    return _scalar(value)


def _flag(value: Any) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in ("1", "true", "yes", "y")
    return bool(value)


def _key(name: Any) -> str:
    return re.sub(r"[\s_\-]+", "", str(name).lower())


def pick_fields(data: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """(canonical field -> value, the other keys) from a record with any key spelling."""
    by_key: dict[str, tuple[str, Any]] = {}
    for name, value in data.items():
        by_key.setdefault(_key(name), (str(name).strip().lower(), value))
    fields: dict[str, Any] = {}
    used: set[str] = set()
    for field, keys in FIELDS.items():
        for key in keys:
            if key in by_key and by_key[key][1] not in (None, "", [], {}):
                fields[field] = by_key[key][1]
                used.add(key)
                break
        used.update(k for k in keys if k in by_key and by_key[k][1] in (None, "", [], {}))
    rest = {name: value for key, (name, value) in by_key.items() if key not in used and name}
    return fields, rest


def record_from_mapping(
    data: Mapping[str, Any], *, now: datetime, default_published: datetime | None = None
) -> tuple[ArticleRecord, list[str]]:
    """One canonical record and its warnings; raises BadRecord when it cannot be a story."""
    if not isinstance(data, Mapping):
        raise BadRecord(f"expected an object, got {_kind(data)}")
    fields, rest = pick_fields(data)
    warnings: list[str] = []
    raw_title = fields.get("title")
    if isinstance(raw_title, bool) or not isinstance(raw_title, str | int | float | None):
        raise BadRecord(f"title is {_kind(raw_title)}, not text")
    title = clip(one_line(raw_title), MAX_TITLE, "title", warnings)
    if not title:
        raise BadRecord("no title")
    published, estimated = _published(fields, now, default_published, warnings)
    raw_url = fields.get("url")
    url = safe_url(_scalar(raw_url))
    if raw_url and url is None:
        warnings.append(f"dropped a non-http(s) url {str(raw_url)[:60]!r}")
    tickers, bad_symbols = parse_symbols(fields.get("tickers") or [])
    if bad_symbols:
        warnings.append(f"ignored symbols that are not tickers: {', '.join(bad_symbols[:5])}")
    topics, unknown_topics = parse_topics(fields.get("topics") or [])
    extra = plain_extra(rest, warnings)
    if unknown_topics:
        extra["unknown_topics"] = unknown_topics
        warnings.append(f"topics not in the taxonomy kept aside: {', '.join(unknown_topics[:5])}")
    record = ArticleRecord(
        title=title,
        published_at=published,
        url=url,
        guid=one_line(_scalar(fields.get("guid")), max_len=500) or None,
        summary=_long_text(fields.get("summary"), "summary", warnings),
        body=_long_text(fields.get("body"), "body", warnings),
        analysis=_long_text(fields.get("analysis"), "analysis", warnings),
        publisher=one_line(_scalar(fields.get("source")), max_len=200),
        language=one_line(_scalar(fields.get("language")), max_len=16) or None,
        tickers=tickers,
        topics=topics,
        impact=parse_score(fields.get("impact"), "impact", 0.0, 1.0),
        sentiment=parse_score(fields.get("sentiment"), "sentiment", -1.0, 1.0),
        published_estimated=estimated,
        is_sample=_flag(fields.get("is_sample")),
        extra=extra,
    )
    return record, warnings


def _published(
    fields: Mapping[str, Any], now: datetime, default: datetime | None, warnings: list[str]
) -> tuple[datetime, bool]:
    raw = fields.get("published_at")
    estimated = _flag(fields.get("published_estimated"))
    if raw is None and default is not None:
        return default, estimated
    if raw is None:
        warnings.append("no published_at: using the import time (marked estimated)")
        return now, True
    if isinstance(raw, list | dict | bool):
        raise BadRecord(f"published_at is {_kind(raw)}, not a date")
    published, guessed = parse_time_guessed(raw)
    check_time(published, now)
    if guessed and not estimated:
        warnings.append(
            f"published_at {str(raw)[:30]!r} has no time of day: midnight UTC, marked estimated"
        )
    return published, estimated or guessed


def _long_text(value: Any, name: str, warnings: list[str]) -> str:
    return clip(clean_text(_paragraphs(value)), MAX_TEXT, name, warnings)


def _kind(value: Any) -> str:
    names = {list: "a list", dict: "an object", bool: "true/false", type(None): "null"}
    return next((n for t, n in names.items() if isinstance(value, t)), type(value).__name__)


def clip(text: str, limit: int, name: str, warnings: list[str]) -> str:
    """Text cut to `limit` characters, saying so in the warnings when it was longer."""
    if len(text) <= limit:
        return text
    warnings.append(f"{name} of {len(text):,} characters cut to {limit:,}")
    return text[: limit - 1].rstrip() + "…"


def plain_extra(rest: Mapping[str, Any], warnings: list[str]) -> dict[str, Any]:
    """Unknown fields made safe to store as JSON (both SQLite and PostgreSQL's jsonb).

    NaN and infinities become null, NUL characters go, and a value nested deeper than
    MAX_EXTRA_DEPTH or longer than MAX_EXTRA_CHARS once written is dropped with a warning.
    """
    extra: dict[str, Any] = {}
    for name, value in rest.items():
        try:
            clean = _plain(value, 0)
            size = len(json.dumps(clean, allow_nan=False))
        except (_TooDeep, RecursionError, ValueError):
            warnings.append(f"field {name[:40]!r} is nested too deeply: dropped")
            continue
        if size > MAX_EXTRA_CHARS:
            warnings.append(f"field {name[:40]!r} of {size:,} characters: dropped")
            continue
        extra[name.replace("\x00", "")] = clean
    return extra


class _TooDeep(ValueError):
    pass


def _plain(value: Any, depth: int) -> Any:
    if depth > MAX_EXTRA_DEPTH:
        raise _TooDeep
    if isinstance(value, str):
        return value.replace("\x00", "")
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, Mapping):
        return {str(k).replace("\x00", ""): _plain(v, depth + 1) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v, depth + 1) for v in value]
    if value is None or isinstance(value, bool | int | float):
        return value
    return str(value)
