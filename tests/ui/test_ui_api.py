"""The web app through its API (gradio_client), under concurrent load, behind auth; upload name sanitising."""

from __future__ import annotations

import json
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from rag.text.normalize import contains
from tests.ui.conftest import launch_ui
from rag.errors import DocumentError
from rag.library import sanitize_filename
from ui.app import parse_auth
from ui.render import highlight_html

gradio_client = pytest.importorskip("gradio_client")

# Questions of the dev test set (eval/dev.jsonl) with a fact each correct answer must state.
KNOWN = [
    ("Ban Tổ chức Thành ủy phải làm gì trước 31/8/2025?", "bổ sung cán bộ lãnh đạo cho cấp xã"),
    ("Đảng ủy Ủy ban nhân dân thành phố phải hoàn thành những việc gì trước ngày 29/8/2025?", "hoàn thiện thể chế"),
    ("Các cấp ủy, địa phương phải gửi báo cáo đánh giá tình hình vận hành mô hình chính quyền địa phương 02 cấp "
     "hằng tháng chậm nhất vào lúc nào?", "16 giờ, ngày 22 hằng tháng"),
    ("Ban Tổ chức Thành ủy phải báo cáo Thường trực Thành ủy về vận hành chính quyền địa phương 02 cấp chậm nhất "
     "lúc nào?", "16 giờ, ngày 23 hằng tháng"),
    ("Hồ sơ giải quyết chế độ chính sách cho cán bộ, công chức chịu tác động do sắp xếp bộ máy phải báo cáo trước "
     "ngày nào?", "15/8/2025"),
    ("Đảng ủy Mặt trận Tổ quốc Việt Nam thành phố phải hoàn thành các hướng dẫn được giao trước ngày nào?",
     "31/8/2025"),
    ("Trường Chính trị Tô Hiệu được giao nhiệm vụ gì trong Công văn triển khai Kết luận 183?",
     "kế hoạch đào tạo, bồi dưỡng nâng cao năng lực"),
    ("Cấp ủy cấp xã được phép thông báo thời gian khai mạc đại hội ngắn hơn bao nhiêu ngày?", "30 ngày làm việc"),
    ("dang uy ubnd thanh pho phai hoan thanh bo cong cu danh gia hieu qua cong viec truoc ngay nao", "29/8/2025"),
    ("ban to chuc thanh uy phai hoan thanh viec gi truoc ngay 31/8/2025", "bổ sung cán bộ lãnh đạo cho cấp xã"),
    ("Theo chương trình thực hiện Kết luận 121 của Hải Phòng, chọn cử bao nhiêu phần trăm cán bộ, công chức, "
     "viên chức đi công tác ở cơ sở?", "khoảng 5%"),
    ("Ban Nội chính Thành ủy có nhiệm vụ gì trong việc sắp xếp, tinh gọn tổ chức bộ máy?",
     "dấu hiệu tham nhũng, tiêu cực"),
    ("Hưng Yên thành lập Sở Nội vụ trên cơ sở hợp nhất những sở nào?", "Sở Lao động - Thương binh và Xã hội"),
    ("Hưng Yên kết thúc hoạt động của bao nhiêu đảng đoàn, ban cán sự đảng cấp tỉnh?",
     "09 đảng đoàn, ban cán sự đảng"),
    ("Ban Tổ chức Tỉnh ủy Hưng Yên tham mưu chế độ chính sách cho cán bộ bị ảnh hưởng do sắp xếp bộ máy theo "
     "nghị định nào?", "178/2024/NĐ-CP"),
    ("Trưởng Ban Tuyên giáo và Dân vận Huyện ủy đồng thời giữ chức vụ gì?", "Giám đốc Trung tâm Chính trị huyện"),
    ("Ban Nội chính Tỉnh ủy Hưng Yên có nhiệm vụ gì về tiếp dân?", "tiếp dân, đối thoại trực tiếp với dân"),
    ("Các cấp ủy phải hoàn thành quán triệt Nghị quyết Đại hội Đảng bộ thành phố trước ngày nào?", "30/11/2025"),
    ("Ủy ban kiểm tra cấp cơ sở trong Đảng bộ Các cơ quan Đảng thành phố được kiểm tra toàn diện bao lâu một lần?",
     "ít nhất 1 lần/nhiệm kỳ"),
    ("Văn phòng Đảng ủy Các cơ quan Đảng thành phố được giao tham mưu gì về chuyển đổi số?", "Nghị quyết số 57-NQ/TW"),
]


@pytest.fixture(scope="module")
def app_url(corpus_index):  # noqa: F811 - pytest fixture injection
    """The app on a free port (no auth), shared by the tests of this module."""
    app, url = launch_ui(corpus_index)
    yield url
    app.close()


@pytest.fixture(scope="module")
def client(app_url):
    """A gradio_client connected to the app."""
    return gradio_client.Client(app_url, verbose=False)


def _ask(client, question: str) -> tuple[str, list[dict]]:
    text, citations = client.predict(question, api_name="/ask")
    if isinstance(citations, str):
        citations = json.loads(citations)
    return text, citations


def test_ask_endpoint_answers_with_citations(client):
    text, citations = _ask(client, "Ban Tổ chức Thành ủy phải làm gì trước 31/8/2025?")
    assert "31/8/2025" in text
    assert citations, "the answer must cite its sources"
    assert "[1]" in text
    first = citations[0]
    assert {"n", "doc", "title", "section", "text"} <= set(first)
    assert first["doc"] == "haiphong-thanhuy-cv-trien-khai-kl183.txt"


def test_twenty_concurrent_questions_all_correct(client):
    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=20) as pool:
        results = list(pool.map(lambda qa: _ask(client, qa[0]), KNOWN))
    elapsed = time.perf_counter() - started
    wrong = [(q, fact, text) for (q, fact), (text, cites) in zip(KNOWN, results) if not contains(text, fact) or not cites]
    assert not wrong, f"{len(wrong)} wrong answers: {wrong}"
    print(f"20 concurrent questions answered in {elapsed:.1f}s")


def test_fifty_concurrent_questions_without_error(app_url):
    questions = [KNOWN[i % len(KNOWN)][0] for i in range(50)]
    clients = [gradio_client.Client(app_url, verbose=False) for _ in range(5)]
    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=50) as pool:
        results = list(pool.map(lambda iq: _ask(clients[iq[0] % 5], iq[1]), enumerate(questions)))
    elapsed = time.perf_counter() - started
    assert len(results) == 50
    assert all(text.strip() for text, _ in results)
    assert all(cites for _, cites in results)
    print(f"50 concurrent questions answered in {elapsed:.1f}s")


def test_auth_refuses_the_api_without_credentials(corpus_index):  # noqa: F811
    app, url = launch_ui(corpus_index, auth=("canbo", "mat-khau-1"))
    try:
        with pytest.raises(Exception):
            gradio_client.Client(url, verbose=False).predict("Ban Tổ chức Thành ủy phải làm gì?", api_name="/ask")
        with pytest.raises(Exception):
            gradio_client.Client(url, auth=("canbo", "sai"), verbose=False)
        authed = gradio_client.Client(url, auth=("canbo", "mat-khau-1"), verbose=False)
        text, _ = authed.predict("Ban Tổ chức Thành ủy phải làm gì trước 31/8/2025?", api_name="/ask")
        assert "31/8/2025" in text
    finally:
        app.close()


def test_parse_auth():
    assert parse_auth("canbo:mk:1") == ("canbo", "mk:1")
    assert parse_auth(None) is None
    with pytest.raises(ValueError):
        parse_auth("chi-co-ten")


@pytest.mark.parametrize(
    "raw, clean",
    [
        ("../../etc/passwd.txt", "passwd.txt"),
        ("..\\..\\windows\\ke-hoach.DOCX", "ke-hoach.docx"),
        ("/tmp/gradio/abc/Công văn 183.pdf", "Công văn 183.pdf"),
        ("..hidden..txt", "hidden.txt"),
        ('bad<name>:"x".md', "bad_name___x_.md"),
    ],
)
def test_sanitize_filename_keeps_the_base_name(raw, clean):
    assert sanitize_filename(raw) == clean
    assert "/" not in clean and ".." not in clean


@pytest.mark.parametrize("raw", [".exe", "virus.exe", "script.sh", "noextension", "..", "../", "", ".txt",
                                 "archive.tar.gz"])
def test_sanitize_filename_refuses_bad_names(raw):
    with pytest.raises(DocumentError) as info:
        sanitize_filename(raw)
    assert info.value.code in ("bad_file_name", "unsupported_type")


def test_highlight_is_accent_insensitive_and_escapes_html():
    marked = highlight_html("Giao Ban Tổ chức Thành ủy <b> trước ngày 31/8/2025; ủy ban", "ban to chuc thanh uy 31/8/2025")
    assert "<mark>Ban Tổ chức Thành ủy</mark>" in marked
    assert "<mark>31/8/2025</mark>" in marked
    assert "&lt;b&gt;" in marked
    assert "; ủy ban" in marked  # a lone syllable of the question is not lit
