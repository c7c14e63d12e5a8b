"""Charts: pure frames -> figures, one colour per ticker, synthetic data labelled and never mixed."""

import numpy as np
import pandas as pd
import pytest

from terminal.charts import (
    ar_histogram,
    calibration_scatter,
    car_chart,
    price_chart,
    reaction_overlay,
)
from terminal.colors import BENCHMARK_COLOR, PALETTE, ticker_color
from terminal.prices.base import PriceQuery
from terminal.prices.synthetic import WATERMARK, SyntheticProvider
from terminal.reactions.aggregates import calibration, mean_car_path

STORY = pd.Timestamp("2025-07-03 20:30Z")  # after the early close, before a holiday


def synthetic(symbols: list[str]) -> pd.DataFrame:
    return SyntheticProvider().fetch(PriceQuery.build(symbols, "2025-06-20", "2025-07-15")).frame


def watermarked(fig) -> bool:
    return any(a.text == WATERMARK for a in fig.layout.annotations)


def test_ticker_colours_are_stable_and_benchmark_is_grey_dashed() -> None:
    assert ticker_color("nvda") == ticker_color("NVDA") in PALETTE
    fig = reaction_overlay(synthetic(["NVDA", "SPY"]), STORY)
    lines = {t.name: t.line for t in fig.data}
    assert lines["SPY"].color == BENCHMARK_COLOR and lines["SPY"].dash == "dash"
    assert lines["NVDA"].color == ticker_color("NVDA")


def test_overlay_is_rebased_at_publication_with_line_and_shading() -> None:
    prices = synthetic(["NVDA", "SPY"])
    fig = reaction_overlay(prices, STORY)
    nvda = next(t for t in fig.data if t.name == "NVDA")
    at = list(pd.to_datetime(nvda.x, utc=True)).index(pd.Timestamp("2025-07-03", tz="UTC"))
    assert nvda.y[at] == pytest.approx(0.0)  # last close before the story is the base
    shapes = fig.layout.shapes
    assert any(s.type == "line" and pd.Timestamp(s.x0) == STORY for s in shapes)
    assert sum(s.type == "rect" for s in shapes) >= 3  # weekends and the holiday
    assert watermarked(fig)


def test_daily_overlay_for_a_story_during_the_session_is_based_on_the_prior_close() -> None:
    prices = synthetic(["NVDA"])
    fig = reaction_overlay(prices, pd.Timestamp("2025-07-02 15:00Z"))
    dates = list(pd.to_datetime(fig.data[0].x, utc=True))
    assert fig.data[0].y[dates.index(pd.Timestamp("2025-07-01", tz="UTC"))] == pytest.approx(0.0)


def test_real_and_synthetic_never_mix() -> None:
    prices = synthetic(["NVDA", "SPY"])
    prices.loc[prices["symbol"] == "SPY", "provider"] = "yahoo"
    with pytest.raises(ValueError, match="mixed"):
        reaction_overlay(prices, STORY)


def test_price_chart_markers_escape_headlines_and_carry_article_ids() -> None:
    bars = synthetic(["NVDA"]).assign(provider="yahoo")
    news = pd.DataFrame({"article_id": [41, 42], "published_at": [STORY, STORY + pd.Timedelta(days=5)],
                         "title": ["<script>alert(1)</script> beats", "plain"],
                         "impact": [0.9, 0.1], "sentiment": [0.6, -0.4]})  # fmt: skip
    fig = price_chart(bars, news)
    markers = fig.data[1]
    assert list(markers.customdata) == [41, 42]
    assert markers.hovertext[0] == "&lt;script&gt;alert(1)&lt;/script&gt; beats"
    assert list(markers.marker.symbol) == ["triangle-up", "triangle-down"]
    assert markers.marker.color[0] != markers.marker.color[1]
    assert not watermarked(fig)


def test_car_chart_band_histogram_and_calibration_title() -> None:
    ar = pd.DataFrame(np.random.default_rng(0).normal(0, 0.01, (30, 16)), columns=range(-5, 11))
    fig = car_chart(mean_car_path(ar), synthetic=True)
    assert fig.data[0].fill == "toself" and "N=30" in fig.layout.title.text and watermarked(fig)
    reactions = pd.DataFrame({"ar_0d": [0.01, -0.02], "provider": ["yahoo", "yahoo"]})
    assert ar_histogram(reactions).data[0].type == "histogram"
    frame = pd.DataFrame({"impact": [0.1, 0.5, 0.9], "realised_impact": [0.2, 0.4, 0.8],
                          "article_id": [1, 2, 3], "provider": "yahoo"})  # fmt: skip
    fig = calibration_scatter(frame, calibration(frame["impact"], frame["realised_impact"]))
    assert "Pearson 0.98" in fig.layout.title.text and "Spearman 1.00" in fig.layout.title.text
