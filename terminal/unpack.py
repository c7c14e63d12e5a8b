"""Unpacking gzip input with a size cap, so a small file cannot become a zip bomb."""

from __future__ import annotations

import zlib


def gunzip_capped(data: bytes, limit: int) -> bytes:
    """The content of gzip bytes, at most `limit` bytes; ValueError says what is wrong."""
    inflater = zlib.decompressobj(wbits=47)
    try:
        out = inflater.decompress(data, limit + 1)
    except zlib.error as exc:
        raise ValueError(f"a damaged gzip file ({exc})") from None
    if len(out) > limit or inflater.unconsumed_tail:
        raise ValueError(f"a gzip file that unpacks to more than {limit >> 20} MB")
    if not out and not inflater.eof:
        raise ValueError("a damaged gzip file (nothing could be unpacked)")
    return out
