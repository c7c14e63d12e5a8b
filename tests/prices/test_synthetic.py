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


SAMPLE = ["NVDA", "TSLA", "AAPL", "AMD", "INTC", "JPM", "GOOGL", "COIN", "PFE", "BA", "META",
          "AMZN", "XOM", "MSFT", "BAC", "CRWV", "NFLX"]  # fmt: skip


def test_levels_are_plausible_and_never_run_off_over_a_decade() -> None:
    frame = fetch([*SAMPLE, "SPY"], "2015-01-01", "2025-12-31")
    closes = frame.pivot(index="ts", columns="symbol", values="close")
    spy = closes.pop("SPY")
    first = closes.iloc[0]
    assert first.between(20, 600).all() and first.nunique() == len(SAMPLE)
    assert (closes.max() / first < 4).all() and (first / closes.min() < 4).all()
    assert spy.min() > 400 and spy.max() < 750


def test_daily_volatility_is_realistic_and_beta_is_meaningful() -> None:
    panel = build_panel(fetch([*SAMPLE, "SPY"], "2016-01-01", "2025-12-31"))
    r = panel.returns[1:]
    market = r[:, list(panel.symbols).index("SPY")]
    stocks = np.delete(r, list(panel.symbols).index("SPY"), axis=1)
    betas = [np.cov(s, market)[0, 1] / market.var(ddof=1) for s in stocks.T]
    assert 0.008 < market.std() < 0.012
    assert (stocks.std(axis=0) > 0.009).all() and (stocks.std(axis=0) < 0.035).all()
    assert min(betas) > 0.5 and max(betas) < 1.8 and max(betas) - min(betas) > 0.5
