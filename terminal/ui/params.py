"""The feed's URL query string <-> ArticleFilter, sort and page (DESIGN.md contract 5).

`?ticker=NVDA&ticker=AMD&topic=ai&source=Reuters&q=chips&min_impact=0.5&max_impact=0.9`
`&sentiment=negative&since=2025-01-01&until=2025-01-31&sample=hide&clusters=all`
`&sort=impact&page=2` (sort: newest, impact or move, the largest realised move first).
Bad values are ignored, never fatal; defaults stay out of the URL.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime, timedelta
from urllib.parse import parse_qs, urlencode

from terminal.query import SENTIMENT_BANDS, ArticleFilter
from terminal.taxonomy import resolve_topic

Params = Mapping[str, "str | Sequence[str]"]
SORTS = ("newest", "impact", "move")
SORT_LABELS = {"newest": "newest", "impact": "impact", "move": "realised move"}
MULTI = ("ticker", "topic", "source")
MAX_VALUES = 50


def values(params: Params, name: str) -> list[str]:
    """Every non-empty value of a parameter, in order, without repeats."""
    raw = params.get(name)
    items = [raw] if isinstance(raw, str) else list(raw or [])
    out: list[str] = []
    for item in items:
        text = str(item).strip()[:200]
        if text and text not in out:
            out.append(text)
    return out[:MAX_VALUES]


def first(params: Params, name: str) -> str:
    found = values(params, name)
    return found[0] if found else ""


def _fraction(text: str) -> float | None:
    try:
        number = float(text)
    except ValueError:
        return None
    return number if 0.0 <= number <= 1.0 else None


def _day(text: str) -> date | None:
    try:
        return date.fromisoformat(text[:10])
    except ValueError:
        return None


def _start_of(day: date | None) -> datetime | None:
    return datetime(day.year, day.month, day.day, tzinfo=UTC) if day else None


def filter_from_params(params: Params) -> ArticleFilter:
    """The filter a feed URL asks for (the feed shows cluster leads unless `clusters=all`)."""
    until = _day(first(params, "until"))
    sample = first(params, "sample")
    sentiment = first(params, "sentiment")
    topics = [resolve_topic(t) or t for t in values(params, "topic")]
    return ArticleFilter(
        tickers=tuple(t.upper() for t in values(params, "ticker")),
        topics=tuple(dict.fromkeys(topics)),
        sources=tuple(values(params, "source")),
        text=first(params, "q")[:200],
        since=_start_of(_day(first(params, "since"))),
        until=_start_of(until + timedelta(days=1)) if until else None,
        min_impact=_fraction(first(params, "min_impact")),
        max_impact=_fraction(first(params, "max_impact")),
        sentiment=sentiment if sentiment in SENTIMENT_BANDS else None,
        sample={"hide": False, "only": True}.get(sample),
        leads_only=first(params, "clusters") != "all",
    )


def params_from_filter(flt: ArticleFilter) -> dict[str, str | list[str]]:
    """The URL parameters for a filter; the inverse of filter_from_params."""
    out: dict[str, str | list[str]] = {}
    for name, items in (("ticker", flt.tickers), ("topic", flt.topics), ("source", flt.sources)):
        if items:
            out[name] = list(items)
    if flt.text.strip():
        out["q"] = flt.text.strip()
    if flt.min_impact is not None:
        out["min_impact"] = f"{flt.min_impact:g}"
    if flt.max_impact is not None:
        out["max_impact"] = f"{flt.max_impact:g}"
    if flt.sentiment:
        out["sentiment"] = flt.sentiment
    if flt.since is not None:
        out["since"] = flt.since.date().isoformat()
    if flt.until is not None:
        out["until"] = (flt.until - timedelta(days=1)).date().isoformat()
    if flt.sample is not None:
        out["sample"] = "only" if flt.sample else "hide"
    if not flt.leads_only:
        out["clusters"] = "all"
    return out


def sort_from_params(params: Params) -> str:
    sort = first(params, "sort")
    return sort if sort in SORTS else "newest"


def page_from_params(params: Params) -> int:
    """The 1-based page number (1 when absent or bad)."""
    text = first(params, "page")
    return max(1, min(int(text), 100_000)) if text.isdigit() else 1


def feed_params(
    flt: ArticleFilter, *, sort: str = "newest", page: int = 1
) -> dict[str, str | list[str]]:
    """The whole feed URL: filter, then sort and page when they are not the defaults."""
    out = params_from_filter(flt)
    if sort != "newest":
        out["sort"] = sort
    if page > 1:
        out["page"] = str(page)
    return out


def query_string(params: Mapping[str, str | list[str]]) -> str:
    """`a=1&b=2&b=3`, for saved views."""
    return urlencode(
        [(k, v) for k, vs in params.items() for v in ([vs] if isinstance(vs, str) else vs)]
    )


def parse_query_string(text: str) -> dict[str, list[str]]:
    """Parameters from a saved query string."""
    return dict(parse_qs(text.lstrip("?")))
