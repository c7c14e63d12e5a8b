"""The app's page set-up and navigation, run from app.py and, when needed, from a page."""

from __future__ import annotations

from pathlib import Path

import streamlit as st
from streamlit.runtime.pages_manager import PagesManager

PAGES = Path(__file__).resolve().parents[2] / "pages"


def app_pages() -> list[st.Page]:
    """Every screen; the feed is the default page at `/`."""
    return [
        st.Page(PAGES / "feed.py", title="Feed", icon=":material/newspaper:", default=True),
        st.Page(
            PAGES / "article.py",
            title="Article",
            icon=":material/article:",
            url_path="article",
            visibility="hidden",
        ),  # fmt: skip
        st.Page(
            PAGES / "ticker.py",
            title="Ticker",
            icon=":material/candlestick_chart:",
            url_path="ticker",
        ),  # fmt: skip
        st.Page(
            PAGES / "study.py", title="Event study", icon=":material/query_stats:", url_path="study"
        ),
        st.Page(
            PAGES / "sources.py", title="Sources", icon=":material/rss_feed:", url_path="sources"
        ),
        st.Page(PAGES / "add.py", title="Add story", icon=":material/post_add:", url_path="add"),
    ]


def run_app() -> None:
    """Page config, then the navigation runs the page the URL names."""
    st.set_page_config(page_title="Catalyst", page_icon="⚡", layout="wide")
    st.navigation(app_pages(), position="top").run()


def require_navigation() -> None:
    """Run the app's navigation when Streamlit ran this page on its own.

    Until app.py has called `st.navigation` once, Streamlit treats a `pages/` folder as
    an old-style multipage app, so a first request for `/ticker?symbol=NVDA` would run
    pages/ticker.py bare: no top navigation, no wide layout. Run the real navigation
    in its place (it renders this same page, inside the app) and stop this bare run.
    """
    if PagesManager.uses_pages_directory:
        run_app()
        st.stop()
