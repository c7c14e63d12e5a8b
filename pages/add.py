"""Add a story (`/add`): paste an article's text (or canonical JSON) and see it as a card."""

from datetime import UTC, datetime, time

import streamlit as st

from terminal.paste import import_pasted
from terminal.story_rows import load_rows
from terminal.ui import cache, render
from terminal.ui.cards import card_view
from terminal.ui.entry import require_navigation
from terminal.ui.markdown import escape_md

require_navigation()

st.subheader("Add a story", anchor=False)
st.caption(
    "Paste an article as copied from a news terminal (headline, `Market Impact: 0.5`, the ticker "
    "line such as `NVDATSLAINTC`, the topic line, summary, `Analysis`), or canonical JSON/JSONL/CSV. "
    "Stories already in the store are found, not added twice."
)
with st.form("paste", border=False):
    text = st.text_area("Article text", height=260, placeholder="Market Impact: 0.5\n\nHeadline…")
    known = st.checkbox("I know when it was published", value=False)
    day_col, time_col = st.columns(2)
    day = day_col.date_input("Published on (UTC)", value=None, format="YYYY-MM-DD")
    clock = time_col.time_input("at (UTC)", value=time(12, 0), step=300)
    submitted = st.form_submit_button("Add story", icon=":material/add:", type="primary")

if submitted:
    published = datetime.combine(day, clock, tzinfo=UTC) if known and day else None
    if known and day is None:
        st.warning("Pick the publication date, or untick the box to use the import time.")
    elif not text.strip():
        st.warning("Paste an article's text first.")
    else:
        with st.spinner("Reading and tagging…"):
            result = import_pasted(cache.engine(), text, published_at=published)
        cache.clear()
        if result.error:
            st.error(escape_md(result.error))
        for rejected in result.rejected:
            st.error(f"{escape_md(rejected.location)}: {escape_md(rejected.reason)}")
        for warning in result.warnings:
            st.caption(escape_md(warning))
        if result.added:
            st.success(
                f"Added {len(result.added)} {'story' if len(result.added) == 1 else 'stories'}."
            )
        if result.existing:
            st.info("Already in the store: " + ", ".join(f"#{i}" for i in result.existing))
        if published is None and result.added:
            st.caption(
                "No publication time given: the import time is used and marked estimated; "
                "price reactions for it are approximate."
            )
        with cache.session() as session:
            rows = load_rows(session, result.article_ids)
        moves = cache.moves(cache.url(), rows)
        for row in rows:
            known_moves = moves.get(row.id)
            render.card(
                card_view(
                    row,
                    moves=known_moves.values if known_moves else None,
                    synthetic=bool(known_moves and known_moves.synthetic),
                )
            )
