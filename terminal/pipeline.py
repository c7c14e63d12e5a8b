"""From parsed records to stored stories: enrich, save in batches, cluster, log the run."""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError

from db.engine import write_session
from db.models import IngestRun
from terminal.clustering import assign_clusters
from terminal.enrich import enrich
from terminal.records import ArticleRecord, ParseResult, Rejected
from terminal.store import save_articles

BATCH = 500
PARALLEL_MIN = 4_000
MAX_WORKERS = 4


@dataclass(slots=True)
class RunSummary:
    """One source's outcome, as shown in the CLI table and kept in `ingest_runs`."""

    label: str
    kind: str
    fetched: int = 0
    inserted: int = 0
    duplicates: int = 0
    rejected: list[Rejected] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    error: str | None = None
    not_modified: bool = False
    inserted_ids: list[int] = field(default_factory=list)

    @property
    def status(self) -> str:
        if self.error:
            return "failed"
        if self.not_modified:
            return "not-modified"
        return "partial" if self.rejected else "ok"


def prepare(record: ArticleRecord) -> ArticleRecord:
    """Tag a record; tickers and topics the source gave are kept as the source gave them."""
    given_tickers, given_topics = list(record.tickers), list(record.topics)
    given_sentiment = record.sentiment
    enrich(record)
    if given_tickers:
        record.tickers = given_tickers
        record.ticker_relevance = {s: record.ticker_relevance.get(s, 1.0) for s in given_tickers}
    if given_topics:
        record.topics = given_topics
    if given_sentiment is not None:
        record.sentiment = given_sentiment
    return record


def store_result(
    engine: Engine,
    result: ParseResult,
    *,
    label: str,
    kind: str,
    source_id: int | None = None,
    is_sample: bool = False,
    progress: Callable[[int], None] | None = None,
) -> RunSummary:
    """Enrich and store what a reader produced; a failing batch never loses the others."""
    summary = RunSummary(label=label, kind=kind, fetched=len(result.records) + len(result.rejected))
    summary.rejected.extend(result.rejected)
    summary.warnings.extend(result.warnings)
    for record in result.records:
        record.is_sample = record.is_sample or is_sample
    batches = [result.records[i : i + BATCH] for i in range(0, len(result.records), BATCH)]
    for number, batch in enumerate(prepared(batches)):
        _save_batch(engine, batch, source_id, summary, offset=number * BATCH)
        if progress:
            progress(len(batch))
    return summary


def prepare_batch(batch: list[ArticleRecord]) -> list[ArticleRecord]:
    """Tag every record of a batch (runs in a worker process for large imports)."""
    return [prepare(record) for record in batch]


def prepared(batches: list[list[ArticleRecord]]) -> Iterator[list[ArticleRecord]]:
    """Tagged batches in order; large imports tag in worker processes while this one writes."""
    workers = min(os.cpu_count() or 1, MAX_WORKERS)
    if workers < 2 or sum(map(len, batches)) < PARALLEL_MIN:
        yield from map(prepare_batch, batches)
        return
    done = 0
    try:
        context = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
            for batch in pool.map(prepare_batch, batches):
                done += 1
                yield batch
    except (BrokenProcessPool, OSError):
        # No worker processes here (a sandbox, a broken pool): tag the rest in-process.
        yield from map(prepare_batch, batches[done:])


def _save_batch(
    engine: Engine,
    batch: Sequence[ArticleRecord],
    source_id: int | None,
    summary: RunSummary,
    *,
    offset: int,
) -> None:
    try:
        with write_session(engine) as session, session.begin():
            saved = save_articles(session, batch, source_id=source_id)
            assign_clusters(session, saved.inserted_ids)
    except SQLAlchemyError:
        # One bad row must not sink the batch: retry the stories one at a time.
        for i, record in enumerate(batch):
            try:
                with write_session(engine) as session, session.begin():
                    one = save_articles(session, [record], source_id=source_id)
                    assign_clusters(session, one.inserted_ids)
            except SQLAlchemyError as exc:
                reason = str(exc.orig if hasattr(exc, "orig") else exc).splitlines()[0][:200]
                summary.rejected.append(Rejected(f"record {offset + i + 1}", reason))
                continue
            summary.inserted_ids.extend(one.inserted_ids)
            summary.duplicates += one.duplicates
        summary.inserted = len(summary.inserted_ids)
        return
    summary.inserted_ids.extend(saved.inserted_ids)
    summary.inserted = len(summary.inserted_ids)
    summary.duplicates += saved.duplicates


def log_run(
    engine: Engine, summary: RunSummary, *, started_at: datetime, source_id: int | None = None
) -> int:
    """Keep the run in `ingest_runs`; returns its id."""
    details = [{"location": r.location, "reason": r.reason} for r in summary.rejected[:500]]
    details += [{"location": "warning", "reason": w} for w in summary.warnings[:200]]
    with write_session(engine) as session, session.begin():
        run = IngestRun(
            source_id=source_id,
            source_label=summary.label[:1000],
            kind=summary.kind,
            started_at=started_at,
            finished_at=datetime.now(UTC),
            status=summary.status,
            fetched=summary.fetched,
            inserted=summary.inserted,
            duplicates=summary.duplicates,
            rejected=len(summary.rejected),
            message=summary.error,
            details=details or None,
        )
        session.add(run)
        session.flush()
        return run.id
