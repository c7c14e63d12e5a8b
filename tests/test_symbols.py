"""The symbol universe: known symbols, company names and ticker-line splitting."""

from __future__ import annotations

import pytest

from terminal.symbols import company_names, known_symbols, short_name, split_ticker_line

WELL_KNOWN = "NVDA TSLA INTC AMD AAPL MSFT GOOGL GOOG AMZN META NFLX AVGO TSM BABA PLTR COIN"
ETFS = "SPY QQQ DIA IWM XLK XLF XLE XLV XLY XLP XLI XLU XLB XLRE XLC SMH SOXX"


def test_known_symbols_cover_index_constituents_etfs_and_big_names() -> None:
    symbols = known_symbols()
    assert set(WELL_KNOWN.split()) <= symbols
    assert set(ETFS.split()) <= symbols
    assert {"BRK.B", "JPM", "SAP", "ASML"} <= symbols  # S&P 500 and European listings
    assert "7203.T" in symbols  # a Nikkei constituent's Yahoo symbol, as it is
    assert len(symbols) > 1500


def test_symbol_universe_is_loaded_once_and_cached() -> None:
    assert known_symbols() is known_symbols()
    assert company_names() == company_names()


@pytest.mark.parametrize(
    ("name", "symbol"),
    [
        ("nvidia", "NVDA"),
        ("tesla", "TSLA"),
        ("intel", "INTC"),
        ("apple", "AAPL"),
        ("microsoft", "MSFT"),
        ("alphabet", "GOOGL"),
        ("google", "GOOGL"),
        ("amazon", "AMZN"),
        ("meta platforms", "META"),
        ("facebook", "META"),
        ("eli lilly", "LLY"),
        ("coca-cola", "KO"),
        ("berkshire hathaway", "BRK.B"),
        ("sap", "SAP"),
    ],
)
def test_company_names_map_names_and_short_names_to_symbols(name: str, symbol: str) -> None:
    assert company_names()[name] == symbol


@pytest.mark.parametrize("word", ["target", "visa", "block", "match", "now", "news", "nasdaq"])
def test_company_names_leave_out_common_words(word: str) -> None:
    assert word not in company_names()


@pytest.mark.parametrize(
    ("name", "short"),
    [
        ("Apple Inc.", "apple"),
        ("Eli Lilly and Company", "eli lilly"),
        ("The Coca-Cola Company", "coca-cola"),
        ("Alphabet Inc. Class A", "alphabet"),
        ("Arm Holdings plc", "arm"),
        ("Nestlé SA", "nestlé"),
    ],
)
def test_short_name_strips_legal_suffixes(name: str, short: str) -> None:
    assert short_name(name) == short


@pytest.mark.parametrize(
    ("line", "symbols"),
    [
        ("NVDATSLAINTC", ["NVDA", "TSLA", "INTC"]),
        ("AAPLMSFTGOOGL", ["AAPL", "MSFT", "GOOGL"]),
        ("GOOGLGOOG", ["GOOGL", "GOOG"]),
        ("BRK.BAAPL", ["BRK.B", "AAPL"]),
        ("FGM", ["F", "GM"]),
        ("NVDA", ["NVDA"]),
        ("NVDA, TSLA", ["NVDA", "TSLA"]),
        ("NVDA TSLA INTC", ["NVDA", "TSLA", "INTC"]),
        ("$NVDA $TSLA", ["NVDA", "TSLA"]),
        ("$NVDA $SOUN", ["NVDA", "SOUN"]),
    ],
)
def test_split_ticker_line_reads_run_together_and_separated_symbols(
    line: str, symbols: list[str]
) -> None:
    assert split_ticker_line(line) == symbols


def test_split_ticker_line_prefers_fewer_then_longer_pieces() -> None:
    universe = {"AB", "A", "B", "ABC", "C", "D", "CD"}
    assert split_ticker_line("ABCD", universe) == ["ABC", "D"]
    assert split_ticker_line("ABC", universe) == ["ABC"]


def test_split_ticker_line_backtracks_when_the_longest_piece_leaves_a_remainder() -> None:
    assert split_ticker_line("ABCDE", {"ABC", "AB", "CDE"}) == ["AB", "CDE"]


def test_split_ticker_line_refuses_runs_of_single_letters() -> None:
    assert split_ticker_line("CAT", {"C", "A", "T"}) is None


@pytest.mark.parametrize(
    "line",
    ["", "Apple shares rise", "ALL CAPS HEADLINE", "HEADLINE", "NVDAWW", "NVDA, Tesla", "nvdatsla"],
)
def test_split_ticker_line_returns_none_for_other_lines(line: str) -> None:
    assert split_ticker_line(line) is None
