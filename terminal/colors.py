"""One colour per ticker everywhere: a stable hash of the symbol into a dark-background palette."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

# Twelve hues that read on a dark (#0e1117) background, every pair at least ΔE2000 17 apart
# and every one at least 20 from the benchmark grey; no greys (grey is the benchmark).
PALETTE = (
    "#38c8f0",  # sky blue
    "#ff9a1f",  # orange
    "#e8c61e",  # gold
    "#5be34a",  # green
    "#f0c0a8",  # peach
    "#40dfb0",  # mint
    "#f0528a",  # rose
    "#ff6347",  # coral red
    "#d6eab0",  # pale lime
    "#3a8dff",  # blue
    "#eeaad2",  # pink
    "#e046f0",  # magenta
)
BENCHMARK_COLOR = "#9aa0a6"
BENCHMARK_DASH = "dash"


def _slot(symbol: str) -> int:
    """The symbol's preferred palette slot: a BLAKE2 hash, the same in every process."""
    digest = hashlib.blake2b(symbol.strip().upper().encode(), digest_size=4).digest()
    return int.from_bytes(digest, "big") % len(PALETTE)


def ticker_color(symbol: str) -> str:
    """The colour of a ticker: the same in every chart, session and process."""
    return PALETTE[_slot(symbol)]


def ticker_colors(symbols: Iterable[str]) -> dict[str, str]:
    """Colours for the tickers of one figure: each its own colour, distinct while slots last.

    Every ticker keeps its `ticker_color` when no other in the figure wants that slot (the
    alphabetically first one wins a contested slot); the others take the next free slots.
    Past twelve tickers colours repeat.
    """
    wanted = {s: _slot(s) for s in sorted({s.strip().upper() for s in symbols})}
    slots: dict[str, int] = {}
    for symbol, slot in wanted.items():
        if slot not in slots.values():
            slots[symbol] = slot
    for symbol, slot in wanted.items():
        if symbol not in slots:
            free = [(slot + k) % len(PALETTE) for k in range(len(PALETTE))]
            slots[symbol] = next((f for f in free if f not in slots.values()), slot)
    return {s: PALETTE[slots[s]] for s in wanted}


def line_style(
    symbol: str, *, benchmark: str | None = None, color: str | None = None
) -> dict[str, str]:
    """Plotly line settings: the given or the ticker's colour, or grey dashed for the benchmark."""
    if benchmark is not None and symbol.upper() == benchmark.upper():
        return {"color": BENCHMARK_COLOR, "dash": BENCHMARK_DASH}
    return {"color": color or ticker_color(symbol)}


def impact_color(impact: float | None) -> str:
    """A marker colour for an impact score 0..1 (grey when unknown)."""
    if impact is None or impact != impact:
        return "#6c757d"
    steps = ((0.25, "#4cc9f0"), (0.5, "#ffd166"), (0.75, "#ff8c42"))
    return next((c for limit, c in steps if impact < limit), "#ef476f")
