"""Event study (`/study`): mean CAR path with its band, day-0 moves, impact calibration."""

from datetime import UTC, date, datetime, timedelta

import streamlit as st

from terminal.config import benchmark_symbol
from terminal.query import ArticleFilter
from terminal.ui import cache
from terminal.ui.cards import topic_label
from terminal.ui.entry import require_navigation

require_navigation()

db = cache.url()
st.subheader("Event study", anchor=False)
facets = cache.facets(db, ArticleFilter()).counts
row = st.container(horizontal=True, vertical_alignment="bottom")
topic = row.selectbox(
    "Topic", [t for t, _ in facets["topics"]], index=None, format_func=topic_label,
    placeholder="Any topic", width=220,
)  # fmt: skip
source = row.selectbox(
    "Source", [s for s, _ in facets["sources"]], index=None, placeholder="Any source", width=200
)
ticker = row.selectbox(
    "Ticker", [t for t, _ in facets["tickers"]], index=None, placeholder="Any", width=130
)
low, high = row.slider("Impact", 0.0, 1.0, (0.0, 1.0), step=0.25, width=200)
since = row.date_input("From", value=None, format="YYYY-MM-DD", width=140)
until = row.date_input("To", value=None, format="YYYY-MM-DD", width=140)


def day_start(day: date | None, plus: int = 0) -> datetime | None:
    """Midnight UTC of a picked day (plus some days), or None."""
    if not isinstance(day, date):
        return None
    return datetime(day.year, day.month, day.day, tzinfo=UTC) + timedelta(days=plus)


flt = ArticleFilter(
    topics=(topic,) if topic else (), sources=(source,) if source else (),
    tickers=(ticker,) if ticker else (),
    min_impact=low if low > 0 else None, max_impact=high if high < 1 else None,
    since=day_start(since), until=day_start(until, plus=1), leads_only=True,
)  # fmt: skip
result = cache.study(db, flt)
if result is None:
    st.info(
        "No price reactions for this set yet: pick a wider set, or refresh prices on **Sources**."
    )
    st.stop()
st.caption(
    f"{result['n']} events (story × ticker) against {benchmark_symbol()}"
    + (" · SYNTHETIC PRICES (sample set, illustrative only)" if result["synthetic"] else "")
)
left, right = st.columns(2)
left.plotly_chart(result["car"], width="stretch")
right.plotly_chart(result["hist"], width="stretch")
st.plotly_chart(result["calibration"], width="stretch")
st.markdown("##### Events")
st.dataframe(
    result["table"], hide_index=True, width="stretch",
    column_config={"story": st.column_config.LinkColumn("story", display_text=r"id=(\d+)")},
)  # fmt: skip
