"""Slow, dead, refusing and babbling servers: every fetch ends within its deadline with one clear line."""

from __future__ import annotations

import functools
import socket
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler
from typing import Any

import pytest
from typer.testing import CliRunner

import terminal.ingest.http as http_mod
import terminal.ingest.yahoo_news as yahoo_news
import terminal.prices.yahoo as yahoo_prices
from terminal.cli import app
from tests.reliability.helpers import canonical_line, local_server, reply, rss

runner = CliRunner()
DEADLINE = 2.0
SLACK = 3.0  # process start-up, SQLite writes and the run log, on a busy 2-core machine
RELEASE = threading.Event()  # lets hanging handlers and patched calls end after each test


@pytest.fixture(autouse=True)
def _release_hangs() -> Iterator[None]:
    RELEASE.clear()
    yield
    RELEASE.set()


def dribble(h: BaseHTTPRequestHandler) -> None:
    h.send_response(200)
    h.send_header("Content-Type", "application/rss+xml")
    h.end_headers()
    h.close_connection = True
    try:
        while not RELEASE.wait(0.05):
            h.wfile.write(b" ")
            h.wfile.flush()
    except OSError:
        pass


def headers_then_silence(h: BaseHTTPRequestHandler) -> None:
    h.send_response(200)
    h.send_header("Content-Length", "5000")
    h.end_headers()
    h.wfile.write(b"<rss")
    h.wfile.flush()
    RELEASE.wait(30)


def never_answers(h: BaseHTTPRequestHandler) -> None:
    RELEASE.wait(30)


ROUTES = {
    "/slow": dribble,
    "/stalls": headers_then_silence,
    "/silent": never_answers,
    "/429": lambda h: reply(h, 429, b"slow down", headers={"Retry-After": "60"}),
    "/500": lambda h: reply(h, 500, b"<h1>oops</h1>", "text/html"),
    "/503": lambda h: reply(h, 503, b"", "text/html"),
    "/garbage": lambda h: reply(h, 200, bytes(range(256)) * 40),
    "/html": lambda h: reply(
        h, 200, b"<html><title>Login</title><body>hi</body></html>", "text/html"
    ),
    "/truncated": lambda h: reply(h, 200, rss(3)[: rss(3).index(b"<item>", 400) + 40]),
    "/ok": lambda h: reply(h, 200, rss(3)),
}


@pytest.fixture(scope="module")
def base() -> Iterator[str]:
    with local_server(ROUTES) as url:
        yield url


@pytest.fixture
def short_deadline(monkeypatch: pytest.MonkeyPatch) -> None:
    """Feed fetches get a 2 s deadline instead of 10 s, so each case stays quick."""
    monkeypatch.setattr(http_mod, "fetch", functools.partial(http_mod.fetch, timeout=DEADLINE))


def dead_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def ingest(*targets: str) -> tuple[int, str, float]:
    started = time.monotonic()
    result = runner.invoke(app, ["ingest", *targets])
    assert not isinstance(result.exception, Exception) or isinstance(
        result.exception, SystemExit
    ), repr(result.exception)
    return result.exit_code, " ".join(result.output.split()), time.monotonic() - started


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("/slow", "timed out after 2 s"),
        ("/stalls", "timed out after 2 s"),
        ("/silent", "timed out after 2 s"),
        ("/429", "HTTP 429"),
        ("/500", "HTTP 500"),
        ("/503", "HTTP 503"),
        ("/garbage", "not an RSS or Atom feed"),
        ("/html", "Login"),
    ],
)
def test_a_bad_feed_fails_within_its_deadline_with_one_clear_line(
    base: str, short_deadline: None, path: str, message: str
) -> None:
    code, out, took = ingest(base + path)
    assert code == 1
    assert message in out
    assert "Traceback" not in out
    assert took < DEADLINE + SLACK


def test_a_truncated_feed_keeps_the_entries_before_the_cut_and_says_so(
    base: str, short_deadline: None
) -> None:
    code, out, _ = ingest(base + "/truncated")
    assert (code, "not well-formed XML" in out, "Traceback" in out) == (0, True, False)
    listed = runner.invoke(app, ["articles", "--format", "jsonl"]).output
    assert "Feed story 0" in listed and "Feed story 1" in listed


def test_a_dead_port_is_reported_as_refused(short_deadline: None) -> None:
    code, out, took = ingest(f"http://127.0.0.1:{dead_port()}/feed")
    assert (code, "connection refused" in out, "Traceback" in out) == (1, True, False)
    assert took < SLACK


def test_a_server_that_accepts_and_never_answers_hits_the_default_deadline() -> None:
    with socket.socket() as listener:  # the kernel completes the handshake; nobody reads
        listener.bind(("127.0.0.1", 0))
        listener.listen(8)
        port = listener.getsockname()[1]
        code, out, took = ingest(f"http://127.0.0.1:{port}/feed")
    assert code == 1
    assert "timed out after 10 s" in out
    assert took < 10 + SLACK


def test_good_sources_are_stored_when_others_fail_beside_them(
    base: str, short_deadline: None, tmp_path: Any
) -> None:
    good_file = tmp_path / "good.jsonl"
    good_file.write_text(canonical_line(10) + canonical_line(11))
    code, out, _ = ingest(base + "/silent", base + "/ok", str(good_file), base + "/500")
    assert code == 1
    listed = runner.invoke(app, ["articles", "--format", "jsonl", "--limit", "100"])
    assert listed.output.count("\n") == 5  # three from the feed, two from the file


# -- Yahoo Finance, patched at the yfinance boundary ------------------------------------------


class HangingTicker:
    """yfinance.Ticker whose news call never returns (a dead network without a timeout)."""

    def __init__(self, symbol: str, session: Any = None) -> None:
        self.symbol = symbol

    def get_news(self, **kwargs: Any) -> list[Any]:
        RELEASE.wait(30)
        return []


class RateLimitedTicker(HangingTicker):
    def get_news(self, **kwargs: Any) -> list[Any]:
        from yfinance.exceptions import YFRateLimitError

        raise YFRateLimitError()


class GarbageTicker(HangingTicker):
    def get_news(self, **kwargs: Any) -> Any:
        return "<html>502 Bad Gateway</html>"


@pytest.mark.parametrize(
    ("ticker", "message"),
    [
        (HangingTicker, "no answer within 1.5 s"),
        (RateLimitedTicker, "rate limit"),
        (GarbageTicker, "unexpected answer"),
    ],
)
def test_yahoo_news_failures_end_within_the_deadline_with_a_clear_line(
    monkeypatch: pytest.MonkeyPatch, ticker: type, message: str
) -> None:
    import yfinance

    monkeypatch.setattr(yfinance, "Ticker", ticker)
    patched = functools.partial(yahoo_news.fetch_yahoo_news, deadline=1.5)
    monkeypatch.setattr(yahoo_news, "fetch_yahoo_news", patched)
    code, out, took = ingest("yahoo:AAPL,MSFT")
    assert code == 1
    assert message in " ".join(out.split())
    assert "Traceback" not in out
    assert took < 1.5 + SLACK


def hanging_download(*args: Any, **kwargs: Any) -> Any:
    RELEASE.wait(30)
    raise AssertionError("released")


def refusing_download(*args: Any, **kwargs: Any) -> Any:
    raise ConnectionError("Failed to establish a new connection: [Errno 111] Connection refused")


def garbage_download(symbols: list[str], **kwargs: Any) -> Any:
    """What yfinance does with an HTML error page instead of JSON: log per ticker, no bars."""
    import logging

    import pandas as pd

    quoted = ", ".join(repr(s) for s in symbols)
    logging.getLogger("yfinance").error(f"[{quoted}]: JSONDecodeError('Expecting value')")
    return pd.DataFrame()


@pytest.mark.parametrize(
    ("download", "message"),
    [
        (hanging_download, "no answer within 1 s"),
        (refusing_download, "unreachable"),
        (garbage_download, "JSONDecodeError"),
    ],
)
def test_price_refresh_failures_end_within_the_deadline_with_a_clear_line(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Any, download: Any, message: str
) -> None:
    stories = tmp_path / "s.jsonl"
    stories.write_text(canonical_line(1))
    assert runner.invoke(app, ["ingest", str(stories)]).exit_code == 0
    monkeypatch.setattr(yahoo_prices.yf, "download", download)
    monkeypatch.setitem(
        yahoo_prices._probe_cache, yahoo_prices.PROBE_HOST, (time.monotonic(), True)
    )
    started = time.monotonic()
    result = runner.invoke(app, ["prices", "refresh", "--deadline", "1", "--no-synthetic"])
    took = time.monotonic() - started
    assert result.exit_code == 1, (result.output, result.exception)
    assert not isinstance(result.exception, Exception) or isinstance(
        result.exception, SystemExit
    ), repr(result.exception)
    assert message in " ".join(result.output.split())
    assert took < 1 + SLACK
