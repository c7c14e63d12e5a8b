"""Shared pieces for the reliability tests: stories with known links, a scripted local server,
fresh PostgreSQL schemas, and subprocess helpers."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from db.engine import make_engine
from db.models import Article, ArticleTicker, ArticleTopic
from terminal.records import ArticleRecord
from tests.conftest import POSTGRES_URL, ROOT

T0 = datetime(2022, 1, 3, 12, 0, tzinfo=UTC)
SYMBOLS = ("AAPL", "MSFT", "NVDA", "TSLA", "AMZN", "GOOGL", "META")
TOPICS = ("earnings", "m-and-a", "regulation-legal")


def expected_tickers(n: int) -> list[str]:
    """Story n's tickers: two or three symbols, a pattern a reader can check."""
    picks = [SYMBOLS[n % 7], SYMBOLS[(n + 3) % 7]]
    return picks + ([SYMBOLS[(n + 5) % 7]] if n % 2 else [])


def expected_topics(n: int) -> list[str]:
    return [TOPICS[n % 3]]


def story_url(n: int) -> str:
    return f"https://wire.example.com/r/{n}"


def number_of(url: str | None) -> int:
    """The story number back from its URL."""
    assert url, "a stored story lost its URL"
    return int(url.rsplit("/", 1)[1])


def record(n: int) -> ArticleRecord:
    """Story n as a parsed record, its tickers and topics given (so enrichment keeps them)."""
    return ArticleRecord(
        title=f"Reliability story {n}: results and guidance",
        published_at=T0 + timedelta(hours=n),
        url=story_url(n),
        publisher=f"Wire {n % 4}",
        summary=f"Summary {n}.",
        tickers=expected_tickers(n),
        topics=expected_topics(n),
    )


def canonical_line(n: int) -> str:
    """Story n as one canonical JSONL line."""
    r = record(n)
    item = {
        "url": r.url, "title": r.title, "published_at": r.published_at.isoformat(),
        "source": r.publisher, "summary": r.summary, "tickers": r.tickers, "topics": r.topics,
        "impact": round((n % 10) / 10, 1),
    }  # fmt: skip
    return json.dumps(item) + "\n"


def incomplete_links(session: Session) -> list[int]:
    """Ids of stored stories whose tickers or topics are not exactly the expected ones."""
    tickers: dict[int, set[str]] = {}
    topics: dict[int, set[str]] = {}
    for aid, sym in session.execute(select(ArticleTicker.article_id, ArticleTicker.symbol)):
        tickers.setdefault(aid, set()).add(sym)
    for aid, top in session.execute(select(ArticleTopic.article_id, ArticleTopic.topic)):
        topics.setdefault(aid, set()).add(top)
    bad = []
    for aid, url in session.execute(select(Article.id, Article.url)):
        n = number_of(url)
        if tickers.get(aid) != set(expected_tickers(n)) or topics.get(aid) != set(
            expected_topics(n)
        ):
            bad.append(aid)
    return bad


# -- a scripted local HTTP server ---------------------------------------------------------

Route = Callable[[BaseHTTPRequestHandler], None]


class _Quiet(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass


@contextmanager
def local_server(routes: dict[str, Route]) -> Iterator[str]:
    """Serve `routes` on 127.0.0.1; yields the base URL."""

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:
            route = routes.get(self.path.split("?")[0])
            if route is None:
                reply(self, 404, b"not found")
            else:
                route(self)

        def log_message(self, *args: Any) -> None:
            pass

    httpd = _Quiet(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05})
    thread.daemon = True
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()


def reply(
    handler: BaseHTTPRequestHandler,
    status: int,
    body: bytes,
    content_type: str = "application/rss+xml",
    headers: dict[str, str] | None = None,
) -> None:
    handler.send_response(status)
    handler.send_header("Content-Type", content_type)
    handler.send_header("Content-Length", str(len(body)))
    for name, value in (headers or {}).items():
        handler.send_header(name, value)
    handler.end_headers()
    handler.wfile.write(body)


def rss(items: int, *, start: int = 0, title_pad: str = "") -> bytes:
    """An RSS document with `items` entries numbered from `start`."""
    parts = [
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
        "<title>Local Wire</title><link>http://127.0.0.1/</link>"
    ]
    for n in range(start, start + items):
        when = (T0 + timedelta(hours=n)).strftime("%a, %d %b %Y %H:%M:%S GMT")
        parts.append(
            f"<item><title>Feed story {n}{title_pad}</title><link>{story_url(n)}</link>"
            f"<guid>g-{n}</guid><pubDate>{when}</pubDate>"
            f"<description>Apple (NASDAQ: AAPL) item {n}.</description></item>"
        )
    parts.append("</channel></rss>")
    return "".join(parts).encode()


# -- PostgreSQL schemas and subprocesses ----------------------------------------------------


@contextmanager
def pg_schema() -> Iterator[tuple[Engine, str]]:
    """An empty PostgreSQL schema of its own (no tables), and a URL whose search_path is it."""
    name = f"r_{uuid.uuid4().hex[:12]}"
    admin = make_engine(POSTGRES_URL)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{name}"'))
    url = make_url(POSTGRES_URL).update_query_dict({"options": f"-csearch_path={name}"})
    url_text = url.render_as_string(hide_password=False)
    engine = make_engine(url_text)
    try:
        yield engine, url_text
    finally:
        engine.dispose()
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{name}" CASCADE'))
        admin.dispose()


def cli_env(database_url: str, **extra: str) -> dict[str, str]:
    """Environment for a `python -m terminal` subprocess on a given store."""
    env = {k: v for k, v in os.environ.items() if not k.endswith(("_proxy", "_PROXY"))}
    env.update(TERMINAL_DATABASE_URL=database_url, PYTHONPATH=str(ROOT), **extra)
    return env


def spawn(args: list[str], env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    """A child process in its own process group, output to `log`."""
    out = log.open("wb")
    return subprocess.Popen(
        args, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
    )


def kill_group(proc: subprocess.Popen[bytes]) -> None:
    """Kill a child and everything it started."""
    if proc.poll() is None:
        with suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(timeout=10)


PYTHON = sys.executable
