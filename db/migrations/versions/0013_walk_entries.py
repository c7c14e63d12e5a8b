"""links' walk entries: time key, id and title signature packed in one column

Revision ID: 0013_walk_entries
Revises: 0012_title_word_hashes
Create Date: 2026-11-30

Clustering's walk (terminal/neighbour_walk.py) reads each neighbour's time key, id and
title signature from the (key, pub_key, article_id, title_sig, title_sig2) link indexes;
on SQLite it hands them back as decimal text, and turning four integers a neighbour into
text and back was most of the walk's cost. They are now one column, `walk_entry`: the
four as big-endian 64-bit integers (terminal/nearest.py: entry), which the walk hands
back as hex and Python reads at once; the signature's two columns go (a signature not
known, NULL, is -1 in the entry). Filled here from the columns it replaces.
"""

import struct
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013_walk_entries"
down_revision: str | None = "0012_title_word_hashes"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

LINKS = (
    ("article_tickers", "ix_article_tickers_symbol_pub_key", "symbol"),
    ("article_topics", "ix_article_topics_topic_pub_key", "topic"),
)
ENTRY = struct.Struct(">qqqq")  # terminal/nearest.py's, as of this revision
UNKNOWN = -1


def _pack(pub_key: int, article_id: int, first: int | None, second: int | None) -> bytes:
    return ENTRY.pack(
        pub_key,
        article_id,
        UNKNOWN if first is None else first,
        UNKNOWN if second is None else second,
    )


def _part(entry: bytes | None, index: int) -> int | None:
    if entry is None:
        return None
    value = ENTRY.unpack(entry)[index]
    return None if value == UNKNOWN else value


def _sqlite_functions(conn: sa.Connection) -> None:
    raw = conn.connection.driver_connection
    raw.create_function("pack_walk_entry", 4, _pack, deterministic=True)  # type: ignore[union-attr]
    raw.create_function("walk_entry_part", 2, _part, deterministic=True)  # type: ignore[union-attr]


def upgrade() -> None:
    conn = op.get_bind()
    sqlite = conn.dialect.name == "sqlite"
    if sqlite:
        _sqlite_functions(conn)
        packed = "pack_walk_entry(pub_key, article_id, title_sig, title_sig2)"
    else:
        packed = (
            "int8send(pub_key) || int8send(article_id::bigint) || "
            f"int8send(coalesce(title_sig, {UNKNOWN})) || int8send(coalesce(title_sig2, {UNKNOWN}))"
        )
    for table, name, key in LINKS:
        op.drop_index(name, table_name=table)
        op.add_column(table, sa.Column("walk_entry", sa.LargeBinary(), nullable=True))
        op.execute(f"UPDATE {table} SET walk_entry = {packed}")  # noqa: S608
        op.execute(f"ALTER TABLE {table} DROP COLUMN title_sig2")
        op.execute(f"ALTER TABLE {table} DROP COLUMN title_sig")
        op.create_index(name, table, [key, "pub_key", "article_id", "walk_entry"], unique=False)


def downgrade() -> None:
    conn = op.get_bind()
    sqlite = conn.dialect.name == "sqlite"
    if sqlite:
        _sqlite_functions(conn)
        parts = ("walk_entry_part(walk_entry, 2)", "walk_entry_part(walk_entry, 3)")
    else:
        first, second = (
            f"nullif(('x' || encode(substring(walk_entry from {start} for 8), 'hex'))"
            f"::bit(64)::bigint, {UNKNOWN})"
            for start in (17, 25)
        )
        parts = (first, second)
    for table, name, key in LINKS:
        op.drop_index(name, table_name=table)
        op.add_column(table, sa.Column("title_sig", sa.BigInteger(), nullable=True))
        op.add_column(table, sa.Column("title_sig2", sa.BigInteger(), nullable=True))
        op.execute(
            f"UPDATE {table} SET title_sig = {parts[0]}, title_sig2 = {parts[1]}"  # noqa: S608
        )
        op.execute(f"ALTER TABLE {table} DROP COLUMN walk_entry")
        op.create_index(
            name, table, [key, "pub_key", "article_id", "title_sig", "title_sig2"], unique=False
        )
