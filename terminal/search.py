"""Full-text search behind one API: FTS5 on SQLite, tsvector on PostgreSQL.

Whatever a user types becomes a list of plain terms (words, "quoted phrases", prefix*,
-excluded),
rebuilt into the engine's own syntax from letters and digits only, so quotes, operators,
brackets and unicode can never raise or inject anything.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import ColumnElement, Integer, column, func, literal_column, select, table
from sqlalchemy.sql import Select

_PIECE = re.compile(r'(-?)"([^"]*)"?|(\S+)')
_WORD = re.compile(r"[^\W_]+", re.UNICODE)
MAX_TERMS = 12


@dataclass(frozen=True, slots=True)
class Term:
    words: tuple[str, ...]
    prefix: bool = False
    negate: bool = False


def parse_query(text: str | None) -> list[Term]:
    """The terms of a search box's text: every term must match, every -term must not.

    Exclusions alone search nothing (an empty list), as there is nothing to exclude from.
    """
    terms: list[Term] = []
    for minus, phrase, bare in _PIECE.findall(text or ""):
        piece = phrase if phrase else bare
        words = tuple(w.lower() for w in _WORD.findall(piece))
        if not words:
            continue
        if not phrase and len(words) == 1 and words[0].upper() in ("AND", "OR", "NOT", "NEAR"):
            continue
        prefix = bool(bare) and bare.endswith("*") and len(words) == 1
        negate = bool(minus) or (bare.startswith("-") and len(bare) > 1)
        terms.append(Term(words=words, prefix=prefix, negate=negate))
    terms = terms[:MAX_TERMS]
    return terms if any(not t.negate for t in terms) else []


def fts5_query(terms: list[Term]) -> str:
    """An FTS5 MATCH string: terms quoted, prefixes starred, AND between, NOT before exclusions."""

    def quoted(t: Term) -> str:
        return '"' + " ".join(t.words) + '"' + ("*" if t.prefix else "")

    query = " AND ".join(quoted(t) for t in terms if not t.negate)
    return "".join([query, *(" NOT " + quoted(t) for t in terms if t.negate)])


def tsquery(terms: list[Term]) -> str:
    """A to_tsquery string: phrases as <->, prefixes as :*, joined by &."""
    parts = []
    for t in terms:
        words = [f"'{w}'" for w in t.words]
        if t.prefix:
            words[-1] += ":*"
        parts.append(("!" if t.negate else "") + "(" + " <-> ".join(words) + ")")
    return " & ".join(parts)


FTS = table("articles_fts", column("rowid", Integer))


def sqlite_matching(terms: list[Term]) -> Select[tuple[int]]:
    """SELECT rowid FROM articles_fts WHERE articles_fts MATCH :q."""
    return select(FTS.c.rowid).where(literal_column("articles_fts").op("MATCH")(fts5_query(terms)))


def postgres_condition(terms: list[Term]) -> ColumnElement[bool]:
    """articles.search_vector @@ to_tsquery('english', :q)."""
    return literal_column("articles.search_vector").op("@@")(
        func.to_tsquery("english", tsquery(terms))
    )
