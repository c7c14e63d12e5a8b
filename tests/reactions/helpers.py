"""Hand-checkable price series on the real XNYS session grid."""

from __future__ import annotations

import numpy as np
import pandas as pd

from terminal.prices.calendar import sessions_in_range

DAYS = sessions_in_range("2023-01-03", "2024-12-31")


def bars(
    symbol: str, returns: np.ndarray, *, provider: str = "csv", volume: np.ndarray | None = None
) -> pd.DataFrame:
    """Daily bars whose adjusted closes have exactly these day-on-day returns (first one ignored)."""
    close = 100.0 * np.cumprod(1.0 + np.r_[0.0, returns[1:]])
    return pd.DataFrame(
        {
            "symbol": symbol,
            "ts": DAYS[: len(returns)].tz_localize("UTC"),
            "open": close,
            "high": close,
            "low": close,
            "close": close,
            "adj_close": close,
            "volume": np.full(len(returns), 1000.0) if volume is None else volume,
            "interval": "1d",
            "provider": provider,
        }
    )


def market(seed: int = 7) -> np.ndarray:
    """Benchmark daily returns: noise around zero, one per session."""
    return np.random.default_rng(seed).normal(0.0, 0.01, len(DAYS))


def event(article_id: int, symbol: str, when: str) -> dict[str, object]:
    return {"article_id": article_id, "symbol": symbol, "event_time": pd.Timestamp(when, tz="UTC")}


def day_index(day: str) -> int:
    return int(DAYS.get_loc(pd.Timestamp(day)))
