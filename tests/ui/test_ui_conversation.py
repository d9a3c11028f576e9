"""The conversation in the real app: "Đang tìm trong văn bản…" while waiting, a stop button while answering, copy of
an answer with its sources, DOCX export of an answer with its citations."""

from __future__ import annotations

import io
import urllib.request

import pytest

from tests.ui.browser import ask, browser_page, needs_chromium
from tests.ui.conftest import launch_ui

pytestmark = needs_chromium
pytest.importorskip("playwright.sync_api")

QUESTION = "Ban Tổ chức Thành ủy phải làm gì trước 31/8/2025?"
LONG = "Các cấp ủy phải làm gì?"  # a duty list of some 35 lines, streamed line by line

# Records whether the chat ever showed a text (a MutationObserver, so a state of a few milliseconds counts).
WATCH_JS = """(text) => { window.__seen = false; const chat = document.querySelector('#chat');
  new MutationObserver(() => { if (chat.innerText.includes(text)) window.__seen = true; })
    .observe(chat, {subtree: true, childList: true, characterData: true}); }"""


@pytest.fixture(scope="module")
def served(corpus_index):  # noqa: F811
    app, url = launch_ui(corpus_index)
    yield app, url
    app.close()


def test_searching_message_and_stop_button(served):
    _, url = served
    with browser_page(url) as page:
        page.evaluate(WATCH_JS, "Đang tìm trong văn bản…")
        box = page.locator("#cau-hoi textarea")
        box.fill(LONG)
        box.press("Enter")
        stop = page.locator("#dung")
        stop.wait_for(state="visible")
        assert not page.locator("#gui").is_visible()  # one of the two at a time
        stop.click()
        page.locator("#gui").wait_for(state="visible")
        assert not stop.is_visible()
        assert page.evaluate("window.__seen"), "the waiting message was never shown"
        page.wait_for_timeout(1500)  # a cancelled answer does not go on streaming
        lines = page.locator("#chat .turn").last.locator(".msg.dap").inner_text().count("\n")
        full = served[0].service.assistant.ask(LONG).answer.count("\n")
        assert lines < full, (lines, full)
        assert page.locator("#chat .turn-actions").count() == 0  # the stopped answer is not a finished one
        answer = ask(page, QUESTION)  # and the next question is answered normally
        assert "31/8/2025" in answer


def test_copy_and_docx_carry_the_citations(served):
    from docx import Document

    _, url = served
    with browser_page(url) as page:
        answer = ask(page, QUESTION)
        turn = page.locator("#chat .turn").last
        sources = turn.locator(".nguon-title").all_inner_texts()
        turn.locator("[data-act=copy]").click()
        copied = page.evaluate("navigator.clipboard.readText()")
        assert copied.startswith(answer.splitlines()[0])
        assert "Nguồn:" in copied and all(title in copied for title in sources), copied

        turn.locator("[data-act=docx]").click()
        link = page.locator("#tep-docx a").first
        link.wait_for()
        href = link.get_attribute("href")
        body = urllib.request.urlopen(href if href.startswith("http") else url.rstrip("/") + href, timeout=30).read()
        text = "\n".join(p.text for p in Document(io.BytesIO(body)).paragraphs)
        assert QUESTION in text and answer.splitlines()[0] in text
        assert "Nguồn" in text and all(title in text for title in sources), text
