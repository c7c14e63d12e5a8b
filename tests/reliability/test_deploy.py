"""A team deployment: two Streamlit app processes and one ingestion worker on one PostgreSQL."""

from __future__ import annotations

import socket
import time
import urllib.request
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from db.migrate import upgrade
from db.models import IngestRun
from terminal.counts import count_articles
from terminal.query import ArticleFilter, list_articles
from terminal.sources import add_source
from tests.conftest import ROOT, require_postgres
from tests.reliability.helpers import (
    PYTHON,
    cli_env,
    kill_group,
    local_server,
    pg_schema,
    reply,
    rss,
    spawn,
)

pytestmark = pytest.mark.postgres
BOUND = 45.0  # seconds for everything to come up and the stories to arrive
BAD_LOG_WORDS = ("Traceback", "Error", "error:")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def healthy(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=1) as r:
            return r.status == 200 and r.read().strip() == b"ok"
    except OSError:
        return False


@pytest.fixture
def team_store() -> Iterator[tuple[object, str]]:
    require_postgres()
    if not (ROOT / "app.py").exists():
        pytest.fail("app.py is missing: the deployment cannot start")
    with pg_schema() as (engine, url):
        upgrade(engine)  # `python -m terminal init`, once, before the team starts
        yield engine, url


def test_two_apps_and_one_worker_share_one_postgresql(team_store, tmp_path: Path) -> None:
    engine, url = team_store
    hits = [0]

    def feed(h: BaseHTTPRequestHandler) -> None:
        hits[0] += 1
        reply(h, 200, rss(3 * hits[0]))  # each run finds three more stories

    with local_server({"/feed.xml": feed}) as base:
        with Session(engine) as session, session.begin():
            add_source(session, base + "/feed.xml", name="local wire")
        env = cli_env(url, STREAMLIT_BROWSER_GATHER_USAGE_STATS="false")
        ports = [free_port(), free_port()]
        procs = [
            spawn(
                [
                    PYTHON,
                    "-m",
                    "streamlit",
                    "run",
                    "app.py",
                    "--server.port",
                    str(port),
                    "--server.headless",
                    "true",
                    "--server.fileWatcherType",
                    "none",
                ],
                env,
                tmp_path / f"app{port}.log",
            )  # fmt: skip
            for port in ports
        ]
        procs.append(
            spawn(
                [PYTHON, "-m", "terminal", "watch", "--every", "1s"], env, tmp_path / "worker.log"
            )
        )
        try:
            ends = time.monotonic() + BOUND
            while time.monotonic() < ends:
                up = all(healthy(p) for p in ports)
                with Session(engine) as session:
                    seen = count_articles(session, ArticleFilter())
                if up and seen >= 6:
                    break
                assert all(p.poll() is None for p in procs), "a process died: see its log"
                time.sleep(0.5)
            assert all(healthy(p) for p in ports), "an app never answered its health check"
            with Session(engine) as session:
                page = list_articles(session, ArticleFilter(tickers=("AAPL",)), limit=50)
                runs = session.scalars(select(IngestRun.status)).all()
            assert len(page.items) >= 6 and all("AAPL" in row.tickers for row in page.items)
            assert len(runs) >= 2 and set(runs) == {"ok"}
        finally:
            for proc in procs:
                kill_group(proc)
    for log in tmp_path.glob("*.log"):
        text = log.read_text(errors="replace")
        assert not any(word in text for word in BAD_LOG_WORDS), f"{log.name}:\n{text[-2000:]}"
