"""One ticker (`/ticker?symbol=NVDA`): price chart with news markers, its news, watchlist."""

import streamlit as st

from terminal import state
from terminal.query import ArticleFilter
from terminal.ui import cache, market, render
from terminal.ui.cards import card_view
from terminal.ui.entry import require_navigation
from terminal.ui.markdown import escape_md

require_navigation()
SHOWN = 50  # news cards under the chart

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
    with cache.writing() as s:
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
controls = st.container(horizontal=True, vertical_alignment="bottom")
kind = controls.segmented_control(
    "Chart", ["line", "candles"], default="line", key="t_kind", required=True
)
span = controls.segmented_control(
    "Range", [*market.RANGES, "All"], default="1Y", key="t_range", required=True,
    help="ending at the ticker's latest story (or today)",
)  # fmt: skip
chart = cache.ticker_chart(db, symbol, news, kind, market.RANGES.get(span))
if chart is None:
    st.info(
        "No price data yet for this ticker. Refresh prices on **Sources**.",
        icon=":material/signal_disconnected:",
    )
else:
    move = f"{chart.day_move * 100:+.2f}%" if chart.day_move is not None else None
    label = "Last close (synthetic)" if chart.synthetic else "Last close"
    controls.metric(label, f"{chart.last_close:,.2f}", move, width="content")
    event = st.plotly_chart(
        chart.figure, width="stretch", on_select="rerun", selection_mode="points", key="t_chart"
    )
    picked = [
        p.get("customdata") for p in event.selection.points if p.get("customdata") is not None
    ]
    if picked:
        st.switch_page(render.ARTICLE_PAGE, query_params={"id": str(int(picked[0]))})

st.markdown(f"##### What moves {escape_md(symbol)}: day-0 abnormal move by topic")
by_topic = cache.moves_by_topic(db, symbol, news)
if by_topic.empty:
    st.caption("No measured price reactions yet.")
else:
    if by_topic["synthetic"].any():
        st.caption("SYNTHETIC PRICES: illustrative only, generated for the sample set.")
    st.dataframe(by_topic.drop(columns="synthetic"), hide_index=True, width="content")

shown = news[:SHOWN]
total = cache.feed_count(db, ArticleFilter(tickers=(symbol,)))  # exact, from the roll-ups
st.markdown(f"##### News: {total} {'story' if total.n == 1 else 'stories'}")
if total.n > len(shown):
    st.caption(f"The latest {len(shown)}; every one in the feed (link above).")
moves = cache.moves(db, shown)
for row in shown:
    known = moves.get(row.id)
    view = card_view(
        row, moves=known.values if known else None, synthetic=bool(known and known.synthetic)
    )
    render.card(view, compact=True)
