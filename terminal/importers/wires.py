"""Other people's plain-text layouts: markdown, wire-service datelines, press-release furniture.

Pure helpers for `plaintext`: a markdown line reduced to its text, the publisher named by a
wire header or dateline ("(Reuters) -", "(Bloomberg) --", "--(BUSINESS WIRE)--"), bylines
and the boilerplate that closes wire stories and press releases.
"""

from __future__ import annotations

import re

from terminal.taxonomy import topics

_HEADING = re.compile(r"^#{1,6}\s+|\s+#+\s*$")
_WRAPPED = re.compile(r"^(\*\*|__|\*|_|`)(.+?)\1$")
_BOLD = re.compile(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1")
_LINK = re.compile(r"!?\[([^\]\n]{0,300})\]\((?:[^()\s]|\([^()\s]*\))*(?:\s+\"[^\"]*\")?\)")
_RULE = re.compile(r"^(?:\*\s*){3,}$|^(?:_\s*){3,}$")

WIRES = {
    "reuters": "Reuters",
    "bloomberg": "Bloomberg",
    "business wire": "Business Wire",
    "businesswire": "Business Wire",
    "pr newswire": "PR Newswire",
    "prnewswire": "PR Newswire",
    "globe newswire": "GlobeNewswire",
    "globenewswire": "GlobeNewswire",
    "accesswire": "ACCESSWIRE",
    "ap": "Associated Press",
    "associated press": "Associated Press",
    "dow jones": "Dow Jones",
    "afp": "AFP",
}
_WIRE_NAMES = "|".join(sorted((re.escape(k) for k in WIRES), key=len, reverse=True))
_DATELINE = re.compile(
    r"(?:^|[\s,])\(\s*(" + _WIRE_NAMES + r")\s*\)\s*(?:-{1,2}|\u2013|\u2014)"
    r"|--\s*\(\s*(" + _WIRE_NAMES + r")\s*\)\s*--"
    r"|/\s*(" + _WIRE_NAMES + r")\s*/",
    re.I,
)
_BYLINE = re.compile(r"^[Bb][Yy]\s+[A-Z][\w.'-]+(?:\s+(?:and\s+)?[A-Z][\w.'-]+){0,6}$")
_CLOSING = re.compile(
    r"^(?:\(?(?:additional\s+)?(?:reporting|writing|editing)\s+by\b"
    r"|©|\(c\)\s*\d{4}|copyright\s+(?:©\s*)?\d{4}"
    r"|(?:media\s+|investor\s+|press\s+)?contacts?\b:?)",
    re.I,
)
_FURNITURE = re.compile(r"^(?:most read from bloomberg|read more:|related:)", re.I)


def markdown_line(line: str) -> str:
    """A line of markdown as plain text: no heading marks, emphasis or link targets."""
    text = _HEADING.sub("", line.strip())
    if _RULE.match(text):
        return ""
    while match := _WRAPPED.match(text):
        text = match.group(2).strip()
    text = _LINK.sub(r"\1", text)
    return _BOLD.sub(r"\2", text)


def wire_name(line: str) -> str | None:
    """The wire service a header line names on its own ("Business Wire"), else None."""
    return WIRES.get(" ".join(line.lower().split()))


def dateline_wire(paragraph: str) -> str | None:
    """The wire service named in a story's dateline ("NEW YORK (Reuters) -"), else None."""
    match = _DATELINE.search(paragraph[:300])
    if not match:
        return None
    name = next(group for group in match.groups() if group)
    return WIRES.get(" ".join(name.lower().split()))


def is_byline(paragraph: str) -> bool:
    """A "By Jane Doe" line opening a story."""
    return len(paragraph) <= 80 and bool(_BYLINE.match(paragraph))


def is_closing(paragraph: str) -> bool:
    """Boilerplate that closes a story: credits, copyright, contacts, "About <company>"."""
    if paragraph.startswith("About "):
        return bool(re.match(r"About\s+[A-Z][\w.&'-]*", paragraph))
    return bool(_CLOSING.match(paragraph))


def is_furniture(paragraph: str) -> bool:
    """A page's reading list in the middle of a story ("Most Read from Bloomberg")."""
    return bool(_FURNITURE.match(paragraph))


def partial_topic_line(line: str) -> tuple[list[str], list[str]] | None:
    """Known topic labels run together with unknown Title Case ones: (slugs, unknown labels).

    None unless at least one known label is found and every other piece reads as a label.
    """
    labels = sorted(((t.label, t.slug) for t in topics()), key=lambda pair: -len(pair[0]))
    slugs: list[str] = []
    unknown: list[str] = []
    rest, i = "", 0
    while i < len(line):
        found = next(((lab, slug) for lab, slug in labels if line.startswith(lab, i)), None)
        if found is None:
            rest += line[i]
            i += 1
            continue
        unknown.append(rest)
        rest = ""
        slugs.append(found[1])
        i += len(found[0])
    runs = "\n".join([*unknown, rest])
    pieces = re.split(r"\n|(?<=[a-z])(?=[A-Z])", runs)
    unknown = [p for p in (piece.strip(" ,;|·•") for piece in pieces) if p]
    if not slugs or not all(_LABELISH.fullmatch(p) for p in unknown):
        return None
    return list(dict.fromkeys(slugs)), unknown


_LABELISH = re.compile(r"[A-Z][\w'-]*(?:\s(?:&|and|[A-Z][\w'-]*)){0,5}")
