"""Small Streamlit building blocks the pages share: the news card and empty states.

Only escaped text reaches markdown here; nothing uses unsafe_allow_html.
"""

from __future__ import annotations

from collections.abc import Iterable

import streamlit as st

from terminal.ui.cards import Badge, CardView, TickerChip
from terminal.ui.markdown import escape_md

ARTICLE_PAGE = "pages/article.py"
TICKER_PAGE = "pages/ticker.py"
FEED_PAGE = "pages/feed.py"
NO_STORIES = (
    "No stories yet: run `python -m terminal ingest FILE` or add a feed on **Sources**; "
    "`python -m terminal init --sample` loads the sample set."
)


def badges(items: Iterable[Badge]) -> None:
    for item in items:
        st.badge(item.label, color=item.color, help=item.help or None)  # type: ignore[arg-type]


def ticker_label(chip: TickerChip) -> str:
    """The chip's text, green or red by the sign of the move when one is known."""
    label = escape_md(chip.label)
    if chip.move is None:
        return label
    return f":{'green' if chip.move >= 0 else 'red'}[{label}]"


def ticker_links(chips: Iterable[TickerChip]) -> None:
    for chip in chips:
        st.page_link(
            TICKER_PAGE, label=ticker_label(chip), query_params={"symbol": chip.symbol},
            help=f"{chip.symbol}: price chart and news" + (", day-0 abnormal move" if chip.move is not None else ""),
        )  # fmt: skip


def headline(view: CardView) -> None:
    """The headline as a link to the article page; read stories dimmed and ticked."""
    label = f":gray[{view.title_md}]" if view.read else f"**{view.title_md}**"
    st.page_link(
        ARTICLE_PAGE, label=label, query_params={"id": str(view.id)},
        icon=":material/done:" if view.read else None,
    )  # fmt: skip


def card(view: CardView, *, compact: bool = False) -> None:
    """One news card: badges and time, headline, ticker and topic chips, two-line summary."""
    with st.container(border=True, gap=None, key=f"card-{view.id}"):
        with st.container(horizontal=True, gap="small", vertical_alignment="center"):
            badges(view.badges)
            st.caption(f"{view.publisher_md} · {view.relative}", help=view.exact, width="content")
        headline(view)
        if view.tickers or view.topics:
            with st.container(horizontal=True, gap="small", vertical_alignment="center"):
                ticker_links(view.tickers)
                for topic in view.topics:
                    st.badge(topic, color="gray")
        if view.summary_md and not compact:
            st.caption(view.summary_md)


def empty_store() -> None:
    st.info(NO_STORIES, icon=":material/inbox:")


def sample_notice() -> None:
    st.info(
        "You are looking at the **sample set** (illustrative stories, synthetic prices). "
        "Add live sources on **Sources** (RSS/Atom feeds or `yahoo:NVDA,AAPL`) or run "
        "`python -m terminal ingest FILE`; remove the samples with `python -m terminal sample remove`.",
        icon=":material/science:",
    )


def offline_notice() -> None:
    """The one notice that Yahoo cannot be reached and what that means for the charts."""
    from terminal.prices.refresh import OFFLINE

    st.warning(OFFLINE, icon=":material/cloud_off:")
