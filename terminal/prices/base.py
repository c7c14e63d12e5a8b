"""The price-provider interface and the normalised price frame every provider returns."""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cache
from typing import Any, ClassVar

import pandas as pd

PRICE_COLUMNS = [
    "symbol",
    "ts",
    "open",
    "high",
    "low",
    "close",
    "adj_close",
    "volume",
    "interval",
    "provider",
]
VALUE_COLUMNS = ["open", "high", "low", "close", "adj_close", "volume"]
DAILY = "1d"


def to_utc(value: date | datetime | str | pd.Timestamp) -> pd.Timestamp:
    """A UTC-aware Timestamp; naive values and plain dates are read as UTC."""
    ts = pd.Timestamp(value)
    return ts.tz_localize("UTC") if ts.tzinfo is None else ts.tz_convert("UTC")


def is_intraday(interval: str) -> bool:
    """True for minute and hour bars ("5m", "60m", "1h")."""
    return interval.endswith(("m", "h")) and not interval.endswith("mo")


@dataclass(frozen=True, slots=True)
class PriceQuery:
    """Bars wanted: symbols, a half-open UTC range [start, end) and a bar interval."""

    symbols: tuple[str, ...]
    start: pd.Timestamp
    end: pd.Timestamp
    interval: str = DAILY

    @classmethod
    def build(
        cls,
        symbols: list[str] | tuple[str, ...],
        start: date | datetime | str | pd.Timestamp,
        end: date | datetime | str | pd.Timestamp,
        interval: str = DAILY,
    ) -> PriceQuery:
        """A query with upper-cased, de-duplicated symbols and UTC bounds."""
        syms = tuple(dict.fromkeys(s.strip().upper() for s in symbols if s.strip()))
        return cls(syms, to_utc(start), to_utc(end), interval)


@dataclass(slots=True)
class PriceResult:
    """What a provider got: the bars, and per symbol why nothing came when nothing did.

    `missing` means the source answered but holds no bars for the range (definitive:
    the cache records an empty range); `errors` are transient (network, deadline, rate
    limit) and must be retried later. `notes` tell the user about adjustments
    (e.g. an intraday range clamped to Yahoo's lookback limit).
    """

    frame: pd.DataFrame
    missing: dict[str, str] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


def empty_frame() -> pd.DataFrame:
    """A normalised price frame with no rows (a copy: normalising one took 7 ms, and the
    pages ask for it on every story without prices)."""
    return _empty_frame().copy()


@cache
def _empty_frame() -> pd.DataFrame:
    return normalise(pd.DataFrame(columns=PRICE_COLUMNS))


def normalise(frame: pd.DataFrame) -> pd.DataFrame:
    """Coerce a frame to the normalised layout: column order, dtypes, UTC ts, sorted."""
    out = frame.reindex(columns=PRICE_COLUMNS).copy()
    out["symbol"] = out["symbol"].astype(str).str.upper()
    out["ts"] = pd.to_datetime(out["ts"], utc=True)
    for col in VALUE_COLUMNS:
        out[col] = pd.to_numeric(out[col], errors="coerce").astype("float64")
    out["interval"] = out["interval"].astype(str)
    out["provider"] = out["provider"].astype(str)
    out = out.sort_values(["symbol", "ts"], kind="stable")
    return out.drop_duplicates(["symbol", "interval", "ts"], keep="last").reset_index(drop=True)


def in_range(frame: pd.DataFrame, start: pd.Timestamp, end: pd.Timestamp) -> pd.DataFrame:
    """The rows of a normalised frame with start <= ts < end."""
    mask = (frame["ts"] >= start) & (frame["ts"] < end)
    return frame.loc[mask].reset_index(drop=True)


class PriceFetcher(ABC):
    """A price source in three steps: transform the query, extract raw data, normalise it."""

    name: ClassVar[str]

    def fetch(self, query: PriceQuery) -> PriceResult:
        """Run the three steps and return normalised bars."""
        native = self.transform_query(query)
        raw = self.extract_data(native)
        return self.transform_data(native, raw)

    @abstractmethod
    def transform_query(self, query: PriceQuery) -> Any:
        """Turn the standard query into what this source needs."""

    @abstractmethod
    def extract_data(self, query: Any) -> Any:
        """Fetch raw data from the source (may touch the network)."""

    @abstractmethod
    def transform_data(self, query: Any, raw: Any) -> PriceResult:
        """Turn raw data into a normalised PriceResult."""
