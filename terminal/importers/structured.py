"""Readers for JSON, JSONL and CSV files in the canonical article format."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from terminal.importers.canonical import BadRecord, record_from_mapping
from terminal.records import ParseResult, Rejected

csv.field_size_limit(10_000_000)


def _collect(
    items: Iterable[tuple[str, Any]], *, now: datetime, default_published: datetime | None
) -> ParseResult:
    result = ParseResult()
    for location, item in items:
        try:
            record, warnings = record_from_mapping(
                item, now=now, default_published=default_published
            )
        except BadRecord as exc:
            result.rejected.append(Rejected(location, str(exc)))
            continue
        result.records.append(record)
        result.warnings.extend(f"{location}: {w}" for w in warnings)
    return result


def read_json(
    text: str, *, now: datetime, default_published: datetime | None = None
) -> ParseResult:
    """A JSON list of articles, an object with an `articles` list, or one article object."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        return ParseResult(rejected=[Rejected(f"line {exc.lineno}", f"invalid JSON: {exc.msg}")])
    if isinstance(data, Mapping) and isinstance(data.get("articles"), list):
        data = data["articles"]
    elif isinstance(data, Mapping):
        data = [data]
    if not isinstance(data, list):
        return ParseResult(rejected=[Rejected("file", "expected a list of articles")])
    return _collect(
        ((f"item {i}", item) for i, item in enumerate(data, 1)),
        now=now,
        default_published=default_published,
    )


def read_jsonl(
    text: str, *, now: datetime, default_published: datetime | None = None
) -> ParseResult:
    """One JSON article per line; a broken line is rejected, the others kept."""
    parsed: list[tuple[str, Any]] = []
    bad: list[Rejected] = []
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            parsed.append((f"line {number}", json.loads(line)))
        except json.JSONDecodeError as exc:
            bad.append(Rejected(f"line {number}", f"invalid JSON: {exc.msg}"))
    result = _collect(parsed, now=now, default_published=default_published)
    result.rejected = bad + result.rejected
    result.rejected.sort(key=lambda r: int(r.location.split()[-1]))
    return result


def read_csv(text: str, *, now: datetime, default_published: datetime | None = None) -> ParseResult:
    """A CSV with a header row naming canonical fields (title, published_at, tickers, ...)."""
    sample = text[:8192]
    try:
        dialect: Any = csv.Sniffer().sniff(sample, delimiters=",;\t|")
    except csv.Error:
        dialect = csv.excel
    reader = csv.DictReader(io.StringIO(text, newline=""), dialect=dialect)
    if not reader.fieldnames or not any(
        (name or "").strip().lower() in ("title", "headline") for name in reader.fieldnames
    ):
        return ParseResult(rejected=[Rejected("line 1", "CSV header has no 'title' column")])
    rows: list[tuple[str, Any]] = []
    bad: list[Rejected] = []
    try:
        for row in reader:
            line = f"line {reader.line_num}"
            if None in row:
                bad.append(Rejected(line, "more values than header columns"))
                continue
            rows.append((line, {k: v for k, v in row.items() if k is not None}))
    except csv.Error as exc:
        bad.append(Rejected(f"line {reader.line_num}", f"unreadable CSV: {exc}"))
    result = _collect(rows, now=now, default_published=default_published)
    result.rejected = bad + result.rejected
    return result
