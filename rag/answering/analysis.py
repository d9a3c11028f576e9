"""Question analysis: what a question asks and where the answer may come from, read from its words and the index.

Rule-based and data-driven: the units, places and documents a question can name are those of the indexed documents
(`IndexFacts`), the abbreviations are the everyday ones (`rag.text.abbreviations`), document references are read in
any spelling (`rag.text.references`). Nothing here names a sample document. What it fills in the `Question`:
- the units (full names, short names, abbreviations; "TU" read as the Thành ủy or Tỉnh ủy of the place named),
  and the unit-like names that match no unit of the index (refused with the closest names);
- places (and their initials: HP, HY) and levels (cấp xã, cấp huyện, cấp tỉnh);
- document references, and the documents they select: a document whose own number it is, else the documents
  implementing it, narrowed by the kind ("CV triển khai KL183"), the issuer ("của Huyện ủy") and the place named;
- the kind of answer asked for (date, number, signer, person, unit, tasks, documents, content), yes/no and
  comparison questions, and several parts in one question;
- for a follow-up, what the previous turn fixed (units, documents, window) and this one does not change.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from ..text.abbreviations import COUNCILS, expand, initials
from ..text.normalize import fold, match_key
from ..text.references import DocRef, find_refs, kinds_named, ref_from_dict, type_kind
from ..text.units import units_in_question


@dataclass
class IndexFacts:
    """What analysis needs to know of the index, computed once per loaded index."""

    units: list[str] = field(default_factory=list)
    documents: dict[str, dict] = field(default_factory=dict)  # document metadata and catalogue, by file name
    places: dict[str, str] = field(default_factory=dict)  # folded name or initials -> place ("hp" -> "Hải Phòng")
    councils: dict[str, str] = field(default_factory=dict)  # place -> what "TU" means there ("thanh uy")

    @classmethod
    def build(cls, documents: dict[str, dict], units: list[str]) -> "IndexFacts":
        places: dict[str, str] = {}
        councils: dict[str, str] = {}
        for meta in documents.values():
            place = meta.get("place")
            if not place:
                continue
            places[fold(place)] = place
            places.setdefault(initials(place), place)
            # "TU" of a city is its Thành ủy, of a province its Tỉnh ủy: count what its documents' issuers say.
            level = meta.get("level")
            if level in ("thành phố", "tỉnh") and place not in councils:
                councils[place] = "thanh uy" if level == "thành phố" else "tinh uy"
        return cls(units=list(units), documents=documents, places=places, councils=councils)

    def refs_of(self, name: str) -> tuple[list[DocRef], list[DocRef]]:
        """(own number, documents implemented) of an indexed document."""
        meta = self.documents.get(name, {})
        own = find_refs(meta["number"]) if meta.get("number") else []
        return own, [ref_from_dict(r) for r in meta.get("implements", [])]


# --- what kind of answer is asked for ----------------------------------------------------------------------------

_TYPES: list[tuple[str, re.Pattern]] = [
    ("signer", re.compile(r"\b(ai ky|nguoi ky|do ai ky|ky ban hanh|ky van ban|ky voi (tu cach|chuc danh)|ky boi"
                          r"|(ai|nguoi nao) (da )?ky)\b|\bky\b.*\b(chuc danh|tu cach|thay mat)\b"
                          r"|\bdo\b.{1,40}\bky\b")),
    # "trên cơ sở mấy phòng" is no number of a document
    ("doc_number", re.compile(r"\b(so hieu|(?<!co )so may|ky hieu|(?<!ngay )(?<!co )so bao nhieu)\b")),
    ("person", re.compile(r"\b(ai la|la ai|ho ten|ten (la )?gi)\b")),
    ("unit", re.compile(r"\b(ai chiu trach nhiem|don vi nao|co quan nao|ai chu tri|ai lo|ai duoc giao|giao cho ai"
                        r"|ai phoi hop|phoi hop voi (ai|nhung ai|don vi nao|nhung don vi nao)|bao cao (cho |voi )?ai"
                        r"|ai (phai|thuc hien|tham muu|theo doi)|ai duoc|thay mat co quan nao|cua co quan nao"
                        r"|ban nao|(?:gui |nop )?cho ai|gui (?:ve )?(?:ai|dau))\b")),
    ("date", re.compile(r"\b(ngay nao|khi nao|bao gio|thoi han|han chot|han nao|luc nao|thang nao|nam nao|thoi gian nao"
                        r"|ngay bao nhieu|may gio|thang may|quy may|han the nao|hoan thanh truoc|moc thoi gian)\b")),
    ("number", re.compile(r"\b(bao nhieu|may (nam|ngay|lan|hinh thuc|nhom|noi dung|tieu chi|phong|so|don vi)"
                          r"|(khoa|lan thu|dieu|khoan) may|ty le|phan tram)\b")),
    ("list_docs", re.compile(r"\b((nhung|cac) van ban nao|van ban nao|tai lieu nao|o nhung van ban|(nhung|cac) van ban"
                             r" (co )?(nhac|vien dan|trich dan|giao|de cap))\b")),
    ("tasks", re.compile(r"\b(phai lam gi|lam gi|nhiem vu|duoc giao|giao (gi|viec gi|nhung gi)|trach nhiem"
                         r"|(?<!ve )viec gi|cong viec|nhung viec|viec nao|phai hoan thanh"
                         r"|(?:bao cao|de xuat|tham muu|trien khai|thuc hien|xay dung|chuan bi) (?:nhung )?gi"
                         # "bên tổ chức phải lo những gì": "lo" (see to) asks the tasks as "làm" does
                         r"|(?:phai |duoc giao )?lo (?:nhung )?(?:viec )?gi)\b")),
    # "về việc gì" asks what a document is about, not a unit's tasks
    ("content", re.compile(r"\b(ve (viec|van de|noi dung) gi|la gi|noi ve|noi dung (gi|nao)|van de gi|la sao|thi sao"
                           r"|gom nhung|gom (nhung )?gi|nhu the nao|the nao|ra sao|bang hinh thuc nao|hinh thuc nao"
                           r"|nam trong)\b")),
]
_YES_NO = re.compile(r"(\bco\b.*\b(khong|chua)\s*\??\s*$|\b(phai khong|dung khong|duoc khong|hay khong|chua)\s*\??\s*$"
                     r"|^(?!.*\b(nao|gi|ai|bao nhieu|may|khi nao|sao)\b).*\b(con|van|da|duoc|phai)\b.*\bkhong\s*\??\s*$"
                     r"|^(co phai|phai chang)\b|\bda (qua han|xong|hoan thanh)[^?]*\bchua\b|\bco dung\b)")
_COMPARE = re.compile(r"\b(so sanh|khac nhau|giong nhau|khac gi|khac (nhau )?(o |cho )?(cho nao|the nao|ra sao)"
                      # "HP và HY, nơi nào ... sớm hơn?": which side, by a comparative
                      r"|(?:noi|ben|ai|van ban|don vi|tinh|cap) nao\b.{0,80}\b(?:som|muon|nhieu|it|cham|nhanh) hon"
                      r"|(?:som|muon) hon hay (?:som|muon) hon"
                      r"|(moi|tung) (ban|don vi|co quan|moc|ben|van ban)"
                      # "X báo cáo ai, còn Y thì ...?": two sides; a turn that opens with "Còn Y thì ...?" is one side,
                      # a follow-up to the last turn
                      r"|.{4,}\bcon\b.{3,80}\b(thi|dung|co)\b.{0,40}\?$)")
_PART_SPLIT = re.compile(r"(?:,|;|\bva\b|\bcon\b)\s+(?=[^,;]*\b(?:nao|gi|ai|bao nhieu|may|khi nao|bao gio|the nao|sao"
                         r"|(?:o|toi|den|ve) dau)\b)")
_PLACE_WORDS = re.compile(r"\b(?:tinh|thanh pho|huyen)\s+([a-z]+ [a-z]+)\b")
_LEVELS = {"xa": "xã", "huyen": "huyện", "tinh": "tỉnh", "thanh pho": "thành phố", "co so": "cơ sở"}
_LEVEL_RE = re.compile(r"\bcap (xa|huyen|tinh|thanh pho|co so)\b")
_ISSUER = re.compile(r"\b(?:chuong trinh(?: hanh dong)?|ctr|ke hoach|kh|cong van|cv|van ban)\b[^?,;]{0,40}?\b(?:cua|do)\s+"
                     r"(?:ban chap hanh |ban thuong vu |bch |btv )?(?:dang bo )?"
                     r"(huyen uy|tinh uy|thanh uy|dang uy(?: cac co quan dang)?|cac co quan dang|huyen|tinh|thanh pho)\b")
# "CTr ĐU CQĐ giao ...", "KH Huyện ủy ...": the council written right after the kind, without "của"; only a council's
# name ("kế hoạch tỉnh" is rarely typed so, and "kế hoạch tinh gọn" folds to it)
_ADJACENT_ISSUER = re.compile(r"\b(?:chuong trinh(?: hanh dong)?|ctr|ke hoach|kh|cong van|cv)\s+"
                              r"(?:ban chap hanh |ban thuong vu |bch |btv )?(?:dang bo )?"
                              r"(huyen uy|tinh uy|thanh uy|dang uy cac co quan dang|cac co quan dang)\b")
# "Đảng bộ Các cơ quan Đảng TP có những hạn nào?", "tháng này ĐB huyện phải xong gì?": the party organisation a
# question opens with is whose documents it asks about (a board of it, "Ban Tổ chức Đảng ủy", is a unit instead)
_SUBJECT_ISSUER = re.compile(r"^(?:(?:o|tai|theo|trong|ben|thang nay|nam nay|quy nay|tuan nay|thang \d{1,2}(?:/\d{4})?"
                             r"|hang nam|hang thang|moi nam|moi thang"
                             r"|quy [ivx\d]+(?:/\d{4})?|nam \d{4})[\s,]+){0,2}"
                             r"(?:dang bo|dang uy)\s+(cac co quan dang|tinh|huyen|thanh pho)\b(?!\s+(?:uy|nhan dan))"
                             # "... ở ĐU các cơ quan Đảng thì sao": in that organisation
                             # (not "... trực thuộc Đảng bộ các cơ quan đảng tỉnh": a body within another)
                             r"|\b(?:o|tai|ben|trong)\s+(?:dang bo|dang uy)\s+(cac co quan dang)\b(?!\s+(?:tinh|huyen))")
_ISSUER_NAMES = {"huyen uy": "Huyện ủy", "tinh uy": "Tỉnh ủy", "thanh uy": "Thành ủy", "dang uy": "Đảng ủy",
                 "dang uy cac co quan dang": "Đảng ủy Các cơ quan Đảng", "cac co quan dang": "Đảng ủy Các cơ quan Đảng",
                 "huyen": "huyện", "tinh": "tỉnh", "thanh pho": "thành phố"}
_ANAPHORA = re.compile(r"\b(viec do|viec nay|nhu vay|van ban (nay|do)|ke hoach (nay|do)|chuong trinh (nay|do)"
                       r"|(ban|don vi|co quan|phong|so|cap uy) (nay|do|ay|tren)"
                       r"|moc do|han do|nhiem vu do|thi sao|con\b|^cai (?:viec|nhiem vu|muc|doan)\b)"
                       # "ở CV KL183 thì hạn thế nào?", "trong KH của Huyện ủy thì ...": a new scope for the last ask
                       r"|^(o|trong|theo|voi|ben|sang|den) [^?]{2,50}? thi\b")


# Particles that close a spoken question ("... không ạ?", "... đúng không nhé?"): they say nothing of what is asked
_PARTICLES = re.compile(r"(?:\s+(?:a|nhe|nhi|vay|ha|day|chi|anh|em))+\s*\??\s*$")


# "... cũng do ban này tham mưu BTV à?", "UBKT TU được giao kiểm tra hả?", "Hạn là 31/8/2025 chứ?": a statement
# closed by a particle of confirmation, as typed (without accents "a" is also the polite "ạ", which asks nothing)
_CONFIRM = re.compile(r"\b(?:à|hả|chứ|hở)(?:\s+(?:ạ|nhé|nhỉ|anh|chị|em))?\s*[?.!]*\s*$")


def is_yes_no(text: str, reading: str) -> bool:
    """A yes/no question, read without the closing particles ("... ngắn hơn 30 ngày làm việc không ạ?"); one that
    ends with a particle of confirmation as typed ("... cũng do ban này tham mưu BTV à?") or opens with "Liệu ...
    có" asks whether a statement holds."""
    # not "bộ máy"; "đâu" (where) is not "đầu" of "đầu tư": as typed with marks, else after a word that asks where
    where = re.search(r"\bđâu\b", text.lower()) if any(ord(ch) > 127 for ch in text) else \
        re.search(r"\b(?:o|toi|den|ve|gui|nop|tu|di)\s+dau\b|\bdau\s*\??\s*$", reading)
    asks_what = re.search(r"\b(nao|gi|ai|bao nhieu|(?<!bo )may|khi nao|sao)\b", reading) or where
    if _CONFIRM.search(text.strip().lower()) and not asks_what:
        return True
    if re.match(r"^lieu\b.*\bco\b", reading) and not asks_what:
        return True  # "Liệu Ban Tổ chức có phải báo cáo hằng tháng?"
    return bool(_YES_NO.search(_PARTICLES.sub("?", reading)))


def answer_types(folded: str) -> list[str]:
    """The kinds of answer a question asks for, most specific first (a multi-part question asks several)."""
    found = [name for name, regex in _TYPES if regex.search(folded)]
    if "signer" in found and "person" in found:
        found.remove("person")
    if _ISSUED_FIRST.search(folded):
        # "CV KL183 và CTr KL121 của HP, văn bản nào ban hành trước?": which is earlier is read off their dates
        found = ["date"] + [t for t in found if t not in ("list_docs", "unit", "date")]
    return found


_ISSUED_FIRST = re.compile(r"\b(?:van ban|ben|cai) nao\s+(?:duoc\s+)?(?:ban hanh|ky|ra)\s+(?:truoc|som hon|sau|muon hon)\b"
                           r"|\b(?:ban hanh|ky) (?:som hon|muon hon|truoc) hay (?:sau|muon hon|som hon)\b")


def split_parts(folded: str) -> list[str]:
    """A question asking two things ("ban hành ngày nào, của cơ quan nào?") cut into its parts (one when single)."""
    # Every part must ask something of its own: a piece that asks nothing belongs to the part after it ("phải hoàn
    # thành kế hoạch đào tạo, bồi dưỡng cán bộ trước ngày nào?" is one question whose object is a comma list; in
    # "thế còn KL 542 thì ngày nào, về việc gì?" the "thế" cut off at "còn" opens the first part), or, at the end,
    # to the part before it.
    seps = list(_PART_SPLIT.finditer(folded))
    starts = [0] + [m.end() for m in seps]
    ends = [m.start() for m in seps] + [len(folded)]
    spans: list[list[int]] = []
    pending = None  # where a run of pieces that ask nothing began
    for a, b in zip(starts, ends):
        if not _ASKING.search(folded[a:b]):
            pending = a if pending is None else pending
            continue
        spans.append([a if pending is None else pending, b])
        pending = None
    if pending is not None and spans:
        spans[-1][1] = len(folded)
    parts = [folded[a:b] for a, b in spans]
    parts = [p.strip(" ,;?") for p in parts if p.strip(" ,;?")]
    return parts if len(parts) >= 2 else [folded]


_ASKING = re.compile(r"\b(nao|gi|ai|bao nhieu|may|khi nao|bao gio|the nao|sao|khong|chua|(?:o|toi|den|ve) dau)\b")


def _issuer_matches(level_word: str, meta: dict) -> bool:
    issuer = fold(meta.get("issuer") or "")
    if level_word in ("huyen uy", "huyen"):
        return meta.get("level") == "huyện"
    if level_word in ("tinh uy", "tinh"):
        return meta.get("level") == "tỉnh"
    if level_word in ("thanh uy", "thanh pho"):
        return meta.get("level") == "thành phố" and "co quan dang" not in issuer
    return "co quan dang" in issuer  # dang uy (cac co quan dang)


@dataclass
class Scope:
    """The documents a question is restricted to, and why (for the answer's words when nothing is left)."""

    docs: list[str] | None = None  # None: every document
    reasons: list[str] = field(default_factory=list)  # Vietnamese: "về Kết luận 183", "của tỉnh Hưng Yên"
    cited_only: list[DocRef] = field(default_factory=list)  # references no indexed document is, nor implements
    # references no indexed document is, but one implements exactly ("CTr 316-CTr/TU" of the huyện's plan)
    implemented_only: list[DocRef] = field(default_factory=list)


def resolve_scope(refs: list[DocRef], kinds: set[str], places: list[str], issuer: str | None,
                  facts: IndexFacts) -> Scope:
    """The documents a question's references, document kinds, issuer and places select."""
    names = list(facts.documents)
    scope = Scope()
    candidates = set(names)
    if refs:
        own = {n for n in names for o in facts.refs_of(n)[0] if any(r.matches(o) for r in refs)}
        scope.implemented_only = [r for r in refs if not any(r.matches(o) for n in names for o in facts.refs_of(n)[0])
                                  and any(r.matches(i) for n in names for i in facts.refs_of(n)[1])]
        implementing = {n for n in names if any(_implements(facts, n, r) for r in refs)}
        scope.cited_only = [r for r in refs
                            if not any(r.matches(o) for n in names for o in facts.refs_of(n)[0])
                            and not any(_implements(facts, n, r) for n in names)]
        if own:
            candidates = own
        elif implementing:
            candidates = implementing
            scope.reasons.append("về " + ", ".join(r.label for r in refs if r not in scope.cited_only))
        kinds = kinds - {r.kind for r in refs}  # "Kết luận 183" names the conclusion, not a scope
        if kinds and (own or candidates != set(names)):
            typed = {n for n in candidates if type_kind(facts.documents[n].get("doc_type")) in kinds}
            if typed or own:
                candidates = typed or candidates
            else:
                candidates = set()
                scope.reasons.insert(0, " ".join(sorted({_kind_name(k) for k in kinds})))
    elif kinds and (issuer or places):
        candidates = {n for n in candidates if type_kind(facts.documents[n].get("doc_type")) in kinds}
    if issuer:
        candidates = {n for n in candidates if _issuer_matches(issuer, facts.documents[n])}
        scope.reasons.append("của " + _ISSUER_NAMES.get(issuer, issuer))
    if places:
        candidates = {n for n in candidates if facts.documents[n].get("place") in places}
        scope.reasons.append("của " + ", ".join(places))
    if candidates != set(names):
        scope.docs = sorted(candidates)
    return scope


def _implements(facts: IndexFacts, name: str, ref: DocRef) -> bool:
    """Does a document implement what `ref` names? Officials also name a document by its own kind and the number of
    what it implements: "CV 183" is the Công văn implementing Kết luận 183, "CTr 121" the programme on KL 121."""
    implemented = facts.refs_of(name)[1]
    if any(ref.matches(i) for i in implemented):
        return True
    own_kind = type_kind(facts.documents[name].get("doc_type"))
    return not ref.issuer and ref.kind == own_kind and any(i.number == ref.number for i in implemented)


def _kind_name(kind: str) -> str:
    from ..text.references import KIND_NAMES

    return KIND_NAMES.get(kind, kind)


@dataclass
class Analysis:
    """What `analyze` finds; `Question.read` copies it into the question."""

    readings: list[str]
    units: list[str]
    unknown_units: list[str]
    places: list[str]
    levels: list[str]
    refs: list[DocRef]
    kinds: set[str]
    scope: Scope
    answer_types: list[str]
    parts: list[str]
    yes_no: bool
    compare: bool
    scope_phrase: str | None = None  # the words that named the documents by kind and issuer ("ctr ... cua thanh uy")
    adjacent_docs: list[str] | None = None  # the documents of a council named right after a kind ("CTr ĐU CQĐ")


def analyze(text: str, folded: str, facts: IndexFacts) -> Analysis:
    """Read units, places, levels, references, scope and the kind of answer of one question."""
    places = []
    words = re.findall(r"[a-z]+", folded)
    for i in range(len(words)):
        for candidate in (" ".join(words[i:i + 2]), words[i]):
            if candidate in facts.places and facts.places[candidate] not in places:
                places.append(facts.places[candidate])
                break
    councils = tuple(dict.fromkeys(facts.councils[p] for p in places if p in facts.councils)) or COUNCILS
    abbreviations = {k: fold(v) for k, v in facts.places.items() if " " not in k}
    readings = expand(text, councils=councils, places=abbreviations)
    units, unknown = units_in_question(readings, facts.units) if facts.units else ([], [])
    if units:
        units = [u for u in units if u not in _acted_on(readings[0], facts)]
    levels = list(dict.fromkeys(_LEVELS[m] for m in _LEVEL_RE.findall(readings[0])))
    refs = find_refs(text)
    kinds = kinds_named(readings[0])
    issuer_match = _ISSUER.search(readings[0]) or _SUBJECT_ISSUER.search(readings[0])
    if issuer_match and issuer_match.re is _SUBJECT_ISSUER and issuer_match.group(2) and (kinds or refs):
        issuer_match = None  # "... trong ĐB CQĐ phải quán triệt NQ nào?": the document named is another one
    if issuer_match and issuer_match.re is _ISSUER and issuer_match.group(1) in ("tinh", "huyen", "thanh pho") and any(
            readings[0][issuer_match.end():].lstrip().startswith(p) for p in facts.places if " " in p):
        # "CTr ... của TP Hải Phòng và của tỉnh Hưng Yên": the level is the place's, named next; the place filters
        issuer_match = None
    issuer = next((g for g in issuer_match.groups() if g), None) if issuer_match else None
    scope = resolve_scope(refs, kinds, places, issuer, facts)
    if issuer and scope.cited_only and any(fold(r.text) in issuer_match.group(0) for r in scope.cited_only):
        # "Chương trình hành động số 05-CTr/TU của Thành ủy ... ngày nào?": the issuer is that of the document named,
        # which no indexed document is: it is found where it is cited (by any issuer), not among the Thành ủy's own.
        scope = resolve_scope(refs, kinds, places, None, facts)
        issuer_match = None
    elif issuer and _issuer_is_of_implemented(refs, scope.implemented_only, issuer, issuer_match.group(0), facts):
        # "CTr 316 của BCH Đảng bộ tỉnh ban hành ngày nào?": the issuer qualifies the programme named, which the
        # index holds only as what the huyện's plan implements; the plan is not filtered out for being the huyện's
        scope = resolve_scope(refs, kinds, places, None, facts)
        issuer_match = None
    # the words that named the documents by kind and issuer, when they did ("kế hoạch nào của Tỉnh ủy" asks a kind)
    scope_phrase = issuer_match.group(0) if issuer_match and scope.docs is not None else None
    if scope_phrase and re.search(r"\b(nao|gi|may)\b", scope_phrase):
        scope_phrase = None
    # "còn CTr ĐU CQĐ giao BTGDV ĐU ... khi nào?": a council written right after the kind names the document a
    # follow-up (or a later part) turns to; alone, a question is not restricted by it (the words may name a
    # document it implements, and the passages found tell which)
    adjacent = _ADJACENT_ISSUER.search(readings[0]) if not issuer_match else None
    adjacent_docs = resolve_scope(refs, kinds, places, adjacent.group(1), facts).docs if adjacent else None
    types = answer_types(readings[0])
    parts = split_parts(readings[0])
    # "ĐU ... có yêu cầu kiểm tra toàn diện ... không, giao ai?": a yes/no question whose second part asks who; the
    # answer opens with the verdict and its evidence names who
    yes_no = is_yes_no(text, readings[0]) or (len(parts) == 2 and is_yes_no(parts[0], parts[0] + "?"))
    return Analysis(readings=readings, units=units, unknown_units=unknown, places=places, levels=levels, refs=refs,
                    kinds=kinds, scope=scope, answer_types=types, parts=parts,
                    yes_no=yes_no, compare=bool(_COMPARE.search(readings[0])),
                    scope_phrase=scope_phrase, adjacent_docs=adjacent_docs)


# An act on the organisation itself ("hợp nhất Ban Tuyên giáo và Ban Dân vận Tỉnh ủy", "kết thúc hoạt động của
# Ban ..."): the boards named after it are what is merged or ended, not who does it (folded); the object runs to the
# next word that says when or asks
_ACT = re.compile(r"\b(?:hop nhat|sap nhap|nhap|ket thuc hoat dong(?: cua)?|giai the|thanh lap|to chuc lai)\s+")
_ACT_END = re.compile(r"\b(?:thanh|xong|khi|trong|truoc|hoan thanh|chua|khong|phai|duoc|co|la|theo|o|tai|vao|ngay)\b"
                      r"|[?,;]")


def _acted_on(reading: str, facts: IndexFacts) -> set[str]:
    """The known units a question names as the object of an act on the organisation (see `_ACT`)."""
    found: set[str] = set()
    for m in _ACT.finditer(reading):
        end = _ACT_END.search(reading, m.end())
        span = reading[m.end():end.start() if end else len(reading)]
        # "Ban Tuyên giáo và Ban Dân vận Tỉnh ủy": the council closing the pair belongs to both
        named, _ = units_in_question([span], facts.units)
        found.update(named)
    return found


# The issuer code of a document number ("316-CTr/TU") and the issuer words it can stand for
_CODE_ISSUERS = {"tu": {"tinh uy", "tinh", "thanh uy", "thanh pho"}, "hu": {"huyen uy", "huyen"},
                 "du": {"dang uy", "dang uy cac co quan dang", "cac co quan dang"}}


def _issuer_is_of_implemented(refs: list[DocRef], implemented_only: list[DocRef], issuer: str, phrase: str,
                              facts: IndexFacts) -> bool:
    """Is the issuer phrase ("ctr 316 cua bch dang bo tinh") about a referenced document that no indexed document
    is but one implements, and does that document's code allow this issuer (316-CTr/TU: a Tỉnh ủy's or Thành ủy's)?"""
    named = [r for r in refs if phrase.startswith(fold(r.text))]
    if not named or any(r not in implemented_only for r in named):
        return False
    for ref in named:
        codes = {i.issuer for n in facts.documents for i in facts.refs_of(n)[1] if ref.matches(i) and i.issuer}
        if codes and not any(issuer in _CODE_ISSUERS.get(c, ()) for c in codes):
            return False
    return True


def leans_on_previous(folded: str, analysis: Analysis) -> bool:
    """A question that continues the previous turn: it says so ("còn ...", "thì sao", "việc đó"), or it names
    nothing of its own scope (no unit, document or place) and is short."""
    if _ANAPHORA.search(folded):
        return True
    own_scope = analysis.units or analysis.refs or analysis.places or analysis.unknown_units
    return not own_scope and len(folded.split()) <= 8


def unit_keys(units) -> set[str]:
    """Accent-free keys of unit names (to compare them)."""
    return {match_key(u) for u in units}


def most_common_place(documents: dict[str, dict], names) -> str | None:
    """The place most of the given documents are from."""
    places = Counter(documents[n].get("place") for n in names if documents.get(n, {}).get("place"))
    return places.most_common(1)[0][0] if places else None


_SIDE_SPLIT = re.compile(r"\s+(?:và|va|với|voi|so với|so voi)\s+|\s*,\s*(?:còn|con)\s+|\s+(?:còn|con)\s+", re.I)


def side_segments(text: str, facts: IndexFacts) -> list[str]:
    """A comparison's two sides as written ("Văn phòng Thành ủy (CV KL183)" / "Văn phòng Đảng ủy (CTr của ĐU CQĐ)"):
    the first split at "và", "với", "còn" where both halves name the same kind of thing: a unit, a document or a
    place ("... thực hiện CTr KL121 và báo cáo lên đâu: Hải Phòng với Hưng Yên ...?" is split at "với", not at "và",
    whose halves name a document and two places)."""
    for m in _SIDE_SPLIT.finditer(text):
        left, right = text[:m.start()], text[m.end():]
        named = []
        for half in (left, right):
            found = analyze(half, fold(half), facts)
            named.append({kind for kind, there in (("unit", found.units or found.unknown_units),
                                                   ("document", found.refs or found.kinds
                                                                            or (found.scope.docs is not None
                                                                                and not found.places)),
                                                   ("place", found.places)) if there})
        if named[0] & named[1]:
            return [left, right]
    return []
