"""The real app in headless Chromium (Playwright): ask with citations, duties and CSV, upload a DOCX, evaluation.

The screenshots of docs/screenshots/ are taken by test_ui_layout.py (1280 and 390 px, light and dark).
"""

from __future__ import annotations

import csv
import io
import shutil
import time
from pathlib import Path

import pytest

from tests.ui.browser import ask, open_citation
from tests.ui.conftest import ROOT, copy_index, launch_ui

CHROMIUM = shutil.which("chromium")
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="no chromium binary on PATH "
                                "(apt-get install chromium chromium-driver)")
playwright_api = pytest.importorskip("playwright.sync_api")

CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update"]
UNIT = "Ban Tổ chức Thành ủy"
UPLOAD_NAME = "ke-hoach-999-luu-tru-so.docx"
TIMEOUT = 120_000  # ms; generous: CI machines are shared and an upload embeds a document


def make_docx(path: Path) -> Path:
    """A small plan whose facts exist nowhere in the corpus (Trung tâm Lưu trữ số thành phố, 15/12/2025)."""
    from docx import Document

    document = Document()
    for line in ("ĐẢNG BỘ THÀNH PHỐ HẢI PHÒNG", "THÀNH ỦY", "Số 999-KH/TU",
                 "Hải Phòng, ngày 01 tháng 10 năm 2025"):
        document.add_paragraph(line)
    document.add_heading("KẾ HOẠCH", level=1)
    document.add_paragraph("xây dựng Trung tâm Lưu trữ số thành phố và số hóa hồ sơ lưu trữ của các cơ quan đảng")
    document.add_heading("I. MỤC ĐÍCH, YÊU CẦU", level=2)
    document.add_paragraph("1. Số hóa toàn bộ hồ sơ lưu trữ lịch sử của các cơ quan đảng thành phố, đưa vào khai "
                           "thác trên nền tảng Trung tâm Lưu trữ số thành phố.")
    document.add_heading("II. NHIỆM VỤ", level=2)
    document.add_paragraph("1. Giao Văn phòng Thành ủy chủ trì xây dựng và đưa vào vận hành Trung tâm Lưu trữ số "
                           "thành phố, hoàn thành trước ngày 15/12/2025.")
    document.add_paragraph("2. Ban Tổ chức Thành ủy hoàn thành báo cáo tổng kết việc số hóa hồ sơ đảng viên trước "
                           "ngày 20/12/2025.")
    document.add_paragraph("T/M BAN THƯỜNG VỤ")
    document.add_paragraph("BÍ THƯ")
    document.save(path)
    return path


SERVED: dict = {}  # the app's Library, to wait for the background embedding of an upload


@pytest.fixture(scope="module")
def app_url(corpus_index, tmp_path_factory):  # noqa: F811 - pytest fixture injection
    """The app on a copy of the index (this module uploads a document), on a free port."""
    work = tmp_path_factory.mktemp("ui-browser")
    index_dir = copy_index(work / "index")
    app, url = launch_ui(index_dir, upload_dir=work / "uploads")
    SERVED["library"] = app.service.library
    yield url
    app.close()


@pytest.fixture(scope="module")
def page(app_url):
    """One Chromium page (1280x900) on the app, shared by the steps of the scenario."""
    with playwright_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True, locale="vi-VN")
        page = context.new_page()
        page.set_default_timeout(TIMEOUT)
        page.goto(app_url)
        page.wait_for_selector("#cau-hoi textarea")
        yield page
        context.close()
        browser.close()


def _tab(page, name: str) -> None:
    page.get_by_role("tab", name=name).click()
    page.wait_for_timeout(300)



def _ask(page, question: str) -> str:
    return ask(page, question)


def test_1_ask_in_chat_with_sources(page):
    answer = _ask(page, "Ban Tổ chức Thành ủy phải làm gì trước 31/8/2025?")
    assert "31/8/2025" in answer
    assert "[1]" in answer
    first = page.locator("#chat .turn").last.locator(".nguon").first
    section = first.locator(".nguon-section")
    assert section.is_visible()  # the section path is shown without expanding
    assert section.inner_text().startswith("Mục: 5. Giao Ban Tổ chức Thành ủy")
    first.locator("summary").click()
    assert first.locator(".nguon-text mark").count() > 0
    open_citation(page, -1, 1)
    assert page.locator("#xem-van-ban .doc-p.cited mark").count() > 0


def test_2_duties_table_and_csv(page):
    _tab(page, "Nhiệm vụ")
    unit_box = page.locator("#don-vi input")
    unit_box.click()
    unit_box.fill("to chuc thanh")
    page.get_by_role("option", name=UNIT, exact=True).click()
    as_of = page.get_by_label("Tính đến ngày")
    as_of.fill("20/8/2025")
    page.locator("#xem-nhiem-vu").click()
    table = page.locator("#bang-nhiem-vu")
    page.wait_for_function("() => document.querySelector('#bang-nhiem-vu').innerText.includes('Ban Tổ chức Thành ủy')")
    assert "31/8/2025" in table.inner_text()
    page.wait_for_timeout(500)
    with page.expect_download() as info:
        page.locator("#tai-csv").click()
    download = info.value
    path = download.path()
    text = Path(path).read_text(encoding="utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert rows, "the CSV has no duty rows"
    for row in rows:
        assert UNIT in row["Đơn vị chủ trì"] or UNIT in row["Đơn vị phối hợp"], row
    assert any("31/8/2025" in row["Hạn"] for row in rows)
    assert any(row["Trạng thái"] == "còn hạn" for row in rows)


def test_3_upload_docx_then_ask_it(page, tmp_path):
    docx_path = make_docx(tmp_path / UPLOAD_NAME)
    _tab(page, "Văn bản")
    assert "haiphong-thanhuy-cv-trien-khai-kl183.txt" in page.locator("#bang-van-ban").inner_text()
    with page.expect_file_chooser() as chooser:
        page.locator("#tai-len").click()
    chooser.value.set_files(str(docx_path))
    page.wait_for_function("() => /Đã thêm|❌/.test(document.querySelector('#thong-bao-van-ban').innerText)",
                           timeout=240_000)
    message = page.locator("#thong-bao-van-ban").inner_text()
    assert "Đã thêm" in message and UPLOAD_NAME in message, message
    page.wait_for_function(f"() => document.querySelector('#bang-van-ban').innerText.includes('{UPLOAD_NAME}')")
    assert "999-KH/TU" in page.locator("#bang-van-ban").inner_text()

    # Uploads are embedded in the background (searchable by words at once); this question needs both.
    library = SERVED["library"]
    deadline = time.monotonic() + 300
    while (progress := library.embedding_progress())[0] < progress[1] and time.monotonic() < deadline:
        time.sleep(0.5)
    _tab(page, "Hỏi đáp")
    page.locator("#cau-hoi-moi").click()
    page.wait_for_function("() => document.querySelectorAll('#chat .turn').length === 0")
    answer = _ask(page, "Đơn vị nào chủ trì xây dựng Trung tâm Lưu trữ số thành phố, hạn khi nào?")
    assert "15/12/2025" in answer, answer
    chunk = open_citation(page, -1, 1)
    assert chunk.startswith(UPLOAD_NAME), chunk


def test_4_evaluation_tab(page):
    _tab(page, "Đánh giá")
    n_box = page.locator("#so-cau input")
    n_box.fill("5")
    n_box.press("Tab")
    page.locator("#chay-danh-gia").click()
    page.wait_for_function("() => document.querySelector('#ket-qua-danh-gia').innerText.includes('câu hỏi')",
                           timeout=240_000)
    metrics = page.locator("#ket-qua-danh-gia").inner_text()
    assert "5 câu hỏi" in metrics, metrics
    assert "hit@5" in metrics
    table = page.locator("#bang-danh-gia").inner_text()
    assert "kl183-01" in table
