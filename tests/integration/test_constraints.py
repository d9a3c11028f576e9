"""Constraints and asked answer types verified on the sample corpus (issue 13: confident answers where the documents
do not say). Each test pairs a question the documents cannot answer with a close one they can, so that a rule which
refuses everything, or nothing, fails.
"""

import re

from rag.text.normalize import contains

KL183 = "haiphong-thanhuy-cv-trien-khai-kl183.txt"
HP121 = "haiphong-thanhuy-ctr-thuc-hien-kl121.txt"
CQD = "haiphong-dangbo-cqd-ctr-dai-hoi-2025-2030.txt"
HU316 = "huyenuy-kh-thuc-hien-ctr316.txt"


def _docs(answer) -> set[str]:
    return {c.doc for c in answer.citations}


def test_a_named_unit_absent_from_the_scoped_document_is_not_answered_with_other_units(assistant):
    refused = assistant.ask("ban noi chinh thanh uy hai phong phai lam gi ve PCTN theo CV KL183?")
    assert refused.abstained and "Ban Nội chính Thành ủy" in refused.answer
    assert not any(contains(c.text, "Ban Tổ chức Thành ủy") for c in refused.citations)
    answered = assistant.ask("Ban Nội chính Thành ủy chủ trì việc gì về phòng, chống tham nhũng?")
    assert not answered.abstained and HP121 in _docs(answered)


def test_a_block_given_by_its_phan_cong_line_belongs_to_that_unit(assistant):
    answer = assistant.ask("Ban Tổ chức Đảng ủy phải làm gì để nâng cao chất lượng sinh hoạt chi bộ?")
    assert not answer.abstained and _docs(answer) == {CQD}
    assert contains(answer.answer, "sinh hoạt chi bộ")


def test_an_event_date_is_not_a_deadline_nor_a_cited_documents_date(assistant):
    for question in ("Đại hội Đảng bộ tỉnh Hưng Yên lần thứ XX tổ chức vào ngày nào?",
                     "Hội nghị quán triệt Kết luận 121 của Thành ủy Hải Phòng được tổ chức vào ngày nào?"):
        assert assistant.ask(question).abstained, question
    timed = assistant.ask("Các cấp ủy tổ chức quán triệt Nghị quyết Đại hội Đảng bộ các cơ quan Đảng trong thời gian nào?")
    assert not timed.abstained and contains(timed.answer, "trong tháng 9/2025")


def test_a_units_duty_needs_its_own_date_while_a_documents_date_answers_for_the_document(assistant):
    periodic = assistant.ask("Văn phòng Thành ủy phải báo cáo tiến độ thực hiện Công văn triển khai KL183 vào ngày nào "
                             "hằng tháng?")
    assert periodic.abstained  # "định kỳ": no day, and the other units' 22nd and 23rd are not the Văn phòng's
    issued = assistant.ask("Kế hoạch 300-KH/HU của Ban Chấp hành Đảng bộ huyện ra ngày nào?")
    assert not issued.abstained and contains(issued.answer, "21/01/2025") and HU316 in _docs(issued)


def test_a_cited_documents_issuer_does_not_restrict_the_search_to_that_issuers_documents(assistant):
    q = assistant.read("Chương trình hành động số 05-CTr/TU của Thành ủy về Nghị quyết Đại hội đại biểu Đảng bộ thành "
                       "phố ban hành ngày nào?")
    assert q.documents is None or CQD in q.documents
    answer = assistant.ask(q)
    assert not answer.abstained and contains(answer.answer, "06/11/2025") and CQD in _docs(answer)


def test_a_front_named_with_the_district_level_is_not_the_citys_or_the_provinces(assistant):
    q = assistant.read("mo hinh truong ban dan van HU kiem chu tich MTTQ huyen con duy tri khong")
    assert not any(u.endswith(("thành phố", "tỉnh")) for u in q.units if "Mặt trận" in u)
    assert any("Mặt trận" in u for u in assistant.read("Đảng ủy MTTQ thành phố được giao gì?").units)


def test_comparison_words_are_not_topic_words(assistant):
    answer = assistant.ask("Trong CV KL183 có hai mốc báo cáo hằng tháng về chính quyền 2 cấp, mỗi mốc dành cho ai?")
    assert not answer.abstained and _docs(answer) == {KL183}
    assert contains(answer.answer, "ngày 22 hằng tháng") and contains(answer.answer, "ngày 23 hằng tháng")


def test_who_is_asks_for_a_person_and_board_names_are_not_people(assistant):
    from rag.answering.answer import has_person

    assert assistant.ask("Ai là Trưởng Ban Tổ chức Tỉnh ủy Hưng Yên hiện nay?").abstained
    assert has_person("T/M BAN THƯỜNG VỤ, BÍ THƯ Nguyễn Hữu Nghĩa") and has_person("Phó bí thư Phạm Quang Sáng")
    assert not has_person("Tham mưu Ban Thường vụ Tỉnh ủy chỉ đạo thực hiện")
    assert not has_person("Trường Chính trị Tô Hiệu chủ trì") and not has_person("phong cách Hồ Chí Minh")


def test_each_part_of_a_two_part_question_is_answered_with_its_own_passage(assistant):
    from rag.answering.parts import asked_kind, missing_type

    answer = assistant.ask("Kế hoạch của Huyện ủy thực hiện chương trình số mấy của Tỉnh ủy, chương trình đó ban hành "
                           "ngày nào?")
    assert not answer.abstained and contains(answer.answer, "316-CTr/TU") and contains(answer.answer, "06/02/2025")
    assert answer.answer.count("316-CTr/TU, ngày 06/02/2025") == 1  # one added line answers both parts
    assert asked_kind("ke hoach cua huyen uy thuc hien chuong trinh so may") == "CTr"
    # The conclusion's number and date in the text do not answer for the programme's.
    assert missing_type("chuong trinh so may", "Thực hiện Kết luận số 121-KL/TW, ngày 24/01/2025") == "doc_number"
    assert missing_type("chuong trinh so may", "Chương trình hành động số 316-CTr/TU, ngày 06/02/2025") is None


def test_a_yes_no_question_about_something_no_passage_mentions_is_not_answered_yes(assistant):
    for question in ("Thành ủy Hải Phòng có giao nhiệm vụ xây dựng sân bay không?",
                     "Tỉnh ủy Hưng Yên có chỉ đạo xây dựng cảng biển không?",
                     "CV 183 co yeu cau to chuc hoi thao quoc te khong?",
                     "Huyện ủy có giao phát triển du lịch biển không?"):
        answer = assistant.ask(question)
        assert answer.answer.startswith("Văn bản không nêu"), question
    for question in ("Ban Tổ chức Thành ủy có phải xây dựng báo cáo đánh giá mô hình chính quyền địa phương không?",
                     "KL 183 có yêu cầu hoàn thiện hồ sơ giải quyết chế độ chính sách không?"):
        answer = assistant.ask(question)
        assert answer.answer.startswith("Có") and answer.citations, question
    # "hồ sơ đảng viên" is not "hồ sơ giải quyết chế độ chính sách", and passages without "hồ sơ" (whose folded "ho"
    # is in every "hộ", "họ") do not say it
    assert assistant.ask("KL 183 có yêu cầu hoàn thiện hồ sơ đảng viên không?").answer.startswith("Văn bản không nêu")


def test_what_directive_documents_never_state_is_refused_and_a_close_question_is_answered(assistant):
    # personal details, addresses and figures of a place are not in directive documents; their topic words are
    for question in ("Bí thư Thành ủy Hải Phòng sinh năm bao nhiêu?", "Trường Chính trị Tô Hiệu ở đâu?",
                     "so dien thoai van phong thanh uy hai phong", "Dân số tỉnh Hưng Yên là bao nhiêu?",
                     "Làm thế nào để đăng ký kết hôn?"):
        assert assistant.ask(question).abstained, question
    signer = assistant.ask("Ai ký Chương trình hành động thực hiện KL121 của Hải Phòng?")
    assert not signer.abstained and contains(signer.answer, "Lê Tiến Châu")
    school = assistant.ask("Trường Chính trị Tô Hiệu được giao nhiệm vụ gì?")
    assert not school.abstained and contains(school.answer, "đào tạo, bồi dưỡng")


def test_a_part_the_whole_answer_leaves_out_is_answered_on_its_own(assistant):
    answer = assistant.ask("Cấp ủy cấp xã được phép làm gì khi triệu tập đại hội, và phải đề xuất gì với Thường trực "
                           "Thành ủy?")
    assert not answer.abstained
    assert contains(answer.answer, "ngắn hơn 30 ngày làm việc") and contains(answer.answer, "bố trí biên chế cấp xã")
    # a comma list of tasks is one question, not two: nothing is said missing for a half that asks nothing
    single = assistant.ask("Trường Chính trị Tô Hiệu phải hoàn thành kế hoạch đào tạo, bồi dưỡng cán bộ trước ngày nào?")
    assert single.abstained and "phần" not in single.answer


def test_a_follow_up_keeps_the_unit_and_leaves_a_document_that_has_nothing_on_it(assistant):
    first = assistant.ask("Đảng ủy UBND thành phố HP được giao gì trong CTr KL121?")
    then = assistant.ask("o CV KL183 thi han the nao", conversation=first.conversation)
    assert not then.abstained and _docs(then) == {KL183} and contains(then.answer, "29/8/2025")
    first = assistant.ask("BTC TU HY phải làm gì trong CTr KL121?")
    then = assistant.ask("con BTC huyen uy thi sao", conversation=first.conversation)
    assert not then.abstained and _docs(then) == {HU316} and contains(then.answer, "Ban Tổ chức Huyện ủy")


def test_documents_citing_a_decree_are_listed_with_every_citing_passage_cut_at_a_word(assistant):
    answer = assistant.ask("nhung van ban nao trich dan ND 178/2024/ND-CP")
    assert {HP121, "hungyen-tinhuy-ctr-thuc-hien-kl121.txt"} <= _docs(answer)
    assert contains(answer.answer, "Điều 14") and contains(answer.answer, "Khoản 8, Điều 3")
    listed = assistant.ask("Những văn bản nào trong kho thực hiện Kết luận 121-KL/TW?")
    for quote in re.findall(r"«([^»]*)»", listed.answer):
        assert quote.endswith((":", ".", ";", "…")), quote  # never "… ban hành Chương»"
    assert contains(listed.answer, "Ban Thường vụ Tỉnh ủy xây dựng Chương trình hành động")


def test_a_yes_no_claim_the_passage_negates_or_times_otherwise_is_answered_no(assistant):
    for question in ("Mô hình chính quyền mới theo CTr KL121 của HP có tổ chức HĐND phường không?",
                     "Đảng ủy CQĐ có quy định kiểm tra toàn diện UBKT cơ sở mỗi năm một lần không?"):
        assert assistant.ask(question).answer.startswith("Không."), question
    # the same period, or no negation, leaves the other checks to decide
    same = assistant.ask("Ban Tổ chức Thành ủy có phải báo cáo Thường trực Thành ủy hằng tháng không?")
    assert same.answer.startswith("Có.")


def test_a_notion_the_documents_do_not_define_is_not_answered_with_passages_using_it(assistant):
    """"X là gì?" of a bare notion asks its meaning: passages that only use the words are no answer. The refusal says
    what is missing and cites the nearest passage; "Mục tiêu / Nhiệm vụ ... là gì?" asks an aspect and is answered."""
    for question in ("Chuyển đổi số là gì?", "chinh quyen dia phuong hai cap la gi", "Kinh tế tư nhân là gì?"):
        refused = assistant.ask(question)
        assert refused.abstained, question
        assert "định nghĩa" in refused.answer and len(refused.citations) == 1, question
    for question in ("Nhiệm vụ trọng tâm của Huyện ủy là gì?",
                     "Mục tiêu của Chương trình hành động thực hiện KL121 của Hải Phòng là gì?"):
        assert not assistant.ask(question).abstained, question


def test_an_on_topic_refusal_says_what_is_missing(assistant):
    refused = assistant.ask("UBKT TU HY phải hoàn thành kế hoạch kiểm tra việc sắp xếp bộ máy trước ngày nào?")
    assert refused.abstained and "không nêu thời hạn được hỏi" in refused.answer
    assert len(refused.citations) == 1 and f"[{refused.citations[0].n}]" in refused.answer  # the nearest passage
    off = assistant.ask("Bí thư Tỉnh ủy Hưng Yên bao nhiêu tuổi?")
    assert off.abstained and not off.citations  # off the documents' ground: no "nearest passage" is shown


def test_two_units_asked_together_are_each_answered_from_their_own_passage(assistant):
    for question in ("Ban Tổ chức Huyện ủy và Ban Tổ chức Tỉnh ủy định kỳ báo cáo việc thực hiện cho ai?",
                     "btc huyen uy va btc tinh uy hy theo doi kiem tra roi bao cao ai"):
        answer = assistant.ask(question)
        assert not answer.abstained, question
        assert contains(answer.answer, "Ban Thường vụ Huyện ủy") and contains(answer.answer, "Thường trực Tỉnh ủy"), \
            question
        assert {HU316, "hungyen-tinhuy-ctr-thuc-hien-kl121.txt"} <= _docs(answer), question
    # one unit under an ambiguous "TU" is one unit, not the Thành ủy's and the Tỉnh ủy's boards side by side
    single = assistant.ask("BTG&DV TU phai tuyen truyen, van dong nhung doi tuong ton giao nao sau sap xep bo may?")
    assert _docs(single) == {KL183}


def test_a_document_known_only_as_what_another_implements_is_not_given_that_ones_signer(assistant):
    for question in ("Ai ký Chương trình hành động 316-CTr/TU của tỉnh?", "Ai ký KL 121?"):
        refused = assistant.ask(question)
        assert refused.abstained and "chỉ được viện dẫn" in refused.answer, question
    plan = assistant.ask("Ai ký KH thực hiện CTr 316?")
    assert not plan.abstained and "Nguyễn Hữu Tuấn" in plan.answer
    dated = assistant.ask("CTr 316 cua BCH Dang bo tinh ban hanh ngay nao?")
    assert not dated.abstained and "06/02/2025" in dated.answer


def test_a_cited_documents_date_is_given_though_its_signer_is_not(assistant):
    answer = assistant.ask("KH 300-KH/HU do ai ký, ngày nào?")
    assert not answer.abstained and "21/01/2025" in answer.answer
    assert "Kế hoạch số 300-KH/HU" in " ".join(c.text for c in answer.citations)


def test_a_term_range_matches_however_its_dash_is_spaced(assistant):
    answer = assistant.ask("CTr hành động của Đảng ủy CQĐ TP nhiệm kỳ 2025-2030 thay thế văn bản nào?")
    assert not answer.abstained and contains(answer.answer, "03-CTr/ĐU")
    assert assistant.ask("CTr hành động của Đảng ủy CQĐ TP nhiệm kỳ 2031-2035 thay thế văn bản nào?").abstained


def test_how_much_of_a_subject_needs_a_figure_in_the_passage(assistant):
    """"X là bao nhiêu?" asks X's figure: a passage on X without any figure (dates, codes and section numbers are
    none) is no answer; a passage with the figure is, and "ngày bao nhiêu" still asks a date."""
    for question in ("Chỉ tiêu kết nạp đảng viên mới của Đảng bộ Các cơ quan Đảng TP nhiệm kỳ này là bao nhiêu?",
                     "So dang vien moi ket nap hang nam cua Dang bo CQD TP la bao nhieu?"):
        refused = assistant.ask(question)
        assert refused.abstained and "con số được hỏi" in refused.answer, question
    answered = assistant.ask("Tỷ lệ cán bộ, công chức được chọn cử đi công tác ở cơ sở theo CTr KL121 của Hải Phòng là bao nhiêu?")
    assert not answered.abstained and "5%" in answered.answer
    dated = assistant.ask("Kết luận 183 của BCT ký ngày bao nhiêu?")
    assert not dated.abstained and "01/8/2025" in dated.answer


HY121 = "hungyen-tinhuy-ctr-thuc-hien-kl121.txt"


def test_a_timing_the_document_defers_answers_when_but_a_frequency_does_not(assistant):
    deferred = assistant.ask("Tỉnh uy HY: sắp xếp lại hệ thống cơ quan thanh tra địa phương hạn khi nào?")
    assert not deferred.abstained and contains(deferred.answer, "theo chỉ đạo của Trung ương")
    assert HY121 in _docs(deferred)
    periodic = assistant.ask("Văn phòng Thành ủy phải báo cáo tiến độ thực hiện Công văn triển khai KL183 vào ngày nào "
                             "hằng tháng?")
    assert periodic.abstained  # "định kỳ" says how often, not when


def test_a_filler_before_the_first_part_does_not_keep_a_two_part_question_whole(assistant):
    first = assistant.ask("KH 300-KH/HU ngày bao nhiêu, do ai ban hành?")
    follow = assistant.ask("thế còn KL 542-KL/TU của BTV Tỉnh ủy thì ngày nào, về việc gì?",
                           conversation=first.conversation)
    assert not follow.abstained and follow.mode != "duties"
    assert contains(follow.answer, "22/01/2025") and contains(follow.answer, "sắp xếp tổ chức bộ máy các cơ quan hành chính")
    # "BTV Tỉnh ủy" is not "Ban Thường vụ các huyện ủy, ... trực thuộc Tỉnh ủy"
    assert not assistant.read("BTV Tỉnh ủy HY phải làm gì?").units


def test_a_yes_no_claim_on_the_issuer_or_on_a_done_items_deadline_is_checked(assistant):
    wrong = assistant.ask("Có phải CTr hành động thực hiện KL121 của HP do BTV Thành ủy ban hành không?")
    assert wrong.answer.startswith("Không.") and contains(wrong.answer, "Ban Chấp hành Đảng bộ thành phố")
    right = assistant.ask("Có phải CTr hành động thực hiện KL121 của HP do BCH Đảng bộ thành phố ban hành không?")
    assert right.answer.startswith("Có.")
    done = assistant.ask("Có phải việc hợp nhất BTG và BDV Tỉnh ủy HY hạn đến tháng 3/2025 không?")
    assert done.answer.startswith("Không.") and contains(done.answer, "đã hoàn thành")
    dated = assistant.ask("Có phải việc hợp nhất Ban Tuyên giáo và Ban Dân vận cấp huyện ở HY hoàn thành trong tháng "
                          "02/2025 không?")
    assert dated.answer.startswith("Có.")


def test_duties_written_as_starting_in_a_year_are_listed_as_such(assistant):
    answer = assistant.ask("Những nhiệm vụ nào trong CTr KL121 của Hải Phòng được ghi là thực hiện từ năm 2025?")
    assert not answer.abstained and answer.mode == "duties"
    assert len(answer.citations) >= 3 and all(contains(c.text, "thực hiện từ năm 2025") for c in answer.citations)
    # "từ năm 2026 trở đi" is a period of the programme, not a start written on duties
    period = assistant.ask("Từ năm 2026 trở đi HY làm gi?")
    assert not period.abstained and not contains(period.answer, "thực hiện từ năm 2026")


def test_which_articles_a_document_cites_come_from_the_catalogue(assistant):
    answer = assistant.ask("CTr KL121 của TP dẫn chiếu những điều, khoản nào của NĐ 178/2024/NĐ-CP?")
    assert not answer.abstained and _docs(answer) == {HP121}
    assert contains(answer.answer, "Điều 14") and contains(answer.answer, "Khoản 8, Điều 3")
    # one item's ground is that item's footnote, found by retrieval
    item = assistant.ask("Kế hoạch đào tạo bồi dưỡng cán bộ trong CTr 121 của HP căn cứ điều mấy của NĐ 178?")
    assert not item.abstained and item.mode == "retrieval"


def test_a_quarter_written_with_a_roman_numeral_is_the_window_not_a_missing_number(assistant):
    answer = assistant.ask("Trong quý I/2025, HY yêu cầu hoàn thành nhiệm vụ sắp xếp theo những kế hoạch nào của Tỉnh ủy?")
    assert not answer.abstained and contains(answer.answer, "208 - KH/TU") and contains(answer.answer, "209 - KH/TU")


def test_words_with_marks_are_not_read_as_abbreviations(assistant):
    q = assistant.read("Ban Quản lý dự án huyện mới tên đầy đủ là gì?")
    assert "dang uy" not in q.readings[0]
    answer = assistant.ask(q)
    assert not answer.abstained
    assert contains(answer.answer, "Ban Quản lý dự án đầu tư xây dựng và Phát triển quỹ đất huyện")
    assert "dang uy" in assistant.read("Ban to chuc DU phai lam gi").readings[0]


def test_an_undated_document_is_said_undated_and_a_lower_case_phrase_is_no_persons_name(assistant):
    undated = assistant.ask("CV triển khai KL183 của Thành ủy HP ban hành ngày nào?")
    assert undated.abstained and "không ghi ngày ban hành" in undated.answer and _docs(undated) == {KL183}
    implemented = assistant.ask("KL183 ban hành ngày nào?")
    assert not implemented.abstained and "01/8/2025" in implemented.answer
    person = assistant.ask("Ai là Trưởng Ban Tổ chức Thành ủy Hải Phòng?")
    assert person.abstained and "tên người" in person.answer
    signer = assistant.ask("Người ký CTr KL121 của Hưng Yên và người ký KH của Huyện ủy có phải là một người không?")
    assert signer.answer.startswith("Không.") and "Nguyễn Hữu Nghĩa" in signer.answer and "Nguyễn Hữu Tuấn" in signer.answer


def test_a_day_the_official_states_is_the_as_of_date_and_toi_closes_the_window(assistant):
    q = assistant.read("Hôm nay 20/8/2025, từ giờ tới 29/8 ĐU UBND TP phải xong những việc gì theo CV triển khai KL183?")
    assert q.today.isoformat() == "2025-08-20" and q.window is not None and q.window.before.isoformat() == "2025-08-29"
    answer = assistant.ask(q)
    assert answer.mode == "duties" and contains(answer.answer, "hoàn thành trước ngày 29/8/2025")
    assert not contains(answer.answer, "31/8/2025")


def test_everyday_shorthand_for_boards_and_for_khong_is_read(assistant):
    q = assistant.read("Trưởng Ban TG&DV Huyện ủy kiêm thêm chức gì theo KH của HU?")
    assert "tuyen giao va dan van" in q.readings[0]
    answer = assistant.ask(q)
    assert not answer.abstained and contains(answer.answer, "Giám đốc Trung tâm Chính trị huyện")
    kept = assistant.ask("KH cua Huyen uy van giu cong an cap huyen dung ko?")
    assert kept.answer.startswith("Không.") and contains(kept.answer, "không tổ chức công an cấp huyện")


def test_a_count_asked_with_may_needs_that_count_in_the_passage(assistant):
    refused = assistant.ask("Bộ tiêu chí đánh giá chất lượng sinh hoạt chi bộ của Đảng bộ CQĐ TP gồm mấy tiêu chí?")
    assert refused.abstained and "con số được hỏi" in refused.answer
    counted = assistant.ask("Có mấy hình thức sinh hoạt chi bộ cần hướng dẫn quy trình?")
    assert not counted.abstained and contains(counted.answer, "3 hình thức")
    assert assistant.read("Kế hoạch của Huyện ủy thực hiện chương trình số mấy của Tỉnh ủy?").how_many is None


def test_a_task_named_by_a_cited_document_is_not_answered_with_the_units_whole_table(assistant):
    answer = assistant.ask("Hạn chót để ĐU UBND TP HP xây dựng CTr thực hiện NQ 17-NQ/TU là ngày nào?")
    assert answer.abstained and answer.mode != "duties"
    details = assistant.ask("KL 126-KL/TW ngày 14/02/2025 của Bộ Chính trị nêu cụ thể những gì về sắp xếp đơn vị hành chính?")
    assert details.abstained and "chỉ viện dẫn" in details.answer and _docs(details) == {HP121}


def test_the_date_asked_is_the_asked_items_not_its_neighbours(assistant):
    done = assistant.ask("Ban Bảo vệ chăm sóc sức khỏe cán bộ tỉnh HY kết thúc hoạt động từ ngày nào?")
    assert done.abstained  # "(đã hoàn thành)": the next item's "tháng 02/2025" is not its date
    dated = assistant.ask("Việc sắp xếp, kiện toàn các cấp ủy trực thuộc Đảng bộ các cơ quan đảng tỉnh HY hoàn thành khi nào?")
    assert not dated.abstained and contains(dated.answer, "tháng 02/2025")


def test_an_office_no_document_names_is_said_unknown(assistant):
    refused = assistant.ask("Phòng Tư pháp huyện được sáp nhập với phòng nào theo KH của Huyện ủy?")
    assert refused.abstained and "Phòng Tư pháp" in refused.answer
    for question in ("Phòng Nội vụ huyện được hợp nhất từ những phòng nào?", "Sở Tư pháp tỉnh HY được tổ chức lại thế nào?",
                     "Đoàn TN và Hội CCB Các cơ quan Đảng TP được giao gì?"):
        assert not assistant.ask(question).abstained, question


def test_a_follow_up_naming_its_item_is_searched_on_its_own_words(assistant):
    first = assistant.ask("Trong CTr thực hiện KL121 của Thành ủy HP, Đảng ủy UBND TP được giao mấy nhiệm vụ?")
    follow = assistant.ask("cái việc hợp nhất, tổ chức lại các cơ quan thuộc UBND TP thì căn cứ thông báo số mấy?",
                           conversation=first.conversation)
    assert not follow.abstained and contains(follow.answer, "2555-TB/TU")


def test_an_abbreviated_plan_beside_a_numbered_reference_is_a_task_not_a_scope(assistant):
    q = assistant.read("KH đào tạo bồi dưỡng CBCCVC ở mục 3.3 CTr 121 HP căn cứ định hướng điều nào của NĐ 178, hạn khi nào?")
    assert q.documents == (HP121,)
    answer = assistant.ask(q)
    assert not answer.abstained and contains(answer.answer, "Điều 14") and contains(answer.answer, "hoàn thành trong năm 2025")
    assert "KH" in assistant.read("KH thực hiện CTr 316 do ai ký?").kinds


def test_a_part_about_another_unit_is_not_covered_by_the_first_units_item(assistant):
    answer = assistant.ask("Báo cáo hằng tháng về vận hành chính quyền địa phương 2 cấp: các cấp ủy gửi TT TU (qua BTC TU) "
                           "chậm nhất lúc nào, còn BTC TU phối hợp ĐU UBND TP báo cáo TT TU hạn lúc nào?")
    assert contains(answer.answer, "16 giờ, ngày 22 hằng tháng") and contains(answer.answer, "16 giờ, ngày 23 hằng tháng")
    # a part about another document is not covered by a passage of the first one with the same words
    two = assistant.ask("CTr KL121 của HP nhắc Đại hội Đảng bộ thành phố lần thứ mấy, còn KH của Huyện ủy nhắc Đại hội "
                        "Đảng bộ huyện lần thứ mấy?")
    assert contains(two.answer, "lần thứ XVII") and contains(two.answer, "lần thứ XIII")
    assert {HP121, HU316} <= _docs(two)


def test_closing_particles_and_claimed_figures_in_yes_no_questions(assistant):
    polite = assistant.ask("Bên em là Đảng ủy xã mới sau sắp xếp, lịch đại hội rất gấp. Theo công văn triển khai KL183 của "
                           "Thành ủy thì cấp ủy có được thông báo thời gian khai mạc đại hội ngắn hơn 30 ngày làm việc không ạ?")
    assert polite.answer.startswith("Có.") and contains(polite.answer, "ngắn hơn 30 ngày làm việc")
    assert assistant.read("Việc tiếp dân cũng do ban này tham mưu BTV à?").yes_no
    assert not assistant.read("Ban nào phụ trách việc này ạ?").yes_no
    wrong = assistant.ask("CTr 121 cua TP yeu cau chon cu khoang 10% CBCCVC di cong tac o co so, dung ko?")
    assert wrong.answer.startswith("Không.") and "5%" in wrong.answer
    right = assistant.ask("CTr 121 cua TP yeu cau chon cu khoang 5% CBCCVC di cong tac o co so, dung ko?")
    assert right.answer.startswith("Có.")


def test_whether_a_task_has_a_deadline_is_answered_from_the_task(assistant):
    unset = assistant.ask("Trường Chính trị Tô Hiệu có hạn chót cho việc xây dựng kế hoạch đào tạo, bồi dưỡng cán bộ, "
                          "công chức các cấp không?")
    assert not unset.abstained and unset.answer.startswith("Văn bản không nêu:")
    assert contains(unset.answer, "Trường Chính trị Tô Hiệu chủ trì")
    dated = assistant.ask("Ban Tổ chức Thành ủy có hạn chót cho việc bổ sung cán bộ lãnh đạo cho cấp xã không?")
    assert dated.answer.startswith("Có.") and contains(dated.answer, "31/8/2025")


def test_a_numbered_section_and_its_footnote(assistant):
    q = assistant.read("chu thich (2) o muc 3.3 CTr hanh dong thuc hien KL121 cua Thanh uy HP dan theo van ban nao?")
    assert q.sections == ("3.3",)
    answer = assistant.ask(q)
    assert not answer.abstained and all("3.3." in c.section for c in answer.citations)
    assert contains(answer.answer, "Điều 14 Nghị định số 178/2024/NĐ-CP")


def test_a_slip_in_an_office_name_and_this_board_in_a_follow_up(assistant):
    slipped = assistant.ask("Sở Tài chíng HY mơi được lập trên cơ sở hợp nhất những sở nào vậy")
    assert not slipped.abstained and contains(slipped.answer, "Sở Kế hoạch và Đầu tư")
    assert assistant.ask("Phòng Y tế huyện được hợp nhất với phòng nào theo KH của Huyện ủy?").abstained
    first = assistant.ask("BNC TU HY được giao những việc gì trong CTr thực hiện KL121?")
    follow = assistant.ask("Việc tiếp dân, đối thoại với dân về sắp xếp bộ máy cũng do ban này tham mưu BTV à?",
                           conversation=first.conversation)
    assert follow.answer.startswith("Có.") and contains(follow.answer, "công tác tiếp dân, đối thoại trực tiếp với dân")


def test_what_a_document_known_only_by_citation_sets_out_is_not_answered_from_other_passages(assistant):
    answer = assistant.ask("CTr 05-CTr/TU ngày 06/11/2025 của Thành ủy HP đặt ra những chỉ tiêu gì?")
    assert answer.abstained and "chỉ viện dẫn" in answer.answer and _docs(answer) == {CQD}


def test_acts_said_otherwise_and_whether_it_is_still_in_time(assistant):
    for question in ("ke hoach cua huyen uy co cham dut mo hinh truong ban dan van kiem chu tich MTTQ huyen khong",
                     "Huyện ủy có giải thể mô hình thí điểm Trưởng ban Dân vận kiêm Chủ tịch MTTQ huyện không?"):
        answer = assistant.ask(question)
        assert answer.answer.startswith("Có.") and contains(answer.answer, "Kết thúc mô hình thí điểm"), question
    question = "Nộp hồ sơ giải quyết chế độ chính sách cho CBCC chịu tác động sắp xếp theo CV 183 hôm nay thì còn trong hạn không?"
    from datetime import date
    assert assistant.ask(question, as_of=date(2025, 8, 10)).answer.startswith("Có.")
    assert assistant.ask(question, as_of=date(2025, 9, 1)).answer.startswith("Không.")


def test_a_timing_the_document_defers_is_no_fixed_deadline(assistant):
    deferred = assistant.ask("Việc sắp xếp lại các cơ quan thanh tra ở Hưng Yên có mốc thời gian cụ thể không?")
    assert deferred.answer.startswith("Không.") and contains(deferred.answer, "theo chỉ đạo của Trung ương")
    dated = assistant.ask("Việc hợp nhất Ban Tuyên giáo và Ban Dân vận cấp huyện ở HY có thời hạn không?")
    assert dated.answer.startswith("Có.") and contains(dated.answer, "tháng 02/2025")


def test_a_board_no_document_names_and_a_documents_own_number(assistant):
    refused = assistant.ask("Ban Đối ngoại Thành ủy Hải Phòng được phân công gì trong CTr hành động thực hiện KL 121?")
    assert refused.abstained and "«Ban Đối ngoại Thành ủy»" in refused.answer
    read_out = assistant.ask("ubkt hu co nhiem vu gi")  # named as the documents spell a board and a level
    assert read_out.abstained and "«Ủy ban Kiểm tra Huyện ủy»" in read_out.answer
    assert not assistant.read("nhiem vu nam 2025 phai hoan thanh theo nhung van ban nao cua TU HP?").unknown_units
    number = assistant.ask("cv trien khai kl183 cua thanh uy hai phong so bao nhieu?")
    assert number.abstained and "không ghi số" in number.answer and _docs(number) == {KL183}


def test_an_item_of_a_phan_cong_block_is_quoted_with_whom_the_block_is_given_to(assistant):
    # the items name nobody; the block's "Phân công thực hiện" line below them, another passage, says who does them
    for question in ("Ai chịu trách nhiệm xây dựng hướng dẫn quy trình sinh hoạt chi bộ?",
                     "Bộ tiêu chí đánh giá chất lượng sinh hoạt chi bộ do ai tham mưu?",
                     "ai lo viec so hoa ho so dang vien, chuyen doi so trong to chuc dang co so"):
        answer = assistant.ask(question)
        assert not answer.abstained and "Phân công thực hiện:" in answer.answer, question
        given = [c for c in answer.citations if c.text.startswith("Phân công thực hiện")]
        assert given and all(c.doc == CQD for c in given), question
        named = re.search(r"Phân công thực hiện: ([^\[]+) \[(\d+)\]", answer.answer)
        cited = next(c for c in answer.citations if c.n == int(named.group(2)))
        assert all(contains(cited.text, unit) for unit in named.group(1).split(", ")), question
    # an item that names its unit itself is quoted as it is
    own = assistant.ask("Ban Tổ chức Thành ủy phải làm gì trước 31/8/2025?")
    assert "Phân công thực hiện:" not in own.answer


def test_a_report_sent_through_a_unit_is_not_that_units_duty(assistant):
    # "báo cáo Thường trực Thành ủy (qua Ban Tổ chức Thành ủy) ... ngày 22 hằng tháng" is the senders' duty; the
    # board's own report is due on the 23rd, and a claimed day is checked against it
    own = assistant.ask("BTC TU HP báo cáo tình hình vận hành CQĐP 2 cấp trước 16h ngày 22 hằng tháng phải ko?")
    assert own.answer.startswith("Không.") and contains(own.answer, "ngày 23 hằng tháng")
    assert not any(contains(c.text, "qua Ban Tổ chức Thành ủy") for c in own.citations)
    assert assistant.ask("Ban Tổ chức Thành ủy báo cáo trước 16 giờ ngày 23 hằng tháng phải không?").answer.startswith("Có.")
    senders = "cac cap uy bao cao tinh hinh van hanh chinh quyen 2 cap truoc ngay {} hang thang dung ko"
    assert assistant.ask(senders.format(22)).answer.startswith("Có.")
    assert assistant.ask(senders.format(23)).answer.startswith("Không.")
    # named as the channel by the official too, the passages naming it so are the answer
    channel = assistant.ask("viec nop ho so che do chinh sach qua BTC TU han khi nao?")
    assert not channel.abstained and contains(channel.answer, "15/8/2025")


def test_a_units_tasks_on_a_topic_include_each_duty_of_the_unit_on_it(assistant):
    # the passages quoted hold one of Ban Tổ chức's tasks about "đảng viên"; its duty table holds the other, in a
    # block given to three units
    for question in ("BTC Đảng ủy các cơ quan Đảng TP phụ trách nhg việc gì liên quan đảng viên?",
                     "Ban Tổ chức Đảng ủy CQĐ TP lo những việc gì liên quan đến đảng viên?"):
        answer = assistant.ask(question)
        assert not answer.abstained and _docs(answer) == {CQD}, question
        assert contains(answer.answer, "hướng dẫn kết nạp đảng viên") and contains(answer.answer, "cập nhật dữ liệu Đảng viên")
    # another unit's duty on the same topic is not added as this one's
    answer = assistant.ask("Văn phòng Đảng ủy đươc giao gì về chuyển đổi số?")
    assert not contains(answer.answer, "cập nhật dữ liệu Đảng viên")


def test_two_names_side_by_side_are_not_one_unknown_name(assistant):
    # "Ở Hưng Yên Sở Xây dựng ...": "Yên Sở" is the seam between a place and an office, not a name no document holds
    answer = assistant.ask("Ở Hưng Yên Sở Xây dựng mới được lập trên cơ sở hợp nhất những sở nào, hạn xong khi nào?")
    assert not answer.abstained and contains(answer.answer, "Sở Giao thông vận tải và Sở Xây dựng")
    assert assistant.ask("Tỉnh Quảng Ninh Sở Xây dựng được lập thế nào?").abstained  # a place no document names


def test_a_claim_checked_against_the_deadline_closing_the_block_and_against_the_unit_given_the_item(assistant):
    # the sentence matching best is the block's heading; the deadline closing its list is the claim's to meet
    early = "Đảng ủy MTTQ TP HP phải hoàn thành các hướng dẫn theo CV KL183 trước ngày {}, đúng không?"
    assert assistant.ask(early.format("29/8/2025")).answer.startswith("Không.")
    assert assistant.ask(early.format("31/8/2025")).answer.startswith("Có.")
    # a unit no passage on the item names, the item given to another board of the same Huyện ủy: "Không", cited
    other = assistant.ask("KH thuc hien CTr 316 giao UBKT Huyen uy chu tri theo doi, kiem tra viec thuc hien KH phai ko?")
    assert other.answer.startswith("Không.") and contains(other.answer, "Ban Tổ chức Huyện ủy chủ trì")
    assert assistant.ask("KH thuc hien CTr 316 giao BTC Huyen uy chu tri theo doi, kiem tra viec thuc hien KH phai ko?"
                         ).answer.startswith("Có.")
    # the issuer that gives the task is not a rival of the unit given it
    given = assistant.ask("BTV TU Hưng Yên có giao ĐU UBND tỉnh chỉ đạo trình HĐND tỉnh nghị quyết hỗ trợ cán bộ "
                          "trong sắp xếp bộ máy không?")
    assert given.answer.startswith("Có.")


def test_a_letters_addressees_and_a_party_organisations_deadlines(assistant):
    sent = assistant.ask("CV về triển khai KL183 của BTV TU HP kính gửi những đơn vị nào?")
    assert sent.answer.startswith("Nơi gửi") and _docs(sent) == {KL183}
    assert contains(sent.answer, "Các cấp ủy trực thuộc Thành ủy") and contains(sent.answer, "Mặt trận Tổ quốc Việt Nam thành phố")
    from datetime import date
    month = assistant.ask("thang nay DB cac co quan Dang TP co nhung han nao can luu y?", as_of=date(2025, 11, 5))
    assert not month.abstained and _docs(month) == {CQD} and "30/11/2025" in month.answer


def test_a_question_naming_two_documents_is_answered_from_each(assistant):
    answer = assistant.ask("Ai chủ trì theo dõi, kiểm tra việc thực hiện chương trình: CTr KL121 của Thành ủy HP và "
                           "CTr hành động của Đảng bộ Các cơ quan Đảng TP?")
    assert _docs(answer) == {HP121, CQD}
    assert contains(answer.answer, "Ban Tổ chức Thành ủy chủ trì")
    assert contains(answer.answer, "Ban Tuyên giáo và Dân vận Đảng ủy chủ trì")
    one = assistant.ask("Ai chủ trì theo dõi, kiểm tra việc thực hiện CTr KL121 của Thành ủy HP?")
    assert _docs(one) == {HP121}


def test_the_party_organisation_a_question_is_about_scopes_it(assistant):
    for question in ("cds o DU cac co quan Dang thi sao", "chuyển đổi số ở Đảng bộ các cơ quan Đảng thành phố thế nào?"):
        answer = assistant.ask(question)
        assert not answer.abstained and _docs(answer) == {CQD}, question
        assert contains(answer.answer, "Chuyển đổi số trong các tổ chức đảng"), question
    # a board of it is a unit, not the organisation; a document of another kind named keeps its own scope
    assert assistant.read("Ban Tổ chức Đảng ủy các cơ quan Đảng thành phố phải làm gì?").units == ("Ban Tổ chức Đảng ủy",)
    from datetime import date
    other = assistant.ask("thang nay cac cap uy trong DB CQD phai quan triet NQ nao? con NQ DH Dang bo TP thi han den bao gio",
                          as_of=date(2025, 9, 10))
    assert not other.abstained and "30/11/2025" in other.answer


def test_a_kind_and_place_that_fit_two_documents_answer_from_each(assistant):
    # "Chương trình của HP": Hải Phòng has two programmes, and each names its own congress
    answer = assistant.ask("ctr cua HP nhac den dai hoi dang bo thanh pho lan thu may?")
    assert _docs(answer) == {HP121, CQD}
    assert contains(answer.answer, "Đại hội Đảng bộ thành phố lần thứ XVII")
    single = assistant.ask("CTr KL121 của HP nhắc đến Đại hội Đảng bộ thành phố lần thứ mấy?")
    assert _docs(single) == {HP121}


def test_a_task_claimed_for_the_wrong_unit_is_answered_no_naming_whose_it_is(assistant):
    # the claimed unit has duties in the same document, none on this: the item is another unit's
    wrong = assistant.ask("Có phải UBKT Thành ủy định hướng công tác truyền thông về chính quyền 2 cấp không?")
    assert wrong.answer.startswith("Không. Văn bản giao việc này cho Ban Tuyên giáo và Dân vận Thành ủy [")
    wrong = assistant.ask("Ban Tổ chức Thành ủy có phải tập huấn cho công chức cấp xã không?")
    assert wrong.answer.startswith("Không.") and contains(wrong.answer.split("\n")[0], "Ủy ban nhân dân thành phố")
    # an item under a "Phân công thực hiện" line is the assigned unit's
    assigned = assistant.ask("Ban Nội chính Thành ủy có phải chủ trì hướng dẫn quy trình sinh hoạt chi bộ không?")
    assert assigned.answer.startswith("Không.") and "Ban Tổ chức Đảng ủy" in assigned.answer.split("\n")[0]
    # the unit's own task stays "Có"
    right = assistant.ask("Ban Nội chính Tỉnh ủy có tham mưu tiếp dân, đối thoại với dân về sắp xếp bộ máy không?")
    assert right.answer.startswith("Có.") and contains(right.answer, "tiếp dân, đối thoại trực tiếp với dân")
    right = assistant.ask("VP Tỉnh ủy HY có được giao tham mưu mở rộng tổ chức hội nghị trực tuyến không?")
    assert right.answer.startswith("Có.")


def test_a_claimed_deadline_for_a_task_that_sets_none_is_not_confirmed(assistant):
    unset = assistant.ask("Ban Nội chính Thành ủy có phải hoàn thành việc theo dõi các trường hợp có dấu hiệu tham "
                          "nhũng trong sắp xếp bộ máy trước 30/9/2025 không?")
    assert unset.answer.startswith("Văn bản không nêu:") and not unset.abstained
    assert contains(unset.answer, "theo dõi, tham mưu xử lý những trường hợp có dấu hiệu tham nhũng")
    # a task with that deadline is confirmed, with another one it is denied
    dated = assistant.ask("Ban Tổ chức Thành ủy phải bổ sung cán bộ lãnh đạo cho cấp xã trước 31/8/2025 đúng không?")
    assert dated.answer.startswith("Có.")
    other = assistant.ask("Ban Tổ chức Thành ủy phải bổ sung cán bộ lãnh đạo cho cấp xã trước 15/8/2025 đúng không?")
    assert other.answer.startswith("Không.")


def test_a_claimed_document_number_no_document_states_is_checked_not_confirmed(assistant):
    wrong = assistant.ask("CTr hành động của ĐU Các cơ quan Đảng TP thay thế Chương trình hành động số 05-CTr/ĐU đúng ko?")
    assert wrong.answer.startswith("Không.") and contains(wrong.answer, "Chương trình hành động số 03 - CTr/ĐU")
    right = assistant.ask("CTr hành động của ĐU Các cơ quan Đảng TP thay thế Chương trình hành động số 03-CTr/ĐU đúng không?")
    assert right.answer.startswith("Có.")
    never = assistant.ask("CTr của ĐU CQĐ có nhắc đến Nghị quyết 99-NQ/TW không?")
    assert not never.answer.startswith("Có.")
    # without a yes/no, an unknown number is still refused as unknown
    assert "không nhắc đến" in assistant.ask("Nghị quyết 99-NQ/TW giao Ban Tổ chức Thành ủy việc gì?").answer


def test_funding_no_passage_states_is_not_answered_with_the_task(assistant):
    asked = assistant.ask("Kinh phí tổ chức tập huấn cho công chức cấp xã theo CV KL183 lấy từ nguồn nào?")
    assert asked.abstained and "nguồn kinh phí" in asked.answer
    task = assistant.ask("Việc tập huấn cho công chức cấp xã theo CV KL183 giao cho ai?")
    assert not task.abstained and contains(task.answer, "tập huấn, bồi dưỡng chuyên môn, nghiệp vụ")


def test_recurring_duties_of_a_document_and_which_ones_a_count_names(assistant):
    yearly = assistant.ask("Theo CTr của Đảng bộ CQĐ TP, những việc nào phải làm hàng năm?")
    assert yearly.mode == "duties" and _docs(yearly) == {CQD}
    assert contains(yearly.answer, "biểu dương điển hình tiêu biểu làm theo Bác")
    assert contains(yearly.answer, "“Dân vận khéo” hàng năm")
    listed = assistant.ask("Phòng Nông nghiệp và Môi trường huyện lập trên cơ sở mấy phòng nào?")
    assert not listed.abstained and contains(listed.answer, "Phòng Tài nguyên và Môi trường huyện")
    assert assistant.read("Bộ tiêu chí gồm mấy tiêu chí?").how_many == "tieu chi"


def test_follow_ups_name_a_board_or_another_place_of_the_same_document(assistant):
    first = assistant.ask("Ban Tổ chức Tỉnh ủy HY phải làm gì?")
    board = assistant.ask("Còn Ban Nội chính thì sao?", conversation=first.conversation)
    assert board.answer.startswith("Nhiệm vụ của Ban Nội chính Tỉnh ủy")
    signed = assistant.ask("CTr thực hiện KL121 của HP do ai ký?")
    other = assistant.ask("Còn của HY?", conversation=signed.conversation)
    assert _docs(other) == {"hungyen-tinhuy-ctr-thuc-hien-kl121.txt"} and "Nguyễn Hữu Nghĩa" in other.answer
    # boards merged are not who a question is about
    merged = assistant.read("Hợp nhất BTG và BDV Tỉnh ủy HY xong khi nào?")
    assert merged.units == ()


def test_a_board_of_every_council_and_the_duties_on_what_is_named(assistant):
    q = assistant.read("Các văn bản nào giao Ban Tổ chức cấp ủy theo dõi, kiểm tra việc thực hiện và định kỳ báo cáo?")
    assert set(q.units) >= {"Ban Tổ chức Thành ủy", "Ban Tổ chức Tỉnh ủy", "Ban Tổ chức Huyện ủy"}
    answer = assistant.ask(q)
    for said in ("Ban Tổ chức Thành ủy chủ trì", "Ban Tổ chức Huyện ủy chủ trì"):
        assert contains(answer.answer, said)
    assert not contains(answer.answer, "bổ sung cán bộ lãnh đạo cho cấp xã")  # a duty on something else
    recipients = assistant.ask("CV triển khai KL183 gửi những nơi nào?")
    then = assistant.ask("Còn CTr KL121 của Hưng Yên thì gửi báo cáo lên đâu?", conversation=recipients.conversation)
    assert _docs(then) == {"hungyen-tinhuy-ctr-thuc-hien-kl121.txt"} and "Ban Tổ chức TW Đảng" in then.answer


def test_whether_a_body_still_exists_after_a_merger_or_an_end(assistant):
    for question in ("Ban Dân vận Huyện ủy sau sắp xếp còn không?",
                     "Ban Bảo vệ chăm sóc sức khỏe cán bộ tỉnh HY còn hoạt động không?",
                     "dang bo khoi co quan - doanh nghiep tinh HY co con khong?"):
        assert assistant.ask(question).answer.startswith("Không."), question
    # what a merger forms, and a board nothing ends, still exist
    assert assistant.ask("Ban Tuyên giáo và Dân vận Huyện ủy có còn không?").answer.startswith("Có.")
    assert assistant.ask("Ban Tổ chức Tỉnh ủy HY còn không?").answer.startswith("Có.")


def test_a_statement_closed_by_a_confirming_particle_is_a_yes_no_question(assistant):
    for question in ("UBKT Thành ủy HP được giao kiểm tra, giám sát việc sắp xếp tinh gọn bộ máy hả?",
                     "Theo CTr 121 của TP, chọn cử khoảng 5% cán bộ đi công tác ở cơ sở chứ?"):
        assert assistant.ask(question).answer.startswith("Có."), question
    assert assistant.ask("Liệu CTr 121 của Thành ủy HP có chọn cử khoảng 15% cán bộ đi cơ sở?").answer.startswith(
        "Không.")
    # a question word keeps it a question of content, not a confirmation
    assert not assistant.ask("Việc gì Ban Tổ chức Thành ủy phải làm trước 31/8/2025 vậy à?").answer.startswith(
        ("Có.", "Không."))


def test_a_claimed_count_is_checked_against_the_count_of_the_same_thing(assistant):
    wrong = assistant.ask("Hưng Yên kết thúc hoạt động 12 đảng đoàn, ban cán sự đảng cấp tỉnh phải không?")
    assert wrong.answer.startswith("Không.") and contains(wrong.answer, "09 đảng đoàn")
    # "có kết thúc ... không" asks what the document decides, not whether it is done
    right = assistant.ask("CTr của Tỉnh ủy HY có kết thúc hoạt động 09 đảng đoàn, ban cán sự đảng cấp tỉnh không?")
    assert right.answer.startswith("Có.")


def test_whether_a_body_is_kept_after_a_merger(assistant):
    for question in ("Sở Kế hoạch và Đầu tư tỉnh Hưng Yên vẫn giữ nguyên phải không?",
                     "so GTVT tinh HY co duoc giu nguyen khong?", "Ban Dân vận Huyện ủy có tiếp tục hoạt động không?"):
        assert assistant.ask(question).answer.startswith("Không."), question


def test_a_yes_no_part_then_a_who_part(assistant):
    answer = assistant.ask("CTr KL121 của HP có giao theo dõi, kiểm tra việc thực hiện chương trình không, ban nào "
                           "chủ trì?")
    assert answer.answer.startswith("Có.") and contains(answer.answer, "Ban Tổ chức Thành ủy chủ trì")


def test_a_deadline_set_by_a_document_only_cited_is_not_answered_from_its_citing_passage(assistant):
    refused = assistant.ask("Kế hoạch 418-KH/TU của BTV Thành ủy giao Ban Tổ chức Thành ủy hạn khi nào phải xong?")
    assert refused.abstained and "418-KH/TU" in refused.answer and _docs(refused) == {HP121}
    # the citing sentence that states a deadline itself answers
    stated = assistant.ask("Các cơ quan khối Đảng, đoàn thể tỉnh HY phải thực hiện xong Thông báo 1956 khi nào?")
    assert not stated.abstained and contains(stated.answer, "hoàn thành trong tháng 3/2025")


def test_comparison_sides_are_split_where_both_name_the_same_kind(assistant):
    answer = assistant.ask("Ban nào chủ trì theo dõi việc thực hiện CTr KL121 và định kỳ báo cáo ai: HP với HY khác "
                           "nhau ra sao?")
    assert answer.mode == "compare" and _docs(answer) == {HP121, "hungyen-tinhuy-ctr-thuc-hien-kl121.txt"}
    assert contains(answer.answer, "Ban Tổ chức Thành ủy chủ trì") and contains(answer.answer, "Ban Tổ chức Tỉnh ủy")


def test_the_number_and_date_of_a_document_that_states_neither_are_not_taken_from_other_documents(assistant):
    first = assistant.ask("CV triển khai KL183 của Thành ủy HP do ai ký?")
    follow = assistant.ask("CV đó số mấy, ban hành ngày nào?", conversation=first.conversation)
    assert follow.abstained and _docs(follow) == {KL183}
    assert "không ghi số" in follow.answer and "không ghi ngày ban hành" in follow.answer
    # what the heading does state is answered for the same document
    signer = assistant.ask("Còn CV đó do ai ký?", conversation=follow.conversation)
    assert not signer.abstained and _docs(signer) == {KL183} and "Đỗ Mạnh Hiến" in signer.answer


HY121 = "hungyen-tinhuy-ctr-thuc-hien-kl121.txt"


def test_a_merge_claimed_with_another_partner_or_result_is_answered_no(assistant):
    # what two bodies become, against the merge the passage states
    wrong = assistant.ask("Hưng Yên hợp nhất Sở GTVT và Sở Xây dựng thành Sở Giao thông đúng không?")
    right = assistant.ask("Hưng Yên hợp nhất Sở GTVT và Sở Xây dựng thành Sở Xây dựng đúng không?")
    assert wrong.answer.startswith("Không.") and right.answer.startswith("Có.")
    no_accent = assistant.ask("Cap huyen o HY hop nhat Phong LDTBXH voi Phong Noi vu thanh Phong Lao dong phai khong?")
    assert no_accent.answer.startswith("Không.")
    # a body merged with another than the one claimed, and a body only reorganised
    partner = assistant.ask("Sở Tư pháp Hưng Yên có được hợp nhất với Sở Nội vụ không?")
    kept = assistant.ask("Sở Y tế tỉnh HY có bị hợp nhất không?")
    assert partner.answer.startswith("Không.") and kept.answer.startswith("Không.")
    assert _docs(kept) == {HY121} and contains(kept.answer, "Tổ chức lại các sở: Sở Y tế")
    claimed_pair = assistant.ask("Sở Nội vụ HY có được hợp nhất với Sở Lao động - Thương binh và Xã hội không?")
    assert claimed_pair.answer.startswith("Có.")


def test_a_date_claimed_for_an_item_whose_timing_is_deferred_is_answered_no(assistant):
    answer = assistant.ask("Việc sắp xếp lại các cơ quan thanh tra ở HY phải xong trong tháng 02/2025 phải không?")
    assert answer.answer.startswith("Không.") and contains(answer.answer, "theo chỉ đạo của Trung ương")


def test_still_in_time_is_judged_on_the_items_own_deadline(assistant):
    late = assistant.ask("Hôm nay 20/3/2025 thì việc hoàn thiện Phương án tinh gọn đầu mối bên trong các cơ quan khối "
                         "chính quyền địa phương ở HY còn trong hạn không?")
    early = assistant.ask("Hôm nay 10/02/2025 thì việc hoàn thiện Phương án tinh gọn đầu mối bên trong các cơ quan "
                          "khối chính quyền địa phương ở HY còn trong hạn không?")
    assert late.answer.startswith("Không.") and early.answer.startswith("Có.")


def test_a_kind_abbreviation_after_vao_is_no_scope_and_an_office_name_stops_at_the_particle(assistant):
    # "đưa vào NQ Đại hội": where the result goes, not a Nghị quyết of Hưng Yên to search in
    answer = assistant.ask("Ban Tổ chức Tỉnh ủy HY phải hoàn thành đề xuất định hướng hoàn thiện tổ chức bộ máy để đưa "
                           "vào NQ Đại hội trong tháng 02/2025 đúng không?")
    assert answer.answer.startswith("Không.") and _docs(answer) == {HY121}
    assert contains(answer.answer, "hoàn thành trong tháng 3/2025")
    # "KHĐT" is "Kế hoạch và Đầu tư", no council ("tư" is no "TU"), and "đầu" no "đâu"
    merged = assistant.ask("HY hợp nhất Sở KHĐT với Sở Tài chính thành Sở Tài chính à?")
    assert merged.answer.startswith("Có.") and contains(merged.answer, "Sở Kế hoạch và Đầu tư")


def test_a_body_claimed_kept_as_before_that_a_passage_merges_is_answered_no(assistant):
    answer = assistant.ask("Phòng Lao động - Thương binh và Xã hội huyện vẫn được giữ lại như cũ theo KH của HU phải k?")
    assert answer.answer.startswith("Không.") and contains(answer.answer, "thành Phòng Nội vụ huyện")


def test_each_part_keeps_its_own_document_and_unit(assistant):
    answer = assistant.ask("Kế hoạch học tập, quán triệt: KH của Huyện ủy đặt hạn khi nào, còn CTr ĐU CQĐ giao BTGDV "
                           "ĐU hoàn thành kế hoạch quán triệt khi nào?")
    assert not answer.abstained
    assert _docs(answer) == {HU316, CQD}
    assert contains(answer.answer, "hoàn thành kế hoạch trong tháng 11/2025")


def test_a_letters_subject_line_is_answered_from_its_heading(assistant):
    answer = assistant.ask("CV KL183 số mấy, ký ngày nào, V/v gì ạ?")
    assert not answer.abstained and _docs(answer) == {KL183}
    assert "không ghi số" in answer.answer and contains(answer.answer, "V/v triển khai Kết luận số 183-KL/TW")
    assert answer.answer.count("Trích yếu") == 1  # the parts are not answered twice
    recipients = assistant.ask("CTr KL121 của HP với của HY đều gửi để báo cáo TW, nhưng bên nào gửi báo cáo cả Bộ "
                               "Chính trị?")
    assert recipients.mode == "documents" and "Bộ Chính trị, Ban Bí thư (để báo cáo)" in recipients.answer
    assert "}" not in recipients.answer
