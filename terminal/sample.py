"""The sample set in `data/sample/`: illustrative stories, flagged `is_sample`."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import Engine

from terminal.config import SAMPLE_DIR
from terminal.importers import read_path
from terminal.pipeline import RunSummary, store_result

FIRST_ARTICLE = SAMPLE_DIR / "first-article.txt"
FIRST_ARTICLE_PUBLISHED = datetime(2025, 9, 18, 14, 30, tzinfo=UTC)
STORIES = SAMPLE_DIR / "stories.jsonl"


def load_sample(engine: Engine) -> list[RunSummary]:
    """Store the sample stories (re-loading adds nothing)."""
    summaries = []
    for path, published in ((FIRST_ARTICLE, FIRST_ARTICLE_PUBLISHED), (STORIES, None)):
        parsed = read_path(path, published_at=published)
        summaries.append(store_result(engine, parsed, label=path.name, kind="file", is_sample=True))
    return summaries
