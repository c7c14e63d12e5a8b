"""Prices for the app: the Sources page's refresh button and the first run (`make run`).

Yahoo when it answers; otherwise synthetic prices for the sample set only, said in one line.
Both then compute the reactions still missing, so the pages can read them from the store.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from db.engine import write_session
from terminal.config import benchmark_symbol
from terminal.prices.base import PriceFetcher
from terminal.prices.cache import (
    Progress,
    RefreshReport,
    fill_synthetic_for_sample,
    has_real_prices,
    refresh_for_articles,
)

Share = Callable[[float, str], None]  # progress as a share 0..1 and a label
Probe = Callable[[], bool]
PROBE_SECONDS = 2.5
OFFLINE = (
    "Yahoo Finance cannot be reached from this machine: charts for the sample stories use "
    "labelled synthetic prices; live stories get charts once prices can be fetched "
    "(`python -m terminal prices refresh`)."
)


def yahoo_probe() -> bool:
    """Whether Yahoo answers a quick connection (at most PROBE_SECONDS, remembered a minute)."""
    from terminal.prices.yahoo import yahoo_reachable

    return yahoo_reachable(timeout=PROBE_SECONDS - 0.5)


def yahoo_provider() -> PriceFetcher:
    """The Yahoo provider, without its own probe (the caller has just probed)."""
    from terminal.prices.yahoo import YahooProvider

    return YahooProvider(probe=None)


def refresh_prices(
    engine: Engine,
    progress: Share | None = None,
    *,
    provider: Callable[[], PriceFetcher] | None = None,
    reachable: Probe | None = None,
) -> str:
    """Fetch what the stored stories need, fall back to synthetic for the sample set when
    nothing real can be had, compute the missing reactions; one line saying what happened."""
    steps = _counted(progress)
    benchmark = benchmark_symbol()
    with write_session(engine) as session:
        online = (reachable or yahoo_probe)()
        report = RefreshReport()
        if online:
            source = (provider or yahoo_provider)()
            report = refresh_for_articles(session, source, benchmark=benchmark, progress=steps)
            session.commit()
        text = describe(report) if online else OFFLINE
        if not online or (report.errors and not has_real_prices(session)):
            fallback = fill_synthetic_for_sample(session, benchmark=benchmark, progress=steps)
            session.commit()
            if online and fallback.bars:
                text += " The sample stories use labelled synthetic prices meanwhile."
        return f"{text} {_react(session, benchmark)}"


def first_run_prices(
    engine: Engine,
    *,
    provider: Callable[[], PriceFetcher] | None = None,
    reachable: Probe | None = None,
) -> str:
    """Nothing when real prices are cached; else refresh_prices (Yahoo, else synthetic)."""
    with Session(engine) as session:
        if has_real_prices(session):
            return "Prices: real prices are cached (update: `python -m terminal prices refresh`)."
    return refresh_prices(engine, provider=provider, reachable=reachable)


def describe(report: RefreshReport) -> str:
    """A refresh report in one sentence."""
    text = f"Prices: {report.bars:,} bars stored in {report.calls} fetch(es)"
    if report.up_to_date:
        text += f", {len(report.up_to_date)} symbol(s) already up to date"
    if report.missing:
        text += f"; no bars for {_some(report.missing)}"
    if report.errors:
        reason = next(iter(report.errors.values()))
        text += f"; failed for {_some(report.errors)} ({reason})"
    return text + "."


def _some(symbols: dict[str, str], shown: int = 8) -> str:
    names = sorted(symbols)
    more = f" and {len(names) - shown} more" if len(names) > shown else ""
    return ", ".join(names[:shown]) + more


def _counted(progress: Share | None) -> Progress | None:
    """The cache's (done, total, label) progress as a share for st.progress."""
    if progress is None:
        return None
    return lambda done, total, label: progress(min(done / max(total, 1), 1.0), label)


def _react(session: Session, benchmark: str) -> str:
    """Compute the reactions still missing and say how many."""
    from terminal.reactions.store import compute_reactions

    return f"{compute_reactions(session, benchmark=benchmark):,} reaction(s) computed."
