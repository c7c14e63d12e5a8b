"""Printing stories and runs: rich tables for people, canonical JSON/JSONL/CSV for files."""

from __future__ import annotations

import sys

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table
from sqlalchemy import Engine
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from terminal.export import canonical_items, to_csv, to_json, to_jsonl
from terminal.query import ArticleFilter, list_articles

WRITERS = {"json": to_json, "jsonl": to_jsonl, "csv": to_csv}


def describe(engine: Engine) -> str:
    url = make_url(str(engine.url))
    if url.get_backend_name() == "sqlite":
        return f"SQLite {url.database}"
    return f"PostgreSQL {url.host or 'localhost'}/{url.database}"


def print_articles(
    engine: Engine, flt: ArticleFilter, *, limit: int, fmt: str, console: Console
) -> None:
    with Session(engine) as session:
        if fmt in WRITERS:
            for chunk in WRITERS[fmt](canonical_items(session, flt, limit=limit)):
                sys.stdout.write(chunk)
            return
        if fmt != "table":
            raise typer.BadParameter("use table, json, jsonl or csv", param_hint="--format")
        page = list_articles(session, flt, limit=limit)
    table = Table(show_lines=False, header_style="bold", expand=True)
    for name, kw in (
        ("id", {"justify": "right"}), ("published (UTC)", {}), ("impact", {"justify": "right"}),
        ("tickers", {}), ("source", {"max_width": 18}), ("title", {"ratio": 1}),
    ):  # fmt: skip
        table.add_column(name, **kw)
    for row in page.items:
        impact = row.impact if row.impact is not None else row.impact_model
        table.add_row(
            str(row.id),
            row.published_at.strftime("%Y-%m-%d %H:%M") + ("~" if row.published_estimated else ""),
            "" if impact is None else f"{impact:.2f}",
            " ".join(row.tickers[:5]),
            escape(row.publisher),
            escape(row.title) + (" [dim](sample)[/dim]" if row.is_sample else ""),
        )
    if not page.items:
        console.print("no stories match (try fewer filters, or `terminal ingest FILE`)")
        return
    console.print(table)
