"""Gradio's own status words are Vietnamese: with one answer at a time and two officials asking together, the
second one's queue position (a visually hidden line that a screen reader reads aloud) is "Đang chờ ...", not
Gradio's English "In queue: 1 of 1"."""

from __future__ import annotations

import time

import pytest

from tests.ui.browser import TIMEOUT, browser_page, needs_chromium
from tests.ui.conftest import ROOT, free_port
from tests.ui.english import english_words

pytestmark = needs_chromium


@pytest.fixture(scope="module")
def slow_app_url(corpus_index):  # noqa: F811 - pytest fixture injection
    """The app answering one question at a time, each answer held 9 s (so the second asker waits in the queue)."""
    from rag.library import Library
    from ui.app import build_app, launch
    from ui.service import UIService

    chat = UIService.chat

    def slow_chat(self, *args, **kwargs):
        for i, update in enumerate(chat(self, *args, **kwargs)):
            yield update
            if i == 0:  # "Đang tìm..." shown: the answer is held while the other asker waits
                time.sleep(9)

    library = Library(corpus_index)
    library.assistant()
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(UIService, "chat", slow_chat)
        app = build_app(library, testset=ROOT / "eval" / "dev.jsonl")
    _, url, _ = launch(app, host="127.0.0.1", port=free_port(), concurrency=1, prevent_thread_lock=True, quiet=True)
    yield url.rstrip("/") + "/"
    app.close()


def test_queue_position_is_vietnamese(slow_app_url):
    with browser_page(slow_app_url) as first:
        second = first.context.new_page()
        second.set_default_timeout(TIMEOUT)
        second.goto(slow_app_url)
        second.wait_for_selector("#cau-hoi textarea")
        for page in (first, second):
            page.locator("#cau-hoi textarea").fill("Ban Tổ chức Thành ủy phải làm gì?")
        first.locator("#cau-hoi textarea").press("Enter")
        first.wait_for_selector("#chat .dang-tim", timeout=30_000)  # the first question is being answered
        second.locator("#cau-hoi textarea").press("Enter")
        # Gradio announces the position once the 5 s since its last announcement ("Đang tải") have passed, for 1 s
        second.wait_for_function("() => { const t = document.body.textContent;"
                                 " if (t.includes('Đang chờ: thứ') || t.includes('In queue')) { window.__said = t; return true; }"
                                 " return false; }", timeout=30_000)
        text = second.evaluate("() => window.__said")
        assert "In queue" not in text
        status = text[text.index("Đang chờ: thứ"):][:40]
        assert english_words(status) == [], status
