"""Every message the UI shows for a bad file or a bad date is Vietnamese (no English word, no traceback)."""

from __future__ import annotations

import os

import pytest

from rag.library import Library
from tests.support.render import make_encrypted_pdf, make_scanned_pdf
from tests.ui.conftest import ROOT, copy_index
from tests.ui.english import english_words
from ui.service import UIService


@pytest.fixture(scope="module")
def service(corpus_index, tmp_path_factory):  # noqa: F811
    work = tmp_path_factory.mktemp("ui-messages")
    library = Library(copy_index(work / "index"), upload_dir=work / "uploads")
    return UIService(library, max_upload_mb=0.05)


def _bad_files(folder):
    files = {}
    (folder / "hong.docx").write_bytes(os.urandom(4000))
    files["not a zip"] = folder / "hong.docx"
    (folder / "rong.txt").write_bytes(b"")
    files["empty"] = folder / "rong.txt"
    (folder / "nhi-phan.txt").write_bytes(bytes(range(256)) * 20)
    files["binary"] = folder / "nhi-phan.txt"
    (folder / "qua-lon.txt").write_text("Giao Văn phòng Thành ủy chủ trì. " * 3000, encoding="utf-8")
    files["too large"] = folder / "qua-lon.txt"
    make_encrypted_pdf(folder / "mat-khau.pdf")
    files["encrypted"] = folder / "mat-khau.pdf"
    make_scanned_pdf(folder / "ban-scan.pdf")
    files["scanned"] = folder / "ban-scan.pdf"
    (folder / "chuong-trinh.exe").write_bytes(b"MZ" + os.urandom(100))
    files["wrong type"] = folder / "chuong-trinh.exe"
    (folder / "zip.docx").write_bytes(b"PK\x03\x04" + os.urandom(3000))
    files["damaged zip"] = folder / "zip.docx"
    return files


def test_bad_file_messages_are_vietnamese(service, tmp_path):
    for what, path in _bad_files(tmp_path).items():
        message = service.add_files([str(path)])
        assert "❌" in message, (what, message)
        assert english_words(message) == [], (what, message)
        assert "Traceback" not in message and "Error" not in message, (what, message)


@pytest.mark.parametrize("typed, expected", [("31/02/2025", "ngày 31/02/2025 không tồn tại"),
                                             ("2025/31/12", "không phải ngày hợp lệ")])
def test_date_messages_say_what_is_wrong(service, typed, expected):
    with pytest.raises(ValueError) as info:
        service.duties_table("", typed, "", "")
    assert expected in str(info.value) and english_words(str(info.value)) == []


@pytest.mark.parametrize("typed, unit", [("to chuc thanh uy", "Ban Tổ chức Thành ủy"),
                                         ("btc thanh uy", "Ban Tổ chức Thành ủy"),
                                         ("Văn phòng Thành ủy", "Văn phòng Thành ủy")])
def test_unit_picker_reads_names_without_diacritics_and_abbreviations(service, typed, unit):
    assert service.resolve_units(typed) == [unit]
    rows, selected, message = service.duties_table(typed, "", "", "20/8/2025")
    assert selected and any(unit in d.units_lead + d.units_support for d in selected)
    assert unit in message


def test_unit_picker_suggests_the_closest_names(service):
    with pytest.raises(ValueError) as info:
        service.resolve_units("ban to chuc")
    text = str(info.value)
    assert "Có phải:" in text and "Ban Tổ chức Thành ủy" in text and "Ban Tổ chức Tỉnh ủy" in text
    assert english_words(text) == []


def test_evaluation_names_its_index_and_warns_about_documents_outside_the_test_set(service, tmp_path):
    import json

    from rag.evaluation.testset import load_testset

    path = tmp_path / "mot-van-ban.jsonl"
    case = {"id": "x-1", "question": "Ban Tổ chức Thành ủy phải làm gì trước 31/8/2025?", "answerable": True,
            "facts": ["31/8/2025"], "evidence": [{"doc": "haiphong-thanhuy-cv-trien-khai-kl183", "quote": "cấp xã"}],
            "tags": []}
    path.write_text(json.dumps(case, ensure_ascii=False) + "\n", encoding="utf-8")
    text = service.scored_index(service.assistant, load_testset(path))
    assert f"thế hệ `{service.assistant.generation}`" in text and "5 văn bản" in text
    assert "⚠️ 4 văn bản trong chỉ mục không thuộc bộ câu hỏi" in text and "kl183" not in text.split("⚠️")[1]
    assert "⚠️" not in service.scored_index(service.assistant, load_testset(ROOT / "eval" / "dev.jsonl"))
    assert english_words(text.replace("`", " ")) == []
