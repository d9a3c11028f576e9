"""The assistant end to end on the sample corpus: cited answers, duty answers, abstention, follow-ups, CLI."""

import json
import os
import subprocess
import sys

from rag.text.normalize import contains

QUESTION = "Ban Tổ chức Thành ủy phải làm gì trước 31/8/2025?"


def test_duty_question_lists_every_task_of_that_unit_and_no_other_level(assistant):
    answer = assistant.ask(QUESTION)
    assert answer.mode == "duties" and not answer.abstained
    assert "31/8/2025" in answer.answer and "ngày 23 hằng tháng" in answer.answer
    sections = [c.section for c in answer.citations]
    assert all(s.startswith("5. Giao Ban Tổ chức Thành ủy") for s in sections), sections
    # items where Ban Tổ chức Thành ủy only receives reports are not its duties
    assert not any(contains(c.text, "Hoàn thiện hồ sơ giải quyết chế độ chính sách") for c in answer.citations)
    assert not any(contains(answer.answer, level) for level in ("Tỉnh ủy", "Huyện ủy"))
    for n in range(1, len(answer.citations) + 1):
        assert f"[{n}]" in answer.answer


def test_question_without_diacritics_gets_the_same_duties(assistant):
    accented = assistant.ask(QUESTION)
    plain = assistant.ask("ban to chuc thanh uy phai lam gi truoc 31/8/2025")
    assert [c.chunk_id for c in plain.citations] == [c.chunk_id for c in accented.citations]


def test_retrieval_answer_quotes_and_cites(assistant):
    answer = assistant.ask("Phòng Nông nghiệp và Môi trường huyện được thành lập trên cơ sở nào?")
    assert answer.mode == "retrieval" and answer.citations
    assert contains(answer.answer, "Phòng Tài nguyên và Môi trường huyện")
    first = answer.citations[0]
    assert first.doc == "huyenuy-kh-thuc-hien-ctr316.txt" and " > " in first.section
    assert answer.answer.splitlines()[0].startswith("Theo Kế hoạch")


def test_meta_question_finds_the_signer(assistant):
    answer = assistant.ask("Ai ký công văn triển khai Kết luận 183?")
    assert "Đỗ Mạnh Hiến" in answer.answer


def test_abstains_on_what_the_documents_do_not_say(assistant):
    for question in (
        "Kế hoạch thực hiện Kết luận 121 của Tỉnh ủy Quảng Ninh giao Ban Tổ chức Tỉnh ủy những việc gì?",
        "Kinh phí thực hiện sắp xếp tổ chức bộ máy của thành phố Hải Phòng năm 2025 là bao nhiêu tỷ đồng?",
        "Ủy ban Kiểm tra Tỉnh ủy Hưng Yên phải hoàn thành kế hoạch kiểm tra, giám sát trước ngày nào?",
    ):
        answer = assistant.ask(question)
        assert answer.abstained, (question, answer.answer)
        assert "không" in answer.answer


def test_follow_up_keeps_unit_and_year(assistant):
    first = assistant.ask(QUESTION)
    follow = assistant.ask("còn trước 15/8 thì sao?", conversation=first.conversation)
    assert follow.mode == "duties"
    assert "15/8/2025" in follow.answer and "Ban Tổ chức Thành ủy" in follow.answer
    assert "31/8/2025 [" not in follow.answer  # the 31/8 task is not due by 15/8


def test_cli_json_one_question_and_stdin(corpus_index):
    env = {**os.environ, "RAG_INDEX": str(corpus_index)}
    out = subprocess.run([sys.executable, "-m", "rag", "ask", "--json", QUESTION], capture_output=True, text=True,
                         env=env, check=True)
    obj = json.loads(out.stdout)
    assert set(obj) >= {"question", "answer", "abstained", "citations"}
    assert isinstance(obj["abstained"], bool) and obj["citations"]
    citation = obj["citations"][0]
    assert set(citation) >= {"n", "doc", "title", "section", "page", "text", "score"}
    assert isinstance(citation["n"], int) and isinstance(citation["score"], float) and citation["page"] is None
    lines = subprocess.run([sys.executable, "-m", "rag", "ask", "--json", "-"], input=f"{QUESTION}\n\nai ky cong van trien khai ket luan 183\n",
                           capture_output=True, text=True, env=env, check=True).stdout.splitlines()
    assert len(lines) == 2 and all(json.loads(line)["question"] for line in lines)


def test_cli_refuses_missing_index_with_rebuild_hint(tmp_path):
    result = subprocess.run([sys.executable, "-m", "rag", "ask", "câu hỏi", "--index", str(tmp_path / "none")],
                            capture_output=True, text=True)
    assert result.returncode == 1 and "rag index build" in result.stderr


def test_date_filter_uses_document_issue_dates(tmp_path):
    from datetime import date

    from rag.answering.answer import AbstainPolicy
    from rag import Assistant, Library

    (tmp_path / "docs").mkdir()
    for name, day, task in (("kh-thang-3.txt", "05 tháng 3", "rà soát biên chế"), ("kh-thang-9.txt", "10 tháng 9", "số hóa hồ sơ")):
        (tmp_path / "docs" / name).write_text(
            f"Số 12-KH/TU\n\nHải Phòng, ngày {day} năm 2025\n\nKẾ HOẠCH\n\n-----\n\n"
            f"1. Ban Tổ chức Thành ủy chủ trì {task} cán bộ cấp xã, hoàn thành trong năm 2025.\n",
            encoding="utf-8")
    Library(tmp_path / "ix", embedder="hash:64").build([tmp_path / "docs"])
    assistant = Assistant.load(tmp_path / "ix")
    assistant.policy = AbstainPolicy(min_cosine=0.0)  # the hash stand-in's cosines are not e5's
    assert assistant.documents_in_period(date_from=date(2025, 6, 1)) == ["kh-thang-9.txt"]
    answer = assistant.ask("Ban Tổ chức Thành ủy chủ trì việc gì về cán bộ cấp xã?", date_from=date(2025, 6, 1))
    assert {c.doc for c in answer.citations} == {"kh-thang-9.txt"}
    none = assistant.ask("Ban Tổ chức Thành ủy chủ trì việc gì?", date_to=date(2024, 12, 31))
    assert none.abstained and "ngày ban hành" in none.answer
