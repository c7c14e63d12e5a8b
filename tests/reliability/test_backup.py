"""Backups taken while ingestion writes, restores, and whole-store JSONL round trips."""

from __future__ import annotations

import sqlite3
import threading
from contextlib import closing
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from terminal.backup import BackupError, backup_sqlite, export_store, import_store, iter_canonical
from terminal.cli import app
from terminal.database import get_engine, migrate
from terminal.pipeline import store_result
from terminal.records import ParseResult
from tests.conftest import sqlite_engine
from tests.reliability.helpers import incomplete_links, record

runner = CliRunner()
BATCH = 100
COMPARED = ("url", "title", "published_at", "source", "summary", "tickers", "topics", "impact")


def fill(engine: Engine, first: int, count: int) -> None:
    records = [record(n) for n in range(first, first + count)]
    for n in range(first, first + count, 3):  # some stories carry an impact, some none
        records[n - first].impact = (n % 10) / 10
    summary = store_result(engine, ParseResult(records=records), label="fill", kind="file")
    assert summary.inserted == count


def contents(engine: Engine) -> list[tuple[object, ...]]:
    """The store's stories as comparable tuples (ids and derived scores left out)."""
    with Session(engine) as session:
        items = [tuple(str(item[k]) for k in COMPARED) for item in iter_canonical(session)]
    return sorted(items)


def sqlite_count(path: Path) -> int:
    with closing(sqlite3.connect(path)) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        return int(conn.execute("SELECT count(*) FROM articles").fetchone()[0])


def test_a_backup_taken_while_a_writer_writes_is_a_consistent_snapshot(tmp_path: Path) -> None:
    engine = sqlite_engine(tmp_path / "live.db")
    fill(engine, 0, 300)
    stop, batches = threading.Event(), [3]

    def writer() -> None:
        while not stop.is_set():
            fill(engine, batches[0] * BATCH, BATCH)
            batches[0] += 1

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        reports = [backup_sqlite(engine, tmp_path / f"b{i}.db") for i in range(3)]
    finally:
        stop.set()
        thread.join(timeout=60)

    for report in reports:
        assert report.articles % BATCH == 0  # whole batches only: no half-written batch
        assert sqlite_count(report.path) == report.articles
        copy = sqlite_engine(report.path)
        with Session(copy) as session:
            assert incomplete_links(session) == []
        copy.dispose()
    assert batches[0] > 3, "the writer never wrote during the backups: the test proved nothing"


def test_restore_gives_back_the_same_stories_and_refuses_to_overwrite_without_force(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    live, backup = tmp_path / "live.db", tmp_path / "backup.db"
    engine = sqlite_engine(live)
    fill(engine, 0, 250)
    before = contents(engine)
    monkeypatch.setenv("TERMINAL_DATABASE_URL", f"sqlite:///{live}")
    get_engine.cache_clear()
    assert runner.invoke(app, ["backup", str(backup)]).exit_code == 0
    again = runner.invoke(app, ["backup", str(backup)])
    # (The message wraps where the terminal ends: a long temporary path moves the break.)
    assert again.exit_code == 1 and "already exists" in " ".join(again.output.split())

    fresh = tmp_path / "fresh.db"
    monkeypatch.setenv("TERMINAL_DATABASE_URL", f"sqlite:///{fresh}")
    get_engine.cache_clear()
    restored = runner.invoke(app, ["restore", str(backup)])
    assert restored.exit_code == 0, restored.output
    assert "restored 250 stories" in restored.output
    assert contents(get_engine()) == before

    fill(get_engine(), 1000, 5)
    refused = runner.invoke(app, ["restore", str(backup)])
    assert refused.exit_code == 1 and "use --force" in " ".join(refused.output.split())
    assert runner.invoke(app, ["restore", str(backup), "--force"]).exit_code == 0
    assert contents(get_engine()) == before


def test_restore_refuses_a_file_that_is_not_a_store(tmp_path: Path, sqlite_db: Engine) -> None:
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"not a database at all" * 100)
    with pytest.raises(BackupError, match="not a SQLite database|damaged"):
        from terminal.backup import restore_sqlite

        restore_sqlite(sqlite_db, junk)


def test_the_whole_store_round_trips_through_a_jsonl_export(engine: Engine, tmp_path: Path) -> None:
    fill(engine, 0, 120)
    export = tmp_path / "store.jsonl"
    with export.open("w", encoding="utf-8") as out:
        assert export_store(engine, out) == 120
    target = sqlite_engine(tmp_path / "copy.db")

    summary = import_store(target, export)

    assert (summary.inserted, summary.rejected, summary.error) == (120, [], None)
    assert contents(target) == contents(engine)
    assert import_store(target, export).duplicates == 120  # importing twice adds nothing


def test_backing_up_postgresql_points_to_pg_dump(postgres_db: Engine, tmp_path: Path) -> None:
    with pytest.raises(BackupError, match="pg_dump"):
        backup_sqlite(postgres_db, tmp_path / "x.db")


def test_backup_and_restore_take_a_jsonl_path_on_any_backend(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    migrate(get_engine())
    fill(get_engine(), 0, 30)
    before = contents(get_engine())
    export = tmp_path / "all.jsonl"
    assert "exported 30 stories" in runner.invoke(app, ["backup", str(export)]).output

    monkeypatch.setenv("TERMINAL_DATABASE_URL", f"sqlite:///{tmp_path / 'other.db'}")
    get_engine.cache_clear()
    restored = runner.invoke(app, ["restore", str(export)])

    assert restored.exit_code == 0 and "imported 30 stories" in restored.output
    assert contents(get_engine()) == before
