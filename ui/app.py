"""Gradio web interface: questions with cited answers, the duty table, the indexed documents and the evaluation.

Start it with `rag ui [--index DIR] [--host 127.0.0.1] [--port 7860] [--auth user:password] [--max-upload-mb 50]`.
The `Assistant` is loaded once and shared by every session; the app only calls library functions (answers,
duties, exports, index updates, evaluation) and renders their results in Vietnamese.
"""

from __future__ import annotations

import argparse
import atexit
import html
import logging
import os
import re
import shutil
import tempfile
import threading
import time
import unicodedata
from datetime import date
from pathlib import Path
from typing import Any, Iterator

log = logging.getLogger(__name__)

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 7860
DEFAULT_MAX_UPLOAD_MB = 50
DEFAULT_CONCURRENCY = 8
DEFAULT_TESTSET = "eval/testset.jsonl"

EXAMPLE_QUESTIONS = [
    "Ban Tổ chức Thành ủy phải làm gì trước 31/8/2025?",
    "ban to chuc thanh uy phai lam gi",
    "Đảng ủy Ủy ban nhân dân thành phố phải hoàn thành gì trước 29/8/2025?",
    "Các cấp ủy gửi báo cáo vận hành chính quyền địa phương 02 cấp hằng tháng chậm nhất khi nào?",
]

# Local fonts only: the theme's default Google font cannot be fetched offline (and nothing should be fetched).
LOCAL_FONTS = ["Noto Sans", "DejaVu Sans", "Segoe UI", "Arial", "sans-serif"]

CSS = """
.nguon-list details {border: 1px solid var(--border-color-primary); border-radius: 6px; padding: 6px 10px;
  margin-bottom: 6px;}
.nguon-list summary {cursor: pointer; font-weight: 600;}
.nguon-meta {font-size: 0.9em; color: var(--body-text-color-subdued); margin: 4px 0;}
.nguon-text {white-space: pre-wrap;}
.nguon-list mark {background: #ffe58a; color: inherit; padding: 0 1px;}
"""


# --- upload file names ------------------------------------------------------------------------------------------

class UploadRejected(ValueError):
    """An uploaded file is refused (bad name, type or size); the message is Vietnamese, for the user."""


_BAD_CHARS = re.compile(r'[<>:"|?*\x00-\x1f\x7f]')


def sanitize_filename(name: str, allowed: tuple[str, ...] | None = None) -> str:
    """A safe file name for an upload: base name only, no path separators, no `..`, an allowed extension.

    "../../etc/passwd.txt" -> "passwd.txt". Raises `UploadRejected` (Vietnamese message) for a name that is
    empty once cleaned or whose extension is not a supported document type (".exe", no extension...).
    """
    if allowed is None:
        from rag.readers import SUPPORTED_EXTENSIONS

        allowed = SUPPORTED_EXTENSIONS
    raw = unicodedata.normalize("NFC", str(name or ""))
    base = raw.replace("\\", "/").split("/")[-1]
    base = _BAD_CHARS.sub("_", base).strip()
    while ".." in base:
        base = base.replace("..", ".")
    base = base.lstrip(". ").rstrip(". ")
    if not base:
        raise UploadRejected(f"Tên tệp không hợp lệ: «{raw}».")
    stem, dot, ext = base.rpartition(".")
    if not dot or not stem:
        raise UploadRejected(f"Tệp «{base}» không có phần mở rộng; chỉ nhận {', '.join(allowed)}.")
    ext = "." + ext.lower()
    if ext not in allowed:
        raise UploadRejected(f"Tệp «{base}»: loại tệp {ext} không được hỗ trợ; chỉ nhận {', '.join(allowed)}.")
    return f"{stem}{ext}"[:200]


# --- answers and sources ----------------------------------------------------------------------------------------

_WORD = re.compile(r"\w+(?:[/\-]\w+)*")


def highlight_html(text: str, question: str) -> str:
    """HTML-escaped `text` with the question's words wrapped in `<mark>`, matched ignoring accents and case.

    A syllable is marked when it forms, with a neighbouring syllable, a two-syllable word of the question
    ("tổ chức", "thành ủy"), so that lone common syllables are not lit everywhere; dates and document codes
    ("31/8/2025", "183-KL/TW") are marked whole. Pairs of question words ("phải làm", "là gì") never count
    (`rag.answer.QUESTION_WORDS`).
    """
    from rag.answer import QUESTION_WORDS
    from rag.normalize import tokenize

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


# --- dates ------------------------------------------------------------------------------------------------------

def parse_ui_date(text: str | None, what: str) -> date | None:
    """A DD/MM/YYYY date typed in the form (None when blank), read like `rag duties --before`.

    Raises ValueError with a Vietnamese message naming the field.
    """
    from rag.duties_cli import parse_cli_date

    text = (text or "").strip()
    if not text:
        return None
    try:
        return parse_cli_date(text)
    except (argparse.ArgumentTypeError, ValueError):
        raise ValueError(f"«{what}» phải có dạng ngày/tháng/năm, ví dụ 31/8/2025 (đã nhập: «{text}»).") from None


def _shown_path(path: Path) -> str:
    """A path relative to the working folder when it is inside it (for display)."""
    try:
        return str(Path(path).resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def _fmt_date(value: Any) -> str:
    if not value:
        return ""
    if isinstance(value, str):
        try:
            value = date.fromisoformat(value[:10])
        except ValueError:
            return value
    return f"{value.day:02d}/{value.month:02d}/{value.year}"


# --- the application ----------------------------------------------------------------------------------------------

_ERROR_TEXTS = [
    ("file is empty", "tệp rỗng (0 byte)"),
    ("too large", "tệp quá lớn"),
    ("unsupported file type", "loại tệp không được hỗ trợ"),
    ("no text", "không tìm thấy chữ trong văn bản (có thể là bản scan ảnh)"),
    ("contains no text", "không tìm thấy chữ trong văn bản (có thể là bản scan ảnh)"),
    ("duplicate", "trùng nội dung với một văn bản đã có"),
    ("file not found", "không tìm thấy tệp"),
    ("encrypted", "tệp PDF có mật khẩu"),
    ("password", "tệp PDF có mật khẩu"),
    ("another indexing run", "chỉ mục đang được cập nhật bởi một tác vụ khác, xin thử lại sau"),
]


def vietnamese_error(message: str) -> str:
    """A Vietnamese rendering of a library error message (the original is kept in brackets for support)."""
    lowered = message.lower()
    for key, text in _ERROR_TEXTS:
        if key in lowered:
            return f"{text} ({message})"
    return f"không đọc được tệp ({message})"


class UIService:
    """What the tabs do, as plain methods over one shared `Assistant` (testable without a browser)."""

    def __init__(self, assistant, *, index_dir: str | Path, upload_dir: str | Path | None = None,
                 max_upload_mb: float = DEFAULT_MAX_UPLOAD_MB, testset: str | Path = DEFAULT_TESTSET):
        self.assistant = assistant
        self.index_dir = Path(index_dir)
        self.upload_dir = Path(upload_dir) if upload_dir else self.index_dir / "uploads"
        self.max_upload_bytes = int(max_upload_mb * 1024 * 1024)
        self.testset = Path(testset)
        self.export_dir = Path(tempfile.mkdtemp(prefix="rag-ui-export-"))
        atexit.register(shutil.rmtree, self.export_dir, ignore_errors=True)
        self._write_lock = threading.Lock()

    # Hỏi đáp -------------------------------------------------------------------------------------------------------

    def ask(self, question: str, context: dict | None = None):
        """Ask the shared assistant one question (with the previous answer's context for follow-ups)."""
        return self.assistant.ask(question or "", context=context or None)

    def api_ask(self, question: str) -> tuple[str, list[dict]]:
        """The `ask` API endpoint: the answer text and its citations as a list of dicts."""
        answer = self.ask(question)
        return answer.answer, [c.to_dict() for c in answer.citations]

    def chat(self, question: str, history: list[dict] | None, context: dict | None) -> Iterator[tuple]:
        """Stream one chat turn: yield (history, sources HTML, context, textbox value) as the answer grows."""
        history = list(history or [])
        question = (question or "").strip()
        if not question:
            yield history, render_sources([], ""), context, ""
            return
        history.append({"role": "user", "content": question})
        history.append({"role": "assistant", "content": "…"})
        yield history, render_sources([], question), context, ""
        try:
            answer = self.ask(question, context)
        except Exception as exc:  # shown in the chat rather than as a broken UI
            log.exception("question failed: %r", question)
            history[-1] = {"role": "assistant", "content": f"Lỗi khi trả lời: {exc}"}
            yield history, render_sources([], question), context, ""
            return
        lines = answer.answer.splitlines() or [answer.answer]
        shown: list[str] = []
        for line in lines:
            shown.append(line)
            history[-1] = {"role": "assistant", "content": "\n".join(shown)}
            yield history, render_sources([], question), context, ""
            time.sleep(0.02)
        new_context = getattr(answer, "context", None) or context
        yield history, render_sources(answer.citations, question), new_context, ""

    # Văn bản -------------------------------------------------------------------------------------------------------

    def documents_rows(self) -> list[list]:
        """Rows of the documents table: file, type, number, date, title, chunks."""
        rows = []
        for name, meta in sorted((self.assistant.documents or {}).items()):
            rows.append([name, meta.get("doc_type") or "", meta.get("number") or "", _fmt_date(meta.get("date")),
                         meta.get("title") or "", meta.get("chunks") or 0])
        return rows

    def document_names(self) -> list[str]:
        """File names of the indexed documents (the ids used to remove them)."""
        return sorted((self.assistant.documents or {}).keys())

    def add_files(self, paths: list[str]) -> str:
        """Copy uploaded files (names sanitized, size checked) into the upload folder and add them to the index.

        Returns a Vietnamese report (Markdown) with one line per file. The assistant is reloaded afterwards.
        """
        from rag.store import build_index

        paths = [p if isinstance(p, str) else getattr(p, "name", str(p)) for p in (paths or [])]
        if not paths:
            return "Chưa chọn tệp nào."
        lines: list[str] = []
        accepted: list[Path] = []
        self.upload_dir.mkdir(parents=True, exist_ok=True)
        for path in paths:
            shown = os.path.basename(path)
            try:
                name = sanitize_filename(shown)
                size = os.path.getsize(path)
                if size == 0:
                    raise UploadRejected(f"Tệp «{name}» rỗng (0 byte).")
                if size > self.max_upload_bytes:
                    raise UploadRejected(f"Tệp «{name}» quá lớn: {size / 1048576:.1f} MB, giới hạn "
                                         f"{self.max_upload_bytes / 1048576:.0f} MB.")
            except (UploadRejected, OSError) as exc:
                lines.append(f"- ❌ {exc}")
                continue
            target = self.upload_dir / name
            shutil.copyfile(path, target)
            accepted.append(target)
        if accepted:
            with self._write_lock:
                try:
                    report = build_index([str(p) for p in accepted], index_dir=self.index_dir, add=True)
                except Exception as exc:  # lock held by another writer, disk full...
                    log.exception("adding documents failed")
                    lines.append(f"- ❌ Không cập nhật được chỉ mục: {vietnamese_error(str(exc))}")
                    return "\n".join(lines)
                failed = {os.path.basename(f) for f, _ in report.errors}
                for file, message in report.errors:
                    lines.append(f"- ❌ «{os.path.basename(file)}»: {vietnamese_error(message)}")
                for path in accepted:
                    if path.name in report.indexed:
                        lines.append(f"- ✅ Đã thêm «{path.name}» vào chỉ mục.")
                    elif path.name in report.reused:
                        lines.append(f"- ✅ «{path.name}» đã có trong chỉ mục (không thay đổi).")
                    elif path.name in failed:
                        path.unlink(missing_ok=True)
                self.assistant = self.assistant.reloaded()
        return "\n".join(lines)

    def remove_document(self, name: str | None) -> str:
        """Remove one document from the index (and its uploaded copy); reload the assistant."""
        from rag.store import build_index

        if not name:
            return "Chưa chọn văn bản để xóa."
        if name not in self.document_names():
            return f"❌ Văn bản «{name}» không có trong chỉ mục."
        with self._write_lock:
            try:
                build_index(None, index_dir=self.index_dir, remove=[name])
            except Exception as exc:
                log.exception("removing %s failed", name)
                return f"❌ Không xóa được «{name}»: {vietnamese_error(str(exc))}"
            uploaded = self.upload_dir / name
            if uploaded.is_file():
                uploaded.unlink()
            self.assistant = self.assistant.reloaded()
        return f"✅ Đã xóa «{name}» khỏi chỉ mục."

    # Nhiệm vụ ------------------------------------------------------------------------------------------------------

    def units(self) -> list[str]:
        """Units named in the duties (lead and support), sorted, for the unit dropdown."""
        return list(self.assistant.duties.known_units)

    def duties_table(self, unit: str | None, date_from: str | None, date_to: str | None,
                     as_of: str | None) -> tuple[list[list], list, str]:
        """Duties of a unit due in a date window, with their status at `as_of`: (rows, Duty objects, message).

        Same selection as `rag duties --unit U --after D1 --before D2 --as-of D` (`rag.duties.select_duties`).
        """
        from rag.duties import DutyQuery, select_duties

        start = parse_ui_date(date_from, "Từ ngày")
        end = parse_ui_date(date_to, "Đến ngày")
        when = parse_ui_date(as_of, "Tính đến ngày") or date.today()
        if start and end and start > end:
            raise ValueError("«Từ ngày» phải trước «Đến ngày».")
        query = DutyQuery(units=[unit] if unit else [], before=end, after=start, today=when)
        selected = select_duties(self.assistant.duties, query)
        rows = [_duty_row(duty, when) for duty in selected[:MAX_TABLE_ROWS]]
        window = ""
        if start or end:
            window = f", hạn {'từ ' + _fmt_date(start) if start else ''}{' ' if start and end else ''}" \
                     f"{'đến ' + _fmt_date(end) if end else ''}"
        message = (f"**{len(selected)} nhiệm vụ**" + (f" của {unit}" if unit else " (mọi đơn vị)") + window
                   + f"; trạng thái tính đến {_fmt_date(when)}.")
        if len(selected) > len(rows):
            message += (f" Bảng hiện {len(rows)} nhiệm vụ có hạn sớm nhất; tệp tải xuống (CSV, XLSX, ICS) có đủ "
                        f"{len(selected)} nhiệm vụ.")
        return rows, selected, message

    def export_duties(self, selected: list, fmt: str, as_of: str | None) -> str:
        """Write the selected duties as CSV, XLSX or ICS (`rag.duty_export.write_export`); return the file path."""
        from rag.duty_export import write_export

        when = parse_ui_date(as_of, "Tính đến ngày") or date.today()
        folder = Path(tempfile.mkdtemp(dir=self.export_dir))
        path = folder / f"nhiem-vu-{when.isoformat()}.{fmt}"
        write_export(selected, fmt, str(path), as_of=when)
        return str(path)

    # Đánh giá ------------------------------------------------------------------------------------------------------

    def evaluate(self, testset_file: str | None, limit: int | None) -> tuple[str, list[list]]:
        """Run the evaluation on the dev test set (or an uploaded JSONL), first `limit` questions when given.

        Returns (metrics Markdown, per-question rows with failures first).
        """
        from rag.evaluation.runner import run_eval
        from rag.evaluation.testset import load_testset

        cases = load_testset(testset_file or self.testset)
        if limit and limit > 0:
            cases = cases[: int(limit)]
        result = run_eval(self.assistant, cases, k=5, progress=False)
        return _metrics_markdown(result, len(cases)), _eval_rows(result)


MAX_TABLE_ROWS = 500  # rows shown in the duty table (a unit of a large archive has thousands; exports have all)


def _duty_row(duty, when: date) -> list:
    """One row of the duty table: lead units, supporting units, action, deadline, status, source."""
    from rag.duties import deadline_label
    from rag.duty_export import duty_status

    source = f"{duty.doc} › {duty.section.replace(' > ', ' › ')}" + (f" (trang {duty.page})" if duty.page else "")
    return ["; ".join(duty.units_lead), "; ".join(duty.units_support), duty.action, deadline_label(duty),
            duty_status(duty, when), source]


METRIC_LABELS = [
    ("all_correct", "Tỉ lệ câu đạt (không lỗi nào)"),
    ("hit@{k}", "Tìm đúng đoạn trong top {k} (hit@{k})"),
    ("recall@{k}", "Độ phủ bằng chứng (recall@{k})"),
    ("mrr", "MRR"),
    ("ndcg@10", "nDCG@10"),
    ("fact_coverage", "Tỉ lệ ý đúng có trong câu trả lời"),
    ("citation_precision", "Độ chính xác trích dẫn"),
    ("citation_recall", "Độ phủ trích dẫn"),
    ("abstention_accuracy", "Từ chối trả lời đúng lúc"),
    ("latency_p50_ms", "Thời gian trả lời p50 (ms)"),
    ("latency_p95_ms", "Thời gian trả lời p95 (ms)"),
]


def _fmt_metric(key: str, value: Any) -> str:
    if value is None:
        return "—"
    if key.startswith("latency"):
        return f"{value:.0f}"
    return f"{value * 100:.1f}%"


def _metrics_markdown(result: dict, n: int) -> str:
    """The overall metrics of an evaluation run as a Vietnamese Markdown table."""
    system = result["systems"]["full"]
    overall = system["overall"]
    k = result["meta"].get("k", 5)
    failed = sum(1 for r in system["questions"] if r.get("failed"))
    lines = [f"**{n} câu hỏi** ({overall.get('n_answerable', 0)} có đáp án, "
             f"{overall.get('n_unanswerable', 0)} không có đáp án) — **{n - failed} đạt, {failed} chưa đạt**, "
             f"chạy trong {result['meta'].get('elapsed_s', 0):.1f} giây.", "", "| Chỉ số | Giá trị |", "|---|---|"]
    for key, label in METRIC_LABELS:
        key = key.format(k=k)
        if key in overall:
            lines.append(f"| {label.format(k=k)} | {_fmt_metric(key, overall[key])} |")
    return "\n".join(lines)


_FAILURE_TEXTS = [
    ("abstained on an answerable question", "từ chối trả lời dù văn bản có thông tin"),
    ("answered a question the corpus cannot answer", "trả lời câu hỏi mà văn bản không nêu"),
    ("missing facts:", "thiếu ý:"),
    ("no evidence passage in the top", "không tìm thấy đoạn bằng chứng trong top"),
    ("evidence not cited:", "chưa trích dẫn bằng chứng:"),
    ("error in ask:", "lỗi khi hỏi:"),
    ("error in retrieve:", "lỗi khi tìm kiếm:"),
]


def _failure_text(message: str) -> str:
    for english, vietnamese in _FAILURE_TEXTS:
        if message.startswith(english):
            return vietnamese + message[len(english):]
    return message


def _eval_rows(result: dict) -> list[list]:
    """Per-question rows of an evaluation run, failures first: id, question, result, details, answer."""
    records = sorted(result["systems"]["full"]["questions"], key=lambda r: (not r.get("failed"),))
    rows = []
    for r in records:
        status = "❌ Chưa đạt" if r.get("failed") else "✅ Đạt"
        details = "; ".join(_failure_text(f) for f in r.get("failures", []))
        rows.append([r["id"], r["question"], status, details, (r.get("answer") or "")[:400]])
    return rows


# --- Gradio layout ------------------------------------------------------------------------------------------------

DOC_HEADERS = ["Tệp", "Loại văn bản", "Số", "Ngày", "Tiêu đề", "Số đoạn"]
DUTY_HEADERS = ["Đơn vị chủ trì", "Đơn vị phối hợp", "Nhiệm vụ", "Thời hạn", "Trạng thái", "Nguồn"]
EVAL_HEADERS = ["Mã", "Câu hỏi", "Kết quả", "Chi tiết", "Câu trả lời"]


def build_app(assistant, *, index_dir: str | Path, upload_dir: str | Path | None = None,
              max_upload_mb: float = DEFAULT_MAX_UPLOAD_MB, testset: str | Path = DEFAULT_TESTSET):
    """The Gradio Blocks app (tabs Hỏi đáp, Nhiệm vụ, Văn bản, Đánh giá) over one shared `Assistant`."""
    import gradio as gr

    service = UIService(assistant, index_dir=index_dir, upload_dir=upload_dir, max_upload_mb=max_upload_mb,
                        testset=testset)

    with gr.Blocks(title="Trợ lý văn bản chỉ đạo") as app:
        app.service = service  # for tests and embedding
        gr.Markdown("## Trợ lý hỏi đáp văn bản chỉ đạo\nCâu trả lời trích nguyên văn từ văn bản, kèm nguồn `[n]`.")
        with gr.Tabs():
            # Hỏi đáp
            with gr.Tab("Hỏi đáp", id="hoi-dap"):
                context = gr.State(None)
                with gr.Row():
                    with gr.Column(scale=3):
                        chatbot = gr.Chatbot(label="Hội thoại", height=460, elem_id="chat",
                                             feedback_options=None, buttons=["copy"])
                        with gr.Row():
                            question = gr.Textbox(label="Câu hỏi", placeholder="Nhập câu hỏi về văn bản chỉ đạo…",
                                                  scale=5, elem_id="cau-hoi", lines=1, max_lines=4)
                            send = gr.Button("Gửi", variant="primary", scale=1, elem_id="gui")
                        clear = gr.Button("Câu hỏi mới (xóa hội thoại)", size="sm")
                        gr.Examples(EXAMPLE_QUESTIONS, inputs=[question], label="Câu hỏi mẫu")
                    with gr.Column(scale=2):
                        gr.Markdown("### Nguồn trích dẫn\nBấm vào từng nguồn để xem đoạn văn bản.")
                        sources = gr.HTML(render_sources([], ""), elem_id="nguon", js_on_load=None)
                outs = [chatbot, sources, context, question]
                question.submit(service.chat, [question, chatbot, context], outs, api_visibility="private")
                send.click(service.chat, [question, chatbot, context], outs, api_visibility="private")
                # The question box is left alone: what the user starts typing right after the click must not be
                # wiped when the (queued) clear arrives. queue=False: a clear does not wait behind others' questions.
                clear.click(lambda: ([], render_sources([], ""), None), None, [chatbot, sources, context],
                            api_visibility="private", queue=False)

            # Nhiệm vụ
            with gr.Tab("Nhiệm vụ", id="nhiem-vu"):
                duty_state = gr.State([])
                with gr.Row():
                    unit = gr.Dropdown(choices=[""] + service.units(), value="", label="Đơn vị",
                                       filterable=True, allow_custom_value=False, elem_id="don-vi", scale=3)
                    date_from = gr.Textbox(label="Từ ngày (dd/mm/yyyy)", placeholder="01/8/2025", scale=1)
                    date_to = gr.Textbox(label="Đến ngày (dd/mm/yyyy)", placeholder="31/12/2025", scale=1)
                    as_of = gr.Textbox(label="Tính đến ngày", value=_fmt_date(date.today()), scale=1)
                show = gr.Button("Xem nhiệm vụ", variant="primary", elem_id="xem-nhiem-vu")
                duty_msg = gr.Markdown()
                duty_table = gr.Dataframe(headers=DUTY_HEADERS, value=[], wrap=True, interactive=False,
                                          elem_id="bang-nhiem-vu", column_widths=["13%", "12%", "37%", "11%",
                                                                                    "9%", "18%"])
                with gr.Row():
                    csv_btn = gr.DownloadButton("Tải CSV", value=None, elem_id="tai-csv")
                    xlsx_btn = gr.DownloadButton("Tải XLSX", value=None, elem_id="tai-xlsx")
                    ics_btn = gr.DownloadButton("Tải lịch ICS", value=None, elem_id="tai-ics")

                def show_duties(unit_value, start, end, when):
                    """Fill the duty table and prepare the three export files for the current selection."""
                    try:
                        rows, selected, message = service.duties_table(unit_value, start, end, when)
                        files = [service.export_duties(selected, fmt, when) for fmt in ("csv", "xlsx", "ics")]
                    except ValueError as exc:
                        return [], [], f"❌ {exc}", None, None, None
                    return rows, selected, message, *files

                show.click(show_duties, [unit, date_from, date_to, as_of],
                           [duty_table, duty_state, duty_msg, csv_btn, xlsx_btn, ics_btn], api_name="duties")

            # Văn bản
            with gr.Tab("Văn bản", id="van-ban"):
                from rag.readers import SUPPORTED_EXTENSIONS

                gr.Markdown("### Văn bản trong chỉ mục")
                docs_table = gr.Dataframe(headers=DOC_HEADERS, value=service.documents_rows(), wrap=True,
                                          interactive=False, elem_id="bang-van-ban",
                                          column_widths=["26%", "14%", "10%", "10%", "32%", "8%"])
                with gr.Row():
                    with gr.Column():
                        gr.Markdown(f"**Thêm văn bản**: {', '.join(e.lstrip('.').upper() for e in SUPPORTED_EXTENSIONS)}"
                                    f", tối đa {max_upload_mb:g} MB mỗi tệp, chọn được nhiều tệp. Tệp trùng tên "
                                    "sẽ thay thế văn bản cũ.")
                        upload = gr.UploadButton("Chọn tệp để thêm vào chỉ mục", file_count="multiple",
                                                 file_types=list(SUPPORTED_EXTENSIONS), variant="primary",
                                                 elem_id="tai-len")
                    with gr.Column():
                        doc_pick = gr.Dropdown(choices=service.document_names(), value=None, label="Văn bản cần xóa",
                                               filterable=True, elem_id="chon-xoa")
                        remove_btn = gr.Button("Xóa khỏi chỉ mục", variant="stop", elem_id="xoa-van-ban")
                refresh_btn = gr.Button("Làm mới danh sách", size="sm")
                doc_msg = gr.Markdown(elem_id="thong-bao-van-ban")

                def after_change(message):
                    """Refresh the document list and the unit choices after the index changed."""
                    return (message, service.documents_rows(), gr.Dropdown(choices=service.document_names(), value=None),
                            gr.Dropdown(choices=[""] + service.units(), value=""))

                change_outputs = [doc_msg, docs_table, doc_pick, unit]
                upload.upload(lambda files: after_change(service.add_files(files)), [upload], change_outputs,
                              api_visibility="private")
                remove_btn.click(lambda name: after_change(service.remove_document(name)), [doc_pick],
                                 change_outputs, api_visibility="private")
                refresh_btn.click(lambda: after_change(""), None, change_outputs, api_visibility="private")
                app.load(lambda: (service.documents_rows(), gr.Dropdown(choices=service.document_names()),
                                  gr.Dropdown(choices=[""] + service.units())),
                         None, [docs_table, doc_pick, unit], api_visibility="private")

            # Đánh giá
            with gr.Tab("Đánh giá", id="danh-gia"):
                eval_path = gr.State(None)
                gr.Markdown("Chạy bộ câu hỏi kiểm thử và xem các chỉ số; các câu chưa đạt được xếp lên đầu bảng.")
                with gr.Row():
                    with gr.Column():
                        eval_source = gr.Markdown(f"Bộ câu hỏi: `{_shown_path(service.testset)}` (mặc định)")
                        with gr.Row():
                            eval_upload = gr.UploadButton("Tải lên bộ câu hỏi JSONL khác", file_types=[".jsonl"],
                                                          size="sm", elem_id="tep-danh-gia")
                            eval_default = gr.Button("Dùng bộ mặc định", size="sm")
                    eval_n = gr.Number(label="Chỉ chạy N câu đầu (0 = tất cả)", value=0, precision=0, minimum=0,
                                       elem_id="so-cau")
                eval_btn = gr.Button("Chạy đánh giá", variant="primary", elem_id="chay-danh-gia")
                eval_metrics = gr.Markdown(elem_id="ket-qua-danh-gia")
                eval_table = gr.Dataframe(headers=EVAL_HEADERS, value=[], wrap=True, interactive=False,
                                          elem_id="bang-danh-gia", column_widths=["8%", "30%", "10%", "22%", "30%"])

                def run_eval_ui(file, n):
                    """Run the evaluation; show a Vietnamese error instead of failing the request."""
                    try:
                        return service.evaluate(file, int(n or 0))
                    except Exception as exc:
                        log.exception("evaluation failed")
                        return f"❌ Không chạy được đánh giá: {exc}", []

                eval_upload.upload(lambda f: (f, f"Bộ câu hỏi: `{os.path.basename(f)}` (tệp tải lên)"), [eval_upload],
                                   [eval_path, eval_source], api_visibility="private")
                eval_default.click(lambda: (None, f"Bộ câu hỏi: `{_shown_path(service.testset)}` (mặc định)"), None,
                                   [eval_path, eval_source], api_visibility="private")
                eval_btn.click(run_eval_ui, [eval_path, eval_n], [eval_metrics, eval_table], api_name="evaluate")

        gr.api(service.api_ask, api_name="ask")
    return app


# --- launching ----------------------------------------------------------------------------------------------------

def parse_auth(value: str | None) -> tuple[str, str] | None:
    """"user:password" -> ("user", "password"); None/empty -> None; anything else is a ValueError."""
    if not value:
        return None
    user, sep, password = value.partition(":")
    if not sep or not user or not password:
        raise ValueError("--auth / RAG_UI_AUTH phải có dạng người_dùng:mật_khẩu")
    return user, password


def launch(app, *, host: str = DEFAULT_HOST, port: int | None = DEFAULT_PORT, auth: tuple[str, str] | None = None,
           max_upload_mb: float = DEFAULT_MAX_UPLOAD_MB, concurrency: int = DEFAULT_CONCURRENCY,
           prevent_thread_lock: bool = False, quiet: bool = False):
    """Queue and launch the app (bound to `host`, 127.0.0.1 by default); returns what `Blocks.launch` returns."""
    import gradio as gr

    app.queue(default_concurrency_limit=concurrency, max_size=256)
    return app.launch(
        server_name=host, server_port=port, auth=auth, auth_message="Đăng nhập để dùng trợ lý văn bản chỉ đạo.",
        max_file_size=f"{max_upload_mb:g}mb", prevent_thread_lock=prevent_thread_lock, quiet=quiet,
        show_error=True, css=CSS, theme=gr.themes.Soft(font=LOCAL_FONTS, font_mono=LOCAL_FONTS), footer_links=[], max_threads=64,
        allowed_paths=[str(app.service.export_dir)],
    )


def build_parser() -> argparse.ArgumentParser:
    """Arguments of `rag ui`."""
    parser = argparse.ArgumentParser(prog="rag ui", description="Giao diện web của trợ lý văn bản chỉ đạo.")
    parser.add_argument("--index", help="thư mục chỉ mục (mặc định: $RAG_INDEX hoặc ./index)")
    parser.add_argument("--host", default=DEFAULT_HOST, help="địa chỉ lắng nghe (mặc định 127.0.0.1)")
    parser.add_argument("--port", type=int, default=DEFAULT_PORT, help="cổng (mặc định 7860)")
    parser.add_argument("--auth", help="người_dùng:mật_khẩu (hoặc biến môi trường RAG_UI_AUTH)")
    parser.add_argument("--max-upload-mb", type=float, default=DEFAULT_MAX_UPLOAD_MB,
                        help="dung lượng tối đa mỗi tệp tải lên, MB (mặc định 50)")
    parser.add_argument("--upload-dir", help="thư mục lưu tệp tải lên (mặc định <index>/uploads)")
    parser.add_argument("--concurrency", type=int, default=DEFAULT_CONCURRENCY,
                        help="số câu hỏi xử lý đồng thời (mặc định 8)")
    parser.add_argument("--testset", default=DEFAULT_TESTSET, help="bộ câu hỏi đánh giá (JSONL)")
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of `rag ui`: load the assistant once, build the app and serve it until interrupted."""
    os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
    args = build_parser().parse_args(argv)
    from rag.pipeline import Assistant
    from rag.store import index_dir_from

    try:
        auth = parse_auth(args.auth or os.environ.get("RAG_UI_AUTH"))
    except ValueError as exc:
        print(f"Lỗi: {exc}")
        return 2
    from rag.embedders import EmbedderError
    from rag.store import IndexStoreError

    index_dir = index_dir_from(args.index)
    try:
        assistant = Assistant.load(index_dir)
    except (IndexStoreError, EmbedderError) as exc:
        print(f"Không mở được chỉ mục {index_dir}: {exc}")
        return 1
    app = build_app(assistant, index_dir=index_dir, upload_dir=args.upload_dir, max_upload_mb=args.max_upload_mb,
                    testset=args.testset)
    if args.host not in ("127.0.0.1", "localhost") and not auth:
        log.warning("serving on %s without --auth: anyone on the network can use and change the index", args.host)
    launch(app, host=args.host, port=args.port, auth=auth, max_upload_mb=args.max_upload_mb,
           concurrency=args.concurrency)
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
