"""Reading price CSVs: Yahoo's layout, common variants, and clear errors."""

import io
from pathlib import Path

import pandas as pd
import pytest

from terminal.prices.base import PRICE_COLUMNS, PriceQuery
from terminal.prices.csvfile import CsvProvider, read_price_csv

YAHOO = """Date,Open,High,Low,Close,Adj Close,Volume
2024-01-02,187.15,188.44,183.89,185.64,184.94,82488700
2024-01-03,184.22,185.88,183.43,184.25,183.55,58414500
"""


def test_yahoo_layout_gives_a_normalised_daily_frame() -> None:
    frame = read_price_csv(io.StringIO(YAHOO), symbol="aapl")
    assert list(frame.columns) == PRICE_COLUMNS
    assert frame["ts"].tolist() == [
        pd.Timestamp("2024-01-02", tz="UTC"),
        pd.Timestamp("2024-01-03", tz="UTC"),
    ]
    row = frame.iloc[0]
    assert (row["symbol"], row["interval"], row["provider"]) == ("AAPL", "1d", "csv")
    assert (row["close"], row["adj_close"], row["volume"]) == (185.64, 184.94, 82488700.0)


def test_variants_no_adj_close_us_dates_lowercase_headers() -> None:
    text = "date,open,high,low,close,volume\n01/02/2024,1,2,0.5,1.5,10\n12/31/2024,1,2,0.5,1.25,\n"
    frame = read_price_csv(io.StringIO(text), symbol="X")
    assert frame["ts"].dt.date.astype(str).tolist() == ["2024-01-02", "2024-12-31"]
    assert frame["adj_close"].tolist() == frame["close"].tolist() == [1.5, 1.25]
    assert pd.isna(frame["volume"].iloc[1])


def test_datetime_column_gives_intraday_bars_in_utc() -> None:
    text = (
        "Datetime,Open,High,Low,Close,Adj Close,Volume\n"
        "2024-03-11 09:30:00-04:00,10,11,9,10.5,10.5,100\n"
        "2024-03-11 09:35:00-04:00,10.5,11,10,10.75,10.75,50\n"
    )
    frame = read_price_csv(io.StringIO(text), symbol="X")
    assert frame["ts"].iloc[0] == pd.Timestamp("2024-03-11 13:30Z")
    assert set(frame["interval"]) == {"5m"}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("Date,Open,High,Low\n2024-01-02,1,2,3\n", "missing column.*Close"),
        ("Date,Open,High,Low,Close\n2024-01-02,1,2,0.5,1\n2024-13-45,1,2,3,4\n", "line 3.*Date"),
        ("Date,Open,High,Low,Close\n2024-01-02,1,abc,0.5,1\n", "line 2.*'abc'.*high"),
        ("Date,Open,High,Low,Close\n", "no rows"),
        ("", "not a readable CSV"),
    ],
)
def test_bad_files_raise_value_error_naming_the_problem(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        read_price_csv(io.StringIO(text), symbol="X")


def test_csv_provider_returns_the_requested_range(tmp_path: Path) -> None:
    path = tmp_path / "aapl.csv"
    path.write_text(YAHOO)
    result = CsvProvider(path, "AAPL").fetch(
        PriceQuery.build(["AAPL", "MSFT"], "2024-01-03", "2024-02-01")
    )
    assert result.frame["ts"].dt.day.tolist() == [3]
    assert set(result.missing) == {"MSFT"}
