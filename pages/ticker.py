"""One ticker (`/ticker?symbol=NVDA`): price chart with news markers, its news, watchlist."""

import streamlit as st

from terminal import state
from terminal.ui import cache, render
from terminal.ui.cards import card_view
from terminal.ui.markdown import escape_md

db = cache.url()
symbol = st.query_params.get("symbol", "").strip().upper()[:24]
with cache.session() as s:
    watched = state.watchlist(session=s)
if not symbol:
    st.subheader("Tickers", anchor=False)
    st.caption("Open a ticker from a card's chip, or pick one from your watchlist.")
    for item in watched:
        st.page_link(render.TICKER_PAGE, label=escape_md(item), query_params={"symbol": item})
    st.stop()


def toggle_watch(on: bool) -> None:
    with cache.session() as s, s.begin():
        state.set_watched(session=s, symbol=symbol, on=on)


with st.container(horizontal=True, vertical_alignment="center"):
    st.subheader(escape_md(symbol), anchor=False, width="content")
    on = symbol in watched
    st.button(
        "Watching" if on else "Watch", on_click=toggle_watch, args=(not on,),
        icon=":material/visibility:" if on else ":material/visibility_off:",
    )  # fmt: skip
    st.page_link(
        render.FEED_PAGE, label="All its stories in the feed", query_params={"ticker": symbol}
    )

news = cache.ticker_news(db, symbol)
if not news:
    st.info(f"No stories mention {escape_md(symbol)} yet.")
    st.stop()
kind = st.segmented_control(
    "Chart", ["line", "candles"], default="line", key="t_kind", required=True
)
figure = cache.ticker_chart(db, symbol, news, kind)
if figure is None:
    st.info(
        "No price data yet for this ticker. Refresh prices on **Sources**.",
        icon=":material/signal_disconnected:",
    )
else:
    event = st.plotly_chart(
        figure, width="stretch", on_select="rerun", selection_mode="points", key="t_chart"
    )
    picked = [
        p.get("customdata") for p in event.selection.points if p.get("customdata") is not None
    ]
    if picked:
        st.switch_page(render.ARTICLE_PAGE, query_params={"id": str(int(picked[0]))})

st.markdown(f"##### News ({len(news)})")
for row in news[:50]:
    render.card(card_view(row), compact=True)
