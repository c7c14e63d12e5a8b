"""The feed (`/`): news cards, newest or most impactful first, every filter in the URL."""

import streamlit as st

from terminal import state
from terminal.ui import cache, feedstate, render
from terminal.ui.cards import card_view, topic_label
from terminal.ui.entry import require_navigation
from terminal.ui.params import SORT_LABELS, SORTS, parse_query_string, query_string

require_navigation()

db = cache.url()
summary = cache.store_summary(db)

# The URL decides the widgets when it changed outside them (first load, back button, a link).
url_params = feedstate.normalise({k: st.query_params.get_all(k) for k in st.query_params})
if st.session_state.get("_feed_url") != url_params or "f_q" not in st.session_state:
    st.session_state.update(feedstate.widget_state(url_params))
    st.session_state["_feed_page"] = feedstate.page_of(url_params)
    st.session_state["_feed_url"] = url_params

flt = feedstate.filter_from_widgets(st.session_state)
if st.session_state.get("_feed_filter", flt) != flt:
    st.session_state["_feed_page"] = 1
st.session_state["_feed_filter"] = flt
facets = cache.facets(db, flt)


def counted(pairs: list[tuple[str, int]], chosen: list[str]) -> tuple[list[str], dict[str, int]]:
    counts = dict(pairs)
    return list(dict.fromkeys([*chosen, *counts])), counts


def apply_view(query: str) -> None:
    st.session_state.update(feedstate.widget_state(parse_query_string(query)))


def clear_filters() -> None:
    st.session_state.update(feedstate.widget_state({}))


def go_to(page: int) -> None:
    st.session_state["_feed_page"] = page


with st.sidebar:
    st.subheader("Filters")
    options, counts = counted(facets.counts["tickers"], st.session_state["f_ticker"])
    st.multiselect(
        "Tickers", options, key="f_ticker", accept_new_options=True, placeholder="Type a ticker",
        format_func=lambda s: f"{s} · {counts[s]:,}" if s in counts else s,
    )  # fmt: skip
    options, topic_counts = counted(facets.counts["topics"], st.session_state["f_topic"])
    st.pills(
        "Topics", options, selection_mode="multi", key="f_topic",
        format_func=lambda s: f"{topic_label(s)} {topic_counts.get(s, 0):,}",
    )  # fmt: skip
    options, source_counts = counted(facets.counts["sources"], st.session_state["f_source"])
    st.multiselect(
        "Sources", options, key="f_source", placeholder="Any source",
        format_func=lambda s: f"{s} · {source_counts.get(s, 0):,}",
    )  # fmt: skip
    if facets.window:
        st.caption(f"counts from the latest {facets.window:,} matching stories")
    st.slider("Impact", 0.0, 1.0, step=0.05, key="f_impact", help="the source's score, else ours")
    st.segmented_control("Sentiment", ["negative", "neutral", "positive"], key="f_sentiment")
    since, until = st.columns(2)
    since.date_input("From", key="f_since", format="YYYY-MM-DD")
    until.date_input("To", key="f_until", format="YYYY-MM-DD")
    st.segmented_control(
        "Sample stories", list(feedstate.SAMPLE_CHOICES), key="f_sample", required=True
    )
    st.toggle(
        "Every source of a story", key="f_all_sources", help="off: one card per story cluster"
    )
    st.button("Clear filters", on_click=clear_filters, icon=":material/filter_alt_off:")

if summary.total == 0:
    render.empty_store()
    st.stop()
if summary.only_sample:
    render.sample_notice()

top = st.container(horizontal=True, vertical_alignment="bottom")
top.text_input("Search", key="f_q", placeholder='words, "a phrase", -exclude', width=420)
top.segmented_control(
    "Sort", list(SORTS), key="f_sort", required=True, format_func=SORT_LABELS.get,
    help="realised move: the largest day-0 abnormal move first; stories without one last",
)  # fmt: skip
total = cache.feed_count(db, flt)
paging = feedstate.paging(total, st.session_state["_feed_page"], cache.PAGE_SIZE)
page = paging.page
top.caption(f"{total} stories · {paging}", width="content")

with st.expander("Saved views and export", icon=":material/bookmarks:"):
    here = feedstate.url_for(st.session_state, 1)
    with cache.session() as s:
        views = state.list_views(session=s)
    row = st.container(horizontal=True, vertical_alignment="bottom")
    if views:
        chosen = row.selectbox("Saved view", views, format_func=lambda v: v.name, index=None)
        if chosen is not None:
            row.button("Apply", on_click=apply_view, args=(chosen.query,))
    name = row.text_input("Name this view", max_chars=80, width=220)
    if row.button("Save view", disabled=not name.strip()):
        with cache.writing() as s:
            state.save_view(session=s, name=name, query=query_string(here))
        st.toast(f"Saved view {name.strip()!r}")
    row.download_button(
        "Export CSV", cache.export(flt, "csv"), "stories.csv", "text/csv", on_click="ignore"
    )
    row.download_button(
        "Export JSONL",
        cache.export(flt, "jsonl"),
        "stories.jsonl",
        "application/x-ndjson",
        on_click="ignore",
    )

rows = cache.feed_page(db, flt, st.session_state["f_sort"], page)
if not rows and page > 1:
    st.info("No older stories: this is past the last page.")
elif not rows:
    st.info(
        "No stories match these filters. Widen the dates or impact range, or clear the filters."
    )
moves = cache.moves(db, rows)
with cache.session() as s:
    read = state.read_ids(session=s, ids=[r.id for r in rows])
for row_ in rows:
    known = moves.get(row_.id)
    render.card(
        card_view(
            row_,
            read=row_.id in read,
            moves=known.values if known else None,
            synthetic=bool(known and known.synthetic),
        )  # fmt: skip
    )

older = paging.has_older(len(rows), cache.PAGE_SIZE)
if page > 1 or older:
    nav = st.container(horizontal=True, horizontal_alignment="center", vertical_alignment="center")
    nav.button("‹ Newer", on_click=go_to, args=(page - 1,), disabled=page <= 1)
    nav.caption(str(paging), width="content")
    nav.button("Older ›", on_click=go_to, args=(page + 1,), disabled=not older)

wanted = feedstate.normalise(feedstate.url_for(st.session_state, page))
if wanted != url_params:
    st.query_params.from_dict(wanted)
    st.session_state["_feed_url"] = wanted
