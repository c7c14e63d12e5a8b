"""One ingestion writer and eight readers on the same store: no lock errors, no half-written story."""

from __future__ import annotations

import threading
import time
import traceback

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from db.models import Article
from terminal.counts import count_articles, facet_counts
from terminal.pipeline import prepare, store_result
from terminal.query import ArticleFilter, list_articles
from terminal.records import ParseResult
from tests.reliability.helpers import (
    expected_tickers,
    expected_topics,
    incomplete_links,
    number_of,
    record,
)

WRITE_SECONDS = 3.0
BATCH = 100
READERS = 8
MIN_BATCHES = 3


class Load:
    """What the writer and readers did, and every error they met."""

    def __init__(self) -> None:
        self.done = threading.Event()
        self.errors: list[str] = []
        self.written = 0
        self.reads = 0
        self.lock = threading.Lock()

    def fail(self, where: str) -> None:
        with self.lock:
            self.errors.append(f"{where}: {traceback.format_exc().strip().splitlines()[-1]}")


def write(engine: Engine, load: Load) -> None:
    """Ingest numbered batches through the real pipeline until time is up."""
    ends = time.monotonic() + WRITE_SECONDS
    n = 0
    try:
        while time.monotonic() < ends or n < MIN_BATCHES * BATCH:
            batch = [record(i) for i in range(n, n + BATCH)]
            summary = store_result(engine, ParseResult(records=batch), label="load", kind="file")
            if summary.rejected or summary.inserted != BATCH:
                load.errors.append(f"batch {n}: {summary.inserted} stored, {summary.rejected[:1]}")
            n += BATCH
            load.written = n
    except Exception:
        load.fail("writer")
    finally:
        load.done.set()


def check_rows(rows: list, load: Load, must_have: str | None = None) -> None:
    for row in rows:
        n = number_of(row.url)
        if set(row.tickers) != set(expected_tickers(n)) or row.topics != expected_topics(n):
            load.errors.append(f"story {n} seen with tickers {row.tickers} topics {row.topics}")
        if must_have and must_have not in row.tickers:
            load.errors.append(f"story {n} listed under {must_have} without it")


def read(engine: Engine, load: Load, k: int) -> None:
    """Page, count and facet the feed over and over while the writer works."""
    last_total = 0
    symbol = ("NVDA", "AAPL", "TSLA", "MSFT")[k % 4]
    try:
        while not load.done.is_set():
            with Session(engine) as session:
                page = list_articles(session, ArticleFilter(), limit=50)
                check_rows(page.items, load)
                by_ticker = list_articles(session, ArticleFilter(tickers=(symbol,)), limit=20)
                check_rows(by_ticker.items, load, must_have=symbol)
                total = count_articles(session, ArticleFilter())
                facets = facet_counts(session, ArticleFilter(topics=("earnings",)))
            if total < last_total:
                load.errors.append(f"reader {k}: count went back from {last_total} to {total}")
            if total % BATCH:
                load.errors.append(f"reader {k}: saw {total} stories, part of a batch")
            if not {"tickers", "topics", "sources"} <= set(facets):
                load.errors.append(f"reader {k}: facets missing: {sorted(facets)}")
            last_total = total
            with load.lock:
                load.reads += 1
    except Exception:
        load.fail(f"reader {k}")


def run_load(engine: Engine) -> Load:
    prepare(record(99_999))  # load the enrichment lexicons before the clock starts
    load = Load()
    threads = [threading.Thread(target=write, args=(engine, load))]
    threads += [threading.Thread(target=read, args=(engine, load, k)) for k in range(READERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=WRITE_SECONDS + 30)
    assert not any(t.is_alive() for t in threads), "a reader or the writer hung"
    return load


def test_one_writer_and_eight_readers_meet_no_errors_and_lose_nothing(engine: Engine) -> None:
    load = run_load(engine)

    assert load.errors == []
    assert load.reads >= READERS, "the readers barely read: the test proved nothing"
    with Session(engine) as session:
        assert count_articles(session, ArticleFilter()) == load.written
        distinct = session.scalar(select(func.count(func.distinct(Article.url))))
        assert distinct == load.written
        assert incomplete_links(session) == []
