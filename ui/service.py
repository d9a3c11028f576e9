"""What the tabs do, as plain methods over the `Library` (testable without a browser).

The service holds no index logic of its own: questions go to the Library's current assistant, uploads and removals
to the Library (which owns the write lock and the reload). Messages are Vietnamese, chosen by error code.
"""

from __future__ import annotations

import atexit
import html
import logging
import shutil
import tempfile
import time
from datetime import date, datetime
from pathlib import Path
from typing import Iterator

from rag.duties.query import DutyQuery
from rag.errors import InputError, user_message
from rag.feedback import FeedbackStore
from rag.library import Library
from rag.text.dates import DateWindow, parse_user_date

from .conversation import (citation_dict, short_document_name, empty_viewer, render_conversation, render_viewer,
                           source_line)
from .render import document_row, duty_row, eval_rows, format_day, metrics_markdown, shown_path

log = logging.getLogger(__name__)

DEFAULT_MAX_UPLOAD_MB = 50
DEFAULT_TESTSET = "eval/test.jsonl"
MAX_TABLE_ROWS = 500  # rows shown in the duty table (a unit of a large archive has thousands; exports have all)


def parse_ui_date(text: str | None, what: str) -> date | None:
    """A date typed in the form (None when blank), read like `rag duties --before`.

    Raises ValueError with a Vietnamese message naming the field.
    """
    text = (text or "").strip()
    if not text:
        return None
    try:
        return parse_user_date(text)
    except InputError as exc:
        raise ValueError(f"«{what}»: {exc.message_vi}.") from None


class UIService:
    """The tabs' actions over one Library."""

    def __init__(self, library: Library, *, max_upload_mb: float = DEFAULT_MAX_UPLOAD_MB,
                 testset: str | Path = DEFAULT_TESTSET):
        self.library = library
        self.max_upload_bytes = int(max_upload_mb * 1024 * 1024)
        self.testset = Path(testset)
        self.feedback = FeedbackStore(library.index_dir)
        self.export_dir = Path(tempfile.mkdtemp(prefix="rag-ui-export-"))
        atexit.register(shutil.rmtree, self.export_dir, ignore_errors=True)

    @property
    def assistant(self):
        """The assistant answering now (the Library swaps it after every change of the index)."""
        return self.library.assistant()

    # Hỏi đáp -------------------------------------------------------------------------------------------------------

    def ask(self, question: str, conversation=None):
        """Ask the current assistant one question (with the previous answer's conversation for follow-ups)."""
        return self.assistant.ask(question or "", conversation=conversation)

    def api_ask(self, question: str) -> tuple[str, list[dict]]:
        """The `ask` API endpoint: the answer text and its citations as a list of dicts."""
        answer = self.ask(question)
        return answer.answer, [c.to_dict() for c in answer.citations]

    def restore_conversation(self, turns: list[dict]):
        """The follow-up context of a conversation restored from the browser after a reload: its last questions
        asked again in order (answers take ~20 ms each)."""
        conversation = None
        for turn in turns[-3:]:
            try:
                conversation = self.ask(turn["q"], conversation).conversation or conversation
            except Exception:  # a question that fails now only loses the context
                log.exception("could not restore the context of %r", turn.get("q"))
        return conversation

    def chat(self, question: str, turns: list[dict] | None, conversation) -> Iterator[tuple]:
        """Stream one turn: yield (conversation HTML, turns, conversation context, textbox value) as the answer
        grows. Turns are plain dicts (kept in the browser's storage); each keeps its own citations."""
        turns = [dict(t) for t in (turns or []) if isinstance(t, dict) and "q" in t]
        question = (question or "").strip()
        if not question:
            yield render_conversation(turns), turns, conversation, ""
            return
        yield render_conversation(turns, pending=question), turns, conversation, ""
        if conversation is None and turns:
            conversation = self.restore_conversation(turns)
        try:
            assistant = self.assistant
            answer = assistant.ask(question, conversation=conversation)
        except Exception as exc:  # shown in the chat rather than as a broken UI
            log.exception("question failed: %r", question)
            turns.append({"q": question, "a": f"Lỗi khi trả lời: {user_message(exc)}", "cites": [], "mode": "error",
                          "gen": None, "time": datetime.now().isoformat(timespec="seconds")})
            yield render_conversation(turns), turns, conversation, ""
            return
        documents = assistant.documents or {}
        turn = {"q": question, "a": "", "mode": answer.mode, "gen": assistant.generation,
                "time": datetime.now().isoformat(timespec="seconds"),
                "cites": [citation_dict(c, documents.get(c.doc)) for c in answer.citations], "done": False}
        shown: list[str] = []
        for line in answer.answer.splitlines() or [answer.answer]:
            shown.append(line)
            turn["a"] = "\n".join(shown)
            yield render_conversation(turns + [turn]), turns, conversation, ""
            time.sleep(0.02)
        turn["a"] = answer.answer
        if answer.notice:  # semantic search still being prepared for new documents
            turn["notice"] = answer.notice
        del turn["done"]
        turns.append(turn)
        yield render_conversation(turns), turns, answer.conversation or conversation, ""

    def view(self, turns: list[dict] | None, t: int, n: int, chunk_id: str = "") -> str:
        """The viewer for citation [n] of turn t: the cited document as its section tree, the passage highlighted."""
        turns = turns or []
        cite = None
        if 0 <= t < len(turns):
            cite = next((c for c in turns[t].get("cites", []) if c.get("n") == n), None)
        if cite is None:
            if not chunk_id:
                return empty_viewer()
            cite = {"chunk_id": chunk_id, "doc": chunk_id.rsplit("#", 1)[0], "text": ""}
        question = turns[t]["q"] if 0 <= t < len(turns) else ""
        return self.view_document(cite["doc"], cited=cite["chunk_id"], question=question, n=n, fallback=cite)

    def view_document(self, doc: str, *, cited: str | None = None, question: str = "", n: int | None = None,
                      fallback: dict | None = None) -> str:
        """Any indexed document in the viewer (optionally with one passage highlighted)."""
        assistant = self.assistant
        meta = dict((assistant.documents or {}).get(doc) or {})
        passages = self.library.document_passages(doc) if doc in (assistant.documents or {}) else []
        if passages:
            meta["display_title"] = passages[0].doc_title
        return render_viewer(doc, meta, passages, cited=cited, question=question, n=n,
                             original=self.original_copy(doc) if passages else None, fallback=fallback)

    def original_copy(self, doc: str) -> str | None:
        """A copy of the document's original file in the folder the app serves (made once per content), so that the
        viewer can link to it; None when the file is no longer on disk."""
        source = self.library.document_file(doc)
        if source is None:
            return None
        try:
            stat = source.stat()
            folder = self.export_dir / "goc" / f"{stat.st_size}-{stat.st_mtime_ns}"
            target = folder / source.name
            if not target.is_file():
                folder.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(source, target)
            return str(target)
        except OSError:
            log.exception("could not copy %s for viewing", source)
            return None

    def answer_docx(self, turns: list[dict] | None, t: int) -> str | None:
        """Turn t (question, answer, sources with their passages) as a DOCX file for a report; its path."""
        from docx import Document
        from docx.shared import Pt

        turns = turns or []
        if not 0 <= t < len(turns):
            return None
        turn = turns[t]
        document = Document()
        document.add_heading("Câu hỏi", level=2)
        document.add_paragraph(turn["q"])
        document.add_heading("Trả lời", level=2)
        for line in (turn.get("a") or "").splitlines():
            document.add_paragraph(line)
        if turn.get("cites"):
            document.add_heading("Nguồn", level=2)
            for cite in turn["cites"]:
                document.add_paragraph(source_line(cite), style="List Bullet")
                quote_par = document.add_paragraph(cite.get("text", ""))
                quote_par.paragraph_format.left_indent = Pt(18)
        when = turn.get("time") or ""
        document.add_paragraph(f"Trả lời lúc {when.replace('T', ' ')} từ chỉ mục {turn.get('gen') or ''}.")
        folder = Path(tempfile.mkdtemp(dir=self.export_dir))
        path = folder / f"tra-loi-{t + 1}.docx"
        document.save(path)
        return str(path)

    # Phản hồi ------------------------------------------------------------------------------------------------------

    def give_feedback(self, turns: list[dict] | None, t: int, rating: str) -> tuple[list[dict], int | None, str]:
        """👍/👎 on turn t: stored (or changed) in the feedback file with the question, the conversation's earlier
        questions, the answer, its citations, the index generation and the time. (turns, feedback id, message)."""
        turns = [dict(x) for x in (turns or [])]
        if not 0 <= t < len(turns) or rating not in ("up", "down"):
            return turns, None, ""
        turn = turns[t]
        try:
            if turn.get("fb_id"):
                self.feedback.set_rating(turn["fb_id"], rating)
            else:
                turn["fb_id"] = self.feedback.add(
                    rating=rating, question=turn["q"], answer=turn.get("a", ""), citations=turn.get("cites", []),
                    generation=turn.get("gen"), history=[x["q"] for x in turns[max(0, t - 3):t]])
        except Exception as exc:
            log.exception("storing feedback failed")
            return turns, None, f"❌ Không lưu được phản hồi: {user_message(exc)}"
        turn["feedback"] = rating
        what = "đúng" if rating == "up" else "chưa đúng"
        return turns, turn["fb_id"], (f"Đã ghi nhận phản hồi số {turn['fb_id']} (câu trả lời {what}). Có thể ghi thêm "
                                      "góp ý bên dưới; ở thẻ Đánh giá, phản hồi này có thể thành câu hỏi kiểm thử.")

    def comment_feedback(self, feedback_id: int | None, comment: str) -> str:
        if not feedback_id:
            return "Chưa có phản hồi nào để góp ý."
        self.feedback.set_comment(int(feedback_id), comment or "")
        return f"Đã lưu góp ý cho phản hồi số {int(feedback_id)}."

    def feedback_rows(self) -> list[list]:
        """Rows of the feedback table (newest first): id, time, rating, question, comment, test case."""
        return [[r.id, r.time.replace("T", " "), "👍 đúng" if r.rating == "up" else "👎 chưa đúng", r.question,
                 r.comment, r.case_id or ""] for r in self.feedback.list()]

    def feedback_choices(self) -> list[tuple[str, int]]:
        return [(f"#{r.id} {'👍' if r.rating == 'up' else '👎'} {r.question[:70]}", r.id) for r in self.feedback.list()]

    def feedback_detail(self, feedback_id: int | None) -> tuple[str, str, str]:
        """(Markdown of the rated answer, viewer HTML on its first citation, that citation's chunk id)."""
        record = self.feedback.get(int(feedback_id)) if feedback_id else None
        if record is None:
            return "", empty_viewer(), ""
        cites = record.citations
        esc = html.escape
        text = (f'<div class="phan-hoi"><p><b>Câu hỏi:</b> {esc(record.question)}</p>'
                f'<p><b>Câu trả lời lúc đó</b> ({esc(record.time.replace("T", " "))}):</p>'
                f'<div class="nguon-text">{esc(record.answer)}</div>'
                + (f'<p><b>Góp ý:</b> {esc(record.comment)}</p>' if record.comment else "") + "</div>")
        if not cites:
            return text, empty_viewer(), ""
        first = cites[0]
        viewer = self.view_document(first["doc"], cited=first["chunk_id"], question=record.question, n=first["n"],
                                    fallback=first)
        return text, viewer, first["chunk_id"]

    def pick_passage(self, feedback_id: int | None, chunk_id: str) -> str:
        """The viewer with `chunk_id` highlighted (the passage an official picked as evidence)."""
        record = self.feedback.get(int(feedback_id)) if feedback_id else None
        question = record.question if record else ""
        doc = chunk_id.rsplit("#", 1)[0]
        return self.view_document(doc, cited=chunk_id, question=question)

    def make_case(self, feedback_id: int | None, facts_text: str, chunk_id: str, answerable: bool) -> str:
        """Turn one feedback into a test case of the user test set; a Vietnamese report."""
        from rag.feedback import append_case, make_case, user_testset_path

        record = self.feedback.get(int(feedback_id)) if feedback_id else None
        if record is None:
            return "❌ Hãy chọn một phản hồi."
        evidence = []
        if chunk_id and answerable:
            chunk = self.assistant.chunks_by_id.get(chunk_id)
            stored = next((c for c in record.citations if c.get("chunk_id") == chunk_id), None)
            if chunk is not None:
                evidence.append({"doc": chunk.doc, "text": chunk.text})
            elif stored is not None:
                evidence.append({"doc": stored["doc"], "text": stored["text"]})
            else:
                return f"❌ Không tìm thấy đoạn «{chunk_id}» trong chỉ mục; hãy chọn lại đoạn trong trình xem."
        try:
            case = make_case(record, facts=(facts_text or "").splitlines(), evidence=evidence, answerable=answerable)
            path = append_case(user_testset_path(self.library.index_dir), case)
        except Exception as exc:
            log.exception("making a test case from feedback %s failed", feedback_id)
            return f"❌ {user_message(exc)}"
        self.feedback.set_case(record.id, case["id"])
        count = sum(1 for line in path.read_text(encoding="utf-8").splitlines() if line.strip())
        return (f"✅ Đã thêm câu «{case['id']}» vào bộ câu hỏi của người dùng (`{shown_path(path)}`, {count} câu). "
                "Bấm «Dùng bộ câu hỏi của người dùng» rồi «Chạy đánh giá».")

    def user_testset(self) -> Path:
        from rag.feedback import user_testset_path

        return user_testset_path(self.library.index_dir)

    # Văn bản -------------------------------------------------------------------------------------------------------

    def documents_rows(self) -> list[list]:
        """Rows of the documents table: file, type, number, date, title, chunks."""
        return [document_row(name, meta) for name, meta in sorted((self.assistant.documents or {}).items())]

    def document_names(self) -> list[str]:
        """File names of the indexed documents (the ids used to remove them)."""
        return sorted((self.assistant.documents or {}).keys())

    def document_choices(self) -> list[tuple[str, str]]:
        """(label, file name) for the document pickers: the short name ("CV (KL 183) · HP") and the kind spelled
        out and without diacritics, so that typing "KL 183", "cong van" or the file name finds it."""
        from rag.text.normalize import fold

        out = []
        for name, meta in sorted((self.assistant.documents or {}).items()):
            short = short_document_name(name, meta)
            kind = meta.get("doc_type") or ""
            label = f"{short} — {kind} — {name}" if kind else f"{short} — {name}"
            folded = fold(kind)
            out.append((f"{label} ({folded})" if folded and folded != kind.lower() else label, name))
        return out

    def add_files(self, paths: list) -> str:
        """Add uploaded files through the Library; a Vietnamese report (Markdown), one line per file."""
        paths = [p if isinstance(p, str) else getattr(p, "name", str(p)) for p in (paths or [])]
        if not paths:
            return "Chưa chọn tệp nào."
        try:
            result = self.library.add_uploads(paths, max_bytes=self.max_upload_bytes, discard_sources=True)
        except Exception as exc:  # lock held by another writer, disk full...
            log.exception("adding documents failed")
            return f"- ❌ Không cập nhật được chỉ mục: {user_message(exc)}"
        lines = [f"- ❌ {exc.message_vi}" for exc in result.rejected]
        if result.report is not None:
            lines += [f"- ❌ {error.message_vi}" for error in result.report.errors]
            lines += [f"- ↩️ «{name}»: giữ nguyên phiên bản đã có trong chỉ mục." for name in result.report.kept_previous]
            for path in result.stored:
                if path.name in result.report.indexed:
                    lines.append(f"- ✅ Đã thêm «{path.name}» vào chỉ mục.")
                else:
                    lines.append(f"- ✅ «{path.name}» đã có trong chỉ mục (không thay đổi).")
        return "\n".join(lines)

    def indexing_status(self) -> str:
        """HTML of what indexing is doing now: uploads still queued or being read, and the semantic part (passages
        embedded out of all) while the background worker computes vectors. Empty when nothing is under way."""
        parts = []
        for job in self.library.upload_jobs():
            if not job.ended:
                parts.append(f"<li>{html.escape(job.message_vi)}</li>")
        lines = f"<ul>{''.join(parts)}</ul>" if parts else ""
        done, total = self.assistant.embedding_progress or (0, 0)
        if total and done < total:
            share = 100 * done // total
            lines += (f'<div class="tien-do-nhung"><label for="tien-do-nhung">Chuẩn bị tìm theo ngữ nghĩa: '
                      f'{done}/{total} đoạn ({share}%). Văn bản mới đã tìm được theo từ khoá.</label> '
                      f'<progress id="tien-do-nhung" max="{total}" value="{done}">{share}%</progress></div>')
        return lines

    def remove_document(self, name: str | None) -> str:
        """Remove one document from the index (and its uploaded copy)."""
        if not name:
            return "Chưa chọn văn bản để xóa."
        if name not in self.document_names():
            return f"❌ Văn bản «{name}» không có trong chỉ mục."
        try:
            self.library.remove([name])
        except Exception as exc:
            log.exception("removing %s failed", name)
            return f"❌ Không xóa được «{name}»: {user_message(exc)}"
        return f"✅ Đã xóa «{name}» khỏi chỉ mục."

    # Nhiệm vụ ------------------------------------------------------------------------------------------------------

    def units(self) -> list[str]:
        """Units named in the duties (lead and support), sorted, for the unit dropdown."""
        return list(self.assistant.duties.known_units)

    def duties_table(self, unit: str | None, date_from: str | None, date_to: str | None,
                     as_of: str | None) -> tuple[list[list], list, str]:
        """Duties of a unit due in a date window, with their status at `as_of`: (rows, Duty objects, message).

        Same selection as `rag duties --unit U --after D1 --before D2 --as-of D`.
        """
        start = parse_ui_date(date_from, "Từ ngày")
        end = parse_ui_date(date_to, "Đến ngày")
        when = parse_ui_date(as_of, "Tính đến ngày") or date.today()
        if start and end and start > end:
            raise ValueError(InputError("date_order").message_vi + ".")
        window = DateWindow(before=end, after=start) if start or end else None
        units = self.resolve_units(unit)
        query = DutyQuery(units=units, window=window, today=when)
        selected = self.assistant.duties.select(query)[0]
        rows = [duty_row(duty, when) for duty in selected[:MAX_TABLE_ROWS]]
        shown = ""
        if start or end:
            shown = f", hạn {'từ ' + format_day(start) if start else ''}{' ' if start and end else ''}" \
                    f"{'đến ' + format_day(end) if end else ''}"
        named = "; ".join(units)
        message = (f"**{len(selected)} nhiệm vụ**" + (f" của {named}" if units else " (mọi đơn vị)") + shown
                   + f"; trạng thái tính đến {format_day(when)}.")
        if len(selected) > len(rows):
            message += (f" Bảng hiện {len(rows)} nhiệm vụ có hạn sớm nhất; tệp tải xuống (CSV, XLSX, ICS) có đủ "
                        f"{len(selected)} nhiệm vụ.")
        return rows, selected, message

    def resolve_units(self, typed: str | None) -> list[str]:
        """The units a typed name stands for, read like a question: without diacritics ("to chuc thanh uy"),
        abbreviations ("BTC TU"), short names. Raises ValueError with the closest names when nothing matches."""
        from rag.answering.analysis import analyze
        from rag.text.abbreviations import expand
        from rag.text.normalize import fold, match_key
        from rag.text.units import closest_units

        typed = (typed or "").strip()
        if not typed:
            return []
        known = list(self.assistant.duties.known_units)
        if typed in known:
            return [typed]
        units = [u for u in analyze(typed, fold(typed), self.assistant.facts).units if u in known]
        if units:
            return units
        wanted = match_key(expand(typed)[0])
        containing = [u for u in known if wanted and wanted in match_key(u)]
        if len(containing) == 1:  # "to chuc thanh uy": part of one unit's name
            return containing
        starting = [u for u in known if match_key(u).startswith(wanted)] or containing
        suggestions = starting[:6] or closest_units(expand(typed)[0], known)[:6]
        hint = f" Có phải: {'; '.join(suggestions)}?" if suggestions else ""
        raise ValueError(f"Không có đơn vị nào khớp với «{typed}».{hint}")

    def export_duties(self, selected: list, fmt: str, as_of: str | None) -> str:
        """Write the selected duties as CSV, XLSX or ICS; return the file path."""
        from rag.duties.export import write_export

        when = parse_ui_date(as_of, "Tính đến ngày") or date.today()
        folder = Path(tempfile.mkdtemp(dir=self.export_dir))
        path = folder / f"nhiem-vu-{when.isoformat()}.{fmt}"
        write_export(selected, fmt, str(path), as_of=when)
        return str(path)

    # Đánh giá ------------------------------------------------------------------------------------------------------

    def evaluate(self, testset_file: str | None, limit: int | None) -> tuple[str, list[list]]:
        """Run the evaluation on the default test set (or an uploaded JSONL), first `limit` questions when given.

        Returns (metrics Markdown, per-question rows with failures first).
        """
        from rag.evaluation.runner import run_eval
        from rag.evaluation.testset import load_testset

        every = load_testset(testset_file or self.testset)
        cases = every[: int(limit)] if limit and limit > 0 else every
        assistant = self.assistant
        result = run_eval(assistant, cases, k=5, progress=False)
        # The corpus of a test set is what all its cases name, also when only the first N are run.
        return self.scored_index(assistant, every) + "\n\n" + metrics_markdown(result, len(cases)), eval_rows(result)

    def scored_index(self, assistant, cases) -> str:
        """Which index an evaluation scores, with how many documents, and a warning when documents outside the test
        set's corpus (the documents its evidence names) are indexed: they can change answers and abstentions."""
        documents = sorted(assistant.documents or {})
        named = {Path(e.doc).stem for case in cases for e in case.evidence}  # evidence names a file by its stem
        line = (f"Chỉ mục: `{shown_path(self.library.index_dir)}` (thế hệ `{assistant.generation}`), "
                f"{len(documents)} văn bản.")
        outside = [d for d in documents if Path(d).stem not in named]
        if named and outside:
            shown = ", ".join(f"«{d}»" for d in outside[:5]) + ("…" if len(outside) > 5 else "")
            line += (f"\n\n⚠️ {len(outside)} văn bản trong chỉ mục không thuộc bộ câu hỏi ({shown}): kết quả có thể "
                     "khác với khi chỉ có các văn bản của bộ câu hỏi.")
        missing = sorted(named - {Path(d).stem for d in documents})
        if missing:
            line += f"\n\n⚠️ Bộ câu hỏi dựa vào {len(missing)} văn bản không có trong chỉ mục: " + \
                ", ".join(f"«{d}»" for d in missing[:5])
        return line



