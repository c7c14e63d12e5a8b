"""Turning command-line options into an ArticleFilter, with clear errors."""

from __future__ import annotations

import typer

from terminal.importers.fields import BadRecord, parse_symbols, parse_time
from terminal.query import SENTIMENT_BANDS, ArticleFilter
from terminal.taxonomy import resolve_topic

SAMPLE_CHOICES = {"all": None, "only": True, "none": False}


def _when(value: str | None, name: str):
    if not value:
        return None
    try:
        return parse_time(value)
    except BadRecord:
        raise typer.BadParameter(
            f"{value!r} is not a date (try 2025-09-18)", param_hint=name
        ) from None


def build_filter(
    *,
    ticker: list[str] | None,
    topic: list[str] | None,
    source: list[str] | None,
    q: str,
    since: str | None,
    until: str | None,
    min_impact: float | None,
    sentiment: str | None,
    sample: str,
) -> ArticleFilter:
    symbols, bad = parse_symbols(ticker or [])
    if bad:
        raise typer.BadParameter(f"not ticker symbols: {', '.join(bad)}", param_hint="--ticker")
    topics = []
    for value in topic or []:
        slug = resolve_topic(value)
        if slug is None:
            raise typer.BadParameter(f"unknown topic {value!r}", param_hint="--topic")
        topics.append(slug)
    if sentiment and sentiment not in SENTIMENT_BANDS:
        raise typer.BadParameter("use negative, neutral or positive", param_hint="--sentiment")
    if sample not in SAMPLE_CHOICES:
        raise typer.BadParameter("use all, only or none", param_hint="--sample")
    return ArticleFilter(
        tickers=tuple(symbols),
        topics=tuple(topics),
        sources=tuple(s.strip() for s in source or [] if s.strip()),
        text=q,
        since=_when(since, "--since"),
        until=_when(until, "--until"),
        min_impact=min_impact,
        sentiment=sentiment,
        sample=SAMPLE_CHOICES[sample],
    )
