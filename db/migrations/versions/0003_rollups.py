"""facet roll-ups

Revision ID: 0003_rollups
Revises: 0002_prices
Create Date: 2026-11-29

Exact story counts per ticker, topic and publisher, overall and per one other value,
split by cluster lead and sample (terminal/rollups.py keeps them); backfilled here.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003_rollups"
down_revision: str | None = "0002_prices"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Frozen copy of the backfill (terminal/rollups.py may change after this revision).
SOURCES = {
    "t": ("article_tickers", "symbol"),
    "p": ("article_topics", "topic"),
    "s": ("articles", "publisher"),
}
PAIRS = (
    [("", "")] + [("", d) for d in SOURCES] + [(b, d) for b in SOURCES for d in SOURCES if b != d]
)


def _value(dim: str, alias: str) -> tuple[str, str]:
    if not dim:
        return "", "''"
    table, column = SOURCES[dim]
    if table == "articles":
        return "", f"a.{column}"
    return f" JOIN {table} {alias} ON {alias}.article_id = a.id", f"{alias}.{column}"


def _backfill(by: str, dim: str) -> str:
    by_join, by_value = _value(by, "b")
    dim_join, value = _value(dim, "d")
    groups = [e for e in (by_value, value) if e != "''"] + ["a.is_cluster_lead", "a.is_sample"]
    return (
        "INSERT INTO facet_rollups (by_dim, by_value, dim, value, lead, sample, n) "  # noqa: S608
        f"SELECT '{by}', {by_value}, '{dim}', {value}, a.is_cluster_lead, a.is_sample, count(*) "
        f"FROM articles a{by_join}{dim_join} WHERE 1 = 1 GROUP BY {', '.join(groups)}"
    )


def upgrade() -> None:
    op.create_table(
        "facet_rollups",
        sa.Column("by_dim", sa.String(length=1), nullable=False),
        sa.Column("by_value", sa.String(length=200), nullable=False),
        sa.Column("dim", sa.String(length=1), nullable=False),
        sa.Column("value", sa.String(length=200), nullable=False),
        sa.Column("lead", sa.Boolean(), nullable=False),
        sa.Column("sample", sa.Boolean(), nullable=False),
        sa.Column("n", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint(
            "by_dim", "by_value", "dim", "value", "lead", "sample", name=op.f("pk_facet_rollups")
        ),
        sqlite_with_rowid=False,
    )
    for by, dim in PAIRS:
        op.execute(_backfill(by, dim))


def downgrade() -> None:
    op.drop_table("facet_rollups")
