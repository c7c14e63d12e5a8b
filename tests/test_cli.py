"""The command line: init, ingest, articles, export and re-import, clear errors and exit codes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from typer.testing import CliRunner

from terminal.cli import app
from terminal.database import get_engine
from tests.conftest import FIRST_ARTICLE, ROOT

runner = CliRunner()


def run(*args: str):
    get_engine.cache_clear()
    return runner.invoke(app, list(args), catch_exceptions=False)


def write_jsonl(path: Path, rows: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


ROWS = [
    {"url": f"https://e.com/{i}", "title": f"Tesla story {i}", "published_at": f"2025-05-0{i}T12:00:00Z",
     "source": "Wire", "tickers": ["TSLA"], "topics": ["Earnings"], "impact": 0.1 * i}
    for i in range(1, 6)
]  # fmt: skip


def test_init_creates_the_schema_and_loads_the_sample_set_only_when_empty():
    first = run("init", "--sample-if-empty", "--no-prices")
    assert first.exit_code == 0, first.output
    assert "stories added" in first.output
    second = run("init", "--sample-if-empty", "--no-prices")
    assert "stories added" not in second.output
    listing = run("articles", "--sample", "only", "--format", "json", "--limit", "500")
    stories = json.loads(listing.output)
    assert 40 <= len(stories) <= 80
    first_article = [s for s in stories if s["title"].startswith("DeepSeek claims")]
    assert first_article and first_article[0]["impact"] == 0.5
    assert first_article[0]["published_at"].startswith("2025-09-18")


def test_sample_remove_takes_out_every_sample_story():
    run("init", "--sample", "--no-prices")
    removed = run("sample", "remove")
    assert removed.exit_code == 0
    assert json.loads(run("articles", "--format", "json").output) == []


def test_ingest_prints_a_summary_and_re_ingest_adds_nothing(tmp_path):
    path = write_jsonl(tmp_path / "a.jsonl", ROWS)
    first = run("ingest", str(path), str(FIRST_ARTICLE))
    assert first.exit_code == 0, first.output
    assert "ingest summary" in first.output
    again = run("ingest", str(path))
    assert again.exit_code == 0
    stories = json.loads(run("articles", "--format", "json", "--limit", "100").output)
    assert len(stories) == 6


def test_one_bad_source_exits_1_but_the_good_ones_are_stored(tmp_path):
    good = write_jsonl(tmp_path / "good.jsonl", ROWS[:2])
    result = run("ingest", str(tmp_path / "missing.json"), str(good))
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert "cannot read" in result.output
    assert len(json.loads(run("articles", "--format", "json").output)) == 2


def test_bad_records_are_listed_with_line_and_reason(tmp_path):
    path = tmp_path / "mixed.jsonl"
    path.write_text(json.dumps(ROWS[0]) + "\n{oops\n" + json.dumps({**ROWS[1], "impact": 9}) + "\n")
    result = run("ingest", str(path))
    assert result.exit_code == 0
    assert "line 2" in result.output and "invalid JSON" in result.output
    assert "line 3" in result.output and "outside 0..1" in result.output


def test_articles_filters_and_formats(tmp_path):
    run("ingest", str(write_jsonl(tmp_path / "a.jsonl", ROWS)), str(FIRST_ARTICLE))
    nvda = json.loads(run("articles", "--ticker", "NVDA", "--format", "json").output)
    assert [s["title"][:8] for s in nvda] == ["DeepSeek"]
    assert nvda[0]["id"] >= 1
    assert nvda[0]["tickers"] == ["NVDA", "TSLA", "INTC"]
    hot = run(
        "articles", "--ticker", "TSLA", "--min-impact", "0.35", "--format", "jsonl"
    ).output.splitlines()
    assert len(hot) == 3
    csv_out = run("articles", "--topic", "Earnings", "--format", "csv").output.splitlines()
    assert csv_out[0].startswith("id,url,title") and len(csv_out) == 6
    table = run("articles", "--q", "Tesla story", "--since", "2025-05-03")
    assert table.exit_code == 0 and "Tesla story 5" in table.output


def test_bad_options_give_a_clear_message_not_a_traceback():
    for args in (["articles", "--since", "yesterday-ish"], ["articles", "--topic", "nonsense"],
                 ["articles", "--format", "xml"], ["articles", "--ticker", "NV DA!"]):  # fmt: skip
        result = runner.invoke(app, args)
        assert result.exit_code == 2, args
        assert "Traceback" not in result.output


def test_export_then_import_into_a_new_store_gives_back_the_same_stories(tmp_path, monkeypatch):
    run("ingest", str(write_jsonl(tmp_path / "a.jsonl", ROWS)), str(FIRST_ARTICLE))
    exported = run("articles", "--format", "jsonl", "--limit", "1000").output
    dump = tmp_path / "dump.jsonl"
    dump.write_text(exported)
    monkeypatch.setenv("TERMINAL_DATABASE_URL", f"sqlite:///{tmp_path / 'second.db'}")
    assert run("ingest", str(dump)).exit_code == 0
    again = run("articles", "--format", "jsonl", "--limit", "1000").output

    def comparable(text):
        keep = ("url", "title", "published_at", "source", "summary", "body", "analysis", "tickers",
                "topics", "impact", "sentiment", "published_estimated", "is_sample")  # fmt: skip
        return [{k: json.loads(line)[k] for k in keep} for line in text.splitlines()]

    assert comparable(again) == comparable(exported)
    csv_dump = tmp_path / "dump.csv"
    csv_dump.write_text(run("articles", "--format", "csv", "--limit", "1000").output)
    monkeypatch.setenv("TERMINAL_DATABASE_URL", f"sqlite:///{tmp_path / 'third.db'}")
    assert run("ingest", str(csv_dump)).exit_code == 0
    assert comparable(run("articles", "--format", "jsonl", "--limit", "1000").output) == comparable(
        exported
    )


def test_python_dash_m_terminal_lists_its_commands(tmp_path):
    env = {**os.environ, "TERMINAL_DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}"}
    out = subprocess.run([sys.executable, "-m", "terminal", "--help"], cwd=ROOT, env=env,
                         capture_output=True, text=True, timeout=60)  # fmt: skip
    assert out.returncode == 0
    for command in ("init", "ingest", "articles", "sources", "watch"):
        assert command in out.stdout


def test_an_unreachable_database_is_one_clear_line(tmp_path):
    env = {**os.environ, "TERMINAL_DATABASE_URL": "postgresql://nobody@127.0.0.1:1/none"}
    out = subprocess.run([sys.executable, "-m", "terminal", "articles"], cwd=ROOT, env=env,
                         capture_output=True, text=True, timeout=60)  # fmt: skip
    assert out.returncode == 2
    assert "database error" in out.stderr and "Traceback" not in out.stderr


def test_a_folder_ingests_every_article_file_in_it(tmp_path):
    folder = tmp_path / "inbox"
    folder.mkdir()
    write_jsonl(folder / "a.jsonl", ROWS[:2])
    (folder / "first.txt").write_bytes(FIRST_ARTICLE.read_bytes())
    (folder / "notes.docx").write_bytes(b"not an article")
    result = run("ingest", str(folder))
    assert result.exit_code == 0, result.output
    assert len(json.loads(run("articles", "--format", "json").output)) == 3


def test_init_with_the_sample_set_prepares_prices_for_its_charts(monkeypatch):
    import terminal.prices.cache as cache

    calls = []
    monkeypatch.setattr(cache, "prepare_first_run", lambda engine: calls.append(engine) or "ok")
    result = run("init", "--sample")
    assert result.exit_code == 0 and "prices: ok" in result.output
    assert len(calls) == 1
    run("init", "--sample", "--no-prices")
    assert len(calls) == 1


def test_csv_export_keeps_formulas_inert_and_still_round_trips(tmp_path, monkeypatch):
    rows = [{**ROWS[0], "title": '=HYPERLINK("http://evil.example","x")', "summary": "-3% drop"}]
    run("ingest", str(write_jsonl(tmp_path / "f.jsonl", rows)))
    exported = run("articles", "--format", "csv").output
    assert "'=HYPERLINK" in exported and "'-3% drop" in exported
    (tmp_path / "f.csv").write_text(exported)
    monkeypatch.setenv("TERMINAL_DATABASE_URL", f"sqlite:///{tmp_path / 'again.db'}")
    run("ingest", str(tmp_path / "f.csv"))
    [story] = json.loads(run("articles", "--format", "json").output)
    assert story["title"] == '=HYPERLINK("http://evil.example","x")'
    assert story["summary"] == "-3% drop"
