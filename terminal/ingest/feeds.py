"""RSS and Atom feeds into ArticleRecords through feedparser, without trusting a byte of them.

Safety: the bytes are decoded and re-declared as UTF-8 and any DOCTYPE is removed before
feedparser sees them (`xmlprep`), and feedparser's strict parser is defusedxml's expat
reader, which refuses entity declarations, so no entity is ever expanded or fetched.
Content that is not a feed raises `NotAFeed` with a one-line reason.
"""

from __future__ import annotations

import io
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

import feedparser
import feedparser.api
from defusedxml import DefusedXmlException

from terminal.ingest.xmlprep import NotAFeed, looks_like_feed, prepare_xml
from terminal.records import ArticleRecord, ParseResult, Rejected
from terminal.text import clean_text, one_line, safe_url

__all__ = ["NotAFeed", "is_plausible_date", "language_subtag", "looks_like_feed", "parse_feed"]

# feedparser would prefer libxml2's SAX driver if installed; pin the defused expat reader.
feedparser.api.PREFERRED_XML_PARSERS = ["defusedxml.expatreader"]

TITLE_MAX = 1_000
SUMMARY_MAX = 5_000
BODY_MAX = 200_000
GUID_MAX = 2_000
MAX_ENTRIES = 2_000  # per feed and run; a real feed carries tens to hundreds
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
FUTURE_SLACK = timedelta(days=1)


@dataclass(slots=True)
class _Feed:
    """What every entry of one feed shares."""

    url: str
    fetched_at: datetime
    publisher: str
    language: str | None
    warnings: list[str] = field(default_factory=list)


def parse_feed(
    content: bytes, *, url: str, fetched_at: datetime, content_type: str | None = None
) -> ParseResult:
    """Records from an RSS 0.9x/1.0/2.0 or Atom document; raises NotAFeed for anything else."""
    data, warnings = prepare_xml(content, content_type)
    parsed = _feedparser(data)
    if not parsed.get("version") and not parsed.entries:
        raise NotAFeed(f"no RSS or Atom feed could be read ({_bozo_reason(parsed)})")
    if parsed.get("bozo"):
        warnings.append(
            f"feed is not well-formed XML ({_bozo_reason(parsed)}); "
            f"recovered {len(parsed.entries)} entries"
        )
    feed = _Feed(
        url=url,
        fetched_at=fetched_at.astimezone(UTC),
        publisher=_feed_publisher(parsed.feed, url),
        language=language_subtag(parsed.feed.get("language")),
        warnings=warnings,
    )
    return _entries_result(parsed.entries, feed)


def _feedparser(data: bytes) -> Any:
    """feedparser's result for prepared UTF-8 bytes; entity declarations raise NotAFeed."""
    try:
        # A stream, never a str: feedparser treats strings as URLs or file paths.
        return feedparser.parse(
            io.BytesIO(data),
            response_headers={"content-type": "application/xml; charset=utf-8"},
            sanitize_html=False,  # clean_text turns every field into plain text anyway
            resolve_relative_uris=False,
        )
    except DefusedXmlException as error:
        raise NotAFeed(f"refused: the document declares XML entities ({error})") from None


def _bozo_reason(parsed: Any) -> str:
    """feedparser's complaint about a document, on one short line."""
    error = parsed.get("bozo_exception")
    return one_line(error, max_len=200) if error else "nothing recognisable"


def _entries_result(entries: list[Any], feed: _Feed) -> ParseResult:
    """Records for the entries, with empty entries and repeated GUIDs rejected."""
    result = ParseResult(warnings=feed.warnings)
    if len(entries) > MAX_ENTRIES:
        result.warnings.append(
            f"feed has {len(entries)} entries: only the first {MAX_ENTRIES} were read"
        )
    first_seen: dict[str, int] = {}
    for number, entry in enumerate(entries[:MAX_ENTRIES], start=1):
        location = f"entry {number}"
        record = _record(entry, feed, location)
        if record is None:
            result.rejected.append(Rejected(location, "no title and no summary"))
            continue
        if record.guid is not None:
            if record.guid in first_seen:
                reason = f"duplicate guid (same as entry {first_seen[record.guid]})"
                result.rejected.append(Rejected(location, reason))
                continue
            first_seen[record.guid] = number
        result.records.append(record)
    return result


def _record(entry: Any, feed: _Feed, location: str) -> ArticleRecord | None:
    """One entry as an ArticleRecord, or None when it has neither title nor summary."""
    body = clean_text(_body_html(entry), max_len=BODY_MAX)
    summary = clean_text(entry.get("summary"), max_len=SUMMARY_MAX)
    if summary == body:
        body = ""
    title = one_line(entry.get("title"), max_len=TITLE_MAX)
    if not title and not summary:
        return None
    guid = one_line(entry.get("id"), max_len=GUID_MAX) or None
    published_at, estimated = _published(entry, feed, location)
    outlet = _entry_publisher(entry)
    title = without_outlet_suffix(title, outlet)
    return ArticleRecord(
        title=title or one_line(summary, max_len=160),
        published_at=published_at,
        published_estimated=estimated,
        url=_entry_url(entry, guid, feed.url),
        guid=guid,
        summary=summary,
        body=body,
        publisher=outlet or feed.publisher,
        language=feed.language,
        extra=_extra(entry, feed.url),
    )


def _body_html(entry: Any) -> str:
    """The entry's full content (content:encoded or Atom content), when it has one."""
    for content in entry.get("content") or []:
        value = content.get("value") if hasattr(content, "get") else None
        if value:
            return str(value)
    return ""


def _entry_url(entry: Any, guid: str | None, feed_url: str) -> str | None:
    """The http(s) link: the entry's link (relative ones resolved), else an absolute http guid."""
    link = None if entry.get("guidislink") else entry.get("link")
    return safe_url(link, base=feed_url) if link else safe_url(guid)


def _published(entry: Any, feed: _Feed, location: str) -> tuple[datetime, bool]:
    """When the entry was published, or the fetch time (estimated) when unknown or absurd."""
    raw = entry.get("published") or entry.get("updated") or entry.get("created")
    for key in ("published_parsed", "updated_parsed", "created_parsed"):
        parsed = entry.get(key)
        if parsed:
            break
    else:
        if raw:
            feed.warnings.append(f"{location}: unreadable date {one_line(raw, max_len=60)!r}")
        return feed.fetched_at, True
    when = _from_struct(parsed)
    if when is None or not is_plausible_date(when, feed.fetched_at):
        shown = one_line(raw, max_len=60) if raw else str(when)
        feed.warnings.append(f"{location}: implausible date {shown!r}, fetch time used")
        return feed.fetched_at, True
    return when, False


def is_plausible_date(when: datetime, fetched_at: datetime) -> bool:
    """False for dates before 1970 or more than a day after the fetch (year 9999, 1900...)."""
    return EPOCH <= when <= fetched_at + FUTURE_SLACK


def _from_struct(value: time.struct_time) -> datetime | None:
    """A UTC datetime from feedparser's UTC struct_time, or None when out of range."""
    try:
        return datetime(*value[:6], tzinfo=UTC)
    except (ValueError, TypeError, OverflowError):
        return None


def _entry_publisher(entry: Any) -> str:
    """The original outlet named by an aggregated entry's <source>, if any."""
    source = entry.get("source")
    return one_line(source.get("title"), max_len=200) if hasattr(source, "get") else ""


def without_outlet_suffix(title: str, outlet: str) -> str:
    """An aggregator's title without the outlet it appends ("Nvidia ... - Reuters")."""
    for dash in (" - ", " – ", " — ", " | "):
        if outlet and title.endswith(dash + outlet) and len(title) > len(dash + outlet):
            return title[: -len(dash + outlet)].rstrip()
    return title


def _feed_publisher(feed: Any, url: str) -> str:
    """The feed's own title, else the host it came from."""
    return one_line(feed.get("title"), max_len=200) or (urlsplit(url).hostname or "")


def language_subtag(value: object) -> str | None:
    """The primary language subtag ("en" from "en-US"), or None."""
    primary = one_line(value).replace("_", "-").split("-")[0].lower()
    return primary if 2 <= len(primary) <= 3 and primary.isalpha() else None


def _extra(entry: Any, feed_url: str) -> dict[str, Any]:
    """Source fields worth keeping that have no column: author, categories, the feed URL."""
    extra: dict[str, Any] = {"feed_url": safe_url(feed_url)}
    author = one_line(entry.get("author"), max_len=200)
    if author:
        extra["author"] = author
    tags = [
        one_line(t.get("term"), max_len=100) for t in entry.get("tags") or [] if hasattr(t, "get")
    ]
    if tags := [t for t in tags if t]:
        extra["categories"] = tags[:50]
    return extra
