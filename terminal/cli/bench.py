"""`bench`: the performance benchmark on a synthetic store (see docs/performance.md)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape

from terminal.config import database_url
from terminal.database import get_engine, migrate

console = Console()


def bench_command(
    articles: Annotated[
        int, typer.Option("--articles", "-n", min=100, help="Stories in the synthetic store.")
    ] = 100_000,
    json_path: Annotated[
        Path | None, typer.Option("--json", help="Also write the figures to this JSON file.")
    ] = None,
) -> None:
    """Time Catalyst's queries, ingest and pages on a synthetic store (built or reused).

    Use a scratch database: TERMINAL_DATABASE_URL=sqlite:////tmp/bench.db. Exits 1 when
    any figure misses its budget.
    """
    from terminal.bench.build import BenchStoreError
    from terminal.bench.run import run_bench

    engine = get_engine()
    migrate(engine)
    try:
        report = run_bench(
            engine,
            articles,
            say=lambda line: console.print(escape(line), soft_wrap=True),
            url=database_url(),
        )
    except BenchStoreError as exc:
        console.print(f"[red]bench:[/red] {escape(str(exc))}")
        raise typer.Exit(2) from None
    if json_path is not None:
        json_path.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
        console.print(f"figures written to {escape(str(json_path))}")
    figures = report["figures"]
    assert isinstance(figures, list)
    missed = [f["name"] for f in figures if not f["ok"]]
    console.print(f"{len(figures) - len(missed)}/{len(figures)} within budget")
    if missed:
        raise typer.Exit(1)
