"""Which companies a story is about: cashtags, exchange notation, symbols after names, names.

A bare upper-case word is never taken for a ticker on its own ("IT spending", "ALL eyes
on the Fed"): a symbol counts when it is cashtagged, exchange-qualified, or in brackets
after a capitalised word it does not abbreviate, and a company counts when its name
appears capitalised ("Nvidia", not "apple pie").
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Collection, Iterator, Mapping
from functools import cache

from terminal.enrich.patterns import IndexedMatcher, PhraseMatcher, indexed_matcher
from terminal.symbols import known_symbols, name_index

TITLE_WEIGHT = 1.2
TEXT_WEIGHT = 0.35

# Each explicit form starts with a literal ("$", ":", "(") so the regex engine can skip
# ahead to it; what must come before it is checked on the text just in front.
_CASHTAG = re.compile(r"\$([A-Za-z]{1,6}(?:\.[A-Za-z]{1,2})?)(?![\w$])")
_EXCHANGE = re.compile(r":\s?([A-Z]{1,6}(?:[.-][A-Z]{1,2})?)\b")
_EXCHANGE_NAME = re.compile(
    r"(?i)\b(?:nasdaq(?:gs|gm|cm)?|nyse(?:\s?american|\s?arca|\s?mkt)?|amex"
    r"|otc(?:qx|qb|\s?markets)?|cboe|bats)\s?$"
)
_BRACKETED = re.compile(r"\(([A-Z]{1,5}(?:\.[A-Z]{1,2})?)\)")
_WORDS = re.compile(r"[A-Za-z][\w'&.-]*")
_RIC_SUFFIXES = (".OQ", ".O", ".N")
_CURRENCIES = frozenset(
    [
        "USD",
        "EUR",
        "GBP",
        "JPY",
        "CNY",
        "CAD",
        "AUD",
        "NZD",
        "CHF",
        "HKD",
        "SGD",
        "MXN",
        "TWD",
        "KRW",
        "INR",
        "BRL",
    ]
)
_SAME_MENTION_GAP = 3

Mention = tuple[str, int, int]
Matcher = IndexedMatcher | PhraseMatcher


def _symbol(raw: str) -> str:
    """A written symbol in Catalyst's form: upper case, class shares with a dot."""
    symbol = raw.upper().replace("-", ".")
    for suffix in _RIC_SUFFIXES:
        if symbol.endswith(suffix):
            return symbol[: -len(suffix)]
    return symbol


@cache
def _default_names() -> Matcher:
    """The combined matcher of every known company name, built once (in milliseconds)."""
    return indexed_matcher(name_index())


def _cashtags(text: str, symbols: Collection[str]) -> Iterator[Mention]:
    """Cashtags: known symbols in any case, unknown ones only written in capitals."""
    for match in _CASHTAG.finditer(text):
        start = match.start()
        if start and (text[start - 1].isalnum() or text[start - 1] in "_$"):
            continue
        symbol = _symbol(match[1])
        if symbol in symbols or (match[1].isupper() and symbol not in _CURRENCIES):
            yield symbol, start, match.end()


def _exchange_qualified(text: str) -> Iterator[Mention]:
    """Symbols after an exchange name: "NASDAQ: NVDA", "(NYSE:INTC)", "Nasdaq:AAPL"."""
    for match in _EXCHANGE.finditer(text):
        name = _EXCHANGE_NAME.search(text, max(0, match.start() - 14), match.start())
        if name:
            yield _symbol(match[1]), name.start(), match.end()


def _is_acronym(symbol: str, before: str) -> bool:
    """Whether "(RL)" just spells out the words before it, as in "Reinforcement Learning (RL)"."""
    words = _WORDS.findall(before)[-len(symbol) :]
    return "".join(w[0] for w in words).upper() == symbol


def _bracketed(text: str, symbols: Collection[str]) -> Iterator[Mention]:
    """Known symbols in brackets right after a capitalised word that they do not abbreviate."""
    for match in _BRACKETED.finditer(text):
        symbol = _symbol(match[1])
        before = text[max(0, match.start() - 60) : match.start()]
        words = _WORDS.findall(before)
        capitalised = bool(words) and words[-1][0].isupper()
        if symbol in symbols and capitalised and not _is_acronym(symbol, before):
            yield symbol, match.start(), match.end()


def _named(text: str, names: Mapping[str, str], matcher: Matcher) -> list[Mention]:
    """Companies named in the text, by a full or short name written as a proper name.

    "Nvidia", "NVIDIA", "3M" and "eBay" count; "apple pie" and "meta-analysis" do not.
    """
    found: list[Mention] = []
    for name, start, end in matcher.spans(text):
        first, second = text[start], text[start + 1 : start + 2]
        if first.isupper() or first.isdigit() or second.isupper():
            symbol = names.get(name)
            if symbol:
                found.append((symbol, start, end))
    return found


def _count(
    text: str, symbols: Collection[str], names: Mapping[str, str], matcher: Matcher
) -> dict[str, int]:
    """mentions() as a plain dict, with its tables already chosen."""
    named = _named(text, names, matcher)
    counts: dict[str, int] = {}
    for symbol, _, _ in named:
        counts[symbol] = counts.get(symbol, 0) + 1
    explicit: list[Mention] = []
    if "$" in text:
        explicit.extend(_cashtags(text, symbols))
    if ":" in text:
        explicit.extend(_exchange_qualified(text))
    if "(" in text:
        explicit.extend(_bracketed(text, symbols))
    if explicit:
        name_ends = {(symbol, end) for symbol, _, end in named}
        for symbol, start, _ in explicit:
            gap = range(max(0, start - _SAME_MENTION_GAP), start + 1)
            if not any((symbol, end) in name_ends for end in gap):
                counts[symbol] = counts.get(symbol, 0) + 1
    return counts


def _tables(
    symbols: Collection[str] | None, names: Mapping[str, str] | None
) -> tuple[Collection[str], Mapping[str, str], Matcher]:
    """The symbols, the name table and its matcher: the defaults unless given."""
    if symbols is None and names is None:
        return _default_tables()
    known = known_symbols() if symbols is None else symbols
    if names is None:
        return known, name_index(), _default_names()
    return known, names, indexed_matcher(names)


@cache
def _default_tables() -> tuple[Collection[str], Mapping[str, str], Matcher]:
    """The known symbols, the name table and its matcher, together (looked up per story)."""
    return known_symbols(), name_index(), _default_names()


def mentions(
    text: str,
    *,
    symbols: Collection[str] | None = None,
    names: Mapping[str, str] | None = None,
) -> Counter[str]:
    """How many times each symbol is mentioned in a text.

    "Nvidia (NVDA)" and "Intel Corp. (NASDAQ: INTC)" are one mention each: a symbol
    written just after its company's name repeats the name.
    """
    return Counter(_count(text, *_tables(symbols, names)))


def relevance(title_mentions: int, text_mentions: int) -> float:
    """How much a story is about a company: 1 - exp(-(1.2 * title + 0.35 * text)), 3 places."""
    weight = TITLE_WEIGHT * title_mentions + TEXT_WEIGHT * text_mentions
    return round(1 - math.exp(-weight), 3)


def extract_tickers(
    title: str,
    text: str,
    *,
    symbols: Collection[str] | None = None,
    names: Mapping[str, str] | None = None,
) -> dict[str, float]:
    """Symbol -> relevance 0..1 for the companies a story mentions, most relevant first.

    One title mention gives 0.70, one passing mention in the text 0.30; more mentions
    raise it towards (never past) 1.0.
    """
    tables = _tables(symbols, names)
    in_title, in_text = _count(title, *tables), _count(text, *tables)
    if not in_title and not in_text:
        return {}
    scores = {
        s: relevance(in_title.get(s, 0), in_text.get(s, 0))
        for s in in_title.keys() | in_text.keys()
    }
    return dict(sorted(scores.items(), key=lambda item: (-item[1], item[0])))
