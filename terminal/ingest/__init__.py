"""Live news in: HTTP fetching, RSS/Atom parsing and Yahoo Finance news, as ParseResults."""

from terminal.ingest.feeds import NotAFeed, looks_like_feed, parse_feed
from terminal.ingest.http import FetchResult, fetch
from terminal.ingest.yahoo_news import fetch_yahoo_news, parse_yahoo_items

__all__ = [
    "FetchResult",
    "NotAFeed",
    "fetch",
    "fetch_yahoo_news",
    "looks_like_feed",
    "parse_feed",
    "parse_yahoo_items",
]
