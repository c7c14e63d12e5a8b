"""Story tone, -1..1: VADER with its lexicon extended by the words markets use.

VADER itself (`analyzer()`) is the reference. `sentiment()` scores through a direct
reimplementation of VADER's rules (`_raw`) that gives the very same floats several times
faster: each word is lower-cased and stripped once, a word with nothing around it that
any rule reacts to just takes its lexicon valence, and the finance-phrase regex only runs
on texts holding every word of some phrase. Text with emoji goes through VADER itself.
"""

from __future__ import annotations

import json
import math
import re
import string
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from itertools import compress, filterfalse
from pathlib import Path

from vaderSentiment.vaderSentiment import (
    BOOSTER_DICT,
    C_INCR,
    N_SCALAR,
    NEGATE,
    SPECIAL_CASES,
    SentimentIntensityAnalyzer,
    SentiText,
)

from terminal.enrich.patterns import phrase_matcher

_DATA = Path(__file__).parent.parent / "data" / "finance_lexicon.json"
TITLE_WEIGHT = 2.0
LEDE_SENTENCES = 1
LEDE_CHARS = 240
_ALPHA = 15.0  # VADER's own normalisation constant
_SENTENCE_BREAK = re.compile(r"[.!?]\s+")  # a sentence ends at the mark, before the spaces
_PUNCT = string.punctuation  # what VADER strips from either end of a word
_NEGATIONS = frozenset(NEGATE)
_SO_THIS = ("so", "this")
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


@dataclass(frozen=True, slots=True)
class _Tables:
    """What the fast path looks words up in, built once from the analyzer."""

    lexicon: dict[str, float]  # the analyzer's own lexicon, finance terms included
    phrase_runs: dict[str, tuple[frozenset[str], ...]]  # first word run -> each phrase's runs
    any_phrase: bool  # a phrase the run test cannot vouch for: always run the regex
    context: frozenset[str]  # words that make a rule touch a neighbouring lexicon word
    idiom_words: frozenset[str]  # one word of every multiword idiom and booster
    emoji: frozenset[str]  # the characters VADER translates to words


@cache
def _tables() -> _Tables:
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
    return _Tables(
        lexicon=vader.lexicon,
        phrase_runs={k: tuple(v) for k, v in runs.items()},
        any_phrase=any_phrase,
        context=frozenset(BOOSTER_DICT) | _NEGATIONS | {"no", "this", "least"} | idiom_words,
        idiom_words=idiom_words,
        emoji=frozenset(k for k in vader.emojis if len(k) == 1),
    )


def _vader_words(tokens: list[str]) -> list[str]:
    """VADER's words for whitespace tokens: punctuation stripped from either end,
    unless that leaves two characters or fewer (an emoticon, say)."""
    if "".join(tokens).isalnum():
        return tokens  # only letters and digits: nothing to strip
    return [w if len(w := token.strip(_PUNCT)) > 2 else token for token in tokens]


def _may_hold_phrase(words: list[str], tables: _Tables) -> bool:
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


def _words_compound(text: str, lowered: str, words: list[str], tables: _Tables) -> float:
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
    compound = total / math.sqrt(total * total + _ALPHA)
    if compound < -1.0:
        compound = -1.0
    elif compound > 1.0:
        compound = 1.0
    return round(compound, 4)


def _cap_differential(tokens: list[str]) -> bool:
    """VADER's allcap_differential: some of the words, but not all, are ALL CAPS."""
    return 0 < sum(map(str.isupper, tokens)) < len(tokens)


def _valence(words: list[str], tokens: list[str], i: int, tables: _Tables, caps: bool) -> float:
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
    return word in _NEGATIONS or "n't" in word


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
    return _words_compound(text, lowered, words, tables)


def _reference_compound(text: str) -> float:
    """VADER's compound score for a text, finance phrases rewritten: the reference."""
    return float(analyzer().polarity_scores(_rewrite_phrases(text))["compound"])


def _unnormalise(compound: float) -> float:
    """The summed valence a VADER compound score came from (clipped just inside -1..1)."""
    compound = max(-0.9999, min(0.9999, compound))
    return compound * math.sqrt(_ALPHA / (1 - compound * compound))


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
    return round(total / math.sqrt(total * total + _ALPHA), 4)
