"""Story enrichment: tickers, topics, tone and Catalyst's impact score, as pure functions."""

from __future__ import annotations

from terminal.enrich.clusters import ClusterCandidate, find_cluster, title_fingerprint
from terminal.enrich.impact import impact_model, source_tier
from terminal.enrich.sentiment import sentiment
from terminal.enrich.tickers import extract_tickers
from terminal.enrich.topics import tag_topics
from terminal.records import ArticleRecord
from terminal.taxonomy import resolve_topic

__all__ = [
    "ClusterCandidate",
    "enrich",
    "extract_tickers",
    "find_cluster",
    "impact_model",
    "sentiment",
    "source_tier",
    "tag_topics",
    "title_fingerprint",
]


def _text(record: ArticleRecord) -> str:
    """The story's own words: summary, body and analysis."""
    return "\n\n".join(part for part in (record.summary, record.body, record.analysis) if part)


def _merge_tickers(record: ArticleRecord, found: dict[str, float]) -> None:
    """The record's own tickers first (kept), then the extracted ones, each with a relevance.

    A relevance the source gave wins; then the extracted one; a source ticker the text
    never mentions gets 1.0, as the source chose to tag it.
    """
    given = {s.strip().lstrip("$").upper(): r for s, r in record.ticker_relevance.items()}
    tickers: list[str] = []
    for symbol in [s.strip().lstrip("$").upper() for s in record.tickers] + list(found):
        if symbol and symbol not in tickers:
            tickers.append(symbol)
    record.tickers = tickers
    record.ticker_relevance = {s: given.get(s, found.get(s, 1.0)) for s in tickers}


def _merge_topics(record: ArticleRecord, found: dict[str, float]) -> dict[str, float]:
    """The record's own topics (labels resolved to slugs) then the tagged ones; their scores.

    A topic the source gave counts with score 1.0 in the impact score.
    """
    scores: dict[str, float] = {}
    for value in record.topics:
        slug = resolve_topic(value)
        if slug:
            scores[slug] = 1.0
    for slug, score in found.items():
        scores.setdefault(slug, score)
    record.topics = list(scores)
    return scores


def enrich(record: ArticleRecord, *, novelty: float = 1.0) -> ArticleRecord:
    """Fill a record's tickers, relevance, topics, sentiment (if unset) and impact_model.

    The source's own `impact` is never touched. Returns the same record, changed.
    """
    text = _text(record)
    _merge_tickers(record, extract_tickers(record.title, text))
    topic_scores = _merge_topics(record, tag_topics(record.title, text))
    if record.sentiment is None:
        record.sentiment = sentiment(record.title, text)
    record.impact_model = impact_model(
        topic_scores=topic_scores,
        sentiment=record.sentiment,
        relevance=max(record.ticker_relevance.values(), default=0.0),
        source_tier=source_tier(record.publisher),
        novelty=novelty,
    )
    return record
