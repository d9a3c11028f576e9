"""Deadline phrases of the corpus become data; dates of cited documents do not."""

from datetime import date

import pytest

from rag.text.deadlines import Deadline, find_deadlines, occurrences, parse_deadline


@pytest.mark.parametrize("text, kind, due", [
    ("báo cáo trước ngày 31/8/2025", "date", date(2025, 8, 31)),
    ("chậm nhất ngày 05/9/2025", "date", date(2025, 9, 5)),
    ("(hoàn thành trước ngày 29/8/2025)", "date", date(2025, 8, 29)),
    ("(*hoàn thành trong tháng 02/2025*)", "month", date(2025, 2, 28)),
    ("hoàn thành kế hoạch trong tháng 11/2025.", "month", date(2025, 11, 30)),
    ("(hoàn thành trong Quý I/2025)", "quarter", date(2025, 3, 31)),
    ("(hoàn thành trong quý I/2025)", "quarter", date(2025, 3, 31)),
    ("chỉ đạo thực hiện hoàn thành trong Quý I năm 2025 các nhiệm vụ", "quarter", date(2025, 3, 31)),
    ("(**hoàn thành trong năm 2025**)", "year", date(2025, 12, 31)),
    ("(toàn bộ các nhiệm vụ này phải **hoàn thành trước ngày 31/8/2025**)", "date", date(2025, 8, 31)),
])
def test_dated_forms(text, kind, due):
    deadline = parse_deadline(text)
    assert deadline is not None and deadline.kind == kind and deadline.due == due


def test_start_has_no_due():
    deadline = parse_deadline("(**thực hiện từ năm 2025**)")
    assert deadline.kind == "start" and deadline.start == date(2025, 1, 1) and deadline.due is None


def test_recurring_monthly():
    deadline = parse_deadline("báo cáo Thường trực Thành ủy chậm nhất **trước 16 giờ, ngày 22 hằng tháng**.")
    assert (deadline.kind, deadline.recurrence, deadline.day, deadline.time) == ("recurring", "monthly", 22, "16:00")
    assert deadline.due is None
    assert occurrences(deadline, date(2025, 8, 1), date(2025, 10, 31)) == [
        date(2025, 8, 22), date(2025, 9, 22), date(2025, 10, 22)]


def test_occurrences_of_dated_deadline():
    deadline = Deadline(text="", kind="date", due=date(2025, 8, 31))
    assert occurrences(deadline, date(2025, 8, 1), date(2025, 8, 31)) == [date(2025, 8, 31)]
    assert occurrences(deadline, date(2025, 9, 1), date(2025, 9, 30)) == []


@pytest.mark.parametrize("text, kind", [
    ("(**lộ trình theo yêu cầu của Trung ương**)", "text"),
    ("(*Thời gian cụ thể thực hiện theo chỉ đạo của Trung ương*)", "text"),
    ("(ngay sau khi Quốc hội, Chính phủ, Ủy ban nhân dân tỉnh ban hành)", "text"),
    ("Ban Thường vụ Thành ủy thường xuyên chỉ đạo", "text"),
    ("định kỳ báo cáo Ban Thường vụ", "text"),
    ("(**đã hoàn thành**)", "done"),
])
def test_non_dates_kept_as_text(text, kind):
    deadline = parse_deadline(text)
    assert deadline.kind == kind and deadline.due is None and deadline.text


def test_cited_document_dates_are_not_deadlines():
    assert find_deadlines("Thực hiện Kết luận số 121-KL/TW, ngày 24/01/2025 của Ban Chấp hành Trung ương") == []
    assert parse_deadline("theo Kế hoạch số 03-KH/TU, ngày 14/7/2025 của Ban Thường vụ Thành uỷ") is None


def test_several_deadlines_in_text_order():
    found = find_deadlines("Các cấp ủy tổ chức quán triệt trong tháng 9/2025; Nghị quyết hoàn thành trước ngày 30/11/2025.")
    assert [d.due for d in found] == [date(2025, 9, 30), date(2025, 11, 30)]


def test_roundtrip_dict():
    deadline = parse_deadline("trước 16 giờ, ngày 23 hằng tháng")
    assert Deadline.from_dict(deadline.to_dict()) == deadline
