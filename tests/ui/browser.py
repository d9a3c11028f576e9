"""Helpers of the browser tests: Chromium through Playwright, a page that records every request, asking in the chat.

Every page made here records the requests it sends; `foreign_requests(page)` lists those to another host (or
port) than the app's, which the tests require to be empty (issue 16: nothing named by a document is fetched).
"""

from __future__ import annotations

import shutil
from contextlib import contextmanager
from urllib.parse import urlsplit

import pytest

from tests.ui.conftest import ROOT

CHROMIUM = shutil.which("chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update"]
SHOTS = ROOT / "docs" / "screenshots"
TIMEOUT = 120_000  # ms; generous: the machines are shared and an upload embeds a document
ANSWER_TIMEOUT = 240_000

needs_chromium = pytest.mark.skipif(CHROMIUM is None, reason="no chromium binary on PATH (apt-get install chromium)")


@contextmanager
def browser_page(url: str, *, width: int = 1280, height: int = 900, dark: bool = False):
    """A Chromium page on `url` whose requests are recorded in `page.requests_seen`."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": width, "height": height}, accept_downloads=True,
                                      locale="vi-VN", color_scheme="dark" if dark else "light")
        context.grant_permissions(["clipboard-read", "clipboard-write"], origin=url.rstrip("/"))
        page = context.new_page()
        page.requests_seen = []
        page.app_origin = urlsplit(url).netloc
        page.on("request", lambda request: page.requests_seen.append(request.url))
        page.set_default_timeout(TIMEOUT)
        page.goto(url)
        page.wait_for_selector("#cau-hoi textarea")
        try:
            yield page
        finally:
            context.close()
            browser.close()


def foreign_requests(page) -> list[str]:
    """Requests the page sent to anything but the app (data: and blob: URLs are not requests to a host)."""
    out = []
    for url in page.requests_seen:
        parts = urlsplit(url)
        if parts.scheme in ("data", "blob", "about", "chrome-extension"):
            continue
        if parts.netloc != page.app_origin:
            out.append(url)
    return out


def tab(page, name: str) -> None:
    """Open a tab (from the overflow menu when a narrow screen hides it there)."""
    button = page.get_by_role("tab", name=name)
    if button.count() == 0 or not button.first.is_visible():
        page.locator(".tabs .overflow-menu > button").first.click()
        button = page.locator(".tabs .overflow-dropdown button", has_text=name)
    button.first.click()
    page.wait_for_timeout(300)


def shot(page, name: str, *, full_page: bool = False) -> None:
    """Save a screenshot in docs/screenshots/."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.evaluate("window.scrollTo(0, 0)")
    page.wait_for_timeout(300)
    page.screenshot(path=str(SHOTS / name), full_page=full_page)


def ask(page, question: str) -> str:
    """Type a question, submit it and wait until its answer is complete (its actions shown); the answer text."""
    before = page.locator("#chat .turn-actions").count()
    box = page.locator("#cau-hoi textarea")
    box.fill(question)
    box.press("Enter")
    page.wait_for_function(f"() => document.querySelectorAll('#chat .turn-actions').length > {before}",
                           timeout=ANSWER_TIMEOUT)
    return page.locator("#chat .turn .msg.dap").last.inner_text()


def open_citation(page, turn: int, n: int = 1) -> str:
    """Click `[n]` in the answer of turn `turn` (0-based; -1 = last) and wait for the highlighted passage."""
    turns = page.locator("#chat .turn")
    target = turns.nth(turn if turn >= 0 else turns.count() + turn)
    target.locator(f".msg.dap .cite[data-n='{n}']").first.click()
    chunk = target.locator(f".msg.dap .cite[data-n='{n}']").first.get_attribute("data-chunk")
    page.wait_for_function(
        "(chunk) => { const el = document.querySelector('#xem-van-ban .doc-p.cited');"
        " return el && el.dataset.chunk === chunk; }", arg=chunk, timeout=ANSWER_TIMEOUT)
    return chunk
