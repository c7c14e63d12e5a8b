"""Readers for JSON, JSONL and CSV files in the canonical article format."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from terminal.importers.canonical import record_from_mapping
from terminal.importers.fields import BadRecord
from terminal.records import ParseResult, Pending, Rejected

csv.field_size_limit(10_000_000)

# Keys under which news APIs and exports put their list of articles, in order of preference.
LIST_KEYS = ("articles", "items", "results", "stories", "news", "entries", "data", "value")
PRICE_COLUMNS = {"open", "high", "low", "close", "adj close", "volume"}


class JsonLine(str):
    """A JSONL line not decoded yet: a large import's tagging workers decode it (a broken
    line is then rejected there, with its number), not the importing process."""

    __slots__ = ()


def _collect(
    items: Iterable[tuple[str, Any]],
    *,
    now: datetime,
    default_published: datetime | None,
    defer: bool = False,
) -> ParseResult:
    if defer:  # read later, in the import's tagging workers (read_pending)
        return ParseResult(pending=Pending(list(items), now, default_published))
    result = ParseResult()
    for location, item in items:
        if isinstance(item, JsonLine):
            try:
                item = loads(item)
            except ValueError as exc:
                reason = str(exc).removesuffix(" (line 1)")
                result.rejected.append(Rejected(location, f"invalid JSON: {reason}"))
                continue
        try:
            record, warnings = record_from_mapping(
                item, now=now, default_published=default_published
            )
        except BadRecord as exc:
            result.rejected.append(Rejected(location, str(exc)))
            continue
        result.records.append(record)
        if warnings:
            result.warnings.extend(f"{location}: {w}" for w in warnings)
    return result


def read_pending(pending: Pending) -> ParseResult:
    """The records (and rejections and warnings) of items a reader deferred."""
    return _collect(pending.items, now=pending.now, default_published=pending.default_published)


def loads(text: str) -> Any:
    """json.loads that raises only ValueError, also for absurd nesting and giant numbers."""
    try:
        return json.loads(text)
    except RecursionError:
        raise ValueError("nested too deeply") from None
    except json.JSONDecodeError as exc:
        raise ValueError(f"{exc.msg} (line {exc.lineno})") from None
    except ValueError:  # Python refuses integers of more than 4,300 digits
        raise ValueError("a number with more than 4,300 digits") from None


def find_articles(data: Any, depth: int = 0) -> list[Any] | None:
    """The list of articles in a document: the document itself, or a list under LIST_KEYS.

    `{"articles": [...]}`, `{"data": {"articles": [...]}}`, `{"Items": [...]}`... are
    searched up to three levels down; keys are compared case-insensitively.
    """
    if isinstance(data, list):
        return data
    if not isinstance(data, Mapping) or depth > 3:
        return None
    lowered = {str(k).strip().lower(): v for k, v in data.items()}
    for key in LIST_KEYS:
        value = lowered.get(key)
        if isinstance(value, list):
            return value
        if isinstance(value, Mapping) and (inner := find_articles(value, depth + 1)) is not None:
            return inner
    return None


def read_json(
    text: str, *, now: datetime, default_published: datetime | None = None, defer: bool = False
) -> ParseResult:
    """A JSON list of articles, an object holding one (see find_articles), or one article."""
    try:
        data = loads(text)
    except ValueError as exc:
        if "Extra data" in str(exc) and text.lstrip().startswith("{"):
            result = read_jsonl(text, now=now, default_published=default_published, defer=defer)
            result.warnings.insert(0, "several JSON documents, one per line: read as JSONL")
            return result
        return ParseResult(rejected=[Rejected("file", f"invalid JSON: {exc}")])
    articles = find_articles(data)
    if articles is None and isinstance(data, Mapping):
        articles = [data]
    if articles is None:
        kind = "null" if data is None else type(data).__name__
        found = f"a JSON {kind}, not a list of articles or an object"
        return ParseResult(rejected=[Rejected("file", found)])
    result = _collect(
        ((f"item {i}", item) for i, item in enumerate(articles, 1)),
        now=now,
        default_published=default_published,
        defer=defer,
    )
    if not articles:
        result.warnings.append("the file holds no articles")
    return result


def read_jsonl(
    text: str, *, now: datetime, default_published: datetime | None = None, defer: bool = False
) -> ParseResult:
    """One JSON article per line; a broken line is rejected, the others kept.

    Deferred (a large import), the lines are decoded in the tagging workers once the first
    one reads as JSON; otherwise here."""
    lines = [
        (number, line.strip().removesuffix(",").strip())
        for number, line in enumerate(text.split("\n"), 1)
    ]
    lines = [(number, line) for number, line in lines if line]
    if defer and lines and _decodes(lines[0][1]):
        items = [(f"line {number}", JsonLine(line)) for number, line in lines]
        return _collect(items, now=now, default_published=default_published, defer=True)
    parsed: list[tuple[str, Any]] = []
    bad: list[Rejected] = []
    for number, line in lines:
        try:
            parsed.append((f"line {number}", loads(line)))
        except ValueError as exc:
            reason = str(exc).removesuffix(" (line 1)")
            bad.append(Rejected(f"line {number}", f"invalid JSON: {reason}"))
    if bad and not parsed and text.lstrip().startswith(("[", "{")):
        whole = read_json(text, now=now, default_published=default_published)
        if whole.records:
            whole.warnings.insert(0, "one JSON document, not one article per line: read as JSON")
            return whole
    result = _collect(parsed, now=now, default_published=default_published, defer=defer)
    result.rejected = bad + result.rejected
    result.rejected.sort(key=lambda r: int(r.location.split()[-1]))
    return result


def _decodes(line: str) -> bool:
    try:
        loads(line)
    except ValueError:
        return False
    return True


def read_csv(
    text: str, *, now: datetime, default_published: datetime | None = None, defer: bool = False
) -> ParseResult:
    """A CSV with a header row naming canonical fields (title, published_at, tickers, ...)."""
    sample = text[:8192]
    try:
        dialect: Any = csv.Sniffer().sniff(sample, delimiters=",;\t|")
    except csv.Error:
        dialect = csv.excel
    reader = csv.DictReader(io.StringIO(text, newline=""), dialect=dialect)
    fields = [(name or "").strip().lower() for name in reader.fieldnames or []]
    if not any(name in ("title", "headline") for name in fields):
        reason = "CSV header has no 'title' column"
        if PRICE_COLUMNS & set(fields):
            reason += "; it looks like prices: use `prices import FILE --symbol SYM`"
        return ParseResult(rejected=[Rejected("line 1", reason)])
    title_key = (reader.fieldnames or [])[
        fields.index("title" if "title" in fields else "headline")
    ]
    delimiter = str(getattr(dialect, "delimiter", ","))
    rows: list[tuple[str, Any]] = []
    bad: list[Rejected] = []
    start = 2
    try:
        for row in reader:
            line, start = f"line {start}", reader.line_num + 1
            if None in row:
                bad.append(Rejected(line, "more values than header columns"))
                continue
            if _unclosed_quote(row.get(title_key), delimiter):
                skipped = f"lines {line[5:]}-{reader.line_num}"
                bad.append(Rejected(line, f"a quote is never closed: {skipped} skipped"))
                continue
            rows.append((line, {k: _formula_unescaped(v) for k, v in row.items() if k}))
    except csv.Error as exc:
        bad.append(Rejected(f"line {reader.line_num}", f"unreadable CSV: {exc}"))
    result = _collect(rows, now=now, default_published=default_published, defer=defer)
    result.rejected = bad + result.rejected
    if not rows and not bad:
        result.warnings.append("the file holds no articles (a header only)")
    return result


def _unclosed_quote(title: str | None, delimiter: str) -> bool:
    """A title running over lines and cells: a quote opened and never closed."""
    return title is not None and "\n" in title and delimiter in title.split("\n", 1)[1]


def _formula_unescaped(value: Any) -> Any:
    """Undo the `'` our CSV export puts before cells starting with = + - @."""
    if (
        isinstance(value, str)
        and value[:1] == "'"
        and value[1:2] in ("=", "+", "-", "@", "\t", "\r")
    ):
        return value[1:]
    return value
