"""title signatures as word hashes, in two columns

Revision ID: 0012_title_word_hashes
Revises: 0011_rollup_pairs_once
Create Date: 2026-11-30

A link's title signature was one 63-bit mask (a bit per content word, 0010); it let
through 28% of an archive import's neighbours, to have their rows read, where 1.6% share
enough words to compare. It is now the title's word hashes (terminal/enrich/clusters.py:
title_signature): the smallest twelve 10-bit hashes of its content words and its word
count, in `title_sig` and the new `title_sig2`, both last in the (key, pub_key,
article_id) indexes; 2.5% get through. Both are filled here from the stored title words;
NULL (a story without them) means "not known", and such a neighbour is always read.
"""

import zlib
from collections.abc import Callable, Iterable, Sequence

import sqlalchemy as sa
from alembic import op

from terminal.enrich.clusters import title_signature

revision: str = "0012_title_word_hashes"
down_revision: str | None = "0011_rollup_pairs_once"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BATCH = 50_000
LINKS = (
    ("article_tickers", "ix_article_tickers_symbol_pub_key", "symbol"),
    ("article_topics", "ix_article_topics_topic_pub_key", "topic"),
)
Signature = Callable[[list[str]], tuple[int | None, int | None]]


def mask_signature(words: Iterable[str]) -> int:
    """0010's signature, for a downgrade: one bit per content word (CRC-32 modulo 63)."""
    mask = 0
    for word in words:
        mask |= 1 << (zlib.crc32(word.encode("utf-8")) % 63)
    return mask


def _backfill(conn: sa.Connection, signature: Signature) -> None:
    """Every story's signature into a scratch table, BATCH stories at a time, then both
    link tables from it (their indexes are off meanwhile)."""
    conn.execute(
        sa.text("CREATE TEMPORARY TABLE title_sigs (id INTEGER PRIMARY KEY, a BIGINT, b BIGINT)")
    )
    select = sa.text("SELECT id, title_words FROM articles WHERE id > :after ORDER BY id LIMIT :n")
    insert = sa.text("INSERT INTO title_sigs (id, a, b) VALUES (:id, :a, :b)")
    after = 0
    while rows := conn.execute(select, {"after": after, "n": BATCH}).all():
        values = []
        for i, words in rows:
            a, b = signature(words.split()) if words is not None else (None, None)
            values.append({"id": i, "a": a, "b": b})
        conn.execute(insert, values)
        after = rows[-1][0]
    for table, _, _ in LINKS:
        conn.execute(
            sa.text(
                f"UPDATE {table} SET title_sig = s.a, title_sig2 = s.b "  # noqa: S608
                f"FROM title_sigs s WHERE s.id = {table}.article_id"
            )
        )
    conn.execute(sa.text("DROP TABLE title_sigs"))


def _hashes(words: list[str]) -> tuple[int | None, int | None]:
    return title_signature(words) or (None, None)


def _mask(words: list[str]) -> tuple[int | None, int | None]:
    return mask_signature(words), None


def upgrade() -> None:
    for table, name, _ in LINKS:
        op.drop_index(name, table_name=table)
        op.add_column(table, sa.Column("title_sig2", sa.BigInteger(), nullable=True))
    _backfill(op.get_bind(), _hashes)
    for table, name, key in LINKS:
        op.create_index(
            name, table, [key, "pub_key", "article_id", "title_sig", "title_sig2"], unique=False
        )


def downgrade() -> None:
    for table, name, _ in LINKS:
        op.drop_index(name, table_name=table)
    _backfill(op.get_bind(), _mask)
    for table, name, key in LINKS:
        op.execute(f"ALTER TABLE {table} DROP COLUMN title_sig2")
        op.create_index(name, table, [key, "pub_key", "article_id", "title_sig"], unique=False)
