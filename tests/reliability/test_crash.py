"""An import killed with SIGKILL mid-run leaves an intact store, and the next run finishes the job."""

from __future__ import annotations

import signal
import sqlite3
import subprocess
import time
from contextlib import closing
from pathlib import Path

from tests.reliability.helpers import (
    PYTHON,
    canonical_line,
    cli_env,
    expected_tickers,
    expected_topics,
    kill_group,
    number_of,
    spawn,
)

STORIES = 3_000
KILL_AFTER = 500  # stories committed before the kill: the first batch is in, the rest is not


def stored(db: Path) -> int:
    """Stories committed so far (0 before the schema exists), read from outside the importer."""
    try:
        with closing(sqlite3.connect(db, timeout=15)) as conn:
            return int(conn.execute("SELECT count(*) FROM articles").fetchone()[0])
    except sqlite3.OperationalError:
        return 0


def kill_mid_run(args: list[str], env: dict[str, str], db: Path, log: Path) -> int:
    """Start the import, SIGKILL it once some stories are committed; returns how many were."""
    proc = spawn(args, env, log)
    try:
        deadline = time.monotonic() + 60
        while stored(db) < KILL_AFTER:
            assert proc.poll() is None, f"the import ended before the kill:\n{log.read_text()}"
            assert time.monotonic() < deadline, "no stories committed within 60 s"
            time.sleep(0.02)
        time.sleep(0.1)  # land the kill inside a later batch's transaction
        assert proc.poll() is None, "the import finished before it could be killed"
        proc.send_signal(signal.SIGKILL)
        assert proc.wait(timeout=10) == -signal.SIGKILL
    finally:
        kill_group(proc)
    return stored(db)


def check_intact(db: Path) -> None:
    with closing(sqlite3.connect(db)) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
        conn.execute("INSERT INTO articles_fts(articles_fts) VALUES ('integrity-check')")
        links: dict[int, tuple[set[str], set[str]]] = {}
        for aid, sym in conn.execute("SELECT article_id, symbol FROM article_tickers"):
            links.setdefault(aid, (set(), set()))[0].add(sym)
        for aid, topic in conn.execute("SELECT article_id, topic FROM article_topics"):
            links.setdefault(aid, (set(), set()))[1].add(topic)
        for aid, url in conn.execute("SELECT id, url FROM articles"):
            n = number_of(url)
            assert links.get(aid) == (set(expected_tickers(n)), set(expected_topics(n))), (
                f"story {n} (id {aid}) was stored without all its tickers and topics"
            )


def test_an_import_killed_mid_run_leaves_an_intact_store_and_the_rerun_completes(
    tmp_path: Path,
) -> None:
    big = tmp_path / "big.jsonl"
    big.write_text("".join(canonical_line(n) for n in range(STORIES)))
    db = tmp_path / "store.db"
    env = cli_env(f"sqlite:///{db}")
    args = [PYTHON, "-m", "terminal", "ingest", str(big), "--quiet"]

    at_kill = kill_mid_run(args, env, db, tmp_path / "killed.log")

    assert 0 < at_kill < STORIES
    check_intact(db)
    rerun = subprocess.run(args, env=env, capture_output=True, text=True, timeout=120)
    assert rerun.returncode == 0, rerun.stdout + rerun.stderr
    check_intact(db)
    with closing(sqlite3.connect(db)) as conn:
        assert conn.execute("SELECT count(*), count(DISTINCT url) FROM articles").fetchone() == (
            STORIES,
            STORIES,
        )
    assert "Traceback" not in rerun.stdout + rerun.stderr
