"""The company-name matcher built without a regex finds exactly what the regex finds.

indexed_matcher() files the names under one of their words and finds them with str.find;
phrase_matcher() compiles them into one trie-shaped regex, `(?<!\\w)(?:...)(?!\\w)` over
the lowered text, longest name first. Both are run on the real name table over bench
stories, the sample set and a generated stress set (every name in varied case, amid
punctuation, inside longer words, next to other names, beside Unicode letters) and
must give identical lists of (name, start, end).
"""

from __future__ import annotations

import random
from collections.abc import Iterator

import pytest

from terminal.bench.corpus import CorpusSpec, stories
from terminal.enrich import tickers
from terminal.enrich.patterns import IndexedMatcher, PhraseMatcher, indexed_matcher, phrase_matcher
from terminal.importers import read_path
from terminal.symbols import name_index
from tests.conftest import FIRST_ARTICLE, ROOT

BENCH_STORIES = 3_000
CONCATENATIONS = 3_000
BEFORE = ["", " ", "(", '"', "'", "-", "$", "#", "/", ".", ",", "\n", "\u2019", "_", "x", "9"]
AFTER = ["", " ", ")", '"', "'s", "\u2019s", "-", ".", ",", ";", ":", "!", "s", "x", "9", "_"]
UNICODE = ["é", "ß", "Ω", "ж", "ǅ", "\u00a0", "\u2014", "İ", "\u212a", "ﬁ", "１", "٣"]
SEPARATORS = ["", " ", "  ", "&", ".", "-", ", ", " and ", "/", "'s "]


@pytest.fixture(scope="module")
def reference() -> PhraseMatcher:
    """The regex matcher of the name table, as tagging used it before."""
    return phrase_matcher(name_index())


@pytest.fixture(scope="module")
def matcher() -> IndexedMatcher:
    """The matcher tagging uses now."""
    built = tickers._default_names()
    assert isinstance(built, IndexedMatcher)
    return built


def _cases(name: str, rng: random.Random) -> Iterator[str]:
    """A name written the ways a text may hold it."""
    yield from (name, name.upper(), name.title(), name.capitalize(), name.swapcase())
    yield "".join(c.upper() if rng.random() < 0.5 else c for c in name)


def stress_texts(names: list[str], seed: int = 5) -> list[str]:
    """Every name in sentences, amid punctuation, in longer words, beside other names."""
    rng = random.Random(seed)
    by_first_word: dict[str, list[str]] = {}
    for name in names:
        by_first_word.setdefault(name.split()[0], []).append(name)
    texts = []
    for name in names:
        cased = list(_cases(name, rng))
        other = rng.choice(names)
        texts += [f"Shares of {c} rose after {other} said so." for c in cased]
        texts += [rng.choice(BEFORE) + rng.choice(cased) + rng.choice(AFTER) for _ in range(6)]
        texts += [f"pre{name} {name}post {name}{name} {name}-{name} {name}'s {name}1 2{name}"]
        texts += [f"{rng.choice(UNICODE)}{name}{rng.choice(UNICODE)} {name}{rng.choice(UNICODE)}"]
        texts += [f"{name} {other}", f"{name}{other}", f"{other} {name}, {name}"]
        # Names that run on into another name sharing a word ("... trade" + "trade desk").
        words = name.split()
        for follower in by_first_word.get(words[-1], [])[:3]:
            texts.append(" ".join(words[:-1] + [follower]) + " plc")
        # A name cut short or run on into a longer word.
        texts += [name[:-1], name + name[-1], name[: len(name) // 2] + " " + name]
    for _ in range(CONCATENATIONS):
        picked = rng.sample(names, rng.randint(2, 6))
        texts.append("".join(n + rng.choice(SEPARATORS) for n in picked))
    return texts


def bench_texts() -> list[str]:
    """Titles and summaries of bench stories."""
    found = []
    for story in stories(CorpusSpec(BENCH_STORIES, seed=29)):
        found += [story.title, story.summary]
    return found


def sample_texts() -> list[str]:
    """Every text field of the shipped sample set, and the first article."""
    records = read_path(ROOT / "data" / "sample" / "stories.jsonl").records
    fields = [(r.title, r.summary, r.body, r.analysis, r.publisher) for r in records]
    return [text for texts in fields for text in texts] + [FIRST_ARTICLE.read_text("utf-8")]


def assert_same_matches(
    matcher: IndexedMatcher, reference: PhraseMatcher, texts: list[str]
) -> None:
    """spans(), finditer() and findall() agree with the regex on every text."""
    for text in texts:
        expected = reference.spans(text)
        assert matcher.spans(text) == expected, text
        assert list(matcher.finditer(text)) == expected, text
        assert matcher.findall(text) == reference.findall(text), text


def test_the_stress_set_finds_every_name(reference: PhraseMatcher) -> None:
    texts = stress_texts(sorted(name_index()))
    found = {name for text in texts for name, _, _ in reference.spans(text)}
    assert found == set(name_index())


def test_same_matches_on_bench_stories(matcher: IndexedMatcher, reference: PhraseMatcher) -> None:
    assert_same_matches(matcher, reference, bench_texts())


def test_same_matches_on_the_sample_set(matcher: IndexedMatcher, reference: PhraseMatcher) -> None:
    assert_same_matches(matcher, reference, sample_texts())


def test_same_matches_on_every_name_in_odd_company(
    matcher: IndexedMatcher, reference: PhraseMatcher
) -> None:
    assert_same_matches(matcher, reference, stress_texts(sorted(name_index())))


def test_the_same_regex_stands_behind_text_that_changes_length_when_lowered(
    matcher: IndexedMatcher, reference: PhraseMatcher
) -> None:
    assert matcher.source == reference.source
    texts = ["İNVIDIA and Nvidia İ", "Apple İnc. and APPLE İNC.", "ſhares of \u212aLA Corp"]
    assert_same_matches(matcher, reference, texts)


@pytest.mark.parametrize(
    "phrases",
    [
        ["s&p 500", "m&a", "u.s.-china", "opec+", "ai", "ai chips", "chip", "a", "a b", "a b c"],
        ["$spy", "-x", "ai", "x-", "(b)", "..c..", "ab ab", "ab ab ab"],  # not led by a word
        ["aa", "aaa", "aa aa", "a.a", "a a a"],  # names that overlap themselves
        [],
    ],
)
def test_same_matches_for_other_phrases(phrases: list[str]) -> None:
    built = indexed_matcher(phrases)
    assert isinstance(built, IndexedMatcher)
    texts = [
        "S&P 500 and M&A; U.S.-China OPEC+AI chips", "ai-chips, chip chips ai", "",
        "$SPY -x ai$spy x-x- (b)(b) ..c....c..", "İ ai İchip", "\u212aai ai\u212a", "ai",
        " ai ", "xai aix", "ai\nai", "a b c a b a", "ab ab ab ab ab", "aaaa aa aa aaa a.a.a",
        "a a a a a", "a.a a.aa",
    ]  # fmt: skip
    assert_same_matches(built, phrase_matcher(phrases), texts)


def test_phrases_without_a_word_character_keep_the_regex() -> None:
    assert isinstance(indexed_matcher(["+", "ai"]), PhraseMatcher)
    assert indexed_matcher(["+", "ai"]).spans("a + ai") == [("+", 2, 3), ("ai", 4, 6)]
