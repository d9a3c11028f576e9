"""Question understanding on the sample corpus: the examples of the issue behave as an official expects.

Each test asks what officials asked (with their abbreviations, without diacritics, in follow-ups) and checks what the
answer rests on: which documents and units it cites, that it refuses when the documents do not say, and that
constraints (place, document, unit, window) filter what is listed.
"""

import subprocess
import sys
from datetime import date

import pytest

from rag.answering.question import Question
from rag.text.normalize import contains

KL183 = "haiphong-thanhuy-cv-trien-khai-kl183.txt"
HY121 = "hungyen-tinhuy-ctr-thuc-hien-kl121.txt"
HP121 = "haiphong-thanhuy-ctr-thuc-hien-kl121.txt"
HU316 = "huyenuy-kh-thuc-hien-ctr316.txt"


def _docs(answer) -> set[str]:
    return {c.doc for c in answer.citations}


def test_a_place_with_no_document_on_that_conclusion_is_said_and_the_nearby_item_kept_apart(assistant):
    answer = assistant.ask("Theo KL183, tỉnh Hưng Yên phải hoàn thành bộ công cụ đánh giá trước ngày nào?")
    assert answer.abstained
    first, rest = answer.answer.split("\n", 1)
    assert first == "Không có văn bản nào về Kết luận 183 của Hưng Yên trong kho."
    assert "không thuộc phạm vi câu hỏi" in rest and contains(rest, "bộ công cụ đánh giá")
    assert _docs(answer) == {KL183}  # Hải Phòng's item, cited, as reference only


def test_a_document_named_restricts_the_duties_listed(assistant):
    answer = assistant.ask("Trước 01/9/2025, theo Công văn KL183, việc nào phải xong?")
    assert answer.mode == "duties" and _docs(answer) == {KL183}
    every = assistant.ask("Trước 01/9/2025, việc nào phải xong?")
    assert len(every.citations) >= len(answer.citations)


def test_a_place_restricts_the_duties_listed(assistant):
    answer = assistant.ask("Cấp huyện ở Hưng Yên phải làm gì trong tháng 02/2025?")
    assert not answer.abstained and _docs(answer) == {HY121}
    assert "tháng 02/2025" in answer.answer or "tháng 2/2025" in answer.answer


@pytest.mark.parametrize("question", ["Mức lương cơ sở năm 2026 là bao nhiêu?", "Thủ đô của Pháp là gì?",
                                      "gia vang hom nay bao nhieu", "NQ 99 quy dinh gi?"])
def test_questions_outside_the_documents_are_refused(assistant, question):
    answer = assistant.ask(question)
    assert answer.abstained, answer.answer


def test_a_unit_the_documents_never_name_is_refused_with_the_closest_units(assistant):
    answer = assistant.ask("Ủy ban Kiểm tra Huyện ủy được giao gì?")
    assert answer.abstained and not answer.citations
    # named back as typed, not in its folded reading
    assert "«Ủy ban Kiểm tra Huyện ủy»" in answer.answer and "Ủy ban Kiểm tra Tỉnh ủy" in answer.answer


def test_an_exact_number_is_kept_exact(assistant):
    answer = assistant.ask("Thông báo 2555-TB/TU")
    assert not answer.abstained and answer.citations
    assert all("2555-TB/TU" in c.text for c in answer.citations)


@pytest.mark.parametrize("question, unit", [
    ("BTC TU phai lam gi truoc 31/8/2025", "Ban Tổ chức"),
    ("UBKT TU HP co nhiem vu gi", "Ủy ban Kiểm tra Thành ủy"),
    ("BNC TU HY phai lam gi ve PCTN", "Ban Nội chính Tỉnh ủy"),
    ("kl183 giao DU UBND TP lam gi?", "Đảng ủy Ủy ban nhân dân thành phố"),
    # run together with the council, as typed in a hurry
    ("BTCTU HP phai lam gi truoc 31/8/2025", "Ban Tổ chức Thành ủy"),
    ("VPTU Hung Yen lam nhung viec gi theo chuong trinh KL 121?", "Văn phòng Tỉnh ủy"),
    ("ubkttu hy co nhiem vu gi", "Ủy ban Kiểm tra Tỉnh ủy"),
])
def test_abbreviations_officials_type(assistant, question, unit):
    answer = assistant.ask(question)
    assert answer.mode == "duties" and not answer.abstained, answer.answer
    head = answer.answer.splitlines()[0]
    assert head.startswith("Nhiệm vụ của " + unit), head


def test_abbreviations_with_other_separators_or_joined_to_their_council():
    from rag.text.abbreviations import expand

    assert expand("phòng LĐ-TB&XH") == expand("phòng LĐTBXH") == ["phong lao dong - thuong binh va xa hoi"]
    assert expand("Ban TG-DV Tỉnh ủy") == ["ban tuyen giao va dan van tinh uy"]
    assert expand("UBKTHU") == ["uy ban kiem tra huyen uy"] and expand("ubndtp") == ["uy ban nhan dan thanh pho"]
    for words in ("vutu nhien", "dutu", "kotu"):  # no abbreviation in front: left as typed
        assert expand(words) == [words]


def test_an_office_written_as_an_abbreviation_is_read_by_its_expansion(assistant):
    answer = assistant.ask("Sở LĐ-TB&XH tỉnh HY hợp nhất với sở nào?")
    assert not answer.abstained and contains(answer.answer, "Sở Nội vụ trên cơ sở hợp nhất Sở Lao động")
    assert assistant.ask("Sở Ngoại vụ tỉnh HY sáp nhập với sở nào?").abstained  # a name still checked as typed


def test_abbreviations_resolve_by_place():
    q = Question.read("BTC TU HP phai lam gi", known_units=["Ban Tổ chức Thành ủy", "Ban Tổ chức Tỉnh ủy"])
    assert q.units == ("Ban Tổ chức Thành ủy", "Ban Tổ chức Tỉnh ủy")  # no places known: both readings
    from rag.answering.analysis import IndexFacts

    facts = IndexFacts.build({"a.txt": {"place": "Hải Phòng", "level": "thành phố"},
                              "b.txt": {"place": "Hưng Yên", "level": "tỉnh"}},
                             ["Ban Tổ chức Thành ủy", "Ban Tổ chức Tỉnh ủy"])
    assert Question.read("BTC TU HP phai lam gi", facts=facts).units == ("Ban Tổ chức Thành ủy",)
    assert Question.read("btc tu hy phai lam gi", facts=facts).units == ("Ban Tổ chức Tỉnh ủy",)
    assert Question.read("từ năm 2025 phải làm gì", facts=facts).units == ()  # "tu" is "từ" here


def test_a_bare_reference_describes_its_document(assistant):
    answer = assistant.ask("kl183")
    assert not answer.abstained and _docs(answer) == {KL183}


def test_follow_up_with_the_short_name_people_use(assistant):
    first = assistant.ask("Ban Tổ chức Thành ủy phải làm gì trước 31/8/2025?")
    follow = assistant.ask("Còn Ban Tuyên giáo Thành ủy thì sao?", conversation=first.conversation)
    assert follow.mode == "duties" and not follow.abstained and follow.citations
    # the unit changes, the window stays: none of its tasks falls before 31/8/2025, which the answer says first
    assert follow.answer.startswith("Không tìm thấy nhiệm vụ nào của Ban Tuyên giáo và Dân vận Thành ủy có hạn đến")
    assert "Các nhiệm vụ của Ban Tuyên giáo và Dân vận Thành ủy (mọi thời hạn)" in follow.answer
    assert "Ban Tổ chức" not in follow.answer.split("\n", 2)[1]


def test_follow_up_keeps_the_document_and_changes_the_unit(assistant):
    first = assistant.ask("Trong CTr thực hiện KL121 của Thành ủy HP, UBKT TU được giao gì?")
    follow = assistant.ask("con trong cv trien khai kl183 thi sao?", conversation=first.conversation)
    assert _docs(follow) == {KL183} and contains(follow.answer, "Ủy ban Kiểm tra Thành ủy")


def test_follow_up_naming_a_unit_by_its_councils_abbreviation_and_asking_its_own_thing(assistant):
    first = assistant.ask("Trong CV KL183 của TU HP, các cấp ủy phải báo cáo tình hình vận hành chính quyền 2 cấp "
                          "hạn mấy giờ?")
    q = assistant.read("Còn VP TU thì báo cáo gì, cho ai?", conversation=first.conversation)
    # one unit, "TU" read as the council of the letter kept from the turn before; its own asking words, no comparison
    assert q.units == ("Văn phòng Thành ủy",) and not q.compare and "date" not in q.answer_types
    follow = assistant.ask(q, conversation=first.conversation)
    assert not follow.abstained and _docs(follow) == {KL183}
    assert contains(follow.answer, "Văn phòng Thành ủy định kỳ báo cáo Thường trực Thành ủy")
    # a document named by its reference in the turn before is still that document in the joined search
    joined = q.joined_with(first.conversation.last_query, facts=assistant.facts)
    assert not joined.cited_only and joined.documents == (KL183,)
    other = assistant.ask("Còn UBKT TU thì chủ trì việc gì?",
                          conversation=assistant.ask("CTr KL121 cua HY giao Ban To chuc Tinh uy viec gi?").conversation)
    assert other.answer.startswith("Nhiệm vụ của Ủy ban Kiểm tra Tỉnh ủy") and _docs(other) == {HY121}


def test_documents_implementing_a_conclusion_are_counted_from_the_catalogue(assistant):
    answer = assistant.ask("Những văn bản nào triển khai KL121?")
    assert answer.answer.startswith("Có 3 văn bản") and _docs(answer) == {HP121, HY121, HU316}


def test_documents_citing_a_decree(assistant):
    answer = assistant.ask("Nghị định 178/2024/NĐ-CP được viện dẫn trong những văn bản nào?")
    assert answer.answer.startswith("Có 2 văn bản") and _docs(answer) == {HP121, HY121}
    assert all("178/2024/NĐ-CP" in c.text for c in answer.citations)


def test_comparison_answers_each_side_with_its_own_citations(assistant):
    answer = assistant.ask("Hưng Yên và Hải Phòng khác nhau thế nào về thời hạn thực hiện Kết luận 121?")
    assert answer.mode == "compare" and "**Hưng Yên" in answer.answer and "**Hải Phòng" in answer.answer
    assert {HY121, HP121} <= _docs(answer)
    numbers = [int(n) for n in __import__("re").findall(r"\[(\d+)\]", answer.answer)]
    assert sorted(set(numbers)) == list(range(1, len(answer.citations) + 1))


def test_signer_and_unstated_number_come_from_the_catalogue(assistant):
    signer = assistant.ask("CTr hanh dong thuc hien KL121 cua HP do ai ky?")
    assert "Lê Tiến Châu" in signer.answer and _docs(signer) == {HP121}
    number = assistant.ask("Số hiệu chương trình hành động thực hiện KL121 của Tỉnh ủy Hưng Yên là gì?")
    assert number.abstained and "không ghi số" in number.answer
    cited = assistant.ask("Ai ký Chương trình hành động 316-CTr/TU của tỉnh?")  # only cited by the district's plan
    assert cited.abstained and "Nguyễn Hữu" not in cited.answer.split("\n", 1)[0]


@pytest.mark.parametrize("question, verdict", [
    ("Báo cáo hằng tháng về vận hành chính quyền 2 cấp có phải gửi thẳng Ban Thường vụ Thành ủy không?", "Không"),
    ("BTC TU co phai don doc, huong dan to chuc dai hoi dang bo cap xa khong?", "Có"),
    ("Hoàn thiện hồ sơ chế độ chính sách cho cán bộ chịu tác động sắp xếp có hạn 31/8/2025 đúng không?", "Không"),
    ("Có văn bản nào về thực hiện KL121 của Đà Nẵng không?", "Văn bản không nêu"),
])
def test_yes_no_questions_open_with_the_verdict(assistant, question, verdict):
    answer = assistant.ask(question)
    assert answer.answer.split("\n", 1)[0].rstrip(".") == verdict, answer.answer


def test_overdue_is_judged_on_the_day_asked(assistant):
    question = "viec nop ho so che do chinh sach qua BTC TU da qua han chua?"
    assert assistant.ask(question, as_of=date(2025, 8, 18)).answer.startswith("Có.")
    assert assistant.ask(question, as_of=date(2025, 8, 1)).answer.startswith("Không.")


def test_monthly_duties_start_with_their_document(assistant):
    from rag.duties.query import DutyQuery
    from rag.text.dates import DateWindow

    before_2020 = DutyQuery(window=DateWindow(before=date(2020, 1, 1)), today=date(2026, 12, 1))
    assert not [d for d in assistant.duties.select(before_2020)[0] if d.recurring]
    august = DutyQuery(window=DateWindow(after=date(2025, 8, 1), before=date(2025, 8, 31)), today=date(2025, 8, 1))
    assert {d.deadline.day for d in assistant.duties.select(august)[0] if d.recurring} == {22, 23}


def test_annual_duties_and_starts_are_in_the_duty_table(assistant):
    kinds = {d.deadline.kind for d in assistant.duties if d.deadline}
    assert {"yearly", "start"} <= kinds
    from rag.duties.query import DutyQuery
    from rag.text.dates import DateWindow

    in_2025 = DutyQuery(window=DateWindow(after=date(2025, 1, 1), before=date(2025, 12, 31)), today=date(2025, 1, 1))
    assert any(d.deadline.kind == "start" for d in assistant.duties.select(in_2025)[0])


def test_the_issuer_that_requests_is_not_the_doer(assistant):
    led = [d for d in assistant.duties if d.doc == HU316 and "Ban Chấp hành Đảng bộ huyện" in d.units_lead
           and d.section.startswith("II. Nhiệm vụ trọng tâm > 2.")]
    assert not led
    assert any("Ban Thường vụ Huyện ủy" in d.units_lead for d in assistant.duties if d.doc == HU316)


def test_general_duties_join_a_unit_only_on_request(assistant):
    own = assistant.ask("Ban Tổ chức Thành ủy phải làm gì trước 31/8/2025?")
    more = assistant.ask("Ban Tổ chức Thành ủy phải làm gì trước 31/8/2025, kể cả nhiệm vụ chung?")
    assert "nhiệm vụ chung" not in own.answer and "(nhiệm vụ chung: Các cấp ủy" in more.answer
    assert len(more.citations) > len(own.citations) and _docs(more) == {KL183}


def test_explain_prints_what_was_understood(corpus_index):
    proc = subprocess.run([sys.executable, "-m", "rag", "ask", "--explain", "--index", str(corpus_index),
                           "BTC TU HP phai lam gi truoc 31/8/2025 theo KL183?"], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    head = proc.stdout.split("\n\n", 1)[0]
    assert "Đơn vị: Ban Tổ chức Thành ủy" in head and "Địa phương: Hải Phòng" in head
    assert "Văn bản được nêu: Kết luận 183" in head and "có hạn đến 31/8/2025" in head


def test_duties_cli_suggests_units_for_a_partial_name(corpus_index):
    proc = subprocess.run([sys.executable, "-m", "rag", "duties", "--index", str(corpus_index), "--unit", "ban to chuc"],
                          capture_output=True, text=True)
    assert proc.returncode == 1 and "Ban Tổ chức Thành ủy" in proc.stderr and "Ban Tổ chức Tỉnh ủy" in proc.stderr
    ok = subprocess.run([sys.executable, "-m", "rag", "duties", "--index", str(corpus_index), "--unit", "btc tu hp"],
                        capture_output=True, text=True)
    assert ok.returncode == 0 and "Ban Tổ chức Thành ủy" in ok.stdout


def test_a_catalogue_answer_leaves_no_part_of_a_two_part_question_out(assistant):
    # "ai ký" is answered from the catalogue; the other part, another kind of question, is answered under its own label
    replaced = assistant.ask("Chuong trinh hanh dong cua DU cac co quan Dang TP thay the van ban nao, ai ky?")
    assert contains(replaced.answer, "Phạm Quang Sáng")
    assert contains(replaced.answer, "thay thế Chương trình hành động số 03")
    sent = assistant.ask("Chương trình hành động KL121 của Thành ủy Hải Phòng do ai ký và gửi tới đâu?")
    assert contains(sent.answer, "Lê Tiến Châu") and "nơi nhận:" in sent.answer
    assert contains(sent.answer, "Ban Tổ chức Trung ương") and _docs(sent) == {HP121}
    undated = assistant.ask("KH thực hiện CTr 316 của huyện ủy do ai ký, ban hành ngày nào?")
    assert contains(undated.answer, "Nguyễn Hữu Tuấn") and "không ghi ngày ban hành" in undated.answer
    # the recipients of a document are its "Nơi nhận", not the passages of tasks that send reports
    only = assistant.ask("KH cua huyen uy thuc hien CTr 316 gui cho nhung co quan nao?")
    assert only.answer.startswith("Nơi gửi") and contains(only.answer, "Các cơ quan tham mưu, giúp việc Huyện ủy")
    reports = assistant.ask("Ban Tổ chức Thành ủy gửi báo cáo cho ai?")
    assert "nơi nhận:" not in reports.answer and contains(reports.answer, "Ban Tổ chức Thành ủy")


def test_a_board_named_without_its_council_is_the_board_of_the_document_asked_about(assistant):
    for question in ("Ban tổ chức phải làm gì theo CV 183?", "bên tổ chức phải lo những gì theo CV 183?"):
        q = assistant.read(question)
        assert q.units == ("Ban Tổ chức Thành ủy",), question
        answer = assistant.ask(q)
        assert answer.answer.startswith("Nhiệm vụ của Ban Tổ chức Thành ủy"), question
    assert assistant.read("UBKT theo CTr KL121 của Hưng Yên được giao những nhiệm vụ gì?").units == (
        "Ủy ban Kiểm tra Tỉnh ủy",)
    # a board merged or named as an object is no doer; with no document named, no council is guessed
    assert assistant.read("So sánh Hưng Yên và Hải Phòng về thời hạn hợp nhất Ban Tuyên giáo và Ban Dân vận").units == ()
    assert assistant.read("Ban tổ chức phải làm gì?").units == ()


def test_chat_spellings_of_the_closing_no_and_a_documents_claimed_date(assistant):
    from rag.text.abbreviations import expand

    assert expand("... ban hành ngày 31/12/2023 đúng k?") == ["... ban hanh ngay 31/12/2023 dung khong?"]
    assert expand("ban giao ho so k") == ["ban giao ho so k"]  # not a question's closing "không"
    wrong = assistant.ask("Kế hoạch 418-KH/TU của BTV Thành ủy ban hành ngày 12/12/2025 phải không?")
    assert wrong.answer.startswith("Không.") and "12/12/2024" in wrong.answer
    right = assistant.ask("Kết luận 183-KL/TW ban hành ngày 01/8/2025 đúng k?")
    assert right.answer.startswith("Có.")


def test_vague_some_and_a_level_written_before_its_place(assistant):
    q = assistant.read("vụ hợp nhất mấy sở ở Hưng Yên theo CTr KL121 là sao?")
    assert q.how_many is None  # "mấy" is "some" here: the content is asked
    assert assistant.read("CTr KL121 của HY gồm mấy nhiệm vụ của Ban Tổ chức Tỉnh ủy?").how_many == "nhiem vu"
    both = assistant.ask("CTr hành động thực hiện KL121 của TP Hải Phòng và của tỉnh Hưng Yên do ai ký?")
    assert _docs(both) == {HP121, HY121}
    assert "Lê Tiến Châu" in both.answer and "Nguyễn Hữu Nghĩa" in both.answer


def test_an_assigning_label_names_its_unit_in_the_section_path(assistant):
    answer = assistant.ask("Ban nào tham mưu xây dựng đội ngũ báo cáo viên, cộng tác viên dư luận xã hội của ĐU CQĐ?")
    assert not answer.abstained
    assert any("Phân công thực hiện: Giao Ban Tuyên giáo và Dân vận Đảng ủy" in c.section for c in answer.citations)
    assert "Ban Tuyên giáo và Dân vận Đảng ủy" in answer.answer


def test_documents_are_named_as_their_headers_word_them(assistant):
    from rag.answering.citations import header_worded

    answer = assistant.ask("ông Nguyễn Hữu Nghĩa ký văn bản gì, thay mặt cơ quan nào?")
    assert contains(answer.answer, "Chương trình hành động thực hiện Kết luận số 121-KL/TW")
    assert "(Ban Thường vụ Tỉnh ủy, Hưng Yên)" in answer.answer
    assert header_worded("Công văn của Ban Thường vụ Thành ủy (Hải Phòng): triển khai Kết luận số 183-KL/TW") == \
        "Công văn triển khai Kết luận số 183-KL/TW (Ban Thường vụ Thành ủy, Hải Phòng)"
    assert header_worded("Kế hoạch: về việc X") == "Kế hoạch: về việc X"  # no issuer: as it is


def test_a_document_named_fixes_the_council_of_tu_and_comparatives_compare(assistant):
    q = assistant.read("BTC TU và BTGDV TU trong CV KL183 được giao gì khác nhau?")
    assert q.units == ("Ban Tổ chức Thành ủy", "Ban Tuyên giáo và Dân vận Thành ủy")
    answer = assistant.ask(q)
    assert "Tỉnh ủy" not in "".join(line for line in answer.answer.split("\n") if line.startswith("**"))
    assert assistant.read("Hải Phòng và Hưng Yên, nơi nào kết thúc hoạt động Ban Bảo vệ chăm sóc sức khỏe cán bộ "
                          "sớm hơn?").compare
    assert not assistant.read("Hưng Yên kết thúc hoạt động Ban Bảo vệ chăm sóc sức khỏe cán bộ khi nào?").compare
    first = assistant.ask("CV KL183 và CTr KL121 của HP, văn bản nào ban hành trước?")
    assert first.mode == "documents" and _docs(first) == {KL183, HP121}
    assert "không ghi ngày ban hành" in first.answer


def test_a_follow_up_naming_a_document_of_the_previous_answer_by_its_kind(assistant):
    first = assistant.ask("CTr KL121 của Hải Phòng có nhắc nghị quyết về thu hút, trọng dụng nhân tài, đó là NQ số mấy?")
    assert "17-NQ/TU" in first.answer  # the number of the resolution it cites, not the programme's own
    then = assistant.read("NQ đó ngày bao nhiêu, ai ban hành?", conversation=first.conversation)
    assert [r.number for r in then.refs] == ["17"]
    answer = assistant.ask("NQ đó ngày bao nhiêu, ai ban hành?", conversation=first.conversation)
    assert "31/12/2024" in answer.answer and "Ban Thường vụ Thành ủy" in answer.answer
    # a kind the previous question's document is: that document
    signed = assistant.ask("CV triển khai KL183 của Thành ủy HP do ai ký?")
    assert assistant.read("CV đó số mấy?", conversation=signed.conversation).documents == (KL183,)
