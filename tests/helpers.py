"""Building stories for tests."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine

from terminal.pipeline import RunSummary, store_result
from terminal.records import ArticleRecord, ParseResult

T0 = datetime(2025, 6, 2, 14, 0, tzinfo=UTC)


def story(n: int, **fields: object) -> ArticleRecord:
    """Story n, published n hours after T0, with overridable fields."""
    base: dict[str, object] = {
        "title": f"Story number {n} about markets",
        "published_at": T0 + timedelta(hours=n),
        "url": f"https://news.example.com/story/{n}",
        "publisher": "Example Wire",
        "summary": f"Summary of story {n}.",
    }
    base.update(fields)
    return ArticleRecord(**base)  # type: ignore[arg-type]


def store(engine: Engine, records: list[ArticleRecord], **kw: object) -> RunSummary:
    return store_result(engine, ParseResult(records=records), label="test", kind="file", **kw)  # type: ignore[arg-type]
