"""`column IN (a list)` with the whole list as one bound value.

SQLAlchemy's expanding IN renders one placeholder per value on every execution; for the
hundreds or thousands of ids and keys a page or an import batch looks up, that rendering
cost more than the query. Here the statement compiles once: the list travels as a JSON
array read by `json_each` on SQLite and as an array (`= ANY(...)`) on PostgreSQL.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any, Literal

from sqlalchemy import ARRAY, BigInteger, ColumnElement, String, any_, bindparam, func, select
from sqlalchemy.orm import Session

Kind = Literal["int", "str"]


def in_list(column: Any, name: str, dialect: str, kind: Kind = "int") -> ColumnElement[bool]:
    """`column IN :name`, the list bound as one value (see `values`)."""
    if dialect == "sqlite":
        listed = func.json_each(bindparam(name, type_=String)).table_valued("value")
        return column.in_(select(listed.c.value))
    item = BigInteger if kind == "int" else String
    return column == any_(bindparam(name, type_=ARRAY(item)))


def in_sql(name: str, dialect: str) -> str:
    """`IN :name` for hand-written SQL text, the id list bound as one value (see `values`)."""
    if dialect == "sqlite":
        return f"IN (SELECT value FROM json_each(:{name}))"  # noqa: S608  (a parameter name)
    return f"= ANY(CAST(:{name} AS BIGINT[]))"


def values(session: Session, items: Sequence[Any], kind: Kind = "int") -> Any:
    """The bound value `in_list` expects on this session's database."""
    listed = [int(i) for i in items] if kind == "int" else [str(i) for i in items]
    return json.dumps(listed) if dialect_of(session) == "sqlite" else listed


def dialect_of(session: Session) -> str:
    return session.get_bind().dialect.name
