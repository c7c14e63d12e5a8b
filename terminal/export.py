"""Stories in the canonical article format (JSON, JSONL, CSV), the same one `ingest` reads."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator
from typing import Any

from sqlalchemy.orm import Session

from db.models import Article
from terminal.query import ArticleFilter, iter_articles
from terminal.story_rows import links_for

BATCH = 500

FIELDS = [
    "id", "url", "title", "published_at", "source", "summary", "body", "analysis", "tickers",
    "topics", "impact", "impact_model", "sentiment", "published_estimated", "is_sample", "guid",
]  # fmt: skip


def canonical(article: Article, tickers: list[str], topics: list[str]) -> dict[str, Any]:
    """One story as a canonical JSON object (with the store's `id`)."""
    return {
        "id": article.id,
        "url": article.url,
        "title": article.title,
        "published_at": article.published_at.isoformat(),
        "source": article.publisher,
        "summary": article.summary,
        "body": article.body,
        "analysis": article.analysis,
        "tickers": tickers,
        "topics": topics,
        "impact": article.impact,
        "impact_model": article.impact_model,
        "sentiment": article.sentiment,
        "published_estimated": article.published_estimated,
        "is_sample": article.is_sample,
        "guid": article.guid,
        **(article.extra or {}),
    }


def canonical_items(
    session: Session, flt: ArticleFilter | None = None, *, limit: int | None = None
) -> Iterator[dict[str, Any]]:
    """The stories a filter matches (all by default), newest first, as canonical objects,
    read in batches so a whole-store export never holds the store in memory."""
    batch: list[Article] = []
    for article in iter_articles(session, flt or ArticleFilter(), limit=limit):
        batch.append(article)
        if len(batch) == BATCH:
            yield from _with_links(session, batch)
            batch = []
    yield from _with_links(session, batch)


def _with_links(session: Session, batch: list[Article]) -> Iterator[dict[str, Any]]:
    if batch:
        tickers, topics = links_for(session, [a.id for a in batch])
        for article in batch:
            yield canonical(article, tickers[article.id], topics[article.id])


def to_jsonl(items: Iterable[dict[str, Any]]) -> Iterator[str]:
    for item in items:
        yield json.dumps(item, ensure_ascii=False) + "\n"


def to_json(items: Iterable[dict[str, Any]]) -> Iterator[str]:
    yield "[\n"
    for i, item in enumerate(items):
        yield ("" if i == 0 else ",\n") + json.dumps(item, ensure_ascii=False, indent=None)
    yield "\n]\n"


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value: Any) -> Any:
    """A text cell a spreadsheet will not run as a formula: `'` before = + - @ (the CSV
    reader takes it off again, so exports still round-trip)."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def to_csv(items: Iterable[dict[str, Any]]) -> Iterator[str]:
    """Stories as CSV rows: lists joined with `;`, outside text kept inert in spreadsheets."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=FIELDS, extrasaction="ignore")
    writer.writeheader()
    for item in items:
        row = {k: spreadsheet_safe(v) for k, v in item.items()}
        row["tickers"] = ";".join(item["tickers"])
        row["topics"] = ";".join(item["topics"])
        writer.writerow(row)
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
    yield buffer.getvalue()
