"""The `python -m terminal` command line: set-up, ingestion, queries."""

from __future__ import annotations

import sys

import typer
from rich.console import Console
from sqlalchemy.exc import OperationalError

from terminal.cli.backup import backup_command, restore_command
from terminal.cli.bench import bench_command
from terminal.cli.ingest import ingest_command, runs_command, watch_command
from terminal.cli.prices import prices_app
from terminal.cli.reactions import reactions_command
from terminal.cli.sample import sample_app
from terminal.cli.sources import sources_app
from terminal.cli.store import articles_command, init_command

app = typer.Typer(
    help="Catalyst: a news research terminal. Store, ingest and query market news.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
console = Console()
err = Console(stderr=True)

app.command("init")(init_command)
app.command("ingest")(ingest_command)
app.command("articles")(articles_command)
app.add_typer(sources_app, name="sources")
app.command("watch")(watch_command)
app.command("runs")(runs_command)
app.add_typer(sample_app, name="sample")
app.add_typer(prices_app, name="prices")
app.command("reactions")(reactions_command)
app.command("backup")(backup_command)
app.command("restore")(restore_command)
app.command("bench")(bench_command)


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
