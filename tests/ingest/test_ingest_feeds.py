"""parse_feed on friendly, broken and hostile feeds: records come out plain, safe and complete."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from terminal.ingest.feeds import NotAFeed, _feedparser, looks_like_feed, parse_feed
from terminal.ingest.http import fetch
from terminal.records import ArticleRecord, ParseResult
from tests.ingest.local_http import LocalServer, send

FIXTURES = Path(__file__).parent / "fixtures"
FETCHED = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)
FEED_URL = "https://wire.example/feeds/markets.xml"
MARKUP = re.compile(r"<\s*/?\s*[a-zA-Z!?]|javascript:|vbscript:|data:text", re.IGNORECASE)


def parse(data: bytes, **kwargs) -> ParseResult:
    """parse_feed with the test's feed URL and fetch time."""
    return parse_feed(data, url=FEED_URL, fetched_at=FETCHED, **kwargs)


def fixture(name: str) -> bytes:
    """The bytes of a checked-in fixture feed."""
    return (FIXTURES / name).read_bytes()


def rss(items: str, *, encoding: str = "utf-8", declared: str | None = "utf-8") -> bytes:
    """A small RSS 2.0 document around `items`, encoded as asked."""
    decl = f'<?xml version="1.0" encoding="{declared}"?>' if declared else '<?xml version="1.0"?>'
    root = '<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/">'
    text = f"{decl}{root}<channel><title>Desk</title>{items}</channel></rss>"
    return text.encode(encoding)


def assert_safe(records: list[ArticleRecord]) -> None:
    """No text field holds markup or script links; every URL is http(s) or None."""
    for record in records:
        for text in (record.title, record.summary, record.body, record.publisher):
            assert not MARKUP.search(text), text
        assert record.url is None or re.match(r"^https?://[^/\s]+", record.url), record.url


def by_title(result: ParseResult) -> dict[str, ArticleRecord]:
    """The result's records keyed by title."""
    return {r.title: r for r in result.records}


def test_hostile_rss_comes_out_as_plain_safe_text() -> None:
    result = parse(fixture("hostile_rss2.xml"))
    assert_safe(result.records)
    first = result.records[0]
    assert first.title == "Nvidia beats estimates"
    assert first.summary == "Record quarter"
    assert first.url is None  # javascript: link dropped, and the guid is not a URL
    assert first.guid == "wire-1"
    assert first.publisher == "Market Wire"
    assert first.language == "en"
    assert first.published_at == datetime(2024, 4, 30, 20, 5, tzinfo=UTC)
    assert not first.published_estimated


def test_escaped_markup_and_bodies_are_cleaned_and_relative_links_resolved() -> None:
    second = parse(fixture("hostile_rss2.xml")).records[1]
    assert "script" not in second.title and second.title.startswith("Tesla recalls")
    assert second.summary == "Short summary with a link."
    assert second.body == "Full story text."
    assert second.url == "https://wire.example/markets/tesla-recall?id=7"
    assert second.publisher == "Reuters Wire"  # the <source> outlet, not the aggregator


def test_duplicate_guids_keep_the_first_and_reject_the_rest() -> None:
    result = parse(fixture("hostile_rss2.xml"))
    assert "Duplicate of the first" not in by_title(result)
    duplicates = [r for r in result.rejected if "duplicate guid" in r.reason]
    assert [r.location for r in duplicates] == ["entry 3"]


@pytest.mark.parametrize("title", ["From the far future", "From the distant past"])
def test_absurd_dates_fall_back_to_the_fetch_time_with_a_warning(title: str) -> None:
    result = parse(fixture("hostile_rss2.xml"))
    record = by_title(result)[title]
    assert record.published_at == FETCHED
    assert record.published_estimated
    assert any("implausible date" in w for w in result.warnings)


def test_missing_fields_are_filled_or_the_entry_rejected() -> None:
    result = parse(fixture("hostile_rss2.xml"))
    records = by_title(result)
    undated = records["No date and no link"]
    assert undated.url == "https://wire.example/by-guid"
    assert (undated.published_at, undated.published_estimated) == (FETCHED, True)
    summary_only = next(r for r in result.records if r.summary.startswith("Only a summary"))
    assert summary_only.title == "Only a summary, no title at all."
    assert summary_only.url is None  # vbscript: dropped
    assert records["Nothing but a title"].url is None
    assert [r.location for r in result.rejected if r.reason == "no title and no summary"] == [
        "entry 8"
    ]


def test_atom_entries_resolve_xml_base_and_keep_the_source_outlet() -> None:
    result = parse(fixture("atom.xml"))
    assert_safe(result.records)
    first, second = result.records
    assert first.title == "Chip stocks rally"
    assert first.url == "https://atom.example/news/2024/chips"
    assert (first.summary, first.body) == ("Semis up", "The whole story.")
    assert first.published_at == datetime(2024, 4, 30, 12, 0, tzinfo=UTC)
    assert first.publisher == "Original Outlet"
    assert first.extra["author"] == "A. Writer"
    assert first.extra["categories"] == ["semiconductors"]
    assert second.url == "https://other.example/deep/link"
    assert second.publisher == "Atom Desk"
    assert second.published_at == datetime(2024, 4, 29, 9, 30, tzinfo=UTC)


def test_rss_1_0_is_read() -> None:
    (record,) = parse(fixture("rss1.rdf")).records
    assert (record.title, record.url, record.publisher) == (
        "RSS 1.0 item",
        "https://rdf.example/a",
        "RDF Site",
    )
    assert record.published_at == datetime(2024, 3, 1, 8, 0, tzinfo=UTC)


@pytest.mark.parametrize("name", ["billion_laughs.xml", "xxe.xml"])
def test_entity_declarations_are_never_expanded_or_fetched(name: str) -> None:
    result = parse(fixture(name))
    assert_safe(result.records)
    text = " ".join(r.title + r.summary for r in result.records)
    assert "lollol" not in text and "root:" not in text
    assert len(text) < 200
    assert any("declared XML entities" in w for w in result.warnings)


def test_the_defused_parser_refuses_entities_that_reach_it() -> None:
    bomb = fixture("billion_laughs.xml")
    with pytest.raises(NotAFeed, match="declares XML entities"):
        _feedparser(bomb)


def test_a_doctype_squeezed_onto_one_line_is_removed_too() -> None:
    data = fixture("billion_laughs.xml").replace(b"\n", b"")
    (record,) = parse(data).records
    assert "lollol" not in record.title + record.summary


@pytest.mark.parametrize(
    ("data", "content_type", "title"),
    [
        (
            rss("<item><title>Caf\xe9 cr\xe8me</title></item>", encoding="latin-1"),
            None,
            "Café crème",
        ),
        (
            rss(
                "<item><title>\u201cQuoted\u201d \u20ac5</title></item>",
                encoding="cp1252",
                declared="windows-1252",
            ),
            None,
            "“Quoted” €5",
        ),
        (
            rss("<item><title>\u0416\u0443\u043a</title></item>", encoding="koi8-r", declared=None),
            "text/xml; charset=KOI8-R",
            "Жук",
        ),
        (
            rss("<item><title>日本語</title></item>", encoding="utf-16", declared="utf-16"),
            None,
            "日本語",
        ),
        (b"\xef\xbb\xbf" + rss("<item><title>BOM \u00e9</title></item>"), None, "BOM é"),
        (
            rss("<item><title>\u00e9t\u00e9</title></item>", declared="iso-8859-1"),
            "application/rss+xml; charset=iso-8859-1",
            "été",
        ),
    ],
    ids=[
        "latin1-declared-utf8",
        "windows-1252",
        "http-charset",
        "utf16",
        "utf8-bom",
        "utf8-declared-latin1",
    ],
)
def test_any_encoding_is_read(data: bytes, content_type: str | None, title: str) -> None:
    (record,) = parse(data, content_type=content_type).records
    assert record.title == title


def test_mixed_encodings_recover_each_part() -> None:
    data = rss("<item><title>Caf\xe9 ") + "na\xefve \u20ac".encode("cp1252") + b"</title></item>"
    data += b"</channel></rss>"
    result = parse(data)
    assert result.records[0].title == "Café naïve €"
    assert any("windows-1252" in w for w in result.warnings)


def test_truncated_xml_keeps_the_complete_entries_and_warns() -> None:
    items = "".join(
        f"<item><title>Story {i}</title><link>https://t.example/{i}</link></item>" for i in range(3)
    )
    data = rss(items)[:-40]
    result = parse(data)
    assert [r.title for r in result.records] == ["Story 0", "Story 1", "Story 2"]
    assert any("not well-formed" in w for w in result.warnings)


def test_html_entities_and_bare_ampersands_parse_strictly_and_keep_their_meaning() -> None:
    items = (
        "<item><title>AT&T &amp; Caf&eacute; &copy; &bogus; &#0; &#x41;</title>"
        "<link>https://x.example/?a=1&b=2</link>"
        "<description><![CDATA[<p>Q&A &nbsp;<a href='https://y.example/?c=3&d=4'>x</a></p>]]></description>"
        "</item>"
    )
    result = parse(rss(items))
    assert not result.warnings
    (record,) = result.records
    assert record.title == "AT&T & Café © &bogus; A"
    assert record.url == "https://x.example/?a=1&b=2"
    assert record.summary == "Q&A x"


def test_control_characters_and_undefined_entities_do_not_lose_the_feed() -> None:
    data = rss("<item><title>Bell\x07 &nbsp;and &eacute;clair</title></item>")
    (record,) = parse(data).records
    assert record.title == "Bell and éclair"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "empty response"),
        (b"   \n ", "empty response"),
        (
            b"<!DOCTYPE html><html><head><title>404 Not Found</title></head><body>Gone</body></html>",
            "HTML page ('404 Not Found')",
        ),
        (b'{"items": []}', "JSON"),
        (b"Service Unavailable", "plain text"),
        (b'<?xml version="1.0"?><note><to>x</to></note>', "no <rss>, <feed> or <rdf:RDF>"),
    ],
    ids=["empty", "blank", "html", "json", "text", "other-xml"],
)
def test_content_that_is_not_a_feed_is_refused_clearly(data: bytes, message: str) -> None:
    with pytest.raises(NotAFeed, match=re.escape(message)):
        parse(data)
    assert not looks_like_feed(data)


@pytest.mark.parametrize("name", ["hostile_rss2.xml", "atom.xml", "rss1.rdf", "xxe.xml"])
def test_feeds_are_recognised(name: str) -> None:
    assert looks_like_feed(fixture(name))


def test_a_large_feed_parses_completely() -> None:
    paragraph = "<p>Shares of <b>Nvidia</b> rose after guidance beat estimates &amp; more.</p>" * 12
    items = "".join(
        f"<item><title>Story {i}</title><link>https://big.example/{i}</link><guid>g{i}</guid>"
        f"<pubDate>{(FETCHED - timedelta(minutes=i)).strftime('%a, %d %b %Y %H:%M:%S +0000')}</pubDate>"
        f"<description><![CDATA[{paragraph}]]></description>"
        f"<content:encoded><![CDATA[{paragraph * 4}]]></content:encoded></item>"
        for i in range(200)
    )
    data = rss(items)
    assert 900_000 < len(data) < 1_300_000
    result = parse(data)
    assert len(result.records) == 200
    assert not result.rejected and not result.warnings
    assert result.records[199].published_at == FETCHED - timedelta(minutes=199)
    assert result.records[0].body.startswith("Shares of Nvidia rose")


def test_a_feed_fetched_from_a_server_parses_with_its_charset(server: LocalServer) -> None:
    body = rss(
        "<item><title>Z\u00fcrich</title><link>/z</link></item>", encoding="latin-1", declared=None
    )
    headers = {"Content-Type": "application/rss+xml; charset=ISO-8859-1"}
    server.routes["/feed.xml"] = lambda handler: send(handler, 200, body, headers=headers)
    fetched = fetch(server.url("/feed.xml"))
    assert fetched.error is None
    result = parse_feed(
        fetched.content, url=fetched.url, fetched_at=FETCHED, content_type=fetched.content_type
    )
    (record,) = result.records
    assert (record.title, record.url) == ("Zürich", server.url("/z"))
