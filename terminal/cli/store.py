"""`init` and `articles`: setting up the store and reading it."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console

from terminal.cli import output
from terminal.database import get_engine, migrate

console = Console()


def init_command(
    sample: Annotated[bool, typer.Option("--sample", help="Also load the sample stories.")] = False,
    sample_if_empty: Annotated[
        bool,
        typer.Option("--sample-if-empty", help="Load the sample set only into an empty store."),
    ] = False,
    prices: Annotated[
        bool,
        typer.Option(
            "--prices/--no-prices",
            help="With the sample set, get prices for its charts: Yahoo when reachable, else "
            "labelled synthetic ones.",
        ),
    ] = True,
) -> None:
    """Create or upgrade the schema; optionally load the sample set (and prices for it)."""
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
        if prices:
            from terminal.prices.cache import prepare_first_run

            console.print(f"prices: {prepare_first_run(engine)}")


def articles_command(
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
