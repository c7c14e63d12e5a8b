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
from datetime import datetime

from terminal.importers.canonical import BadRecord, check_time, clip, parse_score, parse_time
from terminal.records import MAX_TEXT, MAX_TITLE, ArticleRecord, ParseResult, Rejected
from terminal.symbols import split_ticker_line
from terminal.taxonomy import split_topic_line
from terminal.text import clean_text, one_line, safe_url

NAVIGATION = re.compile(r"^(?:[←<‹«]\s*)?(back( to [\w ]{1,30})?|home|menu|share|print)$", re.I)
IMPACT = re.compile(r"^market\s+impact\s*[:=]\s*([0-9]*\.?[0-9]+)\s*(%?)\s*$", re.I)
META = re.compile(r"^(published(?: at)?|date|source|publisher|url|link)\s*:\s*(.+)$", re.I)
ANALYSIS = re.compile(r"^(analysis|our analysis|market analysis)\s*:?$", re.I)
SEPARATOR = re.compile(r"^\s*(?:-{3,}|={3,})\s*$", re.M)
TICKERISH = re.compile(r"^[$A-Z0-9.,;\-\s]{1,300}$")


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
        if _is_footer_name(paragraphs[i]) and len(tail) <= 2 and all(len(p) < 300 for p in tail):
            return paragraphs[:i], paragraphs[i]
    return paragraphs, ""


def parse_article_text(
    text: str, *, now: datetime, default_published: datetime | None = None
) -> tuple[ArticleRecord, list[str]]:
    """One article in the plain-text layout, with its warnings."""
    warnings: list[str] = []
    meta: dict[str, str] = {}
    impact: float | None = None
    title = ""
    tickers: list[str] = []
    topics: list[str] = []
    body_lines: list[str] = []
    for raw in text.split("\n"):
        line = raw.strip()
        if not title:
            if not line or NAVIGATION.match(line):
                continue
            if match := IMPACT.match(line):
                impact = _impact(match, warnings)
                continue
            if match := META.match(line):
                meta[match.group(1).lower()] = match.group(2).strip()
                continue
            title = clip(one_line(line), MAX_TITLE, "headline", warnings)
            continue
        if not tickers and not topics and not body_lines and line:
            if match := IMPACT.match(line):
                impact = _impact(match, warnings)
                continue
            if TICKERISH.match(line) and (found := split_ticker_line(line)):
                tickers = found
                continue
            if TICKERISH.match(line) and " " not in line.strip() and line.isupper():
                warnings.append(f"ticker line {line[:40]!r} does not split into known symbols")
                continue
        if not topics and not body_lines and line and (found_topics := split_topic_line(line)):
            topics = found_topics
            continue
        if not body_lines and (not line or one_line(line) == title):
            continue
        body_lines.append(raw)
    if not title:
        raise BadRecord("no headline found")
    paragraphs = _paragraphs(body_lines)
    cut = next((i for i, p in enumerate(paragraphs) if ANALYSIS.match(p)), None)
    summary_parts, analysis_parts = (
        (paragraphs, []) if cut is None else (paragraphs[:cut], paragraphs[cut + 1 :])
    )
    if analysis_parts:
        analysis_parts, footer = _split_footer(analysis_parts)
    else:
        summary_parts, footer = _split_footer(summary_parts)
    published_at, estimated = _published(meta, now, default_published, warnings)
    record = ArticleRecord(
        title=title,
        published_at=published_at,
        url=safe_url(meta.get("url") or meta.get("link")),
        summary=clip(clean_text("\n\n".join(summary_parts)), MAX_TEXT, "summary", warnings),
        analysis=clip(clean_text("\n\n".join(analysis_parts)), MAX_TEXT, "analysis", warnings),
        publisher=one_line(meta.get("source") or meta.get("publisher") or footer, max_len=200),
        tickers=tickers,
        topics=topics,
        impact=impact,
        published_estimated=estimated,
    )
    return record, warnings


def _impact(match: re.Match[str], warnings: list[str]) -> float | None:
    value = float(match.group(1)) / (100 if match.group(2) else 1)
    try:
        return parse_score(value, "Market Impact", 0.0, 1.0)
    except BadRecord as exc:
        warnings.append(f"{exc}: ignored")
        return None


def _published(
    meta: dict[str, str], now: datetime, default: datetime | None, warnings: list[str]
) -> tuple[datetime, bool]:
    raw = meta.get("published") or meta.get("published at") or meta.get("date")
    if raw:
        moment = parse_time(raw)
        check_time(moment, now)
        return moment, False
    if default is not None:
        return default, False
    warnings.append("no publication time: using the import time (marked estimated)")
    return now, True
