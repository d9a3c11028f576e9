"""Answers about documents, from the catalogue: who signed, which number, which documents implement, cite or assign.

These are counted over every indexed document, not guessed from the top passages: "Những văn bản nào triển khai
KL121?" lists each document whose title or opening implements it; "... viện dẫn Nghị định 178?" each document that
cites it, with the citing passage; "... giao việc cho Ban Tổ chức Thành ủy?" each document with a duty of that unit;
"Ai ký ...?" the signer of the document the question selects. A document that is only cited (no indexed document is
it) has no signer or number here: the answer says so instead of quoting another document.
"""

from __future__ import annotations

import dataclasses
import re

from ..duties.query import DutyQuery
from ..text.deadlines import find_deadlines
from ..text.normalize import fold, match_key, shorten, tokenize
from ..text.references import ref_from_dict, type_kind, word_kind
from .answer import subject_units
from .citations import CitationList, header_worded
from .models import Answer
from .question import Question

_IMPLEMENT = re.compile(r"\b(trien khai|thuc hien|cu the hoa)\b")
_CITE = re.compile(r"\b(vien dan|trich dan|nhac (toi|den)|de cap|can cu|dan chieu|co nhac)\b")
_ASSIGN = re.compile(r"\b(giao (viec|nhiem vu)?|phan cong|co nhiem vu|duoc giao)\b")
_SIGNER_TITLE = re.compile(r"\b(pho bi thu thuong truc|pho bi thu|bi thu)\b")
_OWN_NUMBER = re.compile(r"\b(so hieu|so may|ky hieu|(?<!ngay )so bao nhieu)\b")


def _title(meta: dict, name: str, *, subject: bool = True) -> str:
    """The document as a reader names it; without its subject line when a quote of it follows (the quote says it).

    With its subject, it is named as its own header words it, kind then subject ("Chương trình hành động thực hiện
    Kết luận số 121-KL/TW, …"), its issuer and place after it in brackets: the header's words are what officials
    quote and look for; "Chương trình hành động của Ban Thường vụ Tỉnh ủy (Hưng Yên): Thực hiện …" is in no document."""
    from ..documents.models import DocumentMeta

    fields = {k: v for k, v in meta.items() if k in DocumentMeta.__dataclass_fields__}
    if not subject and (fields.get("doc_type") or fields.get("number") or fields.get("issuer")):
        fields["title"] = None
    shown = DocumentMeta(**({"doc": name} | fields)).display_title
    return header_worded(shown, limit=TITLE_SHOWN) if subject else shown


TOPIC_SHARE = 0.6  # share of a unit question's topic syllables a duty must hold to be listed as on that topic
_LISTING_WORDS = frozenset("nhung van ban giao nhiem vu cho de cap nhac".split())
TITLE_SHOWN = 220  # characters of a document's name where a document-level answer names it


def _meta_chunk(assistant, name: str):
    return assistant.chunks_by_id.get(f"{name}#0")


def _opening_chunk(assistant, name: str):
    """The document's opening passage ("Thực hiện Kết luận ..., Ban Chấp hành ... ban hành ..."), if it has one."""
    chunk = assistant.chunks_by_id.get(f"{name}#1")
    return chunk if chunk is not None and chunk.kind == "preamble" else None


def topic_documents_answer(q: Question, assistant) -> Answer | None:
    """"Văn bản nào ...?" with no catalogue criterion (a topic, a task): the passages that answer it, grouped by
    document, each document once with its best passage."""
    from .answer import coverage, excerpt

    hits = assistant.retrieve(q, k=12, docs=list(q.documents) if q.documents is not None else None)
    if not hits:
        return None
    best = max(coverage(q.content, h.chunk.index_text()) for h in hits)
    if best < assistant.policy.min_coverage:
        return None
    cites = CitationList()
    by_doc: dict[str, list] = {}
    for hit in hits:
        if coverage(q.content, hit.chunk.index_text()) >= 0.85 * best:
            by_doc.setdefault(hit.chunk.doc, []).append(hit)
    lines = []
    for name, found in by_doc.items():
        items = [f"  - {excerpt(h.chunk.text, q.content)} [{cites.cite(h.chunk, h.score)}]" for h in found[:3]]
        lines.append(f"- {_title(assistant.documents.get(name, {}), name)}:\n" + "\n".join(items))
    return Answer(question=q.text, answer=f"Có {len(lines)} văn bản nêu nội dung này:\n" + "\n".join(lines),
                  abstained=False, citations=cites.citations, mode="documents")


def signer_answer(q: Question, assistant) -> Answer | None:
    """"Ai ký ...?": the signer of each document the question selects; a person named: the documents they signed."""
    documents = assistant.documents
    person = [n for n, m in documents.items() if m.get("signer") and fold(m["signer"]) in q.folded]
    if person:
        names = person
    elif (q.cited_only and len(q.cited_only) == len(q.refs)) or _names_only_implemented(q):
        labels = ", ".join(r.label for r in q.refs)
        return Answer(question=q.text, abstained=True, mode="abstain", gap="signer",  # other parts may be answered
                      answer=f"Các văn bản đã nạp không nêu người ký {labels}: văn bản này chỉ được viện dẫn, "
                             "không có trong kho.")
    elif q.documents is not None:
        names = list(q.documents)
    else:
        return None
    if len(names) > 3 and not person:
        return None
    cites = CitationList()
    lines = []
    for name in sorted(names):
        meta = documents[name]
        if not meta.get("signer"):
            continue
        chunk = _meta_chunk(assistant, name)
        ref = f" [{cites.cite(chunk, 1.0)}]" if chunk is not None else ""
        on_behalf = f"{meta['signed_for']}, " if meta.get("signed_for") else ""
        title = f"{meta['signer_title'].upper()} " if meta.get("signer_title") else ""
        lines.append(f"- {_title(meta, name)}: người ký {on_behalf}{title}{meta['signer']}{ref}")
    if not lines:
        return Answer(question=q.text, abstained=True, mode="abstain",
                      answer="Văn bản được hỏi không ghi người ký.")
    return Answer(question=q.text, answer="Người ký, theo phần ký của văn bản:\n" + "\n".join(lines),
                  abstained=False, citations=cites.citations, mode="documents")


def _names_only_implemented(q: Question) -> bool:
    """"Ai ký CTr 316-CTr/TU của tỉnh?": every document the question names is one that an indexed document
    implements (the huyện's plan on CTr 316) but that is not in the index itself; no other kind of document is named
    ("Ai ký KH thực hiện CTr 316?" asks the plan's signer)."""
    return bool(q.refs) and len(q.implemented_only) == len(q.refs) and not set(q.kinds) - {r.kind for r in q.refs}


def own_number_answer(q: Question, assistant) -> Answer | None:
    """"Số hiệu của văn bản X là gì?": the document's own number, or that it states none (and what it does state)."""
    folded = q.readings[0] if q.readings else q.folded
    match = _OWN_NUMBER.search(folded)
    if not match or q.documents is None or len(q.documents) > 2:
        return None
    if re.search(r"\b(thuc hien|trien khai|thay the|thay cho|cu the hoa|can cu|theo)\s+(chuong trinh(?: hanh dong)?|ke hoach"
                 r"|ket luan|nghi quyet|cong van|thong bao|quy dinh|quyet dinh|chi thi|nghi dinh|ctr|kh|kl|nq|cv|tb|qd"
                 r"|ct|nd)\s+$", folded[:match.start()]):
        return None  # "thực hiện / thay thế Chương trình số mấy": the number of another document it names
    kind = re.search(r"\b(nq|nghi quyet|kl|ket luan|tb|thong bao|qd|quy dinh|quyet dinh|ct|chi thi|nd|nghi dinh)"
                     r"\s+(?:so\s+)?$", folded[:match.start()] + " ")
    if kind and not any(type_kind(assistant.documents[d].get("doc_type")) == word_kind(kind.group(1))
                        for d in q.documents):
        return None  # "có nhắc nghị quyết về thu hút nhân tài, đó là NQ số mấy?": another kind than the document's
    cites = CitationList()
    lines = []
    missing = []
    for name in q.documents:
        meta = assistant.documents[name]
        chunk = _meta_chunk(assistant, name)
        ref = f" [{cites.cite(chunk, 1.0)}]" if chunk is not None else ""
        if meta.get("number"):
            lines.append(f"- {_title(meta, name)}: số {meta['number']}{ref}")
        else:
            implements = ", ".join(r["text"] for r in meta.get("implements", []))
            what = f"; văn bản ghi là thực hiện {implements}" if implements else ""
            missing.append(f"- {_title(meta, name)}: không ghi số{what}{ref}")
    if lines:
        return Answer(question=q.text, answer="Số hiệu văn bản:\n" + "\n".join(lines + missing), abstained=False,
                      citations=cites.citations, mode="documents")
    return Answer(question=q.text, abstained=True, citations=cites.citations, mode="documents",
                  answer="Văn bản không ghi số hiệu của chính nó:\n" + "\n".join(missing))


# "CV KL183 V/v gì?", "trích yếu của CTr ...", "tên đầy đủ của kế hoạch này là gì?" ("V/v" is read "về việc")
_SUBJECT_ASKED = re.compile(r"\bve viec (?:gi|nao)\b|\btrich yeu\b|\bten (?:day du |chinh thuc )?(?:cua )?(?:van ban|cong van"
                            r"|chuong trinh(?: hanh dong)?|ke hoach|cv|ctr|kh)\b|\b(?:co )?ten (?:la )?gi\b")


def subject_answer(q: Question, assistant) -> Answer | None:
    """"CV KL183 số mấy, ký ngày nào, V/v gì?": the subject line of the document the question selects (a letter's
    "V/v ...", a programme's or plan's name), from its heading."""
    folded = q.readings[0] if q.readings else q.folded
    if not _SUBJECT_ASKED.search(folded) or not q.documents or len(q.documents) > 2:
        return None
    cites = CitationList()
    lines = []
    for name in q.documents:
        meta = assistant.documents[name]
        if not meta.get("title"):
            continue
        chunk = _meta_chunk(assistant, name)
        ref = f" [{cites.cite(chunk, 1.0)}]" if chunk is not None else ""
        kind = meta.get("doc_type") or ""
        title = meta["title"]
        title = title[:1].lower() + title[1:] if title[1:2].islower() else title  # "Thực hiện ..." after the kind
        subject = f"V/v {title}" if type_kind(kind) == "CV" else f"{kind} {title}".strip()
        by = ", ".join(x for x in (meta.get("issuer"), meta.get("place")) if x)
        lines.append(f"- {subject}" + (f" ({by})" if by else "") + ref)
    if not lines:
        return None
    return Answer(question=q.text, answer="Trích yếu (tên) của văn bản:\n" + "\n".join(lines), abstained=False,
                  citations=cites.citations, mode="documents")


_ISSUE_DATE = re.compile(r"\b(?:ban hanh|ky)\s+(?:vao\s+)?(?:ngay nao|khi nao|bao gio|ngay bao nhieu|luc nao"
                         r"|thoi gian nao|ngay thang nam nao)|\bngay (?:ban hanh|ky)\b|\bban hanh ngay\b"
                         r"|\bnao (?:duoc )?(?:ban hanh|ky) (?:truoc|som hon|sau|muon hon)\b")
_BLANK_DATE = re.compile(r"ngày\s+tháng\s+năm", re.IGNORECASE)


def issue_date_answer(q: Question, assistant) -> Answer | None:
    """"CV triển khai KL183 ban hành ngày nào?": the issue date of the indexed document the question selects, from
    its heading; a document whose date line is left blank ("Hải Phòng, ngày tháng năm 2025") has none, and the
    dates in its opening are those of what it implements, not its own."""
    folded = q.readings[0] if q.readings else q.folded
    if not _ISSUE_DATE.search(folded) or not q.documents or len(q.documents) > 2 or len(q.parts) > 1:
        return None
    if q.cited_only or _names_only_implemented(q) or q.units:
        return None  # the date of a document the index holds only as cited or implemented: where it is cited
    cites = CitationList()
    dated, undated = [], []
    for name in q.documents:
        meta = assistant.documents[name]
        chunk = _meta_chunk(assistant, name)
        ref = f" [{cites.cite(chunk, 1.0)}]" if chunk is not None else ""
        if meta.get("date"):
            day = meta["date"].split("-")
            dated.append(f"- {_title(meta, name)}: ban hành ngày {int(day[2])}/{int(day[1])}/{day[0]}{ref}")
        else:
            blank = next((line for line in meta.get("header", []) if _BLANK_DATE.search(line)), None)
            shown = f" (dòng ngày tháng để trống: «{blank}»)" if blank else ""
            undated.append(f"- {_title(meta, name)}{shown}{ref}")
    if dated:
        text = "Ngày ban hành, theo phần đầu văn bản:\n" + "\n".join(dated)
        if undated:
            text += "\nKhông ghi ngày ban hành:\n" + "\n".join(undated)
        return Answer(question=q.text, answer=text, abstained=False, citations=cites.citations, mode="documents")
    return Answer(question=q.text, abstained=True, citations=cites.citations, mode="documents", gap="date",
                  answer="Văn bản không ghi ngày ban hành của chính nó (các ngày ở phần mở đầu là ngày của văn bản "
                         "được thực hiện hoặc viện dẫn):\n" + "\n".join(undated))


_RECIPIENTS = re.compile(r"\b(?:noi nhan|kinh gui|gui (?:cho |den |toi )?(?:ai|nhung ai|nhung noi|noi nao|nhung dau|dau|nhung co quan"
                         r"|co quan nao|nhung don vi|don vi nao)"
                         # "(CTr) gửi báo cáo lên đâu / gửi để báo cáo những cơ quan nào": its "Nơi nhận ... (để báo cáo)"
                         r"|gui (?:de )?bao cao (?:len |ve |toi |den |cho )?(?:dau|ai|nhung ai|nhung noi|noi nao"
                         r"|nhung co quan|co quan nao)"
                         # "... đều gửi để báo cáo TW, nhưng bên nào gửi (báo cáo) cả Bộ Chính trị?": which document's list
                         r"|gui de bao cao|(?:ben|van ban|cai) nao (?:co |cung )?gui)\b")


def recipients_answer(q: Question, assistant) -> Answer | None:
    """"CV KL183 gửi những nơi nào?": the "Nơi nhận" list of each document the question selects (at most two), from
    the catalogue: no passage but the heading holds it, and a search for "gửi" finds the tasks that send reports."""
    folded = q.readings[0] if q.readings else q.folded
    if not _RECIPIENTS.search(folded) or not q.documents or len(q.documents) > 2:
        return None
    if subject_units(q):  # a unit after "của" is whose document it is ("CV ... của BTV TU HP"), not a subject
        return None  # "Ban Tổ chức Thành ủy gửi báo cáo cho ai?": a unit's task, in the passages
    cites = CitationList()
    lines = []
    for name in q.documents:
        meta = assistant.documents[name]
        if not (meta.get("recipients") or meta.get("addressees")):
            continue
        chunk = _meta_chunk(assistant, name)
        ref = f" [{cites.cite(chunk, 1.0)}]" if chunk is not None else ""
        said = [f"kính gửi: {'; '.join(meta['addressees'])}"] if meta.get("addressees") else []
        # "Ban Bí thư TW Đảng, } (để báo cáo)": the brace that groups lines in the printed list is no text
        listed = [" ".join(re.sub(r"[{}]", " ", r).split()).replace(" ,", ",").replace(", (", " (").strip(", ")
                  for r in meta.get("recipients") or ()]
        said += [f"nơi nhận: {'; '.join(r for r in listed if r)}"] if listed else []
        lines.append(f"- {_title(meta, name)} — {'. '.join(said)}{ref}")
    if not lines:
        return Answer(question=q.text, abstained=True, mode="abstain", gap="recipients",
                      answer="Văn bản được hỏi không ghi nơi nhận.")
    return Answer(question=q.text, answer="Nơi gửi (kính gửi) và nơi nhận, theo văn bản:\n" + "\n".join(lines),
                  abstained=False, citations=cites.citations, mode="documents")


def issuer_answer(q: Question, assistant) -> Answer | None:
    """"Có phải CV triển khai KL183 do Ban Chấp hành Đảng bộ thành phố ban hành không?": the issuer of the one
    document the question selects, from its heading (the verdict compares it with the claim); its passages need not
    name the claimed body at all."""
    from .verdict import claimed_issuer

    if not q.yes_no or not q.documents or len(q.documents) != 1 or claimed_issuer(q) is None:
        return None
    if re.search(r"\d{1,2}/\d{1,2}/\d{4}|\bthang \d|\bky\b|\bva\b", q.readings[0] if q.readings else q.folded):
        return None  # a date, a signer or a second claim besides the issuer: the passages answer for them
    name = q.documents[0]
    meta = assistant.documents[name]
    if not meta.get("issuer"):
        return None
    cites = CitationList()
    chunk = _meta_chunk(assistant, name)
    ref = f" [{cites.cite(chunk, 1.0)}]" if chunk is not None else ""
    return Answer(question=q.text, answer=f"Cơ quan ban hành, theo phần đầu văn bản: {meta['issuer']} — "
                  f"{_title(meta, name)}{ref}", abstained=False, citations=cites.citations, mode="documents")


def list_documents_answer(q: Question, assistant) -> Answer | None:
    """"Những văn bản nào ...?": every document that implements, cites, assigns to a unit, has a deadline in the
    window, or was signed by the title asked — counted over the whole catalogue."""
    folded = q.readings[0] if q.readings else q.folded
    documents = assistant.documents
    pool = list(q.documents) if q.documents is not None else sorted(documents)
    cites = CitationList()
    lines: list[str] = []
    what = ""
    if q.refs and _IMPLEMENT.search(folded) and not _CITE.search(folded):
        what = "thực hiện " + ", ".join(r.label for r in q.refs)
        for name in sorted(documents):
            implemented = [ref_from_dict(r) for r in documents[name].get("implements", [])]
            if any(r.matches(i) for r in q.refs for i in implemented):
                chunk = _opening_chunk(assistant, name) or _meta_chunk(assistant, name)
                ref = f" [{cites.cite(chunk, 1.0)}]" if chunk is not None else ""
                # the whole opening: it says who issues what to implement it ("..., Ban Thường vụ Tỉnh ủy xây dựng
                # Chương trình hành động ..."), often after a ";"
                opening = shorten(chunk.text, 600) if chunk is not None and chunk.kind == "preamble" else ""
                lines.append(f"- {_title(documents[name], name, subject=not opening)}"
                             + (f": «{opening}»" if opening else "") + ref)
    elif q.refs:
        what = "viện dẫn " + ", ".join(r.label for r in q.refs)
        for name in pool:
            # every place the document cites it ("Điều 14 ..." and "Khoản 8, Điều 3 ..."), up to three passages
            quotes: list[str] = []
            seen: set[str] = set()
            for cited in documents[name].get("cites", []):
                if not any(r.matches(ref_from_dict(cited)) for r in q.refs):
                    continue
                for chunk_id in cited["chunks"] or [None]:
                    chunk = assistant.chunks_by_id.get(chunk_id) if chunk_id else None
                    if chunk_id in seen or len(quotes) >= 3:
                        continue
                    seen.add(chunk_id)
                    ref = f" [{cites.cite(chunk, 1.0)}]" if chunk is not None else ""
                    quote = _sentence_with(chunk.text, cited["text"]) if chunk is not None else cited["text"]
                    quotes.append(f"{quote}{ref}")
            if len(quotes) == 1:
                lines.append(f"- {_title(documents[name], name, subject=False)}: {quotes[0]}")
            elif quotes:
                lines.append(f"- {_title(documents[name], name, subject=False)}:\n"
                             + "\n".join(f"  - {quote}" for quote in quotes))
    elif _SIGNER_TITLE.search(folded) and re.search(r"\bky\b", folded):
        claimed = _SIGNER_TITLE.search(folded).group(1)
        what = f"do {claimed.replace('pho', 'Phó').replace('bi thu', 'Bí thư').replace('thuong truc', 'thường trực')} ký"
        for name in pool:
            meta = documents[name]
            title = fold(meta.get("signer_title") or "")
            if title == claimed or (claimed == "pho bi thu" and title.startswith("pho bi thu")):
                chunk = _meta_chunk(assistant, name)
                ref = f" [{cites.cite(chunk, 1.0)}]" if chunk is not None else ""
                lines.append(f"- {_title(meta, name)}: {meta.get('signer_title')} {meta.get('signer')}{ref}")
    elif (q.units or q.window is not None) and assistant.duties:
        who = ", ".join(q.units) if q.units else "các đơn vị"
        what = f"giao nhiệm vụ cho {who}" if q.units else f"có nhiệm vụ {q.window.label}"
        query = DutyQuery(units=list(q.units), window=q.window, today=q.today, docs=pool)
        selected, _ = assistant.duties.select(query)
        # "... giao Ban Tổ chức cấp ủy theo dõi, kiểm tra việc thực hiện và định kỳ báo cáo?": the duties on what it
        # names, when some are (a bare "giao nhiệm vụ cho X" lists them all)
        from .answer import coverage
        from .duty_answer import topic_words

        topic = [t for t in topic_words(q, list(q.units), assistant.place_tokens) if t not in _LISTING_WORDS]
        if len(topic) >= 2:
            on_topic = [d for d in selected if coverage(topic, f"{d.section}\n{d.action}") >= TOPIC_SHARE]
            selected = on_topic or selected
        by_doc: dict[str, list] = {}
        for duty in selected:
            by_doc.setdefault(duty.doc, []).append(duty)
        from ..duties.model import deadline_label

        for name, duties in by_doc.items():
            items = []
            for duty in duties[:8]:
                chunk = assistant.chunks_by_id.get(duty.chunk_id or "")
                ref = f" [{cites.cite(chunk, 1.0)}]" if chunk is not None else ""
                heading = duty.section.split(" > ")[0]
                heading = f"{heading.rstrip(':')}: " if q.units and any(
                    fold(u) in fold(heading) for u in q.units) and not fold(duty.action).startswith(fold(heading)[:20]) else ""
                items.append(f"  - {heading}{duty.action} — hạn: {deadline_label(duty)}{ref}")
            more = f"\n  - … và {len(duties) - 8} nhiệm vụ khác" if len(duties) > 8 else ""
            lines.append(f"- {_title(documents[name], name)} ({len(duties)} nhiệm vụ):\n" + "\n".join(items) + more)
    else:
        return topic_documents_answer(q, assistant)
    if not lines:
        return Answer(question=q.text, abstained=True, mode="documents",
                      answer=f"Không có văn bản nào trong kho {what}.")
    head = f"Có {len(lines)} văn bản trong kho {what}:"
    return Answer(question=q.text, answer=head + "\n" + "\n".join(lines), abstained=False,
                  citations=cites.citations, mode="documents")


def _sentence_with(text: str, needle: str, *, limit: int = 600) -> str:
    """The sentence of a passage that contains a reference (the quote shown for a citing document). The reference
    is found by its words, else by its number ("Kết luận 121-KL/TW" is written "Kết luận số 121-KL/TW"); the
    quote is cut at a word, never inside one."""
    sentences = [s for s in re.split(r"(?<=[.;])\s+", text) if s.strip()]
    key = match_key(needle)[:30]
    number = re.search(r"\d+(?:/\d{4})?", needle)
    for test in (lambda s: key and key in match_key(s),
                 lambda s: number and re.search(rf"(?<![\d/]){re.escape(number.group())}(?![\d])", s)):
        for sentence in sentences:
            if test(sentence):
                return shorten(sentence, limit)
    return shorten(text, min(limit, 400))


def reference_overview(q: Question, assistant) -> Answer | None:
    """A question that is only a reference ("kl183", "Thông báo 2555-TB/TU"): the documents of the index it is,
    or that implement it, with their title; else the passages that cite it."""
    words = [t for t in q.syllables if not re.fullmatch(r"[\d/.\-]+", t)]
    kinds = {"kl", "nq", "ct", "ctr", "kh", "cv", "tb", "qd", "hd", "nd", "bc", "ket", "luan", "nghi", "quyet", "chi",
             "thi", "chuong", "trinh", "hanh", "dong", "ke", "hoach", "cong", "van", "thong", "bao", "quy", "dinh",
             "so", "huong", "dan", "tw", "tu", "hu", "du", "cp"}
    if not q.refs or any(w not in kinds and not any(w in fold(r.text) for r in q.refs) for w in words):
        return None
    documents = assistant.documents
    cites = CitationList()
    lines = []
    for name in sorted(q.documents or []):
        chunk = _meta_chunk(assistant, name)
        ref = f" [{cites.cite(chunk, 1.0)}]" if chunk is not None else ""
        lines.append(f"- {_title(documents[name], name)}{ref}")
    if lines:
        return Answer(question=q.text, answer=f"Văn bản trong kho về {', '.join(r.label for r in q.refs)}:\n"
                      + "\n".join(lines), abstained=False, citations=cites.citations, mode="documents")
    for name in sorted(documents):
        for cited in documents[name].get("cites", []):
            if any(r.matches(ref_from_dict(cited)) for r in q.refs) and cited["chunks"]:
                chunk = assistant.chunks_by_id.get(cited["chunks"][0])
                if chunk is None:
                    continue
                ref = f" [{cites.cite(chunk, 1.0)}]"
                lines.append(f"- {_title(documents[name], name)}: {_sentence_with(chunk.text, cited['text'])}{ref}")
    if not lines:
        return None
    labels = ", ".join(r.label for r in q.refs)
    return Answer(question=q.text, answer=f"{labels} không có trong kho; các văn bản viện dẫn nó:\n" + "\n".join(lines),
                  abstained=False, citations=cites.citations, mode="documents")


_EXISTS = re.compile(r"\bco (?:mot |cac |nhung )?(chuong trinh(?: hanh dong)?|ke hoach|van ban|cong van|ctr|kh|cv)\b(.*)\bkhong\b")


def existence_answer(q: Question, assistant) -> Answer | None:
    """"Hưng Yên có chương trình hành động thực hiện X không?": a document of that kind and place whose title says
    what is asked, from the catalogue; none: the documents do not say."""
    folded = q.readings[0] if q.readings else q.folded
    match = _EXISTS.search(folded)
    if not match or q.units or not q.yes_no:
        return None
    from .answer import coverage

    topic = Question.read(match.group(2)).content
    pool = list(q.documents) if q.documents is not None else list(assistant.documents)
    found = []
    for name in pool:
        meta = assistant.documents[name]
        title = f"{meta.get('doc_type') or ''} {meta.get('title') or ''}"
        if not topic or coverage(topic, title) >= 0.6:
            found.append(name)
    cites = CitationList()
    lines = []
    for name in found:
        chunk = _meta_chunk(assistant, name)
        ref = f" [{cites.cite(chunk, 1.0)}]" if chunk is not None else ""
        lines.append(f"- {_title(assistant.documents[name], name)}{ref}")
    if not lines:
        return Answer(question=q.text, abstained=True, mode="documents",
                      answer="Trong kho không có văn bản nào như vậy.")
    return Answer(question=q.text, answer="Văn bản trong kho:\n" + "\n".join(lines), abstained=False,
                  citations=cites.citations, mode="documents")


_DETAILS = re.compile(r"\b((quy dinh|neu|de ra|dat ra|yeu cau|huong dan|chi dao) (cu the )?(nhung )?"
                      r"(?:(?:chi tieu|muc tieu|nhiem vu|noi dung|giai phap|viec) )?gi"
                      r"|noi dung (cu the|chi tiet)|giao (cho )?(\w+ ){0,6}(nhung )?(viec|nhiem vu) gi"
                      r"|nhung viec gi|nhiem vu gi|co nhung noi dung)\b")


def cited_only_answer(q: Question, assistant) -> Answer | None:
    """A question about the content or the assignments of a document the index only cites ("KL 126 quy định cụ thể
    những gì?", "CTr 03-CTr/ĐU giao Ban Tổ chức những việc gì?"): the documents do not hold it; say where it is
    cited. A citing sentence that states what it is about ("Kế hoạch số 03-KH/TU ... về phân công ...") answers a
    question on its subject, so those go to retrieval."""
    folded = q.readings[0] if q.readings else q.folded
    if not q.refs or len(q.cited_only) != len(q.refs):
        return None
    # "KH 418-KH/TU ... giao BTC hạn chót ngày nào?": the deadline the cited document sets; the citing sentence
    # answers only when it states one itself ("thực hiện nghiêm Thông báo 1956 ... (hoàn thành trong tháng 3/2025)")
    details = _DETAILS.search(folded)
    deadline_only = not details and q.asks_deadline and re.search(r"\bgiao\b", folded)
    if not (details or deadline_only):
        return None
    cites = CitationList()
    lines = []
    for name, meta in sorted(assistant.documents.items()):
        for cited in meta.get("cites", []):
            if any(r.matches(ref_from_dict(cited)) for r in q.refs) and cited["chunks"]:
                chunk = assistant.chunks_by_id.get(cited["chunks"][0])
                if chunk is not None:
                    sentence = _sentence_with(chunk.text, cited["text"])
                    if deadline_only and any(d.kind != "start" for d in find_deadlines(sentence)):
                        return None
                    ref = f" [{cites.cite(chunk, 1.0)}]"
                    lines.append(f"- {_title(meta, name)}: {sentence}{ref}")
    labels = ", ".join(r.label for r in q.refs)
    text = f"Văn bản không nêu: {labels} không có trong kho, các văn bản đã nạp chỉ viện dẫn nó."
    if lines:
        text += "\nNơi viện dẫn:\n" + "\n".join(lines)
    return Answer(question=q.text, answer=text, abstained=True, citations=cites.citations, mode="documents")


# The words of "which article of X does D cite": the citing verbs, the parts of a text, the kinds of law (folded)
_CITE_FRAME = frozenset("""vien dan trich nhac toi den de cap can cu dan chieu co dieu khoan diem muc phan chuong
    nghi dinh thong tu luat quyet nd tt qd""".split())


def _cite_topic(q: Question) -> list[str]:
    """The words of a citing question left once its references, places and citing words are removed: "Kế hoạch đào
    tạo bồi dưỡng cán bộ trong CTr 121 căn cứ điều mấy của NĐ 178?" asks about one item, which retrieval finds."""
    from .duty_answer import topic_words

    named = {t for r in q.refs for t in tokenize(fold(r.text), bigrams=False)}
    places = {t for p in q.places for t in tokenize(p, bigrams=False)}
    return [t for t in topic_words(q, list(q.units), places) if t not in _CITE_FRAME and t not in named]


def document_answer(q: Question, assistant) -> Answer | None:
    """A catalogue answer when the question asks for one (None otherwise: the other routes answer). Within one
    document, "những văn bản nào" asks which documents it names: the passages answer that."""
    for special in (existence_answer, cited_only_answer, issuer_answer):
        answer = special(q, assistant)
        if answer is not None:
            return answer
    folded = q.readings[0] if q.readings else q.folded
    if q.cited_only and q.documents and len(q.cited_only) < len(q.refs) and _CITE.search(folded) and \
            not _cite_topic(q):
        # "CTr KL121 của TP dẫn chiếu những điều, khoản nào của NĐ 178?": one reference picks the document, the
        # other is what it cites; every place it cites it, from the catalogue (a top-k search finds one of two)
        answer = list_documents_answer(dataclasses.replace(q, refs=q.cited_only), assistant)
        if answer is not None and not answer.abstained:
            return answer
    if "list_docs" in q.answer_types and (q.documents is None or len(q.documents) > 1):
        answer = list_documents_answer(q, assistant)
        if answer is not None:
            return answer
    if q.answer_type == "signer" or ("signer" in q.answer_types and not q.compare):
        answer = signer_answer(q, assistant)
        if answer is not None:
            return answer
    if "doc_number" in q.answer_types:
        number = own_number_answer(q, assistant)
        dated = issue_date_answer(dataclasses.replace(q, parts=()), assistant) \
            if number is not None and "date" in q.answer_types else None
        subject = subject_answer(q, assistant) if number is not None else None
        if subject is not None and [c.chunk_id for c in subject.citations] != [c.chunk_id for c in number.citations]:
            subject = None
        if dated is not None and [c.chunk_id for c in dated.citations] == [c.chunk_id for c in number.citations]:
            # "CV đó số mấy, ban hành ngày nào(, V/v gì)?": all, from the same heading (cited alike)
            said = f"{number.answer}\n{dated.answer}" + (f"\n{subject.answer}" if subject else "")
            return Answer(question=q.text, answer=said, citations=number.citations,
                          abstained=number.abstained and dated.abstained and subject is None, mode="documents",
                          gap=dated.gap if number.abstained and subject is None else None)
        if subject is not None:
            return Answer(question=q.text, answer=f"{number.answer}\n{subject.answer}", citations=number.citations,
                          abstained=False, mode="documents")
        return number
    answer = subject_answer(q, assistant)
    if answer is not None:
        return answer
    answer = recipients_answer(q, assistant)
    if answer is not None:
        return answer
    if "date" in q.answer_types:
        answer = issue_date_answer(q, assistant)
        if answer is not None:
            return answer
    if not q.answer_types and not q.units:
        return reference_overview(q, assistant)
    return None
