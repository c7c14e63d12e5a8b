"""fetch() against a local server: success, conditional GET, redirects, timeouts, errors, caps."""

from __future__ import annotations

import gzip
import socket

import pytest

from terminal.ingest.http import USER_AGENT, fetch
from tests.ingest.local_http import LocalServer, dribble, send

FEED = b'<?xml version="1.0"?><rss version="2.0"><channel><title>T</title></channel></rss>'
ETAG = '"v1"'
MODIFIED = "Wed, 01 May 2024 10:00:00 GMT"


def serve_feed(handler) -> None:
    """200 with validators, or 304 when the client already has this version."""
    if handler.headers.get("If-None-Match") == ETAG or (
        handler.headers.get("If-Modified-Since") == MODIFIED
    ):
        send(handler, 304, headers={"ETag": ETAG})
        return
    headers = {"Content-Type": "application/rss+xml", "ETag": ETAG, "Last-Modified": MODIFIED}
    send(handler, 200, FEED, headers=headers)


def redirect_to(target: str):
    """A route that answers 302 to `target`."""
    return lambda handler: send(handler, 302, headers={"Location": target})


def test_a_feed_is_fetched_with_its_validators_and_our_user_agent(server: LocalServer) -> None:
    server.routes["/feed"] = serve_feed
    result = fetch(server.url("/feed"))
    assert result.error is None
    assert (result.status, result.content, result.not_modified) == (200, FEED, False)
    assert result.content_type == "application/rss+xml"
    assert (result.etag, result.last_modified) == (ETAG, MODIFIED)
    assert server.requests[0][1]["User-Agent"] == USER_AGENT
    assert result.elapsed > 0


@pytest.mark.parametrize(
    "validators", [{"etag": ETAG}, {"last_modified": MODIFIED}], ids=["etag", "last-modified"]
)
def test_an_unchanged_feed_answers_not_modified(server: LocalServer, validators) -> None:
    server.routes["/feed"] = serve_feed
    result = fetch(server.url("/feed"), **validators)
    assert result.error is None
    assert (result.status, result.not_modified, result.content) == (304, True, b"")
    assert result.etag == ETAG
    sent = server.requests[0][1]
    assert sent.get("If-None-Match") == validators.get("etag")
    assert sent.get("If-Modified-Since") == validators.get("last_modified")


def test_redirects_are_followed_to_the_final_url(server: LocalServer) -> None:
    server.routes["/feed"] = serve_feed
    server.routes["/old"] = redirect_to("/moved")
    server.routes["/moved"] = redirect_to(server.url("/feed"))
    result = fetch(server.url("/old"))
    assert result.error is None
    assert result.content == FEED
    assert result.url == server.url("/feed")


def test_a_redirect_loop_is_reported(server: LocalServer) -> None:
    server.routes["/a"] = redirect_to("/b")
    server.routes["/b"] = redirect_to("/a")
    result = fetch(server.url("/a"))
    assert result.error is not None and result.error.startswith("redirect loop")
    assert len(server.requests) == 2


def test_a_redirect_chain_longer_than_the_limit_is_refused(server: LocalServer) -> None:
    for hop in range(5):
        server.routes[f"/{hop}"] = redirect_to(f"/{hop + 1}")
    server.routes["/5"] = serve_feed
    assert fetch(server.url("/0"), max_redirects=5).error is None
    assert fetch(server.url("/0"), max_redirects=3).error == "too many redirects (more than 3)"


@pytest.mark.parametrize("target", ["file:///etc/passwd", "javascript:alert(1)", "ftp://x/feed"])
def test_a_redirect_to_another_scheme_is_refused(server: LocalServer, target: str) -> None:
    server.routes["/feed"] = redirect_to(target)
    result = fetch(server.url("/feed"))
    assert result.error is not None
    assert result.error.startswith("redirect to a")
    assert "non-http(s) URL refused" in result.error
    assert result.content == b""


@pytest.mark.parametrize("url", ["file:///etc/passwd", "ftp://example.com/feed", "feed.xml", ""])
def test_only_http_and_https_urls_are_fetched(url: str) -> None:
    assert fetch(url).error == "not an http(s) URL"


def test_a_server_that_never_answers_times_out(server: LocalServer) -> None:
    server.routes["/slow"] = lambda handler: server.stop.wait(10)
    result = fetch(server.url("/slow"), timeout=0.3)
    assert result.error == "timed out after 0.3 s"
    assert result.elapsed < 5


def test_a_body_that_dribbles_forever_hits_the_overall_deadline(server: LocalServer) -> None:
    server.routes["/dribble"] = lambda handler: dribble(handler, server.stop)
    result = fetch(server.url("/dribble"), timeout=0.5)
    assert result.error == "timed out after 0.5 s"
    assert result.elapsed < 5


@pytest.mark.parametrize(("status", "reason"), [(404, "Not Found"), (500, "Internal Server Error")])
def test_http_errors_become_one_line(server: LocalServer, status: int, reason: str) -> None:
    server.routes["/feed"] = lambda handler: send(handler, status, b"<html>oops</html>")
    result = fetch(server.url("/feed"))
    assert result.status == status
    assert result.error == f"HTTP {status} {reason}"


@pytest.mark.parametrize("declared", [True, False], ids=["content-length", "no-length"])
def test_a_body_over_the_cap_is_refused(server: LocalServer, declared: bool) -> None:
    body = b"x" * 300_000
    server.routes["/huge"] = lambda handler: send(handler, 200, body, content_length=declared)
    result = fetch(server.url("/huge"), max_bytes=100_000)
    assert result.error == "response larger than 100 kB cap"
    assert result.content == b""


def test_a_small_compressed_body_that_inflates_past_the_cap_is_refused(server: LocalServer) -> None:
    bomb = gzip.compress(b"<" * 5_000_000)
    assert len(bomb) < 100_000
    headers = {"Content-Encoding": "gzip", "Content-Type": "application/rss+xml"}
    server.routes["/bomb"] = lambda handler: send(handler, 200, bomb, headers=headers)
    result = fetch(server.url("/bomb"), max_bytes=1_000_000)
    assert result.error == "response larger than 1 MB cap"
    assert result.content == b""


def test_a_closed_port_is_connection_refused() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    assert fetch(f"http://127.0.0.1:{port}/feed").error == "connection refused"
