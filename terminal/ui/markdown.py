"""Untrusted text made safe for Streamlit's markdown: every significant character escaped.

The text is shown as stored, character for character: nothing is dropped, so a title
holding `<script>` reads `<script>` on screen and never runs.
"""

from __future__ import annotations

import re

# Markdown, GFM, HTML, LaTeX ($), Streamlit directives (:red[..], :emoji:) and autolinks (://).
_SIGNIFICANT = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>$~&:=^\"'])")
_PARAGRAPHS = re.compile(r"\n\s*\n")
_CONTROL = dict.fromkeys(c for c in range(32) if c not in (9, 10))


def flat(text: object) -> str:
    """Text on one line: control characters dropped, runs of white space made one space."""
    return " ".join(str(text or "").translate(_CONTROL).split())


def escape_md(text: object) -> str:
    """One line of outside text that Streamlit's markdown shows literally (no links, HTML, LaTeX)."""
    return _SIGNIFICANT.sub(r"\\\1", flat(text))


def escape_paragraphs(text: object, *, max_len: int | None = None) -> list[str]:
    """Outside text as escaped paragraphs, one markdown block each."""
    raw = str(text or "").replace("\r\n", "\n")
    if max_len is not None and len(raw) > max_len:
        raw = raw[:max_len].rstrip() + "…"
    return [escape_md(p) for p in _PARAGRAPHS.split(raw) if p.strip()]


def shorten(text: object, limit: int) -> str:
    """Plain one-line text cut at a word boundary near `limit`, with an ellipsis."""
    line = flat(text)
    if len(line) <= limit:
        return line
    cut = line[:limit].rsplit(" ", 1)[0] or line[:limit]
    return cut.rstrip(",.;:") + "…"
