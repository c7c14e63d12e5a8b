"""Sources (`/sources`): feeds and Yahoo tickers, run now, import a file, the run log, prices."""

import streamlit as st

from terminal.sources import SourceError, add_source, remove_source, set_enabled
from terminal.ui import actions, cache, market, render
from terminal.ui.entry import require_navigation
from terminal.ui.markdown import escape_md

require_navigation()

db = cache.url()
st.subheader("Sources", anchor=False)

table = cache.sources_table(db)
if table.empty:
    st.info("No sources yet. Add an RSS/Atom feed URL or `yahoo:NVDA,AAPL` below.")
else:
    edited = st.data_editor(
        table, hide_index=True, width="stretch", key="sources_table",
        disabled=[c for c in table.columns if c != "enabled"],
        column_config={"url": st.column_config.TextColumn("url"), "id": None},
    )  # fmt: skip
    changed = edited.loc[edited["enabled"] != table["enabled"]]
    if not changed.empty:
        with cache.writing() as s:
            for source_id, enabled in zip(changed["id"], changed["enabled"], strict=True):
                set_enabled(s, str(source_id), bool(enabled))
        cache.clear()
        st.rerun()

add, remove = st.columns([3, 2])
with add.form("add_source", clear_on_submit=True, border=False):
    target = st.text_input(
        "Add a feed or tickers", placeholder="https://example.com/feed.xml or yahoo:NVDA,AAPL"
    )
    name = st.text_input("Name (optional)")
    if st.form_submit_button("Add source", icon=":material/add:") and target.strip():
        try:
            with cache.writing() as s:
                add_source(s, target.strip(), name=name.strip() or None)
        except SourceError as exc:
            st.error(str(exc))
        else:
            cache.clear()
            st.rerun()
if not table.empty:
    with remove.form("remove_source", border=False):
        gone = st.selectbox("Remove a source (its stories stay)", table["name"], index=None)
        if st.form_submit_button("Remove", icon=":material/delete:") and gone:
            with cache.writing() as s:
                remove_source(s, str(table.loc[table["name"] == gone, "id"].iloc[0]))
            cache.clear()
            st.rerun()

st.markdown("##### Run ingestion now")
if st.button("Run enabled sources", icon=":material/play_arrow:", disabled=table.empty):
    bar = st.progress(0.0, text="starting")

    def step(done: int, total: int, label: str) -> None:
        bar.progress(done / max(total, 1), text=f"{done}/{total} · {label}")

    summaries = actions.run_enabled_sources(cache.engine(), step=step)
    cache.clear()
    st.dataframe([actions.summary_row(s) for s in summaries], hide_index=True, width="stretch")

st.markdown("##### Import a file")
upload = st.file_uploader(
    "JSON, JSONL, CSV, RSS/Atom or the text article layout",
    type=["json", "jsonl", "ndjson", "csv", "txt", "md", "xml", "rss", "atom"],
)
if upload is not None and st.button("Import", icon=":material/upload:"):
    summary = actions.import_upload(cache.engine(), upload.name, upload.getvalue())
    cache.clear()
    st.dataframe([actions.summary_row(summary)], hide_index=True, width="stretch")

st.markdown("##### Prices")
st.caption(
    "Fetches from Yahoo Finance the daily prices every stored story needs (once per range), "
    "then computes the missing price reactions."
)
if st.button("Refresh prices", icon=":material/refresh:"):
    bar = st.progress(0.0, text="fetching prices")
    refresh = market.price_refresher()
    message = refresh(cache.engine(), lambda share, text: bar.progress(share, text=text))
    bar.empty()
    cache.clear()
    st.info(escape_md(message), icon=":material/done:")
elif cache.prices_offline(db):
    render.offline_notice()

st.markdown("##### Run log")
runs = cache.runs_table(db)
if runs.empty:
    st.caption("No runs yet.")
else:
    st.dataframe(runs, hide_index=True, width="stretch", height=320)
