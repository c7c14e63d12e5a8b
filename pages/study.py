"""Event study (`/study`): mean CAR path with its band, day-0 moves, impact calibration."""

import streamlit as st

from terminal.query import ArticleFilter
from terminal.ui import cache
from terminal.ui.cards import topic_label

db = cache.url()
st.subheader("Event study", anchor=False)
facets = cache.facets(db, ArticleFilter())
row = st.container(horizontal=True, vertical_alignment="bottom")
topic = row.selectbox(
    "Topic", [t for t, _ in facets["topics"]], index=None, format_func=topic_label, width=220
)
source = row.selectbox("Source", [s for s, _ in facets["sources"]], index=None, width=200)
ticker = row.selectbox("Ticker", [t for t, _ in facets["tickers"]], index=None, width=140)
low, high = row.slider("Impact", 0.0, 1.0, (0.0, 1.0), step=0.25, width=220)
flt = ArticleFilter(
    topics=(topic,) if topic else (), sources=(source,) if source else (),
    tickers=(ticker,) if ticker else (),
    min_impact=low if low > 0 else None, max_impact=high if high < 1 else None, leads_only=True,
)  # fmt: skip
result = cache.study(db, flt)
if result is None:
    st.info(
        "No price reactions for this set yet: pick a wider set, or refresh prices on **Sources**."
    )
    st.stop()
st.caption(
    f"{result['n']} events"
    + (" · SYNTHETIC PRICES (sample set, illustrative only)" if result["synthetic"] else "")
)
left, right = st.columns(2)
left.plotly_chart(result["car"], width="stretch")
right.plotly_chart(result["hist"], width="stretch")
st.plotly_chart(result["calibration"], width="stretch")
st.dataframe(result["table"], hide_index=True, width="stretch")
