"""The feed's queries, each through Catalyst's own code and as hand-written SQL.

The hand-written side is the best plan a person would write for that question, on the
same indexes (CROSS JOIN fixes SQLite's join order), fetching the same page: the
story columns, then the page's tickers and topics.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import numpy as np
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from db.engine import read_session
from terminal import rollup_reads, search
from terminal.bench.corpus import COMMON_TERM, PHRASE, RARE_TERM, CorpusSpec, symbols
from terminal.counts import WINDOW, facet_counts
from terminal.query import ArticleFilter, Sort, list_articles
from terminal.timekeys import to_pub_key

PAGE = 50
FEED_MS = 10.0
SEARCH_MS = 50.0
COLS = (
    "a.id, a.title, a.summary, a.publisher, a.url, a.published_at, a.published_estimated, "
    "a.impact, a.impact_model, a.sentiment, a.is_sample, a.cluster_size, a.pub_key"
)
SINCE, UNTIL = datetime(2024, 1, 1, tzinfo=UTC), datetime(2024, 7, 1, tzinfo=UTC)
HOT, TOPIC, SOURCE = "NVDA", "earnings", "Wire 07 News"


@dataclass(slots=True)
class Case:
    """One question: Catalyst's call, and the SQL statement(s) a person would write."""

    name: str
    budget_ms: float
    flt: ArticleFilter | None = None
    sql: str = ""
    params: tuple[Any, ...] = ()
    facets: list[tuple[str, tuple[Any, ...]]] = field(default_factory=list)
    cursor_from_first_page: bool = False
    sort: Sort = "newest"


def rare_symbol(spec: CorpusSpec) -> str:
    """The corpus's least frequent symbol (a long-tail ticker)."""
    return symbols(np.random.default_rng(spec.seed))[-1]


def _page(where: str, source: str = "articles a", order: str = "a.pub_key") -> str:
    return f"SELECT {COLS} FROM {source} WHERE {where} ORDER BY {order} DESC LIMIT {PAGE + 1}"  # noqa: S608


def _ticker_page(extra: str = "") -> str:
    return _page(
        f"a.id = t.article_id AND t.symbol = ?{extra}",
        "article_tickers t CROSS JOIN articles a",
        "t.pub_key",
    )


def cases(spec: CorpusSpec, dialect: str) -> list[Case]:
    """Every timed question against the synthetic corpus."""
    since, until = to_pub_key(SINCE), to_pub_key(UNTIL)
    out = [
        Case("latest_page", FEED_MS, ArticleFilter(), _page("1 = 1")),
        Case("ticker_hot", FEED_MS, ArticleFilter(tickers=(HOT,)), _ticker_page(), (HOT,)),
        Case(
            "ticker_rare",
            FEED_MS,
            ArticleFilter(tickers=(rare_symbol(spec),)),
            _ticker_page(),
            (rare_symbol(spec),),
        ),
        Case(
            "topic_min_impact",
            FEED_MS,
            ArticleFilter(topics=(TOPIC,), min_impact=0.6),
            _page(
                "a.id = t.article_id AND t.topic = ? AND a.impact_score >= ?",
                "article_topics t CROSS JOIN articles a",
                "t.pub_key",
            ),
            (TOPIC, 0.6),
        ),
        Case(
            "source_date_range",
            FEED_MS,
            ArticleFilter(sources=(SOURCE,), since=SINCE, until=UNTIL),
            _page("a.publisher = ? AND a.pub_key >= ? AND a.pub_key < ?"),
            (SOURCE, since, until),
        ),
        Case(
            "three_filters",
            FEED_MS,
            ArticleFilter(tickers=(HOT,), topics=(TOPIC,), min_impact=0.5),
            # The smaller side drives: the topic's 7% of stories, not the hot ticker's 22%.
            _page(
                "a.id = p.article_id AND p.topic = ? AND a.impact_score >= ? AND EXISTS "
                "(SELECT 1 FROM article_tickers t WHERE t.article_id = a.id AND t.symbol = ?)",
                "article_topics p CROSS JOIN articles a",
                "p.pub_key",
            ),
            (TOPIC, 0.5, HOT),
        ),
        Case(
            "second_page",
            FEED_MS,
            ArticleFilter(tickers=(HOT,)),
            _ticker_page(" AND t.pub_key < ?"),
            (HOT,),
            cursor_from_first_page=True,
        ),
    ]
    for name, query in (
        ("search_common", COMMON_TERM),
        ("search_rare", RARE_TERM),
        ("search_phrase", f'"{PHRASE}"'),
    ):
        out.append(_search_case(name, query, dialect))
    out += _ranked_cases(spec, dialect)
    out.append(_facets_case("facets_all", ArticleFilter(), ""))
    out.append(_facets_case("facets_ticker", ArticleFilter(tickers=(HOT,)), HOT))
    out.append(_two_filters_facets_case())
    out.append(_windowed_facets_case())
    out.append(_text_facets_case(dialect))
    return out


def _ranked_cases(spec: CorpusSpec, dialect: str) -> list[Case]:
    """Pages sorted by impact where the two ways to the top differ most: a rare ticker
    (read its few stories, rank them) and a common search term (walk the impact index,
    testing each story for the term)."""
    rare = rare_symbol(spec)
    by_impact = "a.impact_score DESC, a.pub_key"
    ticker = _page("a.id = t.article_id AND t.symbol = ?", "article_tickers t CROSS JOIN articles a",
                   by_impact)  # fmt: skip
    if dialect == "sqlite":
        term = "EXISTS (SELECT 1 FROM articles_fts f WHERE f.articles_fts MATCH ? AND f.rowid = a.pub_key)"
        param = f'"{COMMON_TERM}"'
    else:
        term, param = "a.search_vector @@ to_tsquery('english', ?)", f"'{COMMON_TERM}'"
    return [
        Case("impact_ticker_rare", FEED_MS, ArticleFilter(tickers=(rare,)), ticker, (rare,),
             sort="impact"),
        Case("impact_search_common", SEARCH_MS, ArticleFilter(text=COMMON_TERM),
             _page(term, order=by_impact), (param,), sort="impact"),
    ]  # fmt: skip


def _search_case(name: str, query: str, dialect: str) -> Case:
    words = query.strip('"')
    if dialect == "sqlite":
        sql = _page(
            "a.pub_key = f.rowid AND articles_fts MATCH ?",
            "articles_fts f CROSS JOIN articles a",
            "f.rowid",
        )
        return Case(name, SEARCH_MS, ArticleFilter(text=query), sql, (f'"{words}"',))
    tsq = " <-> ".join(f"'{w}'" for w in words.split())
    sql = _page("a.search_vector @@ to_tsquery('english', ?)")
    return Case(name, SEARCH_MS, ArticleFilter(text=query), sql, (tsq,))


def _facets_case(name: str, flt: ArticleFilter, ticker: str) -> Case:
    """Facets as a person would read them from the roll-up table (the counting SQL they
    replace took 243 ms and 1,046 ms at 1M): each facet ignores its own filter."""
    by = ("t", ticker) if ticker else ("", "")
    facets = [
        (_rollup_sql("t"), ("", "")),
        (_rollup_sql("p", by[0]), by),
        (_rollup_sql("s", by[0], named=True), by),
    ]
    return Case(name, SEARCH_MS, flt, facets=facets)


# The sources facet's (value, table, story id) for `_ranked`, and its "named only" clause.
PUBLISHERS = ("a.publisher", "articles a", "a.id")
NAMED = "AND a.publisher <> '' "


def _floor(link: str, key: str, window: int) -> str:
    """The oldest time key among the newest `window` entries of a link index for one value."""
    return (
        f"(SELECT min(k) FROM (SELECT pub_key AS k FROM {link} WHERE {key} = ? "  # noqa: S608
        f"ORDER BY pub_key DESC LIMIT {window}) w)"
    )


def _ranked(value: str, source: str, story: str, inner: str, extra: str = "") -> str:
    """The top 50 values of a facet among the stories `inner` selects."""
    return (
        f"SELECT {value} AS k, count(*) AS n FROM {source} WHERE {story} IN ({inner}) "  # noqa: S608
        f"{extra}GROUP BY {value} ORDER BY n DESC, k LIMIT 50"
    )


def _by_topic_and_ticker(window: int) -> str:
    return (
        "SELECT p.article_id FROM article_topics p WHERE p.topic = ? AND EXISTS "  # noqa: S608 (fixed names)
        "(SELECT 1 FROM article_tickers t WHERE t.article_id = p.article_id AND t.symbol = ?) "
        "AND p.pub_key >= " + _floor("article_topics", "topic", window)
    )


def _windowed_facets_case() -> Case:
    """Facets of a ticker, topic and source filter: each facet drops its own filter, which
    leaves three two-value filters no roll-up answers. A person would count each among the
    stories in the time span of the newest candidates of its best index (the topic's for
    "topic + source" and "ticker + topic", the ticker's for "ticker + source"), sharing the
    window between the three as Catalyst does."""
    share = WINDOW // 3
    by_topic_and_source = (
        "SELECT p.article_id FROM article_topics p CROSS JOIN articles a WHERE "  # noqa: S608 (fixed names)
        "a.id = p.article_id AND p.topic = ? AND a.publisher = ? AND p.pub_key >= "
        + _floor("article_topics", "topic", share)
    )
    by_ticker_and_source = (
        "SELECT t.article_id FROM article_tickers t CROSS JOIN articles a WHERE "  # noqa: S608 (fixed names)
        "a.id = t.article_id AND t.symbol = ? AND a.publisher = ? AND t.pub_key >= "
        + _floor("article_tickers", "symbol", share)
    )
    facets = [
        (
            _ranked("t.symbol", "article_tickers t", "t.article_id", by_topic_and_source),
            (TOPIC, SOURCE, TOPIC),
        ),
        (
            _ranked("p.topic", "article_topics p", "p.article_id", by_ticker_and_source),
            (HOT, SOURCE, HOT),
        ),
        (
            _ranked(*PUBLISHERS, _by_topic_and_ticker(share), NAMED),
            (TOPIC, HOT, TOPIC),
        ),
    ]
    flt = ArticleFilter(tickers=(HOT,), topics=(TOPIC,), sources=(SOURCE,))
    return Case("facets_three_filters", SEARCH_MS, flt, facets=facets)


def _two_filters_facets_case() -> Case:
    """Facets of a ticker and topic filter: tickers among the topic's stories and topics
    among the ticker's come from the roll-ups; sources are counted among the stories in
    the span of the topic's newest WINDOW candidates."""
    facets = [
        (_rollup_sql("t", "p"), ("p", TOPIC)),
        (_rollup_sql("p", "t"), ("t", HOT)),
        (_ranked(*PUBLISHERS, _by_topic_and_ticker(WINDOW), NAMED), (TOPIC, HOT, TOPIC)),
    ]
    flt = ArticleFilter(tickers=(HOT,), topics=(TOPIC,))
    return Case("facets_two_filters", SEARCH_MS, flt, facets=facets)


def _text_facets_case(dialect: str) -> Case:
    """Facets of a common search term, counted among the newest WINDOW candidates: on
    SQLite the newest full-text matches, on PostgreSQL the newest stories (its text
    search is a condition on the story, not an index walked in time order)."""
    terms = search.parse_query(COMMON_TERM)
    if dialect == "sqlite":
        floor = (
            "(SELECT min(k) FROM (SELECT rowid AS k FROM articles_fts WHERE articles_fts "  # noqa: S608
            f"MATCH ? ORDER BY rowid DESC LIMIT {WINDOW}) w)"
        )
        inner = (
            "SELECT a.id FROM articles_fts f CROSS JOIN articles a WHERE a.pub_key = f.rowid "  # noqa: S608
            "AND articles_fts MATCH ? AND f.rowid >= " + floor
        )
        query = search.fts5_query(terms)
    else:
        floor = (
            "(SELECT min(k) FROM (SELECT pub_key AS k FROM articles "  # noqa: S608
            f"ORDER BY pub_key DESC LIMIT {WINDOW}) w)"
        )
        inner = (
            "SELECT a.id FROM articles a WHERE a.search_vector @@ to_tsquery('english', ?) "  # noqa: S608
            "AND a.pub_key >= " + floor
        )
        query = search.tsquery(terms)
    params = (query, query) if dialect == "sqlite" else (query,)
    facets = [
        (_ranked("t.symbol", "article_tickers t", "t.article_id", inner), params),
        (_ranked("p.topic", "article_topics p", "p.article_id", inner), params),
        (_ranked(*PUBLISHERS, inner, NAMED), params),
    ]
    return Case("facets_text", SEARCH_MS, ArticleFilter(text=COMMON_TERM), facets=facets)


def _rollup_sql(dim: str, by_dim: str = "", named: bool = False) -> str:
    """The top values of `dim` among stories carrying (by_dim, ?): by primary key, or
    through the reverse index where the pair is kept the other way round (rollups.STORED)."""
    value, where = ("value", "by_dim = ? AND by_value = ? AND dim = '{}' ")
    if not rollup_reads.stored(by_dim, dim):
        value, where = ("by_value", "dim = ? AND value = ? AND by_dim || '' = '{}' ")
    named_only = f"AND {value} <> '' " if named else ""
    return (
        f"SELECT {value} AS k, sum(n) AS n FROM facet_rollups WHERE "  # noqa: S608
        + where.format(dim)
        + named_only
        + f"GROUP BY {value} HAVING sum(n) > 0 ORDER BY n DESC, k LIMIT 50"
    )


def catalyst_runner(engine: Engine, case: Case) -> Callable[[], object]:
    """A no-argument call that answers `case` through Catalyst's query layer."""
    flt = case.flt or ArticleFilter()
    if case.facets:
        return lambda: _in_session(engine, lambda s: facet_counts(s, flt))
    cursor = None
    if case.cursor_from_first_page:
        cursor = _in_session(engine, lambda s: list_articles(s, flt, limit=PAGE)).next_cursor
        case.params = (*case.params, cursor)
    return lambda: _in_session(
        engine, lambda s: list_articles(s, flt, limit=PAGE, cursor=cursor, sort=case.sort)
    )


def _in_session(engine: Engine, work: Callable[[Session], Any]) -> Any:
    with read_session(engine) as session:  # as the app reads (terminal/ui/cache.py)
        return work(session)


def baseline_runner(raw: Any, case: Case, dialect: str) -> Callable[[], object]:
    """A no-argument call that answers `case` with hand-written SQL on a DBAPI connection."""
    mark = "?" if dialect == "sqlite" else "%s"

    def run_sql(sql: str, params: tuple[Any, ...]) -> list[Any]:
        cur = raw.cursor()
        cur.execute(sql.replace("?", mark), params)
        found = cur.fetchall()
        cur.close()
        return found

    if case.facets:
        return lambda: [run_sql(sql, params) for sql, params in case.facets]

    def page() -> object:
        found = run_sql(case.sql, case.params)
        ids = tuple(r[0] for r in found[:PAGE]) or (0,)
        marks = ", ".join("?" for _ in ids)
        for table, key in (("article_tickers", "symbol"), ("article_topics", "topic")):
            run_sql(
                f"SELECT article_id, {key} FROM {table} WHERE article_id IN ({marks}) "  # noqa: S608
                "ORDER BY article_id, position",
                ids,
            )
        return found

    return page
