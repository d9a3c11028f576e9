"""Checkable citations in the real app (headless Chromium): `[1]` opens the cited passage in the viewer, highlighted,
with its section path and, for a PDF, its page and a link to the original file at that page; earlier answers keep
their own sources; the conversation survives a reload. Document text is shown as text: a document with a Markdown
image, a raw `<img>` and a raw `<a href>` makes the browser request nothing outside the app (issue 16, item 6).
"""

from __future__ import annotations

import re
import urllib.request

import pytest

from rag.library import Library
from tests.support.render import corpus_paragraphs, render_pdf
from tests.ui.browser import ask, browser_page, foreign_requests, needs_chromium, open_citation
from tests.ui.conftest import ROOT, copy_index, launch_ui

pytestmark = needs_chromium
pytest.importorskip("playwright.sync_api")

HUNGYEN = "hungyen-tinhuy-ctr-thuc-hien-kl121"
PDF_NAME = f"{HUNGYEN}.pdf"
HOSTILE_NAME = "thong-bao-777-kho-anh.md"
HOSTILE = """THÀNH ỦY HẢI PHÒNG

Số 777-TB/TU

# THÔNG BÁO

về việc kiểm kê kho tư liệu ảnh của Nhà truyền thống thành phố

1. Giao Nhà truyền thống thành phố hoàn thành kiểm kê kho tư liệu ảnh trước ngày 12/11/2025. Ảnh minh họa: ![x](http://127.0.0.1:8099/md-pixel.png)

2. Bản sao số của kho tư liệu ảnh đặt tại <img src="http://127.0.0.1:8099/raw-img.png"> và danh mục tại <a href="http://127.0.0.1:8099/raw-link">danh mục kho ảnh</a>, cập nhật trước ngày 20/11/2025.
"""
HOSTILE_QUESTION = "Nhà truyền thống thành phố phải hoàn thành kiểm kê kho tư liệu ảnh trước ngày nào?"
FIRST = "Ban Tổ chức Thành ủy phải làm gì trước 31/8/2025?"
FOLLOW_UP = "còn trước 15/8/2025 thì sao?"
PDF_QUESTION = "Hưng Yên thành lập Sở Nội vụ trên cơ sở hợp nhất những sở nào?"


@pytest.fixture(scope="module")
def served(corpus_index, tmp_path_factory):  # noqa: F811 - pytest fixture injection
    """The app over the corpus where Hưng Yên's programme is a PDF, plus a document quoting HTML and Markdown."""
    work = tmp_path_factory.mktemp("ui-citations")
    index_dir = copy_index(work / "index")
    files = work / "files"
    files.mkdir()
    pdf = files / PDF_NAME
    render_pdf(ROOT / "corpus" / f"{HUNGYEN}.txt", pdf)
    (files / HOSTILE_NAME).write_text(HOSTILE, encoding="utf-8")
    library = Library(index_dir)
    library.remove([f"{HUNGYEN}.txt"])
    report = library.add([str(pdf), str(files / HOSTILE_NAME)])
    assert not report.errors, report.errors
    app, url = launch_ui(index_dir)
    yield app, url
    app.close()


@pytest.fixture(scope="module")
def app_url(served):
    return served[1]


@pytest.fixture(scope="module")
def page(app_url):
    with browser_page(app_url) as page:
        yield page


def test_1_answer_cites_are_links_and_document_text_stays_text(page):
    answer = ask(page, HOSTILE_QUESTION)
    assert "12/11/2025" in answer
    cites = page.locator("#chat .turn").last.locator(".msg.dap .cite")
    assert cites.count() >= 1
    card = page.locator("#chat .turn").last.locator(".nguon").first
    title = card.locator(".nguon-title").inner_text()
    assert title.startswith("[1] 777-TB/TU"), title  # short name, not the long title
    assert "Mục:" in card.locator(".nguon-meta").inner_text()  # section path visible without expanding
    chunk = open_citation(page, -1, 1)
    assert chunk.startswith(HOSTILE_NAME)
    viewer = page.locator("#xem-van-ban")
    text = viewer.inner_text()
    assert "![x](http://127.0.0.1:8099/md-pixel.png)" in text
    assert '<img src="http://127.0.0.1:8099/raw-img.png">' in text
    assert '<a href="http://127.0.0.1:8099/raw-link">' in text
    # No element made of document markup anywhere on the page.
    assert page.locator("#chat img, #xem-van-ban img").count() == 0
    assert page.locator("a[href*='8099'], img[src*='8099']").count() == 0
    assert foreign_requests(page) == []


def test_2_pdf_citation_shows_page_and_opens_the_file_at_it(page, app_url):
    ask(page, PDF_QUESTION)
    open_citation(page, -1, 1)
    where = page.locator("#xem-van-ban .viewer-where").inner_text()
    assert "Mục:" in where
    match = re.search(r"Trang (\d+)", where)
    assert match, where
    cited = page.locator("#xem-van-ban .doc-p.cited")
    assert cited.locator("mark").count() > 0  # the question's words lit in the passage
    assert cited.is_visible() and cited.evaluate(
        "el => { const v = el.closest('.viewer').getBoundingClientRect(), r = el.getBoundingClientRect();"
        " return r.top >= v.top - 1 && r.bottom <= v.bottom + 1; }"), "the cited passage is scrolled into view"
    link = page.locator("#xem-van-ban a.mo-tep")
    href = link.get_attribute("href")
    assert href.endswith(f"#page={match.group(1)}") and ".pdf" in href, href
    body = urllib.request.urlopen(app_url.rstrip("/") + href.split("#")[0], timeout=30).read()
    assert body.startswith(b"%PDF")
    assert foreign_requests(page) == []


def test_3_earlier_answer_keeps_its_own_sources(page):
    chunk = open_citation(page, 0, 1)
    assert chunk.startswith(HOSTILE_NAME)
    assert "12/11/2025" in page.locator("#xem-van-ban .doc-p.cited").inner_text()
    chunk = open_citation(page, 1, 1)
    assert chunk.startswith(PDF_NAME)


def test_4_conversation_survives_a_reload(page, served):
    ask(page, FIRST)
    page.reload()
    page.wait_for_function("() => document.querySelectorAll('#chat .turn').length >= 2", timeout=120_000)
    questions = page.locator("#chat .msg.hoi").all_inner_texts()
    assert questions == [HOSTILE_QUESTION, PDF_QUESTION, FIRST]
    chunk = open_citation(page, 0, 1)
    assert chunk.startswith(HOSTILE_NAME)
    # A follow-up after the reload still knows the context (rebuilt from the stored questions): its answer is the
    # one the same conversation gets without a reload, and not the one the question gets on its own.
    assistant = served[0].service.assistant
    context = None
    for q in (HOSTILE_QUESTION, PDF_QUESTION, FIRST):
        context = assistant.ask(q, conversation=context).conversation
    expected = assistant.ask(FOLLOW_UP, conversation=context).answer
    assert expected != assistant.ask(FOLLOW_UP).answer
    answer = ask(page, FOLLOW_UP)
    assert answer == expected
    assert foreign_requests(page) == []


def test_5_new_question_starts_fresh(page):
    page.locator("#cau-hoi-moi").click()
    page.wait_for_function("() => document.querySelectorAll('#chat .turn').length === 0")
    page.reload()
    page.wait_for_selector("#chat .hoi-thoai")
    page.wait_for_timeout(1000)
    assert page.locator("#chat .turn").count() == 0


def test_6_pages_carry_a_content_security_policy(app_url):
    with urllib.request.urlopen(app_url, timeout=30) as response:
        policy = response.headers.get("Content-Security-Policy", "")
    assert "img-src 'self' data: blob:" in policy
    assert "default-src 'self'" in policy and "frame-src 'self'" in policy
    assert not re.search(r"https?://", policy)


def test_pdf_page_is_where_the_passage_is(corpus_index, tmp_path):
    """The page the viewer shows for a PDF passage is the page its paragraph was rendered on."""
    pdf = tmp_path / PDF_NAME
    pages = render_pdf(ROOT / "corpus" / f"{HUNGYEN}.txt", pdf)
    paragraphs = [text for text, _ in corpus_paragraphs(ROOT / "corpus" / f"{HUNGYEN}.txt")]
    from rag.documents.ingest import load_document

    doc = load_document(pdf)
    checked = 0
    for chunk in doc.chunks:
        if chunk.kind != "item" or chunk.page is None:
            continue
        first_words = " ".join(chunk.text.split()[:6])
        starts = [pages[i] for i, text in enumerate(paragraphs) if " ".join(text.split()[:6]) == first_words]
        if starts:
            assert chunk.page in starts, (chunk.id, chunk.page, starts)
            checked += 1
    assert checked >= 10
