"""Running ingestion for a target: a file, a feed URL or Yahoo tickers; each run logged."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Engine, select, update
from sqlalchemy.orm import Session

from db.engine import write_session
from db.models import Source
from terminal.importers import UnreadableInput, read_path
from terminal.pipeline import RunSummary, log_run, store_result

Progress = Callable[[int], None]


def kind_of(target: str) -> str:
    """'rss' for http(s) URLs, 'yahoo' for `yahoo:SYM,SYM`, else 'file'."""
    lowered = target.strip().lower()
    if lowered.startswith(("http://", "https://")):
        return "rss"
    if lowered.startswith("yahoo:"):
        return "yahoo"
    return "file"


def yahoo_symbols(target: str) -> list[str]:
    body = target.split(":", 1)[1] if ":" in target else target
    return [s.strip().upper() for s in body.replace(" ", ",").split(",") if s.strip()]


def ingest_target(
    engine: Engine,
    target: str,
    *,
    published_at: datetime | None = None,
    fmt: str | None = None,
    is_sample: bool = False,
    progress: Progress | None = None,
    fork: bool = False,
) -> RunSummary:
    """Read one target into the store. Never raises for bad input: the summary says what failed.

    `fork=True` (the CLI) lets a large file's tagging workers start by fork; never from a
    threaded process such as the app."""
    started = datetime.now(UTC)
    kind = kind_of(target)
    source = _source_for(engine, target) if kind != "file" else None
    source_id = source.id if source else None
    try:
        if kind == "file":
            summary = _ingest_file(engine, target, published_at, fmt, is_sample, progress, fork)
        elif kind == "yahoo":
            summary = _ingest_yahoo(engine, target, source_id, progress)
        else:
            summary = _ingest_feed(engine, target, source, progress)
    except Exception as exc:  # a broken source must never stop the others
        summary = RunSummary(label=target, kind=kind, error=_one_line(exc))
    log_run(engine, summary, started_at=started, source_id=source_id)
    if source is not None:
        _record_source_status(engine, source.id, summary)
    return summary


def _one_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0] if text else ''}"[:300]


def _ingest_file(
    engine: Engine,
    target: str,
    published_at: datetime | None,
    fmt: str | None,
    is_sample: bool,
    progress: Progress | None,
    fork: bool,
) -> RunSummary:
    try:
        # A structured file's items are read in the import's tagging workers (defer).
        parsed = read_path(target, fmt=fmt, published_at=published_at, defer=True)
    except UnreadableInput as exc:
        return RunSummary(label=target, kind="file", error=str(exc))
    except ValueError as exc:  # e.g. a file that is not a feed
        return RunSummary(label=target, kind="file", error=str(exc))
    return store_result(
        engine, parsed, label=Path(target).name, kind="file", is_sample=is_sample,
        progress=progress, fork=fork,
    )  # fmt: skip


def _ingest_feed(
    engine: Engine, url: str, source: Source | None, progress: Progress | None
) -> RunSummary:
    from terminal.ingest.feeds import parse_feed
    from terminal.ingest.http import fetch

    fetched_at = datetime.now(UTC)
    result = fetch(
        url,
        etag=source.etag if source else None,
        last_modified=source.last_modified if source else None,
    )
    label = source.name if source else url
    if result.error:
        return RunSummary(label=label, kind="rss", error=result.error)
    if result.not_modified:
        return RunSummary(label=label, kind="rss", not_modified=True)
    try:
        parsed = parse_feed(
            result.content, url=result.url, fetched_at=fetched_at, content_type=result.content_type
        )
    except ValueError as exc:
        return RunSummary(label=label, kind="rss", error=str(exc))
    summary = store_result(
        engine, parsed, label=label, kind="rss",
        source_id=source.id if source else None, progress=progress,
    )  # fmt: skip
    if source is not None:
        with write_session(engine) as session, session.begin():
            session.execute(
                update(Source)
                .where(Source.id == source.id)
                .values(etag=result.etag, last_modified=result.last_modified)
            )
    return summary


def _ingest_yahoo(
    engine: Engine, target: str, source_id: int | None, progress: Progress | None
) -> RunSummary:
    from terminal.ingest.yahoo_news import fetch_yahoo_news

    symbols = yahoo_symbols(target)
    if not symbols:
        return RunSummary(label=target, kind="yahoo", error="no ticker symbols after 'yahoo:'")
    parsed, errors = fetch_yahoo_news(symbols)
    if errors and not parsed.records:
        return RunSummary(label=target, kind="yahoo", error="; ".join(errors))
    summary = store_result(
        engine, parsed, label=target, kind="yahoo", source_id=source_id, progress=progress
    )
    summary.warnings.extend(errors)
    return summary


def _source_for(engine: Engine, target: str) -> Source | None:
    url = source_url(target)
    with Session(engine) as session:
        return session.scalar(select(Source).where(Source.url == url))


def source_url(target: str) -> str:
    """How a target is kept in `sources.url` (Yahoo lists normalised)."""
    if kind_of(target) == "yahoo":
        return "yahoo:" + ",".join(yahoo_symbols(target))
    return target.strip()


def _record_source_status(engine: Engine, source_id: int, summary: RunSummary) -> None:
    with write_session(engine) as session, session.begin():
        source = session.get(Source, source_id)
        if source is None:
            return
        source.last_run_at = datetime.now(UTC)
        source.last_status = summary.status
        source.last_error = summary.error
        source.articles_added = (source.articles_added or 0) + summary.inserted
