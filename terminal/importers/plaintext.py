"""The plain-text article layout of our first article, as copied from a news terminal.

    Back to News                      <- navigation: dropped
    Market Impact: 0.5                <- the source's impact score
    <headline>
    NVDATSLAINTC                      <- tickers run together
    Artificial IntelligenceTechnology & Innovation...   <- topic labels run together
    <headline again>                  <- dropped
    <summary paragraphs>
    Analysis
    <analysis paragraphs>
    AllMind AI Terminal               <- publisher footer: its name, then a tagline
    AI-powered research, ...

Optional header lines `Published: <date>`, `Source: <name>` and `URL: <link>` are read
when present. Several articles in one file are separated by a line of `---`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from terminal.importers.canonical import clip
from terminal.importers.fields import BadRecord, check_time, parse_score, parse_time_guessed
from terminal.importers.wires import (
    dateline_wire,
    is_byline,
    is_closing,
    is_furniture,
    markdown_line,
    partial_topic_line,
    wire_name,
)
from terminal.records import MAX_TEXT, MAX_TITLE, ArticleRecord, ParseResult, Rejected
from terminal.symbols import split_ticker_line
from terminal.taxonomy import split_topic_line
from terminal.text import clean_text, one_line, safe_url

NAVIGATION = re.compile(r"^(?:[←<‹«]\s*)?(back( to [\w ]{1,30})?|home|menu|share|print)$", re.I)
IMPACT = re.compile(r"^market\s+impact\s*[:=]\s*(.{1,40})$", re.I)
SCORE = re.compile(r"^([0-9]*\.?[0-9]+)\s*(%?)$")
META = re.compile(r"^(published(?: at)?|date|source|publisher|url|link)\s*:\s*(.+)$", re.I)
ANALYSIS = re.compile(r"^(analysis|our analysis|market analysis)\s*:?$", re.I)
SEPARATOR = re.compile(r"^\s*(?:-{3,}|={3,})\s*$", re.M)
TICKERISH = re.compile(r"^[$A-Z0-9.,;\-\s]{1,300}$")
FOOTER_NOT_NAME = re.compile(r"@|://|©|#|^(?:media |investor |press )?contacts?\b", re.I)
MAX_TOPIC_LINE = 400  # the topic line of our layout is ~130 characters; body text is longer


def read_text(
    text: str, *, now: datetime, default_published: datetime | None = None
) -> ParseResult:
    """Every article in a text file; a part that is not an article is rejected, not fatal."""
    result = ParseResult()
    parts = [p for p in SEPARATOR.split(text.replace("\r\n", "\n")) if p.strip()]
    for number, part in enumerate(parts, 1):
        location = f"article {number}" if len(parts) > 1 else "text"
        try:
            record, warnings = parse_article_text(
                part, now=now, default_published=default_published
            )
        except BadRecord as exc:
            result.rejected.append(Rejected(location, str(exc)))
            continue
        result.records.append(record)
        result.warnings.extend(f"{location}: {w}" for w in warnings)
    return result


def _paragraphs(lines: list[str]) -> list[str]:
    paragraphs: list[str] = []
    current: list[str] = []
    for line in [*lines, ""]:
        if line.strip():
            current.append(line.strip())
        elif current:
            paragraphs.append(" ".join(current))
            current = []
    return paragraphs


def _is_footer_name(paragraph: str) -> bool:
    words = paragraph.split()
    return 0 < len(words) <= 6 and len(paragraph) <= 60 and paragraph[-1] not in ".!?:;,"


def _split_footer(paragraphs: list[str]) -> tuple[list[str], str]:
    """Article paragraphs, and the publisher named by a trailing footer (name + tagline)."""
    for i in range(1, len(paragraphs)):
        tail = paragraphs[i:]
        named = _is_footer_name(paragraphs[i]) and not FOOTER_NOT_NAME.search(paragraphs[i])
        if named and len(tail) <= 2 and all(len(p) < 300 for p in tail):
            return paragraphs[:i], paragraphs[i]
    return paragraphs, ""


def _trim_wire_furniture(paragraphs: list[str], extra: dict[str, Any]) -> list[str]:
    """Paragraphs without a leading byline (kept as the author) or closing boilerplate."""
    if paragraphs and is_byline(paragraphs[0]):
        extra["author"] = paragraphs[0][3:].strip()
        paragraphs = paragraphs[1:]
    cut = next((i for i, p in enumerate(paragraphs) if i and is_closing(p)), len(paragraphs))
    return [p for p in paragraphs[:cut] if not is_furniture(p)]


@dataclass(slots=True)
class _Layout:
    """What the line scan found in one article."""

    title: str = ""
    impact: float | None = None
    meta: dict[str, str] = field(default_factory=dict)
    tickers: list[str] = field(default_factory=list)
    topics: list[str] = field(default_factory=list)
    body: list[str] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    after_tickers: bool = False


def _header_line(line: str, layout: _Layout) -> bool:
    """Read a line before or just after the headline: impact, metadata, a wire's name."""
    if match := IMPACT.match(line):
        layout.impact = _impact(match.group(1).strip(), layout)
        return True
    if layout.title:
        return False
    if NAVIGATION.match(line):
        return True
    if match := META.match(line):
        layout.meta[match.group(1).lower()] = match.group(2).strip()
        return True
    if wire := wire_name(line):
        layout.meta.setdefault("source", wire)
        return True
    return False


def _scan(text: str) -> _Layout:
    """Sort the lines of one article into headline, header fields, tickers, topics, body."""
    layout = _Layout()
    for raw in text.split("\n"):
        line = markdown_line(raw)
        after_tickers, layout.after_tickers = layout.after_tickers, False
        if not layout.title:
            if line and not _header_line(line, layout):
                layout.title = clip(one_line(line), MAX_TITLE, "headline", layout.warnings)
            continue
        opening = not layout.tickers and not layout.topics and not layout.body and line
        if opening and _header_line(line, layout):
            continue
        if opening and TICKERISH.match(line):
            if found := split_ticker_line(line):
                layout.tickers, layout.after_tickers = found, True
                continue
            if " " not in line and line.isupper():
                layout.warnings.append(
                    f"ticker line {line[:40]!r} does not split into known symbols"
                )
                continue
        if not layout.topics and not layout.body and line and len(line) <= MAX_TOPIC_LINE:
            if found_topics := split_topic_line(line):
                layout.topics = found_topics
                continue
            if after_tickers and (partial := partial_topic_line(line)):
                layout.topics, unknown = partial
                layout.extra["unknown_topics"] = unknown
                layout.warnings.append(
                    f"topics not in the taxonomy kept aside: {', '.join(unknown)}"
                )
                continue
        if not layout.body and (not line or one_line(line) == layout.title):
            continue
        layout.body.append(line)
    return layout


def parse_article_text(
    text: str, *, now: datetime, default_published: datetime | None = None
) -> tuple[ArticleRecord, list[str]]:
    """One article in the plain-text layout, with its warnings."""
    layout = _scan(text)
    warnings = layout.warnings
    if not layout.title:
        raise BadRecord("no headline found")
    paragraphs = _paragraphs(layout.body)
    cut = next((i for i, p in enumerate(paragraphs) if ANALYSIS.match(p)), None)
    summary_parts, analysis_parts = (
        (paragraphs, []) if cut is None else (paragraphs[:cut], paragraphs[cut + 1 :])
    )
    if analysis_parts:
        analysis_parts, footer = _split_footer(analysis_parts)
    else:
        summary_parts, footer = _split_footer(summary_parts)
    wire = dateline_wire(summary_parts[0]) if summary_parts else None
    if summary_parts and is_byline(summary_parts[0]) and len(summary_parts) > 1:
        wire = wire or dateline_wire(summary_parts[1])
    summary_parts = _trim_wire_furniture(summary_parts, layout.extra)
    meta = layout.meta
    published_at, estimated = _published(meta, now, default_published, warnings)
    record = ArticleRecord(
        title=layout.title,
        published_at=published_at,
        url=safe_url(meta.get("url") or meta.get("link")),
        summary=clip(clean_text("\n\n".join(summary_parts)), MAX_TEXT, "summary", warnings),
        analysis=clip(clean_text("\n\n".join(analysis_parts)), MAX_TEXT, "analysis", warnings),
        publisher=one_line(
            meta.get("source") or meta.get("publisher") or wire or footer, max_len=200
        ),
        tickers=layout.tickers,
        topics=layout.topics,
        impact=layout.impact,
        published_estimated=estimated,
        extra=layout.extra,
    )
    return record, warnings


def _impact(value: str, layout: _Layout) -> float | None:
    """The source's impact from "0.5" or "50%"; a word ("High") is kept as a label only."""
    match = SCORE.match(value)
    if match is None:
        layout.extra["impact_label"] = one_line(value, max_len=40)
        layout.warnings.append(f"Market Impact {value[:40]!r} is not a number: kept as a label")
        return None
    score = float(match.group(1)) / (100 if match.group(2) else 1)
    try:
        return parse_score(score, "Market Impact", 0.0, 1.0)
    except BadRecord as exc:
        layout.warnings.append(f"{exc}: ignored")
        return None


def _published(
    meta: dict[str, str], now: datetime, default: datetime | None, warnings: list[str]
) -> tuple[datetime, bool]:
    raw = meta.get("published") or meta.get("published at") or meta.get("date")
    if raw:
        moment, guessed = parse_time_guessed(raw)
        check_time(moment, now)
        if guessed:
            warnings.append(f"date {raw[:30]!r} has no time of day: midnight UTC, marked estimated")
        return moment, guessed
    if default is not None:
        return default, False
    warnings.append("no publication time: using the import time (marked estimated)")
    return now, True
