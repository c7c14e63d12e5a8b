"""The price cache: bars and fetched ranges in the database, so a range is never fetched twice."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import pandas as pd
from sqlalchemy import Engine, delete, func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from db.models import Article, ArticleTicker, PriceBar, PriceRange, Reaction
from terminal.prices.base import (
    DAILY,
    PRICE_COLUMNS,
    PriceFetcher,
    PriceQuery,
    empty_frame,
    is_intraday,
    normalise,
    to_utc,
)
from terminal.prices.calendar import event_sessions, sessions_in_range
from terminal.reactions import moves

SESSIONS_BEFORE, SESSIONS_AFTER = 260, 10
INTRADAY = "5m"
INTRADAY_LOOKBACK_DAYS = 59  # Yahoo keeps 5-minute bars for about 60 days
SYNTHETIC = "synthetic"
Progress = Callable[[int, int, str], None]
Span = tuple[pd.Timestamp, pd.Timestamp]


def _upsert(session: Session, rows: list[dict[str, Any]], *, overwrite: bool) -> None:
    """Insert bars; on a key clash replace them (or keep the stored ones if not `overwrite`)."""
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    for i in range(0, len(rows), 5000):
        stmt = insert(PriceBar).values(rows[i : i + 5000])
        keys = ["symbol", "interval", "ts"]
        if overwrite:
            cols = {c: stmt.excluded[c] for c in PRICE_COLUMNS if c not in keys + ["interval"]}
            stmt = stmt.on_conflict_do_update(index_elements=keys, set_=cols)
        else:
            stmt = stmt.on_conflict_do_nothing(index_elements=keys)
        session.execute(stmt)


def store_bars(session: Session, frame: pd.DataFrame) -> int:
    """Upsert normalised bars; real bars replace synthetic ones (which are then purged)."""
    if frame.empty:
        return 0
    frame = normalise(frame)
    real = frame.loc[frame["provider"] != SYNTHETIC]
    if not real.empty:
        purge_synthetic(session)
    records = frame.astype(object).where(frame.notna(), None)
    records["ts"] = [t.to_pydatetime() for t in frame["ts"]]
    rows = records.to_dict("records")
    _upsert(session, rows, overwrite=not real.empty)
    return len(rows)


def purge_synthetic(session: Session) -> None:
    """Drop synthetic bars, their ranges and reactions computed from them (real data has come)."""
    session.execute(delete(PriceBar).where(PriceBar.provider == SYNTHETIC))
    session.execute(delete(PriceRange).where(PriceRange.provider == SYNTHETIC))
    synthetic = Reaction.provider.contains(SYNTHETIC)
    touched = session.scalars(select(Reaction.article_id).where(synthetic).distinct()).all()
    session.execute(delete(Reaction).where(synthetic))
    moves.refresh(session, touched)  # the stories' moves from what is left


def record_range(
    session: Session, *, symbol: str, interval: str, provider: str, span: Span, rows: int
) -> None:
    """Remember that [start, end) was fetched for a symbol (rows = 0: fetched but empty)."""
    session.add(
        PriceRange(
            symbol=symbol, interval=interval, provider=provider, start=span[0].to_pydatetime(),
            end=span[1].to_pydatetime(), fetched_at=datetime.now(UTC), rows=rows,
        )
    )  # fmt: skip


def missing_spans(wanted: Span, covered: Iterable[Span]) -> list[Span]:
    """The parts of `wanted` that no covered span includes (half-open intervals)."""
    start, end = wanted
    gaps: list[Span] = []
    for lo, hi in sorted(covered):
        if hi <= start or lo >= end:
            continue
        if lo > start:
            gaps.append((start, lo))
        start = max(start, hi)
        if start >= end:
            break
    if start < end:
        gaps.append((start, end))
    return gaps


def covered_spans(session: Session, symbol: str, interval: str, provider: str) -> list[Span]:
    """Ranges already fetched for a symbol, interval and provider."""
    rows = session.execute(
        select(PriceRange.start, PriceRange.end).where(
            PriceRange.symbol == symbol,
            PriceRange.interval == interval,
            PriceRange.provider == provider,
        )
    ).all()
    return [(pd.Timestamp(a), pd.Timestamp(b)) for a, b in rows]


def load_prices(
    session: Session,
    symbols: Iterable[str],
    start: datetime | pd.Timestamp | str,
    end: datetime | pd.Timestamp | str,
    interval: str = DAILY,
) -> pd.DataFrame:
    """Cached bars for the symbols with start <= ts < end, as a normalised frame."""
    syms = sorted({s.upper() for s in symbols})
    if not syms:
        return empty_frame()
    cols = [getattr(PriceBar, c) for c in PRICE_COLUMNS]
    stmt = select(*cols).where(
        PriceBar.symbol.in_(syms),
        PriceBar.interval == interval,
        PriceBar.ts >= to_utc(start).to_pydatetime(),
        PriceBar.ts < to_utc(end).to_pydatetime(),
    )
    rows = session.execute(stmt).all()
    return normalise(pd.DataFrame(rows, columns=PRICE_COLUMNS)) if rows else empty_frame()


@dataclass(slots=True)
class RefreshReport:
    """What a refresh did: calls made, bars stored, and per-symbol problems."""

    calls: int = 0
    bars: int = 0
    up_to_date: list[str] = field(default_factory=list)
    missing: dict[str, str] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


def fetch_missing(
    session: Session,
    provider: PriceFetcher,
    needs: dict[str, Span],
    *,
    interval: str = DAILY,
    progress: Progress | None = None,
    now: pd.Timestamp | None = None,
) -> RefreshReport:
    """Fetch the uncovered parts of each symbol's span, batching symbols that need the same span."""
    report = RefreshReport()
    horizon = _horizon(now or pd.Timestamp.now(tz="UTC"), interval)
    batches: dict[Span, list[str]] = defaultdict(list)
    for symbol, (start, end) in needs.items():
        gaps = missing_spans(
            (start, min(end, horizon)), covered_spans(session, symbol, interval, provider.name)
        )
        if not gaps:
            report.up_to_date.append(symbol)
        for gap in gaps:
            batches[gap].append(symbol)
    total = len(batches)
    for done, (span, symbols) in enumerate(sorted(batches.items())):
        if progress:
            progress(done, total, f"{len(symbols)} symbol(s) {span[0]:%Y-%m-%d}→{span[1]:%Y-%m-%d}")
        # No transaction stays open over the network call: on SQLite it would hold the
        # write lock for as long as Yahoo takes, and ingestion would time out waiting.
        session.commit()
        result = provider.fetch(PriceQuery(tuple(symbols), span[0], span[1], interval))
        report.calls += 1
        report.bars += store_bars(session, result.frame)
        counts = result.frame["symbol"].value_counts()
        for symbol in symbols:
            if symbol not in result.errors:
                record_range(session, symbol=symbol, interval=interval, provider=provider.name,
                             span=span, rows=int(counts.get(symbol, 0)))  # fmt: skip
        session.commit()
        report.missing.update(result.missing)
        report.errors.update(result.errors)
        report.notes.extend(n for n in result.notes if n not in report.notes)
    if progress:
        progress(total, total, "done")
    return report


def _horizon(now: pd.Timestamp, interval: str) -> pd.Timestamp:
    """Nothing at or after this is requested: today's daily bar is not final yet."""
    return now.floor("min") if is_intraday(interval) else now.floor("D")


def article_needs(
    session: Session,
    *,
    symbols: Iterable[str] | None = None,
    benchmark: str = "SPY",
    sample_only: bool = False,
) -> dict[str, Span]:
    """Per symbol, the daily span the stored stories need: 260 sessions before to 10 after."""
    stmt = select(
        ArticleTicker.symbol,
        func.min(ArticleTicker.published_at),
        func.max(ArticleTicker.published_at),
    ).group_by(ArticleTicker.symbol)
    if sample_only:
        stmt = stmt.join(Article, Article.id == ArticleTicker.article_id).where(Article.is_sample)
    wanted = {s.upper() for s in symbols} if symbols else None
    if wanted:
        stmt = stmt.where(ArticleTicker.symbol.in_(wanted))
    rows = session.execute(stmt).all()
    if not rows:
        return {}
    spans = {sym: _study_span(first, last) for sym, first, last in rows}
    if benchmark:
        spans[benchmark.upper()] = (
            min(a for a, _ in spans.values()),
            max(b for _, b in spans.values()),
        )
    return spans


def _study_span(first: datetime, last: datetime) -> Span:
    """From 260 sessions before the first story's session to 10 after the last's (end exclusive)."""
    s0, s1 = event_sessions([first, last])
    grid = sessions_in_range(s0 - pd.Timedelta(days=400), s1 + pd.Timedelta(days=30))
    i0, i1 = grid.searchsorted(s0), grid.searchsorted(s1)
    lo = grid[max(i0 - SESSIONS_BEFORE, 0)]
    hi = grid[min(i1 + SESSIONS_AFTER, len(grid) - 1)] + pd.Timedelta(days=1)
    return lo.tz_localize("UTC"), hi.tz_localize("UTC")


def refresh_for_articles(
    session: Session,
    provider: PriceFetcher,
    *,
    symbols: Iterable[str] | None = None,
    benchmark: str = "SPY",
    progress: Progress | None = None,
    now: pd.Timestamp | None = None,
) -> RefreshReport:
    """Fetch, incrementally, the daily bars the stored stories (and the benchmark) need, and
    5-minute bars around the stories recent enough for Yahoo to still have them."""
    needs = article_needs(session, symbols=symbols, benchmark=benchmark)
    report = fetch_missing(session, provider, needs, progress=progress, now=now)
    recent = intraday_needs(session, symbols=symbols, benchmark=benchmark, now=now)
    if recent:
        minutes = fetch_missing(
            session, provider, recent, interval=INTRADAY, progress=progress, now=now
        )
        report.calls += minutes.calls
        report.bars += minutes.bars
        report.notes.extend(n for n in minutes.notes if n not in report.notes)
        # A story too old for intraday bars is not a daily failure: keep daily errors only.
        report.errors.update({s: e for s, e in minutes.errors.items() if s not in report.errors})
    return report


def intraday_needs(
    session: Session,
    *,
    symbols: Iterable[str] | None = None,
    benchmark: str = "SPY",
    now: pd.Timestamp | None = None,
) -> dict[str, Span]:
    """Per symbol, 5-minute bars from a day before its first recent story to two days after
    its last; recent means within Yahoo's 5-minute lookback (about 60 days)."""
    now = now or pd.Timestamp.now(tz="UTC")
    since = (now - pd.Timedelta(days=INTRADAY_LOOKBACK_DAYS)).to_pydatetime()
    stmt = (
        select(
            ArticleTicker.symbol,
            func.min(ArticleTicker.published_at),
            func.max(ArticleTicker.published_at),
        )
        .where(ArticleTicker.published_at >= since)
        .group_by(ArticleTicker.symbol)
    )
    wanted = {s.upper() for s in symbols} if symbols else None
    if wanted:
        stmt = stmt.where(ArticleTicker.symbol.in_(wanted))
    spans: dict[str, Span] = {
        sym: (pd.Timestamp(first) - pd.Timedelta(days=1), pd.Timestamp(last) + pd.Timedelta(days=2))
        for sym, first, last in session.execute(stmt)
    }
    if spans and benchmark:
        spans[benchmark.upper()] = (
            min(a for a, _ in spans.values()),
            max(b for _, b in spans.values()),
        )
    return spans


def has_real_prices(session: Session) -> bool:
    """True once any non-synthetic bar is stored."""
    stmt = select(PriceBar.symbol).where(PriceBar.provider != SYNTHETIC).limit(1)
    return session.execute(stmt).first() is not None


def fill_synthetic_for_sample(
    session: Session, *, benchmark: str = "SPY", progress: Progress | None = None
) -> RefreshReport:
    """Synthetic bars for the sample stories' tickers, only while no real prices are stored."""
    if has_real_prices(session):
        return RefreshReport(notes=["real prices are stored: no synthetic prices needed"])
    from terminal.prices.synthetic import SyntheticProvider

    needs = article_needs(session, benchmark=benchmark, sample_only=True)
    report = fetch_missing(session, SyntheticProvider(), needs, progress=progress)
    report.notes.append("SYNTHETIC prices for the sample set: illustrative only, not market data")
    return report


def refresh_for_ui(engine: Engine, progress: Callable[[float, str], None] | None = None) -> str:
    """Yahoo prices for the stored stories (offline: synthetic for the sample set), then the
    missing reactions; one line saying what happened (see terminal.prices.refresh)."""
    from terminal.prices.refresh import refresh_prices

    return refresh_prices(engine, progress)


def prepare_first_run(engine: Engine) -> str:
    """Prices for `make run`: nothing if real ones are cached, else Yahoo, else synthetic."""
    from terminal.prices.refresh import first_run_prices

    return first_run_prices(engine)
