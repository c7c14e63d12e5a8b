"""title signatures in the link indexes

Revision ID: 0010_title_signatures
Revises: 0009_story_moves
Create Date: 2026-11-29

`article_tickers.title_sig` and `article_topics.title_sig`: the story's title signature
(one bit per content word: CRC-32 modulo 63; 0012 made it the title's word hashes), last in the
(key, pub_key, article_id) indexes. Clustering's neighbour walk reads it with each
neighbour and reads a neighbour's row only when its title may share enough words with
the new one: at 1,000,000 stories an archive import read 173,000 story rows per 5,000
new stories to keep 2,867. Filled here from the stored title words; NULL (a story
without them) means "not known", and such a neighbour is always read.
"""

import zlib
from collections.abc import Iterable, Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010_title_signatures"
down_revision: str | None = "0009_story_moves"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BATCH = 50_000
LINKS = (
    ("article_tickers", "ix_article_tickers_symbol_pub_key", "symbol"),
    ("article_topics", "ix_article_topics_topic_pub_key", "topic"),
)


def title_signature(words: Iterable[str]) -> int:
    """The signature as this revision keeps it: one bit per content word."""
    mask = 0
    for word in words:
        mask |= 1 << (zlib.crc32(word.encode("utf-8")) % 63)
    return mask


def _backfill(conn: sa.Connection) -> None:
    """Each story's signature into a scratch table, BATCH stories at a time, then both link
    tables from it (their indexes are off meanwhile)."""
    conn.execute(sa.text("CREATE TEMPORARY TABLE title_sigs (id INTEGER PRIMARY KEY, sig BIGINT)"))
    select = sa.text(
        "SELECT id, title_words FROM articles WHERE id > :after AND title_words IS NOT NULL "
        "ORDER BY id LIMIT :n"
    )
    insert = sa.text("INSERT INTO title_sigs (id, sig) VALUES (:id, :sig)")
    after = 0
    while rows := conn.execute(select, {"after": after, "n": BATCH}).all():
        conn.execute(insert, [{"id": i, "sig": title_signature(w.split())} for i, w in rows])
        after = rows[-1][0]
    for table, _, _ in LINKS:
        conn.execute(
            sa.text(
                f"UPDATE {table} SET title_sig = "  # noqa: S608 (fixed table names)
                f"(SELECT sig FROM title_sigs WHERE title_sigs.id = {table}.article_id)"
            )
        )
    conn.execute(sa.text("DROP TABLE title_sigs"))


def upgrade() -> None:
    for table, name, _ in LINKS:
        op.drop_index(name, table_name=table)
        op.add_column(table, sa.Column("title_sig", sa.BigInteger(), nullable=True))
    _backfill(op.get_bind())
    for table, name, key in LINKS:
        op.create_index(name, table, [key, "pub_key", "article_id", "title_sig"], unique=False)


def downgrade() -> None:
    for table, name, key in LINKS:
        op.drop_index(name, table_name=table)
        op.execute(f"ALTER TABLE {table} DROP COLUMN title_sig")
        op.create_index(name, table, [key, "pub_key", "article_id"], unique=False)
