"""From parsed records to stored stories: enrich, save in batches, cluster, log the run."""

from __future__ import annotations

import gc
import multiprocessing
import os
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy import Engine

from db.checkpoints import checkpoints_beside
from db.engine import write_session
from db.models import IngestRun
from terminal.enrich import enrich, title_fingerprint
from terminal.enrich.clusters import title_signature
from terminal.importers.structured import read_pending
from terminal.records import MAX_TITLE, ArticleRecord, ParseResult, Pending, Rejected
from terminal.store import identity
from terminal.writer import Writer

BATCH = 500  # stories per write transaction (a small import's)
MAX_BATCH = 2_500  # ... in a large import, when several tagged chunks are waiting
CHUNK = 250  # stories per tagging task in a worker process
PARALLEL_MIN = 4_000
MAX_WORKERS = 4
GC_THRESHOLD = 50_000  # new objects between young-generation collections during an import


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
    """Tag a record, fingerprint its title and key it (for the store's dedupe); tickers and
    topics the source gave are kept."""
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
    record.title_words = title_fingerprint(record.title[:MAX_TITLE])
    record.title_sig = title_signature(record.title_words.split())
    record.identity = identity(record)
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
    fork: bool = False,
) -> RunSummary:
    """Enrich and store what a reader produced; a failing batch never loses the others.

    `fork=True` lets a large import start its tagging workers by fork (fast) instead of
    spawn; only for callers that run no threads of their own (the CLI, the bench, not
    Streamlit), and even then only while this process has a single thread.
    """
    summary = RunSummary(label=label, kind=kind, fetched=result.size)
    summary.warnings.extend(result.warnings)
    read_rejected = list(result.rejected)  # the reader's, then those of deferred items
    done = 0
    # A large import's log is checkpointed beside its writer, not in each commit.
    expected = result.size - len(result.rejected)  # stories to come, less those read badly
    large = expected >= PARALLEL_MIN
    beside = checkpoints_beside if large else _as_is
    with (
        few_collections(),
        beside(engine) as (writes, committed),
        Writer(writes, source_id, summary, committed, spans=large) as writer,
    ):
        for batch in tagged_batches(result, fork=fork):
            read_rejected += batch.rejected
            summary.warnings.extend(batch.warnings)
            if not batch.records:
                continue
            for record in batch.records:
                record.is_sample = record.is_sample or is_sample
            # The last batch: every item read, as a story or as one turned away.
            last = done + len(batch.records) + len(read_rejected) - len(result.rejected)
            writer.save(batch.records, offset=done, last=last >= expected)
            done += len(batch.records)
            if progress:
                progress(len(batch.records))
        writer.commit()
    summary.rejected[:0] = _in_order(read_rejected)
    return summary


def _in_order(rejected: list[Rejected]) -> list[Rejected]:
    """A reader's rejections by line or item number (deferred items are read in chunks,
    after the reader's own rejections); as they are when some have no number."""
    numbers = [r.location.rsplit(" ", 1)[-1] for r in rejected]
    if not all(n.isdigit() for n in numbers):
        return rejected
    return [r for _, r in sorted(zip(map(int, numbers), rejected, strict=True), key=lambda p: p[0])]


@contextmanager
def _as_is(engine: Engine) -> Iterator[tuple[Engine, Callable[[], None]]]:
    """A small import writes with the engine itself and checkpoints in its commits."""
    yield engine, lambda: None


@contextmanager
def few_collections() -> Iterator[None]:
    """Collect garbage less often while stories are made by the thousand: the collector's
    default (every 700 new objects) took 15-20% of an import's time. Objects are still
    freed by reference counting; cycles wait for a later collection."""
    before = gc.get_threshold()
    gc.set_threshold(GC_THRESHOLD, *before[1:])
    try:
        yield
    finally:
        gc.set_threshold(*before)


def prepare_batch(batch: list[ArticleRecord]) -> list[ArticleRecord]:
    """Tag every record of a batch (runs in a worker process for large imports)."""
    return [prepare(record) for record in batch]


# One chunk of an import: records, or a structured file's items still to read.
Work = list[ArticleRecord] | Pending


def tag_work(work: Work) -> ParseResult:
    """Read (if still to be read) and tag one chunk: runs in a worker process for large
    imports. Items that cannot be stories come back rejected, with their locations."""
    if isinstance(work, Pending):
        read = read_pending(work)
        read.records = prepare_batch(read.records)
        return read
    return ParseResult(records=prepare_batch(work))


def _size(work: Work) -> int:
    return len(work.items) if isinstance(work, Pending) else len(work)


def prepared(records: list[ArticleRecord], *, fork: bool = False) -> Iterator[list[ArticleRecord]]:
    """Tagged records in order, in batches (see `tagged_batches`)."""
    for batch in tagged_batches(ParseResult(records=records), fork=fork):
        yield batch.records


def tagged_batches(result: ParseResult, *, fork: bool = False) -> Iterator[ParseResult]:
    """A reader's records (and deferred items, read here) tagged, in order: in batches of
    BATCH, or as a large import's chunks arrive.

    Large imports read and tag CHUNK stories at a time in worker processes (one core
    fewer than the machine has: the writer is the slower side) while this one writes. A
    batch takes every tagged chunk that is waiting (up to MAX_BATCH), so the writer
    starts on the first chunk and takes larger transactions when it falls behind.
    """
    workers = min((os.cpu_count() or 1) - 1, MAX_WORKERS)  # the writer keeps a core
    parallel = workers >= 1 and result.size - len(result.rejected) >= PARALLEL_MIN
    step = CHUNK if parallel else BATCH
    records, pending = result.records, result.pending
    chunks: list[Work] = [records[i : i + step] for i in range(0, len(records), step)]
    if pending is not None:
        items = pending.items
        chunks += [
            Pending(items[i : i + step], pending.now, pending.default_published)
            for i in range(0, len(items), step)
        ]
    if not parallel:
        for work in chunks:
            yield tag_work(work)
        return
    yield from _parallel(chunks, workers, fork)


def _parallel(chunks: list[Work], workers: int, fork: bool) -> Iterator[ParseResult]:
    """tagged_batches() with worker processes; this process tags too whenever it would wait."""
    method = _start_method(fork)
    tagged: dict[int, ParseResult] = {}
    if method == "fork":
        tagged[0] = tag_work(chunks[0])  # the tables load once, before the workers fork
    nxt = 0
    try:
        pool = ProcessPoolExecutor(
            workers,
            mp_context=multiprocessing.get_context(method),
            initializer=_exit_with_parent,
            initargs=(os.getpid(),),
        )
        try:
            futures = {i: pool.submit(tag_work, c) for i, c in enumerate(chunks) if i}
            if 0 not in tagged:
                tagged[0] = tag_work(chunks[0])  # the writer starts while workers start
            while nxt < len(chunks):
                end, size = nxt, 0
                while end < len(chunks) and size + _size(chunks[end]) <= MAX_BATCH:
                    if end > nxt and end not in tagged and not futures[end].done():
                        break
                    _collect(end, chunks, tagged, futures)
                    size, end = size + _size(chunks[end]), end + 1
                batch = _joined([tagged.pop(i) for i in range(nxt, end)])
                nxt = end
                yield batch
        finally:
            pool.shutdown(wait=True, cancel_futures=True)
    except (BrokenProcessPool, OSError):
        # No worker processes here (a sandbox, a broken pool): tag the rest in-process.
        for i in range(nxt, len(chunks)):
            yield tagged.pop(i) if i in tagged else tag_work(chunks[i])


def _joined(parts: list[ParseResult]) -> ParseResult:
    """Tagged chunks as one batch, in order."""
    if len(parts) == 1:
        return parts[0]
    out = ParseResult()
    for part in parts:
        out.records += part.records
        out.rejected += part.rejected
        out.warnings += part.warnings
    return out


def _exit_with_parent(parent: int) -> None:
    """In a tagging worker: leave when the importing process is gone (killed mid-import),
    instead of waiting on its queue for ever. (And collect garbage less often: the worker
    only makes records.)"""
    gc.set_threshold(GC_THRESHOLD, *gc.get_threshold()[1:])

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(1.0)
        os._exit(0)

    threading.Thread(target=watch, name="exit-with-parent", daemon=True).start()


def _start_method(fork: bool) -> str:
    """fork when the caller allows it and no other thread could hold a lock; else spawn."""
    forkable = "fork" in multiprocessing.get_all_start_methods()
    return "fork" if fork and forkable and threading.active_count() == 1 else "spawn"


def _collect(
    i: int,
    chunks: list[Work],
    tagged: dict[int, ParseResult],
    futures: dict[int, Future[ParseResult]],
) -> None:
    """Chunk i into `tagged`: while its worker is busy, tag the last unstarted chunks here."""
    while i not in tagged and not futures[i].done():
        spare = next(
            (j for j in range(len(chunks) - 1, i, -1) if j not in tagged and futures[j].cancel()),
            None,
        )
        if spare is None:
            break
        tagged[spare] = tag_work(chunks[spare])
    if i not in tagged:
        tagged[i] = futures[i].result()


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
