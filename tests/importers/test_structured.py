"""JSON, JSONL and CSV in the canonical format: good records land, bad ones are reported."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from terminal.importers import UnreadableInput, detect_format, read_bytes

NOW = datetime(2026, 1, 5, 12, 0, tzinfo=UTC)
GOOD = {
    "url": "https://news.example.com/nvda-1?utm_source=x",
    "title": "Nvidia <b>beats</b> estimates",
    "published_at": "2025-08-27T20:05:00-04:00",
    "source": "Example Wire",
    "summary": "Data-center revenue rose.",
    "tickers": ["nvda", "$AMD"],
    "topics": ["Earnings", "semiconductors"],
    "impact": 0.7,
    "desk": "tech",
}


def test_json_list_object_and_single_object_all_read():
    for payload in ([GOOD], {"articles": [GOOD]}, GOOD):
        result = read_bytes(json.dumps(payload).encode(), name="x.json", now=NOW)
        [story] = result.records
        assert story.title == "Nvidia beats estimates"
        assert story.published_at == datetime(2025, 8, 28, 0, 5, tzinfo=UTC)
        assert story.tickers == ["NVDA", "AMD"]
        assert story.topics == ["earnings", "semiconductors"]
        assert story.impact == 0.7
        assert story.publisher == "Example Wire"
        assert story.extra["desk"] == "tech"


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"title": "  "}, "no title"),
        ({"published_at": "next tuesday"}, "not a date"),
        ({"published_at": "9999-01-01T00:00:00Z"}, "out of range"),
        ({"impact": 5}, "outside 0..1"),
        ({"impact": "high"}, "not a number"),
        ({"sentiment": 2}, "outside -1..1"),
    ],
)
def test_a_bad_record_is_reported_with_its_place_and_reason(change, reason):
    bad = {**GOOD, **change}
    result = read_bytes(json.dumps([GOOD, bad, GOOD]).encode(), name="x.json", now=NOW)
    assert len(result.records) == 2
    [rejected] = result.rejected
    assert rejected.location == "item 2"
    assert reason in rejected.reason


def test_jsonl_skips_broken_lines_and_keeps_the_rest():
    lines = [json.dumps(GOOD), "{not json", "", json.dumps({**GOOD, "url": None}), "[1, 2]"]
    result = read_bytes("\n".join(lines).encode(), name="x.jsonl", now=NOW)
    assert len(result.records) == 2
    assert [r.location for r in result.rejected] == ["line 2", "line 5"]
    assert "invalid JSON" in result.rejected[0].reason


def test_csv_with_list_columns_and_a_bad_row():
    data = (
        b"title,published_at,source,tickers,topics,impact,url\n"
        b'Tesla recalls cars,2025-02-03T10:00:00Z,Wire,TSLA;F,"Regulation & Legal; Labor",0.4,https://e.com/1\n'
        b"Broken,not-a-date,Wire,TSLA,,0.1,https://e.com/2\n"
        b"Intel cuts jobs,2025-02-04 09:00:00+00:00,Wire,INTC,Labor,,javascript:alert(1)\n"
    )
    result = read_bytes(data, name="x.csv", now=NOW)
    assert [r.title for r in result.records] == ["Tesla recalls cars", "Intel cuts jobs"]
    assert result.records[0].tickers == ["TSLA", "F"]
    assert result.records[0].topics == ["regulation-legal", "labor"]
    assert result.records[1].url is None
    assert result.rejected[0].location == "line 3"


def test_csv_without_a_title_column_is_rejected_clearly():
    result = read_bytes(b"name,when\nx,y\n", name="x.csv", now=NOW)
    assert result.records == []
    assert "title" in result.rejected[0].reason


def test_unknown_topics_are_kept_aside_not_fatal():
    result = read_bytes(
        json.dumps([{**GOOD, "topics": ["Earnings", "Space Lasers"]}]).encode(),
        name="a.json",
        now=NOW,
    )
    [story] = result.records
    assert story.topics == ["earnings"]
    assert story.extra["unknown_topics"] == ["Space Lasers"]


def test_format_is_detected_from_content_when_the_name_does_not_say():
    assert detect_format(b'[{"title": "x"}]') == "json"
    assert detect_format(b'{"title": "x"}\n{"title": "y"}\n') == "jsonl"
    assert detect_format(b"title,published_at\nx,2025-01-01\n") == "csv"
    assert detect_format(b"<?xml version='1.0'?><rss></rss>") == "feed"
    assert detect_format(b"Market Impact: 0.5\nHeadline\n") == "text"


def test_empty_and_binary_inputs_are_refused_with_a_message():
    with pytest.raises(UnreadableInput, match="empty"):
        read_bytes(b"   \n", name="e.json")
    with pytest.raises(UnreadableInput, match="binary"):
        read_bytes(b"\x00\x01\x02abc", name="x.txt")


def test_overlong_fields_are_cut_with_a_warning():
    long = {**GOOD, "title": "Nvidia " * 300, "body": "word " * 50_000}
    result = read_bytes(json.dumps([long]).encode(), name="x.json", now=NOW)
    [story] = result.records
    assert len(story.title) == 1_000 and story.title.endswith("…")
    assert len(story.body) == 200_000
    assert any("title of 2,099 characters cut to 1,000" in w for w in result.warnings)
    assert any("body of" in w and "cut to 200,000" in w for w in result.warnings)
