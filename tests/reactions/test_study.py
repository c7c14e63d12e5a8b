"""The event study's maths, pinned on series whose answers can be worked out by hand."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from terminal.reactions.study import (
    ESTIMATION,
    MIN_ESTIMATION_DAYS,
    REACTION_COLUMNS,
    RUNNING_CELLS,
    Panel,
    build_panel,
    event_paths,
    event_study,
    realised_impact,
)
from tests.reactions.helpers import DAYS, bars, day_index, event, market

DAY0 = "2024-06-03"  # a Monday; a story at 15:00 UTC is during that session


def study(*frames: pd.DataFrame, events: list[dict[str, object]], **kwargs: object) -> pd.DataFrame:
    return event_study(pd.DataFrame(events), pd.concat(frames, ignore_index=True), **kwargs)  # type: ignore[arg-type]


def test_stock_at_twice_the_market_has_beta_two_and_no_abnormal_return() -> None:
    rm = market()
    out = study(bars("SPY", rm), bars("TWO", 2 * rm), events=[event(1, "TWO", f"{DAY0} 15:00")])
    row = out.iloc[0]
    assert row["model"] == "market-model"
    assert row["beta"] == pytest.approx(2.0, abs=1e-9) and row["alpha"] == pytest.approx(
        0.0, abs=1e-12
    )
    assert row["ar_0d"] == pytest.approx(0.0, abs=1e-12) and row["car_0_5d"] == pytest.approx(
        0.0, abs=1e-12
    )
    assert row["ret_0d"] == pytest.approx(2 * rm[day_index(DAY0)])


def test_known_jump_on_day_zero_gives_known_ar_and_car() -> None:
    rm = market()
    rs = 2 * rm
    i0 = day_index(DAY0)
    rs[i0] += 0.05  # +5% beyond the model on day 0
    rs[i0 + 2] -= 0.01  # -1% on day +2
    out = study(bars("SPY", rm), bars("JMP", rs), events=[event(1, "JMP", f"{DAY0} 15:00")])
    row = out.iloc[0]
    assert row["beta"] == pytest.approx(2.0, abs=1e-9)  # day 0 is outside the estimation window
    assert row["ar_0d"] == pytest.approx(0.05, abs=1e-12)
    assert row["car_0_1d"] == pytest.approx(0.05, abs=1e-12)
    assert row["car_0_3d"] == pytest.approx(0.04, abs=1e-12)
    assert row["car_0_5d"] == pytest.approx(0.04, abs=1e-12)
    assert row["pre_5d"] == pytest.approx(0.0, abs=1e-12)
    assert row["ret_0_1d"] == pytest.approx((1 + rs[i0]) * (1 + rs[i0 + 1]) - 1)


def test_after_friday_close_day_zero_is_monday() -> None:
    rm = market()
    rs = rm.copy()
    rs[day_index("2024-06-03")] += 0.03  # Monday's jump
    out = study(bars("SPY", rm), bars("FRI", rs), events=[event(1, "FRI", "2024-05-31 21:30")])
    assert str(out.iloc[0]["session"]) == "2024-06-03"
    assert out.iloc[0]["ar_0d"] == pytest.approx(0.03, abs=1e-9)


def test_tstat_is_ar_over_estimation_residual_sigma() -> None:
    rm = market()
    noise = np.random.default_rng(3).normal(0, 0.02, len(DAYS))
    rs = 1.5 * rm + noise
    i0 = day_index(DAY0)
    rs[i0] += 0.1
    row = study(bars("SPY", rm), bars("NOI", rs), events=[event(1, "NOI", f"{DAY0} 15:00")]).iloc[0]
    est = slice(i0 - 250, i0 - 30 + 1)
    beta, alpha = np.polyfit(rm[est], rs[est], 1)
    resid = rs[est] - (alpha + beta * rm[est])
    sigma = np.sqrt((resid**2).sum() / (len(resid) - 2))
    ar0 = rs[i0] - (alpha + beta * rm[i0])
    assert row["beta"] == pytest.approx(beta) and row["alpha"] == pytest.approx(alpha)
    assert row["ar_0d"] == pytest.approx(ar0)
    assert row["tstat_0d"] == pytest.approx(ar0 / sigma)
    assert row["realised_impact"] == pytest.approx(1 - np.exp(-((ar0 / sigma / 3) ** 2)))


def test_short_history_falls_back_to_market_adjusted_and_flags_it() -> None:
    rm = market()
    i0 = day_index(DAY0)
    rs = 2 * rm
    rs[i0] += 0.02
    young = bars("NEW", rs).iloc[i0 - 40 :]  # listed 40 sessions before the story
    row = study(bars("SPY", rm), young, events=[event(1, "NEW", f"{DAY0} 15:00")]).iloc[0]
    assert row["model"] == "market-adjusted"
    assert (row["alpha"], row["beta"]) == (0.0, 1.0)
    assert row["ar_0d"] == pytest.approx(rs[i0] - rm[i0])


def test_windows_past_the_data_are_nan_not_zero() -> None:
    rm = market()
    last = DAYS[-2].date()
    row = study(bars("SPY", rm), bars("END", rm), events=[event(1, "END", f"{last} 15:00")]).iloc[0]
    assert np.isfinite(row["ar_0d"]) and np.isfinite(row["car_0_1d"])
    assert np.isnan(row["car_0_3d"]) and np.isnan(row["car_0_5d"]) and np.isnan(row["ret_0_5d"])


def test_unknown_symbol_or_future_story_gives_nan_rows_not_errors() -> None:
    rm = market()
    out = study(
        bars("SPY", rm),
        events=[event(1, "ZZZ", f"{DAY0} 15:00"), event(2, "SPY", "2026-01-05 15:00")],
    )
    assert out[["ret_0d", "ar_0d", "car_0_1d", "tstat_0d"]].isna().all().all()
    assert str(out.iloc[1]["session"]) == "2026-01-05"


def test_volume_ratio_against_twenty_day_mean() -> None:
    rm = market()
    volume = np.full(len(DAYS), 1000.0)
    volume[day_index(DAY0)] = 3500.0
    row = study(
        bars("SPY", rm), bars("VOL", rm, volume=volume), events=[event(1, "VOL", f"{DAY0} 15:00")]
    ).iloc[0]
    assert row["volume_ratio"] == pytest.approx(3.5)


def test_benchmark_is_configurable_and_output_has_the_contract_fields() -> None:
    rm = market()
    xlk = market(seed=11)
    out = study(
        bars("SPY", rm),
        bars("XLK", xlk),
        bars("TEC", 2 * xlk),
        events=[event(9, "TEC", f"{DAY0} 15:00")],
        benchmark="XLK",
    )
    assert list(out.columns[: len(REACTION_COLUMNS)]) == REACTION_COLUMNS
    assert out.iloc[0]["benchmark"] == "XLK" and out.iloc[0]["beta"] == pytest.approx(2.0)
    assert out.iloc[0]["provider"] == "csv"


def test_paths_cover_minus_five_to_plus_ten() -> None:
    rm = market()
    rs = 2 * rm
    rs[day_index(DAY0) - 2] += 0.01
    paths = event_paths(
        pd.DataFrame([event(1, "P", f"{DAY0} 15:00")]), pd.concat([bars("SPY", rm), bars("P", rs)])
    )
    assert list(paths.columns) == list(range(-5, 11))
    assert paths.loc[(1, "P"), -2] == pytest.approx(0.01) and paths.loc[
        (1, "P"), 0
    ] == pytest.approx(0.0, abs=1e-12)


def test_realised_impact_is_zero_for_no_move_and_approaches_one() -> None:
    assert realised_impact(np.array([0.0]))[0] == 0.0
    assert 0.3 < realised_impact(np.array([2.0]))[0] < 0.4
    assert realised_impact(np.array([-10.0]))[0] > 0.99


def _direct_model(panel: Panel, row: int, col: int, bcol: int) -> tuple[float, float, float, int]:
    """The market model of one event the slow way: its estimation window read day by day."""
    est = [row + d for d in range(ESTIMATION[0], ESTIMATION[1] + 1) if row + d >= 0]
    y, x = panel.returns[est, col], panel.returns[est, bcol]
    ok = np.isfinite(y) & np.isfinite(x)
    y, x = y[ok], x[ok]
    n = len(y)
    if n >= MIN_ESTIMATION_DAYS and np.var(x) > 0:
        beta, alpha = np.polyfit(x, y, 1)
        resid = y - alpha - beta * x
        return alpha, beta, float(np.sqrt((resid**2).sum() / (n - 2))), n
    excess = y - x
    sigma = float(np.sqrt(((excess - excess.mean()) ** 2).sum() / (n - 1))) if n >= 2 else np.nan
    return 0.0, 1.0, sigma, n


@pytest.mark.parametrize("cells", [RUNNING_CELLS, 3_000])  # one group of stocks, or many
def test_running_sums_give_each_events_own_regression(
    cells: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The model from running sums equals a regression over each event's own window:
    gaps in either series, a listing late in the grid, a wild return long before the
    window, two benchmarks, events near the grid's start and off it."""
    monkeypatch.setattr("terminal.reactions.study.RUNNING_CELLS", cells)
    rng = np.random.default_rng(11)
    rm, xlk = market(), market(seed=11)
    frames = [bars("SPY", rm), bars("XLK", xlk)]
    for i in range(12):
        rs = rng.normal(0.2 * i, 1.0) * rm + rng.normal(0, 0.01 + 0.002 * i, len(DAYS))
        frame = bars(f"S{i}", rs)
        if i % 3 == 0:  # missing days
            frame = frame.drop(frame.index[rng.choice(len(frame), 80, replace=False)])
        if i == 4:  # listed late
            frame = frame.iloc[300:]
        frames.append(frame)
    wild = rm.copy()
    wild[5] = 40.0  # a bad print, far before every window it could spoil
    frames.append(bars("WILD", 1.3 * wild + rng.normal(0, 0.01, len(DAYS))))
    prices = pd.concat(frames, ignore_index=True)
    symbols = [f"S{i}" for i in range(12)] + ["WILD", "NOPE"]
    when = (
        pd.Timestamp(DAYS[0]).tz_localize("UTC")
        + pd.to_timedelta(rng.integers(0, len(DAYS) + 20, 400), "D")
        + pd.Timedelta(hours=15)
    )
    events = pd.DataFrame(
        {
            "article_id": np.arange(400),
            "symbol": rng.choice(symbols, 400),
            "event_time": when,
            "benchmark": rng.choice(["SPY", "XLK"], 400),
        }
    )
    out = event_study(events, prices)
    panel = build_panel(prices)
    rows = panel.sessions.get_indexer(pd.DatetimeIndex(out["session"].astype("datetime64[ns]")))
    checked = 0
    for i, r in out.iterrows():
        col, bcol = panel.symbols.get_indexer([r["symbol"], r["benchmark"]])
        if col < 0 or rows[i] < 0:
            assert np.isnan(r["sigma"]) and r["n_estimation"] == 0
            continue
        alpha, beta, sigma, n = _direct_model(panel, int(rows[i]), int(col), int(bcol))
        assert r["n_estimation"] == n
        assert r["alpha"] == pytest.approx(alpha, rel=1e-9, abs=1e-12)
        assert r["beta"] == pytest.approx(beta, rel=1e-9, abs=1e-12)
        assert r["sigma"] == pytest.approx(sigma, rel=1e-9, nan_ok=True)
        checked += 1
    assert checked > 300
    assert set(out["model"]) == {"market-model", "market-adjusted"}
