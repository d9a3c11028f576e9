"""Citations: number the passages an answer uses, in order of first use, and format them for people."""

from __future__ import annotations

from .models import Citation, Chunk


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

    @property
    def citations(self) -> list[Citation]:
        return sorted(self._by_chunk.values(), key=lambda c: c.n)


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
