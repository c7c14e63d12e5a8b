"""the impact index carries the publisher

Revision ID: 0008_impact_index_publisher
Revises: 0007_repeat_flag
Create Date: 2026-11-29

`ix_articles_impact_score_pub_key` gains `publisher`: a source's stories by impact are
then found walking the impact index alone, testing each entry's publisher, instead of
reading every story of the source and sorting them. At 1,000,000 stories on SQLite, a
source of 16,000 stories by impact: 31-38 ms to under 1 ms; building the index took
1.4 s.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0008_impact_index_publisher"
down_revision: str | None = "0007_repeat_flag"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OLD, NEW = "ix_articles_impact_score_pub_key", "ix_articles_impact_score_pub_key_publisher"


def upgrade() -> None:
    op.create_index(NEW, "articles", ["impact_score", "pub_key", "publisher"])
    op.drop_index(OLD, table_name="articles")


def downgrade() -> None:
    op.create_index(OLD, "articles", ["impact_score", "pub_key"])
    op.drop_index(NEW, table_name="articles")
