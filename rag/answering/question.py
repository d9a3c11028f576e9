"""The question, read once: what the user typed becomes a typed `Question` that every stage takes.

Before, the question string was folded and re-parsed in nearly every helper of the answer path (about eleven trips
into `normalize` per question, the duty query parsed twice). Now `Question.read` normalizes and tokenizes it once,
recognises the units it names (against the units of the index) and its time window, and the stages read its fields.
A conversation's state between turns is a typed `Conversation`, not a dict.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from ..duties.query import DutyQuery
from ..errors import InputError
from ..search.retrieval import is_unaccented
from ..text.dates import DateWindow, parse_window
from ..text.normalize import canonical, fold, tokenize
from ..text.references import DocRef, type_kind, word_kind

if TYPE_CHECKING:
    from .analysis import IndexFacts

# Longest question read. Reading is linear but not free: a 100 KB question without spaces took 74 s before this
# limit; the dev set's longest question has 147 characters, so 1,000 leaves room for pasted sentences.
MAX_QUESTION = 1000
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_HAS_WORD = re.compile(r"[^\W_]")

# A follow-up with this many content syllables of its own names its item: "cái việc hợp nhất, tổ chức lại các cơ quan
# thuộc UBND TP thì căn cứ thông báo số mấy?" after "... được giao mấy nhiệm vụ?", whose words pulled the joined
# search to general passages.
FOLLOW_UP_OWN_WORDS = 6

# Question words and fillers that say nothing about the content sought (folded forms).
QUESTION_WORDS = frozenset(
    """gi nao ai bao nhieu khong co la phai lam nhung viec duoc cua va cac ve theo trong thi sao the nhu
    hay hoi cho biet toi chung minh em anh chi can muon nay do kia o tai khi luc may gio dau vay a nhe
    nhiem vu yeu cau van ban noi dung quy dinh neu ra de tu den voi mot nhieu cung da se dang con nua chua
    roi vay cai""".split()
)

# A question goes to the duty table when it asks what a unit must do or by when (folded, accent-free forms).
_DUTY_INTENT = re.compile(
    r"phai lam|lam gi|nhiem vu|duoc giao|giao cho|cong viec|nhung viec|(?<!ve )viec gi|trach nhiem|chu tri|phoi hop"
    r"|thoi han|han chot|den han|qua han|truoc ngay|truoc \d|cham nhat|khi nao|trong thang|trong quy"
    r"|\bhan (the nao|ra sao|khi nao|bao gio|ngay nao|la gi|hoan thanh)"
    r"|hoan thanh (gi|nhung|viec)|can lam|phan cong|(?:nhung|cac) (?:han|moc)\b|\b(?:han|moc) nao"
    r"|\b(?:phai|duoc giao) lo\b|\blo (?:nhung )?(?:viec )?gi\b"  # "bên tổ chức phải lo những gì"
)

# Questions about a document itself (signer, number, date, issuer, recipients, what it implements): they are
# answered by the document descriptions and preambles, which item passages would otherwise outnumber.
_META_INTENT = re.compile(
    r"\b(ai ky|nguoi ky|ky ban hanh|do ai ky|(?<!co )(?<!nq )(?<!nghi quyet )(?<!kl )(?<!ket luan )(?<!tb )so may|(?<!ngay )(?<!co )so bao nhieu|so hieu|ban hanh ngay|ngay ban hanh|ban hanh ngay nao"
    r"|co quan nao ban hanh|ai ban hanh|nao (?:duoc )?ban hanh (?:truoc|som hon|sau|muon hon)|gui (cho|den) (ai|nhung)|gui (cho |den |toi |ve )?(nhung )?(noi|dau|nhung ai|co quan nao|nhung co quan)|noi nhan|thuc hien (chuong trinh|ke hoach|ket luan)"
    r" (hanh dong )?so may)\b"
)

_BODY_RELATION = re.compile(r"\b(thay the|thay cho|sua doi|bai bo|bo sung|can cu)\b")

# "By when must it be done?" (not "on which date was it issued?", which asks for a reference date).
_ASKS_DEADLINE = re.compile(
    r"\b(truoc ngay nao|han chot|thoi han|han nao|cham nhat|han (the nao|ra sao|khi nao|bao gio|ngay nao|la gi)"
    r"|(hoan thanh|xong|nop|bao cao)\b.*\b(ngay nao|khi nao|bao gio|luc nao))\b"
)
# Any question about a date or time ("ngày nào", "khi nào", "thời hạn"): a duty answer must then give dates.
_ASKS_DATE = re.compile(r"\b(ngay nao|khi nao|bao gio|thoi han|han chot|han nao|luc nao|thoi gian nao"
                        r"|han (the nao|ra sao))\b")
_HOW_MANY = re.compile(r"\bbao nhieu (?:lan |phan tram |%)?([a-z]+(?: [a-z]+)?)")


# Words after "mấy" that are not what is counted ("mấy của tỉnh", "mấy việc như ...": "such tasks as")
_NOT_COUNTED = frozenset("cua va la theo tren trong duoc nhu thi co".split())


_TODAY = re.compile(r"\b(?:hom nay|nay)\s+(?:la\s+)?(?:ngay\s+)?(\d{1,2})\s*/\s*(\d{1,2})\s*/\s*(\d{4})\b")


_OTHER_COUNCIL = {"thanh uy": "tinh uy", "tinh uy": "thanh uy"}


def of_documents_council(units: tuple[str, ...], documents, facts) -> tuple[str, ...]:
    """The readings of an ambiguous "TU" ("Văn phòng Thành ủy", "Văn phòng Tỉnh ủy") kept to the council of the
    documents' place, when they have one; the units as they are otherwise."""
    councils = {facts.councils.get(facts.documents.get(d, {}).get("place")) for d in documents or ()} - {None}
    if len(councils) != 1:
        return units
    other = _OTHER_COUNCIL[councils.pop()]
    kept = tuple(u for u in units if not fold(u).endswith(other))
    return kept or units


# A board named by its kind alone (folded): not followed by a council, level or body of its own
# The boards every council has (folded), longest first
_BOARDS = "ban to chuc|ban tuyen giao va dan van|ban tuyen giao|ban dan van|ban noi chinh|uy ban kiem tra|van phong"
_BARE_BOARD = re.compile(rf"\b({_BOARDS})\b(?!\s+(?:thanh uy|tinh uy|huyen uy|dang uy|thi uy|trung uong|tu|hu"
                         r"|du|cap|cac|hoi dong|uy ban|ubnd|hdnd|chinh phu|quoc hoi|tinh|huyen|thanh pho|xa)\b)")


_DOER_NEXT = re.compile(r"(?:\s+(?:theo|trong|o|tai)\b[^?,;]{1,60}?)?"  # "UBKT theo CTr KL121 của HY được giao ..."
                        r"\s+(?:thi\s+|se\s+|da\s+|can\s+)?(?:phai|duoc giao|duoc|co nhiem vu|chu tri|tham muu|lo|lam"
                        r"|phu trach|nhan|bao cao)\b")


def _issuing_council(meta: dict) -> str | None:
    """The council whose boards a document addresses (folded), from its issuer: "Ban Thường vụ Thành ủy" and "Ban
    Chấp hành Đảng bộ thành phố" -> "thanh uy", "... Đảng bộ Các cơ quan Đảng ..." -> "dang uy"."""
    issuer = fold(meta.get("issuer") or "")
    if "co quan dang" in issuer:
        return "dang uy"
    for words, council in (("thanh uy", "thanh uy"), ("thanh pho", "thanh uy"), ("tinh uy", "tinh uy"),
                           ("tinh", "tinh uy"), ("huyen uy", "huyen uy"), ("huyen", "huyen uy")):
        if re.search(rf"\b{words}\b", issuer):
            return council
    return None


def _board_of_documents(reading: str, documents, facts, *, follow_up: bool = False) -> tuple[str, ...]:
    """The known units a board named without its council ("ban to chuc") stands for in the documents asked about:
    the board of each document's council ("Ban Tổ chức Thành ủy" in the Thành ủy's letter); none when the question
    names no such board. In a follow-up, "Còn Văn phòng thì sao?" names the board it asks about."""
    from ..text.units import resolve_unit_phrase

    # only a board that does something ("ban to chuc phai lo ..."): one merged or named as an object is no doer
    boards = list(dict.fromkeys(m.group(1) for m in _BARE_BOARD.finditer(reading)
                                if _DOER_NEXT.match(reading, m.end())
                                or (follow_up and re.match(r"\s*(?:thi\b|\?|$)", reading[m.end():])
                                    and re.search(r"(?:^|\bcon\s+|\bcua\s+)$", reading[:m.start()]))))
    councils = list(dict.fromkeys(c for d in documents if (c := _issuing_council(facts.documents.get(d, {})))))
    found: list[str] = []
    for board in boards:
        for council in councils:
            found += [u for u in resolve_unit_phrase(f"{board} {council}", facts.units) if u not in found]
    return tuple(found)


# "NQ đó", "văn bản này", "CV trên": a document of the turn before (folded)
_DOC_ANAPHORA = re.compile(r"\b(nq|nghi quyet|kl|ket luan|cv|cong van|ctr|chuong trinh(?: hanh dong)?|kh|ke hoach|tb"
                           r"|thong bao|qd|quy dinh|quyet dinh|ct|chi thi|nd|nghi dinh|van ban) (?:do|nay|ay|tren)\b")


def _kind_fits(word: str, meta: dict) -> bool:
    """Is an indexed document of the kind an anaphora names ("CV đó": a Công văn; "văn bản đó": any)?"""
    kind = word_kind(word)
    return kind is None or type_kind(meta.get("doc_type")) == kind


def _answer_ref(anaphora, conversation, facts) -> DocRef | None:
    """The document "NQ đó" means: the first of its kind the previous answer named, when the previous question named
    none of that kind and no document it was about is of that kind (then it is that document: see `read`)."""
    kind = word_kind(anaphora.group(1))
    last = conversation.last_question
    if kind is None or any(r.kind == kind for r in last.refs):
        return None
    if any(_kind_fits(anaphora.group(1), facts.documents.get(d, {})) for d in last.documents or ()):
        return None
    return next((r for r in conversation.answer_refs if r.kind == kind and r.number), None)


def fold_span_replace(text: str, folded: str, span: tuple[int, int], replacement: str) -> str:
    """`text` (NFC) with the characters at `span` of its folded form replaced (folding an NFC text keeps every
    character in place; the text is returned as it is otherwise)."""
    if len(folded) != len(text):
        return text
    return text[:span[0]] + replacement + text[span[1]:]


_EVERY_COUNCIL = re.compile(rf"\b({_BOARDS})\s+(?:cap uy(?: cac cap)?|cac cap uy|cac cap)\b")


def _board_of_every_council(reading: str, facts) -> tuple[str, ...]:
    """"Ban Tổ chức cấp ủy", "Văn phòng cấp ủy các cấp": the known units of that board, of every council."""
    from ..text.units import resolve_unit_phrase

    found: list[str] = []
    for m in _EVERY_COUNCIL.finditer(reading):
        for council in ("thanh uy", "tinh uy", "huyen uy", "dang uy"):
            found += [u for u in resolve_unit_phrase(f"{m.group(1)} {council}", facts.units) if u not in found]
    return tuple(found)


def _stated_today(folded: str) -> date | None:
    """"Hôm nay 20/8/2025, từ giờ tới 29/8 ...": the official says which day it is; relative words are read from
    it (a date without a year, "quá hạn", "tháng này")."""
    m = _TODAY.search(folded)
    if not m:
        return None
    try:
        return date(int(m.group(3)), int(m.group(2)), int(m.group(1)))
    except ValueError:
        return None


def is_follow_up(folded: str) -> bool:
    """Short questions that lean on the previous one ("còn trước 15/8 thì sao?", "thế còn ...?")."""
    folded = folded.strip()
    return bool(re.match(r"^(con|the con|vay con|the|con lai)\b", folded)) or folded.endswith("thi sao?") or (
        len(folded.split()) <= 4 and folded.endswith("?")
    )


# Words that frame what is asked, not what it is about: "Ban Quản lý dự án huyện mới tên đầy đủ là gì?" asks a name;
# no passage says "tên đầy đủ" of what it names (folded).
_FRAMES = re.compile(r"\bten (?:day du|goi|chinh thuc|cu the)\b|\b(?:chu thich|ghi chu|chu giai)(?: so)?(?: \(?\d+\)?)?"
                     r"|\b(?:muc|tieu muc|diem|phan)\s+(?:\d+\.)*\d+\b|\b(?:dan theo|dan chieu|vien dan|trich dan)\b")
# "mục 3.3", "tiểu mục 1.2.1", "điểm 2.1" of a document: the numbered section a question points at (folded)
_SECTION = re.compile(r"\b(?:muc|tieu muc|diem|phan)\s+((?:\d+\.)*\d+)\b")


def _without(reading: str, phrase: str | None) -> str:
    """The reading without the phrase that named the documents it is restricted to ("ctr hanh dong thuc hien kl121
    cua thanh uy"): the scope answers for those words, which the document's passages do not repeat."""
    return reading.replace(phrase, " ") if phrase else reading


def _content(syllables: tuple[str, ...]) -> tuple[str, ...]:
    """Syllables that carry content (question words and bare numbers removed), plus bigrams of adjacent ones."""
    keep = [t not in QUESTION_WORDS and not t.isdigit() for t in syllables]
    kept = [t for t, k in zip(syllables, keep) if k]
    bigrams = [f"{a}_{b}" for (a, ka), (b, kb) in zip(zip(syllables, keep), zip(syllables[1:], keep[1:])) if ka and kb]
    return tuple(kept + bigrams)


@dataclass(frozen=True, eq=False)
class Question:
    """A question as read once: its text in every form the stages need, and what it asks about.

    `today` is the date relative dates are read from (a date without a year, "quá hạn"); in a follow-up about a
    dated window it is the end of that window's year, so "còn trước 15/8?" stays in the conversation's year.
    """

    text: str  # as typed, without surrounding spaces
    nfc: str  # NFC, canonical tone placement, single spaces
    folded: str  # lower case, no diacritics
    syllables: tuple[str, ...]  # BM25 syllables and codes, without bigrams
    tokens: tuple[str, ...]  # BM25 tokens (syllables, codes, bigrams), abbreviations expanded
    content: tuple[str, ...]  # content syllables and their bigrams (coverage, excerpts)
    unaccented: bool  # typed without diacritics (dense search is not trusted then)
    follow_up: bool  # leans on the previous turn
    today: date
    units: tuple[str, ...] = ()  # known units the question names, longest match first
    window: DateWindow | None = None
    # What the analysis found (`rag.answering.analysis`): see there.
    readings: tuple[str, ...] = ()  # folded, abbreviations expanded (one per reading of "TU")
    unknown_units: tuple[str, ...] = ()  # unit-like names matching no unit of the index
    places: tuple[str, ...] = ()
    levels: tuple[str, ...] = ()
    refs: tuple[DocRef, ...] = ()
    kinds: frozenset[str] = frozenset()
    documents: tuple[str, ...] | None = None  # the documents the question is restricted to (None: all)
    scope: tuple[str, ...] = ()  # why (Vietnamese): "về Kết luận 183", "của Hưng Yên"
    cited_only: tuple[DocRef, ...] = ()  # references that are no indexed document's own nor implemented
    implemented_only: tuple[DocRef, ...] = ()  # references no indexed document is, but one implements exactly
    answer_types: tuple[str, ...] = ()  # date, number, signer, person, unit, tasks, list_docs, content, doc_number
    parts: tuple[str, ...] = ()
    yes_no: bool = False
    compare: bool = False
    inherited: tuple[str, ...] = ()  # what a follow-up took from the previous turn: "units", "documents", "window"
    typed_length: int = 0  # characters typed (the text is cut at MAX_QUESTION)
    sections: tuple[str, ...] = ()  # numbered sections named ("mục 3.3" -> "3.3")
    # numbers a yes/no question claims that no indexed document is, implements or cites ("... thay thế CTr số
    # 05-CTr/ĐU đúng ko?"): checked against the number the document states, set by the assistant
    claimed_refs: tuple[DocRef, ...] = ()

    @property
    def answer_type(self) -> str | None:
        """The main kind of answer asked for."""
        return self.answer_types[0] if self.answer_types else None

    @classmethod
    def read(cls, text: str, *, known_units=(), facts: "IndexFacts | None" = None, today: date | None = None,
             conversation: "Conversation | None" = None) -> "Question":
        """Read what the user typed. `facts` (or only `known_units`) describe the index, to recognise the units,
        places and documents named; `today` defaults to the current date; `conversation` is the state after the
        previous turn."""
        from .analysis import IndexFacts, analyze, leans_on_previous

        text = _CONTROL.sub(" ", text or "").strip()  # NUL and other control characters are not text
        typed_length = len(text)
        if typed_length > MAX_QUESTION:
            text = text[:MAX_QUESTION]  # read no further: the answer is a request to shorten it (`refusal`)
        if not _HAS_WORD.search(text):
            text = ""  # only punctuation or symbols: nothing was asked
        nfc = canonical(text)
        folded = fold(nfc)
        today = _stated_today(folded) or today or date.today()
        previous = conversation.duty_query if conversation is not None else None
        follow_up = is_follow_up(folded)
        if follow_up and previous is not None and previous.window is not None:
            anchor = previous.window.before or previous.window.after
            if anchor is not None:
                today = anchor.replace(month=12, day=31)
        if facts is None:
            facts = IndexFacts(units=list(known_units))
        last = conversation.last_question if conversation is not None else None
        anaphora = _DOC_ANAPHORA.search(folded) if last is not None else None
        said = _answer_ref(anaphora, conversation, facts) if anaphora else None
        # "NQ đó ngày bao nhiêu?" after an answer naming "Nghị quyết số 17-NQ/TU": read as if it named it
        analyzed = text if said is None else fold_span_replace(nfc, folded, anaphora.span(), said.text)
        found = analyze(analyzed, fold(canonical(analyzed)), facts) if text else None
        reading = found.readings[0] if found else folded
        syllables = tuple(tokenize(reading, bigrams=False))
        tokens = list(tokenize(reading))
        for other in (found.readings[1:] if found else []):
            tokens += [t for t in tokenize(other) if t not in tokens]
        window = parse_window(reading, today=today)
        units = tuple(found.units) if found else ()
        documents = tuple(found.scope.docs) if found and found.scope.docs is not None else None
        inherited: list[str] = []
        refs = tuple(found.refs) if found else ()
        cited_only = tuple(found.scope.cited_only) if found else ()
        implemented_only = tuple(found.scope.implemented_only) if found else ()
        if last is not None and found is not None and (follow_up or leans_on_previous(folded, found)):
            follow_up = True
            if anaphora and said is None and not found.refs and last.documents:
                # "CV đó số mấy?" after a question on the Thành ủy's letter: that document
                kept = tuple(d for d in last.documents if _kind_fits(anaphora.group(1), facts.documents.get(d, {})))
                if kept:
                    documents = kept
                    inherited.append("documents")
            if not units and not found.unknown_units and (last.documents or documents):
                # "Còn Văn phòng thì sao?" after a question on the Tỉnh ủy's programme: that council's office
                units = _board_of_documents(reading, documents or last.documents, facts, follow_up=True)
            if not units and not found.unknown_units and last.units:
                units = last.units
                inherited.append("units")
            if found.places and not found.refs and (last.refs or last.kinds) and documents is not None and \
                    set(found.places) != set(last.places):
                # "CTr KL121 của HY do ai ký?" then "Còn (CTr) của HP?": the same document, of the other place
                from .analysis import resolve_scope

                scope = resolve_scope(list(last.refs), set(found.kinds) or set(last.kinds), list(found.places), None,
                                      facts)
                if scope.docs:
                    documents = tuple(scope.docs)
                    inherited.append("documents")
            if documents is None and found.adjacent_docs:
                documents = tuple(found.adjacent_docs)  # "còn CTr ĐU CQĐ thì ...?": the document it turns to
            if documents is None and not found.refs and not found.places and last.documents is not None:
                documents = last.documents
                inherited.append("documents")
            if documents is None and not found.refs and not found.places and last.cited_only:
                # "KH 300-KH/HU do ai ký, ngày nào?": a document known only from where it is cited is searched in the
                # passages citing it; the part after the comma is about it too
                refs, cited_only, implemented_only = last.refs, last.cited_only, last.implemented_only
                inherited.append("cited document")
            if "documents" in inherited and len(units) > 1:
                # "Còn VP TU thì ...?" after a question on Hải Phòng's letter: "TU" is that document's council
                units = of_documents_council(units, documents, facts)
            if window is None and last.window is not None and not found.refs:
                window = last.window
                inherited.append("window")
            if not found.answer_types and last.answer_types:
                found.answer_types = list(last.answer_types)
                inherited.append("answer type")
        if documents and len(units) > 1 and "documents" not in inherited:
            # "BTC TU và BTGDV TU trong CV KL183 ...": the document named fixes what "TU" is
            units = of_documents_council(units, documents, facts)
        if not units and found is not None and not found.unknown_units and documents:
            # "Ban tổ chức phải lo những gì theo CV 183?": a board named without its council is the board of the
            # documents asked about
            units = _board_of_documents(reading, documents, facts)
        if not units and found is not None and not found.unknown_units:
            # "Văn bản nào giao nhiệm vụ cho Văn phòng cấp ủy?": the board of every council
            units = _board_of_every_council(reading, facts)
        # what the question is about: without the words that frame what it asks and those that named its documents
        about = _FRAMES.sub(" ", _without(reading, found.scope_phrase if found and documents else None))
        return cls(
            text=text, nfc=nfc, folded=folded, syllables=syllables, tokens=tuple(tokens),
            content=_content(tuple(tokenize(about, bigrams=False))),
            unaccented=is_unaccented(text), follow_up=follow_up, today=today,
            units=units, window=window,
            readings=tuple(found.readings) if found else (), unknown_units=tuple(found.unknown_units) if found else (),
            places=tuple(found.places) if found else (), levels=tuple(found.levels) if found else (),
            refs=refs, kinds=frozenset(found.kinds) if found else frozenset(),
            documents=documents, scope=tuple(found.scope.reasons) if found else (), cited_only=cited_only,
            implemented_only=implemented_only,
            answer_types=tuple(found.answer_types) if found else (), parts=tuple(found.parts) if found else (),
            yes_no=found.yes_no if found else False, compare=found.compare if found else False,
            inherited=tuple(inherited), typed_length=typed_length,
            sections=tuple(dict.fromkeys(_SECTION.findall(reading))),
        )

    def understanding(self) -> dict:
        """What the analysis understood, as plain values (`rag ask --explain --json`, the UI's "Hiểu câu hỏi")."""
        return {
            "units": list(self.units), "unknown_units": list(self.unknown_units), "places": list(self.places),
            "levels": list(self.levels), "documents_named": [r.label for r in self.refs],
            "documents": list(self.documents) if self.documents is not None else None, "scope": list(self.scope),
            "window": self.window.label if self.window else None, "answer_types": list(self.answer_types),
            "yes_no": self.yes_no, "compare": self.compare, "follow_up": self.follow_up,
            "inherited": list(self.inherited), "as_of": self.today.isoformat(),
        }

    def explain(self) -> str:
        """What the analysis understood, in one Vietnamese line per thing found."""
        names = {"date": "ngày, thời hạn", "number": "con số", "signer": "người ký", "person": "người",
                 "unit": "đơn vị", "tasks": "danh sách nhiệm vụ", "list_docs": "danh sách văn bản",
                 "content": "nội dung", "doc_number": "số hiệu văn bản"}
        lines = []
        if self.units:
            lines.append("Đơn vị: " + "; ".join(self.units))
        if self.unknown_units:
            lines.append("Đơn vị không có trong văn bản: " + "; ".join(self.unknown_units))
        if self.places:
            lines.append("Địa phương: " + ", ".join(self.places))
        if self.levels:
            lines.append("Cấp: " + ", ".join(self.levels))
        if self.refs:
            lines.append("Văn bản được nêu: " + ", ".join(r.label for r in self.refs))
        if self.documents is not None:
            scope = f" ({' '.join(self.scope)})" if self.scope else ""
            lines.append(f"Chỉ tìm trong {len(self.documents)} văn bản{scope}" if self.documents
                         else f"Không có văn bản nào trong kho thuộc phạm vi câu hỏi{scope}")
        if self.window is not None:
            lines.append(f"Thời gian: {self.window.label}")
        kinds = [names.get(t, t) for t in self.answer_types]
        if self.yes_no:
            kinds.insert(0, "có/không")
        if self.compare:
            kinds.insert(0, "so sánh")
        if kinds:
            lines.append("Hỏi về: " + ", ".join(dict.fromkeys(kinds)))
        if self.inherited:
            shown = {"units": "đơn vị", "documents": "văn bản", "cited document": "văn bản được viện dẫn",
                     "window": "thời gian", "answer type": "điều được hỏi"}
            lines.append("Tiếp nối câu trước: giữ " + ", ".join(shown.get(i, i) for i in self.inherited))
        return "\n".join(lines) or "Không nhận ra đơn vị, văn bản hay thời gian cụ thể."

    def joined_with(self, previous: "Question", *, facts: "IndexFacts | None" = None) -> "Question":
        """The search query of a follow-up: the previous turn's query and this question, read as one text, against
        the same index `facts` (without them, "CV KL183" of the turn before is a document the index only cites,
        and the search keeps to the passages citing it)."""
        return Question.read(f"{previous.text} {self.text}", today=self.today, facts=facts)

    @property
    def empty(self) -> bool:
        """Nothing was typed (or only punctuation, symbols, control characters)."""
        return not self.text

    @property
    def too_long(self) -> bool:
        """Longer than MAX_QUESTION characters."""
        return self.typed_length > MAX_QUESTION

    @property
    def refusal(self) -> str | None:
        """What to answer instead of searching, in Vietnamese: an empty or an overlong question; else None."""
        if self.too_long:
            return InputError("question_too_long", length=f"{self.typed_length:,}".replace(",", "."),
                              limit=f"{MAX_QUESTION:,}".replace(",", ".")).message_vi
        if self.empty:
            return InputError("question_empty").message_vi
        return None

    @property
    def names_its_item(self) -> bool:
        """A follow-up that names what it is about in words of its own (FOLLOW_UP_OWN_WORDS content syllables):
        searched on its own words, not joined with the previous question's, and not answered with a whole unit's
        duty table."""
        return len([t for t in self.content if "_" not in t]) >= FOLLOW_UP_OWN_WORDS

    @property
    def asks_duties(self) -> bool:
        """Asks what a unit must do, or by when."""
        return bool(_DUTY_INTENT.search(self.folded))

    @property
    def asks_about_document(self) -> bool:
        """Asks about a document itself (signer, number, date, recipients, what it implements)."""
        # "... thay thế chương trình số mấy?": a number the body states ("5. Chương trình này thay thế ..."), not the
        # document's own heading
        return bool(_META_INTENT.search(self.folded)) and not _BODY_RELATION.search(self.folded)

    @property
    def asks_deadline(self) -> bool:
        """Asks by when something must be done."""
        return bool(_ASKS_DEADLINE.search(self.folded))

    @property
    def asks_date(self) -> bool:
        """Asks for a date or time of any kind."""
        return bool(_ASKS_DATE.search(self.folded))

    @property
    def how_many(self) -> str | None:
        """The noun of "bao nhiêu X" or "mấy X" ("bao nhiêu tỷ đồng" -> "ty dong", "gồm mấy tiêu chí" -> "tieu chi"),
        None when the question asks no quantity. "mấy" counts only as typed ("máy", "bộ máy" fold alike) or in a
        question typed without marks, and not after "số", "khóa", "điều" ("số mấy" asks a number, not a count)."""
        match = _HOW_MANY.search(self.folded)
        if match:
            return match.group(1)
        lower = self.nfc.lower()
        count = re.search(r"(?<!số )(?<!khóa )(?<!khoá )(?<!điều )(?<!lần thứ )\bmấy (\w+(?: \w+)?)", lower)
        if count is None and self.unaccented:
            count = re.search(r"(?<!so )(?<!khoa )(?<!dieu )(?<!bo )\bmay (\w+(?: \w+)?)", lower)
        if count is None:
            return None
        before, after = fold(lower[:count.start()]), fold(lower[count.end():])
        if re.search(r"\b(la sao|the nao|ra sao|la gi)\s*\??\s*$", after) and \
                not re.search(r"\b(co|gom|bao gom|la)\s*$", before):
            return None  # "vụ sáp nhập mấy ban ở huyện ... là sao?": "mấy" is "some", what is asked is the content
        if re.match(r"^(?:\s+\w+){0,3}\s+nao\b", after) or fold(count.group(1)).endswith(" nao"):
            return None  # "lập trên cơ sở mấy phòng cũ nào?": which ones; the list they name counts them
        noun = fold(count.group(1)).split()
        if noun[0] in _NOT_COUNTED or noun[-1] == "nhu":
            return None
        return " ".join(w for w in noun if w not in _NOT_COUNTED) or None

    @property
    def recurrence(self) -> str | None:
        """"hằng năm ... những việc gì": the recurrence the duties asked about have ("yearly", "monthly"), if any."""
        reading = self.readings[0] if self.readings else self.folded
        if re.search(r"\b(?:hang|moi) nam\b", reading):
            return "yearly"
        if re.search(r"\b(?:hang|moi) thang\b", reading):
            return "monthly"
        return None

    def duty_query(self) -> DutyQuery | None:
        """The duty query the question states (units, window, or a recurrence in the documents it names), None when
        it states none of them."""
        recurrence = self.recurrence if (self.units or self.documents) else None
        if not self.units and self.window is None and recurrence is None:
            return None
        return DutyQuery(units=list(self.units), window=self.window, today=self.today,
                         docs=list(self.documents) if self.documents is not None else None, recurrence=recurrence)


@dataclass(frozen=True)
class Conversation:
    """What a conversation keeps between turns: the previous question (a follow-up keeps what it fixed), the
    previous search query (a follow-up adds to it) and the previous duty question (its units and year)."""

    last_query: Question | None = None
    duty_query: DutyQuery | None = None
    last_question: Question | None = None
    answer_refs: tuple[DocRef, ...] = ()  # documents the previous answer's lines name, in order ("NQ đó" is one)
