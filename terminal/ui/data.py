"""Reads the pages need beyond the feed query: one story in full, related stories, tables."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import desc, select
from sqlalchemy.orm import Session

from db.models import Article, IngestRun, Source
from terminal import export
from terminal.counts import count_stories
from terminal.query import ArticleFilter, list_articles
from terminal.sources import list_sources
from terminal.story_rows import ArticleRow, load_rows
from terminal.text import safe_url

RELATED_DAYS = 3
EXPORT_LIMIT = 10_000


@dataclass(frozen=True, slots=True)
class ArticleDetail:
    """One story in full: the card's fields plus text, analysis and provenance."""

    row: ArticleRow
    body: str
    analysis: str
    url: str | None  # http(s) only
    guid: str | None
    language: str | None
    source_name: str | None
    ingested_at: datetime
    cluster_id: int | None


@dataclass(frozen=True, slots=True)
class StoreSummary:
    total: int
    sample: int

    @property
    def only_sample(self) -> bool:
        return self.total > 0 and self.total == self.sample


def article_detail(session: Session, article_id: int) -> ArticleDetail | None:
    article = session.get(Article, article_id)
    if article is None:
        return None
    rows = load_rows(session, [article_id])
    source = session.get(Source, article.source_id) if article.source_id else None
    return ArticleDetail(
        row=rows[0],
        body=article.body or "",
        analysis=article.analysis or "",
        url=safe_url(article.url),
        guid=article.guid,
        language=article.language,
        source_name=source.name if source else None,
        ingested_at=article.ingested_at,
        cluster_id=article.cluster_id,
    )


def related_stories(
    session: Session, detail: ArticleDetail, *, limit: int = 10
) -> list[ArticleRow]:
    """The same story elsewhere (its cluster), then stories on its tickers within ±3 days."""
    ids: list[int] = []
    if detail.cluster_id is not None:
        stmt = (
            select(Article.id)
            .where(Article.cluster_id == detail.cluster_id, Article.id != detail.row.id)
            .order_by(desc(Article.pub_key))
            .limit(limit)
        )
        ids.extend(session.scalars(stmt))
    if detail.row.tickers and len(ids) < limit:
        when = detail.row.published_at
        near = ArticleFilter(
            tickers=tuple(detail.row.tickers),
            since=when - timedelta(days=RELATED_DAYS),
            until=when + timedelta(days=RELATED_DAYS),
        )
        page = list_articles(session, near, limit=limit + 1)
        ids.extend(r.id for r in page.items if r.id != detail.row.id and r.id not in ids)
    return load_rows(session, ids[:limit])


def store_summary(session: Session) -> StoreSummary:
    """How many stories the store holds, and how many of them are samples (from the roll-ups)."""
    total = count_stories(session, ArticleFilter())
    sample = count_stories(session, ArticleFilter(sample=True))
    return StoreSummary(total.n, sample.n)


def export_view(
    session: Session, flt: ArticleFilter, fmt: str, *, limit: int = EXPORT_LIMIT
) -> str:
    """The stories of a view in the canonical format: "csv" or "jsonl" (newest first)."""
    writer = export.to_csv if fmt == "csv" else export.to_jsonl
    return "".join(writer(export.canonical_items(session, flt, limit=limit)))


def sources_table(session: Session) -> list[dict[str, Any]]:
    """One row per source, as the sources page lists them."""
    return [
        {
            "id": s.id,
            "name": s.name,
            "kind": s.kind,
            "url": s.url,
            "enabled": s.enabled,
            "last run": s.last_run_at,
            "status": s.last_status or "never run",
            "stories added": s.articles_added,
            "error": s.last_error or "",
        }
        for s in list_sources(session)
    ]


def runs_table(session: Session, *, limit: int = 50) -> list[dict[str, Any]]:
    """The latest ingest runs, newest first, with the reasons for rejects and failures."""
    stmt = select(IngestRun).order_by(desc(IngestRun.started_at), desc(IngestRun.id)).limit(limit)
    return [
        {
            "started": r.started_at,
            "source": r.source_label,
            "kind": r.kind,
            "status": r.status,
            "fetched": r.fetched,
            "added": r.inserted,
            "duplicates": r.duplicates,
            "rejected": r.rejected,
            "error": r.message or "",
            "details": "; ".join(f"{d['location']}: {d['reason']}" for d in (r.details or [])[:5]),
        }
        for r in session.scalars(stmt)
    ]
