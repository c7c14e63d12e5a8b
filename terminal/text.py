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
    text = _BLANKS.sub("\n\n", "\n".join(lines)).strip()
    if max_len is not None and len(text) > max_len:
        text = text[: max_len - 1].rstrip() + "…"
    return text


def one_line(value: object, *, max_len: int | None = None) -> str:
    """Plain text on a single line (titles, publishers, names)."""
    if max_len is not None and value is not None:
        value = str(value)[: _raw_limit(max_len)]
    return " ".join(clean_text(value, max_len=None).split())[: max_len or None]


def _raw_limit(max_len: int) -> int:
    """How much raw (marked-up) text can be needed to produce `max_len` characters of plain text."""
    return max_len * 4 + 20_000


def safe_url(value: object, *, base: str | None = None) -> str | None:
    """An absolute http(s) URL, or None for anything else (javascript:, data:, garbage)."""
    if value is None:
        return None
    raw = "".join(ch for ch in str(value).strip() if ch.isprintable() and not ch.isspace())
    if not raw:
        return None
    if base and not re.match(r"(?i)^[a-z][a-z0-9+.-]*:", raw):
        from urllib.parse import urljoin

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


_TRACKING = re.compile(r"^(utm_[a-z]+|fbclid|gclid|mc_cid|mc_eid|ocid|cmpid)$", re.I)


def canonical_url(value: object, *, base: str | None = None) -> str | None:
    """The URL used to recognise the same story twice: safe, no fragment, no tracking tags."""
    url = safe_url(value, base=base)
    if url is None:
        return None
    parts = urlsplit(url)
    query = "&".join(
        p for p in parts.query.split("&") if p and not _TRACKING.match(p.split("=", 1)[0])
    )
    path = parts.path.rstrip("/") or "/"
    netloc = parts.netloc
    if (parts.scheme == "http" and netloc.endswith(":80")) or (
        parts.scheme == "https" and netloc.endswith(":443")
    ):
        netloc = netloc.rsplit(":", 1)[0]
    return urlunsplit((parts.scheme, netloc, path, query, ""))
