"""Untrusted feed bytes made ready for an XML parser: decoded, re-declared UTF-8, no DOCTYPE."""

from __future__ import annotations

import codecs
import re
from functools import lru_cache
from html.entities import name2codepoint

from terminal.text import one_line
from terminal.unpack import gunzip_capped

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_XML_DECL = re.compile(r"^\s*<\?xml\b[^>]*?\?>", re.IGNORECASE)
_DECLARED = re.compile(rb"^\s*<\?xml\b[^>]*?encoding\s*=\s*[\"']([A-Za-z0-9._:-]{1,40})[\"']")
_CHARSET = re.compile(r"charset\s*=\s*[\"']?([A-Za-z0-9._:-]{1,40})", re.IGNORECASE)
_NOT_XML_CHARS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_DOCTYPE = re.compile(r"<!DOCTYPE", re.IGNORECASE)
_DTD_TOKEN = re.compile(r"<!--|<\?|[\"'\[\]>]")
_ELEMENT = re.compile(r"<[A-Za-z_]")
_FEED_ROOT = re.compile(r"<(?:[\w.-]+:)?(?:rss|feed|RDF)[\s>/]")
_HTML_TITLE = re.compile(r"<title[^<>]{0,200}>([^<]{0,300})", re.IGNORECASE)
_AMPERSAND = re.compile(
    r"(<!\[CDATA\[.*?(?:\]\]>|\Z)|<!--.*?(?:-->|\Z))"
    r"|&(?:([A-Za-z][A-Za-z0-9]{0,31});|#([0-9]{1,7}|[xX][0-9a-fA-F]{1,6});)?",
    re.DOTALL,
)
_XML_ENTITIES = {"amp", "lt", "gt", "quot", "apos"}
_SNIFF_CHARS = 65_536
MAX_GUNZIPPED = 50_000_000  # a compressed feed file may unpack to this much, no more
# Browsers read these labels as windows-1252, and so do real feeds that declare them.
_AS_CP1252 = {"ascii", "latin_1", "iso8859-1", "cp1252"}


class NotAFeed(ValueError):
    """Content that is not an RSS or Atom feed, or that cannot be parsed safely."""


def _recover_cp1252(error: UnicodeError) -> tuple[str, int]:
    """Codec error handler: read bytes that are not valid UTF-8 as windows-1252."""
    if not isinstance(error, UnicodeDecodeError):
        raise error
    bad = error.object[error.start : error.end]
    return bytes(bad).decode("cp1252", errors="replace"), error.end


codecs.register_error("catalyst-cp1252", _recover_cp1252)


def prepare_xml(content: bytes, content_type: str | None = None) -> tuple[bytes, list[str]]:
    """UTF-8 bytes without DOCTYPE for feedparser, and warnings; raises NotAFeed if no feed."""
    content = gunzip_feed(content)
    text, warnings = decode_document(content, content_type)
    text, removed = strip_doctype(text)
    if removed:
        warnings.append(removed)
    describe_non_feed(text)
    text = _AMPERSAND.sub(_xml_reference, _XML_DECL.sub("", text, count=1).lstrip())
    return ('<?xml version="1.0" encoding="utf-8"?>\n' + text).encode("utf-8"), warnings


def gunzip_feed(content: bytes) -> bytes:
    """A gzip-compressed feed file unpacked (at most MAX_GUNZIPPED bytes); other bytes as they are."""
    if not content.startswith(b"\x1f\x8b"):
        return content
    try:
        return gunzip_capped(content, MAX_GUNZIPPED)
    except ValueError as exc:
        raise NotAFeed(str(exc)) from None


def _xml_reference(match: re.Match[str]) -> str:
    """An `&` made well-formed: HTML entities as numbers, stray ampersands escaped.

    No entity is ever defined (DOCTYPEs are gone), so HTML names like &nbsp; would stop
    the strict parser; numbers keep their meaning. CDATA and comments stay as they are.
    """
    verbatim, name, number = match.groups()
    if verbatim is not None:
        return verbatim
    if name is not None:
        if name in _XML_ENTITIES:
            return match.group()
        code = name2codepoint.get(name)
        return f"&#{code};" if code else f"&amp;{name};"
    if number is not None:
        value = int(number[1:], 16) if number[0] in "xX" else int(number)
        return match.group() if _xml_char(value) else ""
    return "&amp;"


def _xml_char(code: int) -> bool:
    """True for code points XML 1.0 allows in a document."""
    return (
        code in (0x9, 0xA, 0xD)
        or 0x20 <= code <= 0xD7FF
        or (0xE000 <= code <= 0x10FFFF and code not in (0xFFFE, 0xFFFF))
    )


def looks_like_feed(content: bytes) -> bool:
    """True when the bytes look like RSS or Atom (a cheap sniff of the document's start)."""
    text, _ = decode_document(content[: _SNIFF_CHARS * 4])
    text, _ = strip_doctype(text)
    return bool(_FEED_ROOT.search(text, 0, _SNIFF_CHARS))


def describe_non_feed(text: str) -> None:
    """Raise NotAFeed with a clear description unless the text holds an RSS/Atom root."""
    if _FEED_ROOT.search(text, 0, _SNIFF_CHARS):
        return
    head = text[:_SNIFF_CHARS].strip()
    if not head:
        raise NotAFeed("empty response: no feed content")
    if head[0] in "{[":
        raise NotAFeed("JSON, not an RSS or Atom feed")
    if re.search(r"<html[\s>]|<body[\s>]", head, re.IGNORECASE):
        title = _HTML_TITLE.search(head)
        named = f" ({one_line(title.group(1), max_len=80)!r})" if title else ""
        raise NotAFeed(f"an HTML page{named}, not an RSS or Atom feed")
    if "<" not in head:
        raise NotAFeed("plain text, not an RSS or Atom feed")
    raise NotAFeed("not an RSS or Atom feed (no <rss>, <feed> or <rdf:RDF> element)")


def decode_document(content: bytes, content_type: str | None = None) -> tuple[str, list[str]]:
    """Text from XML bytes in any encoding (BOM, declaration, HTTP charset; bad bytes recovered)."""
    warnings: list[str] = []
    for bom, encoding in _BOMS:
        if content.startswith(bom):
            return _lenient(content[len(bom) :], encoding, warnings), warnings
    if content.startswith((b"<\x00?\x00", b"<\x00!\x00", b"<\x00r\x00", b"<\x00f\x00")):
        return _lenient(content, "utf-16-le", warnings), warnings
    if content.startswith((b"\x00<\x00?", b"\x00<\x00!", b"\x00<\x00r", b"\x00<\x00f")):
        return _lenient(content, "utf-16-be", warnings), warnings
    declared = _declared_encodings(content, content_type, warnings)
    try:
        as_utf8 = content.decode("utf-8")
    except UnicodeDecodeError:
        as_utf8 = None
    if as_utf8 is not None and all(_single_byte(e) or e == "utf-8" for e in declared):
        if declared and declared[0] != "utf-8" and not as_utf8.isascii():
            warnings.append(f"declared {declared[0]} but the bytes are UTF-8; read as UTF-8")
        return _clean(as_utf8), warnings
    for encoding in declared:
        try:
            return _clean(content.decode(encoding)), warnings
        except UnicodeDecodeError:
            continue
    fallback = next((e for e in declared if not _single_byte(e) and e != "utf-8"), "utf-8")
    return _lenient(content, fallback, warnings), warnings


def _declared_encodings(content: bytes, content_type: str | None, warnings: list[str]) -> list[str]:
    """Known codec names from the HTTP charset and the XML declaration, in that order."""
    labels = []
    if content_type and (match := _CHARSET.search(content_type)):
        labels.append(match.group(1))
    if declaration := _DECLARED.match(content[:1024]):
        labels.append(declaration.group(1).decode("ascii"))
    names: list[str] = []
    for label in labels:
        try:
            name = codecs.lookup(label).name
        except LookupError:
            warnings.append(f"unknown encoding {label!r} ignored")
            continue
        if name.startswith(("utf-16", "utf-32")):
            continue  # a declaration readable as ASCII cannot be UTF-16/32
        name = "cp1252" if name in _AS_CP1252 else name
        if name not in names:
            names.append(name)
    return names


@lru_cache(maxsize=64)
def _single_byte(encoding: str) -> bool:
    """True for codecs that map every byte to one character (latin-1, cp1252, koi8-r...)."""
    return len(bytes(range(256)).decode(encoding, errors="replace")) == 256


def _lenient(content: bytes, encoding: str, warnings: list[str]) -> str:
    """Decode without failing; invalid UTF-8 bytes are read as windows-1252."""
    try:
        return _clean(content.decode(encoding))
    except UnicodeDecodeError:
        pass
    handler = "catalyst-cp1252" if encoding == "utf-8" else "replace"
    how = "read as windows-1252" if encoding == "utf-8" else "replaced"
    warnings.append(f"bytes that are not valid {encoding} were {how}")
    return _clean(content.decode(encoding, errors=handler))


def _clean(text: str) -> str:
    """Text without a leading BOM and without characters XML 1.0 forbids."""
    return _NOT_XML_CHARS.sub("", text.lstrip("\ufeff"))


def strip_doctype(text: str) -> tuple[str, str | None]:
    """The text without the DOCTYPEs before its root element, and a warning if they had entities."""
    pieces: list[str] = []
    position, warning = 0, None
    while (match := _DOCTYPE.search(text, position)) and not _ELEMENT.search(
        text, position, match.start()
    ):
        end = _doctype_end(text, match.start())
        if "<!ENTITY" in text[match.start() : end].upper():
            warning = "removed a DOCTYPE that declared XML entities (entities are never expanded)"
        pieces.append(text[position : match.start()])
        position = end
    if not pieces:
        return text, None
    pieces.append(text[position:])
    return "".join(pieces), warning


def _doctype_end(text: str, start: int) -> int:
    """Index just past the DOCTYPE at `start`, honouring quotes, comments and its subset."""
    position, in_subset = start + len("<!DOCTYPE"), False
    while match := _DTD_TOKEN.search(text, position):
        token, position = match.group(), match.end()
        if token in ("<!--", "<?", '"', "'"):
            closer = {"<!--": "-->", "<?": "?>"}.get(token, token)
            found = text.find(closer, position)
            if found < 0:
                break
            position = found + len(closer)
        elif token in "[]":
            in_subset = token == "["
        elif not in_subset:
            return position
    return len(text)
