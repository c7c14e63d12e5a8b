"""VADER's rules, reimplemented on a text's words: the compound score VADER's
`polarity_scores` gives a text without emoji, computed directly (`words_compound`), the
same float to the last digit (tests/enrich/test_sentiment_speedpath.py). Each word is
lower-cased and stripped once by the caller (terminal/enrich/sentiment.py), and a word
with nothing around it that any rule reacts to just takes its lexicon valence.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from itertools import compress

from vaderSentiment.vaderSentiment import (
    BOOSTER_DICT,
    C_INCR,
    N_SCALAR,
    NEGATE,
    SentimentIntensityAnalyzer,
)

ALPHA = 15.0  # VADER's own normalisation constant
NEGATIONS = frozenset(NEGATE)
_SO_THIS = ("so", "this")


@dataclass(frozen=True, slots=True)
class Tables:
    """What the fast path looks words up in, built once from the analyzer."""

    lexicon: dict[str, float]  # the analyzer's own lexicon, finance terms included
    phrase_runs: dict[str, tuple[frozenset[str], ...]]  # first word run -> each phrase's runs
    any_phrase: bool  # a phrase the run test cannot vouch for: always run the regex
    context: frozenset[str]  # words that make a rule touch a neighbouring lexicon word
    idiom_words: frozenset[str]  # one word of every multiword idiom and booster
    emoji: frozenset[str]  # the characters VADER translates to words


def words_compound(text: str, lowered: str, words: list[str], tables: Tables) -> float:
    """VADER's compound score (rounded as it rounds it) for a text without emoji.

    `words` are VADER's words of the text, lower-cased; `lowered` the text lower-cased.
    """
    n = len(words)
    lexicon = tables.lexicon
    hits = list(compress(range(n), map(lexicon.__contains__, words)))
    if not hits:
        return 0.0  # every word scores 0
    tokens = words  # as cased; only read when the text has capitals
    caps: bool | None = False  # VADER's is_cap_diff; None: not worked out yet
    if not text.islower():
        tokens, caps = text.split(), None
    plain = "n't" not in lowered  # no word is a negation by its "n't"
    context = tables.context
    quiet = plain and context.isdisjoint(words)  # no rule reacts to any word here
    sentiments: list[float] = [0] * n
    for i in hits:
        word = words[i]
        if not quiet:
            if word in BOOSTER_DICT or (word == "kind" and i < n - 1 and words[i + 1] == "of"):
                continue
            if not plain or word == "no" or not context.isdisjoint(words[max(0, i - 3) : i + 3]):
                if caps is None:
                    caps = _cap_differential(tokens)
                sentiments[i] = _valence(words, tokens, i, tables, caps)
                continue
        # no rule reacts to anything around this word: its own valence, caps aside
        valence = lexicon[word]
        if caps is not False and tokens[i].isupper():
            if caps is None:
                caps = _cap_differential(tokens)
            if caps:
                valence = valence + C_INCR if valence > 0 else valence - C_INCR
        sentiments[i] = valence
    if "but" in words:
        _but_rule(sentiments, words.index("but"))
    total = float(sum(sentiments))
    if total and ("!" in text or "?" in text):
        emphasis = SentimentIntensityAnalyzer._amplify_ep(text)
        emphasis += SentimentIntensityAnalyzer._amplify_qm(text)
        total = total + emphasis if total > 0 else total - emphasis
    compound = total / math.sqrt(total * total + ALPHA)
    if compound < -1.0:
        compound = -1.0
    elif compound > 1.0:
        compound = 1.0
    return round(compound, 4)


def _cap_differential(tokens: list[str]) -> bool:
    """VADER's allcap_differential: some of the words, but not all, are ALL CAPS."""
    return 0 < sum(map(str.isupper, tokens)) < len(tokens)


def _valence(words: list[str], tokens: list[str], i: int, tables: Tables, caps: bool) -> float:
    """VADER's sentiment_valence for the lexicon word at position i, every rule applied."""
    lexicon = tables.lexicon
    word = words[i]
    valence = lexicon[word]
    if word == "no" and i != len(words) - 1 and words[i + 1] in lexicon:
        valence = 0.0  # "no" negates the next word instead
    if (
        (i > 0 and words[i - 1] == "no")
        or (i > 1 and words[i - 2] == "no")
        or (i > 2 and words[i - 3] == "no" and words[i - 1] in ("or", "nor"))
    ):
        valence = lexicon[word] * N_SCALAR
    if caps and tokens[i].isupper():
        valence = valence + C_INCR if valence > 0 else valence - C_INCR
    for start_i in range(min(i, 3)):
        j = i - start_i - 1
        if words[j] in lexicon:
            continue
        if words[j] in BOOSTER_DICT:
            valence = valence + _booster(words[j], tokens[j], valence, caps, start_i)
        else:
            valence = valence + 0.0
        valence = _negation_rule(valence, words, start_i, i)
        if start_i == 2 and not tables.idiom_words.isdisjoint(words[i - 3 : i + 3]):
            idioms = SentimentIntensityAnalyzer._special_idioms_check
            valence = float(idioms(valence, words[i - 3 : i + 3], 3))
    if (
        i > 0
        and words[i - 1] == "least"
        and "least" not in lexicon
        and (i == 1 or words[i - 2] not in ("at", "very"))
    ):
        valence = valence * N_SCALAR  # "least good", though not "at least good"
    return valence


def _booster(word: str, token: str, valence: float, caps: bool, start_i: int) -> float:
    """VADER's scalar_inc_dec for a booster start_i+1 words back, damped as VADER damps."""
    scalar = BOOSTER_DICT[word]
    if valence < 0:
        scalar *= -1
    if token.isupper() and caps:
        scalar = scalar + C_INCR if valence > 0 else scalar - C_INCR
    if start_i == 1 and scalar != 0:
        scalar = scalar * 0.95
    if start_i == 2 and scalar != 0:
        scalar = scalar * 0.9
    return float(scalar)


def _negated(word: str) -> bool:
    """VADER's negated() for one lower-cased word."""
    return word in NEGATIONS or "n't" in word


def _negation_rule(valence: float, words: list[str], start_i: int, i: int) -> float:
    """VADER's _negation_check: a negation start_i+1 words back flips the valence."""
    if start_i == 0:
        if _negated(words[i - 1]):
            valence = valence * N_SCALAR
    elif start_i == 1:
        if words[i - 2] == "never" and words[i - 1] in _SO_THIS:
            valence = valence * 1.25
        elif words[i - 2] == "without" and words[i - 1] == "doubt":
            pass
        elif _negated(words[i - 2]):
            valence = valence * N_SCALAR
    elif (words[i - 3] == "never" and words[i - 2] in _SO_THIS) or words[i - 1] in _SO_THIS:
        valence = valence * 1.25
    elif words[i - 3] == "without" and (words[i - 2] == "doubt" or words[i - 1] == "doubt"):
        pass
    elif _negated(words[i - 3]):
        valence = valence * N_SCALAR
    return valence


def _but_rule(sentiments: list[float], but: int) -> None:
    """VADER's _but_check, in place: halve what precedes the first "but", add half after.

    Kept quirk for quirk: VADER finds each value by list.index, so a value equal to an
    earlier (possibly already scaled) one scales that earlier position instead.
    """
    for k in range(len(sentiments)):
        value = sentiments[k]
        first = sentiments.index(value)
        if first < but:
            sentiments[first] = value * 0.5
        elif first > but:
            sentiments[first] = value * 1.5
