"""`sample load|remove`: the illustrative stories a new store starts with."""

from __future__ import annotations

import typer
from rich.console import Console

from db.engine import write_session
from terminal.database import get_engine, migrate

sample_app = typer.Typer(help="Load or remove the sample stories.", no_args_is_help=True)
console = Console()


@sample_app.command("load")
def load() -> None:
    """Load the sample set (stories already there are skipped)."""
    from terminal.sample import load_sample

    engine = get_engine()
    migrate(engine)
    added = sum(s.inserted for s in load_sample(engine))
    console.print(f"sample set: {added} stories added")


@sample_app.command("remove")
def remove() -> None:
    """Remove every sample story, with its links, reactions and notes."""
    from terminal.store import delete_sample

    engine = get_engine()
    migrate(engine)
    with write_session(engine) as session, session.begin():
        removed = delete_sample(session)
    console.print(f"removed {removed} sample stories")
