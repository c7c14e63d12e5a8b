"""The topic taxonomy: slugs, labels, keywords and market weights, loaded once from data."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path

_DATA = Path(__file__).with_name("data") / "taxonomy.json"
_SEPARATORS = re.compile(r"\s*(?:[,;|•]|\s·\s)\s*")
_NON_WORD = re.compile(r"[^a-z0-9]+")
_CACHED_LENGTH = 100  # resolve_topic() remembers values up to this long (labels, not prose)


@dataclass(frozen=True, slots=True)
class Topic:
    """One topic: a stable slug, the label people read, keywords, and how market-moving it is."""

    slug: str
    label: str
    keywords: tuple[str, ...]
    weight: float


@cache
def topics() -> tuple[Topic, ...]:
    """Every topic, in the taxonomy's order."""
    data = json.loads(_DATA.read_text(encoding="utf-8"))
    return tuple(
        Topic(
            slug=t["slug"],
            label=t["label"],
            keywords=tuple(t["keywords"]),
            weight=float(t["weight"]),
        )
        for t in data["topics"]
    )


@cache
def _by_slug() -> dict[str, Topic]:
    """The cached slug index behind by_slug()."""
    return {t.slug: t for t in topics()}


def by_slug() -> dict[str, Topic]:
    """Slug -> topic (a fresh dict; the topics themselves are immutable)."""
    return dict(_by_slug())


def _key(value: str) -> str:
    """A label or slug reduced for comparison: lower-case words, "&" read as "and"."""
    words = _NON_WORD.sub(" ", value.lower().replace("&", " and ")).split()
    return " ".join(w for w in words if w != "and")


@cache
def _keys() -> dict[str, str]:
    """Reduced label or slug -> slug."""
    keys: dict[str, str] = {}
    for topic in topics():
        keys[_key(topic.label)] = topic.slug
        keys[_key(topic.slug)] = topic.slug
    return keys


def resolve_topic(value: str) -> str | None:
    """The slug for a slug or a label ("M&A", "m and a", "Macro and Rates"), else None.

    Short values (labels, which repeat story after story) are remembered; longer ones,
    such as lines of text tried as a topic line, are not.
    """
    return _resolve_cached(value) if len(value) <= _CACHED_LENGTH else _resolve(value)


def _resolve(value: str) -> str | None:
    """resolve_topic() itself, uncached."""
    key = _key(value)
    return _keys().get(key) if key else None


@lru_cache(maxsize=4096)
def _resolve_cached(value: str) -> str | None:
    """resolve_topic() for short values, remembered (the taxonomy never changes in a run)."""
    return _resolve(value)


@cache
def _labels() -> tuple[tuple[str, str], ...]:
    """(lower-cased label form, slug), longest first, with "&" and "and" spellings."""
    forms: set[tuple[str, str]] = set()
    for topic in topics():
        label = topic.label.lower()
        forms.update({(label, topic.slug), (label.replace("&", "and"), topic.slug)})
    return tuple(sorted(forms, key=lambda form: -len(form[0])))


def _split_run(run: str) -> list[str] | None:
    """Labels written together with no separator, split into the fewest labels."""
    text = run.lower()
    n = len(text)
    best: list[list[str] | None] = [None] * (n + 1)
    best[n] = []
    for i in range(n - 1, -1, -1):
        if text[i].isspace():
            best[i] = best[i + 1]
            continue
        for label, slug in _labels():
            rest = best[i + len(label)] if text.startswith(label, i) else None
            current = best[i]
            if rest is not None and (current is None or len(rest) + 1 < len(current)):
                best[i] = [slug, *rest]
    return best[0]


def split_topic_line(line: str) -> list[str] | None:
    """Slugs from a line of topic labels (run together or separated), else None.

    None means some part of the line is not a known label, so the line is not a
    topic line but ordinary text.
    """
    parts = [p for p in _SEPARATORS.split(line.strip()) if p]
    if not parts:
        return None
    slugs: list[str] = []
    for part in parts:
        slug = resolve_topic(part)
        found = [slug] if slug else _split_run(part)
        if not found:
            return None
        slugs.extend(s for s in found if s not in slugs)
    return slugs
