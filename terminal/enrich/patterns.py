"""One compiled regex for many phrases, so a text is scanned once rather than per phrase."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache

_END = ""
_Trie = dict[str, "_Trie"]
_WORD_CHAR = re.compile(r"\w")


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


def phrase_matcher(phrases: Iterable[str]) -> PhraseMatcher:
    """A matcher for the phrases (compared lower-cased, on word boundaries)."""
    cleaned = {p.lower().strip() for p in phrases if p.strip()}
    body = _pattern(_trie(cleaned)) if cleaned else r"(?!x)x"
    source = r"(?<!\w)(?:" + body + r")(?!\w)"
    if not (cleaned and all(_WORD_CHAR.match(p) for p in cleaned)):
        return PhraseMatcher(source, re.compile(source))
    scan = r"[^\w](" + body + r")(?!\w)"
    return PhraseMatcher(source, re.compile(scan), re.compile(scan, re.ASCII), spaced=True)
