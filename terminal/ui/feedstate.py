"""The feed's widgets <-> its URL (which widget keys hold which filter, both ways), and paging."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from terminal.counts import Count
from terminal.query import ArticleFilter
from terminal.ui.params import (
    Params,
    feed_params,
    filter_from_params,
    page_from_params,
    params_from_filter,
    sort_from_params,
)

WIDGETS = (
    "f_ticker", "f_topic", "f_source", "f_q", "f_impact", "f_sentiment", "f_since", "f_until",
    "f_sample", "f_all_sources", "f_sort",
)  # fmt: skip
SAMPLE_CHOICES = {"include": None, "hide": False, "only": True}


def normalise(params: Params) -> dict[str, list[str]]:
    """Parameters as name -> list of values, empty ones dropped (for comparing URLs)."""
    out: dict[str, list[str]] = {}
    for name, raw in params.items():
        items = [raw] if isinstance(raw, str) else [str(v) for v in raw]
        if any(items):
            out[name] = [v for v in items if v]
    return out


def widget_state(params: Params) -> dict[str, Any]:
    """The feed widgets' values for a URL (what session_state is seeded with)."""
    flt = filter_from_params(params)
    sample = next(k for k, v in SAMPLE_CHOICES.items() if v == flt.sample)
    return {
        "f_ticker": list(flt.tickers),
        "f_topic": list(flt.topics),
        "f_source": list(flt.sources),
        "f_q": flt.text,
        "f_impact": (flt.min_impact or 0.0, 1.0 if flt.max_impact is None else flt.max_impact),
        "f_sentiment": flt.sentiment,
        "f_since": flt.since.date() if flt.since else None,
        "f_until": date.fromisoformat(str(params_from_filter(flt)["until"])) if flt.until else None,
        "f_sample": sample,
        "f_all_sources": not flt.leads_only,
        "f_sort": sort_from_params(params),
    }


def _iso(value: Any) -> str:
    return value.isoformat() if isinstance(value, date) else ""


def filter_from_widgets(state: Mapping[str, Any]) -> ArticleFilter:
    """The filter the feed widgets describe."""
    low, high = state.get("f_impact") or (0.0, 1.0)
    return filter_from_params(
        {
            "ticker": list(state.get("f_ticker") or []),
            "topic": list(state.get("f_topic") or []),
            "source": list(state.get("f_source") or []),
            "q": str(state.get("f_q") or ""),
            "min_impact": f"{low:g}" if low > 0 else "",
            "max_impact": f"{high:g}" if high < 1 else "",
            "sentiment": str(state.get("f_sentiment") or ""),
            "since": _iso(state.get("f_since")),
            "until": _iso(state.get("f_until")),
            "sample": str(state.get("f_sample") or "include"),
            "clusters": "all" if state.get("f_all_sources") else "",
        }
    )


def url_for(state: Mapping[str, Any], page: int) -> dict[str, str | list[str]]:
    """The URL parameters for the widgets' values and a page number."""
    sort = str(state.get("f_sort") or "newest")
    return feed_params(filter_from_widgets(state), sort=sort, page=page)


def page_of(params: Params) -> int:
    return page_from_params(params)


@dataclass(frozen=True, slots=True)
class Paging:
    """Where the feed is among its pages; `pages` is a lower bound when the count is not exact."""

    page: int
    pages: int
    exact: bool

    def __str__(self) -> str:
        return f"page {self.page:,} of {self.pages:,}" + ("" if self.exact else "+")

    def has_older(self, shown: int, size: int) -> bool:
        """Whether an older page exists: by the count, or (count cut short) while pages are full."""
        return self.page < self.pages if self.exact else shown >= size


def paging(total: Count, wanted: int, size: int) -> Paging:
    """The page to show for a count; only an exact count clamps it to the last page."""
    pages = max(1, -(-total.n // size))
    page = min(wanted, pages) if total.exact else wanted
    return Paging(page, max(pages, page), total.exact)
