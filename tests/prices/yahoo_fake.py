"""A fake Yahoo Finance for tests: a requests Session whose adapter answers with chart JSON."""

from __future__ import annotations

import json
import threading
from collections import Counter
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pandas as pd
import requests
from requests.adapters import BaseAdapter

NY = "America/New_York"
Bar = tuple[float, float, float, float, float, float]  # open, high, low, close, adjclose, volume


def chart_json(symbol: str, bars: dict[pd.Timestamp, Bar], *, events: dict | None = None) -> dict:
    """A Yahoo v8 chart reply; `bars` keyed by UTC bar start."""
    stamps = sorted(bars)
    cols = list(zip(*(bars[t] for t in stamps), strict=True)) if stamps else [[]] * 6
    result: dict[str, Any] = {
        "meta": {
            "currency": "USD",
            "symbol": symbol,
            "exchangeName": "NMS",
            "instrumentType": "ETF" if symbol == "SPY" else "EQUITY",
            "firstTradeDate": 345479400,
            "regularMarketTime": 1735333200,
            "gmtoffset": -18000,
            "timezone": "EST",
            "exchangeTimezoneName": NY,
            "regularMarketPrice": 100.0,
            "priceHint": 2,
            "dataGranularity": "1d",
            "validRanges": ["1d", "5d", "1mo", "3mo", "6mo", "1y", "2y", "5y", "ytd", "max"],
            "tradingPeriods": trading_periods(stamps),
        },
        "indicators": {"quote": [{}], "adjclose": [{}]},
    }
    if stamps:
        result["timestamp"] = [int(t.timestamp()) for t in stamps]
        keys = ["open", "high", "low", "close"]
        result["indicators"]["quote"] = [
            dict(zip(keys + ["volume"], [list(c) for c in cols[:4]] + [list(cols[5])], strict=True))
        ]
        result["indicators"]["adjclose"] = [{"adjclose": list(cols[4])}]
    if events:
        result["events"] = events
    return {"chart": {"result": [result], "error": None}}


def trading_periods(stamps: list[pd.Timestamp]) -> list[list[dict[str, Any]]]:
    """Regular 9:30-16:00 ET periods for each day the bars touch (Yahoo's intraday meta)."""
    days = sorted({t.tz_convert(NY).normalize() for t in stamps}) or [
        pd.Timestamp("2024-12-27", tz=NY)
    ]
    return [
        [
            {
                "timezone": "EST",
                "gmtoffset": -18000,
                "start": int((d + pd.Timedelta(hours=9.5)).timestamp()),
                "end": int((d + pd.Timedelta(hours=16)).timestamp()),
            }
        ]
        for d in days
    ]


def not_found(symbol: str) -> dict:
    """Yahoo's reply for an unknown symbol."""
    desc = f"No data found, symbol may be delisted ({symbol})"
    return {"chart": {"result": None, "error": {"code": "Not Found", "description": desc}}}


Handler = Callable[[str, dict[str, str]], tuple[int, Any]]


class FakeYahoo(BaseAdapter):
    """Answers Yahoo URLs from a handler(symbol, params) -> (status, json); counts chart calls."""

    def __init__(self, handler: Handler, *, hang: threading.Event | None = None) -> None:
        super().__init__()
        self.handler, self.hang, self.calls = handler, hang, Counter()

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:
        if self.hang is not None:
            self.hang.wait(30)
        parts = urlsplit(request.url or "")
        params = {k: v[0] for k, v in parse_qs(parts.query).items()}
        status, body = 404, {"error": "not here"}
        if "getcrumb" in parts.path:
            status, body = 200, "fake-crumb"
        elif parts.hostname == "fc.yahoo.com":
            status, body = 404, ""
        elif "/v8/finance/chart/" in parts.path:
            symbol = parts.path.rsplit("/", 1)[1].upper()
            self.calls[symbol] += 1
            status, body = self.handler(symbol, params)
        resp = requests.Response()
        resp.status_code, resp.url, resp.request = status, request.url, request
        text = body if isinstance(body, str) else json.dumps(body)
        resp._content = text.encode()
        resp.headers["Content-Type"] = "application/json"
        return resp

    def close(self) -> None:
        """Nothing to release."""


def session_for(adapter: FakeYahoo) -> requests.Session:
    """A plain requests Session routing every https URL through the fake."""
    session = requests.Session()
    session.mount("https://", adapter)
    session.mount("http://", adapter)
    return session


def window(bars: dict[pd.Timestamp, Bar], params: dict[str, str]) -> dict[pd.Timestamp, Bar]:
    """The bars inside a chart request's period1/period2 (all bars for a range= request)."""
    if "period1" not in params:
        return dict(list(sorted(bars.items()))[-1:])
    lo = pd.Timestamp(int(params["period1"]), unit="s", tz="UTC")
    hi = pd.Timestamp(int(params["period2"]), unit="s", tz="UTC")
    return {t: b for t, b in bars.items() if lo <= t < hi}
