"""Feedback that becomes test cases, in the real app: 👎 on an answer with a comment, stored beside the index; in the
Đánh giá tab the official writes the expected facts, picks the passage in the viewer, makes the case and runs it;
`rag feedback list|export` and `rag eval --testset` read the same files."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from rag.evaluation.testset import load_testset
from rag.feedback import FeedbackStore, user_testset_path
from tests.ui.browser import ask, browser_page, needs_chromium, tab
from tests.ui.conftest import ROOT, copy_index, launch_ui

pytestmark = needs_chromium
pytest.importorskip("playwright.sync_api")

QUESTION = "Ban Tổ chức Thành ủy phải làm gì trước 31/8/2025?"
EVIDENCE = "bổ sung cán bộ lãnh đạo cho cấp xã"
COMMENT = "Thiếu nhiệm vụ kiện toàn cán bộ cấp xã"


def rag(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "rag", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=900)


def test_thumbs_down_becomes_a_test_case_run_from_the_evaluation_tab(corpus_index, tmp_path):  # noqa: F811
    index_dir = copy_index(tmp_path / "index")
    app, url = launch_ui(index_dir)
    try:
        with browser_page(url) as page:
            ask(page, QUESTION)
            page.locator("#chat .turn").first.locator("[data-act=feedback][data-v=down]").click()
            page.wait_for_selector("#noi-dung-gop-y textarea")
            assert "phản hồi số 1" in page.locator("#thong-bao-phan-hoi").inner_text()
            page.wait_for_function("() => document.querySelector('#chat [data-v=down]').classList.contains('chosen')")
            page.locator("#noi-dung-gop-y textarea").fill(COMMENT)
            page.locator("#luu-gop-y").click()
            page.wait_for_function("() => document.querySelector('#thong-bao-phan-hoi').innerText.includes('Đã lưu góp ý')")

            stored = FeedbackStore(index_dir).list()
            assert len(stored) == 1 and stored[0].rating == "down" and stored[0].question == QUESTION
            assert stored[0].comment == COMMENT and stored[0].citations and stored[0].generation

            tab(page, "Đánh giá")
            page.wait_for_function(f"() => document.querySelector('#bang-phan-hoi').innerText.includes('{COMMENT}')")
            page.locator("#chon-phan-hoi input").click()
            page.get_by_role("option").first.click()
            page.wait_for_selector("#xem-bang-chung .doc-p.cited")
            target = page.locator("#xem-bang-chung .doc-p", has_text=EVIDENCE).first
            chunk = target.get_attribute("data-chunk")
            target.click()
            page.wait_for_function("(c) => document.querySelector('#doan-bang-chung textarea, #doan-bang-chung input')"
                                   ".value === c", arg=chunk)
            page.wait_for_function("(c) => document.querySelector('#xem-bang-chung .doc-p.cited').dataset.chunk === c",
                                   arg=chunk)
            page.locator("#y-dung textarea").fill(f"31/8/2025\n{EVIDENCE}")
            page.locator("#tao-cau-kiem-thu").click()
            page.wait_for_function("() => document.querySelector('#thong-bao-kiem-thu').innerText.includes('fb-1')")
            assert "✅" in page.locator("#thong-bao-kiem-thu").inner_text()

            page.locator("#bo-nguoi-dung").click()
            page.locator("#chay-danh-gia").click()
            page.wait_for_function("() => document.querySelector('#ket-qua-danh-gia').innerText.includes('1 câu hỏi')",
                                   timeout=240_000)
            assert "fb-1" in page.locator("#bang-danh-gia").inner_text()
            assert "fb-1" in page.locator("#bang-phan-hoi").inner_text()  # the feedback names its case

        cases = load_testset(user_testset_path(index_dir))
        assert [c.id for c in cases] == ["fb-1"]
        assert cases[0].facts == ["31/8/2025", EVIDENCE] and cases[0].evidence[0].doc == chunk.rsplit("#", 1)[0]
        assert FeedbackStore(index_dir).get(1).case_id == "fb-1"

        listed = rag("feedback", "list", "--index", str(index_dir))
        assert listed.returncode == 0 and QUESTION in listed.stdout and "chưa đúng" in listed.stdout, listed
        exported = rag("feedback", "export", "--index", str(index_dir))
        assert exported.returncode == 0
        assert [json.loads(line)["id"] for line in exported.stdout.splitlines()] == ["fb-1"]
        run = rag("eval", "--testset", str(user_testset_path(index_dir)), "--index", str(index_dir),
                  "--out", str(tmp_path / "reports"), "--no-progress")
        assert run.returncode == 0, run.stderr
        report = json.loads((tmp_path / "reports" / "latest.json").read_text(encoding="utf-8"))
        assert [q["id"] for q in report["systems"]["full"]["questions"]] == ["fb-1"]
    finally:
        app.close()
