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
STOCK_LEVELS = (20.0, 600.0)
MARKET_LEVELS = (450.0, 600.0)
_MARKET_DAILY_VOL = 0.010
_BETAS = (0.6, 1.6)
_IDIOSYNCRATIC_VOLS = (0.008, 0.028)
# Log deviations from a symbol's level halve in about six months: paths wander, never run off.
_KEEP = 0.5 ** (1 / 126)


def _seed(text: str) -> int:
    """A stable 64-bit seed from text (Python's hash() differs per process)."""
    return int.from_bytes(hashlib.sha256(text.encode()).digest()[:8], "big")


def _mean_reverting(shocks: np.ndarray) -> np.ndarray:
    """Log deviations x_t = _KEEP * x_(t-1) + shock_t from x = 0: each depends only on the past."""
    out = np.empty(len(shocks))
    x = 0.0
    for i, shock in enumerate(shocks.tolist()):
        x = _KEEP * x + shock
        out[i] = x
    return out


@lru_cache(maxsize=4)
def _market_deviation(last: str) -> pd.Series:
    """The shared market factor: its log deviation from its level on every session to `last`."""
    sessions = sessions_in_range(ORIGIN, last)
    shocks = np.random.default_rng(_seed("market")).standard_normal(len(sessions))
    return pd.Series(_mean_reverting(shocks * _MARKET_DAILY_VOL), index=sessions)


def _log_uniform(rng: np.random.Generator, bounds: tuple[float, float]) -> float:
    """A draw spread evenly in log terms between two positive bounds."""
    return float(np.exp(rng.uniform(np.log(bounds[0]), np.log(bounds[1]))))


def synthetic_daily(symbol: str, last: str) -> pd.DataFrame:
    """One symbol's normalised daily bars from ORIGIN to `last`, around a plausible level.

    log close = log level + beta * market + idiosyncratic, where market and idiosyncratic
    parts mean-revert (half-life about six months), so daily returns are beta * m + e. The level
    is log-uniform in 20..600 (450..600 for SPY and its kin), beta in [0.6, 1.6] and the
    idiosyncratic daily volatility 0.8-2.8% (total 1-3.2%); all drawn from the symbol's seed,
    so the same symbol always gives the same prices. Market symbols follow the factor itself.
    """
    market = _market_deviation(last)
    n = len(market)

    def rng(part: int) -> np.random.Generator:
        # One stream per component, so a longer range never changes earlier prices.
        return np.random.default_rng([_seed(symbol), part])

    if symbol in MARKET_SYMBOLS:
        level, deviation = _log_uniform(rng(3), MARKET_LEVELS), market.to_numpy()
    else:
        beta, vol = rng(0).uniform(*_BETAS), rng(1).uniform(*_IDIOSYNCRATIC_VOLS)
        own = _mean_reverting(rng(2).standard_normal(n) * vol)
        level, deviation = _log_uniform(rng(3), STOCK_LEVELS), beta * market.to_numpy() + own
    close = level * np.exp(deviation)
    returns = np.expm1(np.diff(deviation, prepend=0.0))
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
