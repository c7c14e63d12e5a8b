"""`backup PATH` and `restore PATH`: a SQLite file copy, or a canonical JSONL export on any backend."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape

from terminal.backup import BackupError, backup_sqlite, export_store, import_store, restore_sqlite
from terminal.cli.output import describe
from terminal.database import get_engine, migrate

console = Console()
JSONL_SUFFIXES = (".jsonl", ".ndjson")


def _is_jsonl(path: Path) -> bool:
    return path.suffix.lower() in JSONL_SUFFIXES


def _fail(message: str) -> typer.Exit:
    console.print(f"[red]✗[/red] {escape(message)}")
    return typer.Exit(1)


def backup_command(
    path: Annotated[Path, typer.Argument(help="Backup file; .jsonl exports every story instead.")],
    force: Annotated[bool, typer.Option("--force", help="Replace an existing file.")] = False,
) -> None:
    """Back up the store while it is in use (SQLite file copy, or a JSONL export)."""
    engine = get_engine()
    migrate(engine)
    if _is_jsonl(path):
        if path.exists() and not force:
            raise _fail(f"{path} already exists (use --force to replace it)")
        with path.open("w", encoding="utf-8") as out:
            count = export_store(engine, out)
        console.print(f"exported {count} stories to {escape(str(path))}")
        return
    try:
        report = backup_sqlite(engine, path, force=force)
    except (BackupError, OSError) as exc:
        raise _fail(str(exc)) from None
    console.print(
        f"backed up {report.articles} stories from {escape(describe(engine))} "
        f"to {escape(str(report.path))} ({report.size / 1_000_000:.1f} MB)"
    )


def restore_command(
    path: Annotated[
        Path, typer.Argument(help="A backup file made by `backup`, or a .jsonl export.")
    ],
    force: Annotated[
        bool, typer.Option("--force", help="Replace a store that already holds stories.")
    ] = False,
) -> None:
    """Restore the store from a backup file (or re-import a JSONL export)."""
    engine = get_engine()
    if _is_jsonl(path):
        migrate(engine)
        summary = import_store(engine, path)
        if summary.error:
            raise _fail(summary.error)
        console.print(
            f"imported {summary.inserted} stories from {escape(str(path))} "
            f"({summary.duplicates} already stored, {len(summary.rejected)} rejected)"
        )
        return
    try:
        report = restore_sqlite(engine, path, force=force)
    except (BackupError, OSError) as exc:
        raise _fail(str(exc)) from None
    migrate(engine)  # an older backup is brought up to the current schema
    console.print(f"restored {report.articles} stories into {escape(describe(engine))}")
