"""A deterministic synthetic news corpus with market-like skew, as plain row tuples.

A few hot tickers sit in many stories and thousands of symbols in a long tail; topics,
publishers and words follow Zipf-like laws, so full-text search meets common words,
rare words and recurring phrases. Everything derives from (n, seed), so the same
parameters always give the same store.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import numpy as np

from terminal.taxonomy import topics

HOT_TICKERS = ("NVDA", "AAPL", "TSLA", "MSFT", "AMZN", "META", "GOOGL", "AMD", "JPM", "NFLX")
TAIL_SYMBOLS = 2_500
PUBLISHER_COUNT = 60
YEARS = 5
END = datetime(2026, 11, 1, tzinfo=UTC)
START = END - timedelta(days=365 * YEARS)
# Search probes: a word in a third of the stories, one planted in 1 story in 20,000,
# and a phrase that recurs as a unit.
COMMON_TERM = "shares"
RARE_TERM = "zirconium"
RARE_EVERY = 20_000
PHRASE = "supply chain"
BLOCK = 10_000
COMMON_WORDS = [
    "shares",
    "stock",
    "market",
    "investors",
    "analysts",
    "quarter",
    "revenue",
    "profit",
    "guidance",
    "outlook",
    "demand",
    "growth",
    "sales",
    "forecast",
    "earnings",
    "rally",
    "slump",
    "surge",
    "drop",
    "gains",
    "losses",
    "deal",
    "acquisition",
    "merger",
    "talks",
    "board",
    "chief",
    "executive",
    "officer",
    "report",
    "record",
    "lower",
    "higher",
    "rates",
    "inflation",
    "federal",
    "reserve",
    "tariffs",
    "export",
    "controls",
    "chips",
    "data",
    "center",
    "cloud",
    "software",
    "ai",
    "model",
    "launch",
    "product",
    "recall",
    "probe",
    "lawsuit",
    "settlement",
    "regulators",
    "approval",
    "fda",
    "trial",
    "results",
    "dividend",
    "buyback",
    "debt",
    "bonds",
    "yields",
    "oil",
    "gas",
    "prices",
    "crude",
    "supply",
    "chain",
    "strike",
    "workers",
    "layoffs",
    "hiring",
    "plant",
    "factory",
    "china",
    "europe",
    "japan",
    "india",
    "consumer",
    "spending",
    "retail",
    "banks",
    "lending",
    "credit",
    "downgrade",
    "upgrade",
    "target",
    "price",
    "rating",
    "buy",
    "sell",
    "hold",
    "margin",
    "costs",
    "cuts",
    "jobs",
    "week",
    "year",
    "month",
    "billion",
    "million",
    "percent",
    "after",
    "before",
    "amid",
    "despite",
    "over",
    "new",
    "first",
]
PHRASES = (PHRASE, "interest rates", "price target", "second quarter", "trade war")
SYLLABLES = [
    "ka",
    "lo",
    "mi",
    "zen",
    "tor",
    "vel",
    "qua",
    "rin",
    "sol",
    "dex",
    "nor",
    "pel",
    "tri",
    "vo",
    "sha",
    "gan",
    "lum",
    "fey",
    "cor",
    "bri",
]


@dataclass(frozen=True, slots=True)
class CorpusSpec:
    """What the generator was asked for; stored with the store so a rerun can reuse it."""

    articles: int
    seed: int = 42
    version: int = 1

    def key(self) -> str:
        return f"v{self.version}:n{self.articles}:s{self.seed}"


def _zipf_weights(n: int, exponent: float = 1.0) -> np.ndarray:
    w = 1.0 / np.arange(1, n + 1) ** exponent
    return w / w.sum()


def symbols(rng: np.random.Generator) -> list[str]:
    """The hot tickers, then a long tail of distinct symbol-like strings."""
    letters = np.array(list("ABCDEFGHIJKLMNOPQRSTUVWXYZ"))
    out, seen = list(HOT_TICKERS), set(HOT_TICKERS)
    while len(out) < len(HOT_TICKERS) + TAIL_SYMBOLS:
        sym = "".join(rng.choice(letters, size=int(rng.integers(2, 6))))
        if sym not in seen:
            seen.add(sym)
            out.append(sym)
    return out


def publishers() -> list[str]:
    """Publisher names, most prolific first."""
    big = ["Reuters", "Bloomberg", "CNBC", "MarketWatch", "Barron's", "Financial Times"]
    return big + [f"Wire {i:02d} News" for i in range(PUBLISHER_COUNT - len(big))]


def vocabulary(rng: np.random.Generator) -> list[str]:
    """Words by rank: finance words and phrases first, then a long tail of coined words."""
    tail = {"".join(rng.choice(SYLLABLES, size=int(rng.integers(2, 4)))) for _ in range(12_000)}
    tail -= set(COMMON_WORDS) | {RARE_TERM}
    head = COMMON_WORDS[:8] + list(PHRASES) + COMMON_WORDS[8:]
    return head + sorted(tail)


@dataclass(slots=True)
class Story:
    """One synthetic story's values, ready for the store."""

    pub_key: int
    title: str
    summary: str
    publisher: str
    impact: float | None
    impact_model: float
    sentiment: float
    tickers: list[str]
    topics: list[str]


def stories(spec: CorpusSpec, *, start: int = 0, stop: int | None = None) -> Iterator[Story]:
    """Stories start..stop of the corpus, oldest first (pub_key ascending and unique)."""
    rng = np.random.default_rng(spec.seed)
    lists = _Lists(symbols(rng), publishers(), vocabulary(rng), [t.slug for t in topics()])
    n = spec.articles
    span_us = int((END - START).total_seconds() * 1_000_000)
    base = int(START.timestamp() * 1_000_000)
    keys = np.sort(rng.choice(span_us, size=n, replace=False)) + base if n else np.array([])
    stop = n if stop is None else min(stop, n)
    for lo in range(start, stop, BLOCK):
        block_rng = np.random.default_rng([spec.seed, lo])
        yield from _block(block_rng, keys[lo : min(lo + BLOCK, stop)], lo, lists)


@dataclass(frozen=True, slots=True)
class _Lists:
    syms: list[str]
    pubs: list[str]
    vocab: list[str]
    slugs: list[str]


def _block(rng: np.random.Generator, keys: np.ndarray, first: int, ls: _Lists) -> Iterator[Story]:
    """Draw one block of stories with its own generator, so any range can be regenerated."""
    size = len(keys)
    syms, vocab, pubs, slugs = ls.syms, ls.vocab, ls.pubs, ls.slugs
    n_tick = rng.choice([0, 1, 1, 1, 2, 2, 3], size=size)
    tick = rng.choice(len(syms), size=(size, 3), p=_zipf_weights(len(syms), 1.1))
    n_top = rng.choice([1, 1, 2, 2, 3], size=size)
    top = rng.choice(len(slugs), size=(size, 3), p=_zipf_weights(len(slugs), 0.8))
    pub = rng.choice(len(pubs), size=size, p=_zipf_weights(len(pubs), 0.9))
    title_len = rng.integers(6, 12, size=size)
    words = rng.choice(len(vocab), size=(size, 40), p=_zipf_weights(len(vocab), 1.0))
    impact = rng.beta(2, 5, size=size)
    has_impact = rng.random(size) < 0.6
    model = rng.beta(2, 4, size=size)
    senti = np.clip(rng.normal(0, 0.35, size=size), -1, 1)
    for i in range(size):
        t = list(dict.fromkeys(syms[j] for j in tick[i, : n_tick[i]]))
        w = [vocab[j] for j in words[i]]
        if (first + i) % RARE_EVERY == RARE_EVERY // 2:
            w[3] = RARE_TERM
        cut = int(title_len[i])
        head = " ".join(w[:cut])
        yield Story(
            pub_key=int(keys[i]),
            title=f"{t[0]} {head}" if t else head.capitalize(),
            summary=" ".join(w[cut:]).capitalize() + ".",
            publisher=pubs[int(pub[i])],
            impact=round(float(impact[i]), 3) if has_impact[i] else None,
            impact_model=round(float(model[i]), 3),
            sentiment=round(float(senti[i]), 3),
            tickers=t,
            topics=list(dict.fromkeys(slugs[j] for j in top[i, : n_top[i]])),
        )
