"""The canonical article format (JSON object, JSONL line, CSV row) to an ArticleRecord."""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

from terminal.records import MAX_TEXT, MAX_TITLE, ArticleRecord
from terminal.taxonomy import resolve_topic
from terminal.text import clean_text, one_line, safe_url

KNOWN_FIELDS = {
    "id", "url", "link", "guid", "title", "headline", "published_at", "published", "date",
    "source", "publisher", "summary", "description", "body", "content", "text", "analysis",
    "tickers", "symbols", "topics", "impact", "impact_model", "sentiment", "language",
    "is_sample", "published_estimated",
}  # fmt: skip
SYMBOL = re.compile(r"^[A-Z0-9][A-Z0-9.\-=^]{0,14}$")
LIST_SPLIT = re.compile(r"[;,|]\s*|\s+")
MIN_YEAR, MAX_FUTURE_DAYS = 1970, 2


class BadRecord(ValueError):
    """A record that cannot become a story; the message says why."""


def parse_time(value: Any) -> datetime:
    """An aware UTC datetime from ISO 8601, RFC 2822 or epoch seconds; naive means UTC."""
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, int | float) and not isinstance(value, bool):
        if not math.isfinite(value):
            raise BadRecord(f"published_at {value!r} is not a date")
        moment = datetime.fromtimestamp(value / 1000 if value > 1e11 else value, UTC)
    else:
        text = str(value).strip()
        try:
            moment = datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
        except ValueError:
            try:
                moment = parsedate_to_datetime(text)
            except (TypeError, ValueError, IndexError):
                raise BadRecord(f"published_at {text[:60]!r} is not a date") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def check_time(moment: datetime, now: datetime) -> None:
    if moment.year < MIN_YEAR or (moment - now).days >= MAX_FUTURE_DAYS:
        raise BadRecord(f"published_at {moment.isoformat()} is out of range")


def parse_symbols(value: Any) -> tuple[list[str], list[str]]:
    """Ticker symbols from a list or a delimited string; also the ones rejected."""
    items: Iterable[Any] = (
        value if isinstance(value, list | tuple) else LIST_SPLIT.split(str(value))
    )
    good: list[str] = []
    bad: list[str] = []
    for item in items:
        if isinstance(item, Mapping):
            item = item.get("symbol", "")
        symbol = str(item).strip().lstrip("$").upper()
        if not symbol:
            continue
        (good if SYMBOL.match(symbol) else bad).append(symbol)
    return list(dict.fromkeys(good)), bad


def parse_topics(value: Any) -> tuple[list[str], list[str]]:
    """Topic slugs from labels or slugs; also the unknown ones."""
    if isinstance(value, list | tuple):
        items = [str(v) for v in value]
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
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        score = float(value)
    except (TypeError, ValueError):
        raise BadRecord(f"{name} {str(value)[:30]!r} is not a number") from None
    if not math.isfinite(score) or not lo <= score <= hi:
        raise BadRecord(f"{name} {score} is outside {lo:g}..{hi:g}")
    return score


def _first(data: Mapping[str, Any], *names: str) -> Any:
    for name in names:
        value = data.get(name)
        if value not in (None, ""):
            return value
    return None


def _flag(value: Any) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in ("1", "true", "yes", "y")
    return bool(value)


def record_from_mapping(
    data: Mapping[str, Any], *, now: datetime, default_published: datetime | None = None
) -> tuple[ArticleRecord, list[str]]:
    """One canonical record and its warnings; raises BadRecord when it cannot be a story."""
    if not isinstance(data, Mapping):
        raise BadRecord(f"expected an object, got {type(data).__name__}")
    data = {str(k).strip().lower(): v for k, v in data.items()}
    warnings: list[str] = []
    title = clip(one_line(_first(data, "title", "headline")), MAX_TITLE, "title", warnings)
    if not title:
        raise BadRecord("no title")
    raw_time = _first(data, "published_at", "published", "date")
    estimated = _flag(data.get("published_estimated"))
    if raw_time is None and default_published is not None:
        published = default_published
    elif raw_time is None:
        published = now
        estimated = True
        warnings.append("no published_at: using the import time (marked estimated)")
    else:
        published = parse_time(raw_time)
        check_time(published, now)
    raw_url = _first(data, "url", "link")
    url = safe_url(raw_url)
    if raw_url and url is None:
        warnings.append(f"dropped a non-http(s) url {str(raw_url)[:60]!r}")
    tickers, bad_symbols = parse_symbols(_first(data, "tickers", "symbols") or [])
    if bad_symbols:
        warnings.append(f"ignored symbols that are not tickers: {', '.join(bad_symbols[:5])}")
    topics, unknown_topics = parse_topics(data.get("topics") or [])
    extra = {k: v for k, v in data.items() if k not in KNOWN_FIELDS and _jsonable(v)}
    if unknown_topics:
        extra["unknown_topics"] = unknown_topics
        warnings.append(f"topics not in the taxonomy kept aside: {', '.join(unknown_topics[:5])}")
    record = ArticleRecord(
        title=title,
        published_at=published,
        url=url,
        guid=one_line(data.get("guid"), max_len=500) or None,
        summary=clip(
            clean_text(_first(data, "summary", "description")), MAX_TEXT, "summary", warnings
        ),
        body=clip(clean_text(_first(data, "body", "content", "text")), MAX_TEXT, "body", warnings),
        analysis=clip(clean_text(data.get("analysis")), MAX_TEXT, "analysis", warnings),
        publisher=one_line(_first(data, "source", "publisher"), max_len=200),
        language=one_line(data.get("language"), max_len=16) or None,
        tickers=tickers,
        topics=topics,
        impact=parse_score(data.get("impact"), "impact", 0.0, 1.0),
        sentiment=parse_score(data.get("sentiment"), "sentiment", -1.0, 1.0),
        published_estimated=estimated,
        is_sample=_flag(data.get("is_sample")),
        extra=extra,
    )
    return record, warnings


def clip(text: str, limit: int, name: str, warnings: list[str]) -> str:
    """Text cut to `limit` characters, saying so in the warnings when it was longer."""
    if len(text) <= limit:
        return text
    warnings.append(f"{name} of {len(text):,} characters cut to {limit:,}")
    return text[: limit - 1].rstrip() + "…"


def _jsonable(value: Any) -> bool:
    return isinstance(value, str | int | float | bool | list | dict) or value is None
