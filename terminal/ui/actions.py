"""What the sources page does: run the enabled sources, import an uploaded file."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from terminal.importers import UnreadableInput, read_bytes
from terminal.ingestion import ingest_target
from terminal.pipeline import RunSummary, log_run, store_result
from terminal.sources import enabled_targets

Step = Callable[[int, int, str], None]  # done, total, label


def summary_row(summary: RunSummary) -> dict[str, Any]:
    """A run's outcome as one row of the per-source result table."""
    return {
        "source": summary.label,
        "status": summary.status,
        "fetched": summary.fetched,
        "added": summary.inserted,
        "duplicates": summary.duplicates,
        "rejected": len(summary.rejected),
        "error": summary.error or "",
    }


def run_enabled_sources(engine: Engine, *, step: Step | None = None) -> list[RunSummary]:
    """Ingest every enabled source once, reporting progress between sources."""
    with Session(engine) as session:
        targets = enabled_targets(session)
    summaries = []
    for done, target in enumerate(targets):
        if step:
            step(done, len(targets), target)
        summaries.append(ingest_target(engine, target))
    if step:
        step(len(targets), len(targets), "done")
    return summaries


def import_upload(engine: Engine, name: str, data: bytes) -> RunSummary:
    """Store the stories of an uploaded file (JSON, JSONL, CSV, feed or the text layout)."""
    started = datetime.now(UTC)
    label = f"upload: {name}"[:200]
    try:
        parsed = read_bytes(data, name=name, defer=True)
    except (UnreadableInput, ValueError) as exc:
        summary = RunSummary(label=label, kind="file", error=str(exc)[:300])
    else:
        summary = store_result(engine, parsed, label=label, kind="file")
    log_run(engine, summary, started_at=started)
    return summary
