"""Reading stories from files: format detection and one entry point for every format."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

from terminal.importers.plaintext import read_text
from terminal.importers.structured import read_csv, read_json, read_jsonl
from terminal.records import ParseResult, Rejected

MAX_FILE_BYTES = 200 * 1024 * 1024
FORMATS = ("json", "jsonl", "csv", "text", "feed")
SUFFIXES = {
    ".json": "json", ".jsonl": "jsonl", ".ndjson": "jsonl", ".csv": "csv", ".tsv": "csv",
    ".txt": "text", ".text": "text", ".md": "text", ".xml": "feed", ".rss": "feed",
    ".atom": "feed",
}  # fmt: skip


class UnreadableInput(ValueError):
    """The input as a whole cannot be read (not one bad record: the whole file)."""


def decode(data: bytes) -> tuple[str, list[str]]:
    """Text from bytes: UTF-8 (with or without BOM), else Windows-1252, with a warning."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16"), []
    try:
        return data.decode("utf-8-sig"), []
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace"), ["not UTF-8: read as Windows-1252"]


def detect_format(data: bytes, name: str = "") -> str:
    """One of FORMATS, from the file name's suffix or else from the content."""
    by_suffix = SUFFIXES.get(Path(name).suffix.lower())
    if by_suffix:
        return by_suffix
    head = data.lstrip(b"\xef\xbb\xbf \t\r\n")[:2048]
    if head.startswith(b"<"):
        return "feed"
    if head.startswith(b"["):
        return "json"
    if head.startswith(b"{"):
        first = head.split(b"\n", 1)[0]
        try:
            json.loads(first)
            return "jsonl" if b"\n{" in data.strip() else "json"
        except ValueError:
            return "json"
    first_line = head.split(b"\n", 1)[0].lower()
    if b"title" in first_line and any(sep in first_line for sep in (b",", b";", b"\t", b"|")):
        return "csv"
    return "text"


def read_bytes(
    data: bytes,
    *,
    name: str = "",
    fmt: str | None = None,
    now: datetime | None = None,
    published_at: datetime | None = None,
) -> ParseResult:
    """Stories from the bytes of a file or upload, whatever its format."""
    now = now or datetime.now(UTC)
    if len(data) > MAX_FILE_BYTES:
        raise UnreadableInput(f"{name or 'input'} is larger than {MAX_FILE_BYTES >> 20} MB")
    if not data.strip():
        raise UnreadableInput(f"{name or 'input'} is empty")
    fmt = fmt or detect_format(data, name)
    if fmt == "feed":
        from terminal.ingest.feeds import parse_feed

        return parse_feed(data, url=f"file://{name}", fetched_at=now)
    text, warnings = decode(data)
    if "\x00" in text:
        raise UnreadableInput(f"{name or 'input'} looks like a binary file, not articles")
    reader = {"json": read_json, "jsonl": read_jsonl, "csv": read_csv, "text": read_text}.get(fmt)
    if reader is None:
        raise UnreadableInput(f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}")
    result = reader(text, now=now, default_published=published_at)
    result.warnings[:0] = warnings
    return result


def read_path(
    path: str | Path,
    *,
    fmt: str | None = None,
    now: datetime | None = None,
    published_at: datetime | None = None,
) -> ParseResult:
    """Stories from a file on disk."""
    path = Path(path)
    try:
        if path.stat().st_size > MAX_FILE_BYTES:
            raise UnreadableInput(f"{path} is larger than {MAX_FILE_BYTES >> 20} MB")
        data = path.read_bytes()
    except OSError as exc:
        raise UnreadableInput(f"cannot read {path}: {exc.strerror or exc}") from None
    return read_bytes(data, name=path.name, fmt=fmt, now=now, published_at=published_at)


__all__ = ["FORMATS", "ParseResult", "Rejected", "UnreadableInput", "read_bytes", "read_path"]
