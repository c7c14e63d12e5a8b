"""`sources add|list|enable|disable|remove`: the feeds and Yahoo tickers `ingest --all` reads."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from db.engine import write_session
from terminal.database import get_engine, migrate
from terminal.sources import SourceError, add_source, list_sources, remove_source, set_enabled

sources_app = typer.Typer(help="Manage feeds and Yahoo ticker sources.", no_args_is_help=True)
console = Console()


def _session():
    engine = get_engine()
    migrate(engine)
    return write_session(engine)


@sources_app.command("add")
def add(
    target: Annotated[str, typer.Argument(help="A feed URL or yahoo:SYM,SYM.")],
    name: Annotated[str | None, typer.Option(help="A display name.")] = None,
) -> None:
    """Add a source (enabled)."""
    try:
        with _session() as session, session.begin():
            source = add_source(session, target, name=name)
            console.print(f"added source {source.id}: {escape(source.name)} ({source.kind})")
    except SourceError as exc:
        console.print(f"[red]{escape(str(exc))}[/red]")
        raise typer.Exit(1) from None


@sources_app.command("list")
def list_() -> None:
    """Every source with its last run."""
    table = Table(header_style="bold")
    for col in (
        "id",
        "name",
        "kind",
        "url",
        "enabled",
        "last run (UTC)",
        "status",
        "added",
        "error",
    ):
        table.add_column(col)
    with _session() as session:
        for s in list_sources(session):
            table.add_row(
                str(s.id), escape(s.name), s.kind, escape(s.url or ""), "yes" if s.enabled else "no",
                s.last_run_at.strftime("%Y-%m-%d %H:%M") if s.last_run_at else "",
                s.last_status or "", str(s.articles_added), escape((s.last_error or "")[:60]),
            )  # fmt: skip
    console.print(table)


def _toggle(ref: str, enabled: bool) -> None:
    try:
        with _session() as session, session.begin():
            source = set_enabled(session, ref, enabled)
            console.print(f"{'enabled' if enabled else 'disabled'} {escape(source.name)}")
    except SourceError as exc:
        console.print(f"[red]{escape(str(exc))}[/red]")
        raise typer.Exit(1) from None


@sources_app.command("enable")
def enable(ref: Annotated[str, typer.Argument(help="Id, name or URL.")]) -> None:
    """Enable a source."""
    _toggle(ref, True)


@sources_app.command("disable")
def disable(ref: Annotated[str, typer.Argument(help="Id, name or URL.")]) -> None:
    """Disable a source (kept, not read by --all)."""
    _toggle(ref, False)


@sources_app.command("remove")
def remove(ref: Annotated[str, typer.Argument(help="Id, name or URL.")]) -> None:
    """Remove a source; its stories stay."""
    try:
        with _session() as session, session.begin():
            source = remove_source(session, ref)
            console.print(f"removed {escape(source.name)}")
    except SourceError as exc:
        console.print(f"[red]{escape(str(exc))}[/red]")
        raise typer.Exit(1) from None
