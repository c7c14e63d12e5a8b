"""The store's engine for this process, and schema set-up."""

from __future__ import annotations

from functools import lru_cache

from sqlalchemy import Engine

from db.engine import make_engine
from db.migrate import current_revision, head_revision, upgrade
from terminal.config import database_url


@lru_cache(maxsize=8)
def get_engine(url: str | None = None) -> Engine:
    """One engine per database URL (`TERMINAL_DATABASE_URL` by default)."""
    return make_engine(url or database_url())


def migrate(engine: Engine) -> bool:
    """Bring the schema to head; True when anything changed."""
    if current_revision(engine) == head_revision():
        return False
    upgrade(engine)
    return True
