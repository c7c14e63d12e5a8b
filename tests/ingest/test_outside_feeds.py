"""Feeds in the wild: aggregators, compressed files on disk, spoofing characters."""

from __future__ import annotations

import gzip
from datetime import UTC, datetime

import pytest

from terminal.ingest.feeds import NotAFeed, parse_feed
from terminal.text import clean_text, one_line

FETCHED = datetime(2025, 9, 19, tzinfo=UTC)
RSS = b"""<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>F</title>
<item><title>Nvidia stock jumps</title><link>https://e.com/a1</link></item></channel></rss>"""
GOOGLE_NEWS = b"""<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel>
<title>"nvidia" - Google News</title>
<item><title>Nvidia to invest $5 billion in Intel - Reuters</title>
<link>https://news.google.com/rss/articles/CBMiXk?oc=5</link>
<pubDate>Thu, 18 Sep 2025 11:15:00 GMT</pubDate>
<source url="https://www.reuters.com">Reuters</source></item>
<item><title>Wall St - Main St divide - what it means</title><link>https://e.com/x</link>
<source url="https://www.cnbc.com">CNBC</source></item>
</channel></rss>"""


def test_an_aggregators_outlet_suffix_leaves_the_title():
    result = parse_feed(GOOGLE_NEWS, url="https://news.google.com/rss", fetched_at=FETCHED)
    first, second = result.records
    assert first.title == "Nvidia to invest $5 billion in Intel"
    assert first.publisher == "Reuters"
    assert second.title == "Wall St - Main St divide - what it means"  # not the outlet's name


def test_a_gzipped_feed_file_is_unpacked():
    result = parse_feed(gzip.compress(RSS), url="https://e.com/feed.xml.gz", fetched_at=FETCHED)
    assert [r.title for r in result.records] == ["Nvidia stock jumps"]


def test_a_damaged_gzip_feed_is_not_a_feed_with_a_reason():
    with pytest.raises(NotAFeed, match="damaged gzip"):
        parse_feed(
            gzip.compress(RSS)[:30] + b"\x00" * 10, url="https://e.com/f", fetched_at=FETCHED
        )


def test_bidi_overrides_and_c1_controls_are_removed_from_text():
    spoof = "Invoice \u202egnp.exe\u202c \u2066x\u2069 \x85done"
    assert clean_text(spoof) == "Invoice gnp.exe x done"
    assert one_line("\u202eevil") == "evil"
    assert clean_text("שלום مرحبا") == "שלום مرحبا"  # right-to-left text itself stays
