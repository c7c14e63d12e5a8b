"""Mean CAR path with its band, and calibration of impact scores."""

import numpy as np
import pandas as pd
import pytest

from terminal.reactions.aggregates import calibration, car_paths, mean_car_path

DAYS = list(range(-5, 11))


def test_car_path_mean_band_and_n() -> None:
    ar = pd.DataFrame(0.0, index=range(4), columns=DAYS)
    ar[0] = [0.01, 0.03, 0.01, 0.03]  # day-0 AR: mean 2%, sample sd 1.1547%
    ar.loc[3, 8] = np.nan  # one event's data ends at day +7
    path = mean_car_path(ar)
    se = np.std([0.01, 0.03, 0.01, 0.03], ddof=1) / 2
    assert path.loc[-1, "mean"] == 0.0 and path.loc[0, "mean"] == pytest.approx(0.02)
    assert path.loc[0, "se"] == pytest.approx(se)
    assert path.loc[0, "lo"] == pytest.approx(0.02 - 1.96 * se) and path.loc[
        0, "hi"
    ] == pytest.approx(0.02 + 1.96 * se)
    assert path.loc[7, "n"] == 4 and path.loc[8, "n"] == 3 and path.loc[10, "n"] == 3


def test_car_is_cumulative_and_nan_after_a_gap() -> None:
    ar = pd.DataFrame([[0.01] * 16], columns=DAYS)
    ar.loc[0, 2] = np.nan
    car = car_paths(ar)
    assert car.loc[0, 0] == pytest.approx(0.06) and np.isnan(car.loc[0, 3])


def test_calibration_correlations_and_bucket_means() -> None:
    score = pd.Series([0.1, 0.2, 0.3, 0.6, 0.9, None])
    realised = pd.Series([0.0, 0.1, 0.4, 0.5, 0.8, 0.7])
    result = calibration(score, realised)
    assert result.n == 5
    assert result.pearson == pytest.approx(
        np.corrcoef([0.1, 0.2, 0.3, 0.6, 0.9], [0.0, 0.1, 0.4, 0.5, 0.8])[0, 1]
    )
    assert result.spearman == pytest.approx(1.0)
    table = result.buckets.set_index("bucket")
    assert table.loc["0–0.25", "n"] == 2 and table.loc["0–0.25", "mean_realised"] == pytest.approx(
        0.05
    )
    assert table.loc["0.75–1", "n"] == 1


def test_calibration_of_constant_scores_has_no_correlation() -> None:
    result = calibration(pd.Series([0.5] * 5), pd.Series([0.1, 0.2, 0.3, 0.4, 0.5]))
    assert np.isnan(result.pearson) and np.isnan(result.spearman)
