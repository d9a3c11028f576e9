"""Nothing in a file is silently dropped (issue 16): every non-blank line of the corpus is in a passage (text or
section path) or in the document's metadata; appendices after the signature are their own sections with their
tables and duties; the signature and recipients stay metadata; a concatenation of many documents keeps its text.
"""

from __future__ import annotations

import json
import re
import shutil
from dataclasses import asdict
from pathlib import Path

import pytest

from rag.documents.chunking import _SENTENCE_END
from rag.documents.ingest import character_counts, load_document
from rag.documents.sections import _clean
from rag.duties.extract import extract_duties

CORPUS = Path(__file__).resolve().parents[2] / "corpus"
FILES = sorted(CORPUS.glob("*.txt"))


def _norm(text: str) -> str:
    return " ".join(text.replace("…", " ").split()).casefold()


def _parts(line: str) -> list[str]:
    """The pieces of a source line that must be found: its table cells, cut at sentence ends (a chunk may end
    mid-line), without bullets and closing punctuation. Rules and lone stars have no words and need not be."""
    text = _clean(line).strip()
    cells = text.strip("|").split("|") if text.startswith("|") or " | " in text else [text]
    out = []
    for cell in cells:
        for piece in _SENTENCE_END.split(cell):
            piece = _norm(piece.strip().lstrip("-–+•").strip().rstrip(",.;:").strip())
            if re.search(r"\w", piece):
                out.append(piece)
    return out


def missing_lines(path: Path) -> list[str]:
    doc = load_document(path)
    found = _norm(" ".join(f"{c.text} {c.section}" for c in doc.chunks) + " "
                  + json.dumps(asdict(doc.meta), ensure_ascii=False))
    return [line.text for line in doc.raw.lines if any(p not in found for p in _parts(line.text))]


@pytest.mark.parametrize("path", FILES, ids=[p.name for p in FILES])
def test_every_corpus_line_is_indexed_or_metadata(path):
    assert missing_lines(path) == []


APPENDIX = """

PHỤ LỤC
DANH MỤC NHIỆM VỤ CỤ THỂ
(Kèm theo văn bản trên)

1. Ban Nội chính Thành ủy chủ trì rà soát các vụ việc khiếu nại kéo dài, hoàn thành trước ngày 15/9/2025.
2. Ủy ban Kiểm tra Thành ủy kiểm tra việc thực hiện quy chế làm việc, hoàn thành trong tháng 10/2025.

| STT | Nội dung nhiệm vụ | Cơ quan chủ trì | Thời gian hoàn thành |
|---|---|---|---|
| 1 | Xây dựng đề án sáp nhập các trung tâm chính trị | Ban Tổ chức Thành ủy | Trước ngày 30/9/2025 |
| 2 | Tổng kết công tác tuyên truyền về chính quyền hai cấp | Ban Tuyên giáo và Dân vận Thành ủy | Quý IV/2025 |
"""


@pytest.mark.parametrize("path", FILES, ids=[p.name for p in FILES])
def test_appendix_after_signature_is_indexed_with_its_duties(path, tmp_path):
    original = load_document(path)
    target = tmp_path / path.name
    target.write_text(path.read_text(encoding="utf-8") + APPENDIX, encoding="utf-8")
    doc = load_document(target)
    assert missing_lines(target) == []
    appendix = [c for c in doc.chunks if c.section.startswith("PHỤ LỤC")]
    assert any("Ban Nội chính Thành ủy chủ trì rà soát" in c.text for c in appendix)
    assert any("Xây dựng đề án sáp nhập" in c.text for c in appendix)
    duties = {(tuple(d.units_lead), d.deadline.due.isoformat() if d.deadline and d.deadline.due else None)
              for d in extract_duties(doc) if d.section.startswith("PHỤ LỤC")}
    assert (("Ban Nội chính Thành ủy",), "2025-09-15") in duties
    assert (("Ủy ban Kiểm tra Thành ủy",), "2025-10-31") in duties
    assert (("Ban Tổ chức Thành ủy",), "2025-09-30") in duties
    assert (("Ban Tuyên giáo và Dân vận Thành ủy",), "2025-12-31") in duties
    # The signature and the recipients are still metadata, not passages.
    assert (doc.meta.signer, doc.meta.recipients) == (original.meta.signer, original.meta.recipients)
    assert doc.meta.signature_block == original.meta.signature_block
    assert not any("Nơi nhận" in c.text for c in doc.chunks if c.kind != "meta")


def test_concatenation_keeps_its_text(tmp_path):
    """60 documents in one file: what follows each signature is the next document, not an end block."""
    joined = tmp_path / "gop.txt"
    joined.write_text("\n\n".join(FILES[i % len(FILES)].read_text(encoding="utf-8") for i in range(60)),
                      encoding="utf-8")
    doc = load_document(joined)
    read, indexed = character_counts(doc.raw, doc.chunks, doc.meta)
    assert read > 800_000
    assert indexed >= 0.995 * read, (read, indexed)


def test_build_report_counts_characters(tmp_path):
    from rag.index.build import build_index

    shutil.copy(FILES[0], tmp_path / FILES[0].name)
    report = build_index([tmp_path / FILES[0].name], index_dir=tmp_path / "index", embedder="hash:64")
    read, indexed = report.characters[FILES[0].name]
    assert read > 5000 and read - 10 <= indexed <= read
