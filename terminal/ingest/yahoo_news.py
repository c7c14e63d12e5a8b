"""Yahoo Finance news through yfinance: a hard deadline, both item shapes, one-line failures."""

from __future__ import annotations

import logging
import queue
import re
import threading
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from terminal.ingest.feeds import is_plausible_date, language_subtag
from terminal.records import ArticleRecord, ParseResult, Rejected
from terminal.text import clean_text, one_line, safe_url

if TYPE_CHECKING:
    import requests

NEWS_PER_SYMBOL = 20
_SYMBOL = re.compile(r"^[A-Z0-9^][A-Z0-9.^=-]{0,14}$")
_NETWORK_ERRORS = {
    "ConnectionError",
    "ConnectTimeout",
    "ReadTimeout",
    "Timeout",
    "TimeoutError",
    "ProxyError",
    "SSLError",
    "DNSError",
    "RequestException",
    "ChunkedEncodingError",
    "RemoteDisconnected",
}


def fetch_yahoo_news(
    symbols: Sequence[str],
    *,
    deadline: float = 15.0,
    session: requests.Session | None = None,
    now: datetime | None = None,
) -> tuple[ParseResult, list[str]]:
    """News for the symbols within `deadline` seconds overall, and one error line per failure."""
    fetched_at = (now or datetime.now(UTC)).astimezone(UTC)
    wanted, errors = _valid_symbols(symbols)
    answers = _run_with_deadline(wanted, session, deadline)
    result = ParseResult()
    for symbol in wanted:
        answer = answers.get(symbol)
        if answer is None:
            errors.append(
                f"Yahoo Finance unreachable (no answer within {deadline:g} s; offline?)"
                f" — {symbol} news not fetched"
            )
        elif isinstance(answer, str):
            errors.append(answer)
        else:
            _merge(result, parse_yahoo_items(answer, symbol=symbol, fetched_at=fetched_at))
    return result, errors


def _valid_symbols(symbols: Sequence[str]) -> tuple[list[str], list[str]]:
    """Unique upper-case symbols, and an error line for each one that is not a ticker."""
    wanted: list[str] = []
    errors: list[str] = []
    for raw in symbols:
        symbol = one_line(raw, max_len=40).upper()
        if not _SYMBOL.match(symbol):
            errors.append(f"{symbol or raw!r} is not a ticker symbol — skipped")
        elif symbol not in wanted:
            wanted.append(symbol)
    return wanted, errors


def _run_with_deadline(
    symbols: list[str], session: requests.Session | None, deadline: float
) -> dict[str, list[Any] | str]:
    """Each symbol's items (or error line) that arrived before the deadline."""
    if not symbols:
        return {}
    answers: queue.Queue[tuple[str, list[Any] | str]] = queue.Queue()
    # A daemon thread: a call stuck on a dead network is abandoned, never waited for.
    worker = threading.Thread(
        target=_fetch_all, args=(symbols, session, answers), name="yahoo-news", daemon=True
    )
    worker.start()
    ends = time.monotonic() + deadline
    got: dict[str, list[Any] | str] = {}
    while len(got) < len(symbols) and (remaining := ends - time.monotonic()) > 0:
        try:
            symbol, answer = answers.get(timeout=remaining)
        except queue.Empty:
            break
        got[symbol] = answer
    return got


def _fetch_all(
    symbols: list[str], session: requests.Session | None, answers: queue.Queue[Any]
) -> None:
    """Worker: ask yfinance for each symbol in turn; report items or an error line."""
    for symbol in symbols:
        try:
            answers.put((symbol, _ticker_news(symbol, session)))
        except Exception as error:
            answers.put((symbol, _describe(error, symbol)))


def _ticker_news(symbol: str, session: requests.Session | None) -> list[Any]:
    """yfinance's raw news items for one symbol (the only place yfinance is called)."""
    import yfinance as yf

    if not logging.getLogger("yfinance").handlers:
        # yfinance logs warnings; without a handler Python would print them to stderr.
        logging.getLogger("yfinance").addHandler(logging.NullHandler())
    items = yf.Ticker(symbol, session=session).get_news(count=NEWS_PER_SYMBOL, tab="news")
    if not isinstance(items, list):
        raise TypeError(f"news is a {type(items).__name__}, not a list")
    return items


def _describe(error: Exception, symbol: str) -> str:
    """One plain line for a failed yfinance call."""
    name = type(error).__name__
    if "RateLimit" in name:
        return f"Yahoo Finance rate limit reached — {symbol} news not fetched (try later)"
    if name in _NETWORK_ERRORS or isinstance(error, OSError):
        return f"Yahoo Finance unreachable (offline?) — {symbol} news not fetched"
    if "CURRENTLY DOWN" in str(error):
        return f"Yahoo Finance is down — {symbol} news not fetched"
    detail = one_line(f"{name}: {error}", max_len=160)
    return f"Yahoo Finance gave an unexpected answer — {symbol} news not fetched ({detail})"


def _merge(into: ParseResult, part: ParseResult) -> None:
    """Add one symbol's results; a story already seen for another symbol gains its tickers."""
    by_guid = {r.guid: r for r in into.records if r.guid}
    for record in part.records:
        seen = by_guid.get(record.guid) if record.guid else None
        if seen is None:
            into.records.append(record)
            continue
        seen.tickers += [t for t in record.tickers if t not in seen.tickers]
    into.rejected += part.rejected
    into.warnings += part.warnings


def parse_yahoo_items(items: list[Any], *, symbol: str, fetched_at: datetime) -> ParseResult:
    """Records from yfinance news items, flat (`uuid`...) or nested (`content`...)."""
    result = ParseResult()
    seen: set[str] = set()
    for number, item in enumerate(items, start=1):
        location = f"{symbol} item {number}"
        if not isinstance(item, dict):
            result.rejected.append(Rejected(location, "not a JSON object"))
            continue
        fields = _nested(item) if isinstance(item.get("content"), dict) else _flat(item)
        record = _record(fields, symbol, fetched_at, location, result.warnings)
        if record is None:
            result.rejected.append(Rejected(location, "no title and no summary"))
        elif record.guid and record.guid in seen:
            result.rejected.append(Rejected(location, "duplicate guid"))
        else:
            seen.add(record.guid or "")
            result.records.append(record)
    return result


def _nested(item: dict[str, Any]) -> dict[str, Any]:
    """The fields of the newer item shape: {"id", "content": {...}}."""
    content = item["content"]
    canonical = _dict(content.get("canonicalUrl"))
    stock_tickers = _dict(content.get("finance")).get("stockTickers") or []
    return {
        "guid": item.get("id") or content.get("id"),
        "title": content.get("title"),
        "summary": content.get("summary") or content.get("description"),
        "published": _iso_time(content.get("pubDate") or content.get("displayTime")),
        "publisher": _dict(content.get("provider")).get("displayName"),
        "urls": [canonical.get("url"), _dict(content.get("clickThroughUrl")).get("url")],
        "tickers": [_dict(t).get("symbol") for t in _list(stock_tickers)],
        "language": canonical.get("lang"),
        "kind": content.get("contentType"),
    }


def _flat(item: dict[str, Any]) -> dict[str, Any]:
    """The fields of the older item shape: {"uuid", "title", "providerPublishTime"...}."""
    return {
        "guid": item.get("uuid") or item.get("id"),
        "title": item.get("title"),
        "summary": item.get("summary"),
        "published": _epoch_time(item.get("providerPublishTime")),
        "publisher": item.get("publisher"),
        "urls": [item.get("link")],
        "tickers": _list(item.get("relatedTickers")),
        "language": None,
        "kind": item.get("type"),
    }


def _record(
    fields: dict[str, Any], symbol: str, fetched_at: datetime, location: str, warnings: list[str]
) -> ArticleRecord | None:
    """An ArticleRecord from one item's fields, or None without title and summary."""
    title = one_line(fields["title"], max_len=1_000)
    summary = clean_text(fields["summary"], max_len=5_000)
    if not title and not summary:
        return None
    published = fields["published"]
    estimated = published is None or not is_plausible_date(published, fetched_at)
    if published is not None and estimated:
        warnings.append(f"{location}: implausible date {published.isoformat()}, fetch time used")
    tickers = _symbols(fields["tickers"]) or [symbol]
    return ArticleRecord(
        title=title or one_line(summary, max_len=160),
        summary=summary,
        published_at=fetched_at if estimated else published,
        published_estimated=estimated,
        url=next((u for u in map(safe_url, fields["urls"]) if u), None),
        guid=one_line(fields["guid"], max_len=200) or None,
        publisher=one_line(fields["publisher"], max_len=200) or "Yahoo Finance",
        language=language_subtag(fields["language"]),
        tickers=tickers,
        extra={"yahoo_symbol": symbol, "content_type": one_line(fields["kind"], max_len=40)},
    )


def _symbols(values: list[Any]) -> list[str]:
    """Clean, unique ticker symbols; anything that is not a symbol is dropped."""
    out: list[str] = []
    for value in values:
        symbol = value.strip().upper() if isinstance(value, str) else ""
        if _SYMBOL.match(symbol) and symbol not in out:
            out.append(symbol)
    return out


def _iso_time(value: object) -> datetime | None:
    """A UTC datetime from an ISO 8601 string ("2025-01-28T14:49:00Z"), or None."""
    if not isinstance(value, str):
        return None
    try:
        when = datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    return when.replace(tzinfo=UTC) if when.tzinfo is None else when.astimezone(UTC)


def _epoch_time(value: object) -> datetime | None:
    """A UTC datetime from epoch seconds, or None."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    try:
        return datetime.fromtimestamp(value, UTC)
    except (ValueError, OverflowError, OSError):
        return None


def _dict(value: object) -> dict[str, Any]:
    """The value if it is a dict, else an empty one (untrusted JSON)."""
    return value if isinstance(value, dict) else {}


def _list(value: object) -> list[Any]:
    """The value if it is a list, else an empty one (untrusted JSON)."""
    return value if isinstance(value, list) else []
