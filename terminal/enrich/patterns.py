"""Many phrases found in a text at once, rather than one scan per phrase.

phrase_matcher() compiles them into one regex; indexed_matcher() files them under their
words instead, which finds the same matches and is built in milliseconds rather than the
tenth of a second Python's regex compiler takes over thousands of phrases.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Iterator, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Generic, TypeVar

_END = ""
_Trie = dict[str, "_Trie"]
_WORD_CHAR = re.compile(r"\w")
_WORD_RUN = re.compile(r"\w+")
# Every ASCII byte that is not a word character (\w), to a space: ASCII text's words
# are then one bytes.split() away, much cheaper than a regex findall.
_ASCII_WORDS = bytes(c if c < 128 and _WORD_CHAR.match(chr(c)) else 32 for c in range(256))
_Occurrence = tuple[int, int, str]
_W = TypeVar("_W", str, bytes)


def _trie(phrases: Iterable[str]) -> _Trie:
    """A character trie of the phrases; the empty key marks where a phrase ends."""
    root: _Trie = {}
    for phrase in phrases:
        node = root
        for ch in phrase:
            node = node.setdefault(ch, {})
        node[_END] = {}
    return root


def _pattern(node: _Trie) -> str:
    """The regex for a trie node: shared prefixes once, longer matches tried first."""
    branches = [re.escape(ch) + _pattern(child) for ch, child in sorted(node.items()) if ch]
    if not branches:
        return ""
    body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
    if _END in node:
        return f"(?:{body})?"
    return body


@lru_cache(maxsize=32)
def _ignore_case(source: str) -> re.Pattern[str]:
    """A matcher's regex with re.IGNORECASE, compiled when first needed (rarely)."""
    return re.compile(source, re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class PhraseMatcher:
    """Finds any of many phrases as whole words, case-insensitively, longest first.

    `source` is the plain regex, the phrases between `(?<!\\w)` and `(?!\\w)`; `scan` finds
    them in lower-cased text. When every phrase starts with a word character
    (`spaced`), scan's leading `(?<!\\w)` is written as one consumed non-word character
    instead, which the regex engine can skip ahead to, with the phrase in group 1, and
    it runs on the text with a space in front: the same matches, faster (a match never
    begins where the previous one ended, as a phrase's first character is a word
    character and its last is followed by none). `ascii_scan` is scan with ASCII `\\w`,
    for ASCII text, where the two agree and ASCII's test is cheaper.
    """

    source: str
    scan: re.Pattern[str]
    ascii_scan: re.Pattern[str] | None = None
    spaced: bool = False

    @property
    def any_case(self) -> re.Pattern[str]:
        """The plain regex with re.IGNORECASE (for text that changes length when lowered)."""
        return _ignore_case(self.source)

    def finditer(self, text: str) -> Iterator[tuple[str, int, int]]:
        """(phrase as lower case, start, end) for each match in the text."""
        yield from self.spans(text)

    def spans(self, text: str) -> list[tuple[str, int, int]]:
        """(phrase as lower case, start, end) for each match in the text, in order."""
        lowered = text.lower()
        # Matching literal lower-case text is ~2.5x faster than re.IGNORECASE; a few
        # characters change length when lowered ("İ"), and then offsets would drift.
        if len(lowered) != len(text):
            return [(m[0].lower(), m.start(), m.end()) for m in self.any_case.finditer(text)]
        scan = self._scan(lowered)
        if not self.spaced:
            return [(m[0], m.start(), m.end()) for m in scan.finditer(lowered)]
        spaced = " " + lowered
        # Most texts name no phrase at all (company names): one search says so, cheaper
        # than a finditer; the rest are scanned again from the first match.
        first = scan.search(spaced)
        if first is None:
            return []
        # Offsets in the spaced text are one more than in the text.
        return [(m[1], m.start(1) - 1, m.end() - 1) for m in scan.finditer(spaced, first.start())]

    def findall(self, text: str) -> list[str]:
        """The phrases found in the text (lower case), in order: spans() without offsets."""
        lowered = text.lower()
        if len(lowered) != len(text):
            return [m[0].lower() for m in self.any_case.finditer(text)]
        return self._scan(lowered).findall(" " + lowered if self.spaced else lowered)

    def _scan(self, lowered: str) -> re.Pattern[str]:
        """The scan regex for this lowered text: its ASCII form for ASCII text."""
        if self.ascii_scan is not None and lowered.isascii():
            return self.ascii_scan
        return self.scan


def _cleaned(phrases: Iterable[str]) -> set[str]:
    """The phrases as matched: lower case, stripped, blank ones dropped."""
    return {p.lower().strip() for p in phrases if p.strip()}


def _body(cleaned: Collection[str]) -> str:
    """The regex alternation of the (cleaned) phrases, longer ones first."""
    return _pattern(_trie(cleaned)) if cleaned else r"(?!x)x"


def _whole_words(body: str) -> str:
    """The plain regex for an alternation's phrases as whole words."""
    return r"(?<!\w)(?:" + body + r")(?!\w)"


def phrase_matcher(phrases: Iterable[str]) -> PhraseMatcher:
    """A matcher for the phrases (compared lower-cased, on word boundaries)."""
    cleaned = _cleaned(phrases)
    body = _body(cleaned)
    source = _whole_words(body)
    if not (cleaned and all(_WORD_CHAR.match(p) for p in cleaned)):
        return PhraseMatcher(source, re.compile(source))
    scan = r"[^\w](" + body + r")(?!\w)"
    return PhraseMatcher(source, re.compile(scan), re.compile(scan, re.ASCII), spaced=True)


# -- a matcher built without a regex: phrases looked up by one of their words --------------


def _key_word(words: list[str], spread: Mapping[str, int]) -> str:
    """The word a phrase is filed under: the one fewest phrases hold, the first of those.

    A company's name mostly starts with its most telling word ("t. rowe price" is filed
    under "rowe", not "price"; "sunstone hotel investors" under "sunstone").
    """
    return min(words, key=spread.__getitem__)


class _WordIndex(Generic[_W]):
    """Phrases filed under one of their words each.

    A whole-word match of a phrase holds each of the phrase's words as a whole word of
    the text, so a text can only name a phrase whose key word is one of its words. The
    words are str, or bytes for ASCII text (split from it without a regex).
    """

    __slots__ = ("_keys", "_leads")

    def __init__(self, keys: Mapping[str, _W]) -> None:
        leads: dict[_W, list[str]] = {}
        for phrase, key in keys.items():
            leads.setdefault(key, []).append(phrase)
        self._leads: dict[_W, tuple[str, ...]] = {k: tuple(v) for k, v in leads.items()}
        self._keys: frozenset[_W] = frozenset(self._leads)

    def candidates(self, words: list[_W], lowered: str) -> list[str]:
        """The phrases filed under the text's words that occur in the (lowered) text."""
        found = self._keys.intersection(words)
        if not found:
            return []
        return [phrase for key in found for phrase in self._leads[key] if phrase in lowered]


def _word_indexes(phrases: Collection[str]) -> tuple[_WordIndex[str], _WordIndex[bytes]]:
    """The phrases filed by a word: all of them as str, the ASCII ones as bytes."""
    words = {phrase: _WORD_RUN.findall(phrase) for phrase in phrases}
    spread: dict[str, int] = {}
    for found in words.values():
        for word in set(found):
            spread[word] = spread.get(word, 0) + 1
    keys = {phrase: _key_word(found, spread) for phrase, found in words.items()}
    ascii_keys = {phrase: key.encode() for phrase, key in keys.items() if phrase.isascii()}
    return _WordIndex(keys), _WordIndex(ascii_keys)


class IndexedMatcher:
    """PhraseMatcher's matches found without one giant regex, so it is built in milliseconds.

    Every phrase must hold a word character. The text's words pick the few phrases it
    can name (`_WordIndex`), str.find locates them, and the leftmost, then longest,
    whole-word occurrences are kept without overlap: exactly what the regex
    `(?<!\\w)(?:phrase|...)(?!\\w)` finds in the lowered text, as its trie alternation tries
    longer phrases first. Text that changes length when lowered ("İ") goes to that regex
    with re.IGNORECASE, built only when such a text turns up.
    """

    __slots__ = ("_ascii", "_phrases", "_source", "_unicode")

    def __init__(self, phrases: Collection[str]) -> None:
        self._phrases = frozenset(phrases)
        self._unicode, self._ascii = _word_indexes(self._phrases)
        self._source: str | None = None

    @property
    def source(self) -> str:
        """The equivalent regex: the phrases between `(?<!\\w)` and `(?!\\w)`."""
        if self._source is None:
            self._source = _whole_words(_body(self._phrases))
        return self._source

    @property
    def any_case(self) -> re.Pattern[str]:
        """The equivalent regex with re.IGNORECASE (for text that changes length when lowered)."""
        return _ignore_case(self.source)

    def finditer(self, text: str) -> Iterator[tuple[str, int, int]]:
        """(phrase as lower case, start, end) for each match in the text."""
        yield from self.spans(text)

    def findall(self, text: str) -> list[str]:
        """The phrases found in the text (lower case), in order: spans() without offsets."""
        return [phrase for phrase, _, _ in self.spans(text)]

    def spans(self, text: str) -> list[tuple[str, int, int]]:
        """(phrase as lower case, start, end) for each match in the text, in order."""
        lowered = text.lower()
        if len(lowered) != len(text):
            return [(m[0].lower(), m.start(), m.end()) for m in self.any_case.finditer(text)]
        if lowered.isascii():
            # Most texts name none of the phrases: the words say so without a regex.
            words = lowered.encode("ascii").translate(_ASCII_WORDS).split()
            candidates = self._ascii.candidates(words, lowered)
        else:
            candidates = self._unicode.candidates(_WORD_RUN.findall(lowered), lowered)
        return _without_overlaps(_occurrences(lowered, candidates)) if candidates else []


def _occurrences(lowered: str, phrases: Iterable[str]) -> list[_Occurrence]:
    """(start, -length, phrase) of every whole-word occurrence of the phrases, sorted."""
    found: list[_Occurrence] = []
    size = len(lowered)
    for phrase in phrases:
        start = lowered.find(phrase)
        while start >= 0:
            end = start + len(phrase)
            if (start == 0 or not _WORD_CHAR.match(lowered, start - 1)) and (
                end == size or not _WORD_CHAR.match(lowered, end)
            ):
                found.append((start, -len(phrase), phrase))
            start = lowered.find(phrase, start + 1)
    found.sort()
    return found


def _without_overlaps(found: list[_Occurrence]) -> list[tuple[str, int, int]]:
    """The leftmost occurrence, the longest there, then the next one after it, and so on."""
    kept: list[tuple[str, int, int]] = []
    done = 0
    for start, minus_length, phrase in found:
        if start >= done:
            done = start - minus_length
            kept.append((phrase, start, done))
    return kept


def indexed_matcher(phrases: Iterable[str]) -> IndexedMatcher | PhraseMatcher:
    """A matcher for the phrases like phrase_matcher()'s, built without compiling a regex.

    Phrases without a single word character cannot be filed under a word; a list with
    any such phrase gets phrase_matcher()'s regex instead.
    """
    cleaned = _cleaned(phrases)
    if all(_WORD_RUN.search(phrase) for phrase in cleaned):
        return IndexedMatcher(cleaned)
    return phrase_matcher(cleaned)
