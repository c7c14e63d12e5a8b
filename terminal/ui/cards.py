"""What a news card shows, as plain data: badges, times, chips, summary, all text escaped."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime

from terminal.story_rows import ArticleRow
from terminal.taxonomy import by_slug
from terminal.ui.markdown import escape_md, shorten

SUMMARY_CHARS = 220
IMPACT_LEVELS = ((0.7, "high", "red"), (0.4, "medium", "orange"), (0.0, "low", "gray"))


@dataclass(frozen=True, slots=True)
class Badge:
    """A short label and a Streamlit badge colour."""

    label: str
    color: str
    help: str = ""


@dataclass(frozen=True, slots=True)
class TickerChip:
    symbol: str
    label: str  # "NVDA", or "NVDA −3.1%" when the day-0 abnormal move is known
    move: float | None = None


@dataclass(frozen=True, slots=True)
class CardView:
    """One story as the feed renders it; every `*_md` field is escaped markdown."""

    id: int
    title_md: str
    publisher_md: str
    relative: str
    exact: str
    summary_md: str
    badges: list[Badge] = field(default_factory=list)
    tickers: list[TickerChip] = field(default_factory=list)
    topics: list[str] = field(default_factory=list)
    read: bool = False


def impact_level(score: float) -> tuple[str, str]:
    """(level, badge colour) for an impact score 0..1: low grey, medium amber, high red."""
    return next((name, color) for floor, name, color in IMPACT_LEVELS if score >= floor)


def impact_badges(impact: float | None, model: float | None) -> list[Badge]:
    """The source's score ("IMPACT 0.50") and ours ("model 0.62"), told apart."""
    out: list[Badge] = []
    if impact is not None:
        level, color = impact_level(impact)
        out.append(Badge(f"IMPACT {impact:.2f}", color, f"{level} impact, as the source scored it"))
    if model is not None:
        level, color = impact_level(model)
        label = f"model {model:.2f}" if impact is not None else f"IMPACT {model:.2f} (model)"
        out.append(
            Badge(label, color if impact is None else "gray", f"{level} impact, Catalyst's model")
        )
    return out


def sentiment_badge(sentiment: float | None) -> Badge | None:
    if sentiment is None:
        return None
    if sentiment <= -0.15:
        return Badge(f"▼ negative {sentiment:+.2f}", "red", "lexicon sentiment")
    if sentiment >= 0.15:
        return Badge(f"▲ positive {sentiment:+.2f}", "green", "lexicon sentiment")
    return Badge(f"● neutral {sentiment:+.2f}", "gray", "lexicon sentiment")


def relative_time(when: datetime, now: datetime | None = None) -> str:
    """ "just now", "5 min ago", "2 h ago", "3 d ago", then the date."""
    now = now or datetime.now(UTC)
    seconds = (now - when).total_seconds()
    ahead = seconds < 0
    seconds = abs(seconds)
    if seconds >= 30 * 86_400:
        return when.strftime("%-d %b %Y")
    for size, unit in ((86_400, "d"), (3_600, "h"), (60, "min")):
        if seconds >= size:
            amount = f"{int(seconds // size)} {unit}"
            return f"in {amount}" if ahead else f"{amount} ago"
    return "just now"


def exact_time(when: datetime, *, estimated: bool = False) -> str:
    """ "2025-01-06 14:32 UTC", marked when the source gave no time and it was estimated."""
    text = when.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")
    return f"≈{text} (estimated)" if estimated else text


def percent(value: float) -> str:
    """-0.031 -> "−3.1%" (a real minus sign)."""
    return f"{value * 100:+.1f}%".replace("-", "−")


def ticker_chips(symbols: list[str], moves: Mapping[str, float] | None = None) -> list[TickerChip]:
    moves = moves or {}
    chips = []
    for symbol in symbols:
        move = moves.get(symbol)
        label = symbol if move is None else f"{symbol} {percent(move)}"
        chips.append(TickerChip(symbol, label, move))
    return chips


def topic_label(slug: str) -> str:
    topic = by_slug().get(slug)
    return topic.label if topic else slug


def card_view(
    row: ArticleRow,
    *,
    now: datetime | None = None,
    read: bool = False,
    moves: Mapping[str, float] | None = None,
    synthetic: bool = False,
) -> CardView:
    """The card for one story; `moves` maps its tickers to day-0 abnormal returns."""
    badges = impact_badges(row.impact, row.impact_model)
    mood = sentiment_badge(row.sentiment)
    if mood:
        badges.append(mood)
    if row.cluster_size > 1:
        badges.append(Badge(f"+{row.cluster_size - 1} sources", "blue", "the same story elsewhere"))
    if row.is_sample:
        badges.append(Badge("Sample", "violet", "an illustrative story from the sample set"))
    if moves and synthetic:
        badges.append(
            Badge("synthetic prices", "gray", "moves from illustrative, generated prices")
        )
    return CardView(
        id=row.id,
        title_md=escape_md(row.title) or "(untitled)",
        publisher_md=escape_md(row.publisher) or "unknown source",
        relative=("≈" if row.published_estimated else "") + relative_time(row.published_at, now),
        exact=exact_time(row.published_at, estimated=row.published_estimated),
        summary_md=escape_md(shorten(row.summary, SUMMARY_CHARS)),
        badges=badges,
        tickers=ticker_chips(row.tickers, moves),
        topics=[escape_md(topic_label(t)) for t in row.topics],
        read=read,
    )
