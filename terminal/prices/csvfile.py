"""Prices from CSV files in Yahoo's download layout (Date,Open,High,Low,Close,Adj Close,Volume)."""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, ClassVar

import pandas as pd

from terminal.prices.base import DAILY, PriceFetcher, PriceQuery, PriceResult, in_range, normalise

_ALIASES = {
    "date": "ts",
    "datetime": "ts",
    "timestamp": "ts",
    "time": "ts",
    "open": "open",
    "high": "high",
    "low": "low",
    "close": "close",
    "adj close": "adj_close",
    "adj_close": "adj_close",
    "adjclose": "adj_close",
    "adjusted close": "adj_close",
    "volume": "volume",
}
_REQUIRED = ("ts", "open", "high", "low", "close")
_DATE_FORMATS = ("%Y-%m-%d", "%m/%d/%Y", "%Y/%m/%d", "%d-%b-%Y", "%b %d, %Y")


def read_price_csv(source: str | Path | IO[str] | IO[bytes], *, symbol: str) -> pd.DataFrame:
    """A normalised daily (or intraday, given a time column) price frame from a CSV file.

    Accepts Yahoo's layout and common variants: lowercase headers, no Adj Close
    (adj_close = close), US dates (MM/DD/YYYY), a Datetime column for intraday bars.
    Raises ValueError naming the column or line on anything else.
    """
    symbol = symbol.strip().upper()
    if not symbol:
        raise ValueError("a symbol is required (--symbol)")
    raw = _read_table(source)
    columns = _map_columns(list(raw.columns))
    table = raw.rename(columns=columns)[list(columns.values())]
    if table.empty:
        raise ValueError("the CSV has a header but no rows")
    stamps, intraday = _parse_times(table["ts"].astype(str).str.strip())
    values = {col: _numbers(table, col) for col in columns.values() if col != "ts"}
    frame = pd.DataFrame(values)
    frame["ts"] = stamps
    if "adj_close" not in frame:
        frame["adj_close"] = frame["close"]
    if "volume" not in frame:
        frame["volume"] = float("nan")
    frame["symbol"] = symbol
    frame["interval"] = _guess_interval(stamps) if intraday else DAILY
    frame["provider"] = "csv"
    return normalise(frame)


def _read_table(source: str | Path | IO[str] | IO[bytes]) -> pd.DataFrame:
    """The CSV as strings, with a clear error when it cannot be parsed."""
    try:
        if isinstance(source, str | Path):
            return pd.read_csv(Path(source), dtype=str, skipinitialspace=True)
        data = source.read()
        text = data.decode("utf-8-sig") if isinstance(data, bytes) else data
        return pd.read_csv(io.StringIO(text), dtype=str, skipinitialspace=True)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        raise ValueError(f"not a readable CSV: {exc}") from exc


def _map_columns(headers: list[str]) -> dict[str, str]:
    """Header -> normalised name, checking that the required columns are present."""
    mapping: dict[str, str] = {}
    for header in headers:
        name = _ALIASES.get(str(header).strip().lstrip("\ufeff").lower())
        if name and name not in mapping.values():
            mapping[header] = name
    absent = [c for c in _REQUIRED if c not in mapping.values()]
    if absent:
        wanted = ", ".join("Date" if c == "ts" else c.title() for c in absent)
        raise ValueError(f"missing column(s) {wanted}; found {', '.join(map(str, headers))}")
    return mapping


def _parse_times(text: pd.Series) -> tuple[pd.Series, bool]:
    """UTC stamps from the date column (one format for the whole column) and whether it holds times."""
    for fmt in _DATE_FORMATS:
        parsed = pd.to_datetime(text, format=fmt, errors="coerce")
        if parsed.notna().all():
            return parsed.dt.tz_localize("UTC"), False
    parsed = pd.to_datetime(text, errors="coerce", utc=True, format="ISO8601")
    if parsed.notna().all():
        return parsed, True
    bad = int(parsed.isna().to_numpy().argmax())
    raise ValueError(f"line {bad + 2}: unreadable date {text.iloc[bad]!r} in column Date")


def _numbers(table: pd.DataFrame, column: str) -> pd.Series:
    """A numeric column; blanks and "null" become NaN, anything else non-numeric is an error."""
    text = table[column].fillna("").astype(str).str.strip().str.replace(",", "", regex=False)
    blank = text.str.lower().isin(["", "null", "nan", "-"])
    values = pd.to_numeric(text.where(~blank), errors="coerce")
    bad = values.isna() & ~blank
    if bad.any():
        line = int(bad.to_numpy().argmax())
        raise ValueError(
            f"line {line + 2}: {table[column].iloc[line]!r} is not a number in column {column}"
        )
    return values.astype("float64")


def _guess_interval(stamps: pd.Series) -> str:
    """The bar interval of intraday stamps: the most common gap, in minutes."""
    gaps = stamps.sort_values().diff().dropna()
    if gaps.empty:
        return "1m"
    minutes = int(gaps.mode().iloc[0].total_seconds() // 60)
    return f"{max(minutes, 1)}m"


@dataclass(slots=True)
class CsvProvider(PriceFetcher):
    """A price source backed by one CSV file for one symbol."""

    path: Path
    symbol: str
    name: ClassVar[str] = "csv"

    def transform_query(self, query: PriceQuery) -> PriceQuery:
        """The query unchanged (a file holds one symbol)."""
        return query

    def extract_data(self, query: Any) -> pd.DataFrame:
        """The whole file, normalised."""
        return read_price_csv(self.path, symbol=self.symbol)

    def transform_data(self, query: Any, raw: Any) -> PriceResult:
        """The rows in the query's range, for the file's symbol only."""
        frame = in_range(raw, query.start, query.end)
        frame = frame[frame["symbol"].isin(query.symbols)].reset_index(drop=True)
        missing = {s: "not in this file" for s in query.symbols if s not in set(frame["symbol"])}
        return PriceResult(frame, missing=missing)
