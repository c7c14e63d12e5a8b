"""stored title words for clustering

Revision ID: 0004_title_words
Revises: 0003_rollups
Create Date: 2026-11-29

`articles.title_words`: the title's sorted content words (the cluster fingerprint), so
clustering compares stored words instead of re-tokenising every candidate's title.
Backfilled here in batches; NULL stays a valid value (clustering computes it then).

SQLite: the store now writes a new story's full-text row itself, one executemany per
batch (the per-row insert trigger cost twice as much), so `articles_fts_ai` goes; the
update and delete triggers stay. FTS5 merges segments eight at a time instead of four
(`automerge`), which halves the merge work an insert pays for.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from terminal.enrich.clusters import title_fingerprint

revision: str = "0004_title_words"
down_revision: str | None = "0003_rollups"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BATCH = 5_000
INSERT_TRIGGER = """CREATE TRIGGER articles_fts_ai AFTER INSERT ON articles BEGIN
        INSERT INTO articles_fts(rowid, title, summary, body, analysis, publisher)
        VALUES (new.pub_key, new.title, new.summary, new.body, new.analysis, new.publisher);
    END"""


def _backfill(conn: sa.Connection) -> None:
    """Fill title_words for every story, BATCH rows at a time in id order."""
    select = sa.text(
        "SELECT id, title FROM articles WHERE id > :after AND title_words IS NULL "
        "ORDER BY id LIMIT :n"
    )
    update = sa.text("UPDATE articles SET title_words = :words WHERE id = :id")
    after = 0
    while rows := conn.execute(select, {"after": after, "n": BATCH}).all():
        conn.execute(update, [{"id": i, "words": title_fingerprint(t or "")} for i, t in rows])
        after = rows[-1][0]


def _automerge(segments: int) -> None:
    sql = "INSERT INTO articles_fts(articles_fts, rank) VALUES ('automerge', %d)"
    op.execute(sql % int(segments))


def upgrade() -> None:
    op.add_column("articles", sa.Column("title_words", sa.Text(), nullable=True))
    _backfill(op.get_bind())
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TRIGGER IF EXISTS articles_fts_ai")
        _automerge(8)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        _automerge(4)
        op.execute(INSERT_TRIGGER)
    op.execute("ALTER TABLE articles DROP COLUMN title_words")
