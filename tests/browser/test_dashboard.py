"""The dashboard in Debian's headless Chromium, against `streamlit run app.py` on a sample store."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from db.engine import make_engine
from terminal.database import migrate
from terminal.pipeline import store_result
from terminal.records import ArticleRecord, ParseResult
from terminal.sample import load_sample

pytestmark = pytest.mark.browser
ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]  # fmt: skip
HOSTILE = "<img src=x onerror=alert(1)><script>alert(2)</script>[click](javascript:alert(3))"


def _unavailable(reason: str) -> None:
    if os.environ.get("CI") == "true":
        pytest.fail(f"browser tests must run in CI: {reason}")
    pytest.skip(reason)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _hostile_store(path: Path) -> int:
    engine = make_engine(f"sqlite:///{path}")
    migrate(engine)
    load_sample(engine)
    record = ArticleRecord(
        title=HOSTILE, published_at=datetime(2025, 12, 1, 15, 0, tzinfo=UTC), publisher="Wire",
        summary=HOSTILE, tickers=["ZZZT"], topics=["ai"], impact=0.9,
    )  # fmt: skip
    article_id = store_result(
        engine, ParseResult(records=[record]), label="t", kind="file"
    ).inserted_ids[0]
    engine.dispose()
    return article_id


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, int]]:
    """The app on a free port, serving a sample store with one hostile story."""
    if not Path(CHROMIUM).exists():
        _unavailable(f"{CHROMIUM} is missing (apt-get install chromium)")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        _unavailable("playwright is not installed")
    path = tmp_path_factory.mktemp("browser") / "store.db"
    hostile_id = _hostile_store(path)
    port = _free_port()
    env = {**os.environ, "TERMINAL_DATABASE_URL": f"sqlite:///{path}"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port),
         "--server.headless", "true", "--browser.gatherUsageStats", "false"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )  # fmt: skip
    deadline = time.time() + 30
    while time.time() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            break
        except OSError:
            time.sleep(0.2)
    try:
        yield f"http://127.0.0.1:{port}", hostile_id
    finally:
        proc.terminate()
        proc.wait(timeout=10)


@pytest.fixture(scope="module")
def browser_page(server: tuple[str, int]) -> Iterator[tuple[Any, list[str]]]:
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(exist_ok=True)
    dialogs: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.set_default_timeout(45_000)
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        yield page, dialogs
        browser.close()


def _settle(page: Any) -> None:
    page.wait_for_selector("[data-testid='stApp']")
    page.wait_for_function("!document.querySelector('[data-testid=\"stStatusWidget\"]')")
    time.sleep(0.5)


def test_feed_filters_and_article(
    server: tuple[str, int], browser_page: tuple[Any, list[str]]
) -> None:
    base, _ = server
    page, _ = browser_page
    page.goto(base + "/")
    page.get_by_text("60 stories").wait_for()
    _settle(page)
    page.screenshot(path=str(ARTIFACTS / "feed.png"), full_page=True)

    page.goto(base + "/?ticker=NVDA")
    page.get_by_text("16 stories").wait_for()
    _settle(page)
    page.screenshot(path=str(ARTIFACTS / "feed-nvda.png"), full_page=True)

    page.locator("[data-testid='stSidebar']").get_by_text("negative", exact=True).click()
    page.wait_for_url("**sentiment=negative**")
    _settle(page)
    assert "ticker=NVDA" in page.url

    page.locator("[data-testid='stPageLink'] a[href*='article']").first.click()
    page.wait_for_url("**/article?id=*")
    # A sample story has its synthetic chart; a notice (offline, synthetic prices) may
    # come first, so wait for the chart itself (under load it can follow by seconds).
    page.locator(".js-plotly-plot").first.wait_for(timeout=30_000)
    _settle(page)
    assert page.locator(".js-plotly-plot").count() >= 1, "a sample story has its synthetic chart"
    page.screenshot(path=str(ARTIFACTS / "article.png"), full_page=True)

    page.go_back()
    page.wait_for_url("**sentiment=negative**")


def test_hostile_markup_is_shown_literally(
    server: tuple[str, int], browser_page: tuple[Any, list[str]]
) -> None:
    base, hostile_id = server
    page, dialogs = browser_page
    for path in ("/?ticker=ZZZT", f"/article?id={hostile_id}"):
        page.goto(base + path)
        page.get_by_text("<script>alert(2)</script>", exact=False).first.wait_for()
        _settle(page)
        assert page.locator("img[src='x']").count() == 0
        assert page.locator("a[href^='javascript']").count() == 0
    page.screenshot(path=str(ARTIFACTS / "hostile.png"), full_page=True)
    assert dialogs == []
