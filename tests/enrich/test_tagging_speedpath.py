"""The fast tagging path gives exactly what a straightforward reference computes.

enrich() and title_fingerprint() skip work (a consumed non-word character instead of a
lookbehind, an ASCII regex for ASCII text, one search before a scan, cached publishers,
labels and scores, fast paths when the source gave nothing). The references below are
the plain algorithms, written out once more, run on bench stories, the sample set and
odd hand-made stories (symbols in every form, Unicode that changes length when lowered).
"""

from __future__ import annotations

import copy
import math
import random
import re
import unicodedata
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

import terminal.enrich as enrich_module
from terminal import taxonomy
from terminal.bench.corpus import CorpusSpec, stories
from terminal.enrich import clusters, enrich, impact, patterns, tickers, title_fingerprint, topics
from terminal.enrich.patterns import PhraseMatcher, phrase_matcher
from terminal.importers import read_path
from terminal.records import ArticleRecord
from terminal.symbols import known_symbols, name_index
from terminal.taxonomy import resolve_topic
from terminal.taxonomy import topics as taxonomy_topics
from tests.conftest import ROOT

BENCH_STORIES = 2_500
ODD_STORIES = 600
SNIPPETS = [
    "Tesla (TSLA) recalls 200,000 vehicles", "Shares of Intel Corp. (NASDAQ: INTC) jump",
    "Berkshire Hathaway (NYSE: BRK.B) adds to Chevron stake", "(NYSE:BRK-B filing)",
    "Nasdaq:AAPL slips", "$AAPL $msft lead", "$BRK.B and $SOUN", "Nvidia (NVDA.O) falls",
    "Ralph Lauren (RL) beats", "Reinforcement learning (RL)", "$USD weakens; costs $300,000",
    "NVIDIA AND INTEL", "eBay beats", "apple pie", "a meta-analysis", "3M cuts", "Nvidia:NVDA",
    "İstanbul İNVESTORS", "ＮＶＩＤＩＡ ｓｈａｒｅｓ", "ﬁnance", "Straße", "Kelvin \u212a", "ſhares",
    "OPEC+ cuts", "M&A boom", "S&P 500 record", "U.S.-China trade", "GLP-1", "Chapter 11",
    "all-time high", "sell-off", "AI chips", "data centers", "H100 H20", "phase 3 trial",
    "Apple’s iPhone", "chips’ demand", "first-quarter earnings", "\u00a0wide\u2009gaps\n",
    "Intel. Intel said so. Intel cut jobs.", "earnings earnings earnings earnings",
]  # fmt: skip
SUFFIXES = [" - Reuters", " | CNBC", " — Bloomberg", " – WSJ", " -Reuters", " - the guardian"]
PUBLISHERS = [
    "Reuters", "Bloomberg News", "wsj.com", "CNBC", "Benzinga", "unknown blog", "",
    "  REUTERS  ", "Dow Jones Newswires", "Reuters/Bloomberg", "Barron's", "Financial Times",
]  # fmt: skip
GIVEN_TICKERS = ["$nvda", " AMD", "AMD", "TSLA", "intc", "", "$", "BRK.B"]


# -- the references ----------------------------------------------------------------------


def ref_finditer(matcher: PhraseMatcher, text: str) -> Iterator[tuple[str, int, int]]:
    """Phrase matches with the lookbehind regex on the lowered text (or any case)."""
    lowered = text.lower()
    if len(lowered) == len(text):
        lookbehind = re.compile(matcher.source)
        for m in lookbehind.finditer(lowered):
            yield m[0], m.start(), m.end()
    else:
        for m in matcher.any_case.finditer(text):
            yield m[0].lower(), m.start(), m.end()


def ref_mentions(text: str) -> Counter[str]:
    """Symbol -> mentions, a symbol just after its company's name not counted again."""
    known, names = known_symbols(), name_index()
    named = []
    for name, start, end in ref_finditer(tickers._default_names(), text):
        first, second = text[start], text[start + 1 : start + 2]
        if (first.isupper() or first.isdigit() or second.isupper()) and names.get(name):
            named.append((names[name], start, end))
    explicit = [
        *tickers._cashtags(text, known),
        *tickers._exchange_qualified(text),
        *tickers._bracketed(text, known),
    ]
    counts = Counter(symbol for symbol, _, _ in named)
    for symbol, start, _ in explicit:
        gap = range(max(0, start - 3), start + 1)
        if not any((symbol, end) in {(s, e) for s, _, e in named} for end in gap):
            counts[symbol] += 1
    return counts


def ref_tickers(title: str, text: str) -> dict[str, float]:
    """Symbol -> relevance, most relevant first."""
    in_title, in_text = ref_mentions(title), ref_mentions(text)
    scores = {
        s: round(1 - math.exp(-(1.2 * in_title[s] + 0.35 * in_text[s])), 3)
        for s in in_title.keys() | in_text.keys()
    }
    return dict(sorted(scores.items(), key=lambda item: (-item[1], item[0])))


def ref_hits(text: str) -> Counter[str]:
    """Slug -> keyword hits, each keyword counted at most three times."""
    matcher, slugs = topics._keywords()
    per_keyword = Counter(phrase for phrase, _, _ in ref_finditer(matcher, text))
    hits: Counter[str] = Counter()
    for keyword, count in per_keyword.items():
        for slug in slugs.get(keyword, ()):
            hits[slug] += min(count, 3)
    return hits


def ref_topics(title: str, text: str) -> dict[str, float]:
    """Slug -> score at least 0.3, strongest first."""
    in_title, in_text = ref_hits(title), ref_hits(text)
    scores = {}
    for slug in in_title.keys() | in_text.keys():
        score = round(1 - math.exp(-(1.0 * in_title[slug] + 0.34 * in_text[slug])), 3)
        if score >= 0.3:
            scores[slug] = score
    return dict(sorted(scores.items(), key=lambda item: (-item[1], item[0])))


def ref_source_tier(publisher: str) -> float:
    """The highest tier of the aliases in the publisher's name, else the default."""
    default, regex, tiers = impact._tiers()
    name = " ".join(impact._NON_WORD.sub(" ", publisher.lower()).split())
    found = [tiers[m[0]] for m in regex.finditer(name)]
    return max(found) if found else default


def unit(value: float) -> float:
    """A value clipped into 0..1."""
    return min(1.0, max(0.0, value))


def ref_impact(scores: dict[str, float], sentiment: float, relevance: float, tier: float) -> float:
    """The documented impact formula, novelty 1.0, taxonomy weights."""
    weights = {t.slug: t.weight for t in taxonomy_topics()}
    remaining = 1.0
    for slug, score in scores.items():
        remaining *= 1.0 - unit(score) * unit(weights.get(slug, 0.5))
    core = 0.45 * (1.0 - remaining) + 0.30 * unit(relevance) + 0.25 * unit(abs(sentiment))
    return round(core * (0.5 + 0.5 * unit(tier)) * (0.4 + 0.6 * unit(1.0)), 4)


def ref_enrich(record: ArticleRecord) -> tuple[list[str], dict[str, float], list[str], float]:
    """(tickers, ticker_relevance, topics, impact_model) enrich() should give a record."""
    text = "\n\n".join(part for part in (record.summary, record.body, record.analysis) if part)
    found = ref_tickers(record.title, text)
    given = {s.strip().lstrip("$").upper(): r for s, r in record.ticker_relevance.items()}
    symbols: list[str] = []
    for symbol in [s.strip().lstrip("$").upper() for s in record.tickers] + list(found):
        if symbol and symbol not in symbols:
            symbols.append(symbol)
    relevance = {s: given.get(s, found.get(s, 1.0)) for s in symbols}
    scores: dict[str, float] = {}
    for value in record.topics:
        slug = ref_resolve(value)
        if slug:
            scores[slug] = 1.0
    for slug, score in ref_topics(record.title, text).items():
        scores.setdefault(slug, score)
    assert record.sentiment is not None
    tier = ref_source_tier(record.publisher)
    model = ref_impact(scores, record.sentiment, max(relevance.values(), default=0.0), tier)
    return symbols, relevance, list(scores), model


def ref_resolve(value: str) -> str | None:
    """The slug for a label or slug, uncached."""
    key = taxonomy._key(value)
    return taxonomy._keys().get(key) if key else None


def ref_fingerprint(title: str) -> str:
    """Sorted content words: outlet dropped, NFKC, lower case, plurals and endings cut."""
    text = unicodedata.normalize("NFKC", clusters.strip_publisher(title)).lower()
    text = text.replace("\u2019", "'").replace("'s ", " ")
    words = {clusters._word.__wrapped__(t) for t in clusters._TOKEN.findall(text)}
    return " ".join(sorted(words - clusters._STOPWORDS))


# -- the stories -------------------------------------------------------------------------


def _sentiment(i: int) -> float:
    """A fixed tone per story (sentiment is not what these tests are about)."""
    return round(math.sin(i * 1.7), 4)


def bench_records(count: int = BENCH_STORIES) -> list[ArticleRecord]:
    """Bench stories as an importer would hand them over."""
    when = datetime(2025, 1, 1, tzinfo=UTC)
    return [
        ArticleRecord(
            title=s.title,
            published_at=when,
            summary=s.summary,
            publisher=s.publisher,
            tickers=list(s.tickers),
            topics=list(s.topics),
            sentiment=_sentiment(i),
        )
        for i, s in enumerate(stories(CorpusSpec(count, seed=23)))
    ]


def sample_records() -> list[ArticleRecord]:
    """The shipped sample set, with its own tickers and topic labels."""
    records = read_path(ROOT / "data" / "sample" / "stories.jsonl").records
    for i, record in enumerate(records):
        record.sentiment = _sentiment(i)
    return records


def odd_records() -> list[ArticleRecord]:
    """Bench stories salted with symbols, odd Unicode, outlet suffixes and labels."""
    rng = random.Random(7)
    base = bench_records(200)
    labels = [t.label for t in taxonomy_topics()] + ["m and a", "M&A", "Not A Topic", "  "]

    def salt(text: str) -> str:
        words = text.split()
        for _ in range(rng.randint(0, 4)):
            words.insert(rng.randint(0, len(words)), rng.choice(SNIPPETS))
        return " ".join(words)

    records = []
    for i in range(ODD_STORIES):
        story = rng.choice(base)
        title = salt(story.title) + (rng.choice(SUFFIXES) if rng.random() < 0.3 else "")
        records.append(
            ArticleRecord(
                title=title.upper() if rng.random() < 0.1 else title,
                published_at=story.published_at,
                summary=salt(story.summary),
                body=salt(story.summary) if rng.random() < 0.3 else "",
                analysis=rng.choice(SNIPPETS) if rng.random() < 0.2 else "",
                publisher=rng.choice(PUBLISHERS),
                tickers=rng.sample(GIVEN_TICKERS, rng.randint(0, 3)),
                topics=rng.sample(labels, rng.randint(0, 3)),
                ticker_relevance={"AMD": 0.2} if rng.random() < 0.2 else {},
                sentiment=_sentiment(i),
            )
        )
    return records


@pytest.fixture(scope="module", params=["bench", "sample", "odd"])
def records(request: pytest.FixtureRequest) -> list[ArticleRecord]:
    return {"bench": bench_records, "sample": sample_records, "odd": odd_records}[request.param]()


# -- the checks --------------------------------------------------------------------------


def test_enrich_gives_what_the_reference_computes(records: list[ArticleRecord]) -> None:
    for original in records:
        record = copy.deepcopy(original)
        expected = ref_enrich(record)
        enrich(record)
        got = (record.tickers, record.ticker_relevance, record.topics, record.impact_model)
        assert got == expected, record.title
        # Order matters too: most relevant tickers and strongest topics first.
        assert list(record.ticker_relevance) == list(expected[1]), record.title


def test_extractors_give_what_the_reference_computes(records: list[ArticleRecord]) -> None:
    for record in records:
        text = "\n\n".join(p for p in (record.summary, record.body, record.analysis) if p)
        found = tickers.extract_tickers(record.title, text)
        assert list(found.items()) == list(ref_tickers(record.title, text).items())
        assert tickers.mentions(text) == ref_mentions(text)
        tagged = topics.tag_topics(record.title, text)
        assert list(tagged.items()) == list(ref_topics(record.title, text).items())
        assert impact.source_tier(record.publisher) == ref_source_tier(record.publisher)


def test_title_fingerprint_gives_what_the_reference_computes(
    records: list[ArticleRecord],
) -> None:
    clusters._words.cache_clear()
    for record in records:
        assert title_fingerprint(record.title) == ref_fingerprint(record.title), record.title


def test_topic_labels_resolve_as_before() -> None:
    labels = [t.label for t in taxonomy_topics()] + [t.slug for t in taxonomy_topics()]
    for value in [*labels, "m and a", "M & A", "Macro and Rates", "", "  ", "Earnings " * 30]:
        assert resolve_topic(value) == ref_resolve(value), value
        assert resolve_topic(value) == ref_resolve(value), value  # and again, from the cache


@pytest.mark.parametrize(
    "phrases",
    [
        ["s&p 500", "m&a", "u.s.-china", "opec+", "ai", "ai chips", "chip"],
        ["$spy", "-x", "ai"],  # phrases starting with a non-word character: the plain scan
        [],
    ],
)
def test_phrase_matcher_finds_what_the_lookbehind_regex_finds(phrases: list[str]) -> None:
    matcher = phrase_matcher(phrases)
    texts = [
        "S&P 500 and M&A; U.S.-China OPEC+AI chips", "ai-chips, chip chips ai", "",
        "$SPY -x ai$spy", "İ ai İchip", "\u212aai ai\u212a", "ai", " ai ", "xai aix", "ai\nai",
    ]  # fmt: skip
    for text in texts:
        expected = list(ref_finditer(matcher, text))
        assert matcher.spans(text) == expected, text
        assert list(matcher.finditer(text)) == expected, text
        assert matcher.findall(text) == [phrase for phrase, _, _ in expected], text


def test_the_caches_are_bounded() -> None:
    cached = [
        impact.source_tier,
        topics._score,
        clusters._words,
        clusters._word,
        taxonomy._resolve_cached,
        enrich_module._own_symbol,
        patterns._ignore_case,
    ]
    for function in cached:
        maxsize = function.cache_info().maxsize
        assert maxsize is not None and maxsize <= 200_000, function
    # Long values (lines of prose tried as a topic line) are not remembered at all.
    before = taxonomy._resolve_cached.cache_info().currsize
    resolve_topic("word " * 100)
    assert taxonomy._resolve_cached.cache_info().currsize == before
