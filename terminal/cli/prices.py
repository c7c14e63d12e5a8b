"""`prices import|refresh`: fill the price cache from a CSV file or from Yahoo Finance."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import pandas as pd
import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from sqlalchemy.orm import Session

from db.engine import write_session
from terminal.database import get_engine, migrate
from terminal.prices.cache import (
    RefreshReport,
    fill_synthetic_for_sample,
    record_range,
    refresh_for_articles,
    store_bars,
)
from terminal.prices.csvfile import read_price_csv

prices_app = typer.Typer(
    help="Fill the price cache (CSV import, Yahoo refresh).", no_args_is_help=True
)
console = Console()


def _session() -> Session:
    engine = get_engine()
    migrate(engine)
    return write_session(engine)


@prices_app.command("import")
def import_csv(
    path: Annotated[
        Path,
        typer.Argument(help="CSV in Yahoo's layout: Date,Open,High,Low,Close,Adj Close,Volume."),
    ],
    symbol: Annotated[
        str, typer.Option("--symbol", "-s", help="The ticker these prices belong to.")
    ],
) -> None:
    """Import daily (or intraday) bars for one symbol from a CSV file."""
    try:
        frame = read_price_csv(path, symbol=symbol)
    except (ValueError, OSError) as exc:
        console.print(f"[red]cannot import {escape(str(path))}:[/red] {escape(str(exc))}")
        raise typer.Exit(1) from None
    with _session() as session, session.begin():
        stored = store_bars(session, frame)
        for interval, bars in frame.groupby("interval"):
            end = bars["ts"].max() + (
                pd.Timedelta(days=1) if interval == "1d" else bars["ts"].diff().min()
            )
            record_range(session, symbol=symbol.upper(), interval=str(interval), provider="csv",
                         span=(bars["ts"].min(), end), rows=len(bars))  # fmt: skip
    first, last = frame["ts"].min(), frame["ts"].max()
    console.print(
        f"{symbol.upper()}: {stored} bars stored ({first:%Y-%m-%d} → {last:%Y-%m-%d}, csv)"
    )


@prices_app.command("refresh")
def refresh(
    tickers: Annotated[
        list[str] | None, typer.Option("--tickers", "-t", help="Only these symbols (repeatable).")
    ] = None,
    benchmark: Annotated[
        str, typer.Option(envvar="TERMINAL_BENCHMARK", help="Benchmark ETF fetched alongside.")
    ] = "SPY",
    deadline: Annotated[
        float, typer.Option(help="Give up on a Yahoo call after this many seconds.")
    ] = 30.0,
    synthetic: Annotated[
        bool,
        typer.Option(
            "--synthetic/--no-synthetic",
            help="If Yahoo is unreachable and no real prices exist, fill the sample set with SYNTHETIC prices.",
        ),
    ] = True,
) -> None:
    """Fetch the daily bars the stored stories need (260 sessions before to 10 after), incrementally."""
    from terminal.prices.yahoo import YahooProvider

    provider = YahooProvider(deadline=deadline)
    with _session() as session, _progress() as bar:
        task = bar.add_task("prices", total=None)

        def show(done: int, total: int, message: str) -> None:
            bar.update(task, completed=done, total=total or 1, description=escape(message))

        report = refresh_for_articles(
            session, provider, symbols=tickers, benchmark=benchmark, progress=show
        )
        session.commit()
        if report.errors and synthetic and not report.bars:
            fallback = fill_synthetic_for_sample(session, benchmark=benchmark, progress=show)
            session.commit()
            report.notes.extend(fallback.notes)
            report.bars += fallback.bars
    _print_report(report)
    if report.errors:
        raise typer.Exit(1)


def _progress() -> Progress:
    return Progress(TextColumn("{task.description}"), BarColumn(), TextColumn("{task.completed}/{task.total}"),
                    TimeElapsedColumn(), console=console, transient=True)  # fmt: skip


def _print_report(report: RefreshReport) -> None:
    """One summary line, then notes, then per-symbol problems."""
    console.print(
        f"{report.calls} fetch(es), {report.bars} bars stored, {len(report.up_to_date)} symbol(s) already cached"
    )
    for note in report.notes:
        console.print(f"[yellow]note:[/yellow] {escape(note)}")
    for symbol, why in sorted(report.missing.items()):
        console.print(f"  {escape(symbol)}: no bars ({escape(why)})")
    by_reason: dict[str, list[str]] = {}
    for symbol, why in sorted(report.errors.items()):
        by_reason.setdefault(why, []).append(symbol)
    for why, symbols in by_reason.items():
        console.print(f"[red]{escape(why)}[/red]: {escape(', '.join(symbols))}")
