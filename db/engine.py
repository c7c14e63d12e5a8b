"""Engine set-up: WAL, foreign keys and a busy timeout on SQLite; psycopg 3 on PostgreSQL."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

BUSY_TIMEOUT_MS = 15_000
CACHE_KIB = 16_000
PARALLEL_SETUP_COST = 10_000  # PostgreSQL's default is 1,000


def normalise_url(url: str) -> str:
    """Use psycopg 3 for any PostgreSQL URL."""
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed.render_as_string(hide_password=False)


def is_sqlite(engine: Engine) -> bool:
    return engine.dialect.name == "sqlite"


def make_engine(url: str, **kwargs: Any) -> Engine:
    """An engine for `url`, with the pragmas and pool settings Catalyst relies on."""
    url = normalise_url(url)
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(
            url,
            connect_args={"timeout": BUSY_TIMEOUT_MS / 1000, "check_same_thread": False},
            **kwargs,
        )
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    kwargs.setdefault("pool_pre_ping", True)
    engine = create_engine(url, **kwargs)
    event.listen(engine, "connect", _postgres_settings)
    return engine


def _postgres_settings(dbapi_connection: Any, _record: Any) -> None:
    # Starting a parallel worker costs ~5-10 ms: more than a feed page's whole query
    # (a page walked in 3 ms took 13 ms "in parallel"). Parallel plans stay for scans
    # expensive enough to repay it (docs/performance.md).
    # Memoize caches an inner lookup by its key; the feed's walks (link rows -> their story)
    # never repeat a story, so it only added bookkeeping: a topic page with a minimum
    # impact took 4.2 ms with it and 3.7 ms without.
    # psycopg prepares a statement run five times; PostgreSQL then switches it to a generic
    # plan, blind to the values bound: the windowed facet counts went from 55 ms to 470 ms
    # on the tenth run. Catalyst's statements are cheap to plan; plan each with its values.
    # JIT compiles a plan whose estimated cost passes 100,000: the windowed facets (a
    # bounded 10,000-story walk the planner overestimates) then spent 10 ms of 40 compiling.
    with dbapi_connection.cursor() as cursor:
        cursor.execute(f"SET parallel_setup_cost = {PARALLEL_SETUP_COST}")
        if dbapi_connection.info.server_version >= 110_000:
            cursor.execute("SET jit = off")
        if dbapi_connection.info.server_version >= 120_000:
            cursor.execute("SET plan_cache_mode = force_custom_plan")
        if dbapi_connection.info.server_version >= 140_000:  # memoize came in PostgreSQL 14
            cursor.execute("SET enable_memoize = off")
    dbapi_connection.commit()


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # Let SQLAlchemy, not the driver, decide when transactions begin (see _sqlite_begin).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA synchronous=NORMAL")
    # A bounded page cache (16 MB per connection) and temporary b-trees on disk, so the
    # app's memory does not grow with the store (docs/performance.md).
    cursor.execute(f"PRAGMA cache_size=-{CACHE_KIB}")
    cursor.execute("PRAGMA temp_store=FILE")
    cursor.close()


def _sqlite_begin(conn: Any) -> None:
    # Writers take the write lock up front (BEGIN IMMEDIATE), so a busy database makes
    # them wait out the busy timeout instead of failing on a stale read snapshot.
    mode = conn.get_execution_options().get("sqlite_begin", "DEFERRED")
    conn.exec_driver_sql(f"BEGIN {'IMMEDIATE' if mode == 'IMMEDIATE' else 'DEFERRED'}")


SIDE_CACHE_KIB = 2000


@lru_cache(maxsize=32)
def side_engine(engine: Engine) -> Engine | None:
    """An engine for reads run beside the caller's (facet counts side by side): on SQLite
    its own pool on the same file, whose connections keep a small page cache (2 MB, not
    16), so the app's memory stays where one connection keeps it; on PostgreSQL the engine
    itself (the server caches). None for an in-memory SQLite database (not shareable)."""
    if not is_sqlite(engine):
        return engine
    database = engine.url.database
    if not database or database == ":memory:" or "mode=memory" in str(engine.url):
        return None
    side = make_engine(engine.url.render_as_string(hide_password=False))
    event.listen(side, "connect", _small_cache)
    return side


def _small_cache(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute(f"PRAGMA cache_size=-{SIDE_CACHE_KIB}")
    cursor.close()


def read_session(engine: Engine) -> Session:
    """A session for reading only. On PostgreSQL its statements run in autocommit: a page's
    two statements then cost no BEGIN and ROLLBACK round trips (each still reads one
    consistent snapshot). SQLite reads as before."""
    if is_sqlite(engine):
        return Session(engine, expire_on_commit=False)
    return Session(_autocommit(engine), expire_on_commit=False)


@lru_cache(maxsize=32)
def _autocommit(engine: Engine) -> Engine:
    return engine.execution_options(isolation_level="AUTOCOMMIT")


def write_session(engine: Engine) -> Session:
    """A session whose transaction takes SQLite's write lock at once. On PostgreSQL its
    transactions let the server reuse generic plans again (`plan_cache_mode = auto`): an
    import repeats the same statements with like values, and planning each cost it 17%."""
    if is_sqlite(engine):
        return Session(engine.execution_options(sqlite_begin="IMMEDIATE"), expire_on_commit=False)
    session = Session(engine, expire_on_commit=False)
    event.listen(session, "after_begin", _generic_plans)
    return session


def _generic_plans(_session: Session, _transaction: Any, connection: Any) -> None:
    connection.exec_driver_sql("SET LOCAL plan_cache_mode = auto")
