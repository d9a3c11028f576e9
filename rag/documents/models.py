"""Data model of the document side: what readers return, document metadata, the section tree and chunks."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field

MAX_WORD = 64  # characters of a word given to BM25 and the embedder (the corpus's longest word has 16)
_LONG_WORD = re.compile(r"\S{%d,}" % (MAX_WORD + 1))


@dataclass
class TextLine:
    """One line (txt, pdf) or paragraph (docx) of a document, in reading order.

    `heading` is set when the source marks the line as a heading (docx heading style, markdown `#`, bold).
    """

    text: str
    page: int | None = None
    heading: bool = False


@dataclass
class RawDocument:
    """What a reader returns: the lines of one file, without running headers, footers or page numbers."""

    path: str
    lines: list[TextLine]
    kind: str  # "txt" | "pdf" | "docx"
    pages: int | None = None


@dataclass
class DocumentMeta:
    """What a citation shows about a document: type, number, date, issuer, title, signer."""

    doc: str  # file name, the document's id in the index
    doc_type: str | None = None  # "Chương trình hành động", "Kế hoạch", "Công văn", ...
    title: str | None = None  # title or subject line ("V/v ...")
    issuer: str | None = None
    place: str | None = None  # "Hải Phòng", "Hưng Yên" when the document says where it is from
    number: str | None = None  # "05-CTr/TU"; None when blank in a draft
    date: str | None = None  # ISO date when the header gives one
    signer: str | None = None
    signer_title: str | None = None
    signed_for: str | None = None  # "T/M BAN THƯỜNG VỤ": on whose behalf the signer signs
    recipients: list[str] = field(default_factory=list)  # "Nơi nhận" of the end block
    addressees: list[str] = field(default_factory=list)  # "Kính gửi" of the header (a letter's addressees)
    # The catalogue (`rag.documents.catalogue`): the level of government it is issued at, the documents it
    # implements (title and opening sentence), and every document it cites with the chunks that cite it.
    # The blocks around the body, kept whole as metadata: the header (issuer, number, place and date, subject line,
    # addressees) and the end block (recipients, signature).
    header: list[str] = field(default_factory=list)
    signature_block: list[str] = field(default_factory=list)
    level: str | None = None
    implements: list[dict] = field(default_factory=list)
    cites: list[dict] = field(default_factory=list)

    @property
    def display_title(self) -> str:
        """Type + number + title, e.g. "Chương trình hành động số 05-CTr/TU: thực hiện ..."."""
        head = self.doc_type or "Văn bản"
        if self.number:
            head += f" số {self.number}"
        if self.issuer:
            head += f" của {self.issuer}"
        if self.place:
            head += f" ({self.place})"
        if self.title:
            return f"{head}: {self.title}"
        return head if (self.doc_type or self.number or self.issuer) else self.doc


LABEL_WHOLE = 120  # characters of a label line kept whole in section paths ("Phân công thực hiện: Giao X:")


@dataclass
class Section:
    """A numbered item (or label block) of a document, with its own paragraphs and its children."""

    marker: str  # "III.", "5.", "1.2.1.", "(1)", "a)", "-", "Phân công thực hiện:", "" for the root
    kind: str  # "roman", "arabic1", "arabic2", ..., "paren", "letter", "bullet", "label", "root", "preamble"
    paragraphs: list[str] = field(default_factory=list)
    children: list["Section"] = field(default_factory=list)
    page: int | None = None
    page_end: int | None = None
    heading: bool = False  # the first paragraph is a heading of the children (not a task of its own)
    chunk_id: str | None = None
    parent: "Section | None" = field(default=None, repr=False, compare=False)

    @property
    def text(self) -> str:
        """The section's own text (marker + paragraphs), without its children."""
        body = "\n".join(self.paragraphs)
        return f"{self.marker} {body}".strip() if self.marker and self.kind != "label" else body

    @property
    def label(self) -> str:
        """Short label used in section paths: marker plus the start of the heading."""
        first = self.paragraphs[0] if self.paragraphs else ""
        if self.kind == "label":
            # "Phân công thực hiện: Giao Ban Tuyên giáo và Dân vận Đảng ủy:" is kept whole (it says whose the items
            # under it are); a label running on into its text ("Nhiệm vụ và giải pháp: Triển khai ...") is cut
            if ":" in first and len(first) <= LABEL_WHOLE and re.match(r"[^:]+:\s*(Giao\b|$)", first):
                return first.rstrip(": ") + ":"
            return first.split(":")[0].strip() + ":" if ":" in first else first[:60]
        if not first:
            return self.marker
        if self.heading and len(first) <= 220:  # a heading is kept whole: it is indexed only in its children's paths
            title = first
        elif len(first) <= 70:
            title = first
        else:
            title = first[:60].rsplit(" ", 1)[0] + "…"
        return f"{self.marker} {title}".strip()

    def path(self) -> list[str]:
        """Labels from the top of the document down to this section (the root excluded)."""
        labels: list[str] = []
        node: Section | None = self
        while node is not None and node.kind not in ("root",):
            labels.append(node.label)
            node = node.parent
        return list(reversed(labels))

    def walk(self):
        """Yield this section and all descendants, depth first, in document order."""
        yield self
        for child in self.children:
            yield from child.walk()


@dataclass
class Chunk:
    """A passage that is indexed and cited: one leaf item, a few short siblings, or part of a long item."""

    id: str
    doc: str
    doc_title: str
    section: str  # section path joined with " > "
    text: str  # passage text shown in citations
    page: int | None = None
    page_end: int | None = None
    kind: str = "item"  # "item" | "meta" | "preamble" | "footnote" | "recipients"

    def index_text(self) -> str:
        """Text given to BM25 and the embedder: title and section path make headings reach every item. A "word"
        longer than MAX_WORD characters is given by its start only: the embedder's tokenizer took 191 s on a
        250,000-letter word, and no search matches such a word anyway."""
        text = f"{self.doc_title}\n{self.section}\n{self.text}"
        if _LONG_WORD.search(text):
            text = _LONG_WORD.sub(lambda m: m.group(0)[:MAX_WORD], text)
        return text

    def to_dict(self) -> dict:
        return asdict(self)
