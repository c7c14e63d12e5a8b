"""Catalyst's dashboard: page set-up and navigation; each screen lives in pages/."""

import streamlit as st

st.set_page_config(page_title="Catalyst", page_icon="⚡", layout="wide")

pages = [
    st.Page("pages/feed.py", title="Feed", icon=":material/newspaper:", default=True),
    st.Page(
        "pages/article.py",
        title="Article",
        icon=":material/article:",
        url_path="article",
        visibility="hidden",
    ),
    st.Page(
        "pages/ticker.py", title="Ticker", icon=":material/candlestick_chart:", url_path="ticker"
    ),
    st.Page("pages/study.py", title="Event study", icon=":material/query_stats:", url_path="study"),
    st.Page("pages/sources.py", title="Sources", icon=":material/rss_feed:", url_path="sources"),
    st.Page("pages/add.py", title="Add story", icon=":material/post_add:", url_path="add"),
]
st.navigation(pages, position="top").run()
