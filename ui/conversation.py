"""The conversation and the document viewer, drawn as HTML from plain text.

Why our own HTML instead of Gradio's Chatbot: the Chatbot renders answers as Markdown, so a passage quoting
`![x](http://host/pixel.png)` or a raw `<img src=…>` / `<a href>` made the browser fetch the image and show a live
link (issue 16). Here every string that comes from a document, a question or an answer is `html.escape`d and shown
with `white-space: pre-wrap`; the only markup is ours: `[n]` becomes a button that opens the cited passage in the
viewer, and each answer carries its own source cards (so `[1]` of an earlier answer still opens its own passage).

Each turn's HTML is cached by its content: a streamed answer redraws the conversation once per line, and drawing
20 finished turns (with their highlighted source cards) took 64-94 ms uncached, 1.6 ms cached (112 KB of HTML; the
turns themselves are 70 KB in the browser's storage).

A turn is a plain dict (kept in the browser's localStorage, so the conversation survives a reload):
`{"q", "a", "mode", "gen", "time", "cites": [{"n", "chunk_id", "doc", "short", "section", "page", "text"}],
"feedback"}`.
"""

from __future__ import annotations

import html
import json
import re
from functools import lru_cache
from typing import Any
from urllib.parse import quote

from rag.duties.export import full_section_path

from .render import highlight_html

SEARCHING = "Đang tìm trong văn bản…"

_KIND_SHORT = [
    ("chương trình", "CTr"), ("kế hoạch", "KH"), ("công văn", "CV"), ("kết luận", "KL"), ("nghị quyết", "NQ"),
    ("chỉ thị", "CT"), ("thông báo", "TB"), ("quyết định", "QĐ"), ("quy định", "QĐ"), ("hướng dẫn", "HD"),
    ("nghị định", "NĐ"), ("báo cáo", "BC"), ("tờ trình", "TTr"),
]
_PLACE_SHORT = {"Hải Phòng": "HP", "Hưng Yên": "HY", "Hà Nội": "HN", "Thành phố Hồ Chí Minh": "TP HCM"}
_ISSUER_SHORT = [("Ban Chấp hành", "BCH"), ("Ban Thường vụ", "BTV"), ("Các cơ quan Đảng", "CQĐ"),
                 ("Ủy ban nhân dân", "UBND"), ("thành phố", "TP")]
_CITE = re.compile(r"\[(\d+)\]")


def kind_short(doc_type: str | None) -> str:
    """"Công văn" -> "CV", "Chương trình hành động" -> "CTr"; "VB" for an unknown kind."""
    low = (doc_type or "").lower()
    return next((short for name, short in _KIND_SHORT if low.startswith(name)), "VB")


def short_document_name(doc: str, meta: dict | None) -> str:
    """What tells one document from the others in a source card: kind, own number (else the number of what it
    implements, else its issuer), place. "CV (KL 183) · HP", "999-KH/TU · HP", "CTr · BCH Đảng bộ CQĐ TP · HP"."""
    meta = meta or {}
    if not (meta.get("doc_type") or meta.get("number") or meta.get("issuer")):
        return doc
    parts = [kind_short(meta.get("doc_type"))]
    if meta.get("number"):  # "777-TB/TU" names its kind already
        number = str(meta["number"])
        parts[0] = number if "-" in number or "/" in number else f"{parts[0]} {number}"
    elif meta.get("implements"):
        first = meta["implements"][0]
        kind = {"CTR": "CTr"}.get(str(first.get("kind")), str(first.get("kind") or ""))
        parts[0] += f" ({kind} {first.get('number')})"
    elif meta.get("issuer"):
        issuer = meta["issuer"]
        for long, short in _ISSUER_SHORT:
            issuer = issuer.replace(long, short)
        parts.append(issuer)
    place = meta.get("place")
    if place:
        parts.append(_PLACE_SHORT.get(place, place))
    elif meta.get("level"):
        parts.append(f"cấp {meta['level']}")
    return " · ".join(parts)


def citation_dict(citation, meta: dict | None) -> dict:
    """What a turn keeps of one citation (JSON, for the browser's storage)."""
    return {"n": citation.n, "chunk_id": citation.chunk_id, "doc": citation.doc,
            "short": short_document_name(citation.doc, meta),
            "section": full_section_path(citation.section or "", citation.text),
            "page": citation.page, "text": citation.text}


def source_line(cite: dict) -> str:
    """"[1] CV (KL 183) · HP — 1. Các cấp ủy… > (4) … — trang 3", the line copied and exported with an answer."""
    parts = [f"[{cite['n']}] {cite['short']}"]
    if cite.get("section"):
        parts.append(cite["section"])
    if cite.get("page") is not None:
        parts.append(f"trang {cite['page']}")
    return " — ".join(parts)


def answer_with_sources(turn: dict) -> str:
    """The answer followed by its sources, as plain text (copy button, DOCX)."""
    lines = [turn.get("a", "")]
    if turn.get("cites"):
        lines += ["", "Nguồn:"] + [source_line(c) for c in turn["cites"]]
    return "\n".join(lines)


def _attr(value: Any) -> str:
    return html.escape(str(value), quote=True)


def _cite_button(t: int, cite: dict, label: str, extra: str = "") -> str:
    return (f'<button type="button" class="cite{extra}" data-act="cite" data-turn="{t}" data-n="{cite["n"]}" '
            f'data-chunk="{_attr(cite["chunk_id"])}" title="Xem đoạn [{cite["n"]}] trong văn bản">{label}</button>')


def answer_html(t: int, turn: dict) -> str:
    """The answer text escaped, each `[n]` of a cited passage a button that opens it in the viewer."""
    by_n = {c["n"]: c for c in turn.get("cites", [])}
    out, last = [], 0
    text = turn.get("a", "")
    for m in _CITE.finditer(text):
        cite = by_n.get(int(m.group(1)))
        if cite is None:
            continue
        out.append(html.escape(text[last:m.start()]))
        out.append(_cite_button(t, cite, f"[{cite['n']}]"))
        last = m.end()
    out.append(html.escape(text[last:]))
    return "".join(out)


def notice_html(turn: dict) -> str:
    """A note about the index under the answer (new documents not yet searchable by meaning), if any."""
    notice = turn.get("notice")
    return f'<div class="ghi-chu-chi-muc">ℹ️ {html.escape(notice)}</div>' if notice else ""


def sources_html(t: int, turn: dict) -> str:
    """The source cards of one answer: short document name and full section path visible, page, passage on demand."""
    cites = turn.get("cites") or []
    if not cites:
        return ""
    cards = []
    for c in cites:
        meta = [f'<span class="nguon-section">Mục: {html.escape(c["section"])}</span>'] if c.get("section") else []
        if c.get("page") is not None:
            meta.append(f'<span class="nguon-page">Trang {c["page"]}</span>')
        cards.append(
            f'<div class="nguon" id="nguon-{t}-{c["n"]}" data-n="{c["n"]}">'
            + _cite_button(t, c, f'[{c["n"]}] {html.escape(c["short"])}', " nguon-title")
            + f'<div class="nguon-meta">{" · ".join(meta)}</div>'
            f'<details><summary>Đoạn trích</summary><div class="nguon-text">{highlight_html(c["text"], turn["q"])}'
            f'</div></details></div>')
    return f'<div class="nguon-list"><div class="nguon-head">Nguồn trích dẫn</div>{"".join(cards)}</div>'


def _actions(t: int, turn: dict) -> str:
    fb = turn.get("feedback")
    up = " chosen" if fb == "up" else ""
    down = " chosen" if fb == "down" else ""
    return (f'<div class="turn-actions">'
            f'<button type="button" class="act" data-act="copy" data-copy="{_attr(answer_with_sources(turn))}">'
            f'Sao chép</button>'
            f'<button type="button" class="act" data-act="docx" data-turn="{t}">Tải DOCX</button>'
            f'<button type="button" class="act fb{up}" data-act="feedback" data-turn="{t}" data-v="up" '
            f'title="👍 Câu trả lời đúng">Đúng</button>'
            f'<button type="button" class="act fb{down}" data-act="feedback" data-turn="{t}" data-v="down" '
            f'title="👎 Câu trả lời sai hoặc thiếu">Chưa đúng</button></div>')


@lru_cache(maxsize=4096)
def _turn_html(t: int, turn_json: str) -> str:
    """One turn drawn (cached by its content: a streamed answer redraws the whole conversation on every line)."""
    turn = json.loads(turn_json)
    return (f'<div class="turn" data-turn="{t}"><div class="msg hoi">{html.escape(turn["q"])}</div>'
            f'<div class="msg dap">{answer_html(t, turn)}{notice_html(turn)}</div>{sources_html(t, turn)}'
            f'{_actions(t, turn) if turn.get("done", True) else ""}</div>')


def render_conversation(turns: list[dict], pending: str | None = None) -> str:
    """The whole conversation: each question, its answer with `[n]` buttons, its own sources and actions.
    `pending`: a question being answered (shown with "Đang tìm trong văn bản…")."""
    parts = ['<div class="hoi-thoai">']
    if not turns and pending is None:
        parts.append('<p class="trong">Hãy đặt câu hỏi về văn bản chỉ đạo; mỗi ý của câu trả lời có nguồn [n], '
                     'bấm vào để xem đoạn văn bản.</p>')
    for t, turn in enumerate(turns):
        parts.append(_turn_html(t, json.dumps(turn, ensure_ascii=False, sort_keys=True)))
    if pending is not None:
        parts.append(f'<div class="turn"><div class="msg hoi">{html.escape(pending)}</div>'
                     f'<div class="msg dap dang-tim">{SEARCHING}</div></div>')
    parts.append("</div>")
    return "".join(parts)


# The click handler of the conversation (gr.HTML js_on_load): one listener on the component's root, so it keeps
# working as the HTML is re-rendered. The events it triggers: 'cite', 'docx', 'feedback'.
CONVERSATION_JS = """
const EVENTS = ['cite', 'docx', 'feedback'];
element.addEventListener('click', (ev) => {
  const b = ev.target.closest('[data-act]');
  if (!b || !element.contains(b)) return;
  ev.preventDefault();
  const act = b.dataset.act;
  if (act === 'copy') {
    const text = b.dataset.copy;
    const fallback = () => { const ta = document.createElement('textarea'); ta.value = text;
      document.body.appendChild(ta); ta.select(); document.execCommand('copy'); ta.remove(); };
    try { navigator.clipboard.writeText(text).catch(fallback); } catch (e) { fallback(); }
    b.textContent = 'Đã sao chép'; setTimeout(() => { b.textContent = 'Sao chép'; }, 1500);
    return;
  }
  if (!EVENTS.includes(act)) return;
  if (act === 'cite') {
    element.querySelectorAll('.cite.dang-xem').forEach((x) => x.classList.remove('dang-xem'));
    b.classList.add('dang-xem');
  }
  trigger(act, {turn: Number(b.dataset.turn), n: Number(b.dataset.n || 0), chunk: b.dataset.chunk || '',
                value: b.dataset.v || ''});
});
"""

# The evidence viewer of the Đánh giá tab: a click on a passage picks it as the evidence of a test case ('pick').
PICK_PASSAGE_JS = """
element.addEventListener('click', (ev) => {
  const p = ev.target.closest('.doc-p');
  if (!p || !element.contains(p) || ev.target.closest('a')) return;
  trigger('pick', {chunk: p.dataset.chunk || ''});
});
"""

# Run after the viewer is filled: bring the highlighted passage into view (inside the viewer and on the page).
SCROLL_TO_CITED_JS = """() => { const el = document.querySelector('#xem-van-ban .cited');
  if (el) { el.scrollIntoView({block: 'center'}); } }"""


def _heading_parts(section: str, text: str) -> list[str]:
    """The headings above a passage: its section path without the last step when that step is the passage itself
    (a numbered item is named by its first words)."""
    parts = [p for p in (section or "").split(" > ") if p]
    if parts:
        head = parts[-1].rstrip("…").strip()
        if head and text.lstrip().startswith(head):
            parts = parts[:-1]
    return parts


def file_url(path: str | None, page: int | None = None) -> str | None:
    """The app's URL of a file it may serve (in its allowed folders), at a PDF page (#page=n)."""
    if not path:
        return None
    url = "/gradio_api/file=" + quote(str(path))
    return url + (f"#page={page}" if page else "")


def document_facts(meta: dict) -> list[str]:
    """Number, date, issuer, place of a document; what it states instead when it has no number or date."""
    from .render import format_day

    facts = [f"Số: {meta['number']}" if meta.get("number") else "Số: không ghi số"]
    facts.append(f"Ngày: {format_day(meta['date'])}" if meta.get("date") else "Ngày: không ghi ngày")
    if meta.get("issuer"):
        facts.append(f"Cơ quan ban hành: {meta['issuer']}")
    if meta.get("place"):
        facts.append(f"Nơi ban hành: {meta['place']}")
    implements = [i.get("text") for i in meta.get("implements") or [] if i.get("text")]
    if implements and not meta.get("number"):
        facts.append("Thực hiện: " + "; ".join(implements))
    return facts


def render_viewer(doc: str, meta: dict | None, passages: list, *, cited: str | None = None, question: str = "",
                  n: int | None = None, original: str | None = None, fallback: dict | None = None) -> str:
    """The whole document as its section tree (headings, then each passage), the cited passage highlighted with
    its section path and page, and a link opening the original file (at that page for a PDF).

    `fallback`: the stored citation, shown when the document is no longer in the index."""
    meta = meta or {}
    title = meta.get("display_title") or meta.get("title") or doc
    out = ['<div class="viewer">', f'<div class="viewer-name">{html.escape(short_document_name(doc, meta))}</div>',
           f'<div class="viewer-title">{html.escape(title)}</div>',
           f'<div class="viewer-facts">{html.escape(" · ".join(document_facts(meta)))} · Tệp: {html.escape(doc)}</div>']
    cited_passage = next((p for p in passages if p.id == cited), None)
    if cited is not None:
        if cited_passage is None:
            out.append('<div class="viewer-note">Văn bản này không còn trong chỉ mục (đã bị xóa hoặc thay thế); '
                       'dưới đây là đoạn đã trích lúc trả lời.</div>')
            if fallback:
                out.append(f'<div class="doc-p cited" data-chunk="{_attr(cited)}">'
                           f'{highlight_html(fallback.get("text", ""), question)}</div>')
        else:
            where = [f"Đoạn [{n}]" if n else "Đoạn được trích"]
            if cited_passage.section:
                where.append(f"Mục: {full_section_path(cited_passage.section, cited_passage.text)}")
            if cited_passage.page is not None:
                where.append(f"Trang {cited_passage.page}")
            link = ""
            url = file_url(original, cited_passage.page)
            if url:
                label = f"Mở tệp gốc tại trang {cited_passage.page}" if cited_passage.page else "Mở tệp gốc"
                link = f' · <a class="mo-tep" href="{_attr(url)}" target="_blank" rel="noopener">{label}</a>'
            out.append(f'<div class="viewer-where">{html.escape(" · ".join(where))}{link}</div>')
    elif original:
        out.append(f'<div class="viewer-where"><a class="mo-tep" href="{_attr(file_url(original))}" '
                   f'target="_blank" rel="noopener">Mở tệp gốc</a></div>')
    out.append('<div class="doc-tree">')
    previous: list[str] = []
    for p in passages:
        parts = _heading_parts(p.section, p.text)
        common = 0
        while common < min(len(parts), len(previous)) and parts[common] == previous[common]:
            common += 1
        for depth in range(common, len(parts)):
            out.append(f'<div class="doc-h" style="--d:{depth}">{html.escape(parts[depth])}</div>')
        previous = parts
        is_cited = p.id == cited
        body = highlight_html(p.text, question) if is_cited else html.escape(p.text)
        page = f'<span class="doc-page">trang {p.page}</span>' if p.page is not None else ""
        out.append(f'<div class="doc-p{" cited" if is_cited else ""}" style="--d:{len(parts)}" '
                   f'data-chunk="{_attr(p.id)}">{page}{body}</div>')
    out.append("</div></div>")
    return "".join(out)


def empty_viewer() -> str:
    return ('<div class="viewer viewer-empty">Bấm vào một nguồn <b>[n]</b> trong câu trả lời để xem đoạn đó trong '
            'văn bản gốc.</div>')
