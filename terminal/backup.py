"""Keeping the store safe: online SQLite backups, restores, and whole-store JSONL round trips.

A SQLite backup goes through SQLite's online backup API in one step: it reads one consistent
snapshot while ingestion keeps writing (WAL readers never block the writer). PostgreSQL is
backed up with `pg_dump` (docs/deploy.md); the JSONL export works on both backends.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

from sqlalchemy import Engine
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from db.engine import BUSY_TIMEOUT_MS
from terminal.export import canonical_items, to_jsonl
from terminal.pipeline import RunSummary

PG_HINT = "the store is PostgreSQL: back it up with pg_dump, or export it with a .jsonl PATH"


class BackupError(ValueError):
    """A backup or restore that cannot be done; the message says why and what to do."""


@dataclass(frozen=True, slots=True)
class BackupReport:
    """What a backup or restore wrote: where, how many stories, how many bytes."""

    path: Path
    articles: int
    size: int


def sqlite_path(engine: Engine) -> Path | None:
    """The database file behind a SQLite engine; None for PostgreSQL or in-memory stores."""
    url = make_url(str(engine.url))
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        return None
    return Path(url.database)


def _connect(path: Path) -> sqlite3.Connection:
    return sqlite3.connect(path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None)


def _article_count(conn: sqlite3.Connection) -> int:
    try:
        return int(conn.execute("SELECT count(*) FROM articles").fetchone()[0])
    except sqlite3.DatabaseError:
        return 0


def _check_backup_file(path: Path) -> int:
    """The number of stories in a backup file; BackupError if it is not an intact store."""
    if not path.is_file():
        raise BackupError(f"{path} does not exist")
    conn = _connect(path)
    try:
        status = conn.execute("PRAGMA integrity_check").fetchone()[0]
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"{path} is not a SQLite database ({exc})") from None
    finally:
        conn.close()
    if status != "ok":
        raise BackupError(f"{path} is damaged (integrity check: {status})")
    if not {"articles", "alembic_version"} <= tables:
        raise BackupError(f"{path} is a SQLite file but not a Catalyst store")
    conn = _connect(path)
    try:
        return _article_count(conn)
    finally:
        conn.close()


def backup_sqlite(engine: Engine, dest: Path, *, force: bool = False) -> BackupReport:
    """Copy the live store to `dest` (a standalone file) while others keep reading and writing."""
    source = sqlite_path(engine)
    if source is None:
        raise BackupError(PG_HINT)
    dest = Path(dest)
    if dest.resolve() == source.resolve():
        raise BackupError("the backup path is the store itself; choose another file")
    if dest.exists() and not force:
        raise BackupError(f"{dest} already exists (use --force to replace it)")
    dest.parent.mkdir(parents=True, exist_ok=True)
    partial = dest.with_name(dest.name + ".partial")
    partial.unlink(missing_ok=True)
    src, dst = _connect(source), _connect(partial)
    try:
        src.backup(dst)  # one step: one consistent snapshot, never restarted by writers
        dst.execute("PRAGMA journal_mode=DELETE")  # a single self-contained file
        articles = _article_count(dst)
    finally:
        dst.close()
        src.close()
    os.replace(partial, dest)
    return BackupReport(dest, articles, dest.stat().st_size)


def restore_sqlite(engine: Engine, backup: Path, *, force: bool = False) -> BackupReport:
    """Replace the store's contents with a backup file; refuses a non-empty store unless forced."""
    target = sqlite_path(engine)
    if target is None:
        raise BackupError(PG_HINT.replace("back it up with pg_dump", "restore with pg_restore"))
    backup = Path(backup)
    articles = _check_backup_file(backup)
    target.parent.mkdir(parents=True, exist_ok=True)
    engine.dispose()  # no pooled connection keeps reading the old pages
    dst = _connect(target)
    try:
        existing = _article_count(dst)
        if existing and not force:
            raise BackupError(
                f"the store already holds {existing} stories (use --force to replace them)"
            )
        src = _connect(backup)
        try:
            src.backup(dst)
        finally:
            src.close()
        dst.execute("PRAGMA journal_mode=WAL")
    finally:
        dst.close()
    return BackupReport(target, articles, target.stat().st_size)


def iter_canonical(session: Session) -> Iterator[dict[str, Any]]:
    """Every story in the store, newest first, as canonical JSON objects with tickers and topics."""
    return canonical_items(session)


def export_store(engine: Engine, out: TextIO) -> int:
    """Write the whole store as canonical JSONL; returns the number of stories."""
    count = 0
    with Session(engine) as session:
        for line in to_jsonl(iter_canonical(session)):
            out.write(line)
            count += 1
    return count


def import_store(engine: Engine, path: Path) -> RunSummary:
    """Read a canonical JSONL export back into the store (stories already there are skipped)."""
    from terminal.ingestion import ingest_target

    return ingest_target(engine, str(path), fmt="jsonl")
