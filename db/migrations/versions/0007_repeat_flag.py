"""remember which stories lost impact as repeats

Revision ID: 0007_repeat_flag
Revises: 0006_covering_link_indexes
Create Date: 2026-11-29

`articles.lowered_as_repeat`: set when a new story joins a cluster after its first
report and its model impact is lowered (no novelty). When the stories ahead of it are
deleted (the sample set) and it leads its cluster again, the impact is given back.
Stories lowered before this revision are not marked (nothing recorded it), so they keep
their lowered impact, as before.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007_repeat_flag"
down_revision: str | None = "0006_covering_link_indexes"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "articles",
        sa.Column("lowered_as_repeat", sa.Boolean(), nullable=False, server_default=sa.false()),
    )


def downgrade() -> None:
    # A plain DROP COLUMN (SQLite 3.35+): a batch copy of `articles` would lose its
    # full-text triggers.
    op.drop_column("articles", "lowered_as_repeat")
