"""Managing the sources table: feeds and Yahoo ticker lists that `ingest --all` reads."""

from __future__ import annotations

from datetime import UTC, datetime
from urllib.parse import urlsplit

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from db.models import Source
from terminal.ingestion import kind_of, source_url, yahoo_symbols
from terminal.text import one_line, safe_url


class SourceError(ValueError):
    """A source that cannot be added or found; the message says why."""


def add_source(session: Session, target: str, *, name: str | None = None) -> Source:
    """Add a feed URL or `yahoo:SYM,...` as a source (enabled)."""
    kind = kind_of(target)
    if kind == "file":
        raise SourceError(f"{target!r} is neither an http(s) feed URL nor yahoo:TICKERS")
    if kind == "rss" and safe_url(target) is None:
        raise SourceError(f"{target!r} is not a valid http(s) URL")
    if kind == "yahoo" and not yahoo_symbols(target):
        raise SourceError("no ticker symbols after 'yahoo:'")
    url = source_url(target)
    if session.scalar(select(Source).where(Source.url == url)):
        raise SourceError(f"{url} is already a source")
    label = one_line(name, max_len=200) if name else _default_name(url, kind)
    if session.scalar(select(Source).where(Source.name == label)):
        raise SourceError(f"a source is already named {label!r}")
    source = Source(
        name=label, kind=kind, url=url, enabled=True, articles_added=0,
        created_at=datetime.now(UTC),
    )  # fmt: skip
    session.add(source)
    session.flush()
    return source


def _default_name(url: str, kind: str) -> str:
    if kind == "yahoo":
        return "Yahoo Finance: " + ", ".join(yahoo_symbols(url))
    parts = urlsplit(url)
    return (parts.hostname or url) + (parts.path if parts.path not in ("", "/") else "")


def list_sources(session: Session) -> list[Source]:
    return list(session.scalars(select(Source).order_by(Source.name)))


def find_source(session: Session, ref: str) -> Source:
    """A source by id, name or URL."""
    stmt = select(Source).where((Source.name == ref) | (Source.url == ref))
    if ref.isdigit():
        stmt = select(Source).where(Source.id == int(ref))
    source = session.scalar(stmt)
    if source is None:
        raise SourceError(f"no source {ref!r} (see `terminal sources list`)")
    return source


def set_enabled(session: Session, ref: str, enabled: bool) -> Source:
    source = find_source(session, ref)
    source.enabled = enabled
    return source


def remove_source(session: Session, ref: str) -> Source:
    """Remove a source; its stories stay in the store."""
    source = find_source(session, ref)
    session.execute(delete(Source).where(Source.id == source.id))
    return source


def enabled_targets(session: Session) -> list[str]:
    return [
        s.url
        for s in session.scalars(select(Source).where(Source.enabled.is_(True)).order_by(Source.id))
        if s.url
    ]
