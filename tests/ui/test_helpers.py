"""The dashboard's Streamlit-free helpers: escaping, URL round trips, card views, analyst state."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from terminal import state
from terminal.counts import Count
from terminal.query import ArticleFilter
from terminal.story_rows import ArticleRow
from terminal.ui import feedstate
from terminal.ui.cards import card_view, impact_badges, percent, relative_time
from terminal.ui.markdown import escape_md
from terminal.ui.params import (
    feed_params,
    filter_from_params,
    page_from_params,
    params_from_filter,
    parse_query_string,
    query_string,
)

HOSTILE = "<img src=x onerror=alert(1)><script>alert(2)</script>[click](javascript:alert(3))"


def test_escape_md_leaves_no_unescaped_markup() -> None:
    out = escape_md(HOSTILE + " $x$ **b** :red[r] https://evil.example")
    for ch in "<>[]()*$:":
        assert all(out[i - 1] == "\\" for i, c in enumerate(out) if c == ch)
    assert out.replace("\\", "") == HOSTILE + " $x$ **b** :red[r] https://evil.example"


def test_escape_md_flattens_lines_and_drops_control_characters() -> None:
    assert escape_md("a\n\n# b\x00") == "a \\# b"


def test_filter_survives_the_url_round_trip() -> None:
    flt = ArticleFilter(
        tickers=("NVDA", "AMD"), topics=("ai",), sources=("Reuters",), text='"rate cut"',
        since=datetime(2025, 1, 1, tzinfo=UTC), until=datetime(2025, 2, 1, tzinfo=UTC),
        min_impact=0.5, max_impact=0.9, sentiment="negative", sample=False, leads_only=True,
    )  # fmt: skip
    assert filter_from_params(params_from_filter(flt)) == flt
    assert filter_from_params(parse_query_string(query_string(params_from_filter(flt)))) == flt


def test_bad_url_values_are_ignored() -> None:
    flt = filter_from_params(
        {
            "min_impact": "7",
            "since": "yesterday",
            "sentiment": "angry",
            "ticker": ["nvda", "", "nvda"],
        }
    )
    assert flt == ArticleFilter(tickers=("NVDA",), leads_only=True)
    assert page_from_params({"page": "-3"}) == 1 and page_from_params({"page": "4"}) == 4


def test_until_is_inclusive_of_the_day_named() -> None:
    flt = filter_from_params({"until": "2025-01-31"})
    assert flt.until == datetime(2025, 2, 1, tzinfo=UTC)
    assert params_from_filter(flt)["until"] == "2025-01-31"


def test_feed_params_keep_defaults_out_of_the_url() -> None:
    assert feed_params(ArticleFilter(leads_only=True)) == {}
    assert feed_params(ArticleFilter(leads_only=True), sort="impact", page=3) == {
        "sort": "impact", "page": "3",
    }  # fmt: skip


def test_widgets_and_url_agree() -> None:
    url = {"ticker": ["NVDA"], "topic": ["ai"], "min_impact": ["0.5"], "until": ["2025-01-31"]}
    widgets = feedstate.widget_state(url)
    assert widgets["f_until"] == date(2025, 1, 31)
    assert feedstate.normalise(feedstate.url_for(widgets, 1)) == url


def _row(**changes: object) -> ArticleRow:
    base = dict(
        id=7, title=HOSTILE, summary="x " * 400, publisher="Wire", url=None,
        published_at=datetime(2025, 1, 6, 12, 0, tzinfo=UTC), published_estimated=False,
        impact=0.8, impact_model=0.3, sentiment=-0.6, is_sample=True, cluster_size=3, pub_key=1,
        tickers=["NVDA", "TSLA"], topics=["ai"],
    )  # fmt: skip
    base.update(changes)
    return ArticleRow(**base)  # type: ignore[arg-type]


def test_paging_clamps_to_an_exact_count_and_pages_on_past_a_capped_one() -> None:
    exact = feedstate.paging(Count(59), 9, 25)
    assert (exact.page, str(exact), exact.has_older(9, 25)) == (3, "page 3 of 3", False)
    capped = feedstate.paging(Count(10_000, exact=False), 1, 25)
    assert (str(capped), capped.has_older(25, 25)) == ("page 1 of 400+", True)
    past = feedstate.paging(Count(10_000, exact=False), 401, 25)
    assert (str(past), past.has_older(7, 25)) == ("page 401 of 401+", False)


def test_card_tells_source_and_model_impact_apart() -> None:
    labels = [(b.label, b.color) for b in impact_badges(0.5, 0.62)]
    assert labels == [("IMPACT 0.50", "orange"), ("model 0.62", "gray")]
    assert impact_badges(None, 0.8)[0].color == "red"


def test_card_view_escapes_and_labels() -> None:
    now = datetime(2025, 1, 6, 14, 5, tzinfo=UTC)
    view = card_view(_row(), now=now, moves={"NVDA": -0.031}, synthetic=True)
    assert view.title_md == escape_md(HOSTILE)
    assert view.relative == "2 h ago" and view.exact == "2025-01-06 12:00 UTC"
    assert [c.label for c in view.tickers] == ["NVDA −3.1%", "TSLA"]
    labels = [b.label for b in view.badges]
    assert {"+2 sources", "Sample", "synthetic prices"} <= set(labels)
    assert len(view.summary_md.replace("\\", "")) <= 230


@pytest.mark.parametrize(
    ("delta", "text"),
    [(timedelta(seconds=5), "just now"), (timedelta(minutes=5), "5 min ago"),
     (timedelta(days=3), "3 d ago"), (timedelta(days=90), "8 Oct 2024"),
     (-timedelta(hours=2), "in 2 h")],
)  # fmt: skip
def test_relative_time(delta: timedelta, text: str) -> None:
    now = datetime(2025, 1, 6, tzinfo=UTC)
    assert relative_time(now - delta, now) == text


def test_percent_uses_a_real_minus_sign() -> None:
    assert percent(-0.031) == "−3.1%" and percent(0.004) == "+0.4%"


def test_analyst_state_round_trips(store: Engine) -> None:
    with Session(store) as s, s.begin():
        state.save_view(session=s, name="AI chips", query="topic=ai")
        state.save_view(session=s, name="AI chips", query="topic=semiconductors")
        state.mark_read(session=s, article_id=1)
        state.mark_read(session=s, article_id=1)
        state.set_bookmark(session=s, article_id=2, on=True)
        state.add_note(session=s, article_id=2, body="  watch the guidance  ")
        state.set_watched(session=s, symbol="nvda", on=True)
    with Session(store) as s:
        assert [(v.name, v.query) for v in state.list_views(session=s)] == [
            ("AI chips", "topic=semiconductors")
        ]
        assert state.read_ids(session=s, ids=[1, 2]) == {1}
        assert state.bookmarked_ids(session=s) == [2]
        assert [n.body for n in state.notes_for(session=s, article_id=2)] == ["watch the guidance"]
        assert state.watchlist(session=s) == ["NVDA"]
    with Session(store) as s, s.begin():
        state.mark_unread(session=s, article_id=1)
        state.set_bookmark(session=s, article_id=2, on=False)
        assert state.delete_view(session=s, name="AI chips")
    with Session(store) as s:
        assert state.read_ids(session=s, ids=[1]) == set()
        assert not state.is_bookmarked(session=s, article_id=2)


def test_empty_notes_are_refused(store: Engine) -> None:
    with Session(store) as s, pytest.raises(ValueError):
        state.add_note(session=s, article_id=1, body="   ")
