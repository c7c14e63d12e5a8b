"""Prices from Yahoo Finance via yfinance: the only module in Catalyst that imports yfinance."""

from __future__ import annotations

import functools
import logging
import os
import re
import socket
import threading
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar, TypeVar

import pandas as pd
import yfinance as yf

from terminal.config import DATA_DIR
from terminal.prices.base import (
    PriceFetcher,
    PriceQuery,
    PriceResult,
    empty_frame,
    in_range,
    is_intraday,
    normalise,
)

UNREACHABLE = "Yahoo Finance unreachable (offline?)"
LOOKBACK_DAYS = {
    "1m": 7,
    "2m": 60,
    "5m": 60,
    "15m": 60,
    "30m": 60,
    "90m": 60,
    "60m": 730,
    "1h": 730,
}
PROBE_HOST = ("query1.finance.yahoo.com", 443)
_COLUMNS = {"Open": "open", "High": "high", "Low": "low", "Close": "close"}
_COLUMNS |= {"Adj Close": "adj_close", "Volume": "volume"}
_ERROR_LINE = re.compile(r"^\[(?P<syms>[^\]]*)\]: (?P<msg>.*)$", re.S)
warnings.filterwarnings("ignore", module=r"yfinance(\.|$)")  # pandas deprecations inside yfinance
_DOWNLOAD_LOCK = threading.Lock()  # yfinance shares one session and one logger
_probe_cache: dict[tuple[str, int], tuple[float, bool]] = {}
_cache_dir: list[str] = []  # where yfinance's caches were last pointed
T = TypeVar("T")


def use_cache_dir() -> Path:
    """Point yfinance's timezone and cookie caches at data/.yfinance-cache (TERMINAL_YF_CACHE overrides)."""
    path = Path(os.environ.get("TERMINAL_YF_CACHE") or DATA_DIR / ".yfinance-cache")
    if _cache_dir[-1:] != [str(path)]:
        path.mkdir(parents=True, exist_ok=True)
        ignore = path / ".gitignore"  # keeps the whole folder out of git
        if not ignore.exists():
            ignore.write_text("*\n")
        yf.set_tz_cache_location(str(path))
        _cache_dir[:] = [str(path)]
    return path


class DeadlineExceeded(TimeoutError):
    """A call to Yahoo did not finish within its deadline."""


def call_with_deadline(fn: Callable[[], T], seconds: float) -> T:
    """Run fn in a daemon thread; raise DeadlineExceeded if it has not returned in time."""
    box: dict[str, Any] = {}
    done = threading.Event()

    def run() -> None:
        try:
            box["value"] = fn()
        except BaseException as exc:  # handed back to the caller below
            box["error"] = exc
        finally:
            done.set()

    threading.Thread(target=run, name="yahoo-call", daemon=True).start()
    if not done.wait(seconds):
        raise DeadlineExceeded(f"{UNREACHABLE}: no answer within {seconds:g} s")
    if "error" in box:
        raise box["error"]
    return box["value"]


def yahoo_reachable(timeout: float = 2.0, ttl: float = 60.0) -> bool:
    """A quick DNS + TCP probe of Yahoo, remembered for `ttl` seconds."""
    now = time.monotonic()
    cached = _probe_cache.get(PROBE_HOST)
    if cached and now - cached[0] < ttl:
        return cached[1]

    def connect() -> bool:
        with socket.create_connection(PROBE_HOST, timeout=timeout):
            return True

    try:
        ok = call_with_deadline(connect, timeout + 0.5)
    except (OSError, DeadlineExceeded):
        ok = False
    _probe_cache[PROBE_HOST] = (now, ok)
    return ok


@dataclass(frozen=True, slots=True)
class YahooQuery:
    """A query as yfinance needs it: upper-case tickers, clamped range, and what was clamped."""

    symbols: tuple[str, ...]
    start: pd.Timestamp
    end: pd.Timestamp
    interval: str
    notes: tuple[str, ...] = ()


@dataclass(slots=True)
class _Download:
    """The raw outcome of batched downloads: one wide frame per attempt and error lines per symbol."""

    frames: list[pd.DataFrame] = field(default_factory=list)
    errors: dict[str, str] = field(default_factory=dict)


class _ErrorLog(logging.Handler):
    """Collects yfinance's per-ticker error lines ("['AAPL']: reason") during one download."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.by_symbol: dict[str, str] = {}

    def emit(self, record: logging.LogRecord) -> None:
        match = _ERROR_LINE.match(record.getMessage())
        if match:
            for sym in re.findall(r"'([^']+)'", match["syms"]):
                self.by_symbol[sym.upper()] = match["msg"].strip()


def classify(message: str) -> str:
    """'rate' (retry after backoff), 'missing' (Yahoo has no bars) or 'error' (transient)."""
    if "RateLimit" in message or "Too Many Requests" in message:
        return "rate"
    if re.search(r"PricesMissing|TzMissing|no price data|delisted|No data found|\b404\b", message):
        return "missing"
    return "error"


class YahooProvider(PriceFetcher):
    """Batched yfinance downloads with a deadline, rate-limit backoff and an offline probe."""

    name: ClassVar[str] = "yahoo"

    def __init__(
        self,
        *,
        session: Any = None,
        deadline: float = 30.0,
        retries: int = 3,
        backoff: float = 2.0,
        probe: Callable[[], bool] | None = yahoo_reachable,
        now: Callable[[], pd.Timestamp] = lambda: pd.Timestamp.now(tz="UTC"),
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.session, self.deadline, self.retries, self.backoff = (
            session,
            deadline,
            retries,
            backoff,
        )
        self.probe, self.now, self.sleep = probe, now, sleep

    def transform_query(self, query: PriceQuery) -> YahooQuery:
        """Clamp intraday ranges to Yahoo's lookback limits and say so."""
        start, notes = query.start, []
        limit = LOOKBACK_DAYS.get(query.interval)
        if limit is not None:
            earliest = self.now() - pd.Timedelta(days=limit) + pd.Timedelta(minutes=5)
            if start < earliest:
                start = earliest.floor("min")
                notes.append(
                    f"{query.interval} bars reach back {limit} days on Yahoo: "
                    f"request clamped to start {start:%Y-%m-%d %H:%M} UTC"
                )
        return YahooQuery(query.symbols, start, query.end, query.interval, tuple(notes))

    def extract_data(self, query: YahooQuery) -> _Download | str:
        """Download every symbol, retrying rate-limited ones; a string is a failure for all."""
        if not query.symbols or query.start >= query.end:
            return _Download()
        if self.probe is not None and not self.probe():
            return f"{UNREACHABLE}: cannot connect to {PROBE_HOST[0]}"
        result, pending = _Download(), list(query.symbols)
        for attempt in range(self.retries + 1):
            try:
                frame, errors = call_with_deadline(
                    functools.partial(self._download, query, pending), self.deadline
                )
            except DeadlineExceeded as exc:
                return str(exc)
            except Exception as exc:  # yfinance or its transport broke: one line, no traceback
                kind = UNREACHABLE if isinstance(exc, OSError) else "Yahoo Finance failed"
                return f"{kind}: {type(exc).__name__}: {str(exc)[:160]}"
            result.frames.append(frame)
            result.errors.update(errors)
            pending = [s for s, msg in errors.items() if classify(msg) == "rate"]
            if not pending or attempt == self.retries:
                break
            self.sleep(self.backoff * 2**attempt)
        return result

    def _download(
        self, query: YahooQuery, symbols: list[str]
    ) -> tuple[pd.DataFrame, dict[str, str]]:
        """One batched yf.download call, with its per-ticker error lines captured."""
        intraday = is_intraday(query.interval)
        start = query.start if intraday else query.start.strftime("%Y-%m-%d")
        end = query.end if intraday else query.end.strftime("%Y-%m-%d")
        log, logger = _ErrorLog(), logging.getLogger("yfinance")
        with _DOWNLOAD_LOCK:
            use_cache_dir()
            logger.addHandler(log)
            propagate, logger.propagate = logger.propagate, False
            try:
                frame = yf.download(
                    symbols, start=start, end=end, interval=query.interval,
                    auto_adjust=False, actions=False, group_by="ticker", progress=False,
                    threads=min(len(symbols), 4), timeout=min(10.0, self.deadline),
                    session=self.session, multi_level_index=True,
                )  # fmt: skip
            finally:
                logger.removeHandler(log)
                logger.propagate = propagate
        return (frame if isinstance(frame, pd.DataFrame) else pd.DataFrame()), log.by_symbol

    def transform_data(self, query: YahooQuery, raw: _Download | str) -> PriceResult:
        """One normalised frame; symbols without bars reported as missing or errors."""
        notes = list(query.notes)
        if isinstance(raw, str):
            return PriceResult(empty_frame(), errors=dict.fromkeys(query.symbols, raw), notes=notes)
        parts = [_tidy(f, query.interval) for f in raw.frames]
        frame = normalise(pd.concat(parts, ignore_index=True)) if parts else empty_frame()
        frame = in_range(
            frame,
            query.start.floor("D") if not is_intraday(query.interval) else query.start,
            query.end,
        )
        got = set(frame["symbol"])
        result = PriceResult(frame, notes=notes)
        for sym in query.symbols:
            if sym in got:
                continue
            msg = raw.errors.get(sym, "Yahoo returned no bars for this range")
            kind = classify(msg) if sym in raw.errors else "missing"
            (result.missing if kind == "missing" else result.errors)[sym] = msg
        return result


def _tidy(wide: pd.DataFrame, interval: str) -> pd.DataFrame:
    """yf.download's (Ticker, Price) wide frame as long normalised rows, all-NaN rows dropped."""
    if wide.empty or not isinstance(wide.columns, pd.MultiIndex):
        return empty_frame()
    long = wide.stack(level=0, future_stack=True).rename_axis(["ts", "symbol"]).reset_index()
    long = long.rename(columns=_COLUMNS).dropna(subset=["open", "high", "low", "close"], how="all")
    if "adj_close" not in long:
        long["adj_close"] = long["close"]
    long["adj_close"] = long["adj_close"].fillna(long["close"])
    stamps = pd.DatetimeIndex(long["ts"])
    if is_intraday(interval):
        long["ts"] = stamps.tz_convert("UTC") if stamps.tz else stamps.tz_localize("UTC")
    else:  # daily bars: the session date at 00:00 UTC
        long["ts"] = (
            (stamps.tz_localize(None) if stamps.tz else stamps).normalize().tz_localize("UTC")
        )
    long["interval"], long["provider"] = interval, "yahoo"
    return normalise(long)
