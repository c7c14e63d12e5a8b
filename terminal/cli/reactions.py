"""`reactions`: compute the missing event-study reactions from cached prices, then print them."""

from __future__ import annotations

import json
import math
import sys
from typing import Annotated, Any

import pandas as pd
import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from db.engine import write_session
from terminal.database import get_engine, migrate
from terminal.reactions.store import compute_reactions, load_reactions

console = Console()
TABLE_COLUMNS = {"article_id": "id", "symbol": "symbol", "session": "session", "ret_0d": "ret 0d",
                 "ar_0d": "AR 0d", "car_0_5d": "CAR 0..5", "tstat_0d": "t", "provider": "prices"}  # fmt: skip
PERCENT = {"ret_0d", "ar_0d", "car_0_1d", "car_0_5d", "pre_5d"}


def reactions_command(
    recompute: Annotated[
        bool, typer.Option("--recompute", help="Recompute stored reactions too.")
    ] = False,
    article: Annotated[int | None, typer.Option("--article", help="Only this story id.")] = None,
    benchmark: Annotated[
        str,
        typer.Option(envvar="TERMINAL_BENCHMARK", help="Benchmark symbol (SPY, or a sector ETF)."),
    ] = "SPY",
    limit: Annotated[int, typer.Option(min=1, help="Print at most this many rows.")] = 200,
    fmt: Annotated[str, typer.Option("--format", "-f", help="table, json or csv.")] = "table",
) -> None:
    """Compute missing reactions (returns are fractions: -0.08 is -8%), then print them."""
    if fmt not in ("table", "json", "csv"):
        console.print(f"[red]unknown format {escape(fmt)!r}[/red]: use table, json or csv")
        raise typer.Exit(2)
    engine = get_engine()
    migrate(engine)
    with write_session(engine) as session:
        added = compute_reactions(
            session, benchmark=benchmark.upper(), recompute=recompute, article_id=article
        )
        frame = load_reactions(session, article_id=article, benchmark=benchmark, limit=limit)
    if fmt == "json":
        json.dump([_jsonable(r) for r in frame.to_dict("records")], sys.stdout, indent=2)
        sys.stdout.write("\n")
    elif fmt == "csv":
        _export(frame).to_csv(sys.stdout, index=False)
    else:
        _print_table(frame, added)


def _export(frame: pd.DataFrame) -> pd.DataFrame:
    """ISO 8601 UTC event times and ISO session dates."""
    out = frame.copy()
    out["event_time"] = out["event_time"].dt.strftime("%Y-%m-%dT%H:%M:%SZ")
    out["session"] = out["session"].astype(str)
    return out


def _jsonable(row: dict[str, Any]) -> dict[str, Any]:
    """A reaction as JSON: NaN -> null, times as ISO strings."""
    out: dict[str, Any] = {}
    for key, value in row.items():
        if isinstance(value, float) and math.isnan(value):
            value = None
        elif isinstance(value, pd.Timestamp):
            value = value.strftime("%Y-%m-%dT%H:%M:%SZ")
        elif hasattr(value, "isoformat"):
            value = value.isoformat()
        elif hasattr(value, "item"):
            value = value.item()
        out[key] = value
    return out


def _cell(col: str, value: Any) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    if col in PERCENT:
        return f"{value * 100:+.2f}%"
    if isinstance(value, float):
        return f"{value:.2f}"
    return escape(str(value))


def _print_table(frame: pd.DataFrame, added: int) -> None:
    table = Table(header_style="bold")
    for col, label in TABLE_COLUMNS.items():
        left = col in ("symbol", "provider")
        table.add_column(label, justify="left" if left else "right", no_wrap=True)
    for row in frame.to_dict("records"):
        table.add_row(*(_cell(c, row[c]) for c in TABLE_COLUMNS))
    console.print(table)
    synthetic = frame["provider"].str.contains("synthetic").any() if len(frame) else False
    console.print(f"{added} reaction(s) computed; {len(frame)} shown"
                  + (" — [yellow]SYNTHETIC prices: illustrative only[/yellow]" if synthetic else ""))  # fmt: skip
