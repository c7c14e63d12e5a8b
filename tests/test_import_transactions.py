"""A large import writes several batches to one transaction (`terminal/writer.py`): fewer
commits, the same stories, clusters and counts as a transaction per batch, and a failure
still loses only the story that caused it."""

from __future__ import annotations

import itertools
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, aliased

from db.models import Article, FacetRollup
from terminal import pipeline, rollups, writer
from terminal.pipeline import store_result
from terminal.records import ArticleRecord, ParseResult
from tests.conftest import sqlite_engine
from tests.helpers import T0, story

STORIES = 120
TITLES = [
    "Nvidia beats estimates as data-center revenue soars",
    "Tesla recalls cybertruck over faulty accelerator pedal",
    "Intel wins chip subsidy for new Ohio factory",
    "Apple unveils cheaper iPhone model for emerging markets",
]


@pytest.fixture
def large(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Imports of 30+ stories count as large, in batches of 10 (one tagged chunk each),
    40 stories to a transaction; returns each batch's transaction, numbered."""
    monkeypatch.setattr(pipeline, "PARALLEL_MIN", 30)
    monkeypatch.setattr(pipeline, "CHUNK", 10)
    monkeypatch.setattr(pipeline, "MAX_BATCH", 10)
    monkeypatch.setattr(writer, "COMMIT_STORIES", 40)
    monkeypatch.setattr(writer, "COMMIT_SECONDS", 1e9)
    sessions: list[int] = []
    opened = itertools.count()
    real = writer.save_and_cluster

    def spy(session: Session, batch: list[ArticleRecord], **kw: object) -> object:
        sessions.append(session.info.setdefault("transaction", next(opened)))
        return real(session, batch, **kw)  # type: ignore[arg-type]

    monkeypatch.setattr(writer, "save_and_cluster", spy)
    return sessions


def records() -> list[ArticleRecord]:
    """Stories on four events, several outlets each, an hour or two apart, so clusters
    form within and across batches; a few are samples."""
    out = []
    for i in range(STORIES):
        event = (i // 3) % len(TITLES)
        outlet = ("Reuters", "CNBC", "Bloomberg")[i % 3]
        out.append(
            story(
                i,
                title=f"{TITLES[event]} - {outlet}",
                published_at=T0 + timedelta(minutes=37 * i),
                publisher=outlet,
                tickers=[("NVDA", "TSLA", "INTC", "AAPL")[event]] + (["SPY"] if i % 4 else []),
                topics=["earnings"] if i % 2 else ["semiconductors"],
                is_sample=i % 11 == 0,
            )
        )
    return out


def state(engine: Engine) -> tuple[dict[str, tuple[object, ...]], set[tuple[object, ...]]]:
    """Each story's cluster (by its lead's URL), size, lead flag, impacts and repeat mark,
    and the roll-up rows: what two stores holding the same stories must agree on."""
    lead = aliased(Article)
    with Session(engine) as s:
        stories = {
            url: (
                lead_url,
                size,
                bool(is_lead),
                round(model or 0, 9),
                round(score, 9),
                bool(lowered),
            )  # fmt: skip
            for url, lead_url, size, is_lead, model, score, lowered in s.execute(
                select(
                    Article.url,
                    lead.url,
                    Article.cluster_size,
                    Article.is_cluster_lead,
                    Article.impact_model,
                    Article.impact_score,
                    Article.lowered_as_repeat,
                ).outerjoin(lead, lead.id == Article.cluster_id)
            )  # fmt: skip
        }
        counts = {
            (r.by_dim, r.by_value, r.dim, r.value, bool(r.lead), bool(r.sample), r.n)
            for r in s.scalars(select(FacetRollup).where(FacetRollup.n != 0))
        }
    return stories, counts


def assert_counts_exact(engine: Engine) -> None:
    kept = state(engine)[1]
    with Session(engine) as s, s.begin():
        rollups.rebuild(s)
    assert kept == state(engine)[1]


def test_batches_share_transactions_and_store_what_a_transaction_each_does(
    engine: Engine, large: list[int], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    summary = store_result(
        engine, ParseResult(records=records()), label="t", kind="file", fork=True
    )
    assert summary.inserted == STORIES and not summary.rejected
    transactions = list(dict.fromkeys(large))
    assert len(large) == STORIES // 10 and len(transactions) == 3  # 40 stories each
    spanned = state(engine)
    assert sum(1 for _, size, *_ in spanned[0].values() if size > 1) > STORIES // 2
    assert_counts_exact(engine)

    # The same import, a transaction per batch, into a second store.
    monkeypatch.setattr(writer, "COMMIT_STORIES", 1)
    large.clear()
    each = sqlite_engine(tmp_path / "each.db")
    store_result(each, ParseResult(records=records()), label="t", kind="file", fork=True)
    assert len(set(large)) == len(large) == STORIES // 10
    assert state(each) == spanned


def test_a_failing_batch_costs_only_its_bad_story_and_the_transaction_is_redone(
    sqlite_db: Engine, large: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Story 57 (in the second transaction's third batch) fails each time it is written:
    that transaction is rolled back, its batches are written again one by one, and that
    batch story by story; only story 57 is rejected."""
    real = writer.save_and_cluster

    def failing(session: Session, batch: list[ArticleRecord], **kw: object) -> object:
        if any(r.url and r.url.endswith("/57") for r in batch):
            raise OperationalError("INSERT", {}, Exception("disk I/O error"))
        return real(session, batch, **kw)  # type: ignore[arg-type]

    monkeypatch.setattr(writer, "save_and_cluster", failing)
    summary = store_result(
        sqlite_db, ParseResult(records=records()), label="t", kind="file", fork=True
    )
    assert summary.inserted == STORIES - 1 == len(set(summary.inserted_ids))
    assert [(r.location, r.reason) for r in summary.rejected] == [("record 58", "disk I/O error")]
    stories, _ = state(sqlite_db)
    assert len(stories) == STORIES - 1 and "https://news.example.com/story/57" not in stories
    assert_counts_exact(sqlite_db)


@pytest.mark.postgres
def test_a_story_postgres_refuses_mid_transaction_is_rejected_alone(
    postgres_db: Engine, large: list[int]
) -> None:
    items = records()
    items[93].tickers = ["X" * 30]  # the column holds 24: the batch's COPY fails
    summary = store_result(postgres_db, ParseResult(records=items), label="t", kind="file")
    assert summary.inserted == STORIES - 1
    assert [r.location for r in summary.rejected] == ["record 94"]
    assert "too long" in summary.rejected[0].reason
    assert_counts_exact(postgres_db)


def test_an_error_that_is_not_the_databases_leaves_only_committed_transactions(
    sqlite_db: Engine, large: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    real = writer.save_and_cluster

    def broken(session: Session, batch: list[ArticleRecord], **kw: object) -> object:
        if len(large) == 6:  # the second transaction's second batch
            raise RuntimeError("a bug")
        return real(session, batch, **kw)  # type: ignore[arg-type]

    monkeypatch.setattr(writer, "save_and_cluster", broken)
    with pytest.raises(RuntimeError):
        store_result(sqlite_db, ParseResult(records=records()), label="t", kind="file")
    stories, _ = state(sqlite_db)
    assert len(stories) == 40  # the first transaction; the open one rolled back
    assert_counts_exact(sqlite_db)
