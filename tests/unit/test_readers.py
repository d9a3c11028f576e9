"""Reader tests on real files: the sample corpus as txt (several encodings), rendered PDF and DOCX, and broken inputs."""

from __future__ import annotations

import re
import time
import unicodedata
import zipfile
from pathlib import Path

import pytest

from rag.errors import DocumentError
from hypothesis import given, settings
from hypothesis import strategies as st

from rag.documents.readers import SUPPORTED_EXTENSIONS, read_document
from rag.documents.readers.text import clean_markdown_line, decode_text
from tests.support.render import (
    encode_cp1258,
    make_zip_bomb,
    HEADER_TEXT,
    TABLE_ROWS,
    corpus_paragraphs,
    make_encrypted_pdf,
    make_scanned_pdf,
    render_docx,
    render_pdf,
)

CORPUS = sorted((Path(__file__).resolve().parents[2] / "corpus").glob("*.txt"))
NUMBERED = [p for p in CORPUS if re.search(r"^\(1\) ", p.read_text(encoding="utf-8"), re.M)]
VI_WORDS = ["Thành", "ủy", "Hải", "Phòng", "triển", "khai", "kết", "luận", "đồng", "chí", "Ban", "Thường", "vụ",
            "tổ", "chức", "bộ", "máy", "hiệu", "quả", "(1)", "2025", "-", "CỘNG", "SẢN", "Việt", "Nam"]
WORD_RE = re.compile(r"\w+")


def words(text: str) -> set[str]:
    return set(WORD_RE.findall(unicodedata.normalize("NFC", text).lower()))


def texts(doc) -> list[str]:
    return [line.text for line in doc.lines]


def test_corpus_present():
    assert len(CORPUS) == 5 and NUMBERED


# --- text -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", CORPUS, ids=lambda p: p.stem)
def test_corpus_txt_reads(path):
    doc = read_document(path)
    assert doc.kind == "txt" and doc.pages is None
    assert len(doc.lines) == len(path.read_text(encoding="utf-8").splitlines())
    assert all(line.page is None for line in doc.lines)
    assert not any("**" in t or "\\*" in t or t.lstrip().startswith("# ") for t in texts(doc))
    assert any("Thành ủy" in t or "Tỉnh ủy" in t or "Huyện ủy" in t or "Đảng" in t for t in texts(doc))


def test_markdown_headings_and_bold(tmp_path):
    f = tmp_path / "a.md"
    f.write_text("### **1. Các cấp ủy**\n**I. MỤC ĐÍCH**\n**8.** Trường **Chính trị**\n\\* ghi chú \\_x\\_\n# \n", encoding="utf-8")
    lines = read_document(f).lines
    assert (lines[0].text, lines[0].heading) == ("1. Các cấp ủy", True)
    assert (lines[1].text, lines[1].heading) == ("I. MỤC ĐÍCH", True)
    assert (lines[2].text, lines[2].heading) == ("8. Trường Chính trị", False)
    assert (lines[3].text, lines[3].heading) == ("* ghi chú _x_", False)
    assert lines[4].heading is False


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-16", "utf-16-le", "utf-16-be", "cp1258"])
@pytest.mark.parametrize("path", CORPUS[:2] + CORPUS[-1:], ids=lambda p: p.stem)
def test_encodings_read_back_equal(tmp_path, path, encoding):
    text = path.read_text(encoding="utf-8")
    data = encode_cp1258(text) if encoding == "cp1258" else text.encode(encoding)
    if encoding == "cp1258":
        assert "\u0301".encode("cp1258") in data  # really uses combining tone marks
    f = tmp_path / f"{encoding}.txt"
    f.write_bytes(data)
    expected = texts(read_document(path))
    assert texts(read_document(f)) == expected


def test_undetectable_encoding_is_refused(tmp_path):
    f = tmp_path / "latin.txt"
    f.write_bytes("Déjà vu, café crème, garçon".encode("latin-1"))
    with pytest.raises(DocumentError, match="UTF-8"):
        read_document(f)


def test_other_legacy_encoding_is_not_taken_for_cp1258(tmp_path):
    """Bytes that decode in cp1258 to a few Vietnamese letters among Latin-1 symbols (TCVN3-like) are refused."""
    f = tmp_path / "tcvn3.txt"
    f.write_bytes(b"Th\xb5nh \xf1y H\xb8i Ph\xdfng tri\xd3n khai k\xd5t lu\xb6n \xf0\xa8ng \xae\xb8ng " * 5)
    with pytest.raises(DocumentError, match="save it as UTF-8"):
        read_document(f)


def test_binary_with_txt_extension_is_refused(tmp_path):
    f = tmp_path / "image.txt"
    f.write_bytes(bytes(range(256)) * 20)
    with pytest.raises(DocumentError):
        read_document(f)


@settings(max_examples=150, deadline=None)
@given(st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), max_size=200))
def test_clean_markdown_line_properties(line):
    text, heading = clean_markdown_line(line)
    assert "**" not in text and text == text.rstrip()
    assert not heading or text.strip()


@settings(max_examples=100, deadline=None)
@given(st.lists(st.sampled_from(VI_WORDS), min_size=1, max_size=40), st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "cp1258"]))
def test_decode_round_trip(words_, encoding):
    text = " ".join(words_)
    data = encode_cp1258(text) if encoding == "cp1258" else text.encode(encoding)
    if encoding == "cp1258" and not any(c in text for c in "ăâđêôơưĂÂĐÊÔƠƯ") and text == unicodedata.normalize("NFD", text):
        return
    try:
        decoded, _ = decode_text(data)
    except DocumentError:
        assert encoding == "cp1258"  # a cp1258 text too short to look Vietnamese may be refused, never garbled
        return
    assert decoded == unicodedata.normalize("NFC", text)


def test_long_line_is_fast(tmp_path):
    f = tmp_path / "long.md"
    body = ("**a** \\* b " * 10_000) + " " * 50_000 + "#" * 50_000
    f.write_text("# " + body + "\n" + "*" * 200_000 + "\n" + "\\" * 100_000 + "\n", encoding="utf-8")
    start = time.perf_counter()
    doc = read_document(f)
    assert time.perf_counter() - start < 1.0
    assert len(doc.lines) == 3 and len(doc.lines[0].text) > 50_000


# --- PDF --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", CORPUS, ids=lambda p: p.stem)
def test_pdf_rendering_reads_back(tmp_path, path):
    pdf = tmp_path / "doc.pdf"
    starts = render_pdf(path, pdf)
    doc = read_document(pdf)
    paragraphs = [text for text, _ in corpus_paragraphs(path)]
    assert doc.kind == "pdf" and doc.pages == starts[-1] >= 2
    for line in doc.lines:
        assert HEADER_TEXT not in line.text
        assert not re.search(r"Trang \d+/\d+", line.text)
        assert 1 <= line.page <= doc.pages
    assert [line.page for line in doc.lines] == sorted(line.page for line in doc.lines)
    # a distinctive sentence from the start is on page 1, the last ones on the last page
    first = next(t for t in paragraphs if len(t) > 15)
    assert any(line.page == 1 and line.text in first for line in doc.lines if len(line.text) > 10)
    last = paragraphs[-1]
    assert any(line.text == last and line.page == starts[-1] for line in doc.lines)
    # every paragraph's first words are found on the page where the renderer started it
    by_page: dict[int, str] = {}
    for line in doc.lines:
        by_page[line.page] = by_page.get(line.page, "") + " " + line.text
    for text, page in zip(paragraphs, starts):
        head = " ".join(text.split()[:3])
        assert head in by_page.get(page, ""), (head, page)
    src, got = words("\n".join(paragraphs)), words("\n".join(texts(doc)))
    assert len(src & got) / len(src) > 0.98 and len(src & got) / len(got) > 0.98


def test_pdf_single_page_keeps_its_lines(tmp_path):
    """One page: nothing can repeat across pages, so only the page-number footer goes."""
    f = tmp_path / "short.txt"
    f.write_text("KẾ HOẠCH\nNội dung ngắn của văn bản.\n", encoding="utf-8")
    render_pdf(f, tmp_path / "short.pdf", header=None)
    assert texts(read_document(tmp_path / "short.pdf")) == ["KẾ HOẠCH", "Nội dung ngắn của văn bản."]


def test_truncated_pdf(tmp_path):
    pdf = tmp_path / "full.pdf"
    render_pdf(CORPUS[0], pdf)
    data = pdf.read_bytes()
    cut = tmp_path / "cut.pdf"
    cut.write_bytes(data[: len(data) // 2])
    with pytest.raises(DocumentError, match="damaged|truncated"):
        read_document(cut)


def test_encrypted_pdf(tmp_path):
    pdf = tmp_path / "secret.pdf"
    make_encrypted_pdf(pdf)
    with pytest.raises(DocumentError, match="password"):
        read_document(pdf)


def test_scanned_pdf_mentions_ocr(tmp_path):
    pdf = tmp_path / "scan.pdf"
    make_scanned_pdf(pdf)
    with pytest.raises(DocumentError, match="OCR"):
        read_document(pdf)


def test_not_a_pdf(tmp_path):
    f = tmp_path / "fake.pdf"
    f.write_text("Đây không phải là PDF", encoding="utf-8")
    with pytest.raises(DocumentError, match="not a PDF"):
        read_document(f)


# --- DOCX -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", CORPUS, ids=lambda p: p.stem)
def test_docx_rendering_reads_back(tmp_path, path):
    out = tmp_path / "doc.docx"
    info = render_docx(path, out)
    doc = read_document(out)
    got = texts(doc)
    assert doc.kind == "docx" and all(line.page is None for line in doc.lines)
    assert not any(HEADER_TEXT in t for t in got)
    assert TABLE_ROWS and set(info["table"]) <= set(got)
    # apart from the table rows, the read-back is exactly the source paragraphs, numbering markers included
    assert [t for t in got if t not in info["table"]] == [text for text, _ in corpus_paragraphs(path)]
    headings = [line.text for line in doc.lines if line.heading]
    expected = [t for t, h in corpus_paragraphs(path) if h or re.match(r"^[IVX]+\. ", t)]
    assert headings == expected and headings


@pytest.mark.parametrize("path", NUMBERED, ids=lambda p: p.stem)
def test_docx_numbering_comes_from_word_lists(tmp_path, path):
    out = tmp_path / "doc.docx"
    info = render_docx(path, out)
    assert info["numbered"] >= 3
    with zipfile.ZipFile(out) as zf:
        body = zf.read("word/document.xml").decode("utf-8")
    assert "<w:numPr>" in body and "<w:t>(1) " not in body  # the marker is not in the text
    got = texts(read_document(out))
    assert sum(1 for t in got if re.match(r"^\(\d+\) ", t)) == info["numbered"]
    assert any(t.startswith("(1) ") for t in got) and any(t.startswith("(2) ") for t in got)


def test_docx_numbering_formats(tmp_path):
    import docx

    from tests.support.render import _add_abstract_num, _add_num, _set_num_pr

    d = docx.Document()
    numbering = d.part.numbering_part.element
    _add_abstract_num(numbering, 90, [("upperRoman", "%1."), ("decimal", "%1.%2."), ("lowerLetter", "%3)"), ("bullet", "\uf0b7")])
    _add_num(numbering, 91, 90, 1)
    for text, level in [("A", 0), ("B", 1), ("C", 1), ("D", 2), ("E", 3), ("F", 2), ("G", 0), ("H", 1), ("J", 2)]:
        _set_num_pr(d.add_paragraph(text), 91, level)
    d.save(str(tmp_path / "n.docx"))
    assert texts(read_document(tmp_path / "n.docx")) == [
        "I. A", "I.1. B", "I.2. C", "a) D", "- E", "b) F", "II. G", "II.1. H", "a) J",
    ]


def test_docx_plain_text_is_refused(tmp_path):
    f = tmp_path / "fake.docx"
    f.write_text("Kế hoạch thực hiện", encoding="utf-8")
    with pytest.raises(DocumentError, match="not a zip"):
        read_document(f)


def test_docx_zip_without_document_is_refused(tmp_path):
    f = tmp_path / "other.docx"
    with zipfile.ZipFile(f, "w") as zf:
        zf.writestr("xl/workbook.xml", "<workbook/>")
    with pytest.raises(DocumentError, match="word/document.xml"):
        read_document(f)


def test_docx_zip_bomb_is_refused(tmp_path):
    f = make_zip_bomb(tmp_path / "bomb.docx")
    assert f.stat().st_size < 2 * 1024 * 1024
    start = time.perf_counter()
    with pytest.raises(DocumentError, match="zip bomb|expand"):
        read_document(f)
    assert time.perf_counter() - start < 1.0


# --- common checks ----------------------------------------------------------------------------------


def test_empty_file(tmp_path):
    for ext in SUPPORTED_EXTENSIONS:
        f = tmp_path / f"empty{ext}"
        f.write_bytes(b"")
        with pytest.raises(DocumentError, match="empty"):
            read_document(f)


def test_whitespace_only_file(tmp_path):
    f = tmp_path / "blank.txt"
    f.write_text("  \n\n\t\n", encoding="utf-8")
    with pytest.raises(DocumentError, match="no text"):
        read_document(f)


def test_unsupported_extension(tmp_path):
    f = tmp_path / "table.xyz"
    f.write_text("x", encoding="utf-8")
    with pytest.raises(DocumentError, match=r"unsupported file type \.xyz; supported: \.txt, \.md, \.pdf, \.docx") as exc:
        read_document(f)
    assert str(f) in str(exc.value)


def test_missing_file(tmp_path):
    with pytest.raises(DocumentError, match="not found"):
        read_document(tmp_path / "missing.txt")


def test_over_size_limit(tmp_path):
    f = tmp_path / "big.txt"
    f.write_bytes("Đảng bộ ".encode("utf-8") * 2000)
    with pytest.raises(DocumentError, match=r"too large: .* the limit is 1\.0 KB") as exc:
        read_document(f, max_bytes=1024)
    assert "KB" in exc.value.problem


def test_docx_numbering_inherited_from_style_and_soft_breaks(tmp_path):
    import docx

    d = docx.Document()
    d.add_paragraph("Một", style="List Number")
    d.add_paragraph("Hai", style="List Number")
    d.add_paragraph("Ý kiến", style="List Bullet")
    d.add_paragraph("T/M BAN THƯỜNG VỤ\nBÍ THƯ")
    d.save(str(tmp_path / "s.docx"))
    assert texts(read_document(tmp_path / "s.docx")) == ["1. Một", "2. Hai", "- Ý kiến", "T/M BAN THƯỜNG VỤ", "BÍ THƯ"]
