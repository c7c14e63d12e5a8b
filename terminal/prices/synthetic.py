"""Deterministic synthetic daily prices, for the sample set only when no real prices exist."""

from __future__ import annotations

import hashlib
from functools import lru_cache
from typing import Any, ClassVar

import numpy as np
import pandas as pd

from terminal.prices.base import DAILY, PriceFetcher, PriceQuery, PriceResult, in_range, normalise
from terminal.prices.calendar import sessions_in_range

ORIGIN = "2015-01-02"
MARKET_SYMBOLS = frozenset({"SPY", "VOO", "IVV", "^GSPC"})
WATERMARK = "SYNTHETIC PRICES — illustrative only"
_MARKET_DAILY_VOL = 0.011
_MARKET_DAILY_DRIFT = 0.0003


def _seed(text: str) -> int:
    """A stable 64-bit seed from text (Python's hash() differs per process)."""
    return int.from_bytes(hashlib.sha256(text.encode()).digest()[:8], "big")


@lru_cache(maxsize=4)
def _market_returns(last: str) -> pd.Series:
    """The shared market factor: daily returns on every session from ORIGIN to `last`."""
    sessions = sessions_in_range(ORIGIN, last)
    rng = np.random.default_rng(_seed("market"))
    draws = rng.standard_normal(len(sessions)) * _MARKET_DAILY_VOL + _MARKET_DAILY_DRIFT
    return pd.Series(draws, index=sessions)


def synthetic_daily(symbol: str, last: str) -> pd.DataFrame:
    """One symbol's normalised daily bars from ORIGIN to `last`: a geometric random walk.

    r = beta * market + idiosyncratic noise, with beta in [0.6, 1.6] and idiosyncratic
    daily volatility 1-2.5%, both drawn from the symbol's seed; market symbols (SPY...)
    follow the market factor itself. The same symbol always gives the same prices.
    """
    market = _market_returns(last)
    n = len(market)

    def rng(part: int) -> np.random.Generator:
        # One stream per component, so a longer range never changes earlier prices.
        return np.random.default_rng([_seed(symbol), part])

    if symbol in MARKET_SYMBOLS:
        returns = market.to_numpy()
    else:
        beta, vol = rng(0).uniform(0.6, 1.6), rng(1).uniform(0.01, 0.025)
        returns = beta * market.to_numpy() + rng(2).standard_normal(n) * vol
    close = rng(3).uniform(20, 400) * np.exp(np.cumsum(np.log1p(np.clip(returns, -0.5, 1.0))))
    spread = np.abs(np.vstack([rng(4 + k).standard_normal(n) for k in range(3)])) * 0.006
    opens = close / (1 + returns) * (1 + spread[0] - 0.0048)
    frame = pd.DataFrame(
        {
            "symbol": symbol,
            "ts": market.index.tz_localize("UTC"),
            "open": opens,
            "high": np.maximum(opens, close) * (1 + spread[1]),
            "low": np.minimum(opens, close) * (1 - spread[2]),
            "close": close,
            "adj_close": close,
            "volume": np.round(rng(7).lognormal(15, 0.35, n)),
            "interval": DAILY,
            "provider": "synthetic",
        }
    )
    return normalise(frame)


class SyntheticProvider(PriceFetcher):
    """Deterministic daily prices seeded by symbol; every consumer must label them synthetic."""

    name: ClassVar[str] = "synthetic"

    def transform_query(self, query: PriceQuery) -> PriceQuery:
        """The query unchanged."""
        return query

    def extract_data(self, query: Any) -> pd.DataFrame:
        """Generated bars for every symbol up to the end of the range."""
        if query.interval != DAILY:
            return normalise(pd.DataFrame())
        last = str(query.end.date())
        frames = [synthetic_daily(s, last) for s in query.symbols]
        return pd.concat(frames, ignore_index=True) if frames else normalise(pd.DataFrame())

    def transform_data(self, query: Any, raw: Any) -> PriceResult:
        """The generated bars inside the query's range."""
        frame = in_range(raw, query.start, query.end)
        notes = [] if query.interval == DAILY else ["synthetic prices are daily only"]
        missing = {s: "no synthetic bars" for s in query.symbols if s not in set(frame["symbol"])}
        return PriceResult(frame, missing=missing, notes=notes)
