"""Aggregates for the study page: the mean CAR path with its 95% band, and impact calibration."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

Z95 = 1.96
IMPACT_BUCKETS = (0.0, 0.25, 0.5, 0.75, 1.0)


def car_paths(ar_paths: pd.DataFrame) -> pd.DataFrame:
    """Cumulative abnormal returns from day -5, per event; NaN from the first missing day on."""
    return pd.DataFrame(
        np.cumsum(ar_paths.to_numpy(dtype="float64"), axis=1),
        index=ar_paths.index,
        columns=ar_paths.columns,
    )


def mean_car_path(ar_paths: pd.DataFrame) -> pd.DataFrame:
    """Per day: mean CAR, its standard error, the 95% band (mean ± 1.96·SE) and N events."""
    car = car_paths(ar_paths).to_numpy()
    ok = np.isfinite(car)
    n = ok.sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.where(ok, car, 0.0).sum(axis=0) / n
        dev = np.where(ok, car - mean, 0.0)
        sd = np.sqrt((dev * dev).sum(axis=0) / (n - 1))
        se = np.where(n >= 2, sd / np.sqrt(n), np.nan)
    return pd.DataFrame(
        {"mean": mean, "se": se, "lo": mean - Z95 * se, "hi": mean + Z95 * se, "n": n},
        index=pd.Index(ar_paths.columns, name="day"),
    )


@dataclass(frozen=True, slots=True)
class Calibration:
    """How well a predicted impact score tracks the realised impact."""

    n: int
    pearson: float
    spearman: float
    buckets: pd.DataFrame  # bucket label, n, mean_score, mean_realised


def calibration(score: pd.Series, realised: pd.Series) -> Calibration:
    """Pearson and Spearman correlation and per-bucket means (score buckets 0-.25-.5-.75-1)."""
    pair = pd.DataFrame({"score": score.to_numpy(), "realised": realised.to_numpy()})
    pair = pair.astype("float64").dropna()
    n = len(pair)
    pearson = spearman = float("nan")
    if n >= 3 and pair["score"].std() > 0 and pair["realised"].std() > 0:
        pearson = float(pair["score"].corr(pair["realised"]))
        spearman = float(pair["score"].rank().corr(pair["realised"].rank()))
    labels = [f"{a:g}–{b:g}" for a, b in zip(IMPACT_BUCKETS, IMPACT_BUCKETS[1:], strict=False)]
    bucket = pd.cut(pair["score"].clip(0, 1), IMPACT_BUCKETS, labels=labels, include_lowest=True)
    table = (
        pair.groupby(bucket, observed=False)
        .agg(n=("score", "size"), mean_score=("score", "mean"), mean_realised=("realised", "mean"))
        .rename_axis("bucket")
        .reset_index()
    )
    table["bucket"] = table["bucket"].astype(str)
    return Calibration(n, pearson, spearman, table)
