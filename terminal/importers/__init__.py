"""Reading stories from files: format detection and one entry point for every format."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from pathlib import Path

from terminal.importers.plaintext import read_text
from terminal.importers.structured import read_csv, read_json, read_jsonl
from terminal.records import ParseResult, Rejected
from terminal.unpack import gunzip_capped

MAX_FILE_BYTES = 200 * 1024 * 1024
FORMATS = ("json", "jsonl", "csv", "text", "feed")
SUFFIXES = {
    ".json": "json", ".jsonl": "jsonl", ".ndjson": "jsonl", ".csv": "csv", ".tsv": "csv",
    ".txt": "text", ".text": "text", ".md": "text", ".xml": "feed", ".rss": "feed",
    ".atom": "feed",
}  # fmt: skip
GZIP_MAGIC = b"\x1f\x8b"
_BINARY = re.compile("[\x00-\x08\x0e-\x1a\x1c-\x1f]")
_HEADER_CELL = re.compile(r"[A-Za-z][\w .-]{0,30}")


class UnreadableInput(ValueError):
    """The input as a whole cannot be read (not one bad record: the whole file)."""


def decode(data: bytes) -> tuple[str, list[str]]:
    """Text from bytes: UTF-8 (BOM or not), UTF-16 (BOM, or by its zero bytes), else cp1252."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", errors="replace"), []
    for zeros, other, codec in (
        (data[1::2], data[0::2], "utf-16-le"),
        (data[0::2], data[1::2], "utf-16-be"),
    ):
        if zeros[:64].count(0) > 24 and not other[:64].count(0):
            return data.decode(codec, errors="replace"), ["no byte-order mark: read as UTF-16"]
    try:
        return data.decode("utf-8-sig"), []
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace"), ["not UTF-8: read as Windows-1252"]


def detect_format(data: bytes, name: str = "") -> str:
    """One of FORMATS, from the file name's suffix or else from the content.

    A `.txt` file whose first line is a CSV header naming a title column is read as CSV.
    """
    head = data.lstrip(b"\xef\xbb\xbf \t\r\n")[:2048]
    first_line = head.split(b"\n", 1)[0].rstrip(b"\r")
    by_suffix = SUFFIXES.get(Path(name).suffix.lower())
    if by_suffix == "text" and _looks_like_csv_header(first_line):
        return "csv"
    if by_suffix:
        return by_suffix
    if head.startswith(b"<"):
        return "feed"
    if head.startswith(b"["):
        return "json"
    if head.startswith(b"{"):
        try:
            json.loads(first_line)
            return "jsonl" if b"\n{" in data.strip() else "json"
        except ValueError:
            return "json"
    return "csv" if _looks_like_csv_header(first_line) else "text"


def _looks_like_csv_header(line: bytes) -> bool:
    """A first line of short field names, one of them "title" or "headline"."""
    text = line.decode("utf-8", errors="replace").lower()
    sep = next((s for s in (",", ";", "\t", "|") if s in text), None)
    if sep is None:
        return False
    cells = [cell.strip().strip('"').strip() for cell in text.split(sep)]
    return bool({"title", "headline"} & set(cells)) and all(
        _HEADER_CELL.fullmatch(cell) for cell in cells if cell
    )


def gunzip(data: bytes, name: str = "input") -> bytes:
    """The content of gzip-compressed bytes, refusing more than MAX_FILE_BYTES (a zip bomb)."""
    try:
        return gunzip_capped(data, MAX_FILE_BYTES)
    except ValueError as exc:
        raise UnreadableInput(f"{name} is {exc}") from None


def read_bytes(
    data: bytes,
    *,
    name: str = "",
    fmt: str | None = None,
    now: datetime | None = None,
    published_at: datetime | None = None,
    defer: bool = False,
) -> ParseResult:
    """Stories from the bytes of a file or upload, whatever its format (gzip unpacked).

    `defer=True` leaves a JSON, JSONL or CSV file's items unread (`ParseResult.pending`)
    for `store_result` to read in its tagging workers; for callers that store the result.
    """
    now = now or datetime.now(UTC)
    label = name or "input"
    if len(data) > MAX_FILE_BYTES:
        raise UnreadableInput(f"{label} is larger than {MAX_FILE_BYTES >> 20} MB")
    if data.startswith(GZIP_MAGIC):
        data = gunzip(data, label)
        name = name.removesuffix(".gz").removesuffix(".GZ")
    if not data.strip():
        raise UnreadableInput(f"{label} is empty")
    fmt = fmt or detect_format(data, name)
    if fmt == "feed":
        from terminal.ingest.feeds import NotAFeed, parse_feed

        try:
            return parse_feed(data, url=f"file://{name}", fetched_at=now)
        except NotAFeed as exc:
            raise UnreadableInput(f"{label}: {exc}") from None
    text, warnings = decode(data)
    text, warnings = _without_nul(text, label, warnings)
    structured = {"json": read_json, "jsonl": read_jsonl, "csv": read_csv}.get(fmt)
    if structured is not None:
        result = structured(text, now=now, default_published=published_at, defer=defer)
    elif fmt == "text":
        result = read_text(text, now=now, default_published=published_at)
    else:
        raise UnreadableInput(f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}")
    result.warnings[:0] = warnings
    return result


def _without_nul(text: str, label: str, warnings: list[str]) -> tuple[str, list[str]]:
    """Text with a few stray NUL characters removed; many control characters mean binary."""
    if "\x00" not in text and not _BINARY.search(text, 0, 65_536):
        return text, warnings
    controls = len(_BINARY.findall(text, 0, 1_000_000))
    if controls > max(2, min(len(text), 1_000_000) // 200):
        raise UnreadableInput(f"{label} looks like a binary file, not articles")
    count = text.count("\x00")
    if not count:
        return text, warnings
    return text.replace("\x00", ""), [*warnings, f"removed {count} NUL characters"]


def read_path(
    path: str | Path,
    *,
    fmt: str | None = None,
    now: datetime | None = None,
    published_at: datetime | None = None,
    defer: bool = False,
) -> ParseResult:
    """Stories from a file on disk (`defer`: see read_bytes)."""
    path = Path(path)
    try:
        if path.stat().st_size > MAX_FILE_BYTES:
            raise UnreadableInput(f"{path} is larger than {MAX_FILE_BYTES >> 20} MB")
        data = path.read_bytes()
    except IsADirectoryError:
        raise UnreadableInput(f"{path} is a folder, not a file") from None
    except OSError as exc:
        raise UnreadableInput(f"cannot read {path}: {exc.strerror or exc}") from None
    return read_bytes(
        data, name=path.name, fmt=fmt, now=now, published_at=published_at, defer=defer
    )


__all__ = [
    "FORMATS",
    "ParseResult",
    "Rejected",
    "UnreadableInput",
    "detect_format",
    "gunzip",
    "read_bytes",
    "read_path",
]
