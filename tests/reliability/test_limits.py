"""Oversized inputs are cut at a stated cap with a clear message, never read without limit."""

from __future__ import annotations

import functools
import json
from collections.abc import Iterator
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

import terminal.importers as importers
import terminal.ingest.feeds as feeds
import terminal.ingest.http as http_mod
from db.models import Article
from terminal.cli import app
from terminal.database import get_engine
from terminal.store import MAX_TEXT, MAX_TITLE
from tests.reliability.helpers import local_server, reply, rss

runner = CliRunner()
HUGE_TITLE = "Nvidia " * 2_000  # 14,000 characters


def endless(h: BaseHTTPRequestHandler) -> None:
    """A body with no Content-Length that would never stop on its own."""
    h.send_response(200)
    h.send_header("Content-Type", "application/rss+xml")
    h.end_headers()
    h.close_connection = True
    chunk = b"<item><title>x</title></item>" * 4_000
    try:
        for _ in range(2_000):
            h.wfile.write(chunk)
    except OSError:
        pass


def declared_huge(h: BaseHTTPRequestHandler) -> None:
    h.send_response(200)
    h.send_header("Content-Length", str(50_000_000))
    h.end_headers()
    h.wfile.write(b"<rss>")


ROUTES = {
    "/endless": endless,
    "/declared": declared_huge,
    "/many": lambda h: reply(h, 200, rss(250)),
    "/long": lambda h: reply(h, 200, rss(2, title_pad=" " + HUGE_TITLE)),
}


@pytest.fixture(scope="module")
def base() -> Iterator[str]:
    with local_server(ROUTES) as url:
        yield url


def ingest(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, ["ingest", *args])
    return result.exit_code, " ".join(result.output.split())


def stored_titles() -> list[str]:
    with Session(get_engine()) as session:
        return list(session.scalars(select(Article.title)))


@pytest.mark.parametrize("path", ["/endless", "/declared"])
def test_a_feed_over_the_size_cap_is_refused_with_the_cap_named(base: str, path: str) -> None:
    code, out = ingest(base + path)
    assert code == 1
    assert "response larger than 10 MB cap" in out


def test_a_feed_with_too_many_entries_keeps_the_first_n_and_says_so(
    base: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(feeds, "MAX_ENTRIES", 100)
    code, out = ingest(base + "/many")
    assert code == 0
    assert "feed has 250 entries: only the first 100 were read" in out
    assert len(stored_titles()) == 100


def test_the_entries_cap_is_a_few_thousand_per_feed() -> None:
    parsed = feeds.parse_feed(
        rss(feeds.MAX_ENTRIES + 5), url="http://127.0.0.1/", fetched_at=datetime.now(UTC)
    )
    assert len(parsed.records) == feeds.MAX_ENTRIES == 2_000
    assert any("only the first 2000" in w for w in parsed.warnings)


def test_titles_are_cut_to_the_title_cap_from_feeds_and_files(base: str, tmp_path: Path) -> None:
    jsonl = tmp_path / "long.jsonl"
    body = "word " * 300_000  # 1.5 MB of body text in one entry
    jsonl.write_text(
        json.dumps(
            {
                "title": HUGE_TITLE,
                "url": "https://x.example/1",
                "body": body,
                "published_at": "2025-01-02T10:00:00Z",
            }
        )
        + "\n"  # fmt: skip
    )
    assert ingest(base + "/long")[0] == 0
    assert ingest(str(jsonl))[0] == 0

    titles = stored_titles()
    assert len(titles) == 3
    assert all(0 < len(t) <= MAX_TITLE for t in titles)
    with Session(get_engine()) as session:
        assert session.scalar(select(func.max(func.length(Article.body)))) <= MAX_TEXT


def test_a_file_over_the_upload_cap_is_refused_before_it_is_read(tmp_path: Path) -> None:
    sparse = tmp_path / "huge.jsonl"
    with sparse.open("wb") as handle:  # a sparse file: 200 MB + 1 byte, no disk used
        handle.truncate(importers.MAX_FILE_BYTES + 1)
    code, out = ingest(str(sparse))
    assert code == 1
    assert "is larger than 200 MB" in out


def test_an_upload_over_the_cap_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(importers, "MAX_FILE_BYTES", 1_000)
    with pytest.raises(importers.UnreadableInput, match="upload.jsonl is larger than"):
        importers.read_bytes(b"{}\n" * 1_000, name="upload.jsonl")


def test_a_smaller_fetch_cap_is_honoured(base: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(http_mod, "fetch", functools.partial(http_mod.fetch, max_bytes=20_000))
    code, out = ingest(base + "/many")
    assert code == 1 and "response larger than 20 kB cap" in out
