"""facet roll-up pairs kept one way round

Revision ID: 0011_rollup_pairs_once
Revises: 0010_title_signatures
Create Date: 2026-11-29

`facet_rollups` kept each pair of values of two dims twice: (t, X, p, Y) and (p, Y, t, X)
hold the same count (the stories carrying both). Each is now kept once, in the
orientation of terminal/rollups.py's STORED ((p, t), (s, t), (p, s)); the other way
round is read through a (dim, value, by_dim, by_value) index (in by_value order, as the
counts group), one row lookup per value found: a ticker's topics or sources (a few
dozen), never a topic's thousands of tickers. An import upserted ~33,000 roll-up rows
per 5,000 stories at 1M, as much writing as the stories' own rows; half of them go.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0011_rollup_pairs_once"
down_revision: str | None = "0010_title_signatures"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

STORED = (("p", "t"), ("s", "t"), ("p", "s"))
COLUMNS = "by_dim, by_value, dim, value, lead, sample, n"


def _pairs(pairs: Sequence[tuple[str, str]]) -> str:
    return " OR ".join(f"(by_dim = '{b}' AND dim = '{d}')" for b, d in pairs)


def upgrade() -> None:
    reverse = [(d, b) for b, d in STORED]
    op.execute(f"DELETE FROM facet_rollups WHERE {_pairs(reverse)}")  # noqa: S608
    op.create_index(
        "ix_facet_rollups_reverse", "facet_rollups", ["dim", "value", "by_dim", "by_value"]
    )


def downgrade() -> None:
    op.drop_index("ix_facet_rollups_reverse", table_name="facet_rollups")
    op.execute(
        f"INSERT INTO facet_rollups ({COLUMNS}) "  # noqa: S608
        f"SELECT dim, value, by_dim, by_value, lead, sample, n FROM facet_rollups "
        f"WHERE {_pairs(STORED)}"
    )
