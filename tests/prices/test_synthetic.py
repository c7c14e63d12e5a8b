"""Synthetic prices: deterministic, realistic, and labelled."""

import numpy as np

from terminal.prices.base import PriceQuery
from terminal.prices.synthetic import SyntheticProvider
from terminal.reactions.study import build_panel


def fetch(symbols: list[str], start: str, end: str):
    return SyntheticProvider().fetch(PriceQuery.build(symbols, start, end)).frame


def test_same_symbol_gives_same_prices_whatever_the_range() -> None:
    short = fetch(["NVDA"], "2024-03-01", "2024-04-01")
    long = fetch(["NVDA"], "2024-01-01", "2025-01-01")
    merged = short.merge(long, on="ts", suffixes=("_s", "_l"))
    assert len(merged) == len(short) > 15
    assert np.allclose(merged["close_s"], merged["close_l"])


def test_bars_are_sessions_labelled_synthetic_and_consistent() -> None:
    frame = fetch(["NVDA", "SPY"], "2025-07-01", "2025-07-10")
    assert set(frame["provider"]) == {"synthetic"}
    assert "2025-07-04" not in set(frame["ts"].dt.date.astype(str))
    assert (frame["high"] >= frame[["open", "close"]].max(axis=1)).all()
    assert (frame["low"] <= frame[["open", "close"]].min(axis=1)).all()


def test_stocks_load_on_the_market_factor() -> None:
    panel = build_panel(fetch(["NVDA", "SPY"], "2020-01-01", "2024-12-31"))
    r = panel.returns[1:]
    stock, market = r[:, list(panel.symbols).index("NVDA")], r[:, list(panel.symbols).index("SPY")]
    assert 0.005 < market.std() < 0.02
    assert np.corrcoef(stock, market)[0, 1] > 0.2
