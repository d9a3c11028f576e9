"""Section structure and chunking on the real sample corpus."""

from pathlib import Path

import pytest

from rag.documents.ingest import load_document
from rag.documents.models import TextLine
from rag.documents.sections import join_lines, parse_structure

CORPUS = Path(__file__).resolve().parents[2] / "corpus"
CV183 = CORPUS / "haiphong-thanhuy-cv-trien-khai-kl183.txt"
HUYEN = CORPUS / "huyenuy-kh-thuc-hien-ctr316.txt"
DANGBO = CORPUS / "haiphong-dangbo-cqd-ctr-dai-hoi-2025-2030.txt"
HP121 = CORPUS / "haiphong-thanhuy-ctr-thuc-hien-kl121.txt"
HY121 = CORPUS / "hungyen-tinhuy-ctr-thuc-hien-kl121.txt"


def _find(root, marker_path):
    node = root
    for marker in marker_path:
        node = next(c for c in node.children if c.marker == marker)
    return node


def test_heading_unit_reaches_items():
    doc = load_document(CV183)
    unit = _find(doc.root, ["5."])
    assert unit.paragraphs[0] == "Giao Ban Tổ chức Thành ủy"
    assert [c.marker for c in unit.children] == ["(1)", "(2)", "(3)", "(4)"]
    chunk = next(c for c in doc.chunks if c.text.startswith("(1) Tiếp tục rà soát, tham mưu tăng cường"))
    assert chunk.section.startswith("5. Giao Ban Tổ chức Thành ủy > (1)")
    assert "Giao Ban Tổ chức Thành ủy" in chunk.index_text()


def test_deep_numbering_and_letters():
    doc = load_document(HY121)
    item = _find(doc.root, ["II.", "1.", "1.2.", "1.2.1.", "1.2.1.2.", "a)"])
    assert item.paragraphs[0] == "Cấp tỉnh"
    assert len(item.children) == 7 and all(c.kind == "bullet" for c in item.children)


def test_hard_wrapped_lines_are_joined_into_items():
    doc = load_document(HUYEN)
    item = _find(doc.root, ["II.", "1.", "1.1."])
    text = item.text
    assert "hướng dẫn tổ chức việc nghiên cứu, học tập, quán triệt" in text
    assert text.endswith("(hoàn thành trong quý I/2025).")
    # the 16 wrapped lines of the preamble are one paragraph
    preamble = doc.root.children[0]
    assert preamble.kind == "preamble" and len(preamble.paragraphs) == 2


def test_label_blocks_and_phan_cong():
    doc = load_document(DANGBO)
    block = _find(doc.root, ["I.", "1."])
    labels = [c.paragraphs[0].split(":")[0] for c in block.children]
    assert labels == ["Mục tiêu", "Nhiệm vụ và giải pháp", "Phân công thực hiện"]
    phan_cong = block.children[2]
    assert "Giao Ban Tuyên giáo và Dân vận Đảng ủy" in phan_cong.text
    assert "hoàn thành kế hoạch trong tháng 11/2025" in phan_cong.text


def test_inline_enumeration_is_not_an_item():
    doc = load_document(DANGBO)
    texts = [c.text for c in doc.chunks]
    assert any("(2) sinh hoạt chi bộ theo chuyên đề" in t for t in texts)


def test_footnotes_attached_and_removed_from_flow():
    doc = load_document(HP121)
    item = next(c for c in doc.chunks if c.text.startswith("3.3. Xây dựng kế hoạch đào tạo"))
    assert "Nghị định số 178/2024/NĐ-CP" in item.text  # footnote (2) appended
    three = next(c for c in doc.chunks if c.text.startswith("3. Ban thường vụ cấp ủy cấp huyện"))
    assert "Chương trình hành động của Ban chấp hành Đảng bộ thành phố" in three.text
    assert "Mô hình tổ chức chính quyền" not in three.text  # footnote (5) text is not glued into the item


def test_end_block_is_metadata_not_items():
    doc = load_document(CV183)
    assert doc.meta.signer == "Đỗ Mạnh Hiến"
    assert doc.meta.doc_type == "Công văn"
    assert doc.meta.title.startswith("triển khai Kết luận số 183-KL/TW")
    assert not any(c.text.startswith("Nơi nhận") for c in doc.chunks if c.kind == "item")
    assert "Lưu Văn phòng Thành ủy" in doc.chunks[0].text  # recipients in the document description


@pytest.mark.parametrize("path,doc_type,place", [
    (HP121, "Chương trình hành động", "Hải Phòng"),
    (HY121, "Chương trình hành động", "Hưng Yên"),
    (HUYEN, "Kế hoạch", None),
    (DANGBO, "Chương trình hành động", "Hải Phòng"),
])
def test_metadata_of_each_document(path, doc_type, place):
    meta = load_document(path).meta
    assert meta.doc_type == doc_type
    assert meta.place == place
    assert meta.number is None  # numbers are blank in these drafts
    assert meta.signer and meta.issuer


def test_every_chunk_has_section_path_and_bounded_size():
    for path in sorted(CORPUS.glob("*.txt")):
        doc = load_document(path)
        assert doc.chunks[0].kind == "meta"
        for chunk in doc.chunks:
            assert chunk.section, chunk.id
            assert 20 < len(chunk.text) < 2500, (chunk.id, len(chunk.text))


def test_wrapped_pdf_like_lines():
    lines = [TextLine(t, page=p) for t, p in [
        ("1. Giao Ban Tổ chức Thành ủy tham mưu xây dựng kế hoạch tổ chức quán triệt nghị quyết, chương", 1),
        ("trình hành động, hoàn thành trong tháng 11/2025.", 1),
        ("2. Các cấp ủy tổ chức quán triệt Nghị quyết Đại hội Đảng bộ các cơ quan Đảng trong tháng", 1),
        ("9/2025.", 2),
    ]]
    paragraphs = join_lines(lines)
    assert [p.text[:2] for p in paragraphs] == ["1.", "2."]
    assert paragraphs[1].page == 1 and paragraphs[1].page_end == 2
    root = parse_structure(lines).root
    assert [c.marker for c in root.children] == ["1.", "2."]
