"""prices, fetched price ranges and reactions

Revision ID: 0002_prices
Revises: 0001_initial
Create Date: 2026-11-29

The price cache (bars by symbol, interval, ts; the ranges fetched per provider, empty
ones included) and the event study's reactions per (story, ticker, benchmark).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import db.types

revision: str = "0002_prices"
down_revision: str | None = "0001_initial"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "prices",
        sa.Column("symbol", sa.String(length=24), nullable=False),
        sa.Column("interval", sa.String(length=8), nullable=False),
        sa.Column("ts", db.types.UTCDateTime(), nullable=False),
        sa.Column("open", sa.Float(), nullable=True),
        sa.Column("high", sa.Float(), nullable=True),
        sa.Column("low", sa.Float(), nullable=True),
        sa.Column("close", sa.Float(), nullable=True),
        sa.Column("adj_close", sa.Float(), nullable=True),
        sa.Column("volume", sa.Float(), nullable=True),
        sa.Column("provider", sa.String(length=16), nullable=False),
        sa.PrimaryKeyConstraint("symbol", "interval", "ts", name=op.f("pk_prices")),
    )
    op.create_table(
        "price_ranges",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("symbol", sa.String(length=24), nullable=False),
        sa.Column("interval", sa.String(length=8), nullable=False),
        sa.Column("provider", sa.String(length=16), nullable=False),
        sa.Column("start", db.types.UTCDateTime(), nullable=False),
        sa.Column("end", db.types.UTCDateTime(), nullable=False),
        sa.Column("fetched_at", db.types.UTCDateTime(), nullable=False),
        sa.Column("rows", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_price_ranges")),
    )
    op.create_index(
        "ix_price_ranges_symbol_interval", "price_ranges", ["symbol", "interval"], unique=False
    )
    op.create_table(
        "reactions",
        sa.Column("article_id", sa.Integer(), nullable=False),
        sa.Column("symbol", sa.String(length=24), nullable=False),
        sa.Column("benchmark", sa.String(length=24), nullable=False),
        sa.Column("event_time", db.types.UTCDateTime(), nullable=False),
        sa.Column("session", sa.Date(), nullable=True),
        *[
            sa.Column(name, sa.Float(), nullable=True)
            for name in (
                "ret_0d", "ar_0d", "car_0_1d", "car_0_3d", "car_0_5d", "pre_5d",
                "beta", "alpha", "tstat_0d", "volume_ratio",
            )
        ],
        sa.Column("model", sa.String(length=20), nullable=False),
        sa.Column("provider", sa.String(length=40), nullable=False),
        sa.Column("realised_impact", sa.Float(), nullable=True),
        sa.Column("ret_15m", sa.Float(), nullable=True),
        sa.Column("ret_60m", sa.Float(), nullable=True),
        sa.Column("computed_at", db.types.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["article_id"], ["articles.id"],
            name=op.f("fk_reactions_article_id_articles"), ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("article_id", "symbol", "benchmark", name=op.f("pk_reactions")),
    )
    op.create_index(
        "ix_reactions_symbol_session", "reactions", ["symbol", "session"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_reactions_symbol_session", table_name="reactions")
    op.drop_table("reactions")
    op.drop_index("ix_price_ranges_symbol_interval", table_name="price_ranges")
    op.drop_table("price_ranges")
    op.drop_table("prices")
