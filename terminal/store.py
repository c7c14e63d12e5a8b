"""Writing stories to the store: deduplicated, in batches, each story with its links at once."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import lru_cache
from operator import itemgetter
from typing import Any, NamedTuple, cast

from sqlalchemy import Dialect, Table, column, delete, func, select, table
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from db.models import Article, ArticleTicker, ArticleTopic
from db.types import UTCDateTime
from terminal import bound, clustering, rollups
from terminal.enrich.clusters import title_fingerprint, title_signature
from terminal.nearest import entry
from terminal.neighbours import Story, Written
from terminal.records import MAX_TEXT, MAX_TITLE, ArticleRecord
from terminal.store_keys import allocate_pub_keys, existing_keys, lookup
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
    result, counted, _ = _insert(session, records, source_id=source_id, now=now)
    rollups.add_new(session, counted)
    return result


def save_and_cluster(
    session: Session,
    records: Sequence[ArticleRecord],
    *,
    source_id: int | None = None,
    tally: rollups.Tally | None = None,
) -> SaveResult:
    """save_articles(), then cluster the new stories (terminal/clustering.py), and only
    then count them in the facet roll-ups, each with its lead flag as clustering left it
    (counting them as leads first and moving the followers after cost twenty statements
    a batch). A transaction that spans several batches adds the counts to its `tally`
    instead, and flushes it before it commits."""
    result, counted, written = _insert(session, records, source_id=source_id, now=None)
    leads = clustering.assign_clusters(session, written, uncounted=True, tally=tally)
    flags = [leads.get(i, True) for i in result.inserted_ids]
    rollups.add_new(session, counted, flags, tally=tally)
    return result


def _insert(
    session: Session,
    records: Sequence[ArticleRecord],
    *,
    source_id: int | None,
    now: datetime | None,
) -> tuple[SaveResult, list[rollups.NewStory], dict[int, Story]]:
    """save_articles() without the roll-ups: the result, the new stories as the roll-ups
    count them (in the order of `inserted_ids`), and as clustering reads them."""
    result = SaveResult()
    if not records:
        return result, [], {}
    now = now or datetime.now(UTC)
    keyed: dict[str, tuple[ArticleRecord, str | None]] = {}
    for record in records:
        # Tagging workers compute the identity of a large import's stories beforehand.
        key, url = record.identity or identity(record)
        if key in keyed:
            result.duplicates += 1
        else:
            keyed[key] = (record, url)
    existing = existing_keys(session, list(keyed))
    result.duplicates += len(existing)
    fresh = [(k, r) for k, r in keyed.items() if k not in existing]
    if not fresh:
        return result, [], {}
    pub_keys = allocate_pub_keys(session, [to_pub_key(r.published_at) for _, (r, _) in fresh])
    binds = _binds(session.get_bind().dialect)
    stamp = binds.time(now)
    rows = [
        _article_values(k, r, url, pk, source_id, stamp, binds)
        for (k, (r, url)), pk in zip(fresh, pub_keys, strict=True)
    ]
    if binds.sqlite:
        # SQLite would give the new rows max(id) + 1 onwards; they are given here instead
        # (the transaction holds the write lock), so no lookup maps them back.
        first = (session.connection().exec_driver_sql(_MAX_ID).scalar() or 0) + 1
        new_ids = list(range(first, first + len(rows)))
        write_values(session, ARTICLES, ("id", *binds.article_columns),
                     [(i, *row) for i, row in zip(new_ids, rows, strict=True)])  # fmt: skip
        # The full-text rows in one statement (0004_title_words dropped the per-row trigger),
        # in rowid order: FTS5 appends increasing rowids to its pending index.
        session.connection().exec_driver_sql(
            f"INSERT INTO articles_fts ({', '.join(FTS_COLUMNS)}) "  # noqa: S608
            f"VALUES ({', '.join('?' for _ in FTS_COLUMNS)})",
            sorted(map(_FTS_VALUES, rows)),  # by rowid: the time keys are unique
        )
    else:
        # COPY returns nothing; the time keys are unique and known, so they map the new
        # ids back.
        write_values(session, ARTICLES, binds.article_columns, rows)
        found = lookup(session, "ids", bound.values(session, pub_keys))
        id_by_key: dict[int, int] = {k: i for i, k in found}
        new_ids = [id_by_key[k] for k in pub_keys]
    ids = list(zip(new_ids, pub_keys, strict=True))
    ticker_rows: list[tuple[Any, ...]] = []
    topic_rows: list[tuple[Any, ...]] = []
    counted: list[rollups.NewStory] = []
    written: dict[int, Story] = {}
    for (article_id, pub_key), row, (_, (record, _)) in zip(ids, rows, fresh, strict=True):
        published = row[_PUBLISHED]  # as bound in the story's row
        # The title's signature rides in both link indexes, in the walk entry (clustering's
        # word pre-check); the tagging computed it with the title words, unless they were
        # given otherwise.
        walk = entry(
            pub_key,
            article_id,
            record.title_sig
            if record.title_sig is not None and record.title_words is not None
            else title_signature(cast(str, row[_TITLE_WORDS]).split()),
        )
        tickers, topics = list(dict.fromkeys(record.tickers)), list(dict.fromkeys(record.topics))
        counted.append((row[_PUBLISHER], tickers, topics, bool(record.is_sample)))
        known = Written(tuple(sorted(tickers)), tuple(sorted(topics)))
        written[article_id] = Story(
            article_id, row[_TITLE], row[_TITLE_WORDS], pub_key, None, 1, known
        )
        relevance = record.ticker_relevance
        ticker_rows += [
            (article_id, symbol, pub_key, published, float(relevance.get(symbol, 1.0)), i, walk)
            for i, symbol in enumerate(tickers)
        ]
        topic_rows += [
            (article_id, topic, pub_key, published, 1.0, i, walk) for i, topic in enumerate(topics)
        ]
    write_values(session, TICKER_LINKS, LINK_COLUMNS["symbol"], ticker_rows)
    write_values(session, TOPIC_LINKS, LINK_COLUMNS["topic"], topic_rows)
    result.inserted_ids = [row[0] for row in ids]
    return result, counted, written


def write_values(
    session: Session, table: Table, columns: Sequence[str], values: list[tuple[Any, ...]]
) -> None:
    """INSERT rows already as the driver takes them (see `_binds`), straight to the driver,
    skipping SQLAlchemy's per-row parameter handling (a third of an import's insert time):
    SQLite's executemany, PostgreSQL's COPY."""
    if not values:
        return
    if session.get_bind().dialect.name != "sqlite":
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


_MAX_ID = "SELECT max(id) FROM articles"
# A story's time is bound in its row and again in each of its links (and the import time
# in every row): each distinct value is formatted once. Bounded: an import's batches
# bring new times.
_sqlite_time = lru_cache(maxsize=16_384)(UTCDateTime.sqlite_text)


# A new story's row as `_article_values` builds it, then the columns left to their
# defaults (`_Binds.defaults`); and its links' rows.
ARTICLE_COLUMNS = (
    "dedupe_key", "url", "guid", "title", "summary", "body", "analysis", "publisher",
    "source_id", "published_at", "pub_key", "published_estimated", "ingested_at", "language",
    "impact", "impact_model", "impact_score", "sentiment", "is_sample", "extra", "title_words",
)  # fmt: skip
_TITLE, _PUBLISHER, _PUBLISHED, _PUB_KEY = 3, 7, 9, 10
_TITLE_WORDS = len(ARTICLE_COLUMNS) - 1
# The full-text row of a story's row: rowid (its time key), then the FTS_TEXT columns.
_FTS_VALUES = itemgetter(_PUB_KEY, _TITLE, *(ARTICLE_COLUMNS.index(c) for c in FTS_TEXT[1:]))
_LINK_COLUMNS = ("pub_key", "published_at", "{weight}", "position", "walk_entry")
LINK_COLUMNS = {
    key: ("article_id", key, *(c.format(weight=weight) for c in _LINK_COLUMNS))
    for key, weight in (("symbol", "relevance"), ("topic", "score"))
}


class _Binds(NamedTuple):
    """How one dialect's driver takes the store's values: each column type's own bind
    processing, looked up once (SQLite's times are formatted through `_sqlite_time`)."""

    sqlite: bool
    time: Callable[[datetime], Any]
    flag: Callable[[bool], Any]
    number: Callable[[float | None], Any]
    document: Callable[[dict[str, Any]], Any]
    defaults: tuple[Any, ...]  # the values of the columns a new row leaves to their defaults
    article_columns: tuple[str, ...]  # ARTICLE_COLUMNS, then those


_binds_by_dialect: dict[tuple[str, str], _Binds] = {}


def _binds(dialect: Dialect) -> _Binds:
    slot = (dialect.name, dialect.driver)
    if slot not in _binds_by_dialect:

        def processor(name: str) -> Callable[[Any], Any]:
            found = ARTICLES.c[name].type.dialect_impl(dialect).bind_processor(dialect)
            return found or _same

        sqlite = dialect.name == "sqlite"
        left = [
            c.name
            for c in ARTICLES.c
            if c.name not in ARTICLE_COLUMNS and c.default is not None and c.default.is_scalar
        ]
        _binds_by_dialect[slot] = _Binds(
            sqlite=sqlite,
            time=_sqlite_time if sqlite else processor("published_at"),
            flag=processor("is_sample"),
            number=processor("impact"),
            document=processor("extra"),
            defaults=tuple(processor(c)(cast(Any, ARTICLES.c[c].default).arg) for c in left),
            article_columns=(*ARTICLE_COLUMNS, *left),
        )
    return _binds_by_dialect[slot]


def _same(value: Any) -> Any:
    return value


def _article_values(
    key: str,
    r: ArticleRecord,
    url: str | None,
    pub_key: int,
    source_id: int | None,
    stamp: Any,
    binds: _Binds,
) -> tuple[Any, ...]:
    """A new story's row in `binds.article_columns` order, as the driver takes it
    (`stamp`: the import time, already bound)."""
    title = r.title[:MAX_TITLE]
    number = binds.number
    impact_score = r.impact if r.impact is not None else (r.impact_model or 0.0)
    return (
        key,
        url,
        r.guid,
        title,
        r.summary[:MAX_TEXT],
        r.body[:MAX_TEXT],
        r.analysis[:MAX_TEXT],
        r.publisher[:200],
        source_id,
        binds.time(r.published_at),
        pub_key,
        binds.flag(r.published_estimated),
        stamp,
        r.language,
        number(r.impact),
        number(r.impact_model),
        number(impact_score),
        number(r.sentiment),
        binds.flag(r.is_sample),
        binds.document(r.extra) if r.extra else None,
        r.title_words if r.title_words is not None else title_fingerprint(title),
        *binds.defaults,
    )


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
