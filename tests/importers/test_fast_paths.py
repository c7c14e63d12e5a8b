"""The importers' fast paths give exactly what the general code gives, on many odd inputs.

Each `_reference_*` function is the code as it was before the fast paths were added; the
tests run many generated inputs (odd whitespace, entities, controls, Unicode forms, date
and URL variants, key spellings) through both and compare results, errors included.
"""

from __future__ import annotations

import html
import random
import re
import unicodedata
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urljoin, urlsplit, urlunsplit

import nh3
import pytest

from terminal import text
from terminal.importers import canonical, dates, fields
from terminal.taxonomy import resolve_topic

PIECES = [
    "Nvidia", "beats", "word", "<b>bold</b>", "<br>", "</p>", "&amp;", "&lt;script&gt;x&lt;/script&gt;",
    "&#169;", "a&b", "<", ">", "x<y", " ", "  ", "\t", "\n", "\n\n", "\n\n\n", "\r", "\r\n",
    "\x0b", "\x0c", "\u00a0", "\u3000", "\u2028", "\u2029", "\x85", "\x1c", "\x1f", "\x00",
    "\x07", "\x7f", "\x9f", "\u202e", "\u2066", "\u200b", "\u200d", "\ufeff", "\xad", "e\u0301",
    "é", "Å", "Ω", "ﬁ", "İ", "ß", "日本", "😀", "—", "'", '"', "$", "A", "z", "0", ".",
]  # fmt: skip


def _texts(seed: int, count: int) -> Iterator[str]:
    rng = random.Random(seed)
    for _ in range(count):
        yield "".join(rng.choice(PIECES) for _ in range(rng.randint(0, 10)))
    yield from ["", " ", "\n", "a", "a b", "a\n\nb", "a\n\n\nb", " a", "a ", "\na", "x" * 300]


# --- text ---------------------------------------------------------------------------------

_BLOCK_TAGS = re.compile(r"(?i)<\s*(br|/p|/div|/li|/h[1-6]|/tr|/blockquote)\b[^>]*>")
_WS = re.compile(r"[ \t\f\v\u00a0]+")
_BLANKS = re.compile(r"\n\s*\n+")


def _reference_clean_text(value: object, *, max_len: int | None = None) -> str:
    if value is None:
        return ""
    value_text = str(value)
    if max_len is not None:
        value_text = value_text[: max_len * 4 + 20_000]
    if "<" in value_text or "&" in value_text:
        value_text = _BLOCK_TAGS.sub("\n", value_text)
        value_text = nh3.clean(value_text, tags=set(), clean_content_tags={"script", "style"})
        value_text = html.unescape(value_text)
        if "<" in value_text:
            value_text = html.unescape(
                nh3.clean(value_text, tags=set(), clean_content_tags={"script", "style"})
            )
    value_text = (
        unicodedata.normalize("NFC", value_text).translate(text._CONTROL).replace("\r\n", "\n")
    )
    lines = [_WS.sub(" ", line).strip() for line in value_text.replace("\r", "\n").split("\n")]
    value_text = _BLANKS.sub("\n\n", "\n".join(lines)).strip()
    if max_len is not None and len(value_text) > max_len:
        value_text = value_text[: max_len - 1].rstrip() + "…"
    return value_text


def _reference_one_line(value: object, *, max_len: int | None = None) -> str:
    if max_len is not None and value is not None:
        value = str(value)[: max_len * 4 + 20_000]
    return " ".join(_reference_clean_text(value, max_len=None).split())[: max_len or None]


def _reference_safe_url(value: object, *, base: str | None = None) -> str | None:
    if value is None:
        return None
    raw = "".join(ch for ch in str(value).strip() if ch.isprintable() and not ch.isspace())
    if not raw:
        return None
    if base and not re.match(r"(?i)^[a-z][a-z0-9+.-]*:", raw):
        raw = urljoin(base, raw)
    try:
        parts = urlsplit(raw)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return None
    return urlunsplit(
        (parts.scheme.lower(), parts.netloc.lower(), parts.path or "/", parts.query, "")
    )


def test_space_is_the_only_printable_whitespace():
    # The fast paths rely on it: printable text holds no whitespace but " ".
    both = [c for c in map(chr, range(0x110000)) if c.isprintable() and c.isspace()]
    assert both == [" "]


@pytest.mark.parametrize("max_len", [None, 3, 40])
def test_clean_text_and_one_line_match_the_full_cleaning(max_len):
    for value in [*_texts(1, 3000), None, 12, 3.5]:
        assert text.clean_text(value, max_len=max_len) == _reference_clean_text(
            value, max_len=max_len
        ), repr(value)
        assert text.one_line(value, max_len=max_len) == _reference_one_line(
            value, max_len=max_len
        ), repr(value)


def test_text_taken_as_clean_is_clean():
    for value in _texts(2, 3000):
        if text._is_clean(value):
            assert _reference_clean_text(value) == value, repr(value)


URL_PARTS = [
    "http", "https", "HTTPS", "hTtP", "ftp", "javascript", "://", ":", "//", "/", "?", "#", "@",
    ":8080", "[::1]", "e.com", "E.COM", "sub.e.org", "-", ".", "é.com", "a b", "\t", " ", "\n",
    "\x00", "\u200b", "%20", "path", "Path", "q=1", "&", "x=y?z", "\\", "[x]", "user:pw", "..",
]  # fmt: skip


def _urls(seed: int, count: int) -> Iterator[str]:
    rng = random.Random(seed)
    for _ in range(count):
        yield "".join(rng.choice(URL_PARTS) for _ in range(rng.randint(1, 9)))
    for scheme in ("http", "HTTPS"):
        for host in ("e.com", "E.Example.ORG", "-", "."):
            for tail in ("", "/", "/a/B", "?", "?q=1", "/p?q=1&r=2?s", "/x#f", "/[x]", "/@x:y"):
                yield f"{scheme}://{host}{tail}"
                yield f"  {scheme}://{host}{tail}\t"


def test_safe_url_matches_the_general_reading():
    for base in (None, "https://base.example/dir/"):
        for value in [*_urls(3, 4000), None, "", 5, "relative/path", "/abs"]:
            got = _outcome(text.safe_url, value, base=base)
            expected = _outcome(_reference_safe_url, value, base=base)
            if isinstance(expected, tuple) and expected[0] is ValueError:
                expected = None  # the old reading raised from urljoin; now: not a URL
            assert got == expected, repr(value)


def _reference_canonical_url(value: object) -> str | None:
    url = text.safe_url(value)
    if url is None:
        return None
    parts = urlsplit(url)
    query = "&".join(
        p
        for p in parts.query.split("&")
        if p and not re.match(r"(?i)^(utm_[a-z]+|fbclid|gclid|mc_cid|mc_eid|ocid|cmpid)$",
                              p.split("=", 1)[0])
    )  # fmt: skip
    netloc = parts.netloc
    if (parts.scheme == "http" and netloc.endswith(":80")) or (
        parts.scheme == "https" and netloc.endswith(":443")
    ):
        netloc = netloc.rsplit(":", 1)[0]
    return urlunsplit((parts.scheme, netloc, parts.path.rstrip("/") or "/", query, ""))


def test_canonical_url_matches_the_general_reading():
    tracked = ["utm_source=x", "UTM_Medium=y", "fbclid=1", "gclid", "keep=1", "id=utm_source",
               "&", "&&", "=", "//", ":443", ":80", "/#", "/?"]  # fmt: skip
    rng = random.Random(4)
    values = [*_urls(5, 4000)]
    for scheme in ("http", "https", "HTTPS"):
        for host in ("e.com", "E.Example.ORG", "e.com:443", "e.com:80", "e.com:8080"):
            for _ in range(60):
                tail = "".join(rng.choice(URL_PARTS + tracked) for _ in range(rng.randint(0, 6)))
                values += [f"{scheme}://{host}/{tail}", f"{scheme}://{host}/a//?{tail}"]
    for value in values:
        assert _outcome(text.canonical_url, value) == _outcome(_reference_canonical_url, value), (
            repr(value)
        )


# --- dates ----------------------------------------------------------------------------------


def _reference_parse_when(value: Any) -> tuple[datetime, bool]:
    if isinstance(value, datetime):
        moment = value if value.tzinfo else value.replace(tzinfo=UTC)
        return moment.astimezone(UTC), False
    if isinstance(value, int | float) and not isinstance(value, bool):
        return dates._from_epoch(value), False
    value_text = " ".join(str(value).split())
    if not value_text or len(value_text) > 80:
        raise dates.DateError(f"{value_text[:60]!r} is not a date")
    if dates._EPOCH.match(value_text):
        return dates._from_epoch(float(value_text)), False
    try:
        iso: datetime | None = datetime.fromisoformat(re.sub(r"[Zz]$", "+00:00", value_text))
    except ValueError:
        iso = None
    if iso is not None:
        iso = (iso if iso.tzinfo else iso.replace(tzinfo=UTC)).astimezone(UTC)
        return iso, bool(dates._DATE_ONLY.match(value_text))
    for reader in (dates._ymd, dates._numeric, dates._named, dates._rfc2822):
        found = reader(value_text)
        if found is not None:
            return found
    raise dates.DateError(f"{value_text[:60]!r} is not a date")


def _dates(seed: int, count: int) -> Iterator[Any]:
    rng = random.Random(seed)
    zones = ["", "Z", "z", "+00:00", "-04:00", "+0530", "+05", "+14:00", "-23:59", "+24:00", " Z"]
    for _ in range(count):
        year = rng.choice(["2025", "1969", "0001", "9999", "20251"])
        month, day = rng.choice(["09", "9", "13", "02", "00"]), rng.choice(["18", "30", "31", "1"])
        clock = rng.choice(["14:30", "14:30:00", "23:59:59", "24:00", "14", "1430", "14:30:00.5"])
        fraction = rng.choice(["", ".1", ".123456", ".1234567", ",5"])
        sep = rng.choice(["T", "t", " ", "  ", "_", "\u00a0", "\n"])
        pad = rng.choice(["", " ", "\t", "\u200b"])
        value = f"{pad}{year}-{month}-{day}{sep}{clock}{fraction}{rng.choice(zones)}{pad}"
        yield value if rng.random() < 0.9 else value.replace("-", "")
    yield from [
        "2025-09-18", "20250918", "2025-W38-4", "2025-261", "14:30", "T14:30", "1758205800",
        "1758205800000", "1758205800.5", "-1758205800", "18/09/2025 14:30", "Sep 18, 2025",
        "Thu, 18 Sep 2025 10:30:00 -0400", "next tuesday", "", "x" * 90, "2025-09-18T14:30:" + "0" * 80,
        "２０２５-09-18T14:30:00Z", 1758205800, 1758205800.5, float("nan"), True, None,
        datetime(2025, 9, 18, 14, 30), datetime(2025, 9, 18, 14, 30, tzinfo=UTC),
    ]  # fmt: skip


def _outcome(function: Any, *args: Any, **kwargs: Any) -> Any:
    try:
        return function(*args, **kwargs)
    except Exception as exc:
        return type(exc), str(exc)


def test_parse_when_matches_the_general_reading():
    for value in _dates(4, 5000):
        got = _outcome(dates.parse_when, value)
        assert got == _outcome(_reference_parse_when, value), repr(value)


# --- canonical ------------------------------------------------------------------------------


def _reference_pick_fields(data: Mapping[Any, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    by_key: dict[str, tuple[str, Any]] = {}
    for name, value in data.items():
        key = re.sub(r"[\s_\-]+", "", str(name).lower())
        by_key.setdefault(key, (str(name).strip().lower(), value))
    fields: dict[str, Any] = {}
    used: set[str] = set()
    for field, keys in canonical.FIELDS.items():
        for key in keys:
            if key in by_key and by_key[key][1] not in (None, "", [], {}):
                fields[field] = by_key[key][1]
                used.add(key)
                break
        used.update(k for k in keys if k in by_key and by_key[k][1] in (None, "", [], {}))
    rest = {name: value for key, (name, value) in by_key.items() if key not in used and name}
    return fields, rest


class _Key(str):
    """A str subclass whose str() differs from its value (as with a str-mixin Enum)."""

    def __str__(self) -> str:
        return "Key.TITLE"


class _Record(Mapping[Any, Any]):
    """A mapping that is not a dict."""

    def __init__(self, data: dict[Any, Any]) -> None:
        self._data = data

    def __getitem__(self, key: Any) -> Any:
        return self._data[key]

    def __iter__(self) -> Iterator[Any]:
        return iter(self._data)

    def __len__(self) -> int:
        return len(self._data)


KEY_SPELLINGS = [
    "title", "Title", " TITLE ", "headline", "webTitle", "web_title", "Web-Title", "published_at",
    "publishedAt", "Published At", "date", "pubDate", "timestamp", "time", "url", "link", "webUrl",
    "source", "publisher", "summary", "description", "body", "content", "text", "tickers",
    "symbols", "ticker", "topics", "topic", "guid", "uuid", "impact", "market_impact", "lang",
    "is_sample", "ID", "id", "desk", "Desk ", "  ", "", "x-y", "nested", "é", "ANALYSIS",
]  # fmt: skip
VALUES: list[Any] = [None, "", [], {}, "x", "Plain title", 0, 1, False, [1], {"a": 1}, " ", 0.0]


def _mappings(seed: int, count: int) -> Iterator[Mapping[Any, Any]]:
    rng = random.Random(seed)
    layouts = [rng.sample(KEY_SPELLINGS, rng.randint(0, 9)) for _ in range(40)]
    for _ in range(count):
        keys: list[Any] = list(rng.choice(layouts))  # layouts repeat, as in a file
        if rng.random() < 0.1:
            keys.append(rng.choice([1, True, 1.0, None, _Key("title"), "x" * 150]))
        data = {key: rng.choice(VALUES) for key in keys}
        yield _Record(data) if rng.random() < 0.05 else data


def test_pick_fields_matches_the_general_reading_in_value_and_order():
    for data in _mappings(5, 6000):
        expected = _reference_pick_fields(data)
        for _ in range(2):  # the second time from a remembered plan
            fields, rest = canonical.pick_fields(data)
            assert (list(fields.items()), list(rest.items())) == (
                list(expected[0].items()),
                list(expected[1].items()),
            ), repr(data)


def test_equal_keys_of_other_types_are_not_read_by_a_string_plan():
    # The all-str layout first, so that its plan is there when the others come.
    layouts = [
        ["title", "url"],
        [_Key("title"), "url"],
        ["title", "1"],
        ["title", 1],
        ["title", True],
    ]
    for keys in layouts:
        data = dict.fromkeys(keys, "Some value")
        assert canonical.pick_fields(data) == _reference_pick_fields(data)


def _reference_parse_symbols(value: Any) -> tuple[list[str], list[str]]:
    good: list[str] = []
    bad: list[str] = []
    for item in fields._items(value):
        if isinstance(item, Mapping):
            item = item.get("symbol") or item.get("ticker")
        item = fields.scalar(item)
        symbol = "" if item is None else item.strip().lstrip("$").upper()
        if symbol:
            (good if fields.SYMBOL.match(symbol) else bad).append(symbol[:20])
    return list(dict.fromkeys(good)), bad


def _reference_parse_topics(value: Any) -> tuple[list[str], list[str]]:
    if isinstance(value, list | tuple):
        items = [t for v in value if (t := fields.scalar(v))]
    else:
        items = [p for p in re.split(r"[;|]\s*|,\s*", str(value)) if p.strip()]
    slugs: list[str] = []
    unknown: list[str] = []
    for item in items:
        slug = resolve_topic(item)
        if slug:
            slugs.append(slug)
        elif item.strip():
            unknown.append(_reference_one_line(item, max_len=100))
    return list(dict.fromkeys(slugs)), unknown


LIST_ITEMS: list[Any] = [
    "nvda", "$AMD", " brk.b ", "^GSPC", "x" * 30, "x" * 120, "this is not", "", " ", None, 5, 3.5,
    True, float("nan"), {"symbol": "msft"}, {"ticker": "f"}, {"name": "Earnings"}, ["A", "B"],
    "Earnings", "earnings", "M&A", "m and a", "Macro and Rates", "unknown thing", " <b>x</b> ",
    "semiconductors", "Regulation & Legal", "é", "ÄBC", "1234", "a\u00a0b", "t" * 150,
]  # fmt: skip


def _list_values(seed: int, count: int) -> Iterator[Any]:
    rng = random.Random(seed)
    for _ in range(count):
        items = [rng.choice(LIST_ITEMS) for _ in range(rng.randint(0, 5))]
        if rng.random() < 0.3:
            yield rng.choice([";", ",", "|", " ", ", "]).join(str(i) for i in items)
        else:
            yield items if rng.random() < 0.8 else tuple(items)


def test_symbols_and_topics_match_the_general_reading():
    for value in _list_values(6, 3000):
        for _ in range(2):  # the second time from the caches
            assert fields.parse_symbols(value) == _reference_parse_symbols(value), repr(value)
            assert fields.parse_topics(value) == _reference_parse_topics(value), repr(value)


def _reference_parse_score(value: Any, name: str, lo: float, hi: float) -> float | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise fields.BadRecord(f"{name} {str(value)[:30]!r} is not a number")
    value_text = str(value).strip()
    percent = value_text.endswith("%")
    try:
        score = float(value_text.removesuffix("%")) / (100 if percent else 1)
    except (TypeError, ValueError, OverflowError):
        raise fields.BadRecord(f"{name} {value_text[:30]!r} is not a number") from None
    if not float("-inf") < score < float("inf") or not lo <= score <= hi:
        raise fields.BadRecord(f"{name} {value_text[:30]} is outside {lo:g}..{hi:g}")
    return score


def test_scores_match_the_general_reading():
    rng = random.Random(7)
    values: list[Any] = [rng.uniform(-1.5, 1.5) for _ in range(2000)]
    values += [0.0, -0.0, 1.0, -1.0, 0.1 + 0.2, 1e-320, 5e-324, float("nan"), float("inf")]
    values += [0, 1, -1, 2, True, "0.7", "70%", "", " ", "high", [0.5], None]
    for value in values:
        for lo, hi in ((0.0, 1.0), (-1.0, 1.0)):
            got = _outcome(fields.parse_score, value, "impact", lo, hi)
            want = _outcome(_reference_parse_score, value, "impact", lo, hi)
            assert repr(got) == repr(want), repr(value)  # repr: -0.0 and 0.0 differ there


def test_a_moment_utc_cannot_hold_is_rejected_not_raised():
    from terminal.importers.dates import DateError, parse_when

    with pytest.raises(DateError, match="out of range"):
        parse_when("0001-01-01T00:00:00+14:00")


def test_a_relative_link_that_is_no_url_is_dropped():
    from terminal.text import safe_url

    assert safe_url("//[x]/", base="https://feed.example/rss") is None
    assert safe_url("/a/b", base="https://feed.example/rss") == "https://feed.example/a/b"
