"""Citations: number the passages an answer uses, in order of first use, and format them for people."""

from __future__ import annotations

import re

from ..documents.models import Chunk
from .models import Citation


class CitationList:
    """Assigns `[n]` numbers to chunks as the answer cites them; citing a chunk twice reuses its number."""

    def __init__(self) -> None:
        self._by_chunk: dict[str, Citation] = {}

    def cite(self, chunk: Chunk, score: float) -> int:
        """Number of `chunk` in this answer (a new number on first use)."""
        if chunk.id not in self._by_chunk:
            self._by_chunk[chunk.id] = Citation(
                n=len(self._by_chunk) + 1, chunk_id=chunk.id, doc=chunk.doc, title=chunk.doc_title,
                section=chunk.section, page=chunk.page, text=chunk.text, score=score,
            )
        return self._by_chunk[chunk.id].n

    def keep(self, citations: list[Citation]) -> None:
        """An answer being extended keeps its numbers: its citations are this list's first ones."""
        for citation in citations:
            self._by_chunk[citation.chunk_id] = citation

    def take(self, citations: list[Citation], text: str) -> str:
        """Another answer's citations added to this list (a passage cited by both keeps one number); returns that
        answer's text with its `[n]` renumbered to match."""
        renumber = {c.n: self.cite(_as_chunk(c), c.score) for c in citations}
        return re.sub(r"\[(\d+)\]", lambda m: f"[{renumber.get(int(m.group(1)), m.group(1))}]", text)

    @property
    def citations(self) -> list[Citation]:
        return sorted(self._by_chunk.values(), key=lambda c: c.n)


def _as_chunk(citation: Citation) -> Chunk:
    return Chunk(id=citation.chunk_id, doc=citation.doc, doc_title=citation.title, section=citation.section,
                 text=citation.text, page=citation.page)


def format_citation(citation: Citation) -> str:
    """One line per source: `[n] title — section — trang p`."""
    parts = [f"[{citation.n}] {citation.title}"]
    if citation.section:
        parts.append(citation.section)
    if citation.page is not None:
        parts.append(f"trang {citation.page}")
    return " — ".join(parts)


def format_sources(citations: list[Citation]) -> str:
    """The "Nguồn" block printed under an answer."""
    if not citations:
        return ""
    return "Nguồn:\n" + "\n".join(format_citation(c) for c in citations)


def short_title(title: str) -> str:
    """The document's kind, issuer and place ("Công văn của Ban Thường vụ Thành ủy (Hải Phòng)"), without subject."""
    head = title.split(": ", 1)[0]
    return head if len(head) <= 120 else head[:117].rsplit(" ", 1)[0] + "…"


_OWNED = re.compile(r"^(?P<kind>.+?)(?: của (?P<issuer>.+?))?(?: \((?P<place>[^)]+)\))?$")


def header_worded(title: str, *, limit: int = 200) -> str:
    """A document's title ("Chương trình hành động của Ban Thường vụ Tỉnh ủy (Hưng Yên): Thực hiện Kết luận …") as
    its own header words it: kind then subject, issuer and place after it ("Chương trình hành động thực hiện Kết
    luận … (Ban Thường vụ Tỉnh ủy, Hưng Yên)"), at most `limit` characters. The header's words are what officials
    quote; the composed form is in no document."""
    head, _, subject = title.partition(": ")
    m = _OWNED.match(head)
    if not subject or not m or not m.group("issuer"):
        return title if len(title) <= limit else title[:limit - 3].rsplit(" ", 1)[0] + "…"
    first, _, rest = subject.partition(" ")
    if first[:1].isupper() and first[1:].islower() and first not in _NAMES_AT_START:
        subject = first.lower() + (f" {rest}" if rest else "")
    owner = " (" + ", ".join(x for x in (m.group("issuer"), m.group("place")) if x) + ")"
    room = limit - len(m.group("kind")) - len(owner) - 1
    if len(subject) > room:
        subject = subject[:max(room - 1, 20)].rsplit(" ", 1)[0].rstrip(",;:") + "…"
    return f"{m.group('kind')} {subject}{owner}"


# Words that open a name ("Kết luận số 183 ..."), kept in capitals after a document's kind
_NAMES_AT_START = frozenset({"Nghị", "Kết", "Chương", "Kế", "Công", "Thông", "Quy", "Chỉ", "Ban", "Đảng", "Hội"})


def lead_sources(titles: list[str]) -> str:
    """Names of the source documents for an answer's lead line: the whole title when there is one source
    (kind, issuer and subject tell it apart), kind + issuer + place for each when there are several."""
    titles = list(dict.fromkeys(titles))
    if len(titles) == 1:
        return header_worded(titles[0])
    return "; ".join(short_title(t) for t in titles)
