"""PDF and DOCX renderings of the corpus parse into the same sections, with the right page on every chunk."""

import re
from pathlib import Path

import pytest
from pypdf import PdfReader

from rag.documents.ingest import load_document
from rag.text.normalize import match_key
from tests.support.render import HEADER_TEXT, render_docx, render_pdf

CORPUS = Path(__file__).resolve().parents[2] / "corpus"
FILES = sorted(CORPUS.glob("*.txt"))


def _page_texts(pdf: Path) -> list[str]:
    return [match_key(page.extract_text() or "") for page in PdfReader(pdf).pages]


@pytest.mark.parametrize("txt", FILES, ids=lambda p: p.stem)
def test_pdf_chunks_have_right_pages_and_no_running_text(txt, tmp_path):
    pdf = tmp_path / f"{txt.stem}.pdf"
    render_pdf(txt, pdf)
    doc = load_document(pdf)
    pages = _page_texts(pdf)
    assert len(pages) >= 2
    header = match_key(HEADER_TEXT)
    for chunk in doc.chunks:
        if chunk.kind == "meta":
            continue
        text = match_key(chunk.text)
        assert header not in text, chunk.id
        assert not re.search(r"\btrang \d+ \d+\b", text), chunk.id
        assert chunk.page is not None and 1 <= chunk.page <= chunk.page_end <= len(pages)
        # the chunk's first words are printed on its first page (or run over from the page before)
        start = " ".join(text.split()[:6])
        first_page = pages[chunk.page - 1]
        assert start in first_page or any(w in first_page for w in text.split()[:6][-2:]), (chunk.id, chunk.page)


@pytest.mark.parametrize("txt", FILES, ids=lambda p: p.stem)
def test_renderings_keep_the_section_paths(txt, tmp_path):
    plain = {c.section for c in load_document(txt).chunks if c.kind == "item"}
    pdf = tmp_path / f"{txt.stem}.pdf"
    render_pdf(txt, pdf)
    docx = tmp_path / f"{txt.stem}.docx"
    render_docx(txt, docx)
    for rendered in (pdf, docx):
        sections = {c.section for c in load_document(rendered).chunks if c.kind == "item"}
        overlap = len(plain & sections) / len(plain)
        assert overlap >= 0.8, (rendered.suffix, overlap, sorted(plain - sections)[:5])
