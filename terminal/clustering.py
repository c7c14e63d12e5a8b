"""Grouping new stories with earlier reports of the same event (one card, "+N sources")."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from db.models import Article, ArticleTicker
from terminal.enrich.clusters import ClusterCandidate, find_cluster

WINDOW_US = 48 * 3600 * 1_000_000
MAX_CANDIDATES = 300


def assign_clusters(session: Session, article_ids: Sequence[int]) -> int:
    """Cluster each new story with a near-duplicate headline nearby in time; returns joins made."""
    joined = 0
    rows = session.execute(
        select(Article.id, Article.title, Article.published_at, Article.pub_key)
        .where(Article.id.in_(article_ids))
        .order_by(Article.pub_key)
    ).all()
    for article_id, title, published_at, pub_key in rows:
        candidates = _candidates(session, article_id, pub_key)
        match = find_cluster(title, published_at, candidates)
        if match is None:
            continue
        cluster_id = match.cluster_id or match.article_id
        session.execute(
            update(Article)
            .where(Article.id.in_([article_id, match.article_id]))
            .values(cluster_id=cluster_id)
        )
        _refresh_cluster(session, cluster_id)
        joined += 1
    return joined


def _candidates(session: Session, article_id: int, pub_key: int) -> list[ClusterCandidate]:
    lo, hi = pub_key - WINDOW_US, pub_key + WINDOW_US
    symbols = select(ArticleTicker.symbol).where(ArticleTicker.article_id == article_id)
    sharing = (
        select(ArticleTicker.article_id)
        .where(ArticleTicker.symbol.in_(symbols), ArticleTicker.pub_key.between(lo, hi))
        .where(ArticleTicker.article_id != article_id)
        .limit(MAX_CANDIDATES)
    )
    ids = list(session.scalars(sharing))
    stmt = select(Article.id, Article.title, Article.published_at, Article.cluster_id)
    if ids:
        stmt = stmt.where(Article.id.in_(ids))
    else:
        stmt = (
            stmt.where(Article.pub_key.between(lo, hi), Article.id != article_id)
            .order_by(func.abs(Article.pub_key - pub_key))
            .limit(MAX_CANDIDATES)
        )
    return [
        ClusterCandidate(article_id=i, title=t, published_at=p, cluster_id=c)
        for i, t, p, c in session.execute(stmt)
    ]


def _refresh_cluster(session: Session, cluster_id: int) -> None:
    members = (
        session.execute(
            select(Article.id).where(Article.cluster_id == cluster_id).order_by(Article.pub_key)
        )
        .scalars()
        .all()
    )
    session.execute(
        update(Article)
        .where(Article.cluster_id == cluster_id)
        .values(cluster_size=len(members), is_cluster_lead=False)
    )
    session.execute(update(Article).where(Article.id == members[0]).values(is_cluster_lead=True))
