"""The canonical article format (JSON object, JSONL line, CSV row) to an ArticleRecord."""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from terminal.importers.fields import (
    CACHE_SIZE,
    CACHED_LEN,
    BadRecord,
    check_time,
    flag,
    paragraphs,
    parse_score,
    parse_symbols,
    parse_time_guessed,
    parse_topics,
    scalar,
)
from terminal.records import MAX_TEXT, MAX_TITLE, ArticleRecord
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
# Where each key is read: key -> ((field, preference), ...); a lower preference wins.
_PLACES: dict[str, tuple[tuple[str, int], ...]] = {
    key: tuple((field, keys.index(key)) for field, keys in FIELDS.items() if key in keys)
    for key in {key for keys in FIELDS.values() for key in keys}
}
KEY_JUNK = re.compile(r"[\s_\-]+")
_EMPTY: tuple[Any, ...] = (None, "", [], {})  # values that count as missing (compared with ==)
# A record key: its compared form, its kept form, and the fields it is read for (or None).
_Name = tuple[str, str, tuple[tuple[str, int], ...] | None]
_NAMES: dict[str, _Name] = {}
# Plans (see pick_fields) for up to _PLAN_COUNT key layouts of up to _PLAN_KEYS keys each.
_PLAN_KEYS, _PLAN_COUNT = 64, 512
_STR_ONLY = {str}
MAX_EXTRA_DEPTH, MAX_EXTRA_CHARS = 20, 50_000


def _read_name(name: Any) -> _Name:
    """A key as compared (see FIELDS), as kept among the other fields, and where it is read."""
    text = str(name)
    key = KEY_JUNK.sub("", text.lower())
    return key, text.strip().lower(), _PLACES.get(key)


def _name(name: Any) -> _Name:
    """_read_name, remembered for short string keys (only str: 1 and True differ here)."""
    if type(name) is not str or len(name) > CACHED_LEN:
        return _read_name(name)
    found = _NAMES.get(name)
    if found is None:
        if len(_NAMES) >= CACHE_SIZE:
            _NAMES.clear()
        found = _NAMES[name] = _read_name(name)
    return found


def pick_fields(data: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """(canonical field -> value, the other keys) from a record with any key spelling.

    Each field takes the value of its most preferred key holding a value; keys holding
    nothing (null, "", [], {}) are dropped, and the remaining keys are the other fields.
    Records of a file mostly share their keys: how those keys are read is worked out once
    (see _Plan) for dicts with string keys, and `_pick_any` reads any other mapping.
    """
    if type(data) is dict and len(data) <= _PLAN_KEYS:
        names = tuple(data)
        plan = _PLANS.get(names)
        if plan is None:
            plan = _Plan.of(names)
            if plan.usable:  # only short str keys are kept: the cache stays small
                if len(_PLANS) >= _PLAN_COUNT:
                    _PLANS.clear()
                _PLANS[names] = plan
        # A hit means equal keys; only str keys are equal just when they read alike.
        if plan.usable and set(map(type, names)) == _STR_ONLY:
            return plan.pick(list(data.values()))
    return _pick_any(data)


def _pick_any(data: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """pick_fields for any mapping, its keys read one by one."""
    by_key: dict[str, tuple[_Name, Any]] = {}
    for name, value in data.items():
        found = _name(name)
        if found[0] not in by_key:
            by_key[found[0]] = (found, value)
    chosen: dict[str, tuple[int, str, Any]] = {}  # field -> (preference, key, value)
    for key, ((_, _, places), value) in by_key.items():
        if places is None or value in _EMPTY:
            continue
        for field, rank in places:
            if field not in chosen or rank < chosen[field][0]:
                chosen[field] = (rank, key, value)
    fields: dict[str, Any] = {}
    used: set[str] = set()
    for field in FIELDS:
        if field in chosen:
            _, key, fields[field] = chosen[field]
            used.add(key)
    rest = {
        kept: value
        for key, ((_, kept, places), value) in by_key.items()
        if kept and key not in used and (places is None or value not in _EMPTY)
    }
    return fields, rest


@dataclass(frozen=True, slots=True)
class _Plan:
    """How pick_fields reads a dict with given string keys, by the keys' positions.

    `fields`: each field found and its keys' positions, most preferred first; `order`: the
    first key of each compared form that has a kept name, with that name and whether it
    is a field's key (such a key holding nothing is dropped). `usable` is False for keys
    that are not all short strings (those dicts are read by _pick_any).
    """

    fields: tuple[tuple[str, tuple[int, ...]], ...]
    order: tuple[tuple[int, str, bool], ...]
    usable: bool

    @classmethod
    def of(cls, names: tuple[Any, ...]) -> _Plan:
        """The plan for dicts whose keys are `names`, in that order."""
        if not all(type(name) is str and len(name) <= CACHED_LEN for name in names):
            return cls((), (), usable=False)
        found = [_name(name) for name in names]
        first: dict[str, int] = {}
        for position, (key, _, _) in enumerate(found):
            first.setdefault(key, position)
        candidates: dict[str, list[tuple[int, int]]] = {}
        for position in first.values():
            for field, rank in found[position][2] or ():
                candidates.setdefault(field, []).append((rank, position))
        return cls(
            fields=tuple(
                (field, tuple(position for _, position in sorted(candidates[field])))
                for field in FIELDS
                if field in candidates
            ),
            order=tuple(
                (position, found[position][1], found[position][2] is not None)
                for position in first.values()
                if found[position][1]
            ),
            usable=True,
        )

    def pick(self, values: list[Any]) -> tuple[dict[str, Any], dict[str, Any]]:
        """pick_fields for a dict with this plan's keys, given its values in order."""
        fields: dict[str, Any] = {}
        used: set[int] = set()
        for field, positions in self.fields:
            for position in positions:
                value = values[position]
                if value not in _EMPTY:
                    fields[field] = value
                    used.add(position)
                    break
        rest = {
            kept: values[position]
            for position, kept, known in self.order
            if position not in used and not (known and values[position] in _EMPTY)
        }
        return fields, rest


_PLANS: dict[tuple[Any, ...], _Plan] = {}


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
    url = safe_url(scalar(raw_url))
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
        guid=one_line(scalar(fields.get("guid")), max_len=500) or None,
        summary=_long_text(fields.get("summary"), "summary", warnings),
        body=_long_text(fields.get("body"), "body", warnings),
        analysis=_long_text(fields.get("analysis"), "analysis", warnings),
        publisher=one_line(scalar(fields.get("source")), max_len=200),
        language=one_line(scalar(fields.get("language")), max_len=16) or None,
        tickers=tickers,
        topics=topics,
        impact=parse_score(fields.get("impact"), "impact", 0.0, 1.0),
        sentiment=parse_score(fields.get("sentiment"), "sentiment", -1.0, 1.0),
        published_estimated=estimated,
        is_sample=flag(fields.get("is_sample")),
        extra=extra,
    )
    return record, warnings


def _published(
    fields: Mapping[str, Any], now: datetime, default: datetime | None, warnings: list[str]
) -> tuple[datetime, bool]:
    raw = fields.get("published_at")
    estimated = flag(fields.get("published_estimated"))
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
    if value is None:
        return ""
    return clip(clean_text(paragraphs(value)), MAX_TEXT, name, warnings)


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
