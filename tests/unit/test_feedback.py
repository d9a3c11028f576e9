"""The feedback file and the test cases made from it (rag.feedback)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest

from rag.errors import InputError
from rag.evaluation.testset import load_testset
from rag.feedback import FeedbackStore, append_case, make_case, user_testset_path

CITE = {"n": 1, "chunk_id": "a.txt#3", "doc": "a.txt", "short": "CV · HP", "section": "1. Giao", "page": None,
        "text": "Giao Ban Tổ chức Thành ủy hoàn thành trước ngày 31/8/2025."}


def test_ratings_from_many_threads_are_all_kept(tmp_path):
    store = FeedbackStore(tmp_path)
    with ThreadPoolExecutor(8) as pool:
        ids = list(pool.map(lambda i: store.add(rating="down" if i % 2 else "up", question=f"câu {i}", answer="…",
                                                citations=[CITE], generation="gen-1"), range(40)))
    assert sorted(ids) == list(range(1, 41))
    assert len(store.list()) == 40 and len(store.list(rating="down")) == 20
    store.set_comment(5, "thiếu ý")
    store.set_rating(5, "up")
    record = store.get(5)
    assert (record.comment, record.rating, record.citations) == ("thiếu ý", "up", [CITE])
    with pytest.raises(ValueError):
        store.add(rating="meh", question="q", answer="a")


def test_a_case_joins_the_user_test_set_and_loads(tmp_path):
    store = FeedbackStore(tmp_path)
    fid = store.add(rating="down", question="BTC phải làm gì?", answer="…", citations=[CITE],
                    history=["câu trước"])
    case = make_case(store.get(fid), facts=["31/8/2025", " "], evidence=[CITE])
    assert case["id"] == f"fb-{fid}" and case["facts"] == ["31/8/2025"] and case["history"] == ["câu trước"]
    path = append_case(user_testset_path(tmp_path), case)
    append_case(path, {**case, "facts": ["31/8/2025", "Ban Tổ chức"]})  # same id: replaced, not duplicated
    cases = load_testset(path)
    assert [c.id for c in cases] == [f"fb-{fid}"] and cases[0].facts == ["31/8/2025", "Ban Tổ chức"]
    assert cases[0].evidence[0].quote in CITE["text"]


def test_a_case_without_facts_or_with_facts_but_no_answer_is_refused(tmp_path):
    store = FeedbackStore(tmp_path)
    record = store.get(store.add(rating="down", question="q?", answer="a"))
    with pytest.raises(InputError) as info:
        make_case(record, facts=[], evidence=[])
    assert info.value.code == "feedback_case_empty" and "ý đúng" in info.value.message_vi
    unanswerable = make_case(record, facts=["x"], evidence=[CITE], answerable=False)
    assert unanswerable["facts"] == [] and unanswerable["evidence"] == []
