"""Reactions computed from cached prices, saved, and printed by the CLI."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import Engine, delete
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from db.models import Article
from terminal.cli import app
from terminal.prices.cache import store_bars
from terminal.reactions.store import compute_reactions, load_reactions, pending_events
from terminal.store import save_articles
from tests.helpers import story
from tests.reactions.helpers import DAYS, bars, day_index, market

DAY0 = "2024-06-03"


@pytest.fixture
def session(sqlite_db: Engine) -> Iterator[Session]:
    with Session(sqlite_db, expire_on_commit=False) as s:
        yield s


def seed(session: Session) -> None:
    rm = market()
    rs = 2 * rm
    rs[day_index(DAY0)] += 0.05
    store_bars(session, pd.concat([bars("SPY", rm), bars("JMP", rs)]))
    published = datetime(2024, 6, 3, 15, tzinfo=UTC)
    save_articles(
        session, [story(1, tickers=["JMP"], published_at=published), story(2, tickers=["NOPX"])]
    )
    session.commit()


def test_missing_reactions_are_computed_once_and_saved(session: Session) -> None:
    seed(session)
    assert compute_reactions(session) == 1  # NOPX has no prices: left pending
    saved = load_reactions(session)
    row = saved.iloc[0]
    assert (row["symbol"], row["benchmark"], row["model"], row["provider"]) == (
        "JMP",
        "SPY",
        "market-model",
        "csv",
    )
    assert row["ar_0d"] == pytest.approx(0.05, abs=1e-9) and row["beta"] == pytest.approx(2.0)
    assert str(row["session"]) == DAY0
    assert list(pending_events(session)["symbol"]) == ["NOPX"]
    assert compute_reactions(session) == 0


def test_reactions_go_with_their_story(session: Session) -> None:
    seed(session)
    compute_reactions(session)
    session.execute(delete(Article))
    session.commit()
    assert load_reactions(session).empty


def test_cli_imports_csv_and_prints_reactions_as_json(tmp_path: Path) -> None:
    runner = CliRunner()
    rm = market()
    rs = 2 * rm
    rs[day_index(DAY0)] += 0.05
    for symbol, r in (("SPY", rm), ("JMP", rs)):
        frame = bars(symbol, r)
        csv = pd.DataFrame({"Date": DAYS[: len(r)].strftime("%Y-%m-%d"), "Open": frame["open"], "High": frame["high"],
                            "Low": frame["low"], "Close": frame["close"], "Adj Close": frame["adj_close"],
                            "Volume": frame["volume"]})  # fmt: skip
        path = tmp_path / f"{symbol}.csv"
        csv.to_csv(path, index=False)
        result = runner.invoke(app, ["prices", "import", str(path), "--symbol", symbol])
        assert result.exit_code == 0, result.output
        assert f"{len(r)} bars stored" in result.output
    stories = tmp_path / "story.json"
    stories.write_text(json.dumps([{"url": "https://x.example/1", "title": "Jump", "published_at": "2024-06-03T11:00:00-04:00",
                                    "tickers": ["JMP"], "source": "x"}]))  # fmt: skip
    assert runner.invoke(app, ["ingest", str(stories)]).exit_code == 0
    result = runner.invoke(app, ["reactions", "--format", "json"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)
    assert rows[0]["symbol"] == "JMP" and rows[0]["session"] == DAY0
    assert rows[0]["event_time"] == "2024-06-03T15:00:00Z"
    assert rows[0]["ar_0d"] == pytest.approx(0.05, abs=1e-9) and rows[0]["ret_15m"] is None
    for key in (
        "article_id",
        "benchmark",
        "ret_0d",
        "car_0_1d",
        "car_0_3d",
        "car_0_5d",
        "pre_5d",
        "beta",
        "tstat_0d",
        "volume_ratio",
        "model",
        "provider",
    ):
        assert key in rows[0]


def test_cli_rejects_a_bad_csv_without_a_traceback(tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text("Date,Open\n2024-01-02,1\n")
    result = CliRunner().invoke(app, ["prices", "import", str(path), "--symbol", "X"])
    assert (
        result.exit_code == 1
        and "missing column(s) High, Low, Close" in " ".join(result.output.split())
        and "Traceback" not in result.output
    )
