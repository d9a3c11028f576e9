"""Duties on the real corpus: extraction, questions by unit and date, exports, and the hand-labelled gold list."""

import dataclasses
from datetime import date
from pathlib import Path

import pytest

from rag.answering.duty_answer import answer_from_duties, duty_query_for
from rag.answering.question import Question
from rag.documents.ingest import collect_files, load_document
from rag.duties.export import duty_status, export_duties
from rag.duties.extract import duties_from_paths
from rag.duties.model import Duty
from rag.duties.query import DutyQuery, as_table, select_duties
from rag.evaluation.duties import load_gold, score_duties

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT / "corpus"
KL183 = "haiphong-thanhuy-cv-trien-khai-kl183.txt"
TODAY = date(2025, 8, 10)


@pytest.fixture(scope="module")
def duties() -> list[Duty]:
    return duties_from_paths(CORPUS)


@pytest.fixture(scope="module")
def chunks_by_id():
    return {c.id: c for path in collect_files(CORPUS) for c in load_document(path).chunks}


@pytest.fixture(scope="module")
def known(duties):
    return sorted({u for d in duties for u in d.units})


def parse_duty_query(text, *, known_units, today):
    """The duty query a question states, read the way the assistant reads it."""
    return Question.read(text, known_units=known_units, today=today).duty_query()


def _answer(question, duties, chunks_by_id, *, known, previous=None, limit=40):
    q = Question.read(question, known_units=known, today=TODAY)
    query = duty_query_for(q, previous, set()) if previous else q.duty_query()
    return answer_from_duties(q, query, duties=as_table(duties), chunks_by_id=chunks_by_id, limit=limit)


def test_ban_to_chuc_thanh_uy_before_31_8(duties, known):
    for question in ("Ban Tổ chức Thành ủy phải làm gì trước 31/8/2025?", "ban to chuc thanh uy phai lam gi truoc 31/8/2025"):
        query = parse_duty_query(question, known_units=known, today=TODAY)
        assert query.units == ["Ban Tổ chức Thành ủy"] and query.window.before == date(2025, 8, 31)
        selected = select_duties(duties, query)
        assert {d.doc for d in selected} == {KL183}
        assert all("Ban Tổ chức Thành ủy" in d.units_lead for d in selected)
        assert sorted((d.due, d.deadline.day) for d in selected if d.due) == [(date(2025, 8, 31), None)]
        recurring = [d for d in selected if d.recurring]
        assert len(recurring) == 1 and recurring[0].deadline.day == 23 and "(4)" in recurring[0].section
        # Items where Ban Tổ chức Thành ủy only receives reports (1.(3) due 15/8, 1.(4) day 22) are not its duties.
        assert not any(d.deadline.day == 22 or d.due == date(2025, 8, 15) for d in selected)


def test_recurring_in_window_even_when_today_is_later(duties, known):
    query = parse_duty_query("Ban Tổ chức Thành ủy phải làm gì trước 31/8/2025?", known_units=known, today=date(2026, 11, 23))
    selected = select_duties(duties, query)
    assert {d.deadline.day for d in selected if d.recurring} == {23}
    assert date(2025, 8, 31) in {d.due for d in selected}


def test_other_levels_not_mixed_in(duties, known):
    query = parse_duty_query("Ban Tổ chức Thành ủy có những nhiệm vụ gì?", known_units=known, today=TODAY)
    units = {u for d in select_duties(duties, query) for u in d.units}
    assert "Ban Tổ chức Thành ủy" in units
    assert not units & {"Ban Tổ chức Tỉnh ủy", "Ban Tổ chức Huyện ủy", "Ban Tổ chức Đảng ủy"}
    query = parse_duty_query("ban to chuc tinh uy", known_units=known, today=TODAY)
    assert query.units == ["Ban Tổ chức Tỉnh ủy"]
    assert all("Ban Tổ chức Tỉnh ủy" in d.units for d in select_duties(duties, query))


@pytest.mark.parametrize("question, expected", [
    ("Đảng ủy UBND thành phố phải làm gì trước 31/8/2025?", [date(2025, 8, 29), date(2025, 8, 29), date(2025, 8, 31)]),
    ("Đảng ủy Mặt trận Tổ quốc Việt Nam thành phố phải làm gì trước 31/8/2025?", [date(2025, 8, 31)]),
    ("Ban Tuyên giáo và Dân vận Đảng ủy phải làm gì trong tháng 11/2025?", [date(2025, 11, 30)]),
    ("Ban Tổ chức Tỉnh ủy phải hoàn thành gì trong tháng 3/2025?", [date(2025, 3, 31)]),
    ("Ban Tổ chức Tỉnh ủy có việc gì trong quý I/2025?", [date(2025, 3, 31)]),
])
def test_units_with_deadlines(duties, known, question, expected):
    query = parse_duty_query(question, known_units=known, today=TODAY)
    selected = select_duties(duties, query)
    assert sorted(d.due for d in selected if not d.recurring) == expected


def test_no_window_lists_undated_duties_too(duties, known):
    query = parse_duty_query("Văn phòng Thành ủy", known_units=known, today=TODAY)
    assert query and query.window is None
    selected = select_duties(duties, query)
    assert selected and all(d.due is None for d in selected)
    windowed = parse_duty_query("Văn phòng Thành ủy trước 31/12/2025", known_units=known, today=TODAY)
    assert select_duties(duties, windowed) == []


def test_window_words(known):
    q = parse_duty_query("phai lam gi truoc ngay 15/8", known_units=known, today=TODAY)
    assert q.window.before == date(2025, 8, 15) and not q.units
    q = parse_duty_query("việc nào quá hạn?", known_units=known, today=TODAY)
    assert q.window.overdue_as_of == TODAY
    q = parse_duty_query("nhiệm vụ nào đến hạn?", known_units=known, today=TODAY)
    assert q.window.due_soon_as_of == TODAY
    assert parse_duty_query("Thủ đô của Việt Nam là gì?", known_units=known, today=TODAY) is None


def test_answer_text_and_citations(duties, chunks_by_id, known):
    answer = _answer("Ban Tổ chức Thành ủy phải làm gì trước 31/8/2025?", duties, chunks_by_id, known=known)
    assert answer.mode == "duties" and not answer.abstained
    lines = answer.answer.splitlines()
    assert "Ban Tổ chức Thành ủy" in lines[0] and "183-KL/TW" in lines[0]
    assert len(lines) == 3 and all(line.startswith("- ") and " — hạn: " in line for line in lines[1:])
    assert any("(định kỳ hằng tháng, ngày 23)" in line for line in lines)
    assert [c.n for c in answer.citations] == [1, 2]
    assert all(c.score == 1.0 and c.doc == KL183 and c.text for c in answer.citations)
    assert parse_duty_query("Thủ đô của Việt Nam là gì?", known_units=known, today=TODAY) is None


def test_follow_up_reuses_unit(duties, chunks_by_id, known):
    previous = parse_duty_query("Đảng ủy UBND thành phố phải làm gì trước 31/8/2025?", known_units=known, today=TODAY)
    answer = _answer("còn trước 30/8/2025 thì sao?", duties, chunks_by_id, known=known, previous=previous)
    assert "Đảng ủy Ủy ban nhân dân thành phố" in answer.answer.splitlines()[0]
    assert answer.answer.count("hạn: hoàn thành trước ngày 29/8/2025 [") == 2 and "31/8/2025 [" not in answer.answer


def test_status(duties):
    by_due = {d.due: d for d in duties if d.due}
    assert duty_status(by_due[date(2025, 8, 15)], date(2025, 8, 20)) == "quá hạn"
    assert duty_status(by_due[date(2025, 8, 15)], date(2025, 8, 10)) == "đến hạn trong 7 ngày"
    assert duty_status(by_due[date(2025, 8, 31)], date(2025, 8, 1)) == "còn hạn"
    assert duty_status(next(d for d in duties if d.deadline and d.deadline.kind == "done"), TODAY) == "đã hoàn thành"
    assert duty_status(next(d for d in duties if d.deadline is None), TODAY) == "không có hạn"


def test_ics_and_xlsx(duties, tmp_path):
    from icalendar import Calendar
    from openpyxl import load_workbook

    selected = [d for d in duties if d.doc == KL183]
    dated = [d for d in selected if d.deadline and d.deadline.dated]
    calendar = Calendar.from_ical(export_duties(selected, "ics", as_of=TODAY))
    events = list(calendar.walk("VEVENT"))
    assert len(events) == len(dated)
    rules = [e.get("rrule") for e in events if e.get("rrule")]
    assert len(rules) == 2 and all(r["FREQ"] == ["MONTHLY"] for r in rules)
    assert sorted(r["BYMONTHDAY"][0] for r in rules) == [22, 23]
    path = tmp_path / "duties.xlsx"
    path.write_bytes(export_duties(selected, "xlsx", as_of=TODAY))
    sheet = load_workbook(path).active
    assert sheet.max_row == len(selected) + 1 and sheet.cell(1, 1).value == "Đơn vị chủ trì"
    assert "Các cấp ủy" in export_duties(selected, "csv", as_of=TODAY)
    assert Duty.from_dict(selected[0].to_dict()) == selected[0]


def test_gold_precision_recall(duties):
    gold = load_gold(ROOT / "eval" / "duties_gold.jsonl")
    texts = {p.name: p.read_text(encoding="utf-8") for p in CORPUS.glob("*.txt")}
    from rag.text.normalize import match_key
    assert all(match_key(g["quote"]) in match_key(texts[g["doc"]]) for g in gold)
    result = score_duties(duties, gold)
    assert result["precision"] >= 0.90 and result["recall"] >= 0.90, result


def test_long_lists_are_cut_with_the_count(duties, chunks_by_id, known):
    """An answer lists at most `limit` duties (earliest first) and says how many more there are."""
    question = "Các cấp ủy phải làm gì?"
    query = parse_duty_query(question, known_units=known, today=TODAY)
    every = select_duties(duties, query)
    assert len(every) > 3
    answer = _answer(question, duties, chunks_by_id, known=known, limit=3)
    lines = [line for line in answer.answer.splitlines() if line.startswith("- ")]
    assert len(lines) == 4 and f"và {len(every) - 3} nhiệm vụ khác" in lines[-1]
    assert f"({len(every)} nhiệm vụ)" in answer.answer.splitlines()[0]
    for duty, line in zip(every[:3], lines):
        assert duty.action[:40] in line


def test_index_duty_table_selects_like_the_list(tmp_path, duties, known):
    """The index's duty table (columns read from segment files, one document deleted) selects exactly what the
    same duties selected in memory do, for every unit and several windows."""
    from rag.duties.table import DutyTable
    from rag.library import Library

    library = Library(tmp_path / "ix", embedder="hash:32")
    library.build([CORPUS])
    library.remove([KL183])
    table = library.duty_table()
    assert isinstance(table, DutyTable)
    kept = [d for d in duties if d.doc != KL183]
    assert [d.id for d in table] == [d.id for d in kept]
    doc_of = {d.id: d.doc for d in kept}
    windows = ["", " trước 31/8/2025", " trong tháng 9/2025", " quý IV/2025", " quá hạn", " từ 1/8/2025 đến 15/9/2025"]
    for unit in known:
        for window in windows:
            query = parse_duty_query(f"{unit} phải làm gì{window}?", known_units=known, today=TODAY)
            if query is None:
                continue
            expected = [d.id for d in select_duties(kept, query)]
            assert [d.id for d in table.select(query)[0]] == expected, (unit, window)
            assert table.select(query, limit=2)[1] == len(expected)
            for doc in sorted({d.doc for d in kept}):  # one document: the same duties, those of that document
                in_doc = dataclasses.replace(query, doc=doc)
                assert [d.id for d in table.select(in_doc)[0]] == [i for i in expected if doc_of[i] == doc]
    everything = [d.id for d in table.select(DutyQuery(today=TODAY))[0]]
    for doc in sorted(set(doc_of.values())):  # one document, any unit
        chosen = [d.id for d in table.select(DutyQuery(doc=doc, today=TODAY))[0]]
        assert chosen and chosen == [i for i in everything if doc_of[i] == doc]
