"""The catalogue: what each document is and how documents relate, built at indexing time.

Questions about documents ("which documents implement KL121?", "which cite Nghị định 178?", "who signed the CV on
KL183?") cannot be answered from five top passages: they need every document counted. So each document records,
besides its metadata (type, number, date, issuer, place, signer): its level (tỉnh, thành phố, huyện, from its
issuer), the documents it implements (references in its title and opening sentence: "Thực hiện Kết luận số
121-KL/TW ..."), and every document it cites, with the chunks that cite it.
"""

from __future__ import annotations

import re
from dataclasses import asdict

from ..text.normalize import fold
from ..text.references import find_refs
from .models import Chunk, DocumentMeta
from .sections import ParsedStructure

_OPENING = re.compile(r"^(thuc hien|trien khai|can cu|theo)\b")


def level_of(issuer: str | None) -> str | None:
    """The level of government an issuer belongs to: "tỉnh", "thành phố", "huyện", "xã" (None when unknown)."""
    folded = fold(issuer or "")
    for words, level in (("tinh", "tỉnh"), ("huyen", "huyện"), ("thanh pho", "thành phố"), ("thanh uy", "thành phố"),
                         ("xa", "xã")):
        if re.search(rf"\b{words}\b", folded):
            return level
    return None


def fill_catalogue(meta: DocumentMeta, structure: ParsedStructure, chunks: list[Chunk]) -> None:
    """Set `meta.level`, `meta.implements` and `meta.cites` from the document's title, opening and chunks."""
    meta.level = level_of(meta.issuer)
    opening = ""
    preamble = next((s for s in structure.root.children if s.kind == "preamble"), None)
    if preamble and preamble.paragraphs and _OPENING.match(fold(preamble.paragraphs[0])):
        opening = re.split(r"(?<=[.;:])\s", preamble.paragraphs[0], maxsplit=1)[0]
    own = find_refs(meta.number) if meta.number else []
    implements = []
    for ref in find_refs(f"{meta.title or ''}\n{opening}"):
        if not any(ref.matches(o) for o in own) and not any(ref.matches(i) for i in implements):
            implements.append(ref)
    meta.implements = [asdict(ref) for ref in implements]
    cites: dict[tuple[str, str | None], dict] = {}
    for chunk in chunks:
        if chunk.kind == "meta":
            continue
        for ref in find_refs(chunk.text):
            if any(ref.matches(o) for o in own):
                continue
            entry = cites.setdefault((ref.key, ref.issuer), asdict(ref) | {"chunks": []})
            if chunk.id not in entry["chunks"]:
                entry["chunks"].append(chunk.id)
    meta.cites = list(cites.values())
