"""A fake Yahoo Finance news service: a requests Session whose adapter answers like Yahoo."""

from __future__ import annotations

import json
import threading
from typing import Any
from urllib.parse import parse_qs, urlsplit

import requests
from requests.adapters import BaseAdapter


def nested_item(uid: str, title: str, tickers: list[str], **content: Any) -> dict[str, Any]:
    """A news item in the shape yfinance 1.x returns (recorded from the ncp endpoint)."""
    body: dict[str, Any] = {
        "id": uid,
        "contentType": "STORY",
        "title": title,
        "description": "",
        "summary": f"{title}, analysts said on Tuesday.",
        "pubDate": "2025-01-28T14:49:00Z",
        "displayTime": "2025-01-28T15:02:11Z",
        "isHosted": True,
        "bypassModal": False,
        "previewUrl": None,
        "thumbnail": {"originalUrl": "https://s.yimg.com/x.jpg", "originalWidth": 1200},
        "provider": {"displayName": "Reuters", "url": "http://www.reuters.com/"},
        "canonicalUrl": {
            "url": f"https://finance.yahoo.com/news/{uid}-144900123.html",
            "site": "finance",
            "region": "US",
            "lang": "en-US",
        },
        "clickThroughUrl": {"url": f"https://finance.yahoo.com/news/{uid}-ct.html"},
        "metadata": {"editorsPick": False},
        "finance": {
            "premiumFinance": {"isPremiumNews": False, "isPremiumFreeNews": False},
            "stockTickers": [{"symbol": t} for t in tickers],
        },
        "storyline": None,
    }
    body.update(content)
    return {"id": uid, "content": body}


def flat_item(uid: str, title: str, tickers: list[str], **fields: Any) -> dict[str, Any]:
    """A news item in the older flat shape (uuid, providerPublishTime, relatedTickers)."""
    item: dict[str, Any] = {
        "uuid": uid,
        "title": title,
        "publisher": "Motley Fool",
        "link": f"https://finance.yahoo.com/m/{uid}/story.html",
        "providerPublishTime": 1714492800,
        "type": "STORY",
        "thumbnail": {"resolutions": [{"url": "https://s.yimg.com/y.jpg", "tag": "original"}]},
        "relatedTickers": tickers,
    }
    item.update(fields)
    return item


def ad_item() -> dict[str, Any]:
    """A sponsored slot, which yfinance itself drops from the stream."""
    return {"id": "ad-1", "ad": [{"sponsor": "Broker"}], "content": {"title": "Open an account"}}


class FakeYahooNews(BaseAdapter):
    """Answers the cookie, crumb and news-stream URLs; anything else fails the test."""

    def __init__(
        self,
        streams: dict[str, list[dict[str, Any]]],
        *,
        offline: bool = False,
        down: bool = False,
        hang: threading.Event | None = None,
    ) -> None:
        super().__init__()
        self.streams, self.offline, self.down, self.hang = streams, offline, down, hang
        self.news_requests: list[dict[str, Any]] = []
        self.unexpected: list[str] = []

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:
        """Route one request like Yahoo would."""
        if self.hang is not None:
            self.hang.wait(30)
        if self.offline or self.hang is not None:
            raise requests.ConnectionError("[Errno 101] Network is unreachable")
        parts = urlsplit(request.url or "")
        params = {k: v[0] for k, v in parse_qs(parts.query).items()}
        if parts.hostname == "fc.yahoo.com":
            return _response(request, 404, "")
        if parts.path == "/v1/test/getcrumb":
            return _response(request, 200, "fake-crumb")
        if parts.hostname == "finance.yahoo.com" and parts.path == "/xhr/ncp":
            payload = json.loads(request.body or b"{}")
            self.news_requests.append({"params": params, "payload": payload})
            if self.down:
                return _response(request, 200, "<html>Will be right back</html>")
            symbol = payload["serviceConfig"]["s"][0]
            stream = self.streams.get(symbol, [])
            return _response(request, 200, {"data": {"tickerStream": {"stream": stream}}})
        self.unexpected.append(request.url or "")
        raise requests.ConnectionError(f"unexpected URL in a test: {request.url}")

    def close(self) -> None:
        """Nothing to release."""


def _response(request: requests.PreparedRequest, status: int, body: Any) -> requests.Response:
    """A requests Response carrying a JSON or text body."""
    response = requests.Response()
    response.status_code, response.url, response.request = status, request.url, request
    text = body if isinstance(body, str) else json.dumps(body)
    response._content = text.encode()
    response.headers["Content-Type"] = "application/json"
    response.encoding = "utf-8"
    return response


def session_for(adapter: FakeYahooNews) -> requests.Session:
    """A requests Session that sends every URL to the fake."""
    session = requests.Session()
    session.mount("https://", adapter)
    session.mount("http://", adapter)
    return session
