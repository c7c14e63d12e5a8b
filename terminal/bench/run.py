"""The whole bench: build or reuse the store, time every figure, return the report."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import Engine

from terminal.bench import app, throughput
from terminal.bench.build import ensure_store
from terminal.bench.corpus import CorpusSpec
from terminal.bench.queries import baseline_runner, cases, catalyst_runner
from terminal.bench.timing import Figure, measure, query_figure
from terminal.counts import stop_workers

Say = Callable[[str], None]


def query_figures(engine: Engine, spec: CorpusSpec, say: Say, repeat: int = 30) -> list[Figure]:
    """Each feed, search and facet question, through Catalyst and as hand-written SQL."""
    dialect = engine.dialect.name
    figures = []
    raw = engine.raw_connection()
    try:
        for case in cases(spec, dialect):
            ours = measure(catalyst_runner(engine, case), repeat=repeat)
            theirs = measure(baseline_runner(raw, case, dialect), repeat=repeat)
            figure = query_figure(case.name, ours, theirs, budget_ms=case.budget_ms)
            say(_line(figure))
            figures.append(figure)
    finally:
        raw.close()
    return figures


def run_bench(
    engine: Engine, articles: int, *, say: Say = print, url: str | None = None
) -> dict[str, object]:
    """Every figure for a store of `articles` synthetic stories (built when needed)."""
    spec = CorpusSpec(articles)
    built = ensure_store(engine, spec, progress=None)
    say(f"store: {articles:,} stories ({'built' if built else 'reused'})")
    small = articles < 10_000
    ingest = min(throughput.INGEST_STORIES, max(200, articles // 20))
    runs = 1 if small else throughput.INGEST_RUNS
    figures = query_figures(engine, spec, say, repeat=5 if small else 30)
    stop_workers()  # the facets' threads: the ingest figures fork their tagging workers
    for make in (
        lambda: throughput.ingest_figure(engine, ingest, shape="live", runs=runs),
        lambda: throughput.ingest_figure(engine, ingest, shape="archive", runs=runs),
        lambda: throughput.reaction_figure(min(50_000, max(2_000, articles // 2))),
        lambda: app.feed_page_figure(url, runs=2 if small else 8),
        lambda: app.memory_figure(url, articles),
    ):
        extra = make()
        say(_line(extra))
        figures.append(extra)
    return {
        "articles": articles,
        "backend": engine.dialect.name,
        "figures": [f.as_json() for f in figures],
    }


def _line(f: Figure) -> str:
    mark = "ok  " if f.ok else "MISS"
    value = "n/a" if f.value is None else f"{f.value:,.2f} {f.unit}"
    sql = f"  sql p50 {f.baseline_p50_ms:.2f} ms (x{f.ratio})" if f.baseline_p50_ms else ""
    p50 = f"  p50 {f.p50_ms:.2f} ms" if f.p50_ms is not None else ""
    return f"{mark} {f.name:<20} {value:>14}{p50}{sql}  [{f.budget}]" + (
        f"  {f.note}" if f.note else ""
    )
