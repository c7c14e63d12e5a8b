"""`ingest`, `watch` and `runs`: reading sources, with progress and a summary table."""

from __future__ import annotations

import re
import time
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from sqlalchemy import desc, select
from sqlalchemy.orm import Session

from db.models import IngestRun
from terminal.cli.filters import _when
from terminal.database import get_engine, migrate
from terminal.importers import SUFFIXES
from terminal.ingestion import ingest_target, kind_of
from terminal.pipeline import RunSummary
from terminal.sources import enabled_targets

console = Console()
STATUS_STYLE = {"ok": "green", "partial": "yellow", "failed": "red", "not-modified": "dim"}


def run_targets(targets: list[str], **options: object) -> list[RunSummary]:
    """Ingest each target in turn; one failing never stops the others."""
    engine = get_engine()
    migrate(engine)
    summaries: list[RunSummary] = []
    with Progress(
        TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
        TimeElapsedColumn(), console=console, transient=True, disable=len(targets) < 2,
    ) as progress:  # fmt: skip
        task = progress.add_task("ingesting", total=len(targets))
        for target in targets:
            progress.update(task, description=escape(target[-50:]))
            summaries.append(ingest_target(engine, target, **options))  # type: ignore[arg-type]
            progress.advance(task)
    return summaries


def print_summary(summaries: list[RunSummary], *, verbose: bool = True) -> None:
    table = Table(title="ingest summary", header_style="bold")
    for name in ("source", "status", "fetched", "new", "duplicates", "rejected"):
        table.add_column(name, justify="left" if name in ("source", "status") else "right")
    for s in summaries:
        style = STATUS_STYLE.get(s.status, "")
        table.add_row(
            escape(s.label[-60:]), f"[{style}]{s.status}[/{style}]", str(s.fetched),
            str(s.inserted), str(s.duplicates), str(len(s.rejected)),
        )  # fmt: skip
    console.print(table)
    for s in summaries:
        if s.error:
            console.print(f"[red]✗[/red] {escape(s.label)}: {escape(s.error)}")
        if verbose:
            for r in s.rejected[:20]:
                console.print(
                    f"  [yellow]skipped[/yellow] {escape(s.label)} {escape(r.location)}: {escape(r.reason)}"
                )
            if len(s.rejected) > 20:
                console.print(f"  … and {len(s.rejected) - 20} more (see `terminal runs`)")
            for w in s.warnings[:10]:
                console.print(f"  [dim]note {escape(s.label)}: {escape(w)}[/dim]")


def expand_targets(targets: list[str]) -> list[str]:
    """Targets with each folder replaced by the article files in it (sorted, not recursive)."""
    out: list[str] = []
    for target in targets:
        path = Path(target)
        if kind_of(target) == "file" and path.is_dir():
            out += sorted(
                str(p) for p in path.iterdir() if p.is_file() and p.suffix.lower() in SUFFIXES
            )
        else:
            out.append(target)
    return out


def ingest_command(
    targets: Annotated[
        list[str] | None, typer.Argument(help="Files, feed URLs or yahoo:SYM,SYM.")
    ] = None,
    all_sources: Annotated[bool, typer.Option("--all", help="Every enabled source.")] = False,
    published_at: Annotated[
        str | None,
        typer.Option("--published-at", help="Publication time for texts that carry none."),
    ] = None,
    fmt: Annotated[
        str | None, typer.Option("--format", help="Force json, jsonl, csv, text or feed.")
    ] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Only the summary table.")] = False,
) -> None:
    """Read stories from files, feeds or Yahoo Finance; exit 1 if any source failed."""
    wanted = expand_targets(targets or [])
    if all_sources:
        engine = get_engine()
        migrate(engine)
        with Session(engine) as session:
            wanted += enabled_targets(session)
    if not wanted:
        raise typer.BadParameter("give files, URLs or yahoo:TICKERS, or --all")
    summaries = run_targets(
        wanted, published_at=_when(published_at, "--published-at"), fmt=fmt, fork=True
    )
    print_summary(summaries, verbose=not quiet)
    if any(s.status == "failed" for s in summaries):
        raise typer.Exit(1)


def parse_every(value: str) -> float:
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([smh]?)\s*", value)
    if not match:
        raise typer.BadParameter("use e.g. 90s, 5m or 1h", param_hint="--every")
    return float(match.group(1)) * {"": 1, "s": 1, "m": 60, "h": 3600}[match.group(2)]


def watch_command(
    every: Annotated[str, typer.Option(help="Interval between runs, e.g. 5m.")] = "5m",
    runs: Annotated[int, typer.Option(help="Stop after this many runs (0: until stopped).")] = 0,
) -> None:
    """Ingest every enabled source again and again until stopped (Ctrl-C)."""
    seconds = max(parse_every(every), 1.0)
    engine = get_engine()
    migrate(engine)
    done = 0
    while True:
        with Session(engine) as session:
            targets = enabled_targets(session)
        if targets:
            print_summary(run_targets(targets), verbose=False)
        else:
            console.print("no enabled sources (add one with `terminal sources add URL`)")
        done += 1
        if runs and done >= runs:
            return
        time.sleep(seconds)


def runs_command(limit: Annotated[int, typer.Option(min=1)] = 20) -> None:
    """The latest ingest runs, with what each fetched, added and rejected."""
    engine = get_engine()
    migrate(engine)
    table = Table(header_style="bold")
    for name in (
        "id",
        "started (UTC)",
        "source",
        "status",
        "fetched",
        "new",
        "dup",
        "rejected",
        "message",
    ):
        table.add_column(name)
    with Session(engine) as session:
        for run in session.scalars(select(IngestRun).order_by(desc(IngestRun.id)).limit(limit)):
            style = STATUS_STYLE.get(run.status, "")
            table.add_row(
                str(run.id), run.started_at.strftime("%Y-%m-%d %H:%M:%S"), escape(run.source_label[-40:]),
                f"[{style}]{run.status}[/{style}]", str(run.fetched), str(run.inserted),
                str(run.duplicates), str(run.rejected), escape((run.message or "")[:80]),
            )  # fmt: skip
    console.print(table)
