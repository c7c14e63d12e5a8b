"""The query layer: every filter and combination against a plain-Python oracle, search, pages, facets."""

from __future__ import annotations

import itertools
from dataclasses import replace
from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from db.models import Article, FacetRollup
from terminal import rollup_reads, rollups
from terminal.counts import Count, count_articles, count_stories, facet_counts, facet_summary
from terminal.query import ArticleFilter, list_articles
from terminal.store import delete_sample
from tests.helpers import T0, store, story

TICKERS = [["NVDA"], ["TSLA"], ["NVDA", "AMD"], ["AAPL"], [], ["INTC", "NVDA"]]
TOPICS = [["earnings"], ["m-and-a"], ["earnings", "semiconductors"], [], ["macro-rates"]]
PUBLISHERS = ["Reuters", "CNBC", "Bloomberg"]
WORDS = [
    "export controls tighten",
    "chip demand",
    "guidance raised",
    "recall probe",
    "rate cut hopes",
]


def build(n: int = 40):
    records = []
    for i in range(n):
        records.append(
            story(
                i,
                title=f"Story {i}: {WORDS[i % len(WORDS)]}",
                tickers=TICKERS[i % len(TICKERS)],
                topics=TOPICS[i % len(TOPICS)],
                publisher=PUBLISHERS[i % len(PUBLISHERS)],
                impact=round((i % 10) / 10, 1),
                sentiment=[-0.6, 0.0, 0.5][i % 3],
                is_sample=i % 7 == 0,
            )
        )
    return records


@pytest.fixture
def corpus(engine):
    records = build()
    store(engine, records)
    return records


def oracle(records, flt: ArticleFilter) -> list[str]:
    bands = {"negative": (-1, -0.15), "neutral": (-0.15, 0.15), "positive": (0.15, 1)}
    out = []
    for r in records:
        if flt.tickers and not set(flt.tickers) & set(r.tickers):
            continue
        if flt.topics and not set(flt.topics) & set(r.topics):
            continue
        if flt.sources and r.publisher not in flt.sources:
            continue
        if flt.min_impact is not None and r.impact < flt.min_impact:
            continue
        if flt.sentiment and not bands[flt.sentiment][0] <= r.sentiment <= bands[flt.sentiment][1]:
            continue
        if flt.sample is not None and r.is_sample != flt.sample:
            continue
        if flt.since and r.published_at < flt.since:
            continue
        if flt.until and r.published_at >= flt.until:
            continue
        out.append(r)
    return [r.title for r in sorted(out, key=lambda r: r.published_at, reverse=True)]


def titles(engine, flt, **kw) -> list[str]:
    with Session(engine) as s:
        return [row.title for row in list_articles(s, flt, **kw).items]


SINGLE = [
    ArticleFilter(),
    ArticleFilter(tickers=("NVDA",)),
    ArticleFilter(tickers=("NVDA", "TSLA")),
    ArticleFilter(tickers=("ZZZZ",)),
    ArticleFilter(topics=("earnings",)),
    ArticleFilter(topics=("m-and-a", "macro-rates")),
    ArticleFilter(sources=("CNBC",)),
    ArticleFilter(min_impact=0.5),
    ArticleFilter(sentiment="negative"),
    ArticleFilter(sample=False),
    ArticleFilter(sample=True),
    ArticleFilter(since=T0 + timedelta(hours=10), until=T0 + timedelta(hours=20)),
]


@pytest.mark.parametrize(
    "flt",
    SINGLE,
    ids=lambda f: repr({k: v for k, v in f.__dict__.items()} if hasattr(f, "__dict__") else f)[:60],
)
def test_each_filter_gives_exactly_the_matching_stories_newest_first(engine, corpus, flt):
    assert titles(engine, flt, limit=100) == oracle(corpus, flt)


def test_every_combination_of_three_filters_matches_the_oracle(engine, corpus):
    parts = {
        "tickers": ("NVDA",),
        "topics": ("earnings",),
        "sources": ("Reuters", "Bloomberg"),
        "min_impact": 0.3,
        "sentiment": "positive",
        "sample": False,
        "since": T0 + timedelta(hours=5),
    }
    for combo in itertools.combinations(parts, 3):
        flt = ArticleFilter(**{k: parts[k] for k in combo})
        assert titles(engine, flt, limit=100) == oracle(corpus, flt), combo


def test_counts_match_the_oracle(engine, corpus):
    with Session(engine) as s:
        for flt in SINGLE:
            assert count_articles(s, flt) == len(oracle(corpus, flt))


def test_text_search_finds_words_phrases_and_prefixes(engine, corpus):
    def search(q):
        return set(titles(engine, ArticleFilter(text=q), limit=100))

    export = {r.title for r in corpus if "export controls" in r.title}
    assert search("export controls") == export
    assert search('"export controls"') == export
    assert search("expo*") == export
    assert search('"controls export"') == set()
    assert search("story -export") == {r.title for r in corpus if "export" not in r.title}
    assert search('story -"chip demand" -rate*') == {
        r.title for r in corpus if "chip demand" not in r.title and "rate" not in r.title
    }
    assert search("-export") == {r.title for r in corpus}
    assert search("probe recall") == {r.title for r in corpus if "recall probe" in r.title}
    combined = ArticleFilter(text="chip", tickers=("NVDA",))
    assert titles(engine, combined, limit=100) == [
        t for t in oracle(corpus, ArticleFilter(tickers=("NVDA",))) if "chip" in t
    ]


HOSTILE = [
    '"', '""', "'", "AND(", "OR", "NOT", "*", "**", "a*b*", "NEAR(a b)", "col:value",
    "title:chip", "(", ")", "-", "^", "\\", "%", "_", "' OR 1=1 --", "'; DROP TABLE articles; --",
    "ünïcödé 株式 🚀", "\x00", "chip AND OR NOT", "{x}", "[]", "a" * 5000, "export & controls | !",
    "<->", ":*", "'chip':*", "-", '-"', "--x", "-*", "chip -", "!chip", "chip & !",
]  # fmt: skip


@pytest.mark.parametrize("text", HOSTILE)
def test_any_text_typed_into_search_never_raises(engine, corpus, text):
    with Session(engine) as s:
        page = list_articles(s, ArticleFilter(text=text), limit=10)
        count_articles(s, ArticleFilter(text=text))
    assert isinstance(page.items, list)


def test_cursor_pages_are_stable_while_new_stories_arrive(engine, corpus):
    flt = ArticleFilter()
    expected = oracle(corpus, flt)
    seen: list[str] = []
    cursor = None
    with Session(engine) as s:
        first = list_articles(s, flt, limit=7)
    seen += [r.title for r in first.items]
    cursor = first.next_cursor
    store(engine, [story(100 + i, title=f"Breaking {i}") for i in range(5)])
    while cursor is not None:
        with Session(engine) as s:
            page = list_articles(s, flt, limit=7, cursor=cursor)
        seen += [r.title for r in page.items]
        cursor = page.next_cursor
    assert seen == expected


def test_cursor_pages_under_a_ticker_filter_cover_every_match_once(engine, corpus):
    flt = ArticleFilter(tickers=("NVDA", "AMD"))
    seen, cursor = [], None
    while True:
        with Session(engine) as s:
            page = list_articles(s, flt, limit=3, cursor=cursor)
        seen += [r.title for r in page.items]
        cursor = page.next_cursor
        if cursor is None:
            break
    assert seen == oracle(corpus, flt)


def test_offset_pages_and_impact_sort(engine, corpus):
    everything = oracle(corpus, ArticleFilter())
    assert titles(engine, ArticleFilter(), limit=5, offset=5) == everything[5:10]
    by_impact = titles(engine, ArticleFilter(), limit=100, sort="impact")
    ranked = sorted(corpus, key=lambda r: (r.impact, r.published_at), reverse=True)
    assert by_impact == [r.title for r in ranked]


def test_facet_counts_follow_the_other_filters(engine, corpus):
    flt = ArticleFilter(sources=("Reuters",), tickers=("NVDA",))
    with Session(engine) as s:
        facets = facet_counts(s, flt)
    reuters = [r for r in corpus if r.publisher == "Reuters"]
    nvda = [r for r in corpus if "NVDA" in r.tickers]
    expected_tickers: dict[str, int] = {}
    for r in reuters:
        for t in r.tickers:
            expected_tickers[t] = expected_tickers.get(t, 0) + 1
    assert dict(facets["tickers"]) == expected_tickers
    expected_sources: dict[str, int] = {}
    for r in nvda:
        expected_sources[r.publisher] = expected_sources.get(r.publisher, 0) + 1
    assert dict(facets["sources"]) == expected_sources
    topics_expected: dict[str, int] = {}
    for r in reuters:
        if "NVDA" in r.tickers:
            for t in r.topics:
                topics_expected[t] = topics_expected.get(t, 0) + 1
    assert dict(facets["topics"]) == topics_expected


def test_rows_carry_tickers_topics_and_flags(engine, corpus):
    with Session(engine) as s:
        [row] = list_articles(s, ArticleFilter(text="Story 5"), limit=1).items
    r = corpus[5]
    assert row.title == r.title
    assert sorted(row.tickers) == sorted(r.tickers)
    assert sorted(row.topics) == sorted(r.topics)
    assert row.impact == r.impact


def test_rows_read_on_the_driver_equal_what_the_orm_reads(engine):
    """load_rows reads on the driver's cursor (terminal/driver.py): every field must be
    what the ORM gives for the same story, of the same type (aware UTC times, real
    booleans, None where nothing is stored), on both databases."""
    from datetime import UTC

    from db.models import Article
    from terminal.story_rows import ArticleRow, load_rows

    records = [
        story(1, url=None, impact=None, sentiment=None, is_sample=True, published_estimated=True),
        story(2, tickers=["NVDA", "AMD", "INTC"], topics=["earnings", "macro-rates"]),
    ]
    ids = store(engine, records).inserted_ids
    with Session(engine) as s:
        rows = load_rows(s, [ids[1], 999_999, ids[0]])  # the order given; unknown ids left out
        orm = [s.get(Article, i) for i in (ids[1], ids[0])]
    assert [r.id for r in rows] == [ids[1], ids[0]]
    fields = [f for f in ArticleRow.__slots__ if f not in ("tickers", "topics")]
    for row, article in zip(rows, orm, strict=True):
        for name in fields:
            mine, theirs = getattr(row, name), getattr(article, name)
            assert mine == theirs and type(mine) is type(theirs), name
        assert row.published_at.tzinfo is UTC
    assert rows[0].tickers == ["NVDA", "AMD", "INTC"] and rows[0].topics == [
        "earnings",
        "macro-rates",
    ]
    assert rows[1].is_sample is True and rows[1].published_estimated is True
    assert rows[1].url is None and rows[1].impact is None


def test_a_driver_statement_refuses_a_column_type_it_cannot_convert(engine):
    from sqlalchemy import JSON, column, select

    from terminal import driver

    with pytest.raises(TypeError, match="no driver-level converter"):
        driver.prepare(0, lambda _: select(column("x", JSON)), engine.dialect)


def test_compiled_statements_are_kept_for_the_latest_questions_only(engine, monkeypatch):
    """A page's key statement is compiled once per question (filter, cursor, limit) and
    kept in a bounded cache: the oldest go first, and a kept one still answers exactly."""
    from sqlalchemy import column, literal, select

    from terminal import driver

    monkeypatch.setattr(driver, "_PREPARED", type(driver._PREPARED)())
    monkeypatch.setattr(driver, "KEEP", 5)

    def question(n: int):
        return lambda _dialect: select(literal(n).label("n"), column("x"))

    for n in range(8):
        driver.prepare(("q", n), question(n), engine.dialect)
    kept = [key[0][1] for key in driver._PREPARED]
    assert kept == [3, 4, 5, 6, 7]
    driver.prepare(("q", 3), question(99), engine.dialect)  # a hit: not rebuilt, now newest
    assert [key[0][1] for key in driver._PREPARED] == [4, 5, 6, 7, 3]


def test_compiled_statements_are_shared_safely_between_threads(sqlite_db, monkeypatch):
    """The app's sessions run in threads: looking up, adding and evicting statements at once
    never fails, and each thread gets the statement it asked for."""
    import sys
    from concurrent.futures import ThreadPoolExecutor

    from sqlalchemy import literal, select

    from terminal import driver

    monkeypatch.setattr(driver, "_PREPARED", type(driver._PREPARED)())
    monkeypatch.setattr(driver, "KEEP", 3)

    def ask(n: int) -> bool:
        sql = driver.prepare(("t", n % 7), lambda _d: select(literal(n % 7)), sqlite_db.dialect)
        return sql.fixed == {"param_1": n % 7}

    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # threads switch as often as they can: races show
    try:
        with ThreadPoolExecutor(8) as pool:
            assert all(pool.map(ask, range(10_000)))
    finally:
        sys.setswitchinterval(interval)
    assert len(driver._PREPARED) <= 3


def test_the_same_page_asked_again_sees_stories_stored_since(engine, corpus):
    flt = ArticleFilter(tickers=("NVDA",))
    with Session(engine) as s:
        before = [r.title for r in list_articles(s, flt, limit=3).items]
    store(engine, [story(500, title="Nvidia late news", tickers=["NVDA"])])
    with Session(engine) as s:
        after = [r.title for r in list_articles(s, flt, limit=3).items]
    assert after == ["Nvidia late news", *before[:2]]


def facet_oracle(engine, records, flt: ArticleFilter) -> dict[str, dict[str, int]]:
    """Facet counts by counting in Python over the stories the listing returns for the filter
    without each facet's own field (the listing knows cluster leads; the records do not)."""
    out: dict[str, dict[str, int]] = {}
    for name, values in (
        ("tickers", lambda r: r.tickers),
        ("topics", lambda r: r.topics),
        ("sources", lambda r: [r.publisher]),
    ):
        matching = set(titles(engine, flt.without(name), limit=1000))
        counts: dict[str, int] = {}
        for r in records:
            if r.title in matching:
                for v in values(r):
                    counts[v] = counts.get(v, 0) + 1
        out[name] = counts
    return out


ROLLUP_FILTERS = [
    ArticleFilter(),
    ArticleFilter(tickers=("NVDA",)),
    ArticleFilter(topics=("earnings",), sample=False),
    ArticleFilter(sources=("CNBC",), sample=True),
    ArticleFilter(tickers=("NVDA",), topics=("earnings",)),
    ArticleFilter(tickers=("NVDA",), sources=("Reuters",), leads_only=True),
    ArticleFilter(topics=("earnings",), leads_only=True),
    ArticleFilter(topics=("earnings",), sources=("CNBC",)),
    ArticleFilter(sources=("Reuters",), leads_only=True),
]


def test_counts_and_facets_answered_by_the_rollups_match_counting(engine, corpus):
    with Session(engine) as s:
        for flt in ROLLUP_FILTERS:
            assert count_stories(s, flt) == Count(len(titles(engine, flt, limit=1000))), flt
            facets = {k: dict(v) for k, v in facet_summary(s, flt).counts.items()}
            assert facets == facet_oracle(engine, corpus, flt), flt


def test_a_count_beyond_the_rollups_stops_at_the_cap_and_says_so(engine, corpus):
    flt = ArticleFilter(min_impact=0.2)
    with Session(engine) as s:
        capped = count_stories(s, flt, cap=5)
        assert (capped, str(capped)) == (Count(5, exact=False), "5+")
        assert count_stories(s, flt, cap=1000) == Count(len(oracle(corpus, flt)))
        assert count_stories(s, ArticleFilter(tickers=("NVDA",)), cap=2).exact
        newest = set(oracle(corpus, ArticleFilter())[:10]) & set(oracle(corpus, flt))
        assert count_stories(s, flt, window=10) == Count(len(newest), exact=False)


def test_facets_beyond_the_rollups_count_among_the_newest_stories_and_say_how_many(engine, corpus):
    flt = ArticleFilter(text="story", min_impact=0.3)  # every title has "Story"
    newest = set(oracle(corpus, ArticleFilter())[:10]) & set(oracle(corpus, flt))
    expected: dict[str, int] = {}
    for r in corpus:
        if r.title in newest:
            for t in r.tickers:
                expected[t] = expected.get(t, 0) + 1
    with Session(engine) as s:
        bounded = facet_summary(s, flt, window=10)
        full = facet_summary(s, flt)
    assert bounded.window == 10 and dict(bounded.counts["tickers"]) == expected
    assert full.window is None
    assert {k: dict(v) for k, v in full.counts.items()} == facet_oracle(engine, corpus, flt)


def test_three_counted_facets_share_one_window_so_the_work_stays_bounded(engine, corpus):
    """A ticker, topic and source filter leaves three filters to count (each facet drops its
    own): each counts among a third of the window's candidates."""
    from terminal.counts import _windowed

    flt = ArticleFilter(tickers=("NVDA",), topics=("earnings",), sources=("Reuters",))
    with Session(engine) as s:
        bounded = facet_summary(s, flt, window=12)
        assert bounded.window == 4
        for name, values in (
            ("tickers", lambda r: r.tickers),
            ("topics", lambda r: r.topics),
            ("sources", lambda r: [r.publisher]),
        ):
            within, cut = _windowed(s, flt.without(name), 4)
            assert cut, name
            matching = set(oracle(corpus, within))
            expected: dict[str, int] = {}
            for r in corpus:
                if r.title in matching:
                    for v in values(r):
                        expected[v] = expected.get(v, 0) + 1
            assert expected and dict(bounded.counts[name]) == expected, name
        one = facet_summary(s, ArticleFilter(tickers=("NVDA",), topics=("earnings",)), window=2)
        assert one.window == 2  # one filter left to count: the whole window is its own
    assert {k: dict(v) for k, v in facet_summary_full(engine, flt).items()} == facet_oracle(
        engine, corpus, flt
    )


def facet_summary_full(engine, flt):
    with Session(engine) as s:
        full = facet_summary(s, flt)
    assert full.window is None
    return full.counts


def rollup_rows(engine) -> set[tuple[object, ...]]:
    with Session(engine) as s:
        found = s.execute(select(FacetRollup).where(FacetRollup.n != 0)).scalars()
        return {(r.by_dim, r.by_value, r.dim, r.value, r.lead, r.sample, r.n) for r in found}


def assert_rollups_exact(engine) -> None:
    kept = rollup_rows(engine)
    with Session(engine) as s, s.begin():
        rollups.rebuild(s)
    assert kept == rollup_rows(engine)


def test_rollups_stay_exact_through_inserts_new_cluster_leads_and_sample_removal(engine):
    title = "Nvidia beats estimates as data-center revenue soars"
    later = story(5, title=title, tickers=["NVDA"], topics=["earnings"], publisher="CNBC")
    store(engine, [later, story(6, tickers=["TSLA"], is_sample=True)])
    assert_rollups_exact(engine)
    earlier = story(2, title=title + " - Reuters", tickers=["NVDA"], publisher="Reuters")
    store(engine, [earlier, story(7, tickers=["AMD", "NVDA"], topics=["m-and-a"])])
    with Session(engine) as s:
        leads = ArticleFilter(tickers=("NVDA",), leads_only=True)
        assert count_stories(s, leads) == Count(2)  # the CNBC story is no longer a lead
        assert dict(facet_counts(s, leads)["sources"]) == {"Reuters": 1, "Example Wire": 1}
    assert_rollups_exact(engine)
    store(engine, [story(8, tickers=["NVDA"], is_sample=True)], is_sample=True)
    with Session(engine) as s, s.begin():
        delete_sample(s)
    assert_rollups_exact(engine)
    with Session(engine) as s:
        assert count_stories(s, ArticleFilter(tickers=("NVDA",))) == Count(3)


@pytest.mark.parametrize("walk", [False, True])
def test_rollups_count_new_followers_as_clustering_leaves_them(engine, monkeypatch, walk):
    """An import counts its stories after clustering them: a story repeating a stored one,
    two copies of one event in the same batch, a copy earlier than the stored report (which
    then stops leading) and stories on their own all leave the counts a recount gives;
    by the window and by the index walk."""
    import terminal.neighbours as neighbours

    if walk:
        monkeypatch.setattr(neighbours, "WINDOW_MAX", 0)
    title = "Nvidia beats estimates as data-center revenue soars"
    recall = "Tesla recalls 100,000 vehicles over seat belts"
    store(engine, [story(10, title=title, tickers=["NVDA"], topics=["earnings"])])
    store(
        engine,
        [
            story(12, title=title + " - CNBC", tickers=["NVDA"], publisher="CNBC"),
            story(13, title=recall, tickers=["TSLA"], topics=["autos"]),
            story(14, title=recall + " - Reuters", tickers=["TSLA"], publisher="Reuters"),
            story(15, tickers=["AMD"], topics=["ai"], is_sample=True),
            story(8, title=title + " - Reuters", tickers=["NVDA", "AMD"], publisher="Reuters"),
        ],
    )
    with Session(engine) as s:
        leads = dict(s.execute(select(Article.url, Article.is_cluster_lead)).all())
    assert sorted(leads.values()) == [False, False, False, True, True, True]
    assert_rollups_exact(engine)
    with Session(engine) as s:
        flt = ArticleFilter(tickers=("NVDA",), leads_only=True)
        assert count_stories(s, flt) == Count(1)
        assert dict(facet_counts(s, flt)["sources"]) == {"Reuters": 1}


def test_rollups_of_a_mixed_batch_equal_a_recount(engine):
    """A batch with repeated tickers, no tickers, no publisher, many topics, sample and
    live stories (and a story given twice) leaves the same counts as counting the
    stored rows."""
    batch = [
        story(1, tickers=["NVDA", "NVDA", "AMD"], topics=["earnings", "ai", "earnings"]),
        story(2, tickers=[], topics=["macro-rates"], publisher=""),
        story(3, tickers=["TSLA"], topics=[], is_sample=True),
        story(4, tickers=["NVDA"], topics=["ai"], publisher="Reuters"),
        story(4, tickers=["NVDA"], topics=["ai"], publisher="Reuters"),
        story(5, tickers=["AMD", "INTC"], topics=["earnings", "m-and-a"], publisher="CNBC"),
    ]
    summary = store(engine, batch)
    assert summary.inserted == 5 and summary.duplicates == 1
    assert_rollups_exact(engine)
    with Session(engine) as s:
        assert count_stories(s, ArticleFilter(tickers=("NVDA",), topics=("ai",))) == Count(2)


@pytest.mark.parametrize(
    ("flt", "drives"),
    [
        (ArticleFilter(tickers=("NVDA",), topics=("m-and-a",)), "topics"),
        (ArticleFilter(tickers=("AMD",), topics=("earnings",)), "tickers"),
        (ArticleFilter(tickers=("NVDA", "TSLA"), topics=("earnings", "m-and-a")), "topics"),
    ],
)
def test_the_smaller_side_of_a_ticker_and_topic_filter_drives_the_walk(corpus, engine, flt, drives):
    from terminal.query import driving_link

    with Session(engine) as s:
        assert driving_link(flt, s).name == drives
        assert driving_link(flt).name == "tickers"  # without counts: tickers first
        got = [r.title for r in list_articles(s, flt, limit=100).items]
        counted = count_stories(s, flt)
    assert got == oracle(corpus, flt) and got
    assert counted.n == len(got)


@pytest.mark.parametrize(
    "flt",
    [
        ArticleFilter(tickers=("NVDA",), topics=("earnings",), sources=("Reuters",)),
        ArticleFilter(text="story", min_impact=0.3),
        ArticleFilter(tickers=("NVDA",), topics=("earnings",)),
    ],
)
def test_facets_to_count_are_counted_side_by_side_on_connections_of_their_own(engine, corpus, flt):
    """When several facets need counting, each runs on a connection of its own in a pool
    thread, at the same time as the others; the counts and the window are those of
    counting one after the other."""
    import threading

    from sqlalchemy import event

    from db.engine import side_engine

    threads: set[str] = set()

    def record(*_args) -> None:
        threads.add(threading.current_thread().name)

    with Session(engine) as s:
        serial = facet_summary(s, flt, window=12, parallel=False)
    engines = {engine, side_engine(engine)}  # SQLite counts beside on engines of their own
    for each in engines:
        event.listen(each, "before_cursor_execute", record)
    try:
        with Session(engine) as s:
            side_by_side = facet_summary(s, flt, window=12)
    finally:
        for each in engines:
            event.remove(each, "before_cursor_execute", record)
    assert side_by_side == serial and serial.counts["tickers"]
    counted = sum(1 for name in ("tickers", "topics", "sources") if _counted(flt, name))
    # Two or three to count: in the pool's threads; one alone: in the caller's.
    assert any(t.startswith("facets") for t in threads) == (counted > 1)


def _counted(flt: ArticleFilter, name: str) -> bool:
    from terminal.counts import rollup_keys

    keys = rollup_keys(flt.without(name))
    return keys is None or len(keys) > 1


def test_facets_bounded_by_the_same_walk_look_for_its_floor_once(engine, corpus):
    """Ticker, topic and source, counted in one session: the tickers facet (topic + source)
    and the sources facet (ticker + topic, walked by the topic) are bounded by the same
    walk of the topic's index; it is read once, and the counts are those of separate
    sessions."""
    from sqlalchemy import event

    flt = ArticleFilter(tickers=("NVDA",), topics=("earnings",), sources=("Reuters",))
    apart = {}
    for name in ("tickers", "topics", "sources"):
        with Session(engine) as s:
            apart[name] = facet_summary(s, flt, window=12).counts[name]
    seen: list[str] = []

    def record(_conn, _cursor, statement, *_args) -> None:
        seen.append(" ".join(statement.split()).lower())

    event.listen(engine, "before_cursor_execute", record)
    try:
        with Session(engine) as s:
            together = facet_summary(s, flt, window=12, parallel=False)
    finally:
        event.remove(engine, "before_cursor_execute", record)
    assert together.counts == apart and together.window == 4
    floors = [q for q in seen if q.startswith("select min(")]
    assert len(floors) == 2 and sum("article_topics" in q for q in floors) == 1


def test_the_sizes_deciding_the_walk_are_read_once_per_session(corpus, engine):
    """A page asks which side of a ticker and topic filter is smaller for its count, its
    facets and its rows: one look-up per session answers them all; a new session asks again."""
    from sqlalchemy import event

    from terminal.query import driving_link

    flt = ArticleFilter(tickers=("NVDA",), topics=("m-and-a",))
    seen: list[str] = []

    def record(_conn, _cursor, statement, *_args) -> None:
        seen.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        for _ in range(2):
            with Session(engine) as s:
                assert [driving_link(flt, s).name for _ in range(3)] == ["topics"] * 3
                assert (
                    driving_link(ArticleFilter(tickers=("AMD",), topics=("earnings",)), s).name
                    == "tickers"
                )
    finally:
        event.remove(engine, "before_cursor_execute", record)
    assert sum("facet_rollups" in statement for statement in seen) == 4


def test_a_walk_filtered_only_by_links_never_reads_the_story_rows(engine, corpus):
    """Ticker + topic (all sources shown): the walk tests the other link from the link row;
    a filter on the story itself (cluster leads) joins the story row as before."""
    from terminal.query import keys_stmt

    links_only = ArticleFilter(tickers=("NVDA",), topics=("earnings",))
    with Session(engine) as s:
        plain = str(keys_stmt(s, links_only, limit=50, before=None).compile(s.get_bind()))
        leads = replace(links_only, leads_only=True)
        joined = str(keys_stmt(s, leads, limit=50, before=None).compile(s.get_bind()))
    assert "JOIN articles" not in plain and "JOIN articles" in joined
    assert titles(engine, links_only, limit=1000) == oracle(corpus, links_only)


def test_every_filter_on_the_story_row_makes_a_walk_read_the_row():
    """`_links_only` must know every field: only links and dates leave the row unread."""
    from dataclasses import fields
    from datetime import UTC, datetime

    from terminal.query import _links_only

    samples = {
        "tickers": ("NVDA",), "topics": ("earnings",), "sources": ("Reuters",),
        "text": "chips", "since": datetime(2025, 1, 1, tzinfo=UTC),
        "until": datetime(2026, 1, 1, tzinfo=UTC), "min_impact": 0.5, "max_impact": 0.5,
        "sentiment": "negative", "sample": False, "leads_only": True,
    }  # fmt: skip
    assert {f.name for f in fields(ArticleFilter)} == set(samples)
    for name, value in samples.items():
        alone = _links_only(ArticleFilter(**{name: value}))
        assert alone == (name in ("tickers", "topics", "since", "until")), name


def test_facets_to_count_are_split_into_one_job_per_core_costliest_alone():
    """A search term's three facets share one filter: on two cores topics (the most link
    rows) are counted beside tickers and sources (one read of the window each), on three
    each alone; facets of different filters are never merged."""
    from terminal.counts import _spread

    text = ArticleFilter(text="chips")
    one = [(text, ["tickers", "topics", "sources"])]
    assert _spread(one, 1) == one
    assert _spread(one, 2) == [(text, ["tickers", "sources"]), (text, ["topics"])]
    assert sorted(n for _, [n] in _spread(one, 3)) == ["sources", "tickers", "topics"]
    apart = [(ArticleFilter(text="a"), ["tickers"]), (ArticleFilter(text="b"), ["topics"])]
    assert _spread(apart, 2) == apart and _spread(apart, 4) == apart


@pytest.mark.postgres
def test_postgres_checks_the_other_link_per_candidate_not_as_a_semi_join(postgres_db):
    """A ticker and topic filter walks the smaller side and tests the other per story:
    PostgreSQL must probe the link index for each candidate, not turn the test into a
    semi-join (at 1M it hashed all 218,000 NVDA links to keep 2,178 of 10,000 stories)."""
    from terminal.query import keys_stmt

    store(postgres_db, [story(i, tickers=["NVDA"], topics=["earnings"]) for i in range(30)])
    flt = ArticleFilter(tickers=("NVDA",), topics=("earnings",))
    with Session(postgres_db) as s:
        stmt = keys_stmt(s, flt, limit=10_000, before=None)
        compiled = stmt.compile(
            dialect=postgres_db.dialect, compile_kwargs={"render_postcompile": True}
        )
        raw = s.connection().connection.cursor()
        raw.execute("EXPLAIN " + str(compiled), compiled.params)
        plan = "\n".join(row[0] for row in raw.fetchall())
    assert "SubPlan" in plan and "Semi Join" not in plan, plan


RANKED = [
    *SINGLE,
    ArticleFilter(tickers=("NVDA",), topics=("earnings",)),
    ArticleFilter(text="guidance"),
    ArticleFilter(text="story", min_impact=0.3),
]


@pytest.mark.parametrize("window", [0, 10_000], ids=["many-matches", "few-matches"])
@pytest.mark.parametrize("flt", RANKED, ids=lambda f: repr(f)[13:70])
def test_impact_ranked_pages_are_exact_whichever_way_they_are_found(
    engine, corpus, flt, window, monkeypatch
):
    """Sort by impact: the matching stories, highest impact first (newest first among
    equals), page after page, whether they were all read and ranked (few matches) or
    found walking the impact index (many: `window` 0 forces it)."""
    from terminal import ranking

    monkeypatch.setattr(ranking, "RANK_WINDOW", window)
    by_title = {r.title: r for r in corpus}
    matching = titles(engine, flt, limit=1000)  # newest first, checked against the oracle
    expected = sorted(
        matching, key=lambda t: (by_title[t].impact, by_title[t].published_at), reverse=True
    )
    pages = [titles(engine, flt, limit=7, offset=o, sort="impact") for o in range(0, 49, 7)]
    assert [t for page in pages for t in page] == expected
    assert titles(engine, flt, limit=100, sort="move") == matching  # no moves: newest first


def _impacts(n0: int, count: int, ticker: str) -> list:
    """`count` stories on `ticker` with distinct impacts, the newest not the highest."""
    return [
        story(n, title=f"Ranked {ticker} {n}", tickers=[ticker], impact=((n * 37) % 100) / 100)
        for n in range(n0, n0 + count)
    ]


def _by_impact(engine, ticker: str) -> list[str]:
    with Session(engine) as s:
        rows = s.execute(
            select(Article.title)
            .where(Article.title.like(f"Ranked {ticker} %"))
            .order_by(Article.impact.desc(), Article.pub_key.desc())
        ).all()
    return [r[0] for r in rows]


def test_a_remembered_count_never_makes_a_ranked_page_wrong(engine, monkeypatch):
    """The roll-up count that picks the way to a ranking's top is remembered; when the
    filter has since gained more matches than the way for few can read, the page is
    still the exact ranking (that way counts what it read and gives way), and so is a
    page past what it could read."""
    from terminal import ranking

    monkeypatch.setattr(ranking, "RANK_WINDOW", 5)
    store(engine, _impacts(0, 3, "ZZR"))
    flt = ArticleFilter(tickers=("ZZR",))
    assert titles(engine, flt, limit=10, sort="impact") == _by_impact(engine, "ZZR")  # 3: few
    store(engine, _impacts(3, 20, "ZZR"))  # 23 now; the count of 3 is remembered
    expected = _by_impact(engine, "ZZR")
    assert len(expected) == 23
    assert titles(engine, flt, limit=4, sort="impact") == expected[:4]
    store(engine, _impacts(23, 3, "ZZS"))
    other = ArticleFilter(tickers=("ZZS",))
    assert titles(engine, other, limit=4, sort="impact") == _by_impact(engine, "ZZS")[:4]
    store(engine, _impacts(26, 20, "ZZS"))  # the way for few would read 6: page 4 is past it
    assert (
        titles(engine, other, limit=4, offset=12, sort="impact")
        == (_by_impact(engine, "ZZS")[12:16])
    )


def test_a_remembered_search_count_never_makes_a_ranked_page_wrong(engine, monkeypatch):
    """A search term's count (SQLite counts its full-text matches, up to the window) is
    remembered too, with the same checks: a first page, and a page past what the way
    for few could read."""
    from terminal import ranking

    monkeypatch.setattr(ranking, "RANK_WINDOW", 5)

    def worded(n0: int, count: int, word: str) -> list:
        return [replace(r, title=f"{r.title} {word}") for r in _impacts(n0, count, word)]

    for n0, word, offset in ((0, "quuxite", 0), (100, "frobnite", 12)):
        flt = ArticleFilter(text=word)
        store(engine, worded(n0, 3, word))
        assert titles(engine, flt, limit=10, sort="impact") == _by_impact(engine, word)
        store(engine, worded(n0 + 3, 20, word))  # 23 now; the count of 3 is remembered
        expected = _by_impact(engine, word)
        assert len(expected) == 23
        page = titles(engine, flt, limit=4, offset=offset, sort="impact")
        assert page == expected[offset : offset + 4]


def test_the_count_that_picks_the_way_is_asked_once_in_a_while(engine, monkeypatch):
    from terminal import ranking

    asked: list[int] = []
    count = rollup_reads.count
    monkeypatch.setattr(rollup_reads, "count", lambda *a, **kw: asked.append(1) or count(*a, **kw))
    store(engine, _impacts(0, 3, "ZZT"))
    flt = ArticleFilter(tickers=("ZZT",))
    for _ in range(3):
        assert titles(engine, flt, limit=10, sort="impact") == _by_impact(engine, "ZZT")
    assert len(asked) == 1
    monkeypatch.setattr(ranking, "SIZE_SECONDS", 0.0)
    titles(engine, flt, limit=10, sort="impact")
    assert len(asked) == 2
    if engine.dialect.name == "sqlite":  # a search term's count along its walk, likewise
        monkeypatch.setattr(ranking, "SIZE_SECONDS", 30.0)
        bounded = ranking._bounded_size
        monkeypatch.setattr(
            ranking, "_bounded_size", lambda *a, **kw: asked.append(2) or bounded(*a, **kw)
        )
        for _ in range(3):
            titles(engine, ArticleFilter(text="Ranked"), limit=10, sort="impact")
        assert asked.count(2) == 1


@pytest.mark.parametrize("leads_only", [False, True])
@pytest.mark.parametrize("sample", [None, False])
def test_roll_up_facets_read_at_once_equal_each_read_alone(engine, corpus, leads_only, sample):
    """The feed's roll-up facets come in one statement (a UNION ALL, each part in its own
    order and limit): the same values and counts as each facet's own statement, for
    pairs kept either way round, the sources' named-only rule, and the switches."""
    asks = [
        ("t", None),
        ("p", ("t", "NVDA")),  # kept as (topic, ticker): read through the reverse index
        ("s", ("t", "NVDA")),
        ("t", ("p", "earnings")),
        ("s", None),
    ]
    with Session(engine) as s:
        alone = [
            rollup_reads.top_values(s, dim, by, leads_only=leads_only, sample=sample, top=3)
            for dim, by in asks
        ]
        together = rollup_reads.top_values_many(
            s, asks, leads_only=leads_only, sample=sample, top=3
        )
    assert together == alone
    assert all(alone) and any(len(found) == 3 for found in alone)  # limits that cut
