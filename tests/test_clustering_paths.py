"""Clustering's two ways to find neighbours agree: the in-memory window and the index walk."""

from __future__ import annotations

import random
from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

import terminal.nearest as nearest
import terminal.neighbours as neighbours
from db.models import Article
from terminal.records import ArticleRecord
from terminal.store import save_articles
from tests.helpers import T0, store, story

TICKERS = ["NVDA", "NVDA", "NVDA", "AMD", "INTC", "TSLA"]  # one hot ticker
TOPICS = ["earnings", "ai", "mergers-acquisitions"]


def _crowd(n: int, rng: random.Random) -> list[ArticleRecord]:
    """n stories within ten days: 1-2 tickers (a tenth none), 1-2 topics, unique times."""
    records = []
    for i in range(n):
        tickers = [] if rng.random() < 0.1 else sorted(set(rng.sample(TICKERS, rng.randint(1, 2))))
        records.append(
            story(
                i,
                title=f"Story {i} on chips and cars",
                published_at=T0 + timedelta(seconds=rng.randint(0, 10 * 86_400), microseconds=i),
                tickers=tickers,
                topics=rng.sample(TOPICS, rng.randint(1, 2)),
            )
        )
    return records


def _both_ways(engine, seed: int, stored: int, sampled: int):
    """A crowd stored, then `sampled` of its stories taken as new: their neighbours by the
    index walk and by the window, as `Near` arrays."""
    rng = random.Random(seed)
    with Session(engine) as s, s.begin():
        save_articles(s, _crowd(stored, rng))
    with Session(engine) as s:
        ids = list(s.scalars(select(Article.id).order_by(Article.id)))
        new = rng.sample(ids, sampled)
        rows = neighbours.stories(s, new)
        span = neighbours.window(s, [r.pub_key for r in rows.values()])
        assert span is not None
        return (
            new,
            neighbours.neighbour_pairs(s, new, rows),
            neighbours.window_pairs(s, new, rows, span),
        )


def test_the_window_and_the_index_walk_find_the_same_neighbours(engine):
    _, walked_near, window_near = _both_ways(engine, 7, 400, 120)
    walked, in_memory = walked_near.pairs(), window_near.pairs()
    assert walked and set(walked) == set(in_memory)
    for story_id, near in walked.items():
        # Same neighbours at the same gaps (gaps are unique here, so order agrees too).
        assert near == in_memory[story_id], story_id
    assert len(max(walked.values(), key=len)) == nearest.NEAREST  # the cut is exercised
    # Each neighbour comes with its title's signature, the same either way.
    assert walked_near.sig.tolist() == window_near.sig.tolist()
    assert walked_near.sig.shape == (len(walked_near.story), 2)
    assert walked_near.sig.min() > 0


def _reference(engine, new: list[int]) -> dict[int, list[tuple[int, int]]]:
    """The neighbours by their definition, over every stored story: per ticker, the SIDE
    nearest others on each side within 48 hours; by topic for a story no other shares a
    ticker with; merged, nearest first (ties in time order), NEAREST at most."""
    from db.models import ArticleTicker, ArticleTopic

    with Session(engine) as s:
        when = dict(s.execute(select(Article.id, Article.pub_key)).all())
        links = {
            link: s.execute(select(link.article_id, key)).all()
            for link, key in (
                (ArticleTicker, ArticleTicker.symbol),
                (ArticleTopic, ArticleTopic.topic),
            )
        }
    out = {}
    for new_id in new:
        for link in (ArticleTicker, ArticleTopic):
            keys = {k for i, k in links[link] if i == new_id}
            near: dict[int, int] = {}
            for key in keys:
                others = [i for i, k in links[link] if k == key and i != new_id]
                gap = {i: abs(when[i] - when[new_id]) for i in others}
                inside = [i for i in others if gap[i] <= nearest.WINDOW_US]
                before = sorted(
                    (i for i in inside if when[i] < when[new_id]), key=lambda i: -when[i]
                )
                after = sorted((i for i in inside if when[i] > when[new_id]), key=lambda i: when[i])
                for i in before[: nearest.SIDE] + after[: nearest.SIDE]:
                    near[i] = gap[i]
            if near:
                ranked = sorted(near.items(), key=lambda p: (p[1], when[p[0]]))
                out[new_id] = ranked[: nearest.NEAREST]
                break
    return out


@pytest.mark.parametrize("pack_bits", [neighbours.PACK_BITS, 10])
def test_the_neighbours_are_the_nearest_by_their_definition(engine, monkeypatch, pack_bits):
    """Both ways, against a brute-force reading of the rule over every stored story
    (stories sharing two tickers, a hot ticker that crowds the window, stories without
    tickers that fall back to topics, the NEAREST cut); the window searched at once and,
    as a window too long to pack is, run by run."""
    monkeypatch.setattr(neighbours, "PACK_BITS", pack_bits)
    new, walked, in_memory = _both_ways(engine, 3, 300, 80)
    expected = _reference(engine, new)
    assert walked.pairs() == in_memory.pairs() == expected
    assert any(len(near) == nearest.NEAREST for near in expected.values())


def test_a_batch_whose_window_holds_too_many_stories_walks_the_indexes(engine, monkeypatch):
    monkeypatch.setattr(neighbours, "WINDOW_MAX", 3)
    apart = [story(i, published_at=T0 + timedelta(days=5 * i)) for i in range(6)]
    with Session(engine) as s, s.begin():
        ids = save_articles(s, apart).inserted_ids
        times = [r.pub_key for r in neighbours.stories(s, ids).values()]
        assert neighbours.window(s, times) is None
        assert neighbours.window(s, times[:1]) is not None
        assert neighbours.window(s, times[:3]) is not None  # 3 stored stories: not too many


def test_a_batch_spread_over_years_walks_without_counting(engine):
    """Spread over more than WINDOW_DAYS_MAX days, a batch walks even though its window
    holds few stories (both ways find the same neighbours; this one skips the count)."""
    far = [story(i, published_at=T0 + timedelta(days=200 * i)) for i in range(6)]
    near = [story(10 + i, published_at=T0 + timedelta(days=i)) for i in range(3)]
    with Session(engine) as s, s.begin():
        ids = save_articles(s, far + near).inserted_ids
        times = [r.pub_key for r in neighbours.stories(s, ids).values()]
        assert neighbours.window(s, times[:6]) is None
        assert neighbours.window(s, times[:2]) is None  # 200 days apart
        assert neighbours.window(s, times[6:]) is not None
        limit = neighbours.WINDOW_DAYS_MAX * 24 * 3600 * 1_000_000
        assert neighbours.window(s, [times[0], times[0] + limit]) is not None
        assert neighbours.window(s, [times[0], times[0] + limit + 1]) is None


def _event_batches(shift: int) -> list[list[ArticleRecord]]:
    """Two outlets' copies of three events (one story without tickers), in two batches."""
    title = "Nvidia beats estimates as data-center revenue soars"
    recall = "Tesla recalls 100,000 vehicles over seat belts"

    def at(n: int, **fields: object) -> ArticleRecord:
        return story(shift + n, url=f"https://x.example/{shift}/{n}", **fields)

    return [
        [at(1, title=title, tickers=["NVDA"], topics=["earnings"], publisher="Reuters")],
        [
            at(2, title=title + " - CNBC", tickers=["NVDA"], publisher="CNBC"),
            at(3, title=recall, tickers=["TSLA"]),
            at(4, title=recall + " - Reuters", tickers=["TSLA"], publisher="Reuters"),
            at(5, title="Fed holds rates steady", topics=["earnings"]),
            at(6, title="Fed holds rates steady - CNBC", topics=["earnings"], publisher="CNBC"),
        ],
    ]


def _clusters(engine, shift: int) -> list[tuple[int, bool]]:
    with Session(engine) as s:
        rows = s.execute(
            select(Article.cluster_size, Article.is_cluster_lead)
            .where(Article.url.like(f"https://x.example/{shift}/%"))
            .order_by(Article.pub_key)
        ).all()
    return [(n, bool(lead)) for n, lead in rows]


def test_clusters_come_out_the_same_either_way(engine, monkeypatch):
    for batch in _event_batches(0):
        store(engine, batch)
    monkeypatch.setattr(neighbours, "WINDOW_MAX", 0)  # every batch walks the indexes
    for batch in _event_batches(1000):
        store(engine, batch)
    expected = [(2, True), (2, False), (2, True), (2, False), (2, True), (2, False)]
    assert _clusters(engine, 0) == _clusters(engine, 1000) == expected


def test_the_writer_hands_clustering_the_new_stories_as_reading_them_back_would(engine):
    """What the store hands clustering about the stories it has just written (the row,
    its tickers and topics) is what reading them back gives, so the neighbours do not
    differ from a read."""
    from db.models import ArticleTicker, ArticleTopic
    from terminal.store import _insert

    records = _crowd(40, random.Random(3))
    records[5].tickers = ["NVDA", "AMD", "NVDA"]  # repeated: written once, sorted
    records[6].title_words = None  # worked out by the store
    with Session(engine) as s, s.begin():
        result, _, written = _insert(s, records, source_id=None, now=None)
        assert sorted(written) == sorted(result.inserted_ids)
        read = neighbours.stories(s, result.inserted_ids)
        for i, story_row in written.items():
            assert story_row[:6] == read[i][:6] and story_row.known is not None
            for link, key, got in (
                (ArticleTicker, ArticleTicker.symbol, story_row.known.tickers),
                (ArticleTopic, ArticleTopic.topic, story_row.known.topics),
            ):
                stored = s.scalars(select(key).where(link.article_id == i).order_by(key)).all()
                assert list(got) == stored
        assert written[result.inserted_ids[5]].known.tickers == ("AMD", "NVDA")
        s.rollback()


def _shuffled_copies(shift_days: int) -> list[ArticleRecord]:
    """200 events over ten days, each reported one to four times (an outlet's suffix, a word
    dropped, up to a day apart), the reports shuffled so ids do not follow time: about 500
    stories, stored as one batch."""
    rng = random.Random(17)
    words = ["chip", "deal", "probe", "recall", "merger", "rates", "outlook", "strike",
             "guidance", "buyback", "tariff", "lawsuit", "earnings", "launch", "layoffs"]  # fmt: skip
    out = []
    for event in range(200):
        title = " ".join(rng.sample(words, 6)) + f" {event}"
        when = T0 + timedelta(days=shift_days, minutes=rng.randint(0, 10 * 1440))
        ticker = rng.choice(TICKERS)
        for copy in range(rng.randint(1, 4)):
            text = title if copy == 0 else title + rng.choice([" - Reuters", " - CNBC"])
            if copy == 3:
                text = " ".join(text.split()[1:])
            out.append(
                (event, copy, text, when + timedelta(minutes=rng.randint(-600, 600)), ticker)
            )
    rng.shuffle(out)
    return [
        story(i, title=text, published_at=when + timedelta(microseconds=i), tickers=[ticker],
              topics=["earnings"], url=f"https://s.example/{shift_days}/{event}/{copy}")
        for i, (event, copy, text, when, ticker) in enumerate(out)
    ]  # fmt: skip


def _clustering(engine, shift_days: int) -> list[tuple[str, int, bool, str | None]]:
    """Each story (by its event and copy) with its cluster's size, its lead flag and the
    story its cluster is named after (the cluster id)."""
    prefix = f"https://s.example/{shift_days}/"
    with Session(engine) as s:
        rows = s.execute(
            select(Article.id, Article.url, Article.cluster_id, Article.cluster_size,
                   Article.is_cluster_lead).where(Article.url.like(prefix + "%"))
        ).all()  # fmt: skip
    url_of = {i: url for i, url, *_ in rows}
    return sorted(
        (url[len(prefix):], size, bool(lead),
         None if cluster is None else url_of[cluster][len(prefix):])
        for _, url, cluster, size, lead in rows
    )  # fmt: skip


def test_a_shuffled_batch_clusters_the_same_by_the_window_and_by_the_walk(engine, monkeypatch):
    """A batch of the pipeline's size is matched in one piece by either path, in time
    order: the walk once matched it in chunks of 400 in id order, and a copy stored ahead
    of its report could then join another cluster than by the window."""
    from terminal import clustering, pipeline

    assert clustering.CHUNK >= pipeline.MAX_BATCH >= pipeline.BATCH
    first = _shuffled_copies(0)
    assert len(first) > 400
    store(engine, first)
    monkeypatch.setattr(neighbours, "WINDOW_MAX", 0)  # every batch walks the indexes
    store(engine, _shuffled_copies(1000))
    by_window, by_walk = _clustering(engine, 0), _clustering(engine, 1000)
    assert sum(1 for *_, named in by_window if named is not None) > 300  # copies clustered
    assert by_window == by_walk


def test_a_link_without_a_walk_entry_is_no_ones_neighbour(engine):
    """Every link the store writes has its walk entry; one without (written by hand) is
    left out by both ways, instead of failing the batch."""
    from sqlalchemy import text

    rng = random.Random(11)
    with Session(engine) as s, s.begin():
        save_articles(s, _crowd(120, rng))
    with Session(engine) as s, s.begin():
        ids = list(s.scalars(select(Article.id).order_by(Article.id)))
        blank = ids[:10]
        listed = ", ".join(map(str, blank))
        for table in ("article_tickers", "article_topics"):
            s.execute(text(f"UPDATE {table} SET walk_entry = NULL WHERE article_id IN ({listed})"))
    with Session(engine) as s:
        new = ids[40:80]
        rows = neighbours.stories(s, new)
        span = neighbours.window(s, [r.pub_key for r in rows.values()])
        assert span is not None
        walked = neighbours.neighbour_pairs(s, new, rows).pairs()
        in_memory = neighbours.window_pairs(s, new, rows, span).pairs()
    assert walked == in_memory and walked
    assert not {other for near in walked.values() for other, _ in near} & set(blank)
