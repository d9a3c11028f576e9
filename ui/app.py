"""Gradio web interface: questions with cited answers, the duty table, the indexed documents and the evaluation.

Start it with `rag ui [--index DIR] [--host 127.0.0.1] [--port 7860] [--auth user:password] [--max-upload-mb 50]`.
This module is the layout and the launch; what the tabs do is `service.UIService` over the `Library` (one
assistant shared by every session, swapped by the Library when the index changes), and `render` draws results.
"""

from __future__ import annotations

import argparse
import logging
import os
from datetime import date
from pathlib import Path

from rag.errors import user_message
from rag.text.arguments import VietnameseParser

from .conversation import (CONVERSATION_JS, PICK_PASSAGE_JS, SCROLL_TO_CITED_JS, empty_viewer,
                           render_conversation)
from .render import DOC_HEADERS, DUTY_HEADERS, EVAL_HEADERS, format_day, render_table, shown_path
from .security import middleware
from .service import DEFAULT_MAX_UPLOAD_MB, DEFAULT_TESTSET, UIService

log = logging.getLogger(__name__)

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 7860
DEFAULT_CONCURRENCY = 8

EXAMPLE_QUESTIONS = [
    "Ban Tổ chức Thành ủy phải làm gì trước 31/8/2025?",
    "ban to chuc thanh uy phai lam gi",
    "Đảng ủy Ủy ban nhân dân thành phố phải hoàn thành gì trước 29/8/2025?",
    "Các cấp ủy gửi báo cáo vận hành chính quyền địa phương 02 cấp hằng tháng chậm nhất khi nào?",
]

FEEDBACK_HEADERS = ["Số", "Thời gian", "Đánh giá", "Câu hỏi", "Góp ý", "Câu kiểm thử"]
DUTY_EMPTY = "Chọn đơn vị và khoảng thời hạn rồi bấm «Xem nhiệm vụ»."
DUTY_WIDTHS = ["14%", "12%", "34%", "12%", "10%", "18%"]
DOC_WIDTHS = ["18%", "10%", "13%", "9%", "14%", "8%", "22%", "6%"]
EVAL_WIDTHS = ["8%", "28%", "9%", "25%", "30%"]

# The theme switch: Gradio marks dark mode with the `dark` class of <body> (it follows the system by default); the
# user's choice is kept in localStorage.
TOGGLE_THEME_JS = """() => { const dark = document.body.classList.toggle('dark');
  localStorage.setItem('rag-giao-dien', dark ? 'toi' : 'sang'); }"""
RESTORE_THEME_JS = """() => { const saved = localStorage.getItem('rag-giao-dien');
  if (saved) { document.body.classList.toggle('dark', saved === 'toi'); } }"""

# Local fonts only: the theme's default Google font cannot be fetched offline (and nothing should be fetched).
LOCAL_FONTS = ["Noto Sans", "DejaVu Sans", "Segoe UI", "Arial", "sans-serif"]

# Gradio's own words, in Vietnamese. Gradio ships no Vietnamese locale and falls back to English for a "vi"
# browser, so the same words are given for "en" (the fallback) and "vi". The screen-reader status line ("In queue:
# 1 of 1", visually hidden but read aloud) and the loading/upload words are what our tabs can show.
GRADIO_WORDS_VI = {
    "status.queue_position": "Đang chờ: thứ {position} trên {size}",
    "common.loading": "Đang tải",
    "common.complete": "Đã xong",
    "common.error": "Lỗi",
    "common.clear": "Xóa",
    "common.download": "Tải xuống",
    "common.download_all": "Tải xuống tất cả",
    "common.remove": "Gỡ bỏ",
    "common.empty": "Trống",
    "common.or": "hoặc",
    "common.submit": "Gửi",
    "common.undo": "Hoàn tác",
    "common.settings": "Cài đặt",
    "common.share": "Chia sẻ",
    "common.progress": "Tiến độ",
    "file.uploading": "Đang tải lên...",
    "upload_text.click_to_upload": "Bấm để tải lên",
    "upload_text.drop_file": "Thả tệp vào đây",
}

CSS = """
/* Gradio's status line speaks English ("queue: 2/3", "processing | 0.4s"): its spinner stays, its words go. */
.progress-text, .meta-text, .meta-text-center, .eta-bar + .progress-text {display: none !important;}
#chat .hoi-thoai {max-height: 62vh; overflow-y: auto; padding: 4px 2px;}
#chat .trong {color: var(--body-text-color-subdued);}
#chat .ghi-chu-chi-muc {margin-top: 6px; font-size: 0.9em; color: var(--body-text-color-subdued);}
#trang-thai-chi-muc progress {width: 100%; max-width: 28em;}
#chat .turn {margin-bottom: 14px;}
#chat .msg {white-space: pre-wrap; overflow-wrap: break-word; padding: 8px 12px; border-radius: 10px;
  margin: 4px 0; line-height: 1.5;}
#chat .msg.hoi {background: var(--color-accent-soft); margin-left: 12%;}
#chat .msg.dap {background: var(--background-fill-secondary); border: 1px solid var(--border-color-primary);}
#chat .dang-tim {font-style: italic; color: var(--body-text-color-subdued);}
.cite {border: none; background: none; color: var(--link-text-color); cursor: pointer; padding: 0 1px;
  font: inherit; font-weight: 600; text-decoration: underline;}
.cite.dang-xem {outline: 2px solid var(--color-accent); border-radius: 3px;}
.nguon-list {margin: 4px 0 4px 8px;}
.nguon-head {font-size: 0.85em; font-weight: 600; color: var(--body-text-color-subdued);}
.nguon {border: 1px solid var(--border-color-primary); border-radius: 6px; padding: 4px 8px; margin: 4px 0;}
.nguon .nguon-title {text-decoration: none; text-align: left;}
.nguon-meta {font-size: 0.88em; color: var(--body-text-color-subdued); overflow-wrap: break-word;}
.nguon-text {white-space: pre-wrap; overflow-wrap: break-word;}
.nguon summary {cursor: pointer; font-size: 0.88em;}
.turn-actions {display: flex; flex-wrap: wrap; gap: 6px; margin: 2px 0 0 8px;}
.turn-actions .act {border: 1px solid var(--border-color-primary); border-radius: 6px; padding: 2px 8px;
  background: var(--background-fill-primary); color: var(--body-text-color); cursor: pointer; font-size: 0.88em;}
.turn-actions .act.chosen {background: var(--color-accent-soft); border-color: var(--color-accent);}
mark {background: #ffe58a; color: #1f2328; padding: 0 1px; border-radius: 2px;}
.dark mark {background: #8a6d00; color: #fff8e1;}
#xem-van-ban .viewer {max-height: 78vh; overflow-y: auto; border: 1px solid var(--border-color-primary);
  border-radius: 8px; padding: 10px 12px;}
.viewer-empty {color: var(--body-text-color-subdued);}
.viewer-name {font-weight: 700; font-size: 1.05em;}
.viewer-title {font-size: 0.95em; margin: 2px 0;}
.viewer-facts, .viewer-note {font-size: 0.85em; color: var(--body-text-color-subdued); margin-bottom: 6px;}
.viewer-where {position: sticky; top: -10px; background: var(--background-fill-primary); padding: 6px 0;
  font-size: 0.9em; font-weight: 600; border-bottom: 1px solid var(--border-color-primary); z-index: 1;}
.doc-h {font-weight: 700; margin: 10px 0 2px calc(var(--d) * 12px);}
.doc-p {white-space: pre-wrap; overflow-wrap: break-word; margin: 2px 0 6px calc(var(--d) * 12px);
  padding: 2px 6px; border-left: 3px solid transparent;}
.doc-p.cited {background: #fff4c2; color: #1f2328; border-left-color: #d4a000;}
.dark .doc-p.cited {background: #3d3200; color: #fff8e1; border-left-color: #e0b000;}
.bang-khung {overflow-x: auto; max-width: 100%;}
.bang {width: 100%; border-collapse: collapse; table-layout: fixed; font-size: 0.95em;}
.bang th, .bang td {border: 1px solid var(--border-color-primary); padding: 6px 8px; vertical-align: top;
  text-align: left; overflow-wrap: break-word; word-break: normal; hyphens: none; white-space: pre-wrap;}
.bang th {background: var(--background-fill-secondary); font-weight: 600; overflow-wrap: normal;}
.bang-trong {color: var(--body-text-color-subdued); padding: 8px 0;}
@media (max-width: 700px) {
  .tabs .tab-container button {padding-left: 7px; padding-right: 7px;}
  #dau-trang {flex-wrap: wrap;}
  #dau-trang > :first-child {flex: 1 1 100% !important; min-width: 100% !important;}
  .bang, .bang tbody, .bang tr, .bang td {display: block; width: 100%; box-sizing: border-box;}
  .bang colgroup, .bang thead {display: none;}
  .bang tr {border: 1px solid var(--border-color-primary); border-radius: 8px; margin-bottom: 10px;
    padding: 6px 10px;}
  .bang td {border: none; padding: 2px 0;}
  .bang td::before {content: attr(data-label); display: block; font-size: 0.8em; font-weight: 600;
    color: var(--body-text-color-subdued); white-space: normal;}
  .bang td:empty {display: none;}
  #chat .msg.hoi {margin-left: 0;}
  #chat .hoi-thoai, #xem-van-ban .viewer {max-height: none;}  /* one page scroll on a phone, no nested boxes */
}
#xem-bang-chung .doc-p {cursor: pointer;}
#xem-bang-chung .doc-p:hover {border-left-color: var(--color-accent);}
#xem-bang-chung .viewer {max-height: 70vh; overflow-y: auto; border: 1px solid var(--border-color-primary);
  border-radius: 8px; padding: 10px 12px;}
.doc-page {float: right; font-size: 0.8em; color: var(--body-text-color-subdued); margin-left: 8px;}
"""


# --- Gradio layout ------------------------------------------------------------------------------------------------

def build_app(library, *, max_upload_mb: float = DEFAULT_MAX_UPLOAD_MB, testset: str | Path = DEFAULT_TESTSET):
    """The Gradio Blocks app (tabs Hỏi đáp, Nhiệm vụ, Văn bản, Đánh giá) over one `Library`."""
    import gradio as gr

    service = UIService(library, max_upload_mb=max_upload_mb, testset=testset)

    def docs_html() -> str:
        return render_table(DOC_HEADERS, service.documents_rows(), empty="Chỉ mục chưa có văn bản nào.",
                            widths=DOC_WIDTHS, cls="van-ban")

    with gr.Blocks(title="Trợ lý văn bản chỉ đạo") as app:
        app.service = service  # for tests and embedding
        with gr.Row(elem_id="dau-trang"):
            gr.Markdown("## Trợ lý hỏi đáp văn bản chỉ đạo\nCâu trả lời trích nguyên văn từ văn bản, kèm nguồn `[n]`.",
                        min_width=330)
            theme_btn = gr.Button("Đổi giao diện sáng/tối", size="sm", elem_id="doi-giao-dien", scale=0,
                                  min_width=170)
        theme_btn.click(None, None, None, js=TOGGLE_THEME_JS)
        app.load(None, None, None, js=RESTORE_THEME_JS)
        with gr.Tabs():
            # Hỏi đáp
            with gr.Tab("Hỏi đáp", id="hoi-dap"):
                # The turns live in the browser (localStorage): a reload shows the same conversation, each answer
                # with its own sources. The follow-up context is rebuilt from them on the next question.
                turns = gr.BrowserState([], storage_key="rag-hoi-dap-v1")
                conversation = gr.State(None)
                with gr.Row(equal_height=False):
                    with gr.Column(scale=3, min_width=320):
                        chat = gr.HTML(render_conversation([]), elem_id="chat", js_on_load=CONVERSATION_JS,
                                       apply_default_css=True, padding=False)
                        with gr.Row(elem_id="hang-hoi"):
                            question = gr.Textbox(label="Câu hỏi", placeholder="Nhập câu hỏi về văn bản chỉ đạo…",
                                                  scale=5, elem_id="cau-hoi", lines=1, max_lines=4, min_width=200)
                            send = gr.Button("Gửi", variant="primary", scale=1, elem_id="gui", min_width=80)
                            stop = gr.Button("Dừng", variant="stop", scale=1, elem_id="dung", min_width=80,
                                             visible=False)
                        clear = gr.Button("Câu hỏi mới", size="sm", elem_id="cau-hoi-moi")
                        docx_file = gr.File(label="Câu trả lời dạng DOCX", visible=False, elem_id="tep-docx",
                                            interactive=False)
                        feedback_id = gr.State(None)
                        with gr.Group(visible=False, elem_id="gop-y") as comment_box:
                            feedback_msg = gr.Markdown(elem_id="thong-bao-phan-hoi")
                            comment = gr.Textbox(label="Góp ý (không bắt buộc)", lines=2, elem_id="noi-dung-gop-y",
                                                 placeholder="Ví dụ: thiếu nhiệm vụ…, hạn đúng là…")
                            comment_btn = gr.Button("Lưu góp ý", size="sm", elem_id="luu-gop-y")
                        gr.Examples(EXAMPLE_QUESTIONS, inputs=[question], label="Câu hỏi mẫu")
                    with gr.Column(scale=2, min_width=320):
                        viewer = gr.HTML(empty_viewer(), elem_id="xem-van-ban", padding=False)
                outs = [chat, turns, conversation, question]
                busy = (lambda: (gr.update(visible=False), gr.update(visible=True)), None, [send, stop])
                idle = (lambda: (gr.update(visible=True), gr.update(visible=False)), None, [send, stop])
                asked = []
                for trigger in (question.submit, send.click):
                    event = trigger(*busy, api_visibility="private", queue=False)
                    answering = event.then(service.chat, [question, turns, conversation], outs,
                                           api_visibility="private")
                    answering.then(*idle, api_visibility="private", queue=False)
                    asked.append(answering)
                stop.click(*idle, cancels=asked, api_visibility="private", queue=False)
                # The question box is left alone: what the user starts typing right after the click must not be
                # wiped when the clear arrives. queue=False: a clear does not wait behind others' questions.
                clear.click(lambda: (render_conversation([]), [], None, empty_viewer(), gr.update(visible=False)),
                            None, [chat, turns, conversation, viewer, docx_file], api_visibility="private",
                            queue=False)
                app.load(lambda saved: render_conversation(saved if isinstance(saved, list) else []), [turns],
                         [chat], api_visibility="private")

                def open_citation(saved, evt: gr.EventData):
                    data = getattr(evt, "_data", None) or {}
                    return service.view(saved, int(data.get("turn", -1)), int(data.get("n", 0)),
                                        str(data.get("chunk", "")))

                open_citation.__annotations__["evt"] = gr.EventData  # (annotations are strings in this module)
                chat.cite(open_citation, [turns], [viewer], api_visibility="private").then(
                    None, None, None, js=SCROLL_TO_CITED_JS)

                def answer_file(saved, evt: gr.EventData):
                    path = service.answer_docx(saved, int((getattr(evt, "_data", None) or {}).get("turn", -1)))
                    return gr.update(value=path, visible=path is not None)

                answer_file.__annotations__["evt"] = gr.EventData
                chat.docx(answer_file, [turns], [docx_file], api_visibility="private")

                def rate(saved, evt: gr.EventData):
                    data = getattr(evt, "_data", None) or {}
                    saved, fid, message = service.give_feedback(saved, int(data.get("turn", -1)),
                                                                str(data.get("value", "")))
                    return (render_conversation(saved), saved, fid, gr.update(visible=fid is not None), message, "")

                rate.__annotations__["evt"] = gr.EventData
                chat.feedback(rate, [turns], [chat, turns, feedback_id, comment_box, feedback_msg, comment],
                              api_visibility="private")
                comment_btn.click(service.comment_feedback, [feedback_id, comment], [feedback_msg],
                                  api_visibility="private")

            # Nhiệm vụ
            with gr.Tab("Nhiệm vụ", id="nhiem-vu"):
                duty_state = gr.State([])
                with gr.Row():
                    unit = gr.Dropdown(choices=[""] + service.units(), value="", label="Đơn vị (gõ tên, không dấu hoặc viết tắt)",
                                       filterable=True, allow_custom_value=True, elem_id="don-vi", scale=3,
                                       min_width=320)
                    date_from = gr.Textbox(label="Từ ngày (dd/mm/yyyy)", placeholder="01/8/2025", scale=1,
                                           min_width=150)
                    date_to = gr.Textbox(label="Đến ngày (dd/mm/yyyy)", placeholder="31/12/2025", scale=1,
                                         min_width=150)
                    as_of = gr.Textbox(label="Tính đến ngày", value=format_day(date.today()), scale=1,
                                       min_width=150)
                show = gr.Button("Xem nhiệm vụ", variant="primary", elem_id="xem-nhiem-vu")
                duty_msg = gr.Markdown(elem_id="thong-bao-nhiem-vu")
                duty_table = gr.HTML(render_table(DUTY_HEADERS, [], empty=DUTY_EMPTY), elem_id="bang-nhiem-vu")
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
                        return render_table(DUTY_HEADERS, [], empty=DUTY_EMPTY), [], f"❌ {exc}", None, None, None
                    table = render_table(DUTY_HEADERS, rows, empty="Không có nhiệm vụ nào khớp.",
                                         widths=DUTY_WIDTHS, cls="nhiem-vu")
                    return table, selected, message, *files

                show.click(show_duties, [unit, date_from, date_to, as_of],
                           [duty_table, duty_state, duty_msg, csv_btn, xlsx_btn, ics_btn], api_name="duties")

            # Văn bản
            with gr.Tab("Văn bản", id="van-ban") as docs_tab:
                from rag.documents.readers import SUPPORTED_EXTENSIONS

                gr.Markdown("### Văn bản trong chỉ mục")
                doc_msg = gr.Markdown(elem_id="thong-bao-van-ban")
                # Uploads under way and the semantic part of indexing (vectors computed after a document is already
                # searchable by keywords), refreshed every 3 s while the page is open.
                index_status = gr.HTML(service.indexing_status(), elem_id="trang-thai-chi-muc")
                gr.Timer(3.0).tick(service.indexing_status, None, index_status, api_visibility="private",
                                   queue=False)
                with gr.Row():
                    with gr.Column():
                        gr.Markdown(f"**Thêm văn bản**: {', '.join(e.lstrip('.').upper() for e in SUPPORTED_EXTENSIONS)}"
                                    f", tối đa {max_upload_mb:g} MB mỗi tệp, chọn được nhiều tệp. Tệp trùng tên "
                                    "sẽ thay thế văn bản cũ.")
                        upload = gr.UploadButton("Chọn tệp để thêm vào chỉ mục", file_count="multiple",
                                                 file_types=list(SUPPORTED_EXTENSIONS), variant="primary",
                                                 elem_id="tai-len")
                    with gr.Column():
                        doc_pick = gr.Dropdown(choices=service.document_choices(), value=None, label="Văn bản cần xóa",
                                               filterable=True, elem_id="chon-xoa")
                        remove_btn = gr.Button("Xóa khỏi chỉ mục", variant="stop", elem_id="xoa-van-ban")
                        with gr.Group(visible=False, elem_id="xac-nhan-xoa") as confirm_box:
                            confirm_msg = gr.Markdown()
                            with gr.Row():
                                confirm_btn = gr.Button("Xóa hẳn", variant="stop", elem_id="xoa-han")
                                cancel_btn = gr.Button("Hủy", elem_id="huy-xoa")
                docs_table = gr.HTML(docs_html(), elem_id="bang-van-ban")
                refresh_btn = gr.Button("Làm mới danh sách", size="sm", elem_id="lam-moi")

                def after_change(message):
                    """Refresh the document list and the unit choices after the index changed (by anyone)."""
                    return (message, docs_html(), gr.Dropdown(choices=service.document_choices(), value=None),
                            gr.Dropdown(choices=[""] + service.units(), value=""), gr.update(visible=False))

                def ask_to_remove(name):
                    """First step of a removal: say what will be removed and wait for "Xóa hẳn"."""
                    if not name:
                        return "Chưa chọn văn bản để xóa.", gr.update(visible=False), ""
                    return "", gr.update(visible=True), (f"Xóa «{name}» khỏi chỉ mục? Trợ lý sẽ không trích dẫn văn "
                                                         "bản này nữa; tệp đã tải lên cũng bị xóa.")

                change_outputs = [doc_msg, docs_table, doc_pick, unit, confirm_box]
                upload.upload(lambda files: after_change(service.add_files(files)), [upload], change_outputs,
                              api_visibility="private")
                remove_btn.click(ask_to_remove, [doc_pick], [doc_msg, confirm_box, confirm_msg],
                                 api_visibility="private", queue=False)
                cancel_btn.click(lambda: ("Đã hủy, không xóa văn bản nào.", gr.update(visible=False)), None,
                                 [doc_msg, confirm_box], api_visibility="private", queue=False)
                confirm_btn.click(lambda name: after_change(service.remove_document(name)), [doc_pick],
                                  change_outputs, api_visibility="private")
                refresh_btn.click(lambda: after_change(""), None, change_outputs, api_visibility="private")
                docs_tab.select(lambda: after_change(""), None, change_outputs, api_visibility="private")
                app.load(lambda: (docs_html(), gr.Dropdown(choices=service.document_choices()),
                                  gr.Dropdown(choices=[""] + service.units())),
                         None, [docs_table, doc_pick, unit], api_visibility="private")

            # Đánh giá
            with gr.Tab("Đánh giá", id="danh-gia") as eval_tab:
                eval_path = gr.State(None)
                gr.Markdown("Chạy bộ câu hỏi kiểm thử và xem các chỉ số; các câu chưa đạt được xếp lên đầu bảng.")
                with gr.Row():
                    with gr.Column():
                        eval_source = gr.Markdown(f"Bộ câu hỏi: `{shown_path(service.testset)}` (mặc định)")
                        with gr.Row():
                            eval_upload = gr.UploadButton("Tải lên bộ câu hỏi JSONL khác", file_types=[".jsonl"],
                                                          size="sm", elem_id="tep-danh-gia")
                            eval_default = gr.Button("Dùng bộ mặc định", size="sm")
                            eval_user = gr.Button("Dùng bộ câu hỏi của người dùng", size="sm", elem_id="bo-nguoi-dung")
                    eval_n = gr.Number(label="Chỉ chạy N câu đầu (0 = tất cả)", value=0, precision=0, minimum=0,
                                       elem_id="so-cau")
                eval_btn = gr.Button("Chạy đánh giá", variant="primary", elem_id="chay-danh-gia")
                eval_metrics = gr.Markdown(elem_id="ket-qua-danh-gia")
                eval_table = gr.HTML(render_table(EVAL_HEADERS, [], empty=""), elem_id="bang-danh-gia")

                def run_eval_ui(file, n):
                    """Run the evaluation; show a Vietnamese error instead of failing the request."""
                    try:
                        metrics, rows = service.evaluate(file, int(n or 0))
                    except Exception as exc:
                        log.exception("evaluation failed")
                        return f"❌ Không chạy được đánh giá: {user_message(exc)}", render_table(EVAL_HEADERS, [])
                    return metrics, render_table(EVAL_HEADERS, rows, widths=EVAL_WIDTHS, cls="danh-gia")

                eval_upload.upload(lambda f: (f, f"Bộ câu hỏi: `{os.path.basename(f)}` (tệp tải lên)"), [eval_upload],
                                   [eval_path, eval_source], api_visibility="private")
                eval_default.click(lambda: (None, f"Bộ câu hỏi: `{shown_path(service.testset)}` (mặc định)"), None,
                                   [eval_path, eval_source], api_visibility="private")
                eval_btn.click(run_eval_ui, [eval_path, eval_n], [eval_metrics, eval_table], api_name="evaluate")

                def use_user_testset():
                    path = service.user_testset()
                    if not path.exists():
                        return None, ("Bộ câu hỏi của người dùng chưa có câu nào: hãy tạo câu hỏi kiểm thử từ phản "
                                      "hồi ở dưới.")
                    return str(path), f"Bộ câu hỏi: `{shown_path(path)}` (của người dùng, làm từ phản hồi)"

                eval_user.click(use_user_testset, None, [eval_path, eval_source], api_visibility="private")

                gr.Markdown("### Phản hồi của người dùng\nMỗi phản hồi 👍/👎 ở thẻ Hỏi đáp có thể thành một câu hỏi "
                            "kiểm thử: chọn phản hồi, ghi các ý mà câu trả lời đúng phải nêu (mỗi ý một dòng), bấm "
                            "vào đoạn văn bản làm bằng chứng trong trình xem, rồi bấm «Tạo câu hỏi kiểm thử».")
                feedback_table = gr.HTML(render_table(FEEDBACK_HEADERS, service.feedback_rows(),
                                                      empty="Chưa có phản hồi nào."), elem_id="bang-phan-hoi")
                with gr.Row(equal_height=False):
                    with gr.Column(scale=1, min_width=320):
                        fb_pick = gr.Dropdown(choices=service.feedback_choices(), value=None, label="Phản hồi",
                                              elem_id="chon-phan-hoi")
                        fb_detail = gr.HTML("", elem_id="chi-tiet-phan-hoi")
                        fb_answerable = gr.Checkbox(value=True, label="Văn bản có câu trả lời (bỏ chọn nếu trợ lý "
                                                    "phải từ chối)", elem_id="co-dap-an")
                        fb_facts = gr.Textbox(label="Các ý câu trả lời đúng phải nêu (mỗi ý một dòng)", lines=3,
                                              elem_id="y-dung")
                        fb_chunk = gr.Textbox(label="Đoạn bằng chứng (bấm vào một đoạn trong trình xem)",
                                              interactive=False, elem_id="doan-bang-chung")
                        fb_make = gr.Button("Tạo câu hỏi kiểm thử", variant="primary", elem_id="tao-cau-kiem-thu")
                        fb_msg = gr.Markdown(elem_id="thong-bao-kiem-thu")
                    with gr.Column(scale=1, min_width=320):
                        fb_viewer = gr.HTML(empty_viewer(), elem_id="xem-bang-chung", js_on_load=PICK_PASSAGE_JS,
                                            padding=False)

                def refresh_feedback():
                    return (render_table(FEEDBACK_HEADERS, service.feedback_rows(), empty="Chưa có phản hồi nào."),
                            gr.Dropdown(choices=service.feedback_choices()))

                eval_tab.select(refresh_feedback, None, [feedback_table, fb_pick], api_visibility="private")
                fb_pick.change(service.feedback_detail, [fb_pick], [fb_detail, fb_viewer, fb_chunk],
                               api_visibility="private")

                def pick(fid, evt: gr.EventData):
                    chunk_id = str((getattr(evt, "_data", None) or {}).get("chunk", ""))
                    return service.pick_passage(fid, chunk_id), chunk_id

                pick.__annotations__["evt"] = gr.EventData
                fb_viewer.pick(pick, [fb_pick], [fb_viewer, fb_chunk], api_visibility="private")

                def make_case(fid, facts, chunk_id, answerable):
                    return (service.make_case(fid, facts, chunk_id, answerable), *refresh_feedback())

                fb_make.click(make_case, [fb_pick, fb_facts, fb_chunk, fb_answerable],
                              [fb_msg, feedback_table, fb_pick], api_visibility="private")

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
        show_error=True, css=CSS, i18n=gr.I18n(en=GRADIO_WORDS_VI, vi=GRADIO_WORDS_VI),
        theme=gr.themes.Soft(font=LOCAL_FONTS, font_mono=LOCAL_FONTS), footer_links=[], max_threads=64,
        allowed_paths=[str(app.service.export_dir)], app_kwargs={"middleware": middleware()},
    )


def build_parser() -> argparse.ArgumentParser:
    """Arguments of `rag ui`."""
    parser = VietnameseParser(prog="rag ui", description="Giao diện web của trợ lý văn bản chỉ đạo.")
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
    from rag.errors import RagError
    from rag.library import Library

    try:
        auth = parse_auth(args.auth or os.environ.get("RAG_UI_AUTH"))
    except ValueError as exc:
        print(f"Lỗi: {exc}")
        return 2
    library = Library(args.index, upload_dir=args.upload_dir)
    try:
        library.assistant()
    except RagError as exc:
        print(f"Không mở được chỉ mục {library.index_dir}: {exc.message_vi}")
        return 1
    done, total = library.assistant().embedding_progress or (0, 0)
    if done < total:  # a build stopped before its vectors were in: finish them while serving (keywords meanwhile)
        library.start_embedding()
    app = build_app(library, max_upload_mb=args.max_upload_mb, testset=args.testset)
    if args.host not in ("127.0.0.1", "localhost") and not auth:
        log.warning("serving on %s without --auth: anyone on the network can use and change the index", args.host)
    launch(app, host=args.host, port=args.port, auth=auth, max_upload_mb=args.max_upload_mb,
           concurrency=args.concurrency)
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
