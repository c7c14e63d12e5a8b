"""Fetching a URL defensively: deadlines, a size cap, checked redirects, conditional GET.

`fetch` never raises for network trouble: the result's `error` holds one line for the user.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

import httpx

from terminal.text import one_line

USER_AGENT = "Catalyst/0.1 (+news research terminal)"
ACCEPT = (
    "application/rss+xml, application/atom+xml, application/rdf+xml;q=0.9, "
    "application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5"
)
_REDIRECTS = {301, 302, 303, 307, 308}


@dataclass(slots=True)
class FetchResult:
    """What one fetch got: the final URL, status, body and validators, or a one-line error."""

    url: str
    status: int | None = None
    content: bytes = b""
    content_type: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    not_modified: bool = False
    error: str | None = None
    elapsed: float = 0.0

    @property
    def ok(self) -> bool:
        """True when the body (or a 304) arrived without error."""
        return self.error is None


class _Abort(Exception):
    """A fetch that stops with a message for the user."""


def fetch(
    url: str,
    *,
    etag: str | None = None,
    last_modified: str | None = None,
    timeout: float = 10.0,
    max_bytes: int = 10_000_000,
    max_redirects: int = 5,
    client: httpx.Client | None = None,
) -> FetchResult:
    """GET an http(s) URL within `timeout` seconds overall and `max_bytes` of body."""
    started = time.monotonic()
    result = FetchResult(url=url)
    own_client = client is None
    session = client or httpx.Client(follow_redirects=False)
    try:
        _run(
            result,
            session,
            etag,
            last_modified,
            started + timeout,
            timeout,
            max_bytes,
            max_redirects,
        )
    except _Abort as abort:
        result.error = str(abort)
    except httpx.TimeoutException:
        result.error = f"timed out after {timeout:g} s"
    except httpx.HTTPError as error:
        result.error = _network_error(error)
    except (httpx.InvalidURL, httpx.StreamError, UnicodeError):
        result.error = "not a valid URL"
    finally:
        if own_client:
            session.close()
        result.elapsed = time.monotonic() - started
    return result


def _run(
    result: FetchResult,
    client: httpx.Client,
    etag: str | None,
    last_modified: str | None,
    deadline: float,
    timeout: float,
    max_bytes: int,
    max_redirects: int,
) -> None:
    """Follow redirects by hand (each target checked), then read the final response."""
    headers = {"User-Agent": USER_AGENT, "Accept": ACCEPT}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    seen: set[str] = set()
    url = result.url
    for _ in range(max_redirects + 1):
        _check_scheme(url, redirected=bool(seen))
        seen.add(url)
        remaining = max(deadline - time.monotonic(), 0.001)
        try:
            request = client.build_request("GET", url, headers=headers, timeout=remaining)
        except (httpx.InvalidURL, ValueError):  # ValueError: IDNA errors in the host name
            raise _Abort(f"not a valid URL: {one_line(url, max_len=120)}") from None
        response = _send(client, request)
        try:
            result.url, result.status = str(response.url), response.status_code
            location = response.headers.get("location")
            if response.status_code not in _REDIRECTS or not location:
                _read(result, response, deadline, timeout, max_bytes)
                result.etag = response.headers.get("etag") or (
                    etag if result.not_modified else None
                )
                result.last_modified = response.headers.get("last-modified") or (
                    last_modified if result.not_modified else None
                )
                return
        finally:
            response.close()
        url = urljoin(url, location.strip())
        if url in seen:
            raise _Abort(f"redirect loop at {one_line(url, max_len=200)}")
    raise _Abort(f"too many redirects (more than {max_redirects})")


def _send(client: httpx.Client, request: httpx.Request) -> httpx.Response:
    """Send one request; a Location header httpx cannot even parse is a refused redirect."""
    try:
        return client.send(request, stream=True, follow_redirects=False)
    except httpx.InvalidURL:
        raise _Abort("redirect to an invalid or non-http(s) URL refused") from None
    except httpx.RemoteProtocolError as error:
        if "location header" in str(error).lower():
            raise _Abort("redirect to an invalid or non-http(s) URL refused") from None
        raise


def _check_scheme(url: str, *, redirected: bool) -> None:
    """Refuse anything but absolute http(s) URLs."""
    try:
        parts = urlsplit(url)
    except ValueError:
        raise _Abort("not a valid URL") from None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        if redirected:
            shown = one_line(url, max_len=80)
            raise _Abort(f"redirect to a non-http(s) URL refused ({shown})")
        raise _Abort("not an http(s) URL")


def _read(
    result: FetchResult, response: httpx.Response, deadline: float, timeout: float, max_bytes: int
) -> None:
    """Read the body under the size cap and the wall-clock deadline; note 304s and HTTP errors."""
    result.content_type = response.headers.get("content-type")
    if response.status_code == 304:
        result.not_modified = True
        return
    cap = f"response larger than {_size(max_bytes)} cap"
    declared = response.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > max_bytes:
        raise _Abort(cap)
    chunks: list[bytes] = []
    size = 0
    for chunk in response.iter_bytes():
        size += len(chunk)
        if size > max_bytes:
            raise _Abort(cap)
        if time.monotonic() > deadline:
            raise _Abort(f"timed out after {timeout:g} s")
        chunks.append(chunk)
    result.content = b"".join(chunks)
    if response.status_code >= 400 or response.status_code < 200:
        reason = one_line(response.reason_phrase, max_len=60)
        result.error = f"HTTP {response.status_code} {reason}".strip()


def _size(n: int) -> str:
    """A byte count for people: 10 MB, 512 kB, 300 bytes."""
    if n >= 1_000_000:
        return f"{n / 1_000_000:g} MB"
    return f"{n / 1000:g} kB" if n >= 1000 else f"{n} bytes"


def _network_error(error: httpx.HTTPError) -> str:
    """One line saying what went wrong on the network, without a traceback."""
    text = str(error) or type(error).__name__
    lowered = text.lower()
    if isinstance(error, httpx.ConnectError):
        if "refused" in lowered:
            return "connection refused"
        if "name or service" in lowered or "nodename" in lowered or "name resolution" in lowered:
            return "host not found (DNS lookup failed)"
        if "ssl" in lowered or "certificate" in lowered:
            return f"TLS error: {one_line(text, max_len=150)}"
        return f"could not connect: {one_line(text, max_len=150)}"
    if isinstance(error, httpx.RemoteProtocolError):
        return "the server broke off the response (protocol error)"
    if isinstance(error, httpx.DecodingError):
        return "the response could not be decoded (bad compression)"
    if isinstance(error, httpx.UnsupportedProtocol | httpx.InvalidURL):
        return "not an http(s) URL"
    return f"network error: {one_line(text, max_len=150)}"
