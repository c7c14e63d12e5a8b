"""Live sources end to end: feeds from a local server into the store, sources, run log."""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from db.models import Article, IngestRun, Source
from terminal.cli import app
from terminal.database import get_engine
from terminal.records import ArticleRecord, ParseResult

runner = CliRunner()

FEED = """<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>Local &amp; Wire</title><link>http://127.0.0.1/</link>
<item><title>Nvidia shares &lt;b&gt;jump&lt;/b&gt; on $NVDA export news</title>
  <link>/news/1</link><guid>n-1</guid><pubDate>Tue, 02 Sep 2025 14:00:00 GMT</pubDate>
  <description>&lt;script&gt;alert(1)&lt;/script&gt;Nvidia (NASDAQ: NVDA) rose after the rule change.</description></item>
<item><title>Tesla recall widens</title><link>javascript:alert(2)</link><guid>n-2</guid>
  <pubDate>Tue, 02 Sep 2025 15:00:00 GMT</pubDate><description>Tesla recalls more cars.</description></item>
<item><title>Intel names new chief</title><link>https://example.org/intel</link>
  <pubDate>Tue, 02 Sep 2025 16:00:00 GMT</pubDate><description>&lt;a href="javascript:x()"&gt;Intel&lt;/a&gt; said.</description></item>
</channel></rss>"""


class Handler(BaseHTTPRequestHandler):
    hits: dict[str, int] = {}

    def log_message(self, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        Handler.hits[self.path] = Handler.hits.get(self.path, 0) + 1
        if self.path == "/feed.xml":
            if self.headers.get("If-None-Match") == '"v1"':
                self.send_response(304)
                self.end_headers()
                return
            body = FEED.encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/rss+xml")
            self.send_header("ETag", '"v1"')
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        elif self.path == "/page.html":
            body = b"<!doctype html><html><body><h1>Service unavailable</h1></body></html>"
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.end_headers()
            self.wfile.write(body)
        else:
            self.send_response(404)
            self.end_headers()


@pytest.fixture
def server() -> Iterator[str]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    Handler.hits = {}
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def run(*args: str):
    get_engine.cache_clear()
    return runner.invoke(app, list(args), catch_exceptions=False)


def stored() -> list[Article]:
    with Session(get_engine()) as s:
        return list(s.scalars(select(Article).order_by(Article.pub_key)))


def test_a_feed_url_is_ingested_and_reingesting_adds_nothing(server):
    first = run("ingest", f"{server}/feed.xml")
    assert first.exit_code == 0, first.output
    articles = stored()
    assert [a.title for a in articles] == [
        "Nvidia shares jump on $NVDA export news",
        "Tesla recall widens",
        "Intel names new chief",
    ]
    assert run("ingest", f"{server}/feed.xml").exit_code == 0
    assert len(stored()) == 3


def test_nothing_stored_can_run_in_a_browser(server):
    run("ingest", f"{server}/feed.xml")
    for a in stored():
        for text in (a.title, a.summary, a.body, a.publisher):
            assert not re.search(r"<\s*[a-z/!]", text, re.I), text
            assert "javascript:" not in text.lower()
        assert a.url is None or a.url.startswith(("http://", "https://"))
    nvda = stored()[0]
    assert nvda.url == f"{server}/news/1"
    assert "rose after the rule change" in nvda.summary


def test_feed_stories_are_tagged_with_tickers(server):
    run("ingest", f"{server}/feed.xml")
    out = json.loads(run("articles", "--ticker", "NVDA", "--format", "json").output)
    assert [a["title"] for a in out] == ["Nvidia shares jump on $NVDA export news"]


def test_sources_remember_etags_and_one_broken_source_never_stops_the_others(server):
    assert run("sources", "add", f"{server}/feed.xml", "--name", "Local wire").exit_code == 0
    assert run("sources", "add", f"{server}/missing.xml").exit_code == 0
    assert run("sources", "add", f"{server}/page.html", "--name", "Not a feed").exit_code == 0
    first = run("ingest", "--all")
    assert first.exit_code == 1
    assert "HTTP 404" in first.output
    assert len(stored()) == 3
    second = run("ingest", "--all")
    assert "not-modified" in second.output
    assert Handler.hits["/feed.xml"] == 2
    with Session(get_engine()) as s:
        sources = {src.name: src for src in s.scalars(select(Source))}
        runs = list(s.scalars(select(IngestRun).order_by(IngestRun.id)))
    assert sources["Local wire"].etag == '"v1"'
    assert sources["Local wire"].articles_added == 3
    assert sources["Not a feed"].last_status == "failed"
    assert sources["Not a feed"].last_error
    assert [r.status for r in runs[:3]] == ["ok", "failed", "failed"]
    assert runs[3].status == "not-modified"


def test_sources_can_be_listed_disabled_enabled_and_removed(server):
    run("sources", "add", f"{server}/feed.xml", "--name", "Wire")
    assert run("sources", "add", f"{server}/feed.xml").exit_code == 1
    assert run("sources", "add", "ftp://example.com/feed").exit_code == 1
    assert "Wire" in run("sources", "list").output
    run("sources", "disable", "Wire")
    with Session(get_engine()) as s:
        assert s.scalar(select(Source.enabled)) is False
    assert run("ingest", "--all").exit_code == 2
    run("sources", "enable", "1")
    assert run("ingest", "--all").exit_code == 0
    assert run("sources", "remove", "Wire").exit_code == 0
    assert run("sources", "remove", "Wire").exit_code == 1
    assert len(stored()) == 3


def test_yahoo_targets_go_through_the_news_provider(monkeypatch):
    import terminal.ingest.yahoo_news as yahoo

    calls = []

    def fake(symbols, **kw):
        calls.append(list(symbols))
        record = ArticleRecord(
            title="Tesla deliveries beat", url="https://finance.example.com/t1",
            published_at=datetime(2025, 10, 2, 13, 0, tzinfo=UTC), tickers=["TSLA"],
            publisher="Example",
        )  # fmt: skip
        return ParseResult(records=[record]), ["NVDA: no news returned"]

    monkeypatch.setattr(yahoo, "fetch_yahoo_news", fake)
    result = run("ingest", "yahoo:tsla, nvda")
    assert result.exit_code == 0
    assert calls == [["TSLA", "NVDA"]]
    assert [a.title for a in stored()] == ["Tesla deliveries beat"]


def test_yahoo_offline_is_one_clear_failed_line(monkeypatch):
    import terminal.ingest.yahoo_news as yahoo

    monkeypatch.setattr(
        yahoo, "fetch_yahoo_news",
        lambda symbols, **kw: (ParseResult(), ["Yahoo Finance unreachable (offline?)"]),
    )  # fmt: skip
    result = run("ingest", "yahoo:NVDA")
    assert result.exit_code == 1
    assert "Yahoo Finance unreachable" in result.output
    assert "Traceback" not in result.output


def test_watch_runs_every_enabled_source_the_given_number_of_times(server):
    run("sources", "add", f"{server}/feed.xml")
    result = run("watch", "--every", "0.1s", "--runs", "2")
    assert result.exit_code == 0, result.output
    assert Handler.hits["/feed.xml"] == 2
    assert len(stored()) == 3
    assert run("watch", "--every", "soon").exit_code == 2
