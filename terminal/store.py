"""Writing stories to the store: deduplicated, in batches, each story with its links at once."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cache, lru_cache
from typing import Any, cast

from sqlalchemy import Table, column, delete, func, insert, select, table
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from db.models import Article, ArticleTicker, ArticleTopic
from db.types import UTCDateTime
from terminal import bound, clustering, driver, rollups
from terminal.enrich.clusters import title_fingerprint, title_signature
from terminal.records import MAX_TEXT, MAX_TITLE, ArticleRecord
from terminal.text import canonical_url
from terminal.timekeys import to_pub_key

# Core tables: executemany through Core skips the ORM's per-row bookkeeping.
ARTICLES = cast(Table, Article.__table__)
TICKER_LINKS = cast(Table, ArticleTicker.__table__)
TOPIC_LINKS = cast(Table, ArticleTopic.__table__)
FTS_TEXT = ("title", "summary", "body", "analysis", "publisher")
FTS = table("articles_fts", column("rowid"), *(column(c) for c in FTS_TEXT))
FTS_COLUMNS = {"rowid": "pub_key", **{c: c for c in FTS_TEXT}}


@dataclass(slots=True)
class SaveResult:
    """What a batch did to the store."""

    inserted_ids: list[int] = field(default_factory=list)
    duplicates: int = 0

    @property
    def inserted(self) -> int:
        return len(self.inserted_ids)


def dedupe_key(record: ArticleRecord) -> str:
    """The story's identity: canonical URL, else guid, else a hash of its content."""
    return identity(record)[0]


def identity(record: ArticleRecord) -> tuple[str, str | None]:
    """(dedupe key, canonical URL) of a story: what the store keys and links it by."""
    url = canonical_url(record.url) if record.url else None
    return _dedupe_key(record, url), url


def _dedupe_key(record: ArticleRecord, url: str | None) -> str:
    if url:
        basis = "url:" + url
    elif record.guid:
        basis = "guid:" + record.guid.strip()
    else:
        basis = "text:" + "\x1f".join(
            (record.title.strip().lower(), record.publisher.strip().lower(), record.summary[:500])
        )
    return hashlib.sha256(basis.encode("utf-8")).hexdigest()


def save_articles(
    session: Session,
    records: Sequence[ArticleRecord],
    *,
    source_id: int | None = None,
    now: datetime | None = None,
) -> SaveResult:
    """Insert new stories with their tickers and topics; count the ones already stored.

    The caller owns the transaction: a story and its links are written in the same one,
    so they land together or not at all.
    """
    result, counted = _insert(session, records, source_id=source_id, now=now)
    rollups.add_new(session, counted)
    return result


def save_and_cluster(
    session: Session, records: Sequence[ArticleRecord], *, source_id: int | None = None
) -> SaveResult:
    """save_articles(), then cluster the new stories (terminal/clustering.py), and only
    then count them in the facet roll-ups, each with its lead flag as clustering left it
    (counting them as leads first and moving the followers after cost twenty statements
    a batch)."""
    result, counted = _insert(session, records, source_id=source_id, now=None)
    leads = clustering.assign_clusters(session, result.inserted_ids, uncounted=True)
    flags = [leads.get(i, True) for i in result.inserted_ids]
    rollups.add_new(session, counted, flags)
    return result


def _insert(
    session: Session,
    records: Sequence[ArticleRecord],
    *,
    source_id: int | None,
    now: datetime | None,
) -> tuple[SaveResult, list[rollups.NewStory]]:
    """save_articles() without the roll-ups: the result, and the new stories as the
    roll-ups count them (in the order of `inserted_ids`)."""
    result = SaveResult()
    if not records:
        return result, []
    now = now or datetime.now(UTC)
    keyed: dict[str, tuple[ArticleRecord, str | None]] = {}
    for record in records:
        # Tagging workers compute the identity of a large import's stories beforehand.
        key, url = record.identity or identity(record)
        if key in keyed:
            result.duplicates += 1
        else:
            keyed[key] = (record, url)
    existing = _existing_keys(session, list(keyed))
    result.duplicates += len(existing)
    fresh = [(k, r) for k, r in keyed.items() if k not in existing]
    if not fresh:
        return result, []
    pub_keys = _allocate_pub_keys(session, [to_pub_key(r.published_at) for _, (r, _) in fresh])
    rows = [
        _article_row(k, r, url, pk, source_id, now)
        for (k, (r, url)), pk in zip(fresh, pub_keys, strict=True)
    ]
    # Plain executemany (RETURNING would go row by row on SQLite); the time keys are unique
    # and known, so they map the new ids back.
    insert_rows(session, ARTICLES, rows)
    if session.get_bind().dialect.name == "sqlite":
        # The full-text rows in one statement (0004_title_words dropped the per-row trigger),
        # in rowid order: FTS5 appends increasing rowids to its pending index.
        ordered = sorted(rows, key=lambda row: cast(int, row["pub_key"]))
        session.connection().exec_driver_sql(
            f"INSERT INTO articles_fts ({', '.join(FTS_COLUMNS)}) "  # noqa: S608
            f"VALUES ({', '.join('?' for _ in FTS_COLUMNS)})",
            [tuple(row[k] for k in FTS_COLUMNS.values()) for row in ordered],
        )
    stmt = _lookup(bound.dialect_of(session), "ids")
    found = session.execute(stmt, {"keys": bound.values(session, pub_keys)}).all()
    id_by_key: dict[int, int] = {k: i for i, k in found}
    ids = [(id_by_key[k], k) for k in pub_keys]
    ticker_rows: list[dict[str, object]] = []
    topic_rows: list[dict[str, object]] = []
    counted: list[rollups.NewStory] = []
    for (article_id, pub_key), row, (_, (record, _)) in zip(ids, rows, fresh, strict=True):
        published = record.published_at
        # The title's signature rides in both link indexes (clustering's word pre-check);
        # the tagging computed it with the title words, unless they were given otherwise.
        sig = (
            record.title_sig
            if record.title_sig is not None and record.title_words is not None
            else title_signature(cast(str, row["title_words"]).split())
        )
        tickers, topics = list(dict.fromkeys(record.tickers)), list(dict.fromkeys(record.topics))
        counted.append((cast(str, row["publisher"]), tickers, topics, bool(row["is_sample"])))
        for position, symbol in enumerate(tickers):
            ticker_rows.append(
                {
                    "article_id": article_id,
                    "symbol": symbol,
                    "pub_key": pub_key,
                    "published_at": published,
                    "relevance": float(record.ticker_relevance.get(symbol, 1.0)),
                    "position": position,
                    "title_sig": sig,
                }
            )
        for position, topic in enumerate(topics):
            topic_rows.append(
                {
                    "article_id": article_id,
                    "topic": topic,
                    "pub_key": pub_key,
                    "published_at": published,
                    "score": 1.0,
                    "position": position,
                    "title_sig": sig,
                }
            )
    insert_rows(session, TICKER_LINKS, ticker_rows)
    insert_rows(session, TOPIC_LINKS, topic_rows)
    result.inserted_ids = [row[0] for row in ids]
    return result, counted


def insert_rows(session: Session, table: Table, rows: list[dict[str, object]]) -> None:
    """INSERT many rows (same keys in each). The values go through the columns' own bind
    processing once and then straight to the driver, skipping SQLAlchemy's per-row
    parameter handling (a third of an import's insert time): SQLite's executemany,
    PostgreSQL's COPY."""
    if not rows:
        return
    dialect = session.get_bind().dialect
    if dialect.name not in ("sqlite", "postgresql"):
        session.execute(insert(table), rows)
        return
    names = list(rows[0])
    defaults = {
        c.name: cast(Any, c.default).arg
        for c in table.c
        if c.name not in rows[0] and c.default is not None and c.default.is_scalar
    }
    sqlite = dialect.name == "sqlite"
    processors = [
        _sqlite_time
        if sqlite and isinstance(table.c[name].type, UTCDateTime)
        else table.c[name].type.dialect_impl(dialect).bind_processor(dialect)
        for name in (*names, *defaults)
    ]
    fixed = list(defaults.values())
    # Only the columns with a processor are touched per row (5 of an article's 22).
    values = driver.converted(([row[n] for n in names] + fixed for row in rows), processors)
    columns = (*names, *defaults)
    if not sqlite:
        _copy(session, table, columns, values)
        return
    session.connection().exec_driver_sql(
        f"INSERT INTO {table.name} ({', '.join(columns)}) "  # noqa: S608
        f"VALUES ({', '.join('?' for _ in columns)})",
        values,
    )


def _copy(
    session: Session, table: Table, columns: Sequence[str], values: list[tuple[Any, ...]]
) -> None:
    """PostgreSQL: the rows through COPY, one stream instead of a statement per row (an
    import's inserts 1.2 -> 0.75 s per 5,000 stories at 1M). A refused row fails the whole
    COPY as a DBAPIError, like a failed INSERT, so the caller retries story by story."""
    sql = f"COPY {table.name} ({', '.join(columns)}) FROM STDIN"
    dbapi = session.get_bind().dialect.loaded_dbapi
    cursor = session.connection().connection.driver_connection.cursor()  # type: ignore[union-attr]
    try:
        with cursor.copy(sql) as copy:
            for row in values:
                copy.write_row(row)
    except dbapi.Error as exc:
        raise DBAPIError.instance(sql, None, exc, dbapi.Error) from exc


# A story's time is bound in its row and again in each of its links (and the import time
# in every row): each distinct value is formatted once. Bounded: an import's batches
# bring new times.
_sqlite_time = lru_cache(maxsize=16_384)(UTCDateTime.sqlite_text)


def _existing_keys(session: Session, keys: list[str]) -> set[str]:
    stmt = _lookup(bound.dialect_of(session), "keys")
    return set(session.scalars(stmt, {"keys": bound.values(session, keys, "str")}))


@cache
def _lookup(dialect: str, what: str) -> Any:
    """The store's three lookups by a list (bound as one value): stored dedupe keys, taken
    time keys, and (id, time key) of time keys."""
    if what == "keys":
        return select(Article.dedupe_key).where(
            bound.in_list(Article.dedupe_key, "keys", dialect, "str")
        )
    taken = bound.in_list(Article.pub_key, "keys", dialect)
    if what == "taken":
        return select(Article.pub_key).where(taken)
    return select(Article.id, Article.pub_key).where(taken)


def _allocate_pub_keys(session: Session, wanted: list[int]) -> list[int]:
    """Make each time key unique, nudging colliding ones by a microsecond.

    Only the wanted keys are looked up (a batch may span years: a range query would
    read every key in between); a collision then reads the keys just after it.
    """
    stmt = _lookup(bound.dialect_of(session), "taken")
    taken: set[int] = set(session.scalars(stmt, {"keys": bound.values(session, wanted)}))
    probed: set[int] = set()
    out: list[int] = []
    for key in wanted:
        while key in taken:
            key += 1
            if key not in probed:
                span = (key, key + len(wanted))
                taken.update(
                    session.scalars(select(Article.pub_key).where(Article.pub_key.between(*span)))
                )
                probed.update(range(span[0], span[1] + 1))
        taken.add(key)
        out.append(key)
    return out


def _article_row(
    key: str, r: ArticleRecord, url: str | None, pub_key: int, source_id: int | None, now: datetime
) -> dict[str, object]:
    impact_score = r.impact if r.impact is not None else (r.impact_model or 0.0)
    title = r.title[:MAX_TITLE]
    return {
        "dedupe_key": key,
        "url": url,
        "guid": r.guid,
        "title": title,
        "summary": r.summary[:MAX_TEXT],
        "body": r.body[:MAX_TEXT],
        "analysis": r.analysis[:MAX_TEXT],
        "publisher": r.publisher[:200],
        "source_id": source_id,
        "published_at": r.published_at,
        "pub_key": pub_key,
        "published_estimated": r.published_estimated,
        "ingested_at": now,
        "language": r.language,
        "impact": r.impact,
        "impact_model": r.impact_model,
        "impact_score": impact_score,
        "sentiment": r.sentiment,
        "is_sample": r.is_sample,
        "extra": r.extra or None,
        "title_words": r.title_words if r.title_words is not None else title_fingerprint(title),
    }


def delete_sample(session: Session) -> int:
    """Remove every sample story (links, reactions and analyst state go with them); live
    stories that had joined a sample story's cluster get their cluster re-counted."""
    count = session.scalar(select(func.count()).where(Article.is_sample.is_(True))) or 0
    ids = select(Article.id).where(Article.is_sample.is_(True)).scalar_subquery()
    clusters = clustering.clusters_of(session, Article.is_sample.is_(True))
    rollups.remove_sample(session)
    session.execute(delete(ArticleTicker).where(ArticleTicker.article_id.in_(ids)))
    session.execute(delete(ArticleTopic).where(ArticleTopic.article_id.in_(ids)))
    session.execute(delete(Article).where(Article.is_sample.is_(True)))
    clustering.recount(session, clusters)
    return int(count)


def article_count(session: Session, *, sample: bool | None = None) -> int:
    stmt = select(func.count()).select_from(Article)
    if sample is not None:
        stmt = stmt.where(Article.is_sample.is_(sample))
    return int(session.scalar(stmt) or 0)
