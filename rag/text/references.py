"""Document references in any spelling: "Kết luận số 121-KL/TW", "183-KL/TW", "KL183", "kết luận 183", "CTr 316",
"NQ 57", "Nghị định 178", "178/2024/NĐ-CP", "Thông báo kết luận số 2556-TB/TU".

A reference is a kind (KL, NQ, CT, CTR, KH, CV, TB, QD, HD, ND, BC), a number kept exact ("2555" is not "2556"; a
leading zero is dropped: "05-CTr/TU" is CTr 5), and, when written, the issuer (TW, TU, HU, DU, CP, ...) and the year
of state documents. Two references match when kind and number are equal and their issuers do not differ (a
question's "CTr 03" matches "03-CTr/ĐU"; "03-CTr/ĐU" does not match "03-CTr/TU"). Pure functions over strings: the
catalogue of the index (who implements and who cites what) is built from them at indexing time.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .normalize import canonical, fold

# Kind words (folded) and abbreviations -> canonical kind. Longest first so "chuong trinh hanh dong" wins.
_KIND_WORDS = [
    ("thong bao ket luan", "TB"), ("chuong trinh hanh dong", "CTR"), ("chuong trinh", "CTR"), ("ket luan", "KL"),
    ("nghi quyet", "NQ"), ("chi thi", "CT"), ("ke hoach", "KH"), ("cong van", "CV"), ("thong bao", "TB"),
    ("quyet dinh", "QD"), ("quy dinh", "QD"), ("huong dan", "HD"), ("nghi dinh", "ND"), ("bao cao", "BC"),
]
_KIND_ABBREVIATIONS = {"kl": "KL", "nq": "NQ", "ct": "CT", "ctr": "CTR", "kh": "KH", "cv": "CV", "tb": "TB",
                       "qd": "QD", "hd": "HD", "nd": "ND", "bc": "BC"}
KIND_NAMES = {"KL": "Kết luận", "NQ": "Nghị quyết", "CT": "Chỉ thị", "CTR": "Chương trình hành động", "KH": "Kế hoạch",
              "CV": "Công văn", "TB": "Thông báo", "QD": "Quy định/Quyết định", "HD": "Hướng dẫn", "ND": "Nghị định",
              "BC": "Báo cáo"}
# Document types as the metadata names them -> kind.
TYPE_KINDS = {"chuong trinh hanh dong": "CTR", "ke hoach": "KH", "cong van": "CV", "ket luan": "KL",
              "nghi quyet": "NQ", "chi thi": "CT", "thong bao": "TB", "quyet dinh": "QD", "quy dinh": "QD",
              "huong dan": "HD", "bao cao": "BC"}

_CODE = re.compile(r"(?<![\d/])(\d{1,5})\s*-\s*([a-z]{1,4})\s*/\s*([a-z]{1,4})(?![a-z])")
_STATE = re.compile(r"(?<![\d/])(\d{1,4})/(\d{4})/([a-z]{1,4})\s*-\s*([a-z]{1,4})")
_KIND_ALT = "|".join(re.escape(w) for w, _ in _KIND_WORDS) + "|" + "|".join(_KIND_ABBREVIATIONS)
_NAMED = re.compile(rf"\b({_KIND_ALT})\s*(?:so\s*)?(\d{{1,5}})(?![\d/.]|\s*-\s*[a-z])")


@dataclass(frozen=True)
class DocRef:
    """A reference to a document: kind, exact number, issuer and year when written, and how it was written."""

    kind: str
    number: str
    issuer: str | None = None
    year: str | None = None
    text: str = ""  # as written ("Kết luận số 121-KL/TW")

    @property
    def key(self) -> str:
        """Kind and number: "KL-121" (the issuer is compared separately, when both sides have one)."""
        return f"{self.kind}-{self.number}"

    def matches(self, other: "DocRef") -> bool:
        """Same kind and number, and issuers that do not differ."""
        return self.key == other.key and (not self.issuer or not other.issuer or self.issuer == other.issuer)

    @property
    def label(self) -> str:
        """Vietnamese name: "Kết luận 121-KL/TW", "Nghị định 178/2024/NĐ-CP", "Kết luận 183"."""
        name = KIND_NAMES.get(self.kind, self.kind)
        if self.kind == "ND" and self.year:
            return f"{name} {self.number}/{self.year}/NĐ-{(self.issuer or 'CP').upper()}"
        code = {"CTR": "CTr", "QD": "QĐ", "ND": "NĐ"}.get(self.kind, self.kind)
        issuer = {"du": "ĐU"}.get(self.issuer or "", (self.issuer or "").upper())
        return f"{name} {self.number}-{code}/{issuer}" if issuer else f"{name} {self.number}"


def _number(raw: str) -> str:
    return str(int(raw))


def _kind(abbreviation: str) -> str | None:
    return _KIND_ABBREVIATIONS.get(abbreviation)


def find_refs(text: str) -> list[DocRef]:
    """References written in a text (a document or a question), in order, each once (by key and issuer).

    Codes ("121-KL/TW", "178/2024/NĐ-CP") are read whole; a kind word or abbreviation followed by a number
    ("Kết luận 183", "KL183", "CTr 316") is read when no code follows it. A bare year ("kế hoạch năm 2025") is not a
    reference."""
    nfc = canonical(text)
    folded = fold(nfc)
    found: list[tuple[int, DocRef]] = []
    taken: list[tuple[int, int]] = []
    for m in _STATE.finditer(folded):
        found.append((m.start(), DocRef(kind="ND" if m.group(3) == "nd" else m.group(3).upper(),
                                        number=_number(m.group(1)), issuer=m.group(4), year=m.group(2),
                                        text=nfc[m.start():m.end()])))
        taken.append(m.span())
    for m in _CODE.finditer(folded):
        kind = _kind(m.group(2))
        if kind is None or any(a <= m.start() < b for a, b in taken):
            continue
        # "Kết luận số 121-KL/TW": keep the kind word in the text shown
        start = m.start()
        before = folded[max(0, start - 40):start]
        word = re.search(rf"({_KIND_ALT})\s*(?:so\s*)?$", before)
        shown_from = start - (len(before) - word.start()) if word else start
        found.append((start, DocRef(kind=kind, number=_number(m.group(1)), issuer=m.group(3),
                                    text=nfc[shown_from:m.end()])))
        taken.append((shown_from, m.end()))
    for m in _NAMED.finditer(folded):
        if any(a <= m.start() < b for a, b in taken):
            continue
        word, number = m.group(1), m.group(2)
        kind = dict(_KIND_WORDS).get(word) or _kind(word)
        if kind is None or (len(number) == 4 and number[:2] in ("19", "20")):
            continue
        found.append((m.start(), DocRef(kind=kind, number=_number(number), text=nfc[m.start():m.end()])))
    found.sort(key=lambda item: item[0])
    out: list[DocRef] = []
    for _, ref in found:
        if not any(ref.key == seen.key and ref.issuer == seen.issuer for seen in out):
            out.append(ref)
    return out


def kinds_named(folded: str) -> set[str]:
    """Document kinds named without a number, as a scope ("chương trình của HY", "CV triển khai ...", "kế hoạch của
    huyện"): not those of a reference ("Kết luận số 183-KL/TW"), nor a kind asked for ("theo nghị quyết nào?")."""
    numbered = bool(find_refs(folded))
    folded = _STATE.sub(" ", folded)
    folded = re.sub(rf"\b(?:{_KIND_ALT})\s*(?:so\s*)?(?=\d)", " ", folded)
    folded = _CODE.sub(" ", folded)
    found = set()
    asked = r"(?!\s+(?:nao|gi|may|so may)\b)"
    # A kind written out in full is a scope only when it points at a document ("kế hoạch của Huyện ủy",
    # "chương trình thực hiện ..."); "kế hoạch kiểm tra, giám sát" is a task. Abbreviations (CTr, KH) point unless
    # they stand beside a numbered reference and before a task's words (see below).
    points = r"\s+(?:\w+\s+){0,3}?(?:cua|thuc hien|trien khai|ve|nay|do|hanh dong)\b|\s*$|\s+[a-z]{2}\b\s*(?:$|[,?])"
    pointing = rf"(?={points})"
    for word, kind in _KIND_WORDS:
        if kind in ("BC", "HD", "TB", "QD"):  # "báo cáo", "hướng dẫn", "thông báo", "quy định" are verbs too
            continue
        if re.search(rf"\b{word}\b{asked}{pointing}", folded):
            found.add(kind)
        folded = re.sub(rf"\b{word}\b", " ", folded)
    for abbreviation, kind in _KIND_ABBREVIATIONS.items():
        for m in re.finditer(rf"\b{abbreviation}\b{asked}", folded):
            if abbreviation in ("ct", "hd", "bc"):
                continue
            # "KH đào tạo bồi dưỡng ở mục 3.3 CTr 121": beside a numbered reference, an abbreviation followed by a
            # task's words is that task (a plan to be drawn up), not a second document to restrict the search to
            after = folded[m.end():]
            if re.search(r"\bvao\s*$", folded[:m.start()]):
                continue  # "đưa vào NQ Đại hội", "bổ sung vào KH": where a task's result goes, not a scope
            if numbered and re.match(r"\s+[a-z]+\s+[a-z]+", after) and not re.match(points, after):
                continue
            found.add(kind)
    return found


def word_kind(word: str) -> str | None:
    """The kind a folded kind word or abbreviation names ("nghi quyet", "nq" -> NQ), None for another word."""
    return dict(_KIND_WORDS).get(word) or _KIND_ABBREVIATIONS.get(word)


def type_kind(doc_type: str | None) -> str | None:
    """The kind of a document type as the metadata names it ("Chương trình hành động" -> CTR)."""
    return TYPE_KINDS.get(fold(doc_type or "").strip())


def ref_from_dict(data: dict) -> DocRef:
    """A DocRef from its stored form (`dataclasses.asdict`)."""
    return DocRef(kind=data["kind"], number=data["number"], issuer=data.get("issuer"), year=data.get("year"),
                  text=data.get("text", ""))
