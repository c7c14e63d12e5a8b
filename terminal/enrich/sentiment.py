"""Story tone, -1..1: VADER with its lexicon extended by the words markets use.

VADER itself (`analyzer()`) is the reference. `sentiment()` scores through a direct
reimplementation of VADER's rules (`_raw`, the rules in `vader_rules.py`) that gives the
very same floats several times faster: each word is lower-cased and stripped once, a word
with nothing around it that
any rule reacts to just takes its lexicon valence, and the finance-phrase regex only runs
on texts holding every word of some phrase. Text with emoji goes through VADER itself.
"""

from __future__ import annotations

import json
import math
import re
import string
from collections.abc import Callable
from functools import cache
from itertools import filterfalse
from pathlib import Path

from vaderSentiment.vaderSentiment import (
    BOOSTER_DICT,
    SPECIAL_CASES,
    SentimentIntensityAnalyzer,
    SentiText,
)

from terminal.enrich.patterns import phrase_matcher
from terminal.enrich.vader_rules import ALPHA, NEGATIONS, Tables, words_compound

_DATA = Path(__file__).parent.parent / "data" / "finance_lexicon.json"
TITLE_WEIGHT = 2.0
LEDE_SENTENCES = 1
LEDE_CHARS = 240
_SENTENCE_BREAK = re.compile(r"[.!?]\s+")  # a sentence ends at the mark, before the spaces
_PUNCT = string.punctuation  # what VADER strips from either end of a word
# Every ASCII character that is not a word character (\w), to a space.
_NON_WORD = {c: " " for c in range(128) if not (chr(c).isalnum() or chr(c) == "_")}


def _token(phrase: str) -> str:
    """The single word a multiword phrase is rewritten to before VADER sees it."""
    return "fin_" + re.sub(r"\W+", "_", phrase)


@cache
def finance_lexicon() -> tuple[dict[str, float], dict[str, float]]:
    """The shipped finance words and multiword phrases, each with a VADER valence."""
    data = json.loads(_DATA.read_text(encoding="utf-8"))
    return dict(data["words"]), dict(data["phrases"])


@cache
def _phrases() -> tuple[re.Pattern[str], dict[str, str]]:
    """One regex for every finance phrase, and phrase -> replacement token."""
    phrases = finance_lexicon()[1]
    return phrase_matcher(phrases).any_case, {p: _token(p) for p in phrases}


class _Vader(SentimentIntensityAnalyzer):
    """VADER, unchanged in its results, made linear in a text's length.

    Its two per-word helpers lower-case the whole word list on every call (quadratic
    time); they only ever read the three words before and two after the current one,
    so they are handed that window instead. And plain ASCII text, which holds no
    emoji, skips the character-by-character emoji translation; the rest of
    polarity_scores below is VADER's own.
    """

    def polarity_scores(self, text: str) -> dict[str, float]:
        """VADER's scores (neg, neu, pos, compound) for a text."""
        if not text.isascii():
            return dict(super().polarity_scores(text))
        text = text.strip()
        sentitext = SentiText(text)
        words = sentitext.words_and_emoticons
        sentiments: list[float] = []
        for i, item in enumerate(words):
            if item.lower() in BOOSTER_DICT or (
                i < len(words) - 1 and item.lower() == "kind" and words[i + 1].lower() == "of"
            ):
                sentiments.append(0)
                continue
            sentiments = self.sentiment_valence(0, sentitext, item, i, sentiments)
        sentiments = self._but_check(words, sentiments)
        return dict(self.score_valence(sentiments, text))

    @staticmethod
    def _negation_check(valence: float, words: list[str], start_i: int, i: int) -> float:
        """VADER's negation rule, on the words around position i only."""
        lo = max(0, i - 3)
        return float(
            SentimentIntensityAnalyzer._negation_check(valence, words[lo : i + 1], start_i, i - lo)
        )

    @staticmethod
    def _special_idioms_check(valence: float, words: list[str], i: int) -> float:
        """VADER's idiom rule, on the words around position i only."""
        lo = max(0, i - 3)
        return float(
            SentimentIntensityAnalyzer._special_idioms_check(valence, words[lo : i + 3], i - lo)
        )


@cache
def analyzer() -> SentimentIntensityAnalyzer:
    """The VADER analyzer with the finance words and phrase tokens in its lexicon, built once."""
    words, phrases = finance_lexicon()
    vader = _Vader()
    vader.lexicon.update(words)
    vader.lexicon.update({_token(p): v for p, v in phrases.items()})
    return vader


@cache
def _tables() -> Tables:
    """The fast path's lookup tables."""
    vader = analyzer()
    runs: dict[str, list[frozenset[str]]] = {}
    any_phrase = False
    for phrase in finance_lexicon()[1]:
        phrase = phrase.lower().strip()
        parts = phrase.translate(_NON_WORD).split()
        if not parts or "_" in phrase or not phrase.isascii():
            any_phrase = True
        else:
            runs.setdefault(parts[0], []).append(frozenset(parts))
    multiword = [k for k in (*SPECIAL_CASES, *BOOSTER_DICT) if " " in k]
    idiom_words = frozenset(max(k.split(" "), key=len) for k in multiword)
    return Tables(
        lexicon=vader.lexicon,
        phrase_runs={k: tuple(v) for k, v in runs.items()},
        any_phrase=any_phrase,
        context=frozenset(BOOSTER_DICT) | NEGATIONS | {"no", "this", "least"} | idiom_words,
        idiom_words=idiom_words,
        emoji=frozenset(k for k in vader.emojis if len(k) == 1),
    )


def _vader_words(tokens: list[str]) -> list[str]:
    """VADER's words for whitespace tokens: punctuation stripped from either end,
    unless that leaves two characters or fewer (an emoticon, say)."""
    if "".join(tokens).isalnum():
        return tokens  # only letters and digits: nothing to strip
    return [w if len(w := token.strip(_PUNCT)) > 2 else token for token in tokens]


def _may_hold_phrase(words: list[str], tables: Tables) -> bool:
    """False when no finance phrase can occur in the ASCII text with these (lower) words.

    Where the phrase regex matches, every run of word characters in the phrase is a
    whole run of the text, so it is one of the words or a run inside one of them.
    """
    if tables.any_phrase:
        return True
    if not "".join(words).isalnum():  # some words hold more than one run
        odd = filterfalse(str.isalnum, words)
        words = words + [run for word in odd for run in word.translate(_NON_WORD).split()]
    if tables.phrase_runs.keys().isdisjoint(words):
        return False
    present = set(words)
    for first in tables.phrase_runs.keys() & present:
        for runs in tables.phrase_runs[first]:
            if runs <= present:
                return True
    return False


def _rewrite_phrases(text: str) -> str:
    """The text with each finance phrase rewritten to its single lexicon token."""
    regex, tokens = _phrases()
    return regex.sub(lambda m: tokens[m[0].lower()], text)


def _compound(text: str) -> float:
    """VADER's compound score for a text, finance phrases rewritten, computed directly.

    Exactly `_reference_compound`; text holding emoji goes through VADER itself.
    """
    tables = _tables()
    if text.isascii():
        lowered = text.lower()
        words = _vader_words(lowered.split())
        if _may_hold_phrase(words, tables):
            rewritten = _rewrite_phrases(text)
            if rewritten != text:
                text, lowered = rewritten, rewritten.lower()
                words = _vader_words(lowered.split())
    else:
        text = _rewrite_phrases(text)
        if not tables.emoji.isdisjoint(text):
            return float(analyzer().polarity_scores(text)["compound"])
        lowered = text.lower()
        words = list(map(str.lower, _vader_words(text.split())))
    return words_compound(text, lowered, words, tables)


def _reference_compound(text: str) -> float:
    """VADER's compound score for a text, finance phrases rewritten: the reference."""
    return float(analyzer().polarity_scores(_rewrite_phrases(text))["compound"])


def _unnormalise(compound: float) -> float:
    """The summed valence a VADER compound score came from (clipped just inside -1..1)."""
    compound = max(-0.9999, min(0.9999, compound))
    return compound * math.sqrt(ALPHA / (1 - compound * compound))


def _raw(text: str) -> float:
    """VADER's summed valence for a text (its compound score, un-normalised)."""
    return _unnormalise(_compound(text))


def _reference_raw(text: str) -> float:
    """_raw by VADER itself: what the fast path must equal."""
    return _unnormalise(_reference_compound(text))


def lede(text: str) -> str:
    """The first few sentences of a text's first 240 characters: where news puts its tone."""
    head = text[:LEDE_CHARS].strip()
    sentences: list[str] = []
    start = 0
    for m in _SENTENCE_BREAK.finditer(head):
        sentences.append(head[start : m.start() + 1])
        if len(sentences) == LEDE_SENTENCES:
            return " ".join(sentences)
        start = m.end()
    sentences.append(head[start:])
    return " ".join(sentences)


def sentiment(title: str, text: str) -> float:
    """Tone -1..1 of a story from its title (counted twice) and the lede of its text.

    Title and lede are scored by VADER apart; their raw valences are summed (the
    title's doubled) and normalised as VADER does: s / sqrt(s^2 + 15).
    """
    return _tone(title, text, _raw)


def _reference_sentiment(title: str, text: str) -> float:
    """sentiment() scored through VADER itself: what the fast path must equal."""
    return _tone(title, text, _reference_raw)


def _tone(title: str, text: str, raw: Callable[[str], float]) -> float:
    """The story's tone with `raw` giving each part's summed valence."""
    total = TITLE_WEIGHT * raw(title) if title.strip() else 0.0
    body = lede(text)
    total += raw(body) if body else 0.0
    return round(total / math.sqrt(total * total + ALPHA), 4)
