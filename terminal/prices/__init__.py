"""Price providers behind one interface, registered by name; only prices.yahoo imports yfinance."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from terminal.prices.base import PriceFetcher, PriceQuery, PriceResult, empty_frame, normalise


def _yahoo(**kwargs: Any) -> PriceFetcher:
    from terminal.prices.yahoo import YahooProvider  # imported lazily: yfinance is slow to load

    return YahooProvider(**kwargs)


def _synthetic(**kwargs: Any) -> PriceFetcher:
    from terminal.prices.synthetic import SyntheticProvider

    return SyntheticProvider(**kwargs)


PROVIDERS: dict[str, Callable[..., PriceFetcher]] = {"yahoo": _yahoo, "synthetic": _synthetic}


def get_provider(name: str, **kwargs: Any) -> PriceFetcher:
    """A provider by name ("yahoo", "synthetic"); CSV files are read with read_price_csv."""
    try:
        return PROVIDERS[name](**kwargs)
    except KeyError:
        raise ValueError(
            f"unknown price provider {name!r}; known: {', '.join(PROVIDERS)}"
        ) from None


__all__ = [
    "PROVIDERS",
    "PriceFetcher",
    "PriceQuery",
    "PriceResult",
    "empty_frame",
    "get_provider",
    "normalise",
]
