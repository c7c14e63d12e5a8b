"""Clustering's two ways to find neighbours agree: the in-memory window and the index walk."""

from __future__ import annotations

import random
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

import terminal.neighbours as neighbours
from db.models import Article
from terminal import bound
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


def test_the_window_and_the_index_walk_find_the_same_neighbours(engine):
    rng = random.Random(7)
    with Session(engine) as s, s.begin():
        save_articles(s, _crowd(400, rng))
    with Session(engine) as s:
        ids = list(s.scalars(select(Article.id).order_by(Article.id)))
        new = rng.sample(ids, 120)
        span = neighbours.window(s, new)
        assert span is not None
        walked, walked_sigs = neighbours.neighbour_pairs(s, new)
        rows = neighbours._story_rows(s, "ids", {"ids": bound.values(s, new)})
        in_memory, window_sigs = neighbours.window_pairs(s, new, rows, span)
    assert walked and set(walked) == set(in_memory)
    for story_id, near in walked.items():
        # Same neighbours at the same gaps (gaps are unique here, so order agrees too).
        assert near == in_memory[story_id], story_id
    assert len(max(walked.values(), key=len)) == neighbours.NEAREST  # the cut is exercised
    # Each neighbour comes with its title's signature, the same either way.
    found = {o for near in walked.values() for o, _ in near}
    assert {o: walked_sigs[o] for o in found} == {o: window_sigs[o] for o in found}
    assert all(isinstance(walked_sigs[o], int) for o in found)


def test_a_batch_spread_over_years_walks_the_indexes(engine, monkeypatch):
    monkeypatch.setattr(neighbours, "WINDOW_MAX", 3)
    far = [story(i, published_at=T0 + timedelta(days=200 * i)) for i in range(6)]
    with Session(engine) as s, s.begin():
        ids = save_articles(s, far).inserted_ids
        assert neighbours.window(s, ids) is None
        assert neighbours.window(s, ids[:1]) is not None


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
