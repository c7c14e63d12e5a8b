"""Adding stories by pasting their text: the plain-text layout, or canonical JSON/JSONL/CSV."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from db.models import Article
from terminal.importers import UnreadableInput, read_bytes
from terminal.pipeline import log_run, store_result
from terminal.records import Rejected
from terminal.store import dedupe_key

MAX_PASTE_CHARS = 2_000_000


@dataclass(slots=True)
class PasteResult:
    """What a paste did: stories added, stories already stored, parts rejected."""

    added: list[int] = field(default_factory=list)
    existing: list[int] = field(default_factory=list)
    rejected: list[Rejected] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    error: str | None = None

    @property
    def article_ids(self) -> list[int]:
        return self.added + self.existing


def import_pasted(
    engine: Engine, text: str, *, published_at: datetime | None = None, now: datetime | None = None
) -> PasteResult:
    """Store pasted stories; ones already stored are found, not added twice."""
    if len(text) > MAX_PASTE_CHARS:
        return PasteResult(error=f"pasted text is over {MAX_PASTE_CHARS:,} characters")
    started = datetime.now(UTC)
    try:
        parsed = read_bytes(text.encode("utf-8"), name="pasted", now=now, published_at=published_at)
    except (UnreadableInput, ValueError) as exc:
        return PasteResult(error=str(exc))
    keys = [dedupe_key(r) for r in parsed.records]
    summary = store_result(engine, parsed, label="pasted text", kind="paste")
    log_run(engine, summary, started_at=started)
    with Session(engine) as session:
        rows = session.execute(
            select(Article.dedupe_key, Article.id).where(Article.dedupe_key.in_(keys))
        )
        found = {key: article_id for key, article_id in rows}
    added = set(summary.inserted_ids)
    ids = list(dict.fromkeys(found[k] for k in keys if k in found))
    return PasteResult(
        added=[i for i in ids if i in added],
        existing=[i for i in ids if i not in added],
        rejected=summary.rejected,
        warnings=summary.warnings,
    )
