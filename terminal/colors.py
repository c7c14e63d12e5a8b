"""One colour per ticker everywhere: a stable hash of the symbol into a dark-background palette."""

from __future__ import annotations

import hashlib

# Bright, distinct hues that read on a dark (#0e1117) background; no greys (grey is the benchmark).
PALETTE = (
    "#4cc9f0",
    "#f72585",
    "#ffd166",
    "#06d6a0",
    "#ff8c42",
    "#a78bfa",
    "#ef476f",
    "#7bd389",
    "#f4a261",
    "#48bfe3",
    "#e9c46a",
    "#c77dff",
)
BENCHMARK_COLOR = "#9aa0a6"
BENCHMARK_DASH = "dash"


def ticker_color(symbol: str) -> str:
    """The colour of a ticker: the same in every chart, session and process."""
    digest = hashlib.blake2b(symbol.strip().upper().encode(), digest_size=4).digest()
    return PALETTE[int.from_bytes(digest, "big") % len(PALETTE)]


def line_style(symbol: str, *, benchmark: str | None = None) -> dict[str, str]:
    """Plotly line settings: the ticker's colour, or grey dashed for the benchmark."""
    if benchmark is not None and symbol.upper() == benchmark.upper():
        return {"color": BENCHMARK_COLOR, "dash": BENCHMARK_DASH}
    return {"color": ticker_color(symbol)}


def impact_color(impact: float | None) -> str:
    """A marker colour for an impact score 0..1 (grey when unknown)."""
    if impact is None or impact != impact:
        return "#6c757d"
    steps = ((0.25, "#4cc9f0"), (0.5, "#ffd166"), (0.75, "#ff8c42"))
    return next((c for limit, c in steps if impact < limit), "#ef476f")
