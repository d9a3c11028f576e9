"""The running app serves a generation written by the command line: after `rag index remove X`, the next question
no longer cites X, the earlier answer that cited it says so in the viewer, and the Văn bản tab no longer lists it."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.ui.browser import ask, browser_page, needs_chromium, open_citation, tab
from tests.ui.conftest import ROOT, copy_index, launch_ui

pytestmark = needs_chromium
pytest.importorskip("playwright.sync_api")

KL183 = "haiphong-thanhuy-cv-trien-khai-kl183.txt"
QUESTION = "Ban Tổ chức Thành ủy phải làm gì trước 31/8/2025?"


def cited_chunks(page, turn: int) -> list[str]:
    return page.locator("#chat .turn").nth(turn).locator(".msg.dap .cite").evaluate_all(
        "els => els.map(e => e.dataset.chunk)")


def test_removed_on_the_command_line_is_no_longer_cited(corpus_index, tmp_path):  # noqa: F811
    index_dir = copy_index(tmp_path / "index")
    app, url = launch_ui(index_dir)
    try:
        with browser_page(url) as page:
            ask(page, QUESTION)
            assert any(c.startswith(KL183) for c in cited_chunks(page, 0))
            tab(page, "Văn bản")
            assert KL183 in page.locator("#bang-van-ban").inner_text()
            tab(page, "Hỏi đáp")

            done = subprocess.run([sys.executable, "-m", "rag", "index", "remove", KL183, "--index",
                                   str(index_dir), "-q"], cwd=ROOT, capture_output=True, text=True, timeout=600)
            assert done.returncode == 0, done.stderr

            ask(page, QUESTION)
            later = cited_chunks(page, 1)
            assert not any(c.startswith(KL183) for c in later), later
            # The earlier answer stays checkable: its passage, and a note that the document left the index.
            open_citation(page, 0, 1)
            assert "không còn trong chỉ mục" in page.locator("#xem-van-ban").inner_text()
            tab(page, "Văn bản")
            page.wait_for_function(f"() => !document.querySelector('#bang-van-ban').innerText.includes('{KL183}')")
            assert "hungyen-tinhuy-ctr-thuc-hien-kl121.txt" in page.locator("#bang-van-ban").inner_text()
            tab(page, "Đánh giá")
            page.locator("#so-cau input").fill("2")
            page.locator("#so-cau input").press("Tab")
            page.locator("#chay-danh-gia").click()
            page.wait_for_function("() => document.querySelector('#ket-qua-danh-gia').innerText.includes('Chỉ mục')",
                                   timeout=240_000)
            metrics = page.locator("#ket-qua-danh-gia").inner_text()
            assert "4 văn bản" in metrics, metrics
            assert "không có trong chỉ mục" in metrics and KL183.removesuffix(".txt") in metrics, metrics
    finally:
        app.close()


def test_removing_in_the_ui_asks_first(corpus_index, tmp_path):  # noqa: F811
    index_dir = copy_index(tmp_path / "index")
    app, url = launch_ui(index_dir)
    try:
        with browser_page(url) as page:
            tab(page, "Văn bản")
            picker = page.locator("#chon-xoa input")
            picker.click()
            picker.press_sequentially("KL 183", delay=30)  # the short name finds the document
            page.wait_for_function("() => document.querySelectorAll('[role=option]').length === 1")
            options = page.get_by_role("option")
            assert KL183 in options.first.inner_text()
            options.first.click()
            page.locator("#xoa-van-ban").click()
            page.locator("#xac-nhan-xoa").first.wait_for(state="visible")
            assert KL183 in page.locator("#xac-nhan-xoa").first.inner_text()
            page.locator("#huy-xoa").click()
            page.locator("#xac-nhan-xoa").first.wait_for(state="hidden")
            assert KL183 in app.service.assistant.documents  # nothing removed without confirming
            page.locator("#xoa-van-ban").click()
            page.locator("#xoa-han").click()
            page.wait_for_function("() => document.querySelector('#thong-bao-van-ban').innerText.includes('Đã xóa')")
            assert KL183 not in app.service.assistant.documents
            assert KL183 not in page.locator("#bang-van-ban").inner_text()
    finally:
        app.close()
