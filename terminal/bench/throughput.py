"""Throughput figures: ingest through the real pipeline, and the vectorised event study."""

from __future__ import annotations

import json
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
from sqlalchemy import Engine, delete

from db.engine import write_session
from db.models import Article
from terminal import rollups
from terminal.bench.corpus import CorpusSpec, stories
from terminal.bench.timing import Figure

INGEST_STORIES = 5_000
INGEST_BUDGET = 5_000.0
REACTION_EVENTS = 50_000
REACTION_BUDGET = 20_000.0
PRICE_SYMBOLS = 200


def write_jsonl(path: Path, count: int, seed: int) -> None:
    """`count` canonical JSON stories (another seed than the store's, so none are duplicates)."""
    with path.open("w", encoding="utf-8") as out:
        for i, s in enumerate(stories(CorpusSpec(count, seed=seed))):
            out.write(
                json.dumps(
                    {
                        "url": f"https://ingest.example/{seed}/{i}",
                        "title": s.title,
                        "published_at": pd.Timestamp(s.pub_key, unit="us", tz="UTC").isoformat(),
                        "source": s.publisher,
                        "summary": s.summary,
                        "tickers": s.tickers,
                        "topics": s.topics,
                        "impact": s.impact,
                    }
                )
                + "\n"
            )


def ingest_figure(engine: Engine, count: int = INGEST_STORIES) -> Figure:
    """Stories per second from a JSONL file through read_path + store_result (then removed)."""
    from terminal.importers import read_path
    from terminal.pipeline import store_result

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bench.jsonl"
        write_jsonl(path, count, seed=int(time.time()))
        start = time.perf_counter()
        # fork: the bench runs in the CLI's single thread (store_result checks it again).
        summary = store_result(engine, read_path(path), label="bench", kind="file", fork=True)
        seconds = time.perf_counter() - start
    with write_session(engine) as session, session.begin():
        ids = summary.inserted_ids
        rollups.remove(session, ids)
        for lo in range(0, len(ids), 500):
            session.execute(delete(Article).where(Article.id.in_(ids[lo : lo + 500])))
    rate = summary.inserted / seconds if seconds else 0.0
    return Figure(
        name="ingest_throughput",
        value=round(rate, 1),
        unit="stories/s",
        budget=f">= {INGEST_BUDGET:g} stories/s",
        ok=rate >= INGEST_BUDGET and summary.inserted == count,
        note=f"{summary.inserted} stories in {seconds:.2f} s (JSONL, tagging, FTS, clustering)",
    )


def synthetic_prices(symbols: list[str], start: str, end: str) -> pd.DataFrame:
    """Daily bars on the exchange's sessions: a random walk per symbol (bench only)."""
    from terminal.prices.calendar import sessions_in_range

    days = sessions_in_range(pd.Timestamp(start), pd.Timestamp(end))
    rng = np.random.default_rng(7)
    closes = 100 * np.exp(np.cumsum(rng.normal(0, 0.015, (len(days), len(symbols))), axis=0))
    frame = pd.DataFrame(closes, index=days, columns=symbols).stack().rename("adj_close")
    bars = frame.reset_index().rename(columns={"level_0": "day", "level_1": "symbol"})
    bars["ts"] = pd.to_datetime(bars.iloc[:, 0]).dt.tz_localize("UTC")
    for col in ("open", "high", "low", "close"):
        bars[col] = bars["adj_close"]
    bars["volume"] = rng.integers(1_000_000, 5_000_000, len(bars)).astype("float64")
    bars["interval"], bars["provider"] = "1d", "synthetic"
    return bars[["symbol", "ts", "open", "high", "low", "close", "adj_close", "volume",
                 "interval", "provider"]]  # fmt: skip


def reaction_figure(events_count: int = REACTION_EVENTS) -> Figure:
    """Events per second through the vectorised event study on in-memory cached prices."""
    name, budget = "reaction_throughput", f">= {REACTION_BUDGET:g} events/s"
    try:
        from terminal.reactions.study import BENCHMARK, event_study
    except ImportError as exc:
        return Figure(name, None, "events/s", budget, False, note=f"not available: {exc}")
    symbols = [f"S{i:03d}" for i in range(PRICE_SYMBOLS)] + [BENCHMARK]
    prices = synthetic_prices(symbols, "2019-01-01", "2026-10-30")
    rng = np.random.default_rng(3)
    lo, hi = pd.Timestamp("2021-01-01", tz="UTC"), pd.Timestamp("2026-06-30", tz="UTC")
    events = pd.DataFrame(
        {
            "article_id": np.arange(events_count),
            "symbol": rng.choice(symbols[:-1], events_count),
            "event_time": lo + pd.to_timedelta(rng.random(events_count) * (hi - lo).days, "D"),
        }
    )
    start = time.perf_counter()
    out = event_study(events, prices)
    seconds = time.perf_counter() - start
    rate = len(out) / seconds if seconds else 0.0
    return Figure(
        name, round(rate, 1), "events/s", budget, rate >= REACTION_BUDGET,
        note=f"{len(out)} events, {PRICE_SYMBOLS} symbols of synthetic daily bars, {seconds:.2f} s",
    )  # fmt: skip
