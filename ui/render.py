"""Rendering for the web interface: highlighted passages, the sources panel, table rows and evaluation tables.

Everything here turns library values into what a tab shows, in Vietnamese; document text is always HTML-escaped.
"""

from __future__ import annotations

import html
import re
from datetime import date
from pathlib import Path
from typing import Any

from rag.answering.question import QUESTION_WORDS
from rag.duties.export import duty_status, full_section_path
from rag.duties.model import deadline_label
from rag.evaluation.runner import failure_text
from rag.text.normalize import tokenize

_WORD = re.compile(r"\w+(?:[/\-]\w+)*")

DOC_HEADERS = ["Tệp", "Loại văn bản", "Số", "Ngày", "Cơ quan ban hành", "Nơi ban hành", "Tiêu đề", "Số đoạn"]
DUTY_HEADERS = ["Đơn vị chủ trì", "Đơn vị phối hợp", "Nhiệm vụ", "Thời hạn", "Trạng thái", "Nguồn"]
EVAL_HEADERS = ["Mã", "Câu hỏi", "Kết quả", "Chi tiết", "Câu trả lời"]


def highlight_html(text: str, question: str) -> str:
    """HTML-escaped `text` with the question's words wrapped in `<mark>`, matched ignoring accents and case.

    A syllable is marked when it forms, with a neighbouring syllable, a two-syllable word of the question
    ("tổ chức", "thành ủy"), so that lone common syllables are not lit everywhere; dates and document codes
    ("31/8/2025", "183-KL/TW") are marked whole. Pairs of question words ("phải làm", "là gì") never count
    (`rag.answering.question.QUESTION_WORDS`).
    """
    syllables = tokenize(question, bigrams=False)
    wanted = {t for t in syllables if re.search(r"[/\-]", t)}
    wanted |= {f"{a}_{b}" for a, b in zip(syllables, syllables[1:])
               if not (a in QUESTION_WORDS and b in QUESTION_WORDS)}
    matches = list(_WORD.finditer(text))
    keys = []
    for m in matches:
        tokens = tokenize(m.group(), bigrams=False)
        keys.append(tokens[0] if tokens else "")
    marked = [False] * len(matches)
    for i, key in enumerate(keys):
        if re.search(r"[/\-]", key) and key in wanted:
            marked[i] = True
        if i and text[matches[i - 1].end():matches[i].start()].isspace() and f"{keys[i - 1]}_{key}" in wanted:
            marked[i - 1] = marked[i] = True
    out: list[str] = []
    last = 0
    for m, mark in zip(matches, marked):
        out.append(html.escape(text[last:m.start()]))
        out.append(f"<mark>{html.escape(m.group())}</mark>" if mark else html.escape(m.group()))
        last = m.end()
    out.append(html.escape(text[last:]))
    return re.sub(r"</mark>(\s+)<mark>", r"\1", "".join(out))


def render_sources(citations: list, question: str) -> str:
    """The sources panel: one collapsible block per cited passage (title, section path, page, highlighted text)."""
    if not citations:
        return '<div class="nguon-list"><p><i>Chưa có nguồn trích dẫn.</i></p></div>'
    blocks = ['<div class="nguon-list">']
    for c in citations:
        meta = []
        if c.section:
            meta.append(f'<span class="nguon-section"><b>Mục:</b> {html.escape(c.section)}</span>')
        if c.page is not None:
            meta.append(f"<span><b>Trang:</b> {c.page}</span>")
        meta.append(f"<span><b>Tệp:</b> {html.escape(c.doc)}</span>")
        blocks.append(
            f'<details class="nguon" data-n="{c.n}"><summary>[{c.n}] {html.escape(c.title)}</summary>'
            f'<div class="nguon-meta">{" · ".join(meta)}</div>'
            f'<div class="nguon-text">{highlight_html(c.text, question)}</div></details>'
        )
    blocks.append("</div>")
    return "".join(blocks)


def render_table(headers: list[str], rows: list[list], *, empty: str = "Chưa có dữ liệu.",
                 widths: list[str] | None = None, cls: str = "") -> str:
    """An HTML table of plain-text cells (escaped). On a phone (CSS below 700 px) each row becomes a card with
    one labelled line per cell, so no column is squeezed until its header wraps one letter per line."""
    if not rows:
        return f'<div class="bang-trong">{html.escape(empty)}</div>'
    cols = "".join(f'<col style="width:{w}">' for w in widths) if widths else ""
    head = "".join(f"<th>{html.escape(h)}</th>" for h in headers)
    body = []
    for row in rows:
        cells = "".join(f'<td data-label="{html.escape(h, quote=True)}">{html.escape(str(v))}</td>'
                        for h, v in zip(headers, row))
        body.append(f"<tr>{cells}</tr>")
    return (f'<div class="bang-khung"><table class="bang {cls}"><colgroup>{cols}</colgroup><thead><tr>{head}'
            f'</tr></thead><tbody>{"".join(body)}</tbody></table></div>')


def shown_path(path: Path) -> str:
    """A path relative to the working folder when it is inside it (for display)."""
    try:
        return str(Path(path).resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def format_day(value: Any) -> str:
    """A date (or ISO string) as dd/mm/yyyy; "" for none."""
    if not value:
        return ""
    if isinstance(value, str):
        try:
            value = date.fromisoformat(value[:10])
        except ValueError:
            return value
    return f"{value.day:02d}/{value.month:02d}/{value.year}"


def document_row(name: str, meta: dict) -> list:
    """One row of the documents table: file, type, number, date, issuer, place, title, chunks.

    Many directives state no number or date of their own (drafts, extracts): the cell says so and shows what the
    document does state, the document it implements ("không ghi số (thực hiện Kết luận số 183-KL/TW)")."""
    implements = [i.get("text") for i in meta.get("implements") or [] if i.get("text")]
    number = meta.get("number") or ("không ghi số" + (f" (thực hiện {implements[0]})" if implements else ""))
    day = format_day(meta.get("date")) or "không ghi ngày"
    place = meta.get("place") or (f"cấp {meta['level']}" if meta.get("level") else "không ghi")
    return [name, meta.get("doc_type") or "", number, day, meta.get("issuer") or "không ghi", place,
            meta.get("title") or "", meta.get("chunks") or 0]


def duty_row(duty, when: date) -> list:
    """One row of the duty table: lead units, supporting units, action, deadline, status, source."""
    source = f"{duty.doc} › {full_section_path(duty.section, duty.action).replace(' > ', ' › ')}" + (f" (trang {duty.page})" if duty.page else "")
    return ["; ".join(duty.units_lead), "; ".join(duty.units_support), duty.action, deadline_label(duty),
            duty_status(duty, when), source]


METRIC_LABELS = [
    ("all_correct", "Tỉ lệ câu đạt", "câu không mắc lỗi nào: đủ ý, trích đúng nguồn, từ chối đúng lúc"),
    ("hit@{k}", "Tìm thấy bằng chứng (hit@{k})",
     "tỉ lệ câu có ít nhất một đoạn bằng chứng trong {k} đoạn tìm được đầu tiên"),
    ("recall@{k}", "Độ phủ bằng chứng (recall@{k})", "trung bình, phần các đoạn bằng chứng nằm trong {k} đoạn đầu"),
    ("mrr", "Thứ hạng đoạn đúng (MRR)",
     "trung bình của 1/thứ hạng đoạn bằng chứng đầu tiên: 100% khi nó luôn đứng đầu, 50% khi đứng thứ hai"),
    ("ndcg@10", "Chất lượng xếp hạng (nDCG@10)",
     "các đoạn bằng chứng càng đứng đầu trong 10 đoạn tìm được thì càng gần 100%"),
    ("fact_coverage", "Tỉ lệ ý đúng có trong câu trả lời", "phần các ý phải nêu thực sự có trong câu trả lời"),
    ("citation_precision", "Độ chính xác trích dẫn", "phần các nguồn [n] được trích là đoạn bằng chứng thật"),
    ("citation_recall", "Độ phủ trích dẫn", "phần các đoạn bằng chứng được trích làm nguồn [n]"),
    ("abstention_accuracy", "Từ chối trả lời đúng lúc",
     "câu văn bản không nêu thì từ chối, câu văn bản có nêu thì trả lời"),
    ("latency_p50_ms", "Thời gian trả lời, trung vị (ms)", "một nửa số câu được trả lời nhanh hơn mức này"),
    ("latency_p95_ms", "Thời gian trả lời, p95 (ms)", "95% số câu được trả lời nhanh hơn mức này"),
]


def _fmt_metric(key: str, value: Any) -> str:
    if value is None:
        return "—"
    if key.startswith("latency"):
        return f"{value:.0f}"
    return f"{value * 100:.1f}%"


def metrics_markdown(result: dict, n: int) -> str:
    """The overall metrics of an evaluation run as a Vietnamese Markdown table."""
    system = result["systems"]["full"]
    overall = system["overall"]
    k = result["meta"].get("k", 5)
    failed = sum(1 for r in system["questions"] if r.get("failed"))
    lines = [f"**{n} câu hỏi** ({overall.get('n_answerable', 0)} có đáp án, "
             f"{overall.get('n_unanswerable', 0)} không có đáp án) — **{n - failed} đạt, {failed} chưa đạt**, "
             f"chạy trong {result['meta'].get('elapsed_s', 0):.1f} giây.", "", "| Chỉ số | Giá trị | Ý nghĩa |",
             "|---|---|---|"]
    for key, label, meaning in METRIC_LABELS:
        key = key.format(k=k)
        if key in overall:
            lines.append(f"| {label.format(k=k)} | {_fmt_metric(key, overall[key])} | {meaning.format(k=k)} |")
    return "\n".join(lines)


def eval_rows(result: dict) -> list[list]:
    """Per-question rows of an evaluation run, failures first: id, question, result, details, answer."""
    records = sorted(result["systems"]["full"]["questions"], key=lambda r: (not r.get("failed"),))
    rows = []
    for r in records:
        status = "❌ Chưa đạt" if r.get("failed") else "✅ Đạt"
        details = "; ".join(failure_text(f, language="vi") for f in r.get("failures", []))
        rows.append([r["id"], r["question"], status, details, (r.get("answer") or "")[:400]])
    return rows
