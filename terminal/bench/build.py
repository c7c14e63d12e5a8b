"""Building the synthetic store fast, or reusing it when it already matches.

SQLite: indexes and full-text triggers come off, rows go in with executemany in a few
large transactions, then indexes are recreated and the FTS index is rebuilt in one
pass. PostgreSQL: COPY. A `bench_meta` table (the bench's own, not the app's schema)
records which corpus the store holds.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Engine, inspect, text
from sqlalchemy.orm import Session

from terminal import rollups
from terminal.bench.corpus import CorpusSpec, Story, stories
from terminal.enrich.clusters import title_fingerprint, title_signature
from terminal.nearest import entry
from terminal.timekeys import from_pub_key

CHUNK = 50_000
STORY_TABLES = ("article_tickers", "article_topics", "articles")
ARTICLE_COLUMNS = (
    "id", "dedupe_key", "url", "guid", "title", "summary", "body", "analysis", "publisher",
    "published_at", "pub_key", "published_estimated", "ingested_at", "language", "impact",
    "impact_model", "impact_score", "sentiment", "cluster_size", "is_cluster_lead", "is_sample",
    "title_words",
)  # fmt: skip
LINK_COLUMNS = (
    "article_id", "{key}", "pub_key", "published_at", "{score}", "position", "walk_entry",
)  # fmt: skip
Progress = Callable[[int], None]


class BenchStoreError(RuntimeError):
    """The database holds stories that are not the bench's; it will not overwrite them."""


def stored_key(engine: Engine) -> str | None:
    """The corpus key recorded in `bench_meta`, if any."""
    if not inspect(engine).has_table("bench_meta"):
        return None
    with engine.connect() as conn:
        return conn.scalar(text("SELECT value FROM bench_meta WHERE key = 'corpus'"))


def ensure_store(engine: Engine, spec: CorpusSpec, progress: Progress | None = None) -> bool:
    """Make the store hold exactly `spec`'s corpus; False when it already did."""
    with engine.connect() as conn:
        count = conn.scalar(text("SELECT count(*) FROM articles")) or 0
    key = stored_key(engine)
    if key == spec.key() and count == spec.articles:
        return False
    if count and key is None:
        raise BenchStoreError(
            f"the database holds {count} stories that are not a bench corpus; "
            "point TERMINAL_DATABASE_URL at a scratch database"
        )
    _wipe(engine)
    if engine.dialect.name == "sqlite":
        _load_sqlite(engine, stories(spec), progress)
    else:
        _load_postgres(engine, stories(spec), progress)
    with Session(engine) as session, session.begin():
        rollups.rebuild(session)  # the bulk load went around the store
    with engine.begin() as conn:
        conn.execute(
            text("CREATE TABLE IF NOT EXISTS bench_meta (key TEXT PRIMARY KEY, value TEXT)")
        )
        conn.execute(text("DELETE FROM bench_meta"))
        conn.execute(text("INSERT INTO bench_meta VALUES ('corpus', :k)"), {"k": spec.key()})
    if engine.dialect.name == "sqlite":
        _checkpoint(engine)
    return True


def _checkpoint(engine: Engine) -> None:
    """Copy the WAL into the file and sync it (synchronous=NORMAL): the new store is on
    disk before any figure is timed."""
    raw = engine.raw_connection()
    try:
        raw.cursor().execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        raw.close()


def _timestamp(pub_key: int) -> datetime:
    return from_pub_key(pub_key).replace(tzinfo=None)


def rows(batch: Iterable[Story], first_id: int) -> tuple[list[tuple[Any, ...]], ...]:
    """Article, ticker-link and topic-link rows for a batch of stories."""
    articles, tickers, topics = [], [], []
    for i, s in enumerate(batch):
        aid = first_id + i
        at = _timestamp(s.pub_key)
        score = s.impact if s.impact is not None else s.impact_model
        words = title_fingerprint(s.title)
        walk = entry(s.pub_key, aid, title_signature(words.split()))
        articles.append((
            aid, f"bench-{aid:010d}", f"https://bench.example/news/{aid}", None, s.title,
            s.summary, "", "", s.publisher, at, s.pub_key, False, at + timedelta(minutes=3),
            "en", s.impact, s.impact_model, score, s.sentiment, 1, True, False, words,
        ))  # fmt: skip
        tickers += [(aid, t, s.pub_key, at, 1.0, p, walk) for p, t in enumerate(s.tickers)]
        topics += [(aid, t, s.pub_key, at, 1.0, p, walk) for p, t in enumerate(s.topics)]
    return articles, tickers, topics


def _chunks(items: Iterator[Story], size: int) -> Iterator[list[Story]]:
    batch: list[Story] = []
    for item in items:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def insert_sql(table: str, columns: Iterable[str], dialect: str) -> str:
    cols = list(columns)
    marks = ", ".join("?" if dialect == "sqlite" else "%s" for _ in cols)
    return f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({marks})"  # noqa: S608


def link_columns(key: str, score: str) -> list[str]:
    return [c.format(key=key, score=score) for c in LINK_COLUMNS]


def _wipe(engine: Engine) -> None:
    """Remove every story (and the analyst state that points at stories)."""
    tables = inspect(engine).get_table_names()
    dependent = [
        t
        for t in tables
        if t not in STORY_TABLES
        and any(fk["referred_table"] == "articles" for fk in inspect(engine).get_foreign_keys(t))
    ]
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM facet_rollups"))
        if engine.dialect.name != "sqlite":
            conn.execute(text(f"TRUNCATE {', '.join([*STORY_TABLES, *dependent])} CASCADE"))
            return
        triggers = _drop_objects(conn, "trigger")
        for table in (*dependent, *STORY_TABLES):
            conn.execute(text(f"DELETE FROM {table}"))  # noqa: S608
        conn.execute(text("INSERT INTO articles_fts(articles_fts) VALUES ('delete-all')"))
        for ddl in triggers:
            conn.execute(text(ddl))


def _drop_objects(conn: Any, kind: str) -> list[str]:
    """Drop the explicit indexes or triggers on the story tables; returns their DDL."""
    found = conn.execute(
        text(
            "SELECT name, sql FROM sqlite_master WHERE type = :kind AND sql IS NOT NULL "  # noqa: S608
            f"AND tbl_name IN {STORY_TABLES!r}"
        ),
        {"kind": kind},
    ).all()
    for name, _ in found:
        conn.execute(text(f'DROP {kind.upper()} "{name}"'))
    return [ddl for _, ddl in found]


def _load_sqlite(engine: Engine, items: Iterator[Story], progress: Progress | None) -> None:
    """Bulk load without indexes or FTS triggers, then rebuild both in one pass each."""
    with engine.begin() as conn:
        indexes = _drop_objects(conn, "index")
        triggers = _drop_objects(conn, "trigger")
    raw = engine.raw_connection()
    try:
        cur = raw.cursor()
        cur.execute("PRAGMA synchronous=OFF")
        sql = (
            insert_sql("articles", ARTICLE_COLUMNS, "sqlite"),
            insert_sql("article_tickers", link_columns("symbol", "relevance"), "sqlite"),
            insert_sql("article_topics", link_columns("topic", "score"), "sqlite"),
        )
        first = 1
        for batch in _chunks(items, CHUNK):
            cur.execute("BEGIN")
            for statement, values in zip(sql, rows(batch, first), strict=True):
                cur.executemany(statement, [sqlite_values(v) for v in values])
            cur.execute("COMMIT")
            first += len(batch)
            if progress:
                progress(len(batch))
        cur.execute("BEGIN")
        for ddl in indexes:
            cur.execute(ddl)
        cur.execute("INSERT INTO articles_fts(articles_fts) VALUES ('rebuild')")
        # ... and merged into one segment, as `throughput.tidy` leaves it after each ingest
        # run: every figure then times the same index. The rebuild leaves several (14 at
        # 200,000 stories), and the first import after it paid for merging them: 3-10%
        # slower than the runs after it.
        cur.execute("INSERT INTO articles_fts(articles_fts) VALUES ('optimize')")
        for ddl in triggers:
            cur.execute(ddl)
        cur.execute("COMMIT")
        # Back to NORMAL, so ensure_store's checkpoint syncs the file: the load is then on
        # disk, and the first figure to commit does not pay for writing back 1.5 GB.
        cur.execute("PRAGMA synchronous=NORMAL")
    finally:
        raw.close()


def sqlite_values(row: tuple[Any, ...]) -> tuple[Any, ...]:
    return tuple(v.isoformat(" ", "microseconds") if isinstance(v, datetime) else v for v in row)


def _load_postgres(engine: Engine, items: Iterator[Story], progress: Progress | None) -> None:
    """COPY every table, then refresh the planner's statistics."""
    raw = engine.raw_connection()
    try:
        cur: Any = raw.cursor()
        specs = (
            ("articles", ARTICLE_COLUMNS),
            ("article_tickers", link_columns("symbol", "relevance")),
            ("article_topics", link_columns("topic", "score")),
        )
        first = 1
        for batch in _chunks(items, CHUNK):
            for (table, columns), values in zip(specs, rows(batch, first), strict=True):
                with cur.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                    for row in values:
                        copy.write_row(row)
            raw.commit()
            first += len(batch)
            if progress:
                progress(len(batch))
        cur.execute("SELECT setval(pg_get_serial_sequence('articles', 'id'), %s)", (first,))
        raw.commit()
    finally:
        raw.close()
    # VACUUM (not only ANALYZE): it sets the visibility map, so index-only scans of the
    # link tables skip the heap, as they do in a store autovacuum has visited.
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.exec_driver_sql("VACUUM (ANALYZE) articles, article_tickers, article_topics")
