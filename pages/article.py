"""One story (`/article?id=N`): text and analysis, price reaction, related stories, notes."""

import streamlit as st

from terminal import state
from terminal.ui import cache, render
from terminal.ui.cards import card_view, exact_time
from terminal.ui.entry import require_navigation
from terminal.ui.markdown import escape_md, escape_paragraphs

require_navigation()

db = cache.url()
raw_id = st.query_params.get("id", "")
detail = cache.article(db, int(raw_id)) if raw_id.isdigit() else None
if detail is None:
    st.warning(f"No story with id {escape_md(raw_id) or '(none)'}. Pick one from the feed.")
    st.page_link(render.FEED_PAGE, label="Back to the feed", icon=":material/arrow_back:")
    st.stop()

row = detail.row
known = cache.moves(db, [row]).get(row.id)
view = card_view(
    row, moves=known.values if known else None, synthetic=bool(known and known.synthetic)
)
with cache.writing() as s:
    state.mark_read(session=s, article_id=row.id)
    bookmarked = state.is_bookmarked(session=s, article_id=row.id)


def set_bookmark(on: bool) -> None:
    with cache.writing() as s:
        state.set_bookmark(session=s, article_id=row.id, on=on)


def mark_unread() -> None:
    with cache.writing() as s:
        state.mark_unread(session=s, article_id=row.id)
    st.switch_page(render.FEED_PAGE)


st.page_link(render.FEED_PAGE, label="Feed", icon=":material/arrow_back:")
st.subheader(view.title_md, anchor=False)
with st.container(horizontal=True, gap="small", vertical_alignment="center"):
    render.badges(view.badges)
    when = exact_time(row.published_at, estimated=row.published_estimated)
    st.caption(f"{view.publisher_md} · {when} · {view.relative}", width="content")
with st.container(horizontal=True, gap="small", vertical_alignment="center"):
    if detail.url:
        st.link_button("Open original ↗", detail.url, icon=":material/open_in_new:")
    st.button(
        "Bookmarked" if bookmarked else "Bookmark", on_click=set_bookmark, args=(not bookmarked,),
        icon=":material/bookmark_added:" if bookmarked else ":material/bookmark_add:",
    )  # fmt: skip
    st.button("Mark unread", on_click=mark_unread, icon=":material/mark_email_unread:")
    render.ticker_links(view.tickers)
    for topic in view.topics:
        st.badge(topic, color="gray")
if row.published_estimated:
    st.caption(
        "The source gave no publication time; it was estimated from when the story was read."
    )

text, chart = st.columns([5, 6], gap="medium")
with text:
    for paragraph in escape_paragraphs(row.summary):
        st.markdown(f"**{paragraph}**")
    for paragraph in escape_paragraphs(detail.body):
        st.markdown(paragraph)
    if detail.analysis.strip():
        st.markdown("##### Analysis")
        for paragraph in escape_paragraphs(detail.analysis):
            st.markdown(paragraph)
    meta = [f"id {row.id}", f"ingested {exact_time(detail.ingested_at)}"]
    if detail.source_name:
        meta.append(f"source {escape_md(detail.source_name)}")
    if detail.language:
        meta.append(f"language {escape_md(detail.language)}")
    st.caption(" · ".join(meta))

with chart:
    reaction = cache.reaction(db, row) if row.tickers else None
    if not row.tickers:
        st.info("No tickers on this story, so there is no price reaction to show.")
    else:
        if reaction is None:
            st.info(
                "No price data yet for " + ", ".join(escape_md(t) for t in row.tickers)
                + ". Refresh prices on **Sources** (or `python -m terminal prices refresh`).",
                icon=":material/signal_disconnected:",
            )  # fmt: skip
        else:
            st.plotly_chart(reaction.figure, width="stretch", config={"displaylogo": False})
            if reaction.synthetic:
                st.caption("SYNTHETIC PRICES: illustrative only, generated for the sample set.")
        if (reaction is None or reaction.synthetic) and cache.prices_offline(db):
            render.offline_notice()

if reaction is not None and not reaction.table.empty:
    st.markdown("##### Reaction (%, abnormal = beyond the market model)")
    st.dataframe(reaction.table, hide_index=True, width="stretch")

related = cache.related(db, row.id)
st.markdown("##### Related stories")
if not related:
    st.caption("No other story on these tickers within three days, and no other source.")
for other in related:
    render.card(card_view(other), compact=True)

st.markdown("##### Notes")
with cache.session() as s:
    notes = state.notes_for(session=s, article_id=row.id)
for note in notes:
    with st.container(border=True):
        st.caption(exact_time(note.created_at))
        for paragraph in escape_paragraphs(note.body):
            st.markdown(paragraph)
with st.form("note", clear_on_submit=True, border=False):
    body = st.text_area("Add a note", height=80, max_chars=10_000)
    if st.form_submit_button("Save note") and body.strip():
        with cache.writing() as s:
            state.add_note(session=s, article_id=row.id, body=body)
        st.rerun()
