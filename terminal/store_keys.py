"""The store's lookups by a list of keys, as an import batch makes them: which dedupe keys
are stored, which time keys are taken (and a free one for each new story), and the ids
of time keys."""

from __future__ import annotations

from functools import partial
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.models import Article
from terminal import bound, driver


def existing_keys(session: Session, keys: list[str]) -> set[str]:
    """Those of `keys` (dedupe keys) already stored."""
    found = lookup(session, "keys", bound.values(session, keys, "str"))
    return {key for (key,) in found}


def lookup(session: Session, what: str, keys: Any) -> list[tuple[Any, ...]]:
    """One of the store's three lookups by a list (bound as one value), on the driver's
    cursor (5,000 rows an import batch: SQLAlchemy's ORM rows took 5% of the writer's
    time): stored dedupe keys, taken time keys, and (id, time key) of time keys."""
    prepared = driver.prepare(("store lookup", what), partial(_statement, what=what),
                              session.get_bind().dialect)  # fmt: skip
    return driver.fetch(session, prepared, {"keys": keys})


def _statement(dialect: str, what: str) -> Any:
    if what == "keys":
        return select(Article.dedupe_key).where(
            bound.in_list(Article.dedupe_key, "keys", dialect, "str")
        )
    taken = bound.in_list(Article.pub_key, "keys", dialect)
    if what == "taken":
        return select(Article.pub_key).where(taken)
    return select(Article.id, Article.pub_key).where(taken)


def allocate_pub_keys(session: Session, wanted: list[int]) -> list[int]:
    """Make each time key unique, nudging colliding ones by a microsecond.

    Only the wanted keys are looked up (a batch may span years: a range query would
    read every key in between); a collision then reads the keys just after it.
    """
    taken = {key for (key,) in lookup(session, "taken", bound.values(session, wanted))}
    probed: set[int] = set()
    out: list[int] = []
    for key in wanted:
        while key in taken:
            key += 1
            if key not in probed:
                span = (key, key + len(wanted))
                taken.update(
                    session.scalars(select(Article.pub_key).where(Article.pub_key.between(*span)))
                )
                probed.update(range(span[0], span[1] + 1))
        taken.add(key)
        out.append(key)
    return out
