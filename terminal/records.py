"""The canonical story record: what every importer and fetcher produces and the store takes."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

MAX_TITLE = 1_000  # characters; longer titles are cut, with a warning
MAX_TEXT = 200_000  # characters per summary, body or analysis


@dataclass(slots=True)
class ArticleRecord:
    """One story, normalised: UTC times, plain text, http(s) links only.

    `impact` is the source's own score (0..1) and stays apart from `impact_model`,
    which Catalyst computes. `tickers` and `topics` hold symbols and topic slugs.
    `ticker_relevance` maps a symbol to 0..1 (missing symbols count as 1.0).
    `title_words` is the title's cluster fingerprint (sorted content words),
    `title_sig` those words' signature and `identity` the story's (dedupe key, canonical
    URL), all filled by the pipeline's tagging; None means not computed yet.
    """

    title: str
    published_at: datetime
    url: str | None = None
    guid: str | None = None
    summary: str = ""
    body: str = ""
    analysis: str = ""
    publisher: str = ""
    language: str | None = None
    tickers: list[str] = field(default_factory=list)
    topics: list[str] = field(default_factory=list)
    ticker_relevance: dict[str, float] = field(default_factory=dict)
    impact: float | None = None
    impact_model: float | None = None
    sentiment: float | None = None
    published_estimated: bool = False
    is_sample: bool = False
    extra: dict[str, Any] = field(default_factory=dict)
    title_words: str | None = None
    title_sig: tuple[int, int] | None = None
    identity: tuple[str, str | None] | None = None

    def __post_init__(self) -> None:
        if self.published_at.tzinfo is None:
            self.published_at = self.published_at.replace(tzinfo=UTC)
        else:
            self.published_at = self.published_at.astimezone(UTC)


@dataclass(slots=True)
class Rejected:
    """A record that could not be read: where it was and why."""

    location: str
    reason: str


@dataclass(slots=True)
class Pending:
    """Items of a structured file not read into records yet, as (location, object) pairs,
    with what reading them needs; a large import reads them in its tagging workers."""

    items: list[tuple[str, Any]]
    now: datetime
    default_published: datetime | None = None


@dataclass(slots=True)
class ParseResult:
    """What a reader got out of one input: good records, rejected ones, warnings, and
    (when the caller asked to defer them) items still to read."""

    records: list[ArticleRecord] = field(default_factory=list)
    rejected: list[Rejected] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    pending: Pending | None = None

    @property
    def size(self) -> int:
        """Stories found, good, rejected or still to read."""
        pending = len(self.pending.items) if self.pending else 0
        return len(self.records) + len(self.rejected) + pending
