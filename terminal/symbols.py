"""The symbol universe: index constituents from pytickersymbols plus a shipped list of names."""

from __future__ import annotations

import json
import re
from collections.abc import Collection, Iterable, Iterator, Mapping
from functools import cache
from pathlib import Path
from types import MappingProxyType
from typing import Any

_DATA = Path(__file__).with_name("data") / "symbols_extra.json"
_US_EXCHANGES = ("NYSE:", "NASDAQ:")
_SYMBOL = re.compile(r"[A-Z0-9]{1,6}(?:[.-][A-Z0-9]{1,3})?")
_RUN = re.compile(r"[A-Z0-9.]+")
_SEPARATORS = re.compile(r"[\s,;|/·•]+")
_MAX_PIECE = 10
_SUFFIXES = re.compile(
    r"(?:[\s,]+(?:inc|incorporated|corp|corporation|company|co|ltd|limited|plc|llc|lp|"
    r"holdings?|group|ag|se|sa|s\.a|n\.v|nv|kgaa|& co|class [abc]|and|&)\.?)+$"
)
_NAME_WS = re.compile(r"\s+")


@cache
def _extra() -> dict[str, Any]:
    """The shipped list of extra symbols, curated aliases and common-word names to skip."""
    data: dict[str, Any] = json.loads(_DATA.read_text(encoding="utf-8"))
    return data


def _stocks() -> list[dict[str, Any]]:
    """Every index constituent pytickersymbols knows, across all of its indices."""
    from pytickersymbols import PyTickerSymbols

    return [s for s in PyTickerSymbols().get_all_stocks() if isinstance(s, dict)]


def _listings(stock: Mapping[str, Any]) -> Iterator[str]:
    """A stock's symbols: its main one, its US listings, and bare USD Yahoo symbols."""
    if stock.get("symbol"):
        yield str(stock["symbol"]).upper()
    for entry in stock.get("symbols") or []:
        google = str(entry.get("google") or "")
        if google.startswith(_US_EXCHANGES):
            yield google.split(":", 1)[1].upper()
        elif ":" not in google and entry.get("currency") == "USD" and entry.get("yahoo"):
            yield str(entry["yahoo"]).upper()


def _preferred(stock: Mapping[str, Any]) -> str | None:
    """The symbol a company name stands for: the US listing when it has one."""
    listings = list(_listings(stock))
    us = [s for s in listings[1:] if "." not in s or s.endswith((".A", ".B"))]
    main = listings[0] if listings else None
    if main and (main in us or "." not in main):
        return main
    return us[0] if us else main


def short_name(name: str) -> str:
    """A company name lower-cased, without legal suffixes ("Apple Inc." -> "apple")."""
    text = _NAME_WS.sub(" ", name.replace("\u2013", "-").replace("\u2019", "'")).strip().lower()
    text = re.sub(r"\s*\([^)]*\)\s*$", "", text)
    text = re.sub(r"^the\s+", "", text)
    stripped = _SUFFIXES.sub("", text).strip(" ,.")
    return stripped or text


@cache
def known_symbols() -> frozenset[str]:
    """Every symbol Catalyst recognises: constituents of all indices plus ETFs and extras."""
    symbols = {s for stock in _stocks() for s in _listings(stock)}
    symbols.update(entry["symbol"] for entry in _extra()["symbols"])
    return frozenset(s for s in symbols if _SYMBOL.fullmatch(s) or "." in s)


def _derived_names(stocks: Iterable[Mapping[str, Any]]) -> dict[str, str]:
    """Full and short names from the constituents; names two companies share are dropped."""
    skip = set(_extra()["common_words"])
    found: dict[str, set[str]] = {}
    for stock in stocks:
        symbol = _preferred(stock)
        name = str(stock.get("name") or "")
        if not symbol or not name:
            continue
        full = _NAME_WS.sub(" ", name).strip().lower()
        for key in {full, short_name(name)}:
            if len(key) >= 3 and key not in skip:
                found.setdefault(key, set()).add(symbol)
    return {key: next(iter(syms)) for key, syms in found.items() if len(syms) == 1}


@cache
def _names() -> dict[str, str]:
    """The cached name table; curated aliases win over derived names."""
    names = _derived_names(_stocks())
    for entry in _extra()["symbols"]:
        for alias in entry.get("names", []):
            names[alias.lower()] = entry["symbol"]
    return names


def company_names() -> dict[str, str]:
    """Lower-cased company name or common short name -> symbol ("nvidia" -> "NVDA")."""
    return dict(_names())


@cache
def name_index() -> Mapping[str, str]:
    """The same table as company_names(), read-only and shared (no copy per call)."""
    return MappingProxyType(_names())


def _split_run(run: str, symbols: Collection[str]) -> list[str] | None:
    """Symbols run together, split into the fewest (then longest-first) known pieces.

    Two one-letter pieces in a row are refused: nearly any capitalised word splits
    into single-letter tickers, and a real ticker line never looks like that.
    """
    n = len(run)
    best: list[tuple[int, list[str]] | None] = [None] * (n + 1)
    best[n] = (0, [])
    for i in range(n - 1, -1, -1):
        for j in range(min(n, i + _MAX_PIECE), i, -1):
            rest = best[j]
            piece = run[i:j]
            if rest is None or piece not in symbols:
                continue
            if len(piece) == 1 and rest[1] and len(rest[1][0]) == 1:
                continue
            if best[i] is None or rest[0] + 1 < best[i][0]:  # type: ignore[index]
                best[i] = (rest[0] + 1, [piece, *rest[1]])
    found = best[0]
    return found[1] if found else None


def split_ticker_line(line: str, symbols: Collection[str] | None = None) -> list[str] | None:
    """Symbols from a ticker line ("NVDATSLAINTC", "NVDA, TSLA", "$NVDA $TSLA"), else None.

    Separated tokens must each be a known symbol (or a well-formed cashtag); a line
    without separators is split as a run. None means the line is not a ticker line.
    """
    known = known_symbols() if symbols is None else symbols
    tokens = [t for t in _SEPARATORS.split(line.strip()) if t]
    if not tokens:
        return None
    if len(tokens) == 1 and not tokens[0].startswith("$"):
        run = tokens[0]
        if run in known:
            return [run]
        return _split_run(run, known) if _RUN.fullmatch(run) else None
    result: list[str] = []
    for token in tokens:
        symbol = token.removeprefix("$")
        cashtag = token.startswith("$") and _SYMBOL.fullmatch(symbol) is not None
        if symbol not in known and not cashtag:
            return None
        if symbol not in result:
            result.append(symbol)
    return result
