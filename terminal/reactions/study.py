"""The event study: abnormal returns around each (story, ticker), vectorised over all events."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from terminal.prices.base import DAILY
from terminal.prices.calendar import event_sessions, sessions_in_range
from terminal.reactions.intraday import HORIZONS, intraday_returns

BENCHMARK = "SPY"
ESTIMATION = (-250, -30)
MIN_ESTIMATION_DAYS = 60
FIRST_DAY, LAST_DAY = -5, 10
PATH_DAYS = np.arange(FIRST_DAY, LAST_DAY + 1)
VOLUME_DAYS = 20
IMPACT_SCALE = 3.0
CHUNK = 20_000
RUNNING_CELLS = 4_000_000  # running sums held at once (8 bytes each)
INTRADAY_COLUMNS = [f"ret_{h}m" for h in HORIZONS]
REACTION_COLUMNS = [
    "article_id", "symbol", "benchmark", "event_time", "session", "ret_0d", "ar_0d",
    "car_0_1d", "car_0_3d", "car_0_5d", "pre_5d", "beta", "alpha", "tstat_0d",
    "volume_ratio", "model", "provider", "realised_impact", "ret_0_1d", "ret_0_3d",
    "ret_0_5d", "ret_pre_5d", "sigma", "n_estimation",
]  # fmt: skip


@dataclass(frozen=True, slots=True)
class Panel:
    """Daily adjusted-close returns and volumes on the XNYS session grid (sessions x symbols)."""

    sessions: pd.DatetimeIndex
    symbols: pd.Index
    returns: np.ndarray
    volume: np.ndarray
    provider: dict[str, str]


def build_panel(prices: pd.DataFrame) -> Panel:
    """A Panel from normalised daily bars; bars on non-session dates are ignored."""
    daily = prices.loc[prices["interval"] == DAILY]
    if daily.empty:
        empty = np.empty((0, 0))
        return Panel(pd.DatetimeIndex([]), pd.Index([]), empty, empty, {})
    day = daily["ts"].dt.tz_convert("UTC").dt.tz_localize(None).dt.normalize()
    wide = daily.assign(day=day).pivot_table(
        index="day", columns="symbol", values=["adj_close", "volume"], aggfunc="last"
    )
    grid = sessions_in_range(day.min(), day.max())
    close = wide["adj_close"].reindex(grid)
    returns = (close / close.shift(1) - 1).to_numpy(dtype="float64")
    volume = wide["volume"].reindex(index=grid, columns=close.columns).to_numpy(dtype="float64")
    pairs = daily[["symbol", "provider"]].drop_duplicates().sort_values(["symbol", "provider"])
    provider = pairs.groupby("symbol")["provider"].agg("+".join)
    return Panel(grid, close.columns, returns, volume, provider.to_dict())


def _gather(
    matrix: np.ndarray, rows: np.ndarray, cols: np.ndarray, offsets: np.ndarray
) -> np.ndarray:
    """matrix[row + offset, col] for every event (row) and offset (column); NaN off the grid."""
    at = rows[:, None] + offsets[None, :]
    ok = (rows >= 0)[:, None] & (cols >= 0)[:, None] & (at >= 0) & (at < matrix.shape[0])
    if matrix.size == 0:
        return np.full(at.shape, np.nan)
    picked = matrix[np.clip(at, 0, matrix.shape[0] - 1), np.clip(cols, 0, None)[:, None]]
    return np.where(ok, picked, np.nan)


def _estimation_sums(
    panel: Panel, rows: np.ndarray, cols: np.ndarray, bcols: np.ndarray
) -> np.ndarray:
    """Per event, over its estimation window (the sessions ESTIMATION before day 0) and
    the days where both the stock's and the benchmark's returns exist: n, sum x, sum y,
    sum xx, sum xy, sum yy (x the benchmark's return, y the stock's); shape (events, 6).

    Each is a difference of running sums down the session grid, built once per
    benchmark and stock (in groups of columns, to bound memory), so an event costs a few
    look-ups instead of a pass over its 221 days.
    """
    out = np.zeros((len(rows), 6))
    sessions = panel.returns.shape[0]
    lo = np.clip(rows + ESTIMATION[0], 0, sessions)
    hi = np.clip(rows + ESTIMATION[1] + 1, 0, sessions)
    valid = (rows >= 0) & (cols >= 0) & (bcols >= 0) & (hi > lo)
    group = max(1, RUNNING_CELLS // (6 * (sessions + 1)))
    for bench in np.unique(bcols[valid]):
        market = panel.returns[:, [bench]]
        mine = np.flatnonzero(valid & (bcols == bench))
        stocks = np.unique(cols[mine])
        for first in range(0, len(stocks), group):
            used = stocks[first : first + group]
            at = mine[np.isin(cols[mine], used)]
            y = panel.returns[:, used]
            ok = np.isfinite(y) & np.isfinite(market)
            y, x = np.where(ok, y, 0.0), np.where(ok, market, 0.0)
            running = np.zeros((sessions + 1, len(used), 6))
            terms = np.stack([ok.astype("float64"), x, y, x * x, x * y, y * y], axis=-1)
            np.cumsum(terms, axis=0, out=running[1:])
            col = np.searchsorted(used, cols[at])
            out[at] = running[hi[at], col] - running[lo[at], col]
    return out


def _centred(total: np.ndarray, squares: np.ndarray, n: np.ndarray) -> np.ndarray:
    """sum((v - mean)^2) from sum(v) and sum(v^2); what is within rounding of zero (a
    constant series, a perfect fit) is zero."""
    out = squares - total * total / n
    return np.where(out > 1e-10 * np.abs(squares), out, 0.0)


def _market_model(sums: np.ndarray) -> dict[str, np.ndarray]:
    """Per-event OLS of stock on market returns over the estimation window (from
    `_estimation_sums`); market-adjusted where history is short."""
    n, sx, sy, sxx, sxy, syy = sums.T
    with np.errstate(invalid="ignore", divide="ignore"):
        xbar, ybar = sx / n, sy / n
        cxx = _centred(sx, sxx, n)
        cxy = sxy - sx * sy / n
        cyy = _centred(sy, syy, n)
        fitted = (n >= MIN_ESTIMATION_DAYS) & (cxx > 0)
        beta = np.where(fitted, cxy / cxx, 1.0)
        alpha = np.where(fitted, ybar - beta * xbar, 0.0)
        residual = cyy - beta * cxy
        residual = np.where(residual > 1e-10 * cyy, residual, 0.0)
        ss_model = residual / (n - 2)
        # Market-adjusted: the excess return y - x around its mean.
        ss_adjusted = _centred(sy - sx, syy - 2 * sxy + sxx, n) / (n - 1)
        sigma = np.sqrt(np.where(fitted, ss_model, np.where(n >= 2, ss_adjusted, np.nan)))
    return {"alpha": alpha, "beta": beta, "sigma": sigma, "n": n.astype("int64"), "fitted": fitted}


def _days(first: int, last: int) -> slice:
    """Columns of a PATH_DAYS array for trading days first..last (inclusive)."""
    return slice(first - FIRST_DAY, last - FIRST_DAY + 1)


def _compound(returns: np.ndarray) -> np.ndarray:
    """Compounded return of each row (NaN if any day is missing)."""
    return np.prod(1.0 + returns, axis=1) - 1.0


def realised_impact(tstat: np.ndarray | pd.Series) -> np.ndarray:
    """0..1 from the day-0 abnormal return in sigma units: 1 - exp(-(t/3)^2)."""
    t = np.asarray(tstat, dtype="float64")
    return 1.0 - np.exp(-((t / IMPACT_SCALE) ** 2))


def _prepare(events: pd.DataFrame, panel: Panel, benchmark: str) -> dict[str, np.ndarray]:
    """Event sessions, grid rows and stock/benchmark columns for every event."""
    symbols = events["symbol"].astype(str).str.upper()
    benches = (
        events["benchmark"].fillna(benchmark).astype(str).str.upper()
        if "benchmark" in events
        else pd.Series(benchmark.upper(), index=events.index)
    )
    sessions = event_sessions(events["event_time"])
    rows = panel.sessions.get_indexer(sessions) if len(panel.sessions) else np.full(len(events), -1)
    return {
        "symbols": symbols.to_numpy(),
        "benches": benches.to_numpy(),
        "sessions": sessions,
        "rows": rows,
        "cols": panel.symbols.get_indexer(symbols),
        "bcols": panel.symbols.get_indexer(benches),
    }


def _abnormal(
    panel: Panel, ix: dict[str, np.ndarray]
) -> tuple[dict[str, np.ndarray], np.ndarray, np.ndarray]:
    """The market model per event, the AR path over PATH_DAYS and the raw return path."""
    model = _market_model(_estimation_sums(panel, ix["rows"], ix["cols"], ix["bcols"]))
    stock = _gather(panel.returns, ix["rows"], ix["cols"], PATH_DAYS)
    market = _gather(panel.returns, ix["rows"], ix["bcols"], PATH_DAYS)
    ar = stock - (model["alpha"][:, None] + model["beta"][:, None] * market)
    return model, ar, stock


def event_study(
    events: pd.DataFrame,
    prices: pd.DataFrame | Panel,
    *,
    benchmark: str = BENCHMARK,
    intraday: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """One reaction row per event (columns article_id, symbol, event_time[, benchmark]).

    Windows are in trading days relative to day 0, the event session; a window that
    runs past the available bars is NaN, never zero. See docs/prices.md for formulas.
    Intraday bars (given, or the intraday rows of `prices`) add ret_15m and ret_60m.
    Events are processed in blocks of CHUNK to bound memory.
    """
    panel = prices if isinstance(prices, Panel) else build_panel(prices)
    if events.empty:
        return pd.DataFrame(columns=REACTION_COLUMNS + INTRADAY_COLUMNS)
    events = events.reset_index(drop=True)
    blocks = [
        _study_block(events.iloc[i : i + CHUNK], panel, benchmark)
        for i in range(0, len(events), CHUNK)
    ]
    out = pd.concat(blocks, ignore_index=True) if len(blocks) > 1 else blocks[0]
    if intraday is None and isinstance(prices, pd.DataFrame):
        intraday = prices.loc[prices["interval"] != DAILY]
    if intraday is None:
        intraday = prices.iloc[:0] if isinstance(prices, pd.DataFrame) else pd.DataFrame()
    out[INTRADAY_COLUMNS] = intraday_returns(events, intraday).to_numpy()
    return out


def _study_block(events: pd.DataFrame, panel: Panel, benchmark: str) -> pd.DataFrame:
    """event_study for one block of events."""
    ix = _prepare(events, panel, benchmark)
    model, ar, raw = _abnormal(panel, ix)
    vol = _gather(panel.volume, ix["rows"], ix["cols"], np.arange(-VOLUME_DAYS, 1))
    with np.errstate(invalid="ignore", divide="ignore"):
        enough = np.isfinite(vol[:, :-1]).sum(axis=1) >= VOLUME_DAYS // 2
        base = np.nanmean(np.where(enough[:, None], vol[:, :-1], 0.0), axis=1)
        volume_ratio = np.where(enough & (base > 0), vol[:, -1] / base, np.nan)
        sigma = np.where(model["sigma"] > 1e-12, model["sigma"], np.nan)
        tstat = ar[:, _days(0, 0)][:, 0] / sigma
    providers = pd.Series(ix["symbols"]).map(panel.provider)
    bench_providers = pd.Series(ix["benches"]).map(panel.provider)
    provider = providers.where(providers == bench_providers, providers + "/" + bench_providers)
    out = pd.DataFrame(
        {
            "article_id": events["article_id"].to_numpy(),
            "symbol": ix["symbols"],
            "benchmark": ix["benches"],
            "event_time": pd.to_datetime(events["event_time"], utc=True).to_numpy(),
            "session": pd.Series(ix["sessions"]).dt.date.to_numpy(),
            "ret_0d": raw[:, _days(0, 0)][:, 0],
            "ar_0d": ar[:, _days(0, 0)][:, 0],
            "car_0_1d": ar[:, _days(0, 1)].sum(axis=1),
            "car_0_3d": ar[:, _days(0, 3)].sum(axis=1),
            "car_0_5d": ar[:, _days(0, 5)].sum(axis=1),
            "pre_5d": ar[:, _days(-5, -1)].sum(axis=1),
            "beta": model["beta"],
            "alpha": model["alpha"],
            "tstat_0d": tstat,
            "volume_ratio": volume_ratio,
            "model": np.where(model["fitted"], "market-model", "market-adjusted"),
            "provider": provider.fillna("none").to_numpy(),
            "realised_impact": realised_impact(tstat),
            "ret_0_1d": _compound(raw[:, _days(0, 1)]),
            "ret_0_3d": _compound(raw[:, _days(0, 3)]),
            "ret_0_5d": _compound(raw[:, _days(0, 5)]),
            "ret_pre_5d": _compound(raw[:, _days(-5, -1)]),
            "sigma": model["sigma"],
            "n_estimation": model["n"],
        }
    )
    out["event_time"] = pd.to_datetime(out["event_time"], utc=True)
    return out[REACTION_COLUMNS]


def event_paths(
    events: pd.DataFrame, prices: pd.DataFrame | Panel, *, benchmark: str = BENCHMARK
) -> pd.DataFrame:
    """Each event's abnormal return on trading days -5..+10 (columns), indexed by (article_id, symbol)."""
    panel = prices if isinstance(prices, Panel) else build_panel(prices)
    ix = _prepare(events, panel, benchmark)
    _, ar, _ = _abnormal(panel, ix)
    index = pd.MultiIndex.from_arrays(
        [events["article_id"].to_numpy(), ix["symbols"]], names=["article_id", "symbol"]
    )
    return pd.DataFrame(ar, index=index, columns=pd.Index(PATH_DAYS, name="day"))
