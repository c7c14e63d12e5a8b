"""The app's side: the feed page's script time (AppTest) and a feed process's peak memory.

Both run in a child process pointed at the bench store, so Streamlit's imports and
caches never touch the bench's own process and the memory figure is the app's alone.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from terminal.bench.timing import Figure

ROOT = Path(__file__).resolve().parents[2]
FEED = ROOT / "pages" / "feed.py"
APP = ROOT / "app.py"  # the feed is its default page; through st.navigation, links resolve
PAGE_BUDGET_MS = 300.0
MEMORY_BUDGET_MB = 400.0
REFERENCE = 10_000  # stories in the store the memory figure is compared with
FLAT = 1.2
RUNS = 8


def _child(function: str, url: str | None, *args: int) -> dict[str, object]:
    """Run `function` of this module in a fresh interpreter; its stdout is JSON."""
    env = dict(os.environ)
    if url:
        env["TERMINAL_DATABASE_URL"] = url
    code = f"from terminal.bench.app import {function}; {function}(*{args!r})"
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=900
    )
    if done.returncode != 0:
        return {"error": (done.stderr.strip().splitlines() or ["failed"])[-1][:300]}
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def feed_page_figure(url: str | None, runs: int = RUNS) -> Figure:
    """p50/p95 of the feed script's run, data caches cleared before each run."""
    budget = f"p95 <= {PAGE_BUDGET_MS:g} ms"
    if not FEED.exists():
        return Figure("feed_page_script", None, "ms", budget, False, note="pages/feed.py missing")
    got = _child("page_probe", url, runs)
    if "error" in got:
        return Figure("feed_page_script", None, "ms", budget, False, note=str(got["error"]))
    p50, p95 = float(got["p50_ms"]), float(got["p95_ms"])  # type: ignore[arg-type]
    return Figure(
        "feed_page_script", p95, "ms", budget, p95 <= PAGE_BUDGET_MS and not got["exception"],
        p50_ms=p50, p95_ms=p95, note=f"AppTest, {runs} cold-cache runs",
    )  # fmt: skip


def memory_figure(url: str | None, articles: int) -> Figure:
    """Peak RSS of a process that runs the feed's queries against the store, beside the same
    on a SQLite store of REFERENCE stories: flat means within FLAT of it."""
    got = _child("memory_probe", url)
    budget = f"<= {MEMORY_BUDGET_MB:g} MB, within {FLAT:g}x of {REFERENCE:,} stories"
    ref = got if articles <= REFERENCE else _reference_memory()
    if "error" in got or "error" in ref:
        note = str(got.get("error") or ref.get("error"))
        return Figure("app_peak_memory", None, "MB", budget, False, note=note)
    peak, small = float(got["peak_mb"]), float(ref["peak_mb"])  # type: ignore[arg-type]
    return Figure(
        "app_peak_memory", peak, "MB", budget, peak <= MEMORY_BUDGET_MB and peak <= FLAT * small,
        note=f"after imports {got['base_mb']} MB; {REFERENCE:,} stories (SQLite): {small} MB",
    )  # fmt: skip


def _reference_memory() -> dict[str, object]:
    """memory_probe on a scratch SQLite store of REFERENCE synthetic stories."""
    from db.engine import make_engine
    from db.migrate import upgrade
    from terminal.bench.build import ensure_store
    from terminal.bench.corpus import CorpusSpec

    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'reference.db'}"
        engine = make_engine(url)
        upgrade(engine)
        ensure_store(engine, CorpusSpec(REFERENCE))
        engine.dispose()
        return _child("memory_probe", url)


def _peak_mb() -> float:
    """This process's peak RSS (VmHWM: unlike ru_maxrss, not inherited across fork+exec)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        pass
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def page_probe(runs: int = RUNS) -> None:
    """(child) Time the feed page with AppTest and print JSON.

    One AppTest serves every run, as one server process serves every visit: a fresh one
    rescans the installed packages for components (~150 ms of harness, not script). The
    first run (imports, engine, migration check) is not timed; data caches are cleared
    before each timed run.
    """
    import numpy as np
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(APP), default_timeout=60)
    samples, exception = [], False
    for i in range(runs + 1):
        st.cache_data.clear()
        start = time.perf_counter()
        at.run()
        if i:
            samples.append((time.perf_counter() - start) * 1000)
        exception = exception or bool(at.exception)
    p50, p95 = np.percentile(samples, [50, 95])
    print(json.dumps({"p50_ms": round(p50, 1), "p95_ms": round(p95, 1), "exception": exception}))


def memory_probe() -> None:
    """(child) Run the feed's queries (pages, search, counts, facets) and print peak RSS."""
    from sqlalchemy.orm import Session

    from terminal.counts import count_stories, facet_summary
    from terminal.database import get_engine
    from terminal.query import ArticleFilter, list_articles

    base = _peak_mb()
    engine = get_engine()
    filters = [
        ArticleFilter(leads_only=True),
        ArticleFilter(tickers=("NVDA",), leads_only=True),
        ArticleFilter(text="shares", leads_only=True),
        ArticleFilter(topics=("earnings",), min_impact=0.5, leads_only=True),
    ]
    for flt in filters:
        with Session(engine) as s:
            page = list_articles(s, flt, limit=25)
            for _ in range(20):
                page = list_articles(s, flt, limit=25, cursor=page.next_cursor)
            count_stories(s, flt)
            facet_summary(s, flt)
    print(json.dumps({"peak_mb": _peak_mb(), "base_mb": base}))
