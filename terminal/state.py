"""The analyst's own state: saved views, read marks, bookmarks, notes and the watchlist.

Every function takes the session from the caller, who owns the transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from db.models import Bookmark, Note, ReadMark, SavedView, WatchItem
from terminal.text import one_line

MAX_NOTE_CHARS = 10_000


def _now() -> datetime:
    return datetime.now(UTC)


def save_view(*, session: Session, name: str, query: str) -> SavedView:
    """Keep a named feed query string; the same name replaces the old one."""
    label = one_line(name, max_len=200)
    if not label:
        raise ValueError("a saved view needs a name")
    view = session.scalar(select(SavedView).where(SavedView.name == label))
    if view is None:
        view = SavedView(name=label, query=query, created_at=_now())
        session.add(view)
    else:
        view.query = query
    session.flush()
    return view


def list_views(*, session: Session) -> list[SavedView]:
    return list(session.scalars(select(SavedView).order_by(SavedView.name)))


def delete_view(*, session: Session, name: str) -> bool:
    """Forget a saved view; False when there was none by that name."""
    view = session.scalar(select(SavedView).where(SavedView.name == name))
    if view is None:
        return False
    session.delete(view)
    session.flush()
    return True


def mark_read(*, session: Session, article_id: int) -> None:
    if session.get(ReadMark, article_id) is None:
        session.add(ReadMark(article_id=article_id, read_at=_now()))
        session.flush()


def mark_unread(*, session: Session, article_id: int) -> None:
    session.execute(delete(ReadMark).where(ReadMark.article_id == article_id))


def read_ids(*, session: Session, ids: Sequence[int]) -> set[int]:
    """Which of these stories the analyst has opened."""
    if not ids:
        return set()
    return set(session.scalars(select(ReadMark.article_id).where(ReadMark.article_id.in_(ids))))


def set_bookmark(*, session: Session, article_id: int, on: bool) -> None:
    if on and session.get(Bookmark, article_id) is None:
        session.add(Bookmark(article_id=article_id, created_at=_now()))
        session.flush()
    elif not on:
        session.execute(delete(Bookmark).where(Bookmark.article_id == article_id))


def is_bookmarked(*, session: Session, article_id: int) -> bool:
    return session.get(Bookmark, article_id) is not None


def bookmarked_ids(*, session: Session, limit: int = 500) -> list[int]:
    """Bookmarked stories, most recently kept first."""
    stmt = select(Bookmark.article_id).order_by(Bookmark.created_at.desc()).limit(limit)
    return list(session.scalars(stmt))


def add_note(*, session: Session, article_id: int, body: str) -> Note:
    text = body.strip()[:MAX_NOTE_CHARS]
    if not text:
        raise ValueError("an empty note is not kept")
    note = Note(article_id=article_id, body=text, created_at=_now())
    session.add(note)
    session.flush()
    return note


def notes_for(*, session: Session, article_id: int) -> list[Note]:
    stmt = select(Note).where(Note.article_id == article_id).order_by(Note.created_at, Note.id)
    return list(session.scalars(stmt))


def set_watched(*, session: Session, symbol: str, on: bool) -> None:
    key = symbol.strip().upper()
    if on and session.get(WatchItem, key) is None:
        session.add(WatchItem(symbol=key, added_at=_now()))
        session.flush()
    elif not on:
        session.execute(delete(WatchItem).where(WatchItem.symbol == key))


def watchlist(*, session: Session) -> list[str]:
    return list(session.scalars(select(WatchItem.symbol).order_by(WatchItem.symbol)))
