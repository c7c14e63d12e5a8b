"""Fixtures: real databases (a SQLite file, a PostgreSQL schema), never mocks."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session

from db.engine import make_engine
from db.migrate import upgrade
from db.models import Base

POSTGRES_URL = os.environ.get(
    "TERMINAL_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
ROOT = Path(__file__).resolve().parent.parent
FIRST_ARTICLE = ROOT / "data" / "sample" / "first-article.txt"
# The first article's topic line, as taxonomy slugs, in its order.
FIRST_ARTICLE_TOPICS = [
    "artificial-intelligence",
    "technology-innovation",
    "sanctions-export-controls",
    "company-fundamentals",
    "product-launches",
    "geopolitics-war",
]


def postgres_available() -> str | None:
    """None when the test server answers, else why not."""
    try:
        engine = make_engine(POSTGRES_URL, connect_args={"connect_timeout": 3})
        with engine.connect() as conn:
            conn.execute(text("select 1"))
        engine.dispose()
        return None
    except Exception as exc:
        return str(exc).splitlines()[0]


def require_postgres() -> None:
    """Skip without PostgreSQL, except in CI, where its absence is a failure."""
    reason = postgres_available()
    if reason is None:
        return
    if os.environ.get("CI") == "true":
        pytest.fail(f"PostgreSQL is required in CI but unreachable at {POSTGRES_URL}: {reason}")
    pytest.skip(f"PostgreSQL unreachable: {reason}")


def sqlite_engine(path: Path) -> Engine:
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    return engine


@pytest.fixture
def sqlite_db(tmp_path: Path) -> Iterator[Engine]:
    """A migrated SQLite file of its own."""
    engine = sqlite_engine(tmp_path / "terminal.db")
    yield engine
    engine.dispose()


@pytest.fixture(scope="module")
def _pg_schema() -> Iterator[Engine]:
    require_postgres()
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = make_engine(POSTGRES_URL)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    engine = make_engine(POSTGRES_URL, connect_args={"options": f"-csearch_path={schema}"})
    upgrade(engine)
    yield engine
    engine.dispose()
    with admin.begin() as conn:
        conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


@pytest.fixture
def postgres_db(_pg_schema: Engine) -> Iterator[Engine]:
    """A migrated PostgreSQL schema of this module's, emptied before each test."""
    tables = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
    with _pg_schema.begin() as conn:
        conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    yield _pg_schema


@pytest.fixture(params=["sqlite", "postgres"])
def engine(request: pytest.FixtureRequest) -> Engine:
    """The same test on both backends."""
    if request.param == "postgres":
        request.applymarker(pytest.mark.postgres)
        return request.getfixturevalue("postgres_db")
    return request.getfixturevalue("sqlite_db")


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    with Session(engine, expire_on_commit=False) as s:
        yield s


@pytest.fixture(autouse=True)
def _no_default_database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Code that falls back to the default store writes to a temporary file, never data/."""
    monkeypatch.setenv("TERMINAL_DATABASE_URL", f"sqlite:///{tmp_path / 'default.db'}")
    from terminal.database import get_engine

    get_engine.cache_clear()
