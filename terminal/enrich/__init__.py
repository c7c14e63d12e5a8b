"""Story enrichment: tickers, topics, tone and Catalyst's impact score, as pure functions."""

from __future__ import annotations

from functools import lru_cache

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
    return "\n\n".join([part for part in (record.summary, record.body, record.analysis) if part])


@lru_cache(maxsize=4096)
def _own_symbol(symbol: str) -> str:
    """A ticker as a source wrote it, tidied: no spaces or "$", upper case."""
    return symbol.strip().lstrip("$").upper()


def _merge_tickers(record: ArticleRecord, found: dict[str, float]) -> None:
    """The record's own tickers first (kept), then the extracted ones, each with a relevance.

    A relevance the source gave wins; then the extracted one; a source ticker the text
    never mentions gets 1.0, as the source chose to tag it.
    """
    own, given = record.tickers, record.ticker_relevance
    if not own and not given and "" not in found:
        # Nothing from the source: the extracted tickers, as they are.
        record.tickers = list(found)
        record.ticker_relevance = dict(found)
        return
    # Each symbol once, where it first appears: the record's own, then the extracted ones.
    merged = dict.fromkeys(map(_own_symbol, own))
    if found:
        merged.update(dict.fromkeys(found))
    merged.pop("", None)
    record.tickers = list(merged)
    if not given and not found:
        record.ticker_relevance = dict.fromkeys(merged, 1.0)
        return
    tidied = {_own_symbol(s): r for s, r in given.items()}
    record.ticker_relevance = {s: tidied.get(s, found.get(s, 1.0)) for s in merged}


def _merge_topics(record: ArticleRecord, found: dict[str, float]) -> dict[str, float]:
    """The record's own topics (labels resolved to slugs) then the tagged ones; their scores.

    A topic the source gave counts with score 1.0 in the impact score.
    """
    if not record.topics:
        record.topics = list(found)
        return found
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
