"""Pasting our first article's text gives a story with its score, tickers and topics."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy.orm import Session

from terminal.paste import import_pasted
from terminal.story_rows import load_rows
from tests.conftest import FIRST_ARTICLE

WHEN = datetime(2025, 9, 18, 14, 30, tzinfo=UTC)


def test_pasting_the_first_article_stores_it_once(engine):
    text = FIRST_ARTICLE.read_text(encoding="utf-8")
    first = import_pasted(engine, text, published_at=WHEN)
    assert first.error is None and len(first.added) == 1 and first.existing == []
    with Session(engine) as s:
        [row] = load_rows(s, first.added)
    assert row.impact == 0.5
    assert row.tickers == ["NVDA", "TSLA", "INTC"]
    assert len(row.topics) == 6
    assert row.published_at == WHEN and not row.published_estimated
    again = import_pasted(engine, text, published_at=WHEN)
    assert again.added == [] and again.existing == first.added


def test_pasted_json_and_rubbish_get_clear_answers(engine):
    ok = import_pasted(engine, '{"title": "Apple beats", "published_at": "2025-01-30T21:00:00Z"}')
    assert len(ok.added) == 1
    assert import_pasted(engine, "   ").error == "pasted is empty"
    bad = import_pasted(engine, '[{"title": ""}, {"title": "Fine", "published_at": "soon"}]')
    assert bad.added == [] and len(bad.rejected) == 2
