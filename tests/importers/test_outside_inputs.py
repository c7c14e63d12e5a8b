"""Files nobody on the team wrote: other layouts, other tools' exports, hostile input."""

from __future__ import annotations

import gzip
import json
import math
from datetime import UTC, datetime

import pytest

from terminal.importers import UnreadableInput, detect_format, read_bytes

NOW = datetime(2026, 1, 5, 12, 0, tzinfo=UTC)
STORY = {"title": "Nvidia beats", "url": "https://e.com/1", "published_at": "2025-09-18T14:30:00Z"}


def read_json(payload: object, name: str = "x.json"):
    return read_bytes(json.dumps(payload).encode(), name=name, now=NOW)


# --- JSON -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "payload",
    [
        {"data": {"articles": [STORY]}},
        {"Articles": [STORY]},
        {"status": "ok", "results": [STORY]},
        {"items": [STORY], "next": None},
    ],
)
def test_articles_nested_under_common_keys_are_found(payload):
    [story] = read_json(payload).records
    assert story.title == "Nvidia beats"


@pytest.mark.parametrize(
    "text", ["[" * 100_000 + "]" * 100_000, '{"a":' * 100_000 + "1" + "}" * 100_000]
)
def test_absurdly_deep_json_is_rejected_not_a_crash(text):
    result = read_bytes(text.encode(), name="deep.json", now=NOW)
    assert result.records == []
    assert "nested too deeply" in result.rejected[0].reason


def test_a_number_too_long_for_python_is_rejected_not_a_crash():
    text = '[{"title": "x", "views": ' + "9" * 5000 + "}]"
    result = read_bytes(text.encode(), name="x.json", now=NOW)
    assert "4,300 digits" in result.rejected[0].reason


def test_a_deep_line_in_jsonl_loses_only_that_line():
    lines = [json.dumps(STORY), "[" * 100_000 + "]" * 100_000, json.dumps({**STORY, "url": None})]
    result = read_bytes("\n".join(lines).encode(), name="x.jsonl", now=NOW)
    assert len(result.records) == 2
    assert result.rejected[0].location == "line 2"


def test_nan_in_an_unknown_field_is_stored_as_null_so_jsonb_accepts_it():
    text = '[{"title": "NaN extra", "score": NaN, "odd": [Infinity], "s": "a\\u0000b"}]'
    [story] = read_bytes(text.encode(), name="x.json", now=NOW).records
    assert story.extra["score"] is None and story.extra["odd"] == [None]
    assert story.extra["s"] == "ab"
    json.dumps(story.extra, allow_nan=False)


def test_newsapi_layout_reads_its_camel_case_fields_and_source_object():
    item = {
        "source": {"id": None, "name": "Reuters"},
        "title": "Apple unveils",
        "publishedAt": "2025-09-18T14:30:00Z",
        "urlToImage": "https://e.com/i.jpg",
        "url": "https://e.com/a",
    }
    [story] = read_json({"status": "ok", "articles": [item]}).records
    assert story.publisher == "Reuters"
    assert story.published_at == datetime(2025, 9, 18, 14, 30, tzinfo=UTC)
    assert story.published_estimated is False
    assert story.extra["urltoimage"] == "https://e.com/i.jpg"


def test_tickers_as_objects_nested_lists_and_nulls():
    item = {
        **STORY,
        "tickers": [{"symbol": "NVDA"}, {"ticker": "TSLA"}, {"name": "x"}, None, ["AAPL"], 5],
    }
    result = read_json([item])
    [story] = result.records
    assert story.tickers == ["NVDA", "TSLA", "AAPL"]  # no "NONE", no "X" from a name


@pytest.mark.parametrize(
    ("value", "when", "estimated"),
    [
        (1758205800000, datetime(2025, 9, 18, 14, 30, tzinfo=UTC), False),
        ("1758205800", datetime(2025, 9, 18, 14, 30, tzinfo=UTC), False),
        ("2025-09-18", datetime(2025, 9, 18, tzinfo=UTC), True),
        ("Sep 18, 2025", datetime(2025, 9, 18, tzinfo=UTC), True),
        ("18/09/2025", datetime(2025, 9, 18, tzinfo=UTC), True),
    ],
)
def test_published_at_forms_and_a_bare_date_is_marked_estimated(value, when, estimated):
    [story] = read_json([{**STORY, "published_at": value}]).records
    assert story.published_at == when
    assert story.published_estimated is estimated


def test_an_ambiguous_day_month_date_is_rejected_clearly():
    result = read_json([{**STORY, "published_at": "05/06/2025"}])
    assert result.records == []
    assert "ambiguous" in result.rejected[0].reason


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"title": ["a", "b"]}, "title is a list"),
        ({"title": {"x": 1}}, "title is an object"),
        ({"impact": True}, "not a number"),
    ],
)
def test_values_of_the_wrong_kind_are_rejected_not_stringified(change, reason):
    result = read_json([{**STORY, **change}])
    assert result.records == [] and reason in result.rejected[0].reason


def test_impact_as_a_percentage_string_is_read():
    [story] = read_json([{**STORY, "impact": "70%"}]).records
    assert math.isclose(story.impact or 0, 0.7)


def test_json_lines_in_a_json_file_are_read_as_jsonl():
    text = json.dumps(STORY) + "\n" + json.dumps({**STORY, "url": "https://e.com/2"}) + "\n"
    result = read_bytes(text.encode(), name="x.json", now=NOW)
    assert len(result.records) == 2
    assert "read as JSONL" in result.warnings[0]


def test_a_pretty_printed_json_array_in_a_jsonl_file_is_read_whole():
    text = json.dumps([STORY, {**STORY, "url": "https://e.com/2"}], indent=2)
    result = read_bytes(text.encode(), name="x.jsonl", now=NOW)
    assert len(result.records) == 2 and result.rejected == []


def test_jsonl_with_trailing_commas_crlf_and_a_raw_line_separator_in_a_string():
    lines = [
        json.dumps(STORY) + ",",
        json.dumps({**STORY, "url": "https://e.com/2", "summary": "a\u2028b"}, ensure_ascii=False),
    ]
    result = read_bytes(("\r\n".join(lines) + "\r\n\r\n").encode(), name="x.jsonl", now=NOW)
    assert len(result.records) == 2 and result.rejected == []


def test_a_top_level_number_says_what_it_is():
    result = read_bytes(b"42", name="x.json", now=NOW)
    assert "a JSON int" in result.rejected[0].reason


# --- CSV --------------------------------------------------------------------------------


def test_csv_headers_with_spaces_and_capitals_are_canonical_fields():
    data = b"Title,URL,Published At,Tickers\nCaps,https://e.com/c,2025-09-18T00:00:00Z,MSFT\n"
    [story] = read_bytes(data, name="x.csv", now=NOW).records
    assert story.published_at == datetime(2025, 9, 18, tzinfo=UTC)
    assert story.extra == {}


def test_a_price_csv_passed_to_ingest_says_to_use_prices_import():
    data = b"Date,Open,High,Low,Close,Adj Close,Volume\n2025-09-18,1,2,0.5,1.5,1.5,10\n"
    result = read_bytes(data, name="NVDA.csv", now=NOW)
    assert "prices import" in result.rejected[0].reason


def test_an_unclosed_quote_is_reported_instead_of_swallowing_rows_into_a_title():
    data = (
        b"title,url,published_at\nGood,https://e.com/1,2025-09-18T00:00:00Z\n"
        b'"Open quote,https://e.com/2,2025-09-18T00:00:00Z\nAfter,https://e.com/3,2025-09-18T00:00:00Z\n'
    )
    result = read_bytes(data, name="x.csv", now=NOW)
    assert [r.title for r in result.records] == ["Good"]
    assert "quote is never closed" in result.rejected[0].reason
    assert result.rejected[0].location == "line 3"


def test_a_tab_separated_txt_with_a_header_is_read_as_csv():
    data = b"title\turl\tpublished_at\nTabbed\thttps://e.com/t\t2025-09-18T00:00:00Z\n"
    assert detect_format(data, "export.txt") == "csv"
    [story] = read_bytes(data, name="export.txt", now=NOW).records
    assert story.title == "Tabbed" and story.url == "https://e.com/t"


# --- whole files ------------------------------------------------------------------------


def test_a_gzipped_file_is_unpacked_and_read_by_its_inner_name():
    data = gzip.compress(json.dumps([STORY]).encode())
    [story] = read_bytes(data, name="news.json.gz", now=NOW).records
    assert story.title == "Nvidia beats"


def test_a_gzip_bomb_is_refused(monkeypatch):
    monkeypatch.setattr("terminal.importers.MAX_FILE_BYTES", 1_000_000)
    data = gzip.compress(b" " * 2_000_000)
    with pytest.raises(UnreadableInput, match="unpacks to more than"):
        read_bytes(data, name="bomb.json.gz", now=NOW)


def test_a_stray_nul_is_removed_but_a_binary_file_is_still_refused():
    result = read_bytes(b"Headline with NUL\x00 inside\n\nBody\n", name="a.txt", now=NOW)
    assert result.records[0].title == "Headline with NUL inside"
    assert any("NUL" in w for w in result.warnings)
    with pytest.raises(UnreadableInput, match="binary"):
        read_bytes(bytes(range(256)) * 4, name="b.txt", now=NOW)


def test_utf16_without_a_bom_is_recognised():
    data = "Tesla delivers more cars\n\nBody text.\n".encode("utf-16-le")
    [story] = read_bytes(data, name="a.txt", now=NOW).records
    assert story.title == "Tesla delivers more cars"


def test_an_html_page_passed_as_a_feed_file_is_unreadable_input():
    with pytest.raises(UnreadableInput, match="HTML page"):
        read_bytes(b"<html><title>Oops</title><body>x</body></html>", name="a.xml", now=NOW)
