"""A fresh server's very first request is a deep link: it still gets the app's navigation."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.test_dashboard import ARTIFACTS, _settle, browser_page, server

pytestmark = pytest.mark.browser
__all__ = ["browser_page", "server"]


def test_first_request_to_a_page_url_runs_inside_the_apps_navigation(
    server: tuple[str, int], browser_page: tuple[Any, list[str]]
) -> None:
    base, _ = server
    page, _ = browser_page
    page.goto(base + "/ticker?symbol=NVDA")
    page.get_by_text("What moves NVDA", exact=False).wait_for()
    _settle(page)
    page.screenshot(path=str(ARTIFACTS / "deep-link.png"), full_page=True)
    nav = page.locator("[data-testid='stTopNavLinkContainer'], header").first
    assert nav.get_by_text("Event study").count() >= 1, "the top navigation is there"
    sidebar_nav = page.locator("[data-testid='stSidebarNav']")
    assert sidebar_nav.count() == 0, "no old-style page list from the pages/ folder"
    assert "symbol=NVDA" in page.url
