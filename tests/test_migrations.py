"""The schema comes from Alembic migrations on both backends."""

from __future__ import annotations

import zlib

import pytest
from sqlalchemy import inspect

from db.migrate import current_revision, downgrade, head_revision, upgrade
from db.models import Base


def test_migrating_an_empty_database_to_head_creates_every_table(engine):
    assert current_revision(engine) == head_revision()
    tables = set(inspect(engine).get_table_names())
    assert {t.name for t in Base.metadata.sorted_tables} <= tables


def test_the_schema_goes_down_to_nothing_and_back_up(engine):
    downgrade(engine, "base")
    assert current_revision(engine) is None
    upgrade(engine)
    assert current_revision(engine) == head_revision()


def test_sqlite_runs_in_wal_mode_with_foreign_keys(sqlite_db):
    with sqlite_db.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 5000


@pytest.mark.postgres
def test_postgres_sessions_keep_short_queries_out_of_parallel_plans_and_jit(postgres_db):
    with postgres_db.connect() as conn:
        assert conn.exec_driver_sql("SHOW parallel_setup_cost").scalar() == "10000"
        assert conn.exec_driver_sql("SHOW jit").scalar() == "off"
        assert conn.exec_driver_sql("SHOW enable_memoize").scalar() == "off"
        assert conn.exec_driver_sql("SHOW plan_cache_mode").scalar() == "force_custom_plan"
        assert conn.exec_driver_sql("SELECT 1").scalar() == 1  # the connection is usable


def test_postgres_tests_fail_rather_than_skip_in_ci(monkeypatch):
    import tests.conftest as conftest

    monkeypatch.setattr(conftest, "POSTGRES_URL", "postgresql+psycopg://nobody@127.0.0.1:1/none")
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="required in CI"):
        conftest.require_postgres()
    monkeypatch.setenv("CI", "false")
    with pytest.raises(pytest.skip.Exception):
        conftest.require_postgres()


@pytest.mark.postgres
def test_postgres_samples_search_words_finely_enough_to_plan_rare_terms(postgres_db):
    with postgres_db.connect() as conn:
        target = conn.exec_driver_sql(
            "SELECT attstattarget FROM pg_attribute "
            "WHERE attrelid = 'articles'::regclass AND attname = 'search_vector'"
        ).scalar()
    assert target == 1000


@pytest.mark.postgres
def test_postgres_read_sessions_skip_the_transaction_and_hand_back_a_normal_connection(
    postgres_db,
):
    from sqlalchemy import text
    from sqlalchemy.orm import Session

    from db.engine import read_session, write_session
    from terminal.query import ArticleFilter, list_articles

    with read_session(postgres_db) as s:
        assert list_articles(s, ArticleFilter(), limit=5).items == []
        assert s.connection().connection.dbapi_connection.autocommit is True
        # Each statement commits on its own: no transaction block is open between them.
        status = s.connection().connection.dbapi_connection.info.transaction_status
        assert status.name == "IDLE"
    with Session(postgres_db) as s, write_session(postgres_db) as w:
        s.execute(text("SELECT 1"))
        assert s.connection().connection.dbapi_connection.autocommit is False
        w.execute(text("SELECT 1"))
        assert w.connection().connection.dbapi_connection.info.transaction_status.name != "IDLE"
        # Writers (imports) may reuse generic plans; reads plan with their values.
        assert w.execute(text("SHOW plan_cache_mode")).scalar() == "auto"
        assert s.execute(text("SHOW plan_cache_mode")).scalar() == "force_custom_plan"
    with Session(postgres_db) as s:  # SET LOCAL ended with the write transaction
        assert s.execute(text("SHOW plan_cache_mode")).scalar() == "force_custom_plan"


def test_sqlite_read_sessions_read_as_before(sqlite_db):
    from sqlalchemy import text

    from db.engine import read_session

    with read_session(sqlite_db) as s:
        assert s.execute(text("SELECT count(*) FROM articles")).scalar() == 0
        # Plain transactions (SQLite's own BEGIN), not PostgreSQL's autocommit option.
        assert "isolation_level" not in s.get_bind().get_execution_options()


def test_reads_beside_the_callers_use_small_caches_on_sqlite_and_the_same_engine_on_postgres(
    engine,
):
    from sqlalchemy import text

    from db.engine import SIDE_CACHE_KIB, make_engine, side_engine

    side = side_engine(engine)
    assert side is not None and side_engine(engine) is side  # one per engine
    with side.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM articles")).scalar() == 0
        if engine.dialect.name == "sqlite":
            assert side is not engine and side.url == engine.url
            assert conn.exec_driver_sql("PRAGMA cache_size").scalar() == -SIDE_CACHE_KIB
    if engine.dialect.name == "postgresql":
        assert side is engine
    assert side_engine(make_engine("sqlite://")) is None  # in memory: nothing to share


def test_the_link_indexes_carry_the_story_id_so_walks_read_the_index_alone(engine):
    indexes = {
        i["name"]: i["column_names"]
        for table in ("article_tickers", "article_topics")
        for i in inspect(engine).get_indexes(table)
    }
    assert indexes["ix_article_tickers_symbol_pub_key"] == [
        "symbol", "pub_key", "article_id", "walk_entry",
    ]  # fmt: skip
    assert indexes["ix_article_topics_topic_pub_key"] == [
        "topic", "pub_key", "article_id", "walk_entry",
    ]  # fmt: skip
    downgrade(engine, "0012_title_word_hashes")
    back = {i["name"]: i["column_names"] for i in inspect(engine).get_indexes("article_tickers")}
    assert back["ix_article_tickers_symbol_pub_key"] == [
        "symbol", "pub_key", "article_id", "title_sig", "title_sig2",
    ]  # fmt: skip
    downgrade(engine, "0011_rollup_pairs_once")
    back = {i["name"]: i["column_names"] for i in inspect(engine).get_indexes("article_topics")}
    assert back["ix_article_topics_topic_pub_key"] == [
        "topic",
        "pub_key",
        "article_id",
        "title_sig",
    ]
    downgrade(engine, "0009_story_moves")
    back = {i["name"]: i["column_names"] for i in inspect(engine).get_indexes("article_topics")}
    assert back["ix_article_topics_topic_pub_key"] == ["topic", "pub_key", "article_id"]
    downgrade(engine, "0005_search_statistics")
    back = {i["name"]: i["column_names"] for i in inspect(engine).get_indexes("article_tickers")}
    assert back["ix_article_tickers_symbol_pub_key"] == ["symbol", "pub_key"]
    upgrade(engine)


def test_the_stored_moves_are_filled_from_the_reactions_already_there(engine):
    """0009 fills `story_moves` from the stored reactions: the largest |day-0 abnormal
    return| per story and benchmark, with the story's time key."""
    from sqlalchemy import text

    downgrade(engine, "0008_impact_index_publisher")
    with engine.begin() as conn:
        conn.execute(text(
            "INSERT INTO articles (id, dedupe_key, title, summary, body, analysis, publisher, "
            "published_at, pub_key, published_estimated, ingested_at, impact_score, is_sample, "
            "cluster_size, is_cluster_lead, lowered_as_repeat) VALUES (7, 'k', 't', '', '', '', "
            "'p', '2025-06-02 15:00:00', 1748876400000000, false, '2025-06-02 15:00:00', 0.1, "
            "false, 1, true, false)"
        ))  # fmt: skip
        for symbol, benchmark, ar in (("NVDA", "SPY", -0.08), ("AMD", "SPY", 0.01),
                                      ("NVDA", "QQQ", 0.02), ("INTC", "SPY", None)):  # fmt: skip
            conn.execute(
                text(
                    "INSERT INTO reactions (article_id, symbol, benchmark, event_time, ar_0d, "
                    "model, provider, computed_at) VALUES (7, :s, :b, '2025-06-02 15:00:00', "
                    ":ar, 'market-model', 'csv', '2025-06-02 15:00:00')"
                ),
                {"s": symbol, "b": benchmark, "ar": ar},
            )
    upgrade(engine)
    with engine.connect() as conn:
        rows = conn.execute(
            text("SELECT article_id, benchmark, move, pub_key FROM story_moves ORDER BY benchmark")
        ).all()
    assert [(a, b, round(m, 6), k) for a, b, m, k in rows] == [
        (7, "QQQ", 0.02, 1748876400000000), (7, "SPY", 0.08, 1748876400000000),
    ]  # fmt: skip


def test_the_title_signatures_are_filled_from_the_stored_title_words(engine):
    """0010 gives every link row its story's title signature (a mask), and 0012 the word
    hashes in two columns, from the stored title words (NULL, "not known", where a story
    has none); going back to 0011 gives the mask again."""
    from sqlalchemy import text

    from terminal.enrich.clusters import title_fingerprint, title_signature

    downgrade(engine, "0009_story_moves")
    words = title_fingerprint("Nvidia beats estimates as data-center revenue soars")
    mask = 0
    for word in words.split():
        mask |= 1 << (zlib.crc32(word.encode("utf-8")) % 63)
    with engine.begin() as conn:
        for article_id, stored in ((7, words), (8, None)):
            conn.execute(
                text(
                    "INSERT INTO articles (id, dedupe_key, title, summary, body, analysis, "
                    "publisher, published_at, pub_key, published_estimated, ingested_at, "
                    "impact_score, is_sample, cluster_size, is_cluster_lead, lowered_as_repeat, "
                    "title_words) VALUES (:id, :key, 't', '', '', '', 'p', '2025-06-02 15:00:00', "
                    ":pk, false, '2025-06-02 15:00:00', 0.1, false, 1, true, false, :words)"
                ),
                {"id": article_id, "key": f"k{article_id}", "pk": article_id, "words": stored},
            )
            for table, key in (("article_tickers", "symbol"), ("article_topics", "topic")):
                conn.execute(
                    text(
                        f"INSERT INTO {table} (article_id, {key}, pub_key, published_at, "
                        f"{'relevance' if key == 'symbol' else 'score'}, position) "
                        "VALUES (:id, 'NVDA', :pk, '2025-06-02 15:00:00', 1.0, 0)"
                    ),
                    {"id": article_id, "pk": article_id},
                )

    def signatures(columns: str) -> dict[str, list[tuple[object, ...]]]:
        with engine.connect() as conn:
            return {
                table: conn.execute(
                    text(f"SELECT article_id, {columns} FROM {table} ORDER BY article_id")
                ).all()
                for table in ("article_tickers", "article_topics")
            }

    upgrade(engine, "0011_rollup_pairs_once")
    assert set(map(tuple, signatures("title_sig").values())) == {((7, mask), (8, None))}
    upgrade(engine, "0012_title_word_hashes")
    hashes = title_signature(words.split())
    assert hashes is not None and min(hashes) > 0
    assert set(map(tuple, signatures("title_sig, title_sig2").values())) == {
        ((7, *hashes), (8, None, None))
    }
    downgrade(engine, "0011_rollup_pairs_once")
    assert set(map(tuple, signatures("title_sig").values())) == {((7, mask), (8, None))}
    upgrade(engine)


def test_the_walk_entries_pack_each_links_time_key_id_and_signature(engine):
    """0013 packs each link's time key, story id and title signature (NULL, "not known":
    -1) into its walk entry and drops the signature's two columns; going back to 0012
    unpacks them again, NULL included."""
    from sqlalchemy import text

    from terminal.nearest import entries

    downgrade(engine, "0012_title_word_hashes")
    signed = {7: ((1 << 62) + 5, 3 << 60), 8: (None, None)}
    with engine.begin() as conn:
        for article_id, (first, second) in signed.items():
            conn.execute(
                text(
                    "INSERT INTO articles (id, dedupe_key, title, summary, body, analysis, "
                    "publisher, published_at, pub_key, published_estimated, ingested_at, "
                    "impact_score, is_sample, cluster_size, is_cluster_lead, lowered_as_repeat) "
                    "VALUES (:id, :key, 't', '', '', '', 'p', '2025-06-02 15:00:00', :pk, false, "
                    "'2025-06-02 15:00:00', 0.1, false, 1, true, false)"
                ),
                {"id": article_id, "key": f"k{article_id}", "pk": 1748876400000000 + article_id},
            )
            for table, key in (("article_tickers", "symbol"), ("article_topics", "topic")):
                conn.execute(
                    text(
                        f"INSERT INTO {table} (article_id, {key}, pub_key, published_at, "
                        f"{'relevance' if key == 'symbol' else 'score'}, position, title_sig, "
                        "title_sig2) VALUES (:id, 'NVDA', :pk, '2025-06-02 15:00:00', 1.0, 0, "
                        ":a, :b)"
                    ),
                    {"id": article_id, "pk": 1748876400000000 + article_id, "a": first,
                     "b": second},
                )  # fmt: skip
    upgrade(engine)
    for table in ("article_tickers", "article_topics"):
        assert not {"title_sig", "title_sig2"} & {
            c["name"] for c in inspect(engine).get_columns(table)
        }
        with engine.connect() as conn:
            packed = (
                conn.execute(text(f"SELECT walk_entry FROM {table} ORDER BY article_id"))
                .scalars()
                .all()
            )
        assert entries(b"".join(packed)).tolist() == [
            [1748876400000007, 7, (1 << 62) + 5, 3 << 60],
            [1748876400000008, 8, -1, -1],
        ]
    downgrade(engine, "0012_title_word_hashes")
    with engine.connect() as conn:
        for table in ("article_tickers", "article_topics"):
            rows = conn.execute(
                text(f"SELECT article_id, title_sig, title_sig2 FROM {table} ORDER BY article_id")
            ).all()
            assert [tuple(r) for r in rows] == [(i, *signed[i]) for i in (7, 8)]
    upgrade(engine)


def test_the_rollup_pairs_are_kept_once_and_read_the_other_way_round(engine):
    """0011 drops the second copy of each pair's count (kept once, as rollups.STORED says);
    going back down writes it again; facets and counts read the same either way round."""
    from sqlalchemy import text
    from sqlalchemy.orm import Session

    from terminal import rollup_reads, rollups
    from tests.helpers import store, story

    store(
        engine,
        [  # fmt: skip
            story(
                1,
                title="Nvidia and AMD beat estimates",
                tickers=["NVDA", "AMD"],
                topics=["earnings"],
                publisher="CNBC",
            ),
            story(
                2,
                title="Chip demand lifts Nvidia guidance",
                tickers=["NVDA"],
                topics=["earnings", "ai"],
                publisher="Reuters",
            ),
            story(
                3,
                title="Tesla recalls vehicles",
                tickers=["TSLA"],
                topics=["autos"],
                publisher="CNBC",
                is_sample=True,
            ),
        ],
    )
    everything = "SELECT by_dim, by_value, dim, value, lead, sample, n FROM facet_rollups"
    with engine.connect() as conn:
        kept = set(conn.execute(text(everything)).all())
    assert {(b, d) for b, _, d, *_ in kept if b} == set(rollups.STORED)
    assert ("p", "earnings", "t", "NVDA", True, False, 2) in kept

    def reads() -> list[object]:
        with Session(engine) as s:
            top = [
                rollup_reads.top_values(s, dim, by, leads_only=False, sample=None, top=10)
                for dim, by in (("t", ("p", "earnings")), ("t", ("s", "CNBC")),
                                ("p", ("s", "Reuters")), ("s", ("p", "earnings")))
            ]  # fmt: skip
            counts = [
                rollup_reads.count(s, keys, leads_only=False, sample=None)
                for keys in ([("s", "CNBC"), ("t", "NVDA")], [("t", "NVDA"), ("s", "CNBC")],
                             [("p", "earnings"), ("t", "NVDA")])
            ]  # fmt: skip
        return [*top, *counts]

    assert reads() == [
        [("NVDA", 2), ("AMD", 1)], [("AMD", 1), ("NVDA", 1), ("TSLA", 1)],
        [("ai", 1), ("earnings", 1)], [("CNBC", 1), ("Reuters", 1)], 1, 1, 2,
    ]  # fmt: skip
    downgrade(engine, "0010_title_signatures")
    with engine.connect() as conn:
        both = set(conn.execute(text(everything)).all())
    assert both == kept | {(d, dv, b, bv, ld, sm, n) for b, bv, d, dv, ld, sm, n in kept if b}
    upgrade(engine)
    with engine.connect() as conn:
        assert set(conn.execute(text(everything)).all()) == kept
    assert reads()[-3:] == [1, 1, 2]
