"""A local HTTP server on 127.0.0.1 whose paths are answered by test-defined routes."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

Route = Callable[[BaseHTTPRequestHandler], None]


class _QuietServer(ThreadingHTTPServer):
    """A server that does not print when a client hangs up early (as fetch does at a cap)."""

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass


class LocalServer:
    """A threaded HTTP server on 127.0.0.1 whose paths are answered by test-defined routes."""

    def __init__(self) -> None:
        self.routes: dict[str, Route] = {}
        self.requests: list[tuple[str, dict[str, str]]] = []
        self.stop = threading.Event()
        self.httpd = _QuietServer(("127.0.0.1", 0), self._handler())
        self.httpd.daemon_threads = True
        self.base = f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def url(self, path: str) -> str:
        """The absolute URL of a path on this server."""
        return self.base + path

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:
                server.requests.append((self.path, dict(self.headers.items())))
                route = server.routes.get(self.path.split("?")[0])
                if route is None:
                    send(self, 404, b"no such route", reason="Not Found")
                else:
                    route(self)

            def log_message(self, *args: Any) -> None:
                pass

        return Handler


def send(
    handler: BaseHTTPRequestHandler,
    status: int,
    body: bytes = b"",
    *,
    headers: dict[str, str] | None = None,
    reason: str | None = None,
    content_length: bool = True,
) -> None:
    """Write a whole response (or, without Content-Length, a body ended by closing)."""
    handler.send_response(status, reason)
    for name, value in (headers or {}).items():
        handler.send_header(name, value)
    if content_length:
        handler.send_header("Content-Length", str(len(body)))
    else:
        handler.send_header("Connection", "close")
        handler.close_connection = True
    handler.end_headers()
    handler.wfile.write(body)


def dribble(handler: BaseHTTPRequestHandler, stop: threading.Event, every: float = 0.05) -> None:
    """A body that never ends: one byte at a time until the test is over."""
    handler.send_response(200)
    handler.send_header("Content-Type", "application/rss+xml")
    handler.end_headers()
    handler.close_connection = True
    try:
        while not stop.is_set():
            handler.wfile.write(b" ")
            handler.wfile.flush()
            time.sleep(every)
    except OSError:
        pass
