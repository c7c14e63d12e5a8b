"""Story tone, -1..1: VADER with its lexicon extended by the words markets use."""

from __future__ import annotations

import json
import math
import re
from functools import cache
from pathlib import Path

from vaderSentiment.vaderSentiment import BOOSTER_DICT, SentimentIntensityAnalyzer, SentiText

from terminal.enrich.patterns import phrase_matcher

_DATA = Path(__file__).parent.parent / "data" / "finance_lexicon.json"
TITLE_WEIGHT = 2.0
LEDE_SENTENCES = 1
LEDE_CHARS = 240
_ALPHA = 15.0  # VADER's own normalisation constant
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


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


def _raw(text: str) -> float:
    """VADER's summed valence for a text (its compound score, un-normalised)."""
    regex, tokens = _phrases()
    text = regex.sub(lambda m: tokens[m[0].lower()], text)
    compound = max(-0.9999, min(0.9999, analyzer().polarity_scores(text)["compound"]))
    return compound * math.sqrt(_ALPHA / (1 - compound * compound))


def lede(text: str) -> str:
    """The first few sentences of a text (at most 400 characters): where news puts its tone."""
    sentences = _SENTENCE_END.split(text[:LEDE_CHARS].strip(), maxsplit=LEDE_SENTENCES)
    return " ".join(sentences[:LEDE_SENTENCES])


def sentiment(title: str, text: str) -> float:
    """Tone -1..1 of a story from its title (counted twice) and the lede of its text.

    Title and lede are scored by VADER apart; their raw valences are summed (the
    title's doubled) and normalised as VADER does: s / sqrt(s^2 + 15).
    """
    total = TITLE_WEIGHT * _raw(title) if title.strip() else 0.0
    body = lede(text)
    total += _raw(body) if body else 0.0
    return round(total / math.sqrt(total * total + _ALPHA), 4)
