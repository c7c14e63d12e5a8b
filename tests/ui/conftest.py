"""A sample store copied per test, behind TERMINAL_DATABASE_URL, and fresh Streamlit caches."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
import streamlit as st
from sqlalchemy import Engine

from db.engine import make_engine
from terminal.database import get_engine, migrate
from terminal.prices import refresh
from terminal.sample import load_sample
from terminal.ui import cache

APP = str(Path(__file__).resolve().parents[2] / "app.py")


@pytest.fixture(scope="session")
def sample_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample set loaded once into a SQLite file the tests copy."""
    path = tmp_path_factory.mktemp("sample") / "sample.db"
    engine = make_engine(f"sqlite:///{path}")
    migrate(engine)
    load_sample(engine)
    engine.dispose()
    return path


@pytest.fixture(autouse=True)
def _fresh_caches(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Empty query caches, and Yahoo unreachable (as it is here) unless a test says otherwise."""
    monkeypatch.setattr(refresh, "yahoo_probe", lambda: False)
    st.cache_data.clear()
    cache.yahoo_reachable.clear()
    yield
    st.cache_data.clear()
    cache.yahoo_reachable.clear()


@pytest.fixture
def store(tmp_path: Path, sample_template: Path, monkeypatch: pytest.MonkeyPatch) -> Engine:
    """The default store (TERMINAL_DATABASE_URL) holding the sample set."""
    path = tmp_path / "store.db"
    shutil.copy(sample_template, path)
    monkeypatch.setenv("TERMINAL_DATABASE_URL", f"sqlite:///{path}")
    get_engine.cache_clear()
    return get_engine()


@pytest.fixture
def empty_store() -> Engine:
    """The default store, migrated and empty."""
    engine = get_engine()
    migrate(engine)
    return engine
