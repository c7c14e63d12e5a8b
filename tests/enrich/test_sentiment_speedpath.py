"""The fast tone scorer gives exactly VADER's floats: bench stories, samples, tricky text."""

from __future__ import annotations

import json
import random
import re
from functools import cache
from pathlib import Path

import pytest
from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

from terminal.bench.corpus import CorpusSpec, stories
from terminal.enrich.sentiment import (
    LEDE_CHARS,
    LEDE_SENTENCES,
    _compound,
    _may_hold_phrase,
    _raw,
    _reference_compound,
    _reference_raw,
    _reference_sentiment,
    _rewrite_phrases,
    _tables,
    _token,
    finance_lexicon,
    lede,
    sentiment,
)

SAMPLE = Path(__file__).resolve().parents[2] / "data" / "sample"

TRICKY = [
    "",
    " ",
    "\n\t ",
    "!!!",
    "?",
    "???",
    "... --- ,,,",
    ":) :( :D :-) <3",
    "good",
    "GOOD",
    "Good!",
    "good!!!",
    "good!!!!!!",
    "good?",
    "good??",
    "good????",
    "bad?!",
    "not good",
    "NOT GOOD",
    "isn't bad",
    "It isn't bad at all.",
    "it ain't great, uh-uh",
    "never good",
    "never so good",
    "never this good",
    "Sentiment analysis has never been this good!",
    "never been so very good",
    "this is good",
    "so the movie was good",
    "without doubt good",
    "without a doubt, an excellent idea",
    "Without a doubt, excellent idea.",
    "despite good reviews",
    "rarely good, seldom bad",
    "no good",
    "no problem",
    "no",
    "no no no",
    "no doubt",
    "no, or good",
    "no fun or nor happy",
    "very good",
    "VERY good",
    "very GOOD and bad",
    "extremely bad",
    "EXTREMELY bad news today",
    "extremely very really good",
    "so so good",
    "barely good",
    "slightly bad",
    "kinda good",
    "kind of good",
    "kind of",
    "kind",
    "it is kind",
    "a kind of magic is good",
    "sort of bad",
    "just enough good",
    "least good",
    "the least good movie",
    "at least good",
    "very least good",
    "at least it isn't a horrible book",
    "Roger Dodger is one of the least compelling variations on this theme.",
    "the bomb",
    "that movie is the bomb",
    "it was really the bomb dot com",
    "cut the mustard",
    "it did not cut the mustard",
    "the kiss of death for the deal",
    "a kiss of death",
    "to die for",
    "the cake was to die for",
    "bad ass",
    "what a bad ass idea",
    "yeah right, great",
    "the shit hit the fan",
    "beating heart",
    "bus stop is bad",
    "good but bad",
    "good BUT bad",
    "The plot was good, but the characters are uncompelling and the dialog is not great.",
    "good good but good",
    "great but good good",
    "good but great but bad",
    "but good",
    "good but",
    "Today SUX!",
    "Today only kinda sux! But I'll get by, lol",
    "VADER is VERY SMART, handsome, and FUNNY!!!",
    "VADER is VERY SMART, uber handsome, and FRIGGIN FUNNY!!!",
    "GOOD BAD GREAT",
    "ALL CAPS TEXT IS LOUD BUT FINE",
    "NVDA beats estimates as AI demand soars",
    "AMD misses estimates; shares plunge 10%",
    "Intel issues guidance cut; shares plunge",
    "Company announces GUIDANCE CUT after probe",
    "Guidance-cut fears",
    "guidance  cut",
    "guidance\ncut",
    "xguidance cut",
    "guidance cutx",
    "_guidance cut",
    "guidance cut_",
    "(guidance cut)",
    "'guidance cut'",
    "all-time high",
    "stocks hit an all-time high!",
    "all time high",
    "better-than-expected results",
    "better than expected, not worse-than-expected",
    "stronger-than-expected sales but weaker-than-expected margins",
    "Retailer files for chapter 11",
    "chapter 11.",
    "price target cut to $40",
    "record revenue, record profit and record sales",
    "record low",
    "share buyback and job cuts",
    "export controls hit chips",
    "profit warning",
    "going concern doubts",
    "fin_guidance_cut",
    "3M beats; U.S. e-mail co-op's profit rises 5.5%",
    "Q2 EPS $1.23 vs $1.10 est.; rev. +12% y/y",
    "it's don't can't won't shouldn't",
    "N'T NOT GOOD",
    "didn't beat estimates",
    "Company did not beat estimates",
    "He's a 'good' guy -- really.",
    "a, b, c; good.",
    "ai is good",
    "Ok ok OK",
    "café is good",
    "Nvidia’s rally isn’t over",
    "İstanbul stocks surge",
    "ΣΑΣ good",
    "Straße good",
    "naïve investors lose",
    "Great deal \U0001f600",
    "Catch utf-8 emoji such as \U0001f498 and \U0001f48b and \U0001f601",
    "\U0001f600",
    "surge plunge soar crash rally slump",
    "Shares surge. Then they plunge! Why?",
]


def _words(text: str) -> tuple[str, ...]:
    """The space-separated words of a string."""
    return tuple(text.split())


# Words that make VADER's rules fire, words it scores, plain words, and decorations.
_RULE_WORDS = _words(
    "not isn't never so this without doubt no or nor but least at very kind of sort just "
    "enough the bomb shit kiss death to die for bad ass bus stop yeah right beating heart cut "
    "mustard despite rarely don't can't extremely kinda barely uh-uh ain't nothing kind-of "
    "hand mouth upper break a leg in black red weather"
)
_SCORED = _words("good great bad love hate happy sad kind doubt no fun horrible smart")
_PLAIN = _words("stock company a it ai NVDA shares market 11 2024 3M U.S. e-mail")
_UNICODE = ("café", "’s", "—", "İstanbul", "ΣΑΣ", "naïve", "ǅ", "Straße", "\U0001f600")
_BEFORE = ["", "", "", "", "(", '"', "'", "-", "_", "...", ":"]
_AFTER = ["", "", "", "", "", ",", ".", "!", "?", "!!!", "??", ")", "'", ":)", "...", "_"]
_SPACES = [" ", " ", " ", "  ", "\n", "\t"]


@cache
def _finance_parts() -> tuple[str, ...]:
    """Finance words, phrases and their single words (lexicon order, so stable)."""
    words, phrases = finance_lexicon()
    return (*words, *phrases, *(w for p in phrases for w in p.split()))


def _random_sentences(count: int, seed: int, *, unicode: bool) -> list[str]:
    """Sentences dense in rule words, scored words and phrase parts, oddly cased and spaced."""
    rng = random.Random(seed)
    pools = [_RULE_WORDS, _RULE_WORDS, _SCORED, _SCORED, _finance_parts(), _PLAIN]
    if unicode:
        pools.append(_UNICODE)
    out = []
    for _ in range(count):
        parts = []
        for _ in range(rng.randint(0, 20)):
            word = rng.choice(rng.choice(pools))
            roll = rng.random()
            if roll < 0.12:
                word = word.upper()
            elif roll < 0.2:
                word = word.capitalize()
            parts.append(rng.choice(_BEFORE) + word + rng.choice(_AFTER) + rng.choice(_SPACES))
        out.append("".join(parts))
    return out


@cache
def _stock_vader() -> SentimentIntensityAnalyzer:
    """VADER as shipped (not the linear subclass), with the same lexicon additions."""
    words, phrases = finance_lexicon()
    vader = SentimentIntensityAnalyzer()
    vader.lexicon.update(words)
    vader.lexicon.update({_token(p): v for p, v in phrases.items()})
    return vader


def _assert_same(text: str) -> None:
    """The fast path's compound and raw valence are the reference's, float for float."""
    fast, reference = _compound(text), _reference_compound(text)
    assert (fast, repr(fast)) == (reference, repr(reference)), text
    assert _raw(text) == _reference_raw(text), text


def _old_lede(text: str) -> str:
    """lede() as it was written before: split on whitespace after a sentence mark."""
    head = text[:LEDE_CHARS].strip()
    sentences = re.split(r"(?<=[.!?])\s+", head, maxsplit=LEDE_SENTENCES)
    return " ".join(sentences[:LEDE_SENTENCES])


def _sample_texts() -> list[str]:
    """Every text field of the sample stories, whole and line by line, and the seed article."""
    texts = []
    for line in (SAMPLE / "stories.jsonl").read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        story = json.loads(line)
        for key in ("title", "summary", "body", "analysis"):
            value = story.get(key)
            if isinstance(value, str):
                texts.append(value)
                texts.extend(value.splitlines())
    article = (SAMPLE / "first-article.txt").read_text(encoding="utf-8")
    return [*texts, article, *article.splitlines()]


def test_bench_stories_score_exactly_as_vader_scores_them() -> None:
    for story in stories(CorpusSpec(3000, seed=5)):
        for text in (story.title, story.summary, lede(story.summary)):
            _assert_same(text)
        assert sentiment(story.title, story.summary) == _reference_sentiment(
            story.title, story.summary
        )


def test_sample_texts_score_exactly_as_vader_scores_them() -> None:
    texts = _sample_texts()
    assert len(texts) > 100
    for text in texts:
        _assert_same(text)
    for a, b in zip(texts, texts[1:], strict=False):
        assert sentiment(a, b) == _reference_sentiment(a, b)


@pytest.mark.parametrize("text", TRICKY)
def test_tricky_text_scores_exactly_as_vader_scores_it(text: str) -> None:
    _assert_same(text)
    assert sentiment(text, text) == _reference_sentiment(text, text)
    assert sentiment(text, "") == _reference_sentiment(text, "")


def test_the_reference_is_vader_itself() -> None:
    stock = _stock_vader()
    for text in [*TRICKY, *_random_sentences(300, seed=11, unicode=True)]:
        expected = stock.polarity_scores(_rewrite_phrases(text))["compound"]
        assert _reference_compound(text) == expected, text
        assert _compound(text) == expected, text


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_random_rule_heavy_sentences_score_exactly_as_vader_scores_them(seed: int) -> None:
    texts = _random_sentences(1500, seed=seed, unicode=seed == 3)
    for text in texts:
        _assert_same(text)
    assert sum(_compound(t) != 0.0 for t in texts) > len(texts) // 2  # mostly scored text


def test_every_finance_phrase_is_found_however_it_is_written() -> None:
    for phrase in finance_lexicon()[1]:
        for form in (phrase, phrase.upper(), phrase.title(), phrase.replace(" ", "  ")):
            for text in (
                form,
                f"Shares fall on {form}.",
                f"({form})",
                f"x{form} y",
                f"{form}x",
                f"_{form}",
                f"not {form}!",
                f"{form}-related",
            ):
                _assert_same(text)
        assert _compound(f"a {phrase} b") != 0.0, phrase  # the token is scored


def test_lede_is_unchanged() -> None:
    texts = [s.summary for s in stories(CorpusSpec(500, seed=5))] + _sample_texts() + TRICKY
    texts += [
        "One. Two. Three.",
        "Wait!  What?\nYes.",
        "No break here",
        "Ends with a mark.",
        "Mark.then no space. Then one",
        "U.S. stocks rise. Then fall.",
        "  Leading space. Second.",
        "a." * 200,
        "x" * 239 + ". Tail",
        "A\u00a0sentence.\u2003Next one.",
    ]
    for text in texts:
        assert lede(text) == _old_lede(text), text


def test_the_phrase_prefilter_is_what_skips_the_regex() -> None:
    # A text without every word of some phrase never reaches the regex; one with them does.
    tables = _tables()
    assert not _may_hold_phrase(["guidance", "shares"], tables)
    assert _may_hold_phrase(["raised", "guidance"], tables)
    assert _may_hold_phrase(["(all-time", "high)"], tables)
    assert not _may_hold_phrase(["record", "shares"], tables)
