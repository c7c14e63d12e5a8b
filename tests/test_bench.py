"""The bench: its synthetic store and the command's JSON (shape only; no timing asserts)."""

from __future__ import annotations

import json
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from terminal.bench.build import BenchStoreError, ensure_store
from terminal.bench.corpus import HOT_TICKERS, CorpusSpec, publishers, stories
from terminal.bench.queries import rare_symbol
from terminal.cli import app
from terminal.database import get_engine
from terminal.query import ArticleFilter, list_articles
from terminal.records import ArticleRecord
from terminal.store import save_articles

QUERY_FIGURES = {
    "latest_page", "ticker_hot", "ticker_rare", "topic_min_impact", "source_date_range",
    "three_filters", "second_page", "search_common", "search_rare", "search_phrase",
    "facets_all", "facets_ticker", "facets_two_filters", "facets_three_filters", "facets_text",
    "impact_ticker_rare", "impact_search_common",
}  # fmt: skip
OTHER_FIGURES = {
    "ingest_throughput",
    "ingest_archive",
    "reaction_throughput",
    "feed_page_script",
    "app_peak_memory",
}


def test_the_corpus_is_deterministic_and_skewed_like_market_news():
    spec = CorpusSpec(20_000)
    first = list(stories(spec, stop=3_000))
    assert first == list(stories(spec, stop=3_000))
    keys = [s.pub_key for s in first]
    assert keys == sorted(keys) and len(set(keys)) == len(keys)
    mentions = Counter(t for s in first for t in s.tickers)
    assert mentions[HOT_TICKERS[0]] > 50 * max(mentions[rare_symbol(spec)], 1)
    assert len({t for s in first for t in s.topics}) >= 15
    assert len(publishers()) >= 50


def test_the_store_is_reused_when_it_matches_and_rebuilt_when_not(sqlite_db):
    assert ensure_store(sqlite_db, CorpusSpec(600)) is True
    assert ensure_store(sqlite_db, CorpusSpec(600)) is False
    assert ensure_store(sqlite_db, CorpusSpec(900)) is True
    with Session(sqlite_db) as s:
        assert s.scalar(text("SELECT count(*) FROM articles")) == 900
        hits = list_articles(s, ArticleFilter(text="shares"), limit=5).items
        nvda = list_articles(s, ArticleFilter(tickers=("NVDA",)), limit=5).items
    assert hits and all("shares" in (r.title + r.summary).lower() for r in hits)
    assert nvda and all("NVDA" in r.tickers for r in nvda)


def test_a_store_holding_real_stories_is_never_overwritten(sqlite_db):
    story = ArticleRecord(title="Real story", published_at=datetime(2025, 1, 2, tzinfo=UTC))
    with Session(sqlite_db) as s, s.begin():
        save_articles(s, [story])
    with pytest.raises(BenchStoreError):
        ensure_store(sqlite_db, CorpusSpec(100))
    with Session(sqlite_db) as s:
        assert s.scalar(text("SELECT title FROM articles")) == "Real story"


def test_bench_command_writes_every_figure_in_the_documented_shape(tmp_path, monkeypatch):
    import threading

    from terminal.bench import throughput

    monkeypatch.setenv("TERMINAL_DATABASE_URL", f"sqlite:///{tmp_path / 'bench.db'}")
    get_engine.cache_clear()
    out = tmp_path / "bench.json"
    ingest, threads_at_ingest = throughput.ingest_figure, []

    def watched(*args, **kwargs):
        threads_at_ingest.extend(t.name for t in threading.enumerate())
        return ingest(*args, **kwargs)

    monkeypatch.setattr(throughput, "ingest_figure", watched)
    result = CliRunner().invoke(app, ["bench", "--articles", "2000", "--json", str(out)])
    get_engine.cache_clear()
    # The facets' counting threads are gone before the ingest figures: with another
    # thread alive, an import spawns its tagging workers instead of forking them.
    assert threads_at_ingest and not [t for t in threads_at_ingest if t.startswith("facets")]
    assert result.exit_code in (0, 1), result.output  # 1 = some figure missed its budget
    report = json.loads(out.read_text())
    assert report["articles"] == 2000 and report["backend"] == "sqlite"
    figures = {f["name"]: f for f in report["figures"]}
    assert set(figures) == QUERY_FIGURES | OTHER_FIGURES
    for name in QUERY_FIGURES:
        f = figures[name]
        assert f["unit"] == "ms" and f["p50_ms"] <= f["p95_ms"] == f["value"]
        assert f["baseline_p50_ms"] > 0 and f["ratio"] > 0
    for f in figures.values():
        assert isinstance(f["ok"], bool) and f["budget"]
    assert figures["ingest_throughput"]["value"] > 0
    assert ("MISS" in result.output) == (not all(f["ok"] for f in figures.values()))


@pytest.mark.postgres
def test_the_postgres_store_is_copied_in_and_vacuumed(postgres_db):
    """The build ends with VACUUM (ANALYZE) of the story tables. Its effect on the
    visibility map cannot be asserted here: a transaction another test has open on the
    same server keeps the copied rows from counting as visible to all (CI saw
    relallvisible stay 0), so the test checks the statement ran and the planner
    statistics it leaves."""
    from sqlalchemy import event

    ran: list[str] = []

    def record(_conn, _cursor, statement, *_args) -> None:
        ran.append(" ".join(statement.split()))

    event.listen(postgres_db, "before_cursor_execute", record)
    try:
        assert ensure_store(postgres_db, CorpusSpec(400)) is True
    finally:
        event.remove(postgres_db, "before_cursor_execute", record)
    assert "VACUUM (ANALYZE) articles, article_tickers, article_topics" in ran
    with Session(postgres_db) as s:
        assert s.scalar(text("SELECT count(*) FROM articles")) == 400
        analysed = s.scalar(text("SELECT reltuples FROM pg_class WHERE oid = 'articles'::regclass"))
        nvda = list_articles(s, ArticleFilter(tickers=("NVDA",)), limit=5).items
    assert analysed == 400  # ANALYZE counted the rows (pg_class is updated at once)
    assert nvda and all("NVDA" in r.tickers for r in nvda)


def test_a_new_sqlite_store_is_checkpointed_into_its_file_and_back_to_normal_sync(sqlite_db):
    """The build ends on disk: no WAL left for the first timed figure to write back."""
    ensure_store(sqlite_db, CorpusSpec(500))
    path = Path(sqlite_db.url.database)
    wal = path.with_name(path.name + "-wal")
    assert not wal.exists() or wal.stat().st_size == 0
    with sqlite_db.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 1  # NORMAL


def test_the_ingest_figures_leave_the_stored_stories_and_counts_as_they_found_them(sqlite_db):
    """An earlier copy of a stored story takes its lead while it is in; removed, it gives
    the lead, the cluster and every count back (else each bench run would drift the store)."""
    from sqlalchemy import select

    from db.models import Article, FacetRollup
    from terminal.bench.throughput import _remove
    from tests.helpers import store, story

    title = "Nvidia beats estimates as data-center revenue soars"
    store(sqlite_db, [story(5, title=title, tickers=["NVDA"]), story(9, tickers=["AMD"])])

    def state() -> tuple[list[tuple[object, ...]], list[tuple[object, ...]]]:
        with Session(sqlite_db) as s:
            a = Article
            stories = s.execute(
                select(a.id, a.cluster_id, a.cluster_size, a.is_cluster_lead).order_by(a.id)
            ).all()
            counts = s.execute(
                select(*FacetRollup.__table__.c).order_by(*FacetRollup.__table__.c)
            ).all()
            return [tuple(r) for r in stories], [tuple(r) for r in counts]

    before = state()
    earlier = store(
        sqlite_db, [story(3, title=title + " - CNBC", tickers=["NVDA"], publisher="CNBC")]
    )
    with Session(sqlite_db) as s:
        lead = s.scalar(
            select(Article.publisher).where(
                Article.is_cluster_lead, Article.cluster_id.is_not(None)
            )
        )
    assert lead == "CNBC"  # the copy did cluster, and took the lead
    _remove(sqlite_db, earlier.inserted_ids)
    assert state() == before


def test_the_ingest_figure_leaves_one_full_text_segment_as_the_build_did(sqlite_db):
    """Inserting and deleting its stories leaves deleted entries in the full-text index's
    newest segments (what "newest matches first" reads); the figure merges them away. The
    build leaves one segment too (its rebuild alone leaves three at 6,000 stories), so
    every run times the same index."""
    from terminal.bench.throughput import ingest_figure

    ensure_store(sqlite_db, CorpusSpec(6_000))

    def segments() -> int:
        with sqlite_db.connect() as conn:
            return conn.exec_driver_sql(
                "SELECT count(DISTINCT segid) FROM articles_fts_idx"
            ).scalar()

    built = segments()
    figure = ingest_figure(sqlite_db, 300, runs=2)  # each run inserts, removes and tidies
    assert figure.value and figure.value > 0 and "the median of 2" in (figure.note or "")
    assert segments() == built == 1
    with Session(sqlite_db) as s:
        assert s.scalar(text("SELECT count(*) FROM articles")) == 6_000
        found = s.scalar(
            text("SELECT count(*) FROM articles_fts WHERE articles_fts MATCH 'shares'")
        )
    assert found and found <= 6_000


def test_the_ingest_figure_counts_its_runs_after_one_that_reads_the_store_in(monkeypatch):
    """Several runs start with one not counted (the first import after a while reads its
    pages from disk): its time is in the note, not in the median or the ratio."""
    from terminal.bench import throughput

    times = iter([(2.0, 500, 0.5), (1.0, 500, 0.4), (1.2, 500, 0.4), (0.8, 500, 0.4)])
    seeds: list[int] = []

    def scripted(engine: object, count: int, shape: str, *, seed: int) -> tuple:
        seeds.append(seed)
        return next(times)

    monkeypatch.setattr(throughput, "_ingest_once", scripted)
    figure = throughput.ingest_figure(None, 500, runs=3)  # type: ignore[arg-type]
    assert figure.value == 500.0  # the median of 1.0, 1.2 and 0.8 s
    assert figure.ratio == 2.5 and figure.ok is False  # 1.0 s against 0.4
    assert "the median of 3 (1.00, 1.20, 0.80 s, after one not counted: 2.00 s;" in figure.note
    assert len(set(seeds)) == 4  # each run its own stories

    times = iter([(1.0, 500, 0.4)])
    figure = throughput.ingest_figure(None, 500, runs=1)  # type: ignore[arg-type]
    assert figure.value == 500.0 and "not counted" not in (figure.note or "")


@pytest.mark.postgres
def test_the_ingest_figure_vacuums_postgres_after_removing_its_stories(postgres_db):
    from sqlalchemy import event

    from terminal.bench.throughput import ingest_figure

    ensure_store(postgres_db, CorpusSpec(600))
    ran: list[str] = []

    def record(_conn, _cursor, statement, *_args) -> None:
        ran.append(" ".join(statement.split()))

    event.listen(postgres_db, "before_cursor_execute", record)
    try:
        assert ingest_figure(postgres_db, 300, runs=1).value  # VACUUM: not in a transaction
    finally:
        event.remove(postgres_db, "before_cursor_execute", record)
    deletes = [i for i, q in enumerate(ran) if q.startswith("DELETE FROM articles")]
    vacuum = ran.index("VACUUM (ANALYZE) articles, article_tickers, article_topics")
    assert deletes and vacuum > max(deletes)  # after both removals
    with Session(postgres_db) as s:
        assert s.scalar(text("SELECT count(*) FROM articles")) == 600


@pytest.mark.parametrize(
    ("name", "window", "share"),
    [
        ("facets_two_filters", 100, 100),
        ("facets_three_filters", 300, 100),
        ("facets_text", 300, 300),
    ],
)
def test_the_windowed_facets_and_their_hand_written_sql_count_the_same(
    engine, monkeypatch, name, window, share
):
    """Each windowed facet figure's baseline answers the same question Catalyst does,
    windows included (small windows here, cut on every facet counted)."""
    import terminal.bench.queries as queries
    from terminal.counts import facet_summary

    monkeypatch.setattr(queries, "WINDOW", window)
    spec = CorpusSpec(3_000)
    ensure_store(engine, spec)
    dialect = engine.dialect.name
    case = next(c for c in queries.cases(spec, dialect) if c.name == name)
    with Session(engine) as s:
        summary = facet_summary(s, case.flt, window=window)
    assert summary.window == share  # the windows did cut
    raw = engine.raw_connection()
    try:
        theirs = queries.baseline_runner(raw, case, dialect)()
    finally:
        raw.close()
    assert all(theirs)
    for facet, rows in zip(("tickers", "topics", "sources"), theirs, strict=True):
        assert dict(summary.counts[facet]) == {k: int(n) for k, n in rows}, facet
