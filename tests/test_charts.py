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
from terminal.colors import BENCHMARK_COLOR, PALETTE, ticker_color, ticker_colors
from terminal.prices.base import PriceQuery
from terminal.prices.synthetic import WATERMARK, SyntheticProvider
from terminal.reactions.aggregates import calibration, mean_car_path

STORY = pd.Timestamp("2025-07-03 20:30Z")  # after the early close, before a holiday


def synthetic(symbols: list[str]) -> pd.DataFrame:
    return SyntheticProvider().fetch(PriceQuery.build(symbols, "2025-06-20", "2025-07-15")).frame


def watermarked(fig) -> bool:
    return any(a.text == WATERMARK for a in fig.layout.annotations)


def lab(hex_colour: str) -> np.ndarray:
    """CIELAB (D65) of an sRGB colour, to measure how far apart two colours look."""
    c = np.array([int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)])
    c = np.where(c > 0.04045, ((c + 0.055) / 1.055) ** 2.4, c / 12.92)
    m = [[0.4124, 0.3576, 0.1805], [0.2126, 0.7152, 0.0722], [0.0193, 0.1192, 0.9505]]
    xyz = np.array(m) @ c / np.array([0.95047, 1.0, 1.08883])
    f = np.where(xyz > 0.008856, np.cbrt(xyz), 7.787 * xyz + 16 / 116)
    return np.array([116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])])


def figures() -> dict[str, object]:
    ar = pd.DataFrame(np.random.default_rng(0).normal(0, 0.01, (30, 16)), columns=range(-5, 11))
    frame = pd.DataFrame({"impact": [0.1, 0.5, 0.9], "realised_impact": [0.2, 0.4, 0.8],
                          "article_id": [1, 2, 3], "provider": "yahoo", "ar_0d": [0.01, -0.02, 0.0]})  # fmt: skip
    news = pd.DataFrame({"article_id": [7], "published_at": [STORY], "title": ["t"],
                         "impact": [0.5], "sentiment": [0.0]})  # fmt: skip
    return {
        "overlay": reaction_overlay(synthetic(["NVDA", "TSLA", "SPY"]), STORY),
        "price": price_chart(synthetic(["NVDA"]), news),
        "car": car_chart(mean_car_path(ar)),
        "histogram": ar_histogram(frame),
        "calibration": calibration_scatter(
            frame, calibration(frame["impact"], frame["realised_impact"])
        ),
    }


def test_ticker_colours_are_stable_and_benchmark_is_grey_dashed() -> None:
    assert ticker_color("nvda") == ticker_color("NVDA") in PALETTE
    fig = reaction_overlay(synthetic(["NVDA", "SPY"]), STORY)
    lines = {t.name: t.line for t in fig.data}
    assert lines["SPY"].color == BENCHMARK_COLOR and lines["SPY"].dash == "dash"
    assert lines["NVDA"].color == ticker_color("NVDA")


def test_palette_colours_are_far_apart_and_never_grey() -> None:
    far = [np.linalg.norm(lab(a) - lab(b)) for i, a in enumerate(PALETTE) for b in PALETTE[i + 1 :]]
    assert len(PALETTE) >= 10 and min(far) > 25  # CIE76 ΔE; the old palette had pairs at 4
    assert min(np.linalg.norm(lab(c) - lab(BENCHMARK_COLOR)) for c in PALETTE) > 25


def test_tickers_in_one_figure_get_distinct_colours_keeping_their_own_when_free() -> None:
    assert ticker_color("AAPL") == ticker_color("GOOGL")  # the same hash slot
    colours = ticker_colors(["googl", "AAPL", "NVDA", "TSLA"])
    assert len(set(colours.values())) == 4 and colours["AAPL"] == ticker_color("AAPL")
    assert colours["NVDA"] == ticker_color("NVDA") and colours["TSLA"] == ticker_color("TSLA")
    assert ticker_colors(["TSLA", "GOOGL", "AAPL", "NVDA"]) == colours  # order does not matter
    assert sorted(ticker_colors(f"S{i}" for i in range(len(PALETTE))).values()) == sorted(PALETTE)
    assert set(ticker_colors(f"S{i}" for i in range(30)).values()) == set(PALETTE)  # then repeats


def test_overlay_resolves_colour_collisions() -> None:
    fig = reaction_overlay(synthetic(["AAPL", "GOOGL", "SPY"]), STORY)
    lines = {t.name: t.line.color for t in fig.data}
    assert lines["AAPL"] != lines["GOOGL"] and lines["SPY"] == BENCHMARK_COLOR


def test_every_figure_has_a_horizontal_legend_only_when_needed_and_titled_axes() -> None:
    for name, fig in figures().items():
        shown = [t for t in fig.data if t.showlegend is not False]
        assert fig.layout.legend.orientation == "h", name
        assert fig.layout.showlegend == (len(shown) > 1), name
        assert all(t.name and not t.name.startswith("trace") for t in shown), name
        assert fig.layout.xaxis.title.text and fig.layout.yaxis.title.text, name
        assert all(t.hovertemplate or t.type == "candlestick" or t.hoverinfo == "skip"
                   for t in fig.data), name  # fmt: skip


def test_overlay_hover_lists_every_ticker_in_percent_on_one_date() -> None:
    fig = figures()["overlay"]
    assert fig.layout.hovermode == "x unified" and fig.layout.xaxis.hoverformat
    assert all("%{y:+.2f}%" in t.hovertemplate for t in fig.data)


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
    assert list(markers.text) == ["impact 0.90", "impact 0.10"]
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
