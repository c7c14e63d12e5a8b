"""Saving an import's tagged batches: in which transactions, and what a failure costs.

Each batch is one transaction, or, in a large import, several batches share one (fewer
commits write fewer pages); either way a failure costs only the story that caused it.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from db.engine import write_session
from terminal.records import ArticleRecord, Rejected
from terminal.rollups import Tally
from terminal.store import SaveResult, save_and_cluster

if TYPE_CHECKING:
    from terminal.pipeline import RunSummary

# A large import's transaction spans batches until it holds this many stories or has
# been open this long. Each commit writes every page it dirtied, the hot roll-up rows
# and index tails among them, so fewer commits write fewer pages (a feed-shaped import:
# a third). Readers still see new stories each second; and the last transaction stays
# small, since the import waits for its checkpoint (db/checkpoints.py).
COMMIT_STORIES = 2_000
COMMIT_SECONDS = 1.0
# An import's last stories are written in a transaction of their own, started once the
# one before has committed: its checkpoint then runs while they are written, and the
# import waits only for the last one's, a few hundred stories' pages (an archive import's
# last transaction held up to 2,500 stories, whose checkpoint it waited 0.15-0.2 s for).
TAIL_STORIES = 750


class Writer:
    """Saves an import's batches: each in a transaction of its own, or (`spans`, a large
    import) several to a transaction, committed once it has been open COMMIT_SECONDS or
    holds COMMIT_STORIES stories, and at the end (`commit`).

    A failure loses nothing else: when a statement or the commit fails, the transaction
    is rolled back and each of its batches saved again in one of its own, story by story
    where that fails too (`_save_batch`). The summary counts a batch's stories once its
    transaction has committed.
    """

    def __init__(
        self,
        engine: Engine,
        source_id: int | None,
        summary: RunSummary,
        committed: Callable[[], None],
        *,
        spans: bool,
    ) -> None:
        self.engine, self.source_id, self.summary = engine, source_id, summary
        self.committed, self.spans = committed, spans
        self.session: Session | None = None
        self.opened = 0.0
        self.held: list[tuple[Sequence[ArticleRecord], int]] = []  # (batch, offset)
        self.saved: list[SaveResult] = []
        self.tally = Tally()  # the open transaction's roll-up counts

    def __enter__(self) -> Writer:
        return self

    def __exit__(self, *exc: object) -> None:
        if self.session is not None:  # left by an error that is not the database's
            self._drop()

    def _drop(self) -> None:
        """Roll the open transaction back and forget what it held."""
        assert self.session is not None
        self.session.rollback()
        self._close()

    def _close(self) -> None:
        """Close the transaction's session and start afresh for the next one."""
        assert self.session is not None
        self.session.close()
        self.session = None
        self.held, self.saved, self.tally = [], [], Tally()

    def save(self, batch: Sequence[ArticleRecord], *, offset: int, last: bool = False) -> None:
        """Save a batch (`last`: it holds the import's last stories, the last TAIL_STORIES
        of which get a transaction of their own)."""
        if self.spans and last and len(batch) > TAIL_STORIES:
            cut = len(batch) - TAIL_STORIES
            self.save(batch[:cut], offset=offset)
            self.commit()
            batch, offset = batch[cut:], offset + cut
        if not self.spans:
            _save_batch(self.engine, batch, self.source_id, self.summary, offset=offset)
            self.committed()
            return
        if self.session is None:
            self.session = write_session(self.engine)
            self.session.begin()
            self.opened = time.monotonic()
        self.held.append((batch, offset))
        try:
            saved = save_and_cluster(
                self.session, batch, source_id=self.source_id, tally=self.tally
            )
        except SQLAlchemyError:
            self._redo()
            return
        self.saved.append(saved)
        stories = sum(len(b) for b, _ in self.held)
        if time.monotonic() - self.opened >= COMMIT_SECONDS or stories >= COMMIT_STORIES:
            self.commit()

    def commit(self) -> None:
        if self.session is None:
            return
        try:
            self.tally.flush(self.session)
            self.session.commit()
        except SQLAlchemyError:
            self._redo()
            return
        for saved in self.saved:
            self.summary.inserted_ids.extend(saved.inserted_ids)
            self.summary.duplicates += saved.duplicates
        self.summary.inserted = len(self.summary.inserted_ids)
        self._close()
        self.committed()

    def _redo(self) -> None:
        """The transaction failed: roll it back, then each of its batches on its own."""
        held = self.held
        self._drop()
        for batch, offset in held:
            _save_batch(self.engine, batch, self.source_id, self.summary, offset=offset)
            self.committed()


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
            saved = save_and_cluster(session, batch, source_id=source_id)
    except SQLAlchemyError:
        # One bad row must not sink the batch: retry the stories one at a time.
        for i, record in enumerate(batch):
            try:
                with write_session(engine) as session, session.begin():
                    one = save_and_cluster(session, [record], source_id=source_id)
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
