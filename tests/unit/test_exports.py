"""Duty exports: whole section paths, calendar titles cut at words with the whole task described, a usable XLSX."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest

from rag.duties.export import SUMMARY_CHARS, calendar_title, export_duties, full_section_path
from rag.duties.query import DutyQuery

AS_OF = date(2025, 8, 20)


@pytest.fixture(scope="module")
def duties(assistant):
    selected = assistant.duties.select(DutyQuery(units=["Ban Tổ chức Thành ủy"], today=AS_OF))[0]
    assert len(selected) >= 4
    return selected


def test_section_paths_are_whole(duties):
    rows = list(csv.DictReader(io.StringIO(export_duties(duties, "csv", as_of=AS_OF))))
    cut = [d.section for d in duties if d.section.endswith("…")]
    assert cut, "the corpus has items named by their first words in the path"
    for row, duty in zip(rows, duties):
        assert not row["Mục"].endswith("…"), row["Mục"]
        assert row["Mục"].split(" > ")[:-1] == duty.section.split(" > ")[:-1]
        assert row["Mục"].startswith(duty.section.rstrip("…").split(" > ")[0])
    assert full_section_path("5. Giao Ban Tổ chức > (1) Tiếp tục rà soát, tham…",
                             "Tiếp tục rà soát, tham mưu tăng cường cán bộ. Câu sau.") == \
        "5. Giao Ban Tổ chức > (1) Tiếp tục rà soát, tham mưu tăng cường cán bộ."


def test_calendar_titles_cut_at_words_and_descriptions_whole(duties):
    from icalendar import Calendar

    calendar = Calendar.from_ical(export_duties(duties, "ics", as_of=AS_OF))
    events = list(calendar.walk("VEVENT"))
    assert events
    by_uid = {f"{d.id}@rag-duties": d for d in duties}
    long_seen = False
    for event in events:
        duty = by_uid[str(event["uid"])]
        summary, full = str(event["summary"]), f"{', '.join(duty.units_lead)}: {' '.join(duty.action.split())}"
        assert len(summary) <= SUMMARY_CHARS + 1
        if summary.endswith("…"):
            long_seen = True
            stem = summary[:-1]
            assert full.startswith(stem) and full[len(stem)] in " ,;:.", (summary, full)
        else:
            assert summary == full
        assert " ".join(duty.action.split()) in " ".join(str(event["description"]).split())
    assert long_seen, "some task is longer than a calendar title"
    assert calendar_title("một hai ba", 6) == "một…"


def test_xlsx_has_frozen_filtered_wrapped_header(duties):
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(export_duties(duties, "xlsx", as_of=AS_OF)))
    sheet = book["Nhiệm vụ"]
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == f"A1:I{len(duties) + 1}"
    assert all(cell.font.bold for cell in sheet[1])
    assert all(cell.alignment.wrap_text for row in sheet.iter_rows() for cell in row)
    assert sheet.column_dimensions["C"].width >= 60
    assert not any(str(sheet.cell(row=r, column=8).value).endswith("…") for r in range(2, len(duties) + 2))
