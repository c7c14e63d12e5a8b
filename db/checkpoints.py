"""A large import's write-ahead log, checkpointed beside the writer instead of in its commits.

SQLite copies the log back into the database (a checkpoint) in the commit that takes the
log past 1,000 pages. Each import batch writes more than that, so every commit paid a
checkpoint: 0.5 of the ~3 s a 5,000-story import took at 1M stories, on the one core
the writer has. During a large import the writer's own connections skip that step, and
a thread on a connection of its own checkpoints after each commit, on the other core
(SQLite releases the GIL while it works). The log still never grows past a batch or
two: a writer restarts it once a checkpoint has caught up. The last checkpoint runs
before the import returns, so its cost stays in the import's time.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Engine, event
from sqlalchemy.exc import SQLAlchemyError

from db.engine import is_sqlite, make_engine

log = logging.getLogger(__name__)


class Checkpointer:
    """The background thread: a PASSIVE checkpoint after each commit it is told about."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.done = 0  # checkpoints run
        self._wake = threading.Event()
        self._stop = False
        self._thread: threading.Thread | None = None

    def committed(self) -> None:
        """After a commit: start the thread (at the first one, after the import's worker
        processes have forked) and have it checkpoint."""
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="wal-checkpoint", daemon=True)
            self._thread.start()
        self._wake.set()

    def close(self) -> None:
        """Run the last checkpoint and wait for it."""
        if self._thread is None:
            return
        self._stop = True
        self._wake.set()
        self._thread.join()

    def _run(self) -> None:
        try:
            raw = self.engine.raw_connection()  # autocommit: the pragmas hook set no isolation
        except SQLAlchemyError as exc:  # no thread of checkpoints: the import goes on
            log.warning("background checkpoints unavailable: %s", exc)
            return
        try:
            while True:
                self._wake.wait()
                self._wake.clear()
                stopping = self._stop
                self._checkpoint(raw)
                if stopping:
                    return
        finally:
            raw.close()

    def _checkpoint(self, raw: Any) -> None:
        try:
            cursor = raw.cursor()
            cursor.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
            cursor.close()
        except sqlite3.Error as exc:  # an optimisation: a failed one is never fatal
            log.warning("background checkpoint failed: %s", exc)
            return
        self.done += 1


@contextmanager
def checkpoints_beside(engine: Engine) -> Iterator[tuple[Engine, Callable[[], None]]]:
    """(engine to write with, call after each commit) for a large import.

    On a SQLite file: an engine whose connections never checkpoint in a commit, and a
    Checkpointer that does it beside them. Elsewhere (PostgreSQL, an in-memory database)
    the engine itself and a call that does nothing.
    """
    database = engine.url.database if is_sqlite(engine) else None
    if not database or database == ":memory:" or "mode=memory" in str(engine.url):
        yield engine, lambda: None
        return
    writes = make_engine(engine.url.render_as_string(hide_password=False))
    event.listen(writes, "connect", _no_autocheckpoint)
    checkpointer = Checkpointer(writes)
    try:
        yield writes, checkpointer.committed
    finally:
        try:
            checkpointer.close()
        except SQLAlchemyError as exc:  # the import's outcome stands
            log.warning("last checkpoint failed: %s", exc)
        writes.dispose()


def _no_autocheckpoint(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA wal_autocheckpoint=0")
    cursor.close()
