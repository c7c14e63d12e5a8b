"""Turning untrusted outside text into plain, safe text and links."""

from __future__ import annotations

import html
import re
import unicodedata
from urllib.parse import urlsplit, urlunsplit

import nh3

_BLOCK_TAGS = re.compile(r"(?i)<\s*(br|/p|/div|/li|/h[1-6]|/tr|/blockquote)\b[^>]*>")
_WS = re.compile(r"[ \t\f\v\u00a0]+")
_BLANKS = re.compile(r"\n\s*\n+")
# Control characters (C0 and C1), and the bidi overrides that make text display in an
# order other than it reads ("Trojan Source" spoofing); ordinary RTL text needs none.
_CONTROL = dict.fromkeys(
    [c for c in range(32) if c not in (9, 10, 13)]
    + [*range(0x7F, 0xA0), *range(0x202A, 0x202F), *range(0x2066, 0x206A)]
)
_SCHEME = re.compile(r"(?i)^[a-z][a-z0-9+.-]*:")
# An http(s) URL with a plain host name, no port, user or fragment: urlsplit would give
# back these very parts (see safe_url), so they are put together without it.
_PLAIN_URL = re.compile(r"(?i)(https?)://([a-z0-9.-]+)(/[^?#]*)?(?:\?([^#]*))?")


def clean_text(value: object, *, max_len: int | None = None) -> str:
    """Plain text from text that may hold HTML: tags dropped, entities decoded, spaces tidied.

    Script and style contents are removed with their tags, so nothing that could run
    in a browser survives; the result is meant to be escaped again when shown.
    """
    if value is None:
        return ""
    text = str(value)
    if max_len is not None:
        # Cleaning markup costs more than linear time: never clean far more than is kept.
        text = text[: _raw_limit(max_len)]
    if not _is_clean(text):
        text = _cleaned(text)
    if max_len is not None and len(text) > max_len:
        text = text[: max_len - 1].rstrip() + "…"
    return text


def _is_clean(text: str) -> bool:
    """Whether clean_text would return `text` as it is (checked without regular expressions).

    Everything clean_text removes or changes is markup ("<", "&"), a doubled space, a space
    or newline at either end or a space at a line's end, three newlines in a row, text not
    in NFC form, or a character that is not printable: control characters, bidi overrides
    and every whitespace character but " " (newlines are looked at apart).
    """
    if "\n" in text:
        if " \n" in text or "\n " in text or "\n\n\n" in text:
            return False
        flat = text.replace("\n", "")
    else:
        flat = text
    return (
        flat.isprintable()
        and "<" not in text
        and "&" not in text
        and "  " not in text
        and text[:1] not in (" ", "\n")
        and text[-1:] not in (" ", "\n")
        and (text.isascii() or unicodedata.is_normalized("NFC", text))
    )


def _cleaned(text: str) -> str:
    """The work of clean_text on text that may need it: markup, controls, spaces."""
    if "<" in text or "&" in text:
        text = _BLOCK_TAGS.sub("\n", text)
        text = nh3.clean(text, tags=set(), clean_content_tags={"script", "style"})
        text = html.unescape(text)
        # A decoded "&lt;script&gt;" becomes markup again: strip that layer too.
        if "<" in text:
            text = html.unescape(
                nh3.clean(text, tags=set(), clean_content_tags={"script", "style"})
            )
    text = unicodedata.normalize("NFC", text).translate(_CONTROL).replace("\r\n", "\n")
    lines = [_WS.sub(" ", line).strip() for line in text.replace("\r", "\n").split("\n")]
    return _BLANKS.sub("\n\n", "\n".join(lines)).strip()


def one_line(value: object, *, max_len: int | None = None) -> str:
    """Plain text on a single line (titles, publishers, names)."""
    if value is None:
        return ""
    text = str(value)
    if max_len is not None:
        text = text[: _raw_limit(max_len)]
    if "\n" in text or not _is_clean(text):
        text = " ".join(_cleaned(text).split())
    return text[: max_len or None]


def _raw_limit(max_len: int) -> int:
    """How much raw (marked-up) text can be needed to produce `max_len` characters of plain text."""
    return max_len * 4 + 20_000


def safe_url(value: object, *, base: str | None = None) -> str | None:
    """An absolute http(s) URL, or None for anything else (javascript:, data:, garbage)."""
    if value is None:
        return None
    raw = str(value).strip()
    # " " is the one character both printable and a space: without it, all are kept.
    if not raw.isprintable() or " " in raw:
        raw = "".join(ch for ch in raw if ch.isprintable() and not ch.isspace())
    if not raw:
        return None
    if base and not _SCHEME.match(raw):
        from urllib.parse import urljoin

        try:
            raw = urljoin(base, raw)
        except ValueError:  # "//[x]/": not a URL
            return None
    plain = _PLAIN_URL.fullmatch(raw)
    if plain:
        scheme, host, path, query = plain.groups()
        return f"{scheme.lower()}://{host.lower()}{path or '/'}" + (f"?{query}" if query else "")
    try:
        parts = urlsplit(raw)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return None
    return urlunsplit(
        (parts.scheme.lower(), parts.netloc.lower(), parts.path or "/", parts.query, "")
    )


_TRACKING = re.compile(r"^(utm_[a-z]+|fbclid|gclid|mc_cid|mc_eid|ocid|cmpid)$", re.I)


def _untracked(query: str) -> str:
    """A query string without its tracking tags (and empty parts)."""
    return "&".join(p for p in query.split("&") if p and not _TRACKING.match(p.split("=", 1)[0]))


def canonical_url(value: object, *, base: str | None = None) -> str | None:
    """The URL used to recognise the same story twice: safe, no fragment, no tracking tags."""
    url = safe_url(value, base=base)
    if url is None:
        return None
    plain = _PLAIN_URL.fullmatch(url)
    if plain:  # scheme and host as safe_url lower-cased them, no port, no fragment
        scheme, host, path, query = plain.groups()
        query = _untracked(query) if query else ""
        path = (path or "").rstrip("/") or "/"
        return f"{scheme}://{host}{path}" + (f"?{query}" if query else "")
    parts = urlsplit(url)
    query = _untracked(parts.query)
    path = parts.path.rstrip("/") or "/"
    netloc = parts.netloc
    if (parts.scheme == "http" and netloc.endswith(":80")) or (
        parts.scheme == "https" and netloc.endswith(":443")
    ):
        netloc = netloc.rsplit(":", 1)[0]
    return urlunsplit((parts.scheme, netloc, path, query, ""))
