"""Reactions in the database: compute the missing ones from cached prices, save and load them."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from functools import cache
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import and_, or_, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from db.models import ArticleTicker, PriceBar, Reaction
from terminal.prices.base import DAILY
from terminal.prices.cache import load_prices
from terminal.reactions import moves
from terminal.reactions.study import BENCHMARK, INTRADAY_COLUMNS, REACTION_COLUMNS, event_study

STORED_COLUMNS = [c for c in REACTION_COLUMNS if c not in ("ret_0_1d", "ret_0_3d", "ret_0_5d",
                  "ret_pre_5d", "sigma", "n_estimation")] + INTRADAY_COLUMNS  # fmt: skip
HISTORY = pd.Timedelta(days=400)  # covers 260 sessions of estimation and pre-event days
FOLLOW = pd.Timedelta(days=30)  # covers 10 sessions after


def pending_events(
    session: Session,
    *,
    benchmark: str = BENCHMARK,
    recompute: bool = False,
    article_id: int | None = None,
) -> pd.DataFrame:
    """(article_id, symbol, event_time) with no reaction yet, or an incomplete one (no CAR[0,+5])."""
    joined = and_(
        Reaction.article_id == ArticleTicker.article_id,
        Reaction.symbol == ArticleTicker.symbol,
        Reaction.benchmark == benchmark,
    )
    stmt = select(ArticleTicker.article_id, ArticleTicker.symbol, ArticleTicker.published_at)
    stmt = stmt.outerjoin(Reaction, joined)
    if not recompute:
        stmt = stmt.where(or_(Reaction.article_id.is_(None), Reaction.car_0_5d.is_(None)))
    if article_id is not None:
        stmt = stmt.where(ArticleTicker.article_id == article_id)
    rows = session.execute(stmt).all()
    frame = pd.DataFrame(rows, columns=["article_id", "symbol", "event_time"])
    frame["event_time"] = pd.to_datetime(frame["event_time"], utc=True)
    return frame


def _intraday_bars(
    session: Session, symbols: list[str], lo: pd.Timestamp, hi: pd.Timestamp
) -> pd.DataFrame:
    """Every cached intraday bar for the symbols in [lo, hi)."""
    stmt = select(PriceBar.interval).where(PriceBar.symbol.in_(symbols), PriceBar.interval != DAILY)
    intervals = sorted(set(session.scalars(stmt.distinct())))
    frames = [load_prices(session, symbols, lo, hi, interval) for interval in intervals]
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


def compute_reactions(
    session: Session,
    *,
    benchmark: str = BENCHMARK,
    recompute: bool = False,
    article_id: int | None = None,
) -> int:
    """Compute and save the pending reactions from cached prices; returns how many were saved."""
    events = pending_events(
        session, benchmark=benchmark, recompute=recompute, article_id=article_id
    )
    if events.empty:
        return 0
    symbols = sorted(set(events["symbol"]) | {benchmark.upper()})
    lo, hi = events["event_time"].min() - HISTORY, events["event_time"].max() + FOLLOW
    prices = load_prices(session, symbols, lo, hi, DAILY)
    intraday = _intraday_bars(session, symbols, lo, hi)
    study = event_study(events, prices, benchmark=benchmark, intraday=intraday)
    usable = study.loc[~study["provider"].str.contains("none")]
    save_reactions(session, usable)
    session.commit()
    return len(usable)


def save_reactions(session: Session, frame: pd.DataFrame) -> None:
    """Upsert reaction rows (NaN stored as NULL)."""
    if frame.empty:
        return
    out = frame[STORED_COLUMNS].astype(object)
    out = out.where(frame[STORED_COLUMNS].notna(), None)
    out["event_time"] = [t.to_pydatetime() for t in pd.to_datetime(frame["event_time"], utc=True)]
    out["computed_at"] = datetime.now(UTC)
    rows: list[dict[str, Any]] = out.to_dict("records")
    for row in rows:
        row["article_id"] = int(row["article_id"])
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    keys = ["article_id", "symbol", "benchmark"]
    for i in range(0, len(rows), 2000):
        stmt = insert(Reaction).values(rows[i : i + 2000])
        update = {c: stmt.excluded[c] for c in [*STORED_COLUMNS, "computed_at"] if c not in keys}
        session.execute(stmt.on_conflict_do_update(index_elements=keys, set_=update))
    moves.refresh(session, (row["article_id"] for row in rows))


def load_reactions(
    session: Session,
    *,
    article_id: int | None = None,
    article_ids: Sequence[int] | None = None,
    benchmark: str | None = None,
    limit: int | None = None,
) -> pd.DataFrame:
    """Stored reactions (of one story, or of some), newest story first."""
    cols = [getattr(Reaction, c) for c in STORED_COLUMNS]
    stmt = select(*cols).order_by(
        Reaction.event_time.desc(), Reaction.article_id.desc(), Reaction.symbol
    )
    if article_id is not None:
        stmt = stmt.where(Reaction.article_id == article_id)
    if article_ids is not None:
        stmt = stmt.where(Reaction.article_id.in_([int(i) for i in article_ids]))
    if benchmark is not None:
        stmt = stmt.where(Reaction.benchmark == benchmark.upper())
    if limit is not None:
        stmt = stmt.limit(limit)
    rows = session.execute(stmt).all()
    if not rows:  # the usual answer while no prices are stored: typing an empty frame took 7 ms
        return _no_reactions().copy()
    return _typed(pd.DataFrame(rows, columns=STORED_COLUMNS))


def _typed(frame: pd.DataFrame) -> pd.DataFrame:
    floats = [c for c in STORED_COLUMNS if c not in ("article_id", "symbol", "benchmark", "event_time",
                                                      "session", "model", "provider")]  # fmt: skip
    frame[floats] = frame[floats].astype("float64").replace({None: np.nan})
    frame["event_time"] = pd.to_datetime(frame["event_time"], utc=True)
    return frame


@cache
def _no_reactions() -> pd.DataFrame:
    return _typed(pd.DataFrame([], columns=STORED_COLUMNS))
