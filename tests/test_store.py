"""Writing stories: dedupe, links with time keys, UTC, a bad row never sinks a batch."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from db.models import Article, ArticleTicker, ArticleTopic, IngestRun
from terminal import pipeline, writer
from terminal.clustering import REPEAT_FACTOR
from terminal.counts import count_stories
from terminal.enrich.clusters import title_fingerprint, title_signature
from terminal.importers import read_path
from terminal.importers.structured import JsonLine
from terminal.ingestion import ingest_target
from terminal.nearest import entry
from terminal.pipeline import prepare, prepared, store_result
from terminal.query import ArticleFilter, list_articles
from terminal.store import delete_sample
from terminal.timekeys import to_pub_key
from tests.conftest import FIRST_ARTICLE
from tests.helpers import T0, store, story


def count(engine, model=Article) -> int:
    with Session(engine) as s:
        return s.scalar(select(func.count()).select_from(model))


def test_storing_twice_adds_nothing(engine):
    records = [story(i, tickers=["NVDA"], topics=["earnings"]) for i in range(5)]
    first = store(engine, records)
    second = store(engine, [story(i, tickers=["NVDA"], topics=["earnings"]) for i in range(5)])
    assert (first.inserted, first.duplicates) == (5, 0)
    assert (second.inserted, second.duplicates) == (0, 5)
    assert count(engine) == 5
    assert count(engine, ArticleTicker) == 5


def test_new_ids_follow_the_highest_stored_one_and_link_each_story(engine):
    """SQLite's new ids are given by the store (max(id) + 1 onwards, as SQLite would give
    them), PostgreSQL's come from its sequence and are looked up: either way each id
    names its own story, and its links point at it, after the newest story was deleted
    and with a duplicate in the batch."""
    store(engine, [story(i, tickers=["NVDA"]) for i in range(3)])
    with Session(engine) as s, s.begin():
        newest = s.scalar(select(func.max(Article.id)))
        s.execute(ArticleTicker.__table__.delete().where(ArticleTicker.article_id == newest))
        s.execute(Article.__table__.delete().where(Article.id == newest))
    batch = [story(10 + i, title=f"Story number {10 + i} about chips", tickers=[f"T{i}"])
             for i in range(4)] + [story(0, tickers=["NVDA"])]  # fmt: skip
    saved = store(engine, batch)
    assert (saved.inserted, saved.duplicates) == (4, 1)
    with Session(engine) as s:
        got = dict(
            s.execute(
                select(Article.id, Article.title).where(Article.id.in_(saved.inserted_ids))
            ).all()
        )
        links = dict(
            s.execute(
                select(ArticleTicker.article_id, ArticleTicker.symbol).where(
                    ArticleTicker.article_id.in_(saved.inserted_ids)
                )
            ).all()
        )
    assert [got[i] for i in saved.inserted_ids] == [
        f"Story number {10 + i} about chips" for i in range(4)
    ]
    assert [links[i] for i in saved.inserted_ids] == ["T0", "T1", "T2", "T3"]
    if engine.dialect.name == "sqlite":
        assert saved.inserted_ids == list(range(newest, newest + 4))


def test_same_url_with_tracking_tags_or_fragment_is_the_same_story(engine):
    store(engine, [story(1, url="https://x.com/a?utm_source=tw#top")])
    again = store(engine, [story(2, url="https://X.com/a/")])
    assert again.duplicates == 1


def test_stories_without_url_dedupe_on_guid_or_content(engine):
    a = story(1, url=None, guid="tag:wire,1")
    b = story(2, url=None, guid=None, title="Same words", publisher="P")
    store(engine, [a, b])
    result = store(
        engine,
        [
            story(9, url=None, guid="tag:wire,1"),
            story(3, url=None, title="Same words", publisher="P", summary="Summary of story 2."),
        ],
    )
    assert result.duplicates == 2


def test_times_are_stored_in_utc_and_links_carry_the_time_key(engine):
    eastern = timezone(timedelta(hours=-4))
    store(
        engine,
        [
            story(
                1,
                published_at=datetime(2025, 9, 18, 10, 30, tzinfo=eastern),
                tickers=["NVDA"],
                topics=["earnings"],
            )
        ],
    )
    with Session(engine) as s:
        article = s.scalars(select(Article)).one()
        link = s.scalars(select(ArticleTicker)).one()
        topic = s.scalars(select(ArticleTopic)).one()
    assert article.published_at == datetime(2025, 9, 18, 14, 30, tzinfo=UTC)
    assert link.pub_key == topic.pub_key == article.pub_key == to_pub_key(article.published_at)


def test_stories_published_in_the_same_second_get_distinct_keys(engine):
    same = datetime(2025, 1, 2, 15, 0, tzinfo=UTC)
    result = store(engine, [story(i, published_at=same) for i in range(4)])
    assert result.inserted == 4
    with Session(engine) as s:
        keys = list(s.scalars(select(Article.pub_key)))
    assert len(set(keys)) == 4


def test_source_tickers_and_topics_are_kept_and_ours_are_computed(engine):
    parsed = read_path(FIRST_ARTICLE, published_at=datetime(2025, 9, 18, 14, 30, tzinfo=UTC))
    store_result(engine, parsed, label="first", kind="file")
    with Session(engine) as s:
        article = s.scalars(select(Article)).one()
        symbols = list(s.scalars(select(ArticleTicker.symbol).order_by(ArticleTicker.symbol)))
        topics = list(s.scalars(select(ArticleTopic.topic)))
    assert article.impact == 0.5
    assert article.impact_model is not None and 0 <= article.impact_model <= 1
    assert article.sentiment is not None and -1 <= article.sentiment <= 1
    assert symbols == ["INTC", "NVDA", "TSLA"]
    assert len(topics) == 6


def test_ingesting_a_file_twice_adds_nothing_and_logs_both_runs(engine, tmp_path):
    first = ingest_target(engine, str(FIRST_ARTICLE))
    second = ingest_target(engine, str(FIRST_ARTICLE))
    assert (first.inserted, second.inserted, second.duplicates) == (1, 0, 1)
    with Session(engine) as s:
        runs = list(s.scalars(select(IngestRun).order_by(IngestRun.id)))
    assert [(r.inserted, r.duplicates, r.status) for r in runs] == [(1, 0, "ok"), (0, 1, "ok")]


def test_a_missing_file_is_a_failed_run_not_an_exception(engine, tmp_path):
    summary = ingest_target(engine, str(tmp_path / "nope.json"))
    assert summary.status == "failed"
    assert "cannot read" in summary.error


def test_removing_the_sample_set_keeps_live_stories(engine):
    store(engine, [story(1, tickers=["NVDA"])], is_sample=True)
    store(engine, [story(2, tickers=["NVDA"])])
    with Session(engine) as s, s.begin():
        assert delete_sample(s) == 1
    assert count(engine) == 1
    assert count(engine, ArticleTicker) == 1


def test_removing_a_sample_story_hands_its_cluster_to_the_live_story_left(engine):
    """A live report of the sample's event joins its cluster as a repeat (its model impact
    lowered: no novelty); without the sample it leads, with its impact back."""
    title = "Nvidia beats estimates as data-center revenue soars"
    store(engine, [story(1, title=title, tickers=["NVDA"])], is_sample=True)
    alone = prepare(story(2, title=title + " - CNBC", tickers=["NVDA"], publisher="CNBC"))
    store(engine, [story(2, title=title + " - CNBC", tickers=["NVDA"], publisher="CNBC")])
    leads = ArticleFilter(leads_only=True)
    with Session(engine) as s:
        assert [r.publisher for r in list_articles(s, leads).items] == ["Example Wire"]
        repeat = s.scalars(select(Article).where(Article.publisher == "CNBC")).one()
        assert alone.impact_model and repeat.impact_model == pytest.approx(
            alone.impact_model * REPEAT_FACTOR
        )
    with Session(engine) as s, s.begin():
        assert delete_sample(s) == 1
    with Session(engine) as s:
        live = s.scalars(select(Article)).one()
        assert (live.cluster_id, live.cluster_size, live.is_cluster_lead) == (None, 1, True)
        assert live.impact_model == pytest.approx(alone.impact_model)
        assert live.impact_score == pytest.approx(alone.impact_model)  # no source impact
        page = list_articles(s, leads)
        assert [r.publisher for r in page.items] == ["CNBC"]
        assert count_stories(s, leads).n == 1


def test_near_duplicate_headlines_from_two_outlets_form_one_cluster(engine):
    a = story(
        1,
        title="Nvidia beats estimates as data-center revenue soars",
        tickers=["NVDA"],
        publisher="Reuters",
    )
    b = story(
        2,
        title="Nvidia beats estimates as data center revenue soars - CNBC",
        tickers=["NVDA"],
        publisher="CNBC",
    )
    c = story(3, title="Tesla recalls 100,000 vehicles over seat belts", tickers=["TSLA"])
    store(engine, [a])
    store(engine, [b, c])
    with Session(engine) as s:
        rows = {r.publisher: r for r in s.scalars(select(Article))}
    assert rows["Reuters"].cluster_id == rows["CNBC"].cluster_id is not None
    assert rows["Reuters"].is_cluster_lead and not rows["CNBC"].is_cluster_lead
    assert rows["Reuters"].cluster_size == 2
    alone = prepare(story(2, title=b.title, tickers=["NVDA"], publisher="CNBC")).impact_model
    assert rows["CNBC"].impact_model == pytest.approx(alone * 0.4)
    assert rows["Example Wire"].cluster_id is None


def test_a_story_at_a_stored_microsecond_takes_the_next_free_key(engine):
    same = datetime(2025, 1, 2, 15, 0, tzinfo=UTC)
    store(engine, [story(1, published_at=same)])
    years_later = same + timedelta(days=1500)
    store(
        engine,
        [
            story(2, published_at=same),
            story(3, published_at=years_later),
            story(4, published_at=same),
        ],
    )
    with Session(engine) as s:
        keys = sorted(s.scalars(select(Article.pub_key)))
    first = to_pub_key(same)
    assert keys == [first, first + 1, first + 2, to_pub_key(years_later)]


def test_stored_stories_keep_their_title_words_and_are_found_by_text(engine):
    title = "Nvidia Shares Fall After China Ban - Reuters"
    store(engine, [story(1, title=title), story(2, title="Tesla recalls cars")])
    with Session(engine) as s:
        words = {t: w for t, w in s.execute(select(Article.title, Article.title_words))}
        found = list_articles(s, ArticleFilter(text="china ban")).items
    assert words[title] == title_fingerprint(title) == "ban china fall nvidia share"
    assert [row.title for row in found] == [title]


def test_stories_stored_without_title_words_still_cluster(engine):
    title = "Nvidia beats estimates as data-center revenue soars"
    store(engine, [story(1, title=title, tickers=["NVDA"], publisher="Reuters")])
    with Session(engine) as s, s.begin():
        s.execute(update(Article).values(title_words=None))
    store(engine, [story(2, title=title + " - CNBC", tickers=["NVDA"], publisher="CNBC")])
    with Session(engine) as s:
        clusters = set(s.scalars(select(Article.cluster_id)))
    assert len(clusters) == 1 and None not in clusters


def _titles(batches) -> list[str]:
    return [record.title for batch in batches for record in batch]


def test_a_parallel_import_comes_back_tagged_in_order_in_bounded_batches(monkeypatch):
    monkeypatch.setattr(pipeline, "PARALLEL_MIN", 1)
    monkeypatch.setattr(pipeline, "CHUNK", 3)
    monkeypatch.setattr(pipeline, "MAX_BATCH", 7)
    records = [story(i, title=f"Nvidia story {i} beats estimates") for i in range(20)]
    batches = list(prepared(records, fork=True))
    assert _titles(batches) == [f"Nvidia story {i} beats estimates" for i in range(20)]
    assert all(0 < len(batch) <= 7 for batch in batches)
    tagged = [record for batch in batches for record in batch]
    assert all(r.title_words and r.tickers == ["NVDA"] for r in tagged)


def _transaction_sizes(monkeypatch) -> list[int]:
    """The stories of each transaction a large import commits, as it commits them."""
    sizes: list[int] = []
    commit = writer.Writer.commit

    def counted(self):
        if self.session is not None:
            sizes.append(sum(len(batch) for batch, _ in self.held))
        commit(self)

    monkeypatch.setattr(writer.Writer, "commit", counted)
    return sizes


def test_an_imports_last_stories_get_a_transaction_of_their_own(engine, monkeypatch):
    """So the import waits only for their checkpoint (terminal/writer.py, TAIL_STORIES):
    the last batch is split, and every story is stored once, in order."""
    monkeypatch.setattr(pipeline, "PARALLEL_MIN", 1)
    monkeypatch.setattr(pipeline, "CHUNK", 5)
    monkeypatch.setattr(writer, "TAIL_STORIES", 4)
    monkeypatch.setattr(writer, "COMMIT_STORIES", 10)
    sizes = _transaction_sizes(monkeypatch)
    records = [story(i, title=f"Story {i} of the import", tickers=[f"T{i}"]) for i in range(23)]
    summary = store(engine, records, fork=True)
    assert summary.inserted == 23 and sum(sizes) == 23
    assert sizes[-1] == 4 and all(size > 0 for size in sizes)
    with Session(engine) as s:
        titles = s.scalars(select(Article.title).order_by(Article.id)).all()
    assert titles == [f"Story {i} of the import" for i in range(23)]


def test_the_last_batch_is_known_when_items_read_in_the_workers_are_turned_away(
    engine, monkeypatch, tmp_path
):
    """A file read in the tagging workers: its items turned away there still count
    towards the import's end, so the last batch is still found and split."""
    monkeypatch.setattr(pipeline, "PARALLEL_MIN", 1)
    monkeypatch.setattr(pipeline, "CHUNK", 5)
    monkeypatch.setattr(writer, "TAIL_STORIES", 4)
    monkeypatch.setattr(writer, "COMMIT_STORIES", 10)
    sizes = _transaction_sizes(monkeypatch)
    lines = [
        {"url": f"https://x.example/{i}", "title": f"Story {i} of the file",
         "published_at": (T0 + timedelta(hours=i)).isoformat()}
        if i not in (7, 21) else {"url": f"https://x.example/{i}"}  # no title: turned away
        for i in range(23)
    ]  # fmt: skip
    path = tmp_path / "stories.jsonl"
    path.write_text("\n".join(json.dumps(line) for line in lines) + "\n", encoding="utf-8")
    parsed = read_path(path, defer=True)
    assert parsed.pending is not None  # read in the workers
    summary = store_result(engine, parsed, label="file", kind="file", fork=True)
    assert summary.inserted == 21 and len(summary.rejected) == 2
    assert sum(sizes) == 21 and sizes[-1] == 4


def test_without_worker_processes_the_import_is_tagged_here(monkeypatch):
    def no_pool(*args, **kwargs):
        raise OSError("no processes in this sandbox")

    monkeypatch.setattr(pipeline, "PARALLEL_MIN", 1)
    monkeypatch.setattr(pipeline, "CHUNK", 3)
    monkeypatch.setattr(pipeline, "ProcessPoolExecutor", no_pool)
    records = [story(i) for i in range(10)]
    batches = list(prepared(records))
    assert _titles(batches) == [f"Story number {i} about markets" for i in range(10)]
    assert all(record.title_words for batch in batches for record in batch)


def test_a_flood_of_look_alike_headlines_never_makes_one_giant_cluster(engine, monkeypatch):
    import terminal.clustering as clustering

    monkeypatch.setattr(clustering, "MAX_CLUSTER", 10)
    same = datetime(2025, 3, 3, 15, 0, tzinfo=UTC)
    for batch in range(6):  # later batches would chain onto earlier clusters
        flood = [
            story(
                n,
                title=f"Headline number {n} about Nvidia chips",
                tickers=["NVDA"],
                published_at=same,
            )  # fmt: skip
            for n in range(batch * 10, batch * 10 + 10)
        ]
        store(engine, flood)
    with Session(engine) as s:
        sizes = [
            n
            for _, n in s.execute(
                select(Article.cluster_id, func.count())
                .where(Article.cluster_id.is_not(None))
                .group_by(Article.cluster_id)
            )
        ]
    assert sizes and max(sizes) <= 10
    assert min(sizes) >= 2  # no cluster of one
    assert sum(sizes) >= 50  # they still cluster, in bounded groups


def test_bulk_datetime_text_is_what_sqlalchemy_binds_on_sqlite():
    import random
    from zoneinfo import ZoneInfo

    from sqlalchemy.dialects import sqlite

    from db.types import UTCDateTime

    dialect = sqlite.dialect()
    column = UTCDateTime()
    reference = column.dialect_impl(dialect).bind_processor(dialect)
    rng = random.Random(4)
    zones = [None, UTC, timezone(timedelta(hours=14)), timezone(timedelta(hours=-9, minutes=-30)),
             ZoneInfo("America/New_York"), ZoneInfo("UTC")]  # fmt: skip
    moments = [datetime(1, 1, 2, tzinfo=UTC), datetime(9999, 12, 30, 23, 59, 59, 999_999)]
    for _ in range(3_000):
        moment = datetime(2000, 1, 1) + timedelta(microseconds=rng.randrange(10**15))
        if rng.random() < 0.2:
            moment = moment.replace(microsecond=0)
        zone = rng.choice(zones)
        moments.append(moment if zone is None else moment.replace(tzinfo=zone))
    for moment in moments:
        assert UTCDateTime.sqlite_text(moment) == reference(moment), moment


def test_each_story_time_is_stored_as_utc_text_in_its_row_and_its_links(sqlite_db):
    """The store binds a story's time once (`_article_values`, through the cached
    formatter) and its links reuse it: equal instants in other zones store the same UTC
    text, others their own, in the row and in every link."""
    from sqlalchemy import text as sql

    new_york = timezone(timedelta(hours=-5))
    base = datetime(2026, 3, 2, 14, 30, 0, 250_000, tzinfo=UTC)
    moments = [base, base.astimezone(new_york), base + timedelta(microseconds=1), base,
               base.replace(tzinfo=None) + timedelta(hours=1)]  # fmt: skip
    records = [
        story(i, title=f"Distinct headline number {i}", published_at=m, tickers=["NVDA"],
              topics=["earnings", "ai"])
        for i, m in enumerate(moments)
    ]  # fmt: skip
    assert store(sqlite_db, records).inserted == len(moments)
    expected = [
        "2026-03-02 14:30:00.250000",
        "2026-03-02 14:30:00.250000",
        "2026-03-02 14:30:00.250001",
        "2026-03-02 14:30:00.250000",
        "2026-03-02 15:30:00.250000",
    ]
    with sqlite_db.connect() as conn:
        rows = conn.execute(sql("SELECT id, published_at FROM articles ORDER BY url")).all()
        assert [t for _, t in rows] == expected
        for table in ("article_tickers", "article_topics"):
            links = conn.execute(sql(f"SELECT article_id, published_at FROM {table}")).all()
            assert len(links) == len(moments) * (1 if table == "article_tickers" else 2)
            assert set(links) <= set(rows)


def test_tagging_keys_the_story_as_the_store_does(engine):
    from terminal.store import dedupe_key

    records = [prepare(story(i, url=f"https://x.com/{i}?utm_source=tw")) for i in range(3)]
    records += [prepare(story(7, url=None, guid="tag:wire,7"))]
    assert [r.identity for r in records] == [
        (dedupe_key(r), f"https://x.com/{i}" if i < 3 else None) for i, r in enumerate(records)
    ]
    first = store(engine, records)
    again = store(engine, [story(i, url=f"https://x.com/{i}#top") for i in range(3)])
    assert (first.inserted, again.duplicates) == (4, 3)
    with Session(engine) as s:
        stored = dict(s.execute(select(Article.url, Article.dedupe_key)).all())
    assert stored["https://x.com/1"] == records[1].identity[0]


@pytest.mark.postgres
def test_a_story_the_database_refuses_is_rejected_alone(postgres_db):
    """PostgreSQL refuses a 30-character ticker (the column holds 24): the batch's COPY
    fails, the batch is retried story by story, and only that story is rejected."""
    records = [story(i, tickers=["NVDA"]) for i in range(5)]
    records[2].tickers = ["X" * 30]
    summary = store(postgres_db, records)
    assert summary.inserted == 4 and len(summary.rejected) == 1
    assert summary.rejected[0].location == "record 3" and "too long" in summary.rejected[0].reason
    assert count(postgres_db) == 4 and count(postgres_db, ArticleTicker) == 4


def test_text_and_extra_fields_come_back_as_written(engine):
    """Tabs, newlines, backslashes, quotes and non-ASCII text survive the bulk write (the
    driver's executemany on SQLite, COPY's text format on PostgreSQL), JSON extras too."""
    odd = 'Tab\there, line\nbreak, back\\slash, "quotes", \u00e9t\u00e9 \u2014 \u65e5\u672c'
    record = story(1, title=odd, summary=odd, extra={"desk": odd, "n": [1, 2], "none": None})
    assert store(engine, [record]).inserted == 1
    with Session(engine) as s:
        stored = s.scalars(select(Article)).one()
        assert (stored.title, stored.summary) == (odd, odd)
        assert stored.extra == {"desk": odd, "n": [1, 2], "none": None}


def test_every_field_of_a_new_story_lands_in_its_own_column(engine):
    """The store builds each row's values in column order itself (`_article_values`): each
    field comes back from its own column, the columns left alone take their defaults, and
    each link carries the story's time, key, signature, relevance and place."""
    from db.models import Source

    with Session(engine) as s, s.begin():
        s.add(Source(kind="rss", name="Wire", url="https://wire.example/rss", created_at=T0))
    with Session(engine) as s:
        source_id = s.scalar(select(Source.id))
    published = datetime(2026, 3, 2, 14, 30, 0, 250_000, tzinfo=UTC)
    record = story(
        1,
        title="Nvidia beats estimates as data-center revenue soars",
        published_at=published,
        guid="tag:wire,1",
        summary="the summary",
        body="the body",
        analysis="the analysis",
        publisher="Wire",
        language="en",
        tickers=["NVDA", "AMD"],
        topics=["earnings", "ai"],
        ticker_relevance={"NVDA": 0.9, "AMD": 0.3},
        impact=0.5,
        sentiment=-0.25,
        published_estimated=True,
        is_sample=True,
        extra={"desk": "tech"},
    )
    before = datetime.now(UTC)
    summary = store(engine, [record], source_id=source_id)
    with Session(engine) as s:
        a = s.scalars(select(Article)).one()
        tickers = s.scalars(select(ArticleTicker).order_by(ArticleTicker.position)).all()
        topics = s.scalars(select(ArticleTopic).order_by(ArticleTopic.position)).all()
    assert a.id == summary.inserted_ids[0]
    assert (a.url, a.guid, a.title) == (record.url, "tag:wire,1", record.title)
    assert (a.summary, a.body, a.analysis, a.publisher) == (
        "the summary", "the body", "the analysis", "Wire",
    )  # fmt: skip
    assert (a.source_id, a.published_at, a.pub_key) == (source_id, published, to_pub_key(published))
    assert (a.published_estimated, a.is_sample, a.language) == (True, True, "en")
    assert before <= a.ingested_at <= datetime.now(UTC)
    assert (a.impact, a.impact_score, a.sentiment) == (0.5, 0.5, -0.25)
    assert a.impact_model is not None and a.impact_model != a.impact_score
    assert a.extra == {"desk": "tech"}
    assert a.title_words == title_fingerprint(record.title) and a.dedupe_key
    assert (a.cluster_id, a.cluster_size, a.is_cluster_lead, a.lowered_as_repeat) == (
        None, 1, True, False,
    )  # fmt: skip
    assert [(t.symbol, t.relevance, t.position) for t in tickers] == [
        ("NVDA", 0.9, 0), ("AMD", 0.3, 1),
    ]  # fmt: skip
    assert [(t.topic, t.score, t.position) for t in topics] == [
        ("earnings", 1.0, 0),
        ("ai", 1.0, 1),
    ]
    for link in [*tickers, *topics]:
        assert (link.article_id, link.pub_key, link.published_at) == (a.id, a.pub_key, published)
        # The walk entry: the time key, id and title signature, packed.
        assert link.walk_entry == entry(a.pub_key, a.id, title_signature(a.title_words.split()))


def _mixed_jsonl(path) -> None:
    """30 stories, one broken line, one item without a title, one with a bad link, one repeat."""
    import json

    lines = []
    for i in range(30):
        item = {
            "title": f"Nvidia story {i} beats estimates",
            "url": f"https://news.example.com/{i}",
            "published_at": f"2026-03-{1 + i % 28:02d}T12:00:00Z",
            "publisher": ["Reuters", "CNBC"][i % 2],
            "tickers": ["NVDA"] if i % 3 else ["NVDA", "AMD"],
        }
        if i == 14:
            item["url"] = "javascript:alert(1)"
        lines.append(json.dumps(item))
    lines.insert(6, "{not json")
    lines.insert(11, json.dumps({"summary": "no title here"}))
    lines.append(lines[3])  # the same story again
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def test_a_file_read_in_the_tagging_workers_stores_what_reading_it_first_does(
    tmp_path, monkeypatch
):
    """`ingest FILE` defers reading a structured file's items (a JSONL file's lines not even
    decoded) to the tagging workers: the
    stored stories, rejections (with their lines), warnings and counts are those of reading
    it whole first."""
    from tests.conftest import sqlite_engine

    monkeypatch.setattr(pipeline, "PARALLEL_MIN", 10)
    monkeypatch.setattr(pipeline, "CHUNK", 4)
    monkeypatch.setattr(pipeline, "MAX_BATCH", 8)
    path = tmp_path / "mixed.jsonl"
    _mixed_jsonl(path)
    now = datetime(2026, 4, 1, tzinfo=UTC)
    deferred = read_path(path, now=now, defer=True)
    assert deferred.records == [] and deferred.pending is not None
    # Every line goes to the workers undecoded, the broken one too (rejected there).
    assert len(deferred.pending.items) == 33 and deferred.size == 33
    assert all(isinstance(item, JsonLine) for _, item in deferred.pending.items)
    outcomes = []
    for name, parsed in (("whole", read_path(path, now=now)), ("deferred", deferred)):
        engine = sqlite_engine(tmp_path / f"{name}.db")
        summary = store_result(engine, parsed, label="t", kind="file", fork=True)
        with Session(engine) as s:
            rows = list_articles(s, ArticleFilter(), limit=100).items
        outcomes.append(
            (
                summary.fetched, summary.inserted, summary.duplicates,
                [(r.location, r.reason) for r in summary.rejected], summary.warnings,
                sorted((r.title, r.url, tuple(r.tickers), r.publisher) for r in rows),
            )
        )  # fmt: skip
        engine.dispose()
    whole, worked = outcomes
    assert worked == whole
    fetched, inserted, duplicates, rejected, warnings, _ = worked
    assert (fetched, inserted, duplicates) == (33, 30, 1)
    assert [location for location, _ in rejected] == ["line 7", "line 12"]
    assert any(w.startswith("line 17: dropped a non-http(s) url") for w in warnings)


def test_a_deferred_import_too_small_for_workers_is_read_here(tmp_path, engine):
    path = tmp_path / "mixed.jsonl"
    _mixed_jsonl(path)
    summary = store_result(engine, read_path(path, defer=True), label="t", kind="file")
    assert (summary.fetched, summary.inserted, summary.duplicates) == (33, 30, 1)
    assert [r.location for r in summary.rejected] == ["line 7", "line 12"]
