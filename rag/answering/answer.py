"""Extractive answers: a one-line lead naming the source documents, then the relevant items, each cited `[n]`.

No language model: every sentence of an answer is a sentence of a document, so every claim is backed by the
passage it cites. When the retrieved passages do not cover the question, we abstain with a clear sentence
instead of returning the nearest passage; the thresholds come from the dev test set (`rag eval`).

Before quoting, the passages are checked against what the question constrains and asks (issue 13): a named unit
keeps only passages naming it or the blocks its "Phân công thực hiện" line gives it; an event's date, a unit's date
and a document's date are told apart; places already applied as document filters and the words that frame a
comparison are not counted as topic words. Measured on dev (280 questions, 24 of them new, written from the corpus)
and on 24 held-out new questions (eval/pool/fresh-*.jsonl): dev complete 0.893 -> 0.918, refused 0.040 -> 0.031,
abstention recall 0.912 -> 0.982; held-out complete 0.750 -> 0.792, abstention recall 0.750 -> 0.875.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from difflib import SequenceMatcher
from functools import lru_cache

from ..search.retrieval import Hit
from ..text.deadlines import find_deadlines
from ..text.normalize import contains, fold, match_key, tokenize
from ..text.units import is_generic
from .citations import CitationList, lead_sources, short_title
from .models import Answer
from .question import Question

log = logging.getLogger(__name__)

ABSTAIN_HINT = "Xin hãy hỏi cụ thể hơn (tên đơn vị, văn bản, nhiệm vụ hoặc thời hạn) hoặc bổ sung văn bản liên quan."
ABSTAIN_TEXT = "Các văn bản hiện có không nêu thông tin để trả lời câu hỏi này. " + ABSTAIN_HINT

@dataclass
class AbstainPolicy:
    """Abstain when the best passage is far in meaning or shares too little of the question's content.

    Chosen on the dev test set with `python -m rag.evaluation.abstention` (grid search, ties to the laxer
    policy): coverage separates the questions; cosine of e5 vectors does not (every passage of this corpus
    scores > 0.8 against any on-topic question), so its floor only catches off-topic input.
    """

    min_cosine: float = 0.70
    min_coverage: float = 0.55
    # Share of the question's two-syllable words a passage must hold. Measured on the dev split: 0.3 refuses more
    # unanswerable questions (abstention recall 0.878 vs 0.857) but refuses answerable ones too (complete 0.805 vs
    # 0.816); the answer-type checks (`absent_answer_type`) do that work without the cost. Only "none at all" is
    # refused (0.01): "Làm thế nào để đăng ký kết hôn?" was answered from passages sharing its syllables only; on
    # dev it costs nothing once questions naming a document code are left to the scope.
    min_bigram_coverage: float = 0.01


# Upper-case Vietnamese letters (the range À-Ỹ also holds lower-case ones: "bảo đảm Đúng" read as a name before)
_UPPER = "A-ZĐÀÁẢÃẠÂẦẤẨẪẬĂẰẮẲẴẶÈÉẺẼẸÊỀẾỂỄỆÌÍỈĨỊÒÓỎÕỌÔỒỐỔỖỘƠỜỚỞỠỢÙÚỦŨỤƯỪỨỬỮỰỲÝỶỸỴ"

_CURRENCY = {"tien", "dong", "ty", "trieu", "kinh phi"}


def quantity_missing(question: Question, texts: list[str]) -> bool:
    """True when the question asks "how many X" and no passage states a number of X.

    An extractive answer cannot state a figure that no passage gives ("bao nhiêu tỷ đồng", "bao nhiêu biên
    chế"); the nearest passage about the topic would otherwise look like an answer.
    """
    noun = question.how_many
    if noun is None:
        # "Chỉ tiêu kết nạp đảng viên mới ... là bao nhiêu?": the figure is the subject's; a passage must state some
        # figure (dates, document codes and section numbers are not one)
        if not _BARE_HOW_MANY.search(question.readings[0] if question.readings else question.folded):
            return False
        return not any(_FIGURE.search(_NOT_FIGURES.sub(" ", text)) for text in texts)
    words = noun.split()
    nouns = {" ".join(words), words[0]}
    if nouns & _CURRENCY or words[0] in _CURRENCY:
        nouns |= {"dong", "ty dong", "trieu dong"}
    for text in texts:
        folded = fold(text)
        for noun in nouns:
            if re.search(rf"\b\d[\d.,]*\s*(?:%\s*)?{re.escape(noun)}\b", folded):
                return False
    return True


# "... là bao nhiêu?" with no noun after it; "ngày / tháng / số bao nhiêu" ask a date or a document number
_BARE_HOW_MANY = re.compile(r"(?<!ngay )(?<!thang )(?<!nam )(?<!so )(?<!hieu )(?<!gio )\bbao nhieu\s*\??\s*$")
_NOT_FIGURES = re.compile(r"\d+\s*-\s*[A-Za-zĐđ]+\s*/\s*[A-Za-zĐđ-]+|\d+/\d{4}/[A-ZĐ]+-[A-Za-z]+|\d{1,2}/\d{1,2}/\d{4}"
                          r"|\d{1,2}/\d{4}|(?:^|\n)\s*(?:\d+\.)+\d*\s|\b(?:khóa|khoá|lần thứ|nhiệm kỳ|giai đoạn|năm|số|Điều"
                          r"|Khoản|Mục|Phần)\s+[\dIVXL]+(?:\s*-\s*\d{4})?|\b\d{4}\s*-\s*\d{4}|\(\d+\)")
_FIGURE = re.compile(r"\b\d+(?:[.,]\d+)?\b|\b(?:một|hai|ba|bốn|năm|sáu|bảy|tám|chín|mười|trăm|nghìn|triệu)\s+"
                     r"(?:phần trăm|người|đảng viên|tổ chức|đơn vị|cơ quan|xã|huyện|lần)")


@lru_cache(maxsize=4096)
def _token_set(text: str) -> frozenset[str]:
    # Passages are scored several times per question (abstention, selection): tokenize each once.
    return frozenset(tokenize(text))


def coverage(question_tokens: list[str], text: str) -> float:
    """Share of the question's content tokens (syllables and bigrams) found in `text`."""
    if not question_tokens:
        return 1.0
    found = _token_set(text)
    return sum(t in found for t in question_tokens) / len(question_tokens)


def deadline_missing(question: Question, texts: list[str]) -> bool:
    """True when the question asks "by when?" and no passage states a deadline (dates of cited documents such
    as "Kết luận số 822-KL/TU ngày 30/12/2024" are references, not deadlines, and do not count)."""
    if not question.asks_deadline:
        return False
    if _WHEN.search(question.folded):
        # "... ngày nào?", "khi nào?": "định kỳ", "thường xuyên" say how often, not when, and do not answer it (the
        # duty answer says "không nêu thời hạn" for the same reason); a timing the document defers ("Thời gian cụ
        # thể thực hiện theo chỉ đạo của Trung ương") is its answer to when.
        return not any(d.says_when for text in texts for d in find_deadlines(text))
    return not any(find_deadlines(text) for text in texts)


_WHEN = re.compile(r"\b(ngay nao|khi nao|bao gio|luc nao|thoi gian nao|thang nao|ngay bao nhieu|may gio)\b")


# A line break inside a sentence: the line before it ends with no sentence or item punctuation
_WRAPPED = re.compile(r"(?<![.;:!?)\]])[ \t]*\n[ \t\n]*(?=[^\s\-+•*])")
_SENTENCE = re.compile(r"(?<=[.;!?])\s+(?=[A-ZĐÀ-Ỹ(\-])|\n+")


def excerpt(text: str, question_tokens: list[str], *, limit: int = 700, prefer: tuple[str, ...] = ()) -> str:
    """The whole passage when short; else its sentences that share most with the question, in order. One line
    either way: a line broken inside a sentence (a hard-wrapped or PDF text: "… của Ban Thường vụ\nTỉnh ủy về …")
    is joined, and the passage's own lines are kept apart by " … " (each line of an answer carries its [n]).
    Sentences holding a `prefer` token (the code of a document the question names) come first."""
    text = _WRAPPED.sub(" ", text.strip())
    if len(text) <= limit:
        return re.sub(r"\s*\n\s*", " … ", text)
    sentences = [s.strip() for s in _SENTENCE.split(text) if s.strip()]
    wanted = set(question_tokens)
    scored = []
    for i, sentence in enumerate(sentences):
        tokens = set(tokenize(sentence))
        score = len(tokens & wanted) + (0.5 if re.search(r"\d{1,2}/\d{1,2}/\d{4}|hằng tháng|tháng \d", sentence) else 0)
        score += 10 if prefer and tokens & set(prefer) else 0
        scored.append((score, i))
    keep: list[int] = []
    size = 0
    for score, i in sorted(scored, key=lambda x: (-x[0], x[1])):
        if size + len(sentences[i]) > limit and keep:
            continue
        keep.append(i)
        size += len(sentences[i])
    if 0 not in keep and sentences and len(sentences[0]) < 160:
        keep.append(0)  # the item's opening names who and what
    return " … ".join(sentences[i] for i in sorted(keep))


_CODE = re.compile(r"\b\d+\s*-\s*[A-Za-zĐđ]+/[A-Za-zĐđ]+\b")


# An office named in a question ("Phòng Tư pháp", "Sở Nội vụ", "Trung tâm Chính trị"): its head word, a capitalised
# syllable, then the lower-case syllables of the name up to a level, a place or a function word
_OFFICE = re.compile(rf"\b(?:Phòng|Sở|Trung tâm|Chi cục|Hội|Ban Quản lý)\s+[{_UPPER}][a-zà-ỹđ]*(?!\w)"
                     r"(?:\s+[a-zà-ỹđ]+){0,2}")
_OFFICE_STOP = frozenset("huyen tinh thanh pho xa phuong cap duoc theo cua voi la co va thi o tai trong khi nao gi "
                         "sau truoc da se dang moi cu phai khong ko k dung chua hay nhe nhi vay a ha bi hop sap nhap "
                         "ket giai lam".split())  # "Sở Nội vụ không?": the particle closing a yes/no is no name


def office_names(question: Question) -> list[str]:
    """The offices a question names with their capitals ("Phòng Tư pháp huyện được ..." -> "Phòng Tư pháp")."""
    names = []
    for m in _OFFICE.finditer(question.nfc):
        words = m.group(0).split()
        head = 2 if words[0] in ("Trung", "Chi", "Ban") else 1
        if re.match(rf"[{_UPPER}]{{2}}", question.nfc[m.start():].split()[head]):
            continue  # "Sở LĐ-TB&XH": an abbreviation, read by its expansion, not a name to find as typed
        kept = words[:head + 1]
        for word in words[head + 1:]:
            if fold(word) in _OFFICE_STOP:
                break
            kept.append(word)
        names.append(" ".join(kept))
    return names


def names_nearly(text: str, name: str) -> bool:
    """Does `text` name `name`, allowing one typing slip per word ("Sở Tài chíng" for "Sở Tài chính")?"""
    if contains(text, name):
        return True
    wanted = fold(name).split()
    words = fold(text).split()
    for i, word in enumerate(words):
        if word == wanted[0] and i + len(wanted) <= len(words):
            window = words[i:i + len(wanted)]
            # a slip changes a letter or two, not the word's length by two ("Ngoại" is no "Nội")
            if all(a == b or (len(a) > 2 and abs(len(a) - len(b)) <= 1
                              and SequenceMatcher(None, a, b).ratio() >= 0.75)
                   for a, b in zip(wanted, window)):
                return True
    return False


def reference_codes(question: Question) -> tuple[str, ...]:
    """The codes of the documents a question names, as passages tokenize them ("300-kh/hu", "183")."""
    return tuple(t for r in question.refs for t in tokenize(r.text, bigrams=False) if re.search(r"\d", t))


def unknown_names(question: Question, vocabulary) -> list[str]:
    """Proper names ("Quảng Ninh") and document codes ("2557-CV/TU") of the question found in no document.

    The documents cannot answer about a place or a document they never mention; the nearest passage about
    another province would otherwise be returned as if it were the answer.
    """
    unknown = []
    for code in _CODE.findall(question.nfc):
        token = tokenize(code, bigrams=False)[0]
        if token not in vocabulary:
            unknown.append(code)
    text = _CODE.sub(" ", question.nfc)
    words = list(re.finditer(r"[^\W\d_]+", text))
    def known(x, y) -> bool:
        return text[x.end():y.start()].isspace() and f"{fold(x.group())}_{fold(y.group())}" in vocabulary

    for i in range(1, len(words) - 1):  # skip the question's first word (sentence case)
        first, second = words[i], words[i + 1]
        a, b = first.group(), second.group()
        title_case = all(w[:1].isupper() and w[1:].islower() for w in (a, b))
        if title_case and text[first.end():second.start()].isspace():
            if f"{fold(a)}_{fold(b)}" not in vocabulary:
                # "Ở Hưng Yên Sở Xây dựng ...": two names side by side, "Yên Sở" is the seam between them
                if known(words[i - 1], first):
                    continue
                unknown.append(f"{a} {b}")
    return unknown


def _owner(chunk) -> str:
    """For a bullet or sub-item, the heading it sits under ("1. Ban Tổ chức Tỉnh ủy: "): it often names the unit."""
    if not re.match(r"^(-|\(\d+\)|[a-zđ]\))\s", chunk.text):
        return ""
    parts = chunk.section.split(" > ")
    parent = next((p for p in reversed(parts[:-1] if len(parts) > 1 and parts[-1].startswith(("-", "(")) else parts)
                   if not p.startswith(("-", "("))), "")
    parent = parent.rstrip(":… ").strip()
    return f"{parent}: " if parent and len(parent) <= 90 else ""


# Words that frame a comparison, not its topic: no passage says "khác nhau" about what it sets (folded syllables).
_FRAME = frozenset("so sanh khac nhau giong moi tung ben ca".split())


def topic_content(question: Question) -> tuple[str, ...]:
    """The content tokens a passage must cover: the question's, without the words of constraints already applied as
    filters (the places of a question restricted to their documents: a passage of Hải Phòng's programme seldom says
    "Hải Phòng", and one side of "HP và HY ..." never says the other) and, in comparisons, without the words
    that frame them, and without document references typed as one word ("KL183")."""
    drop: set[str] = set()
    if question.places and question.documents is not None:
        for place in question.places:
            drop.update(tokenize(place, bigrams=False))
    frame = question.compare or bool(_COMPARING.search(question.folded))
    if frame:
        drop |= _FRAME
    for ref in question.refs:
        # "KL183" typed as one word: the reference is matched by the scope and the citing passages, which write it
        # out ("Kết luận số 183-KL/TW"); as a word it is in no passage. (Its spelled-out words do count: dropping
        # "kết luận" too left "Kết luận 183 của BCT ký ngày bao nhiêu?" with three words to cover, and refused it.)
        drop.update(t for t in tokenize(fold(ref.text), bigrams=False) if re.fullmatch(r"[a-z]+\d+", t))
    if not drop:
        return question.content
    return tuple(t for t in question.content if not (set(t.split("_")) & drop))


_COMPARING = re.compile(r"\b(so sanh|khac nhau|giong nhau|moi (ben|moc|ban|don vi|van ban)|ca hai)\b")


def in_sections(path: str, numbers: tuple[str, ...]) -> bool:
    """Is a section path ("II. ... > 3. ... > 3.3. Xây dựng ...") inside one of the numbered sections?"""
    return any(re.match(rf"{re.escape(n)}\.?(?:\s|$)", part.strip()) for part in path.split(" > ") for n in numbers)


def should_abstain(question: Question, hits: list[Hit], policy: AbstainPolicy, *,
                   verify: bool = True) -> tuple[bool, dict]:
    """Decide abstention from the best cosine and the question-content coverage of the top passages, and from
    what the question asks (a figure, a deadline) being absent from them. (Names no document mentions are refused
    before retrieval, by the assistant: `unknown_names`.)"""
    tokens = topic_content(question)
    if question.sections and hits and in_sections(hits[0].chunk.section, question.sections):
        # "chú thích (4) ở mục 3.6 ...", "Mục 3.2 ... hạn thế nào?": the section named is the topic; what the question
        # asks of it is still checked (a deadline, a figure)
        tokens = ()
    best_cov = max((coverage(tokens, h.chunk.index_text()) for h in hits[:3]), default=0.0)
    # A passage still waiting for its vector has no cosine: then only coverage decides (as for BM25 alone).
    best_cos = 0.0 if any(not h.embedded for h in hits[:3]) else max((h.dense_score for h in hits[:3]), default=0.0)
    # Only passages that really cover the question may supply the figure or the deadline asked for.
    covering = [h.chunk for h in hits[:3] if coverage(tokens, h.chunk.index_text()) >= 0.9 * best_cov]
    texts = [c.text for c in covering]
    headed = [c.index_text() for c in covering]
    gap = _gap(question, texts, headed) if verify else None
    missing = gap is not None
    bigram_cov = max((bigram_coverage(question, h.chunk.index_text()) for h in hits[:3]), default=0.0)
    signals = {"coverage": best_cov, "cosine": best_cos, "quantity_missing": float(missing),
               "bigram_coverage": bigram_cov}
    if not hits:
        return True, signals
    too_far = 0 < best_cos < policy.min_cosine  # 0: no dense score at all (BM25-only retrieval)
    # No two-syllable word of the question in any top passage: only its syllables matched ("đăng ký kết hôn" shares
    # "đăng", "ký", "kết" with every document). A question naming a document code is about that code, and its
    # words are the code's (checked by the scope), so the floor does not apply to it.
    no_words = bigram_cov < policy.min_bigram_coverage and not question.refs
    if missing and not (too_far or best_cov < policy.min_coverage or no_words):
        signals["gap"] = gap  # on topic, but what is asked is not there: said so, with the nearest passage
    return too_far or best_cov < policy.min_coverage or no_words or missing, signals


# What the question asks and the passages on its topic do not state, as the abstention says it. None: the question
# is off the documents' ground (a person's birth year, "thủ đô của Pháp"): no nearest passage is worth showing.
_GAP_WORDS = {"quantity": "con số được hỏi", "deadline": "thời hạn được hỏi", "event date": "ngày diễn ra được hỏi",
              "date": "ngày được hỏi", "person": "tên người được hỏi", "place": "địa danh được hỏi",
              "percent": "tỷ lệ phần trăm được hỏi", "definition": "định nghĩa của khái niệm được hỏi",
              "funding": "nguồn kinh phí được hỏi", "personal": None, "subject": None}


def _gap(question: Question, texts: list[str], headed: list[str]) -> str | None:
    """Why the covering passages do not answer: "quantity", "deadline", a kind of `absent_answer_type`, or
    "exact:<numbers>" (numbers of the question no passage has); None when they may answer."""
    items = asked_items(question, texts)
    kind = absent_answer_type(question, texts, items=items)
    if kind in ("personal", "subject"):  # off the documents' ground: "bao nhiêu tuổi" is no figure to look for
        return kind
    if quantity_missing(question, texts):
        return "quantity"
    if deadline_missing(question, items):
        return "deadline"
    if kind:
        return kind
    exact = missing_exact(question, headed)
    return "exact:" + ", ".join(exact) if exact else None


def asked_items(question: Question, texts: list[str]) -> list[str]:
    """The lines of the covering passages that are about what is asked: a passage often holds several items ("-
    Kết thúc hoạt động của Ban Bảo vệ chăm sóc sức khỏe cán bộ tỉnh (đã hoàn thành). - Sắp xếp ... (hoàn thành
    trong tháng 02/2025)"), and the date asked must be the asked item's, not its neighbour's. Lines broken inside a
    sentence are joined first; a passage of one line is its own item."""
    tokens = topic_content(question)
    items = [line.strip() for text in texts for line in _WRAPPED.sub(" ", text).split("\n") if line.strip()]
    if len(items) <= len(texts) or not tokens:
        return texts
    scored = [(coverage(tokens, item), item) for item in items]
    best = max(score for score, _ in scored)
    return [item for score, item in scored if score >= ITEM_MIN_COVERAGE * best]


def gap_text(gap: str) -> str | None:
    """The Vietnamese words for a gap (see `_gap`), or None when it is not worth saying."""
    if gap.startswith("exact:"):
        return f"nội dung có {gap.split(':', 1)[1]} như câu hỏi nêu"
    return _GAP_WORDS.get(gap)


_DATE_TOKEN = re.compile(r"^\d{1,2}/\d{1,2}(/\d{4})?$")
_PERIOD_TOKEN = re.compile(r"^(?:[ivx]+|\d{1,2})/\d{4}$")


_SPACED_DASH = re.compile(r"(\d)[ \t]*[-–—][ \t]*\n?[ \t]*([\dA-ZĐ])")


def missing_exact(question: Question, texts: list[str]) -> list[str]:
    """Numbers of the question ("30 ngày", "năm 2026", "lần 3") that no covering passage contains: an answer must
    match every exact number it was asked about. References ("KL 183", "2555-TB/TU") are matched by the scope and
    the citing passages; dates are left to the window and verdicts; a yes/no claim may be answered "Không" with
    another number."""
    if question.yes_no or not texts:
        return []
    # "nhiệm kỳ 2025 - 2030", "03 - CTr/ĐU": documents space the dash of a range or a code where officials do not
    found = set().union(*(_token_set(t) | _token_set(_SPACED_DASH.sub(r"\1-\2", t)) for t in texts))
    named = {r.number for r in question.refs} | {str(int(y)) for r in question.refs if r.year for y in [r.year]}
    # the day and month of "20/8/2025" are tokens too: the date is left to the window, and so are its parts
    named |= {str(int(p)) for t in question.syllables if _DATE_TOKEN.match(t) for p in t.split("/")}
    wanted = []
    for token in question.syllables:
        if _DATE_TOKEN.match(token) or token.isalpha() or token in named:
            continue
        if question.window is not None and _PERIOD_TOKEN.match(token):
            continue  # "quý I/2025", "tháng 3/2025": the window, which passages write "Quý I năm 2025"
        if any(token in fold(r.text) for r in question.refs):  # the reference itself: its scope answers for it
            continue
        if ("-" in token or "/" in token) or (token.isdigit() and len(token) >= 2 and not (
                question.window is not None and token in question.folded and len(token) == 4)):
            wanted.append(token)
    return [t for t in wanted if t not in found]


def bigram_coverage(question: Question, text: str) -> float:
    """Share of the question's content bigrams (two-syllable words) found in `text`: syllables alone match
    everywhere ("thủ đô" shares "đô" with nothing but "thành phố" with everything); words do not."""
    bigrams = [t for t in topic_content(question) if "_" in t]
    if len(bigrams) < 2:  # one word is too little to judge by ("chi bô 4 tốt": a typo leaves one)
        return 1.0
    found = _token_set(text)
    return sum(t in found for t in bigrams) / len(bigrams)


# A date written right after a document's number is that document's date, not the date of an event.
_REFERENCE_DATE = re.compile(r"\d+\s*-\s*[A-Za-zĐđ]+\s*/\s*[A-Za-zĐđ]+\s*,?\s*(?:ngày\s*)?\d{1,2}/\d{1,2}/\d{4}"
                             r"|\d+/\d{4}/[A-ZĐ]+-[A-Za-z]+\s*,?\s*(?:ngày\s*)?\d{1,2}/\d{1,2}/\d{4}")
_ANY_DATE = re.compile(r"\b\d{1,2}/\d{1,2}/\d{4}\b|\bngày \d{1,2} tháng \d{1,2}|\bhằng (?:tháng|năm|quý)\b|\btháng \d{1,2}")
# A question about when an event happens (not by when something is due, nor when a document was issued): an event
# noun with an event verb, or the verb alone ("diễn ra", "khai mạc"), then the date asked (folded forms).
_EVENT_DATE = re.compile(r"\b(?:(?:dai hoi|hoi nghi|cuoc hop|le|ky hop)\b[^?]{0,80}?\b(?:to chuc|khai mac|dien ra|hop"
                         r"|be mac|ket thuc)|khai mac|dien ra|be mac)\b[^?]{0,20}\b(?:ngay nao|khi nao|bao gio|luc nao"
                         r"|thoi gian nao|thang nao|nam nao)\b")
_DEADLINE_CUE = re.compile(r"(?:hoàn thành|xong|trước|chậm nhất|hạn|kết thúc)\s*(?:trong\s*)?(?:ngày\s*)?$", re.IGNORECASE)
_PERSON = re.compile(r"\b(?:đồng chí|đ/c|ông|bà)?\s*[A-ZĐ][a-zà-ỹđ]+(?: [A-ZĐ][a-zà-ỹđ]+){1,3}\b")
_NOT_NAMES = re.compile(r"^(Ban|Ủy|Uỷ|Văn|Đảng|Thành|Tỉnh|Huyện|Hội|Sở|Phòng|Trường|Trung|Bộ|Nghị|Kết|Chương|Kế"
                        r"|Công|Thông|Quy|Chỉ|Mặt|Hải|Hưng|Các|Cấp|Nhà|Chính|Quốc|Việt|Hồ|Tổ|Đoàn|Phó|Bí)")
# A person is named by a family name and one to three given names ("Nguyễn Hữu Nghĩa", "Lê Tiến Châu"); capitalised
# unit words ("Ban Thường vụ Tỉnh ủy") are not people, nor eponyms of schools, unions and doctrines ("Trường Chính trị
# Tô Hiệu", "tư tưởng Hồ Chí Minh"). Before, any two capitalised words after an institution word counted, and
# "Ai là Trưởng Ban Tổ chức Tỉnh ủy Hưng Yên hiện nay?" was answered with that board's tasks.
_SURNAMES = frozenset("""nguyen tran le pham hoang huynh phan vu vo dang bui do ho ngo duong ly dinh dao trinh mai truong
    luong to ha cao doan lam chu vuong ta trieu nghiem phung kieu quach thai luu dam dong khuc bach mac tang la hua lai
    tieu doan vi nong giang tong than ninh""".split())
_NAME = re.compile(rf"\b([{_UPPER}][a-zà-ỹđ]+)((?: [{_UPPER}][a-zà-ỹđ]+){{1,3}})\b")
_EPONYM_BEFORE = re.compile(r"(?:Trường|Chính trị|TNCS|Đoàn|tư tưởng|phong cách|đạo đức|gương|Bác)[\s,]*$", re.IGNORECASE)


def has_person(text: str) -> bool:
    """Does the text name a person (see `_SURNAMES`)?"""
    for m in _NAME.finditer(text):
        if fold(m.group(1)) not in _SURNAMES or _NOT_NAMES.match(m.group(2).strip()):
            continue
        if _EPONYM_BEFORE.search(text[max(0, m.start() - 30):m.start()]):
            continue
        return True
    return False


_PLACE_ASKED = re.compile(r"\b(huyen|tinh|xa|phuong|thanh pho) nao\b")


def absent_answer_type(question: Question, texts: list[str], *, items: list[str] | None = None) -> str | None:
    """The kind of answer the question asks that no covering passage states: "date" (an event's date: the dates
    of cited documents do not count), "person" (a name), "place" (which district or province), "percent". A
    question about a document that is only cited may use its date."""
    if not texts:
        return None
    joined = "\n".join(texts)
    folded = question.readings[0] if question.readings else question.folded
    # The date of a document the question names may answer it only when that document is what the question is
    # about: "KL 183 ban hành ngày nào?", not "Văn phòng Thành ủy báo cáo tiến độ CV KL183 ngày nào?" (a unit's
    # duty, whose date must be its own).
    about_document = re.search(r"\bban hanh\b", folded) or (
        (question.refs or question.kinds) and not subject_units(question))
    if "date" in question.answer_types and not question.asks_deadline and _EVENT_DATE.search(folded):
        # "Đại hội ... khai mạc ngày nào?", "Hội nghị ... được tổ chức khi nào?": an event's date. A deadline
        # ("hoàn thành trong tháng 3/2025", "trước ngày ...") or the date of a cited document is not when it happens,
        # even in a question that names a document.
        free = _REFERENCE_DATE.sub(" ", joined)
        if not any(not _DEADLINE_CUE.search(free[max(0, m.start() - 30):m.start()]) for m in _ANY_DATE.finditer(free)):
            return "event date"
    if "date" in question.answer_types and not about_document and not question.asks_deadline:
        # "... từ ngày nào?" asks a day: "(đã hoàn thành)", "thường xuyên" give none; "khi nào?" may be answered by
        # a timing the document defers or by its being done
        day = re.search(r"\b(ngay nao|ngay bao nhieu|ngay may)\b", folded)
        own = items if items is not None else texts  # the asked item's lines (`asked_items`)
        stated = [d for t in own for d in find_deadlines(t) if (d.dated if day else d.says_when)]
        if not _ANY_DATE.search(_REFERENCE_DATE.sub(" ", "\n".join(own))) and not stated:
            return "date"
    if "person" in question.answer_types and not has_person(joined):
        return "person"
    place = _PLACE_ASKED.search(folded)
    if place:
        level = {"huyen": "huyện", "tinh": "tỉnh", "xa": "xã", "phuong": "phường", "thanh pho": "thành phố"}[place.group(1)]
        if not re.search(rf"\b{level} [A-ZĐ][a-zà-ỹđ]+", joined, re.IGNORECASE if False else 0):
            return "place"
    if re.search(r"\bbao nhieu\s*(%|phan tram)", folded) and not re.search(r"\d\s*%|phần trăm", joined):
        return "percent"
    if _FUNDING_ASKED.search(folded) and not _FUNDING_STATED.search(fold(joined)):
        # "Kinh phí tổ chức tập huấn ... lấy từ nguồn nào?": no covering passage says where money comes from
        return "funding"
    asked = _PERSONAL.search(folded)
    if asked and not re.search(_PERSONAL_STATED[asked.group(1)], fold(joined)):
        # a person's birth year, age or home town, a phone number, an address: what directive documents do not
        # state (their people are named by title and signature only); topic words would otherwise answer for them
        return "personal"
    subject = _SUBJECT.search(folded)
    if subject:
        words = tokenize(subject.group(1), bigrams=False)
        # the place or unit that qualifies the subject is not the subject: "Dân số tỉnh Hưng Yên là bao nhiêu?"
        # asks a population, which no passage states, though many say "Hưng Yên"
        named = {t for name in (*question.places, *question.units) for t in tokenize(name, bigrams=False)}
        if question.places:
            named |= {"tinh", "thanh", "pho", "huyen", "xa", "phuong"}  # "tỉnh Hưng Yên", "thành phố Hải Phòng"
        pairs = [f"{a}_{b}" for a, b in zip(words, words[1:]) if a not in _GLUE and b not in _GLUE
                 and not a.isdigit() and not b.isdigit() and not (a in named or b in named)]
        found = _token_set(joined)
        if pairs and not any(pair in found for pair in pairs):
            return "subject"
        if _asks_definition(question, subject.group(1)) and not _defines(subject.group(1), fold(joined)):
            return "definition"
    return None


# A question about money (folded): funding, its source, a budget; and the words a passage states it with
_FUNDING_ASKED = re.compile(r"\b(?:kinh phi|ngan sach|nguon von|chi phi|bao nhieu tien|tien tu dau)\b")
_FUNDING_STATED = re.compile(r"\b(?:kinh phi|ngan sach|nguon von|chi phi|tai chinh|von|dong)\b")


def _asks_definition(question: Question, subject: str) -> bool:
    """"Chuyển đổi số là gì?", "Chính quyền hai cấp là gì?": the meaning of a bare notion, not an aspect of a
    document or a unit ("Mục tiêu của Chương trình là gì?", "Nhiệm vụ năm 2025 của Hải Phòng là gì?")."""
    words = subject.split()
    return (question.answer_types == ("content",) and not question.refs and not question.kinds
            and not question.units and not question.places and not question.follow_up and 1 < len(words) <= 6
            and words[0] not in _ASPECT and " ".join(words[:2]) not in _ASPECT
            and not _ASPECT_ANYWHERE.search(subject))


def _defines(subject: str, folded_text: str) -> bool:
    """Does a passage say what `subject` is ("X là ...", "X được hiểu là ...", "khái niệm X")?"""
    x = re.escape(subject.strip())
    return bool(re.search(rf"\b{x}\s+(?:la|duoc hieu|duoc dinh nghia|co nghia)\b|\b(?:khai niem|dinh nghia)\s+(?:ve\s+)?{x}\b",
                          folded_text))


# Head words of an aspect of something (its target, task, content...): "X là gì" then asks that aspect, not a meaning.
_ASPECT = {"muc tieu", "muc dich", "nhiem vu", "noi dung", "chi tieu", "yeu cau", "giai phap", "quan diem",
           "trach nhiem", "thoi han", "han chot", "so hieu", "ket qua", "phuong cham", "phuong huong", "chu de",
           "chu truong", "dinh huong", "cong viec", "van ban", "van de", "ke hoach", "chuong trinh", "ly do",
           "nguyen tac", "nguyen nhan", "vai tro", "tieu chi", "tieu chuan", "pham vi", "doi tuong", "hinh thuc",
           "bien phap", "tinh hinh", "hoat dong", "trong tam", "uu tien", "khau hieu", "y nghia", "thanh phan",
           "co cau", "quy trinh", "lo trinh", "dot pha", "khau dot", "diem moi", "han", "ten", "viec", "cach", "mot",
           "nhung", "cac", "dieu", "phan", "diem"}
_ASPECT_ANYWHERE = re.compile(r"\b(cua|theo|trong|tai|nam \d{4}|giai doan)\b")


# (folded question words) -> what a passage must say to answer them
_PERSONAL = re.compile(r"\b(sinh nam|sinh ngay|nam sinh|que quan|que o|bao nhieu tuoi|may tuoi|so dien thoai"
                       r"|dien thoai|email|dia chi|tru so|o dau)\b")
_PERSONAL_STATED = {"sinh nam": r"\bsinh (nam|ngay)\b", "sinh ngay": r"\bsinh (nam|ngay)\b", "nam sinh": r"\bnam sinh\b",
                    "que quan": r"\bque\b", "que o": r"\bque\b", "bao nhieu tuoi": r"\btuoi\b", "may tuoi": r"\btuoi\b",
                    "so dien thoai": r"\bdien thoai\b", "dien thoai": r"\bdien thoai\b", "email": r"\bemail\b",
                    "dia chi": r"\bdia chi\b", "tru so": r"\btru so\b",
                    "o dau": r"\b(dia chi|tru so|dat tai|tai so|to chuc tai|dien ra tai|hop tai)\b"}
_GLUE = {"cua", "va", "cac", "nhung", "la", "o", "tai", "cho", "ve", "thi", "trong", "nam", "mot"}
# "X là bao nhiêu?", "X là gì?": X must be what a passage talks about, not only its syllables ("thủ đô của Pháp").
_SUBJECT = re.compile(r"^(.{3,80}?)\s+la\s+(?:bao nhieu|gi|ai|nhung gi)\s*\??\s*$")


# A line of a covering passage is the asked item's when it covers the question nearly as well as the best line.
ITEM_MIN_COVERAGE = 0.9

# Passages after the first are quoted only if they cover the question nearly as well, at most MAX_ITEMS. Chosen on
# the dev split (256 questions): 3 / 0.9 complete 0.875, citation precision 0.782; 4 / 0.9 complete 0.883, 0.782;
# 5 / 0.8 complete 0.887 but 0.705 (loosely related passages come in). 4 / 0.9 it is.
EXTRA_MIN_COVERAGE = 0.9
MAX_ITEMS = 4


def naming_units(question: Question, hits: list[Hit], blocks: set[tuple[str, str]] | None = None) -> list[Hit]:
    """The passages that name a unit the question names (in their text, section path or title), in rank order.

    A unit is a constraint, not a topic word: "Ban Nội chính Thành ủy phải làm gì theo CV KL183?" answered with
    Ban Tổ chức's items of that letter (they share its topic words) is a confident wrong answer; the same board at
    another level is another unit (shared/domain-notes.md). Generic addressees ("Các cấp ủy") are not filtered on.
    """
    units = [u for u in question.units if not is_generic(u)]
    if not units:
        return hits
    blocks = blocks or set()
    # "việc nộp hồ sơ qua BTC TU": the official names the unit as the channel too, and such passages are the answer
    reading = question.readings[0] if question.readings else question.folded
    channel = {u for u in units if contains(reading, u) and not names_as_party(reading, u)}
    return [h for h in hits if any((contains if u in channel else names_as_party)(h.chunk.index_text(), u)
                                   for u in units)
            or any(h.chunk.doc == doc and (h.chunk.section == path or h.chunk.section.startswith(path + " > "))
                   for doc, path in blocks)]


def names_as_party(text: str, unit: str) -> bool:
    """Whether a passage names the unit as one that acts (leads, supports, is given the block), not only as the
    channel a report goes through: in "báo cáo Thường trực Thành ủy (qua Ban Tổ chức Thành ủy) ... ngày 22 hằng
    tháng" the duty is the senders', and Ban Tổ chức's own report is due on the 23rd (shared/domain-notes.md)."""
    key = match_key(unit)
    if not key:
        return False
    words = f" {match_key(text)} "
    at = [m.start() for m in re.finditer(re.escape(f" {key} "), words)]
    return any(not words[:i].endswith(" qua") for i in at)


def subject_units(question: Question) -> list[str]:
    """The named units the question asks about, not those naming a document's issuer ("Kế hoạch 300-KH/HU của Ban
    Chấp hành Đảng bộ huyện"): a unit after "của" / "do" is whose document it is. Generic addressees are left out."""
    reading = " ".join(re.findall(r"[a-z0-9]+", question.readings[0] if question.readings else question.folded))
    subjects = []
    for unit in question.units:
        if is_generic(unit):
            continue
        key = match_key(unit)
        at = [m.start() for m in re.finditer(rf"\b{re.escape(key)}\b", reading)]
        if not at or any(not re.search(r"\b(cua|do)\s*$", reading[:i]) for i in at):
            subjects.append(unit)
    return subjects


_ASSIGNS = re.compile(r"^(?:-\s*)?(?:Phân công|Giao)\b", re.IGNORECASE)


def assigned_blocks(duties) -> set[tuple[str, str]]:
    """(document, section path) of the blocks a "Phân công thực hiện: Giao X" line at their end gives to X: every
    passage under that heading is the unit's (shared/domain-notes.md), though only the last one names it."""
    blocks = set()
    for duty in duties:
        parts = duty.section.split(" > ")
        cut = next((i for i, part in enumerate(parts) if i and _ASSIGNS.match(part)), None)
        if cut is not None:
            blocks.add((duty.doc, " > ".join(parts[:cut])))
    return blocks


def compose_answer(question: Question, hits: list[Hit], *, policy: AbstainPolicy | None = None,
                   max_items: int = MAX_ITEMS, blocks: set[tuple[str, str]] | None = None,
                   verify: bool = True, assignments=None) -> Answer:
    """Build the extractive answer (or an abstention) from ranked hits. `verify=False` leaves out the check that
    the passages carry what is asked (a date, a figure): for "có hạn ... không?", their having none is the answer.
    `assignments` (`rag.answering.assignments.Assignments`) adds to an item the "Phân công thực hiện" line of its
    block, cited, when the item itself names nobody."""
    policy = policy or AbstainPolicy()
    named = naming_units(question, hits, blocks)
    if hits and not named:
        units = ", ".join(question.units)
        return Answer(question=question.text, abstained=True, mode="abstain", gap="unit",
                      answer=f"Các đoạn văn bản gần nhất với câu hỏi không nhắc đến {units}. {ABSTAIN_HINT}")
    hits = named
    abstain, signals = should_abstain(question, hits, policy, verify=verify)
    if abstain:
        log.debug("abstain on %r: %s", question.text, signals)
        gap = signals.get("gap")
        said = gap_text(gap) if gap else None
        if not said:
            return Answer(question=question.text, answer=ABSTAIN_TEXT, abstained=True, mode="abstain", gap=gap)
        # What was found and what is missing: the nearest passage, cited, so the official can read it
        cites = CitationList()
        n = cites.cite(hits[0].chunk, hits[0].score)
        where = short_title(hits[0].chunk.doc_title) if hits[0].chunk.doc_title else hits[0].chunk.doc
        text = (f"Các văn bản đã nạp không nêu {said}. Đoạn gần nhất với câu hỏi: {where} [{n}], có nói về nội "
                f"dung này nhưng không có thông tin đó.\n{ABSTAIN_HINT}")
        return Answer(question=question.text, answer=text, abstained=True, mode="abstain", gap=gap,
                      citations=cites.citations)
    tokens = topic_content(question)
    top = hits[0].score
    top_cov = coverage(tokens, hits[0].chunk.index_text())
    chosen = [hits[0]] + [
        h for h in hits[1:] if h.score >= 0.55 * top and coverage(tokens, h.chunk.index_text()) >= EXTRA_MIN_COVERAGE * top_cov
    ]
    chosen = chosen[:max_items]
    cites = CitationList()
    lines = []
    for hit in chosen:
        n = cites.cite(hit.chunk, hit.score)
        quoted = excerpt(hit.chunk.text, tokens, prefer=reference_codes(question))
        owner = _owner(hit.chunk)
        quoted = re.sub(r"^-\s+", "", quoted)
        given = assignments.of(hit.chunk) if assignments is not None else None
        assigned = f" (Phân công thực hiện: {given.said} [{cites.cite(given.chunk, hit.score)}])" if given else ""
        lines.append(f"- {owner}{quoted} [{n}]{assigned}")
    lead = f"Theo {lead_sources([c.title for c in cites.citations])}:"
    return Answer(question=question.text, answer=lead + "\n" + "\n".join(lines), abstained=False,
                  citations=cites.citations, mode="retrieval")
