"""Column types shared by the models."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import DateTime
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator


class UTCDateTime(TypeDecorator[datetime]):
    """An aware UTC datetime in Python, a naive UTC timestamp in the database.

    Both backends then store and compare the same values, and SQLite's text form sorts
    chronologically.
    """

    impl = DateTime(timezone=False)
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if not isinstance(value, datetime):
            raise TypeError(f"expected datetime, got {type(value).__name__}")
        if value.tzinfo is None:
            return value
        return value.astimezone(UTC).replace(tzinfo=None)

    @staticmethod
    def sqlite_text(value: datetime) -> str:
        """What binding `value` stores on SQLite (process_bind_param, then SQLite's
        DATETIME text), in one step for bulk inserts; naive values are taken as UTC."""
        if value.tzinfo is not None and value.tzinfo is not UTC:
            value = value.astimezone(UTC)
        return value.isoformat(" ", "microseconds")[:26]

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        return None if value is None else self.stored_as_utc(value)

    @staticmethod
    def stored_as_utc(value: str | datetime) -> datetime:
        """A stored time (SQLite's text, PostgreSQL's naive timestamp) as an aware UTC one."""
        if isinstance(value, str):
            value = datetime.fromisoformat(value)
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
