"""A large SQLite import checkpoints its write-ahead log beside the writer (db/checkpoints.py)."""

from __future__ import annotations

import sqlite3

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from db import checkpoints
from db.engine import make_engine
from db.models import Article
from terminal import pipeline
from terminal.pipeline import store_result
from terminal.records import ParseResult
from tests.helpers import story


@pytest.fixture
def spied(monkeypatch: pytest.MonkeyPatch) -> list[checkpoints.Checkpointer]:
    """Every Checkpointer an import makes; imports of 30 stories count as large."""
    made: list[checkpoints.Checkpointer] = []

    class Spy(checkpoints.Checkpointer):
        def __init__(self, engine):
            super().__init__(engine)
            made.append(self)

    monkeypatch.setattr(checkpoints, "Checkpointer", Spy)
    monkeypatch.setattr(pipeline, "PARALLEL_MIN", 30)
    monkeypatch.setattr(pipeline, "CHUNK", 5)
    monkeypatch.setattr(pipeline, "MAX_BATCH", 10)
    return made


def _stored(engine) -> int:
    with Session(engine) as s:
        return int(s.scalar(select(func.count()).select_from(Article)) or 0)


def test_a_large_import_checkpoints_on_a_thread_while_its_commits_do_not(sqlite_db, spied):
    records = [story(i, title=f"Story {i}: Nvidia beats estimates") for i in range(40)]
    summary = store_result(
        sqlite_db, ParseResult(records=records), label="t", kind="file", fork=True
    )
    assert summary.inserted == 40 and _stored(sqlite_db) == 40
    [checkpointer] = spied
    # At most one checkpoint per commit (commits that come while one runs share the next),
    # and the last one waited for.
    assert checkpointer.done >= 1
    assert checkpointer._thread is not None and not checkpointer._thread.is_alive()
    with checkpointer.engine.connect() as conn:  # the writer's connections never checkpoint
        assert conn.exec_driver_sql("PRAGMA wal_autocheckpoint").scalar() == 0
    with sqlite_db.connect() as conn:  # ... the app's own still do
        assert conn.exec_driver_sql("PRAGMA wal_autocheckpoint").scalar() == 1000


def test_a_small_import_commits_as_before(sqlite_db, spied):
    records = [story(i) for i in range(10)]
    summary = store_result(sqlite_db, ParseResult(records=records), label="t", kind="file")
    assert summary.inserted == 10 and spied == []


class _Broken:
    """A connection whose every statement fails, as on a full or failing disk."""

    def cursor(self):
        raise sqlite3.OperationalError("disk I/O error")


def test_a_failing_checkpoint_costs_the_import_nothing(sqlite_db, spied, monkeypatch, caplog):
    real = checkpoints.Checkpointer._checkpoint
    monkeypatch.setattr(
        checkpoints.Checkpointer, "_checkpoint", lambda self, _raw: real(self, _Broken())
    )
    records = [story(i) for i in range(40)]
    summary = store_result(sqlite_db, ParseResult(records=records), label="t", kind="file")
    assert summary.inserted == 40 and _stored(sqlite_db) == 40
    [checkpointer] = spied
    assert checkpointer.done == 0
    assert "background checkpoint failed: disk I/O error" in caplog.text


def test_only_a_sqlite_file_gets_a_checkpointer(postgres_db, spied):
    memory = make_engine("sqlite://")
    for engine in (postgres_db, memory):
        with checkpoints.checkpoints_beside(engine) as (writes, committed):
            assert writes is engine
            committed()
    assert spied == []
    memory.dispose()


def test_a_checkpointer_that_cannot_connect_leaves_the_import_whole(
    sqlite_db, spied, monkeypatch, caplog
):
    from sqlalchemy.exc import OperationalError

    def refuse():
        raise OperationalError("connect", {}, sqlite3.OperationalError("unable to open database"))

    real_run = checkpoints.Checkpointer._run

    def run(self):  # the thread's connection is refused
        monkeypatch.setattr(self.engine, "raw_connection", refuse)
        real_run(self)

    monkeypatch.setattr(checkpoints.Checkpointer, "_run", run)
    records = [story(i) for i in range(40)]
    summary = store_result(sqlite_db, ParseResult(records=records), label="t", kind="file")
    assert summary.inserted == 40 and _stored(sqlite_db) == 40
    assert "background checkpoints unavailable" in caplog.text
