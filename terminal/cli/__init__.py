"""The `python -m terminal` command line: set-up, ingestion, queries."""

from __future__ import annotations

import sys
from typing import Annotated

import typer
from rich.console import Console
from sqlalchemy.exc import OperationalError

from terminal.cli import output
from terminal.cli.bench import bench_command
from terminal.cli.backup import backup_command, restore_command
from terminal.cli.ingest import ingest_command, runs_command, watch_command
from terminal.cli.prices import prices_app
from terminal.cli.reactions import reactions_command
from terminal.cli.sample import sample_app
from terminal.cli.sources import sources_app
from terminal.database import get_engine, migrate

app = typer.Typer(
    help="Catalyst: a news research terminal. Store, ingest and query market news.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
console = Console()
err = Console(stderr=True)

app.command("ingest")(ingest_command)
app.command("watch")(watch_command)
app.command("runs")(runs_command)
app.command("bench")(bench_command)
app.add_typer(sources_app, name="sources")
app.add_typer(sample_app, name="sample")
app.add_typer(prices_app, name="prices")
app.command("reactions")(reactions_command)
app.command("backup")(backup_command)
app.command("restore")(restore_command)


@app.command()
def init(
    sample: Annotated[bool, typer.Option("--sample", help="Also load the sample stories.")] = False,
    sample_if_empty: Annotated[
        bool,
        typer.Option("--sample-if-empty", help="Load the sample set only into an empty store."),
    ] = False,
) -> None:
    """Create or upgrade the schema; optionally load the sample set."""
    from terminal.sample import load_sample
    from terminal.store import article_count

    engine = get_engine()
    changed = migrate(engine)
    console.print(f"schema {'upgraded' if changed else 'up to date'} ({output.describe(engine)})")
    if sample_if_empty:
        from sqlalchemy.orm import Session

        with Session(engine) as session:
            sample = article_count(session) == 0
    if sample:
        summaries = load_sample(engine)
        added = sum(s.inserted for s in summaries)
        console.print(f"sample set: {added} stories added (remove with `terminal sample remove`)")


@app.command()
def articles(
    ticker: Annotated[
        list[str] | None, typer.Option("--ticker", "-t", help="Symbol (repeatable).")
    ] = None,
    topic: Annotated[
        list[str] | None, typer.Option("--topic", help="Topic slug or label (repeatable).")
    ] = None,
    source: Annotated[
        list[str] | None, typer.Option("--source", "-s", help="Publisher (repeatable).")
    ] = None,
    q: Annotated[str, typer.Option("--q", help="Full-text search.")] = "",
    since: Annotated[
        str | None, typer.Option(help="From this date/time (UTC unless an offset is given).")
    ] = None,
    until: Annotated[str | None, typer.Option(help="Before this date/time.")] = None,
    min_impact: Annotated[float | None, typer.Option("--min-impact", min=0, max=1)] = None,
    sentiment: Annotated[str | None, typer.Option(help="negative, neutral or positive.")] = None,
    sample: Annotated[str, typer.Option(help="all, only or none (sample stories).")] = "all",
    limit: Annotated[int, typer.Option(min=1, help="At most this many stories.")] = 50,
    fmt: Annotated[
        str, typer.Option("--format", "-f", help="table, json, jsonl or csv.")
    ] = "table",
) -> None:
    """Query the store, newest first; json/jsonl/csv export the canonical format with `id`."""
    from terminal.cli.filters import build_filter

    flt = build_filter(
        ticker=ticker, topic=topic, source=source, q=q, since=since, until=until,
        min_impact=min_impact, sentiment=sentiment, sample=sample,
    )  # fmt: skip
    output.print_articles(get_engine(), flt, limit=limit, fmt=fmt, console=console)


def main() -> None:
    """Run the CLI; database and unexpected errors become one clear line, not a traceback."""
    try:
        app()
    except OperationalError as exc:
        err.print(f"[red]database error:[/red] {str(exc.orig).splitlines()[0]}")
        err.print("check TERMINAL_DATABASE_URL (see README) and that the server is running")
        sys.exit(2)
    except KeyboardInterrupt:
        err.print("interrupted")
        sys.exit(130)


__all__ = ["app", "main"]
