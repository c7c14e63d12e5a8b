"""each story's realised move, stored and indexed

Revision ID: 0009_story_moves
Revises: 0008_impact_index_publisher
Create Date: 2026-11-29

`story_moves` holds, per story and benchmark, the largest |day-0 abnormal return| among
its reactions, with the story's time key, indexed (benchmark, move, pub_key). Sorting
the feed by realised move walks that index instead of ranking the whole reaction table
on every page (0.65 s at 1,000,000 stories with 200,000 reactions). Filled here from
the reactions already stored; kept by terminal/reactions/moves.py from then on.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009_story_moves"
down_revision: str | None = "0008_impact_index_publisher"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INDEX = "ix_story_moves_benchmark_move_pub_key"


def upgrade() -> None:
    op.create_table(
        "story_moves",
        sa.Column("article_id", sa.Integer(), nullable=False),
        sa.Column("benchmark", sa.String(length=24), nullable=False),
        sa.Column("move", sa.Float(), nullable=False),
        sa.Column("pub_key", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["article_id"], ["articles.id"], name="fk_story_moves_article_id_articles",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("article_id", "benchmark", name="pk_story_moves"),
    )  # fmt: skip
    op.execute(
        "INSERT INTO story_moves (article_id, benchmark, move, pub_key) "
        "SELECT r.article_id, r.benchmark, max(abs(r.ar_0d)), a.pub_key "
        "FROM reactions r JOIN articles a ON a.id = r.article_id "
        "WHERE r.ar_0d IS NOT NULL GROUP BY r.article_id, r.benchmark, a.pub_key"
    )
    op.create_index(INDEX, "story_moves", ["benchmark", "move", "pub_key"])


def downgrade() -> None:
    op.drop_index(INDEX, table_name="story_moves")
    op.drop_table("story_moves")
