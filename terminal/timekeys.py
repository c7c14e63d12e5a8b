"""Time keys: a story's publication time as microseconds since the epoch (`pub_key`)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def to_pub_key(moment: datetime) -> int:
    """Microseconds since the epoch: the store's time order and keyset cursor."""
    delta = moment.astimezone(UTC) - EPOCH
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


def from_pub_key(key: int) -> datetime:
    return EPOCH + timedelta(microseconds=key)
