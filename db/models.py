"""The article store's tables as typed SQLAlchemy models.

Migrations in `db/migrations/` create these tables; the app never calls `create_all`.
`pub_key` is the publication time in microseconds since the epoch, made unique: it
orders everything newest-first, it is the keyset cursor, and it is the full-text
index's rowid on SQLite, so a text search walks matches in time order.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    false,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from db.types import UTCDateTime

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class Source(Base):
    """An origin of stories: a feed, a Yahoo ticker list, or imported files."""

    __tablename__ = "sources"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[str] = mapped_column(String(20))  # rss, yahoo, file
    url: Mapped[str | None] = mapped_column(Text, unique=True)
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    etag: Mapped[str | None] = mapped_column(Text)
    last_modified: Mapped[str | None] = mapped_column(Text)
    last_run_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_status: Mapped[str | None] = mapped_column(String(20))
    last_error: Mapped[str | None] = mapped_column(Text)
    articles_added: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Article(Base):
    """One story."""

    __tablename__ = "articles"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    dedupe_key: Mapped[str] = mapped_column(String(64), unique=True)
    url: Mapped[str | None] = mapped_column(Text)
    guid: Mapped[str | None] = mapped_column(Text)
    title: Mapped[str] = mapped_column(Text)
    summary: Mapped[str] = mapped_column(Text, default="")
    body: Mapped[str] = mapped_column(Text, default="")
    analysis: Mapped[str] = mapped_column(Text, default="")
    publisher: Mapped[str] = mapped_column(String(200), default="")
    source_id: Mapped[int | None] = mapped_column(ForeignKey("sources.id", ondelete="SET NULL"))
    published_at: Mapped[datetime] = mapped_column(UTCDateTime)
    pub_key: Mapped[int] = mapped_column(BigInteger, unique=True)
    published_estimated: Mapped[bool] = mapped_column(Boolean, default=False)
    ingested_at: Mapped[datetime] = mapped_column(UTCDateTime)
    language: Mapped[str | None] = mapped_column(String(16))
    impact: Mapped[float | None] = mapped_column(Float)
    impact_model: Mapped[float | None] = mapped_column(Float)
    impact_score: Mapped[float] = mapped_column(Float, default=0.0)
    sentiment: Mapped[float | None] = mapped_column(Float)
    cluster_id: Mapped[int | None] = mapped_column(Integer)
    cluster_size: Mapped[int] = mapped_column(Integer, default=1)
    is_cluster_lead: Mapped[bool] = mapped_column(Boolean, default=True)
    is_sample: Mapped[bool] = mapped_column(Boolean, default=False)
    # Its impact_model was lowered when it joined a cluster as a repeat (0007_repeat_flag);
    # given back if it leads again after the stories ahead of it are deleted.
    lowered_as_repeat: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    extra: Mapped[dict[str, object] | None] = mapped_column(JSON)
    # The title's sorted content words (terminal.enrich.clusters.title_fingerprint), kept
    # so clustering never re-tokenises stored titles; NULL when not computed.
    title_words: Mapped[str | None] = mapped_column(Text)

    __table_args__ = (
        Index("ix_articles_publisher_pub_key", "publisher", "pub_key"),
        # Carries the publisher: a source's stories by impact are found walking it alone
        # (0008_impact_index_publisher).
        Index("ix_articles_impact_score_pub_key_publisher", "impact_score", "pub_key", "publisher"),
        Index("ix_articles_cluster_id", "cluster_id"),
        Index("ix_articles_source_id", "source_id"),
        Index("ix_articles_is_sample_pub_key", "is_sample", "pub_key"),
    )


class ArticleTicker(Base):
    """A story's ticker, with a copy of the story's time key for per-ticker range scans."""

    __tablename__ = "article_tickers"

    article_id: Mapped[int] = mapped_column(
        ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True
    )
    symbol: Mapped[str] = mapped_column(String(24), primary_key=True)
    pub_key: Mapped[int] = mapped_column(BigInteger)
    published_at: Mapped[datetime] = mapped_column(UTCDateTime)
    relevance: Mapped[float] = mapped_column(Float, default=1.0)
    position: Mapped[int] = mapped_column(Integer, default=0)
    # The link's entry in clustering's neighbour walk: the story's time key, id and title
    # signature (terminal/enrich/clusters.py: title_signature), packed as 32 bytes
    # (terminal/nearest.py: entry). Clustering reads it from the index with the neighbour
    # it walks to (0013; the signature had two integer columns since 0010 and 0012).
    walk_entry: Mapped[bytes | None] = mapped_column(LargeBinary)

    # article_id (0006) and the walk entry (0013) last: a walk reads them from the index.
    __table_args__ = (
        Index("ix_article_tickers_symbol_pub_key", "symbol", "pub_key", "article_id", "walk_entry"),
    )


class ArticleTopic(Base):
    """A story's topic (a taxonomy slug), with a copy of the story's time key."""

    __tablename__ = "article_topics"

    article_id: Mapped[int] = mapped_column(
        ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True
    )
    topic: Mapped[str] = mapped_column(String(64), primary_key=True)
    pub_key: Mapped[int] = mapped_column(BigInteger)
    published_at: Mapped[datetime] = mapped_column(UTCDateTime)
    score: Mapped[float] = mapped_column(Float, default=1.0)
    position: Mapped[int] = mapped_column(Integer, default=0)
    walk_entry: Mapped[bytes | None] = mapped_column(LargeBinary)  # as ArticleTicker's

    __table_args__ = (
        Index("ix_article_topics_topic_pub_key", "topic", "pub_key", "article_id", "walk_entry"),
    )


class IngestRun(Base):
    """What one run read from one source: fetched, inserted, duplicates, rejected and why."""

    __tablename__ = "ingest_runs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    source_id: Mapped[int | None] = mapped_column(ForeignKey("sources.id", ondelete="SET NULL"))
    source_label: Mapped[str] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(String(20))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(String(20))  # ok, partial, failed, not-modified
    fetched: Mapped[int] = mapped_column(Integer, default=0)
    inserted: Mapped[int] = mapped_column(Integer, default=0)
    duplicates: Mapped[int] = mapped_column(Integer, default=0)
    rejected: Mapped[int] = mapped_column(Integer, default=0)
    message: Mapped[str | None] = mapped_column(Text)
    details: Mapped[list[dict[str, str]] | None] = mapped_column(JSON)

    __table_args__ = (Index("ix_ingest_runs_started_at", "started_at"),)


class SavedView(Base):
    """A named feed filter, kept as the feed URL's query string."""

    __tablename__ = "saved_views"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    query: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class ReadMark(Base):
    """A story the analyst has opened."""

    __tablename__ = "read_marks"

    article_id: Mapped[int] = mapped_column(
        ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True
    )
    read_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Bookmark(Base):
    """A story the analyst has kept."""

    __tablename__ = "bookmarks"

    article_id: Mapped[int] = mapped_column(
        ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Note(Base):
    """The analyst's note on a story."""

    __tablename__ = "notes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)

    __table_args__ = (Index("ix_notes_article_id", "article_id"),)


class WatchItem(Base):
    """A ticker on the analyst's watchlist."""

    __tablename__ = "watchlist"

    symbol: Mapped[str] = mapped_column(String(24), primary_key=True)
    added_at: Mapped[datetime] = mapped_column(UTCDateTime)


# --- Prices and reactions (issue 4) ---------------------------------------------------


class PriceBar(Base):
    """One bar: daily bars are stamped with their session date at 00:00 UTC."""

    __tablename__ = "prices"

    symbol: Mapped[str] = mapped_column(String(24), primary_key=True)
    interval: Mapped[str] = mapped_column(String(8), primary_key=True)
    ts: Mapped[datetime] = mapped_column(UTCDateTime, primary_key=True)
    open: Mapped[float | None] = mapped_column(Float)
    high: Mapped[float | None] = mapped_column(Float)
    low: Mapped[float | None] = mapped_column(Float)
    close: Mapped[float | None] = mapped_column(Float)
    adj_close: Mapped[float | None] = mapped_column(Float)
    volume: Mapped[float | None] = mapped_column(Float)
    provider: Mapped[str] = mapped_column(String(16))


class PriceRange(Base):
    """A range [start, end) already fetched from a provider; rows = 0 when it came back empty."""

    __tablename__ = "price_ranges"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    symbol: Mapped[str] = mapped_column(String(24))
    interval: Mapped[str] = mapped_column(String(8))
    provider: Mapped[str] = mapped_column(String(16))
    start: Mapped[datetime] = mapped_column(UTCDateTime)
    end: Mapped[datetime] = mapped_column(UTCDateTime)
    fetched_at: Mapped[datetime] = mapped_column(UTCDateTime)
    rows: Mapped[int] = mapped_column(Integer, default=0)

    __table_args__ = (Index("ix_price_ranges_symbol_interval", "symbol", "interval"),)


class Reaction(Base):
    """The event study's result for one (story, ticker, benchmark); returns are fractions."""

    __tablename__ = "reactions"

    article_id: Mapped[int] = mapped_column(
        ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True
    )
    symbol: Mapped[str] = mapped_column(String(24), primary_key=True)
    benchmark: Mapped[str] = mapped_column(String(24), primary_key=True)
    event_time: Mapped[datetime] = mapped_column(UTCDateTime)
    session: Mapped[date | None] = mapped_column(Date)
    ret_0d: Mapped[float | None] = mapped_column(Float)
    ar_0d: Mapped[float | None] = mapped_column(Float)
    car_0_1d: Mapped[float | None] = mapped_column(Float)
    car_0_3d: Mapped[float | None] = mapped_column(Float)
    car_0_5d: Mapped[float | None] = mapped_column(Float)
    pre_5d: Mapped[float | None] = mapped_column(Float)
    beta: Mapped[float | None] = mapped_column(Float)
    alpha: Mapped[float | None] = mapped_column(Float)
    tstat_0d: Mapped[float | None] = mapped_column(Float)
    volume_ratio: Mapped[float | None] = mapped_column(Float)
    model: Mapped[str] = mapped_column(String(20))
    provider: Mapped[str] = mapped_column(String(40))
    realised_impact: Mapped[float | None] = mapped_column(Float)
    ret_15m: Mapped[float | None] = mapped_column(Float)
    ret_60m: Mapped[float | None] = mapped_column(Float)
    computed_at: Mapped[datetime] = mapped_column(UTCDateTime)

    __table_args__ = (Index("ix_reactions_symbol_session", "symbol", "session"),)


class StoryMove(Base):
    """A story's realised move against one benchmark: the largest |day-0 abnormal return|
    among its reactions. Kept by terminal/reactions/moves.py; the feed's sort by move
    walks its index instead of ranking the reaction table."""

    __tablename__ = "story_moves"

    article_id: Mapped[int] = mapped_column(
        ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True
    )
    benchmark: Mapped[str] = mapped_column(String(24), primary_key=True)
    move: Mapped[float] = mapped_column(Float)
    pub_key: Mapped[int] = mapped_column(BigInteger)

    __table_args__ = (
        Index("ix_story_moves_benchmark_move_pub_key", "benchmark", "move", "pub_key"),
    )


class FacetRollup(Base):
    """Stories carrying (dim, value), overall (by_dim "") or among those carrying one other
    value (by_dim, by_value), split by cluster lead and sample; dim "" is the story total.
    Kept exact by terminal/rollups.py; read by facet counts and story counts."""

    __tablename__ = "facet_rollups"

    by_dim: Mapped[str] = mapped_column(String(1), primary_key=True)
    by_value: Mapped[str] = mapped_column(String(200), primary_key=True)
    dim: Mapped[str] = mapped_column(String(1), primary_key=True)
    value: Mapped[str] = mapped_column(String(200), primary_key=True)
    lead: Mapped[bool] = mapped_column(Boolean, primary_key=True)
    sample: Mapped[bool] = mapped_column(Boolean, primary_key=True)
    n: Mapped[int] = mapped_column(BigInteger, default=0)

    __table_args__ = (
        # A pair of dims is kept one way round (terminal/rollups.py: STORED); the other way
        # is read through this index.
        Index("ix_facet_rollups_reverse", "dim", "value", "by_dim", "by_value"),
        {"sqlite_with_rowid": False},
    )
