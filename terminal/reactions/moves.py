"""Each story's realised move, kept beside its reactions (`story_moves`).

A story's move against a benchmark is the largest |day-0 abnormal return| among its
reactions to it. Whoever writes or deletes reactions calls `refresh` with the stories
touched; deleting a story takes its moves with it (a cascading key). The feed's sort
by move walks the table's (benchmark, move, pub_key) index.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import delete, func, insert, select
from sqlalchemy.orm import Session

from db.models import Article, Reaction, StoryMove

CHUNK = 2_000


def refresh(session: Session, article_ids: Iterable[int]) -> None:
    """Recompute the moves of these stories from their stored reactions."""
    ids = sorted({int(i) for i in article_ids})
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        session.execute(delete(StoryMove).where(StoryMove.article_id.in_(chunk)))
        moves = (
            select(
                Reaction.article_id,
                Reaction.benchmark,
                func.max(func.abs(Reaction.ar_0d)),
                Article.pub_key,
            )
            .join(Article, Article.id == Reaction.article_id)
            .where(Reaction.article_id.in_(chunk), Reaction.ar_0d.is_not(None))
            .group_by(Reaction.article_id, Reaction.benchmark, Article.pub_key)
        )
        columns = ["article_id", "benchmark", "move", "pub_key"]
        session.execute(insert(StoryMove).from_select(columns, moves))
