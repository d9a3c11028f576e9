"""Extractive answers: a one-line lead naming the source documents, then the relevant items, each cited `[n]`.

No language model: every sentence of an answer is a sentence of a document, so every claim is backed by the
passage it cites. When the retrieved passages do not cover the question, we abstain with a clear sentence
instead of returning the nearest passage; the thresholds come from the dev test set (`rag eval`).
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass

from .citations import CitationList
from .models import Answer
from .normalize import fold, tokenize
from .retrieval import Hit

log = logging.getLogger(__name__)

ABSTAIN_TEXT = (
    "Các văn bản hiện có không nêu thông tin để trả lời câu hỏi này. "
    "Xin hãy hỏi cụ thể hơn (tên đơn vị, văn bản, nhiệm vụ hoặc thời hạn) hoặc bổ sung văn bản liên quan."
)

# Question words and fillers that say nothing about the content sought (folded forms).
QUESTION_WORDS = set(
    """gi nao ai bao nhieu khong co la phai lam nhung viec duoc cua va cac ve theo trong thi sao the nhu
    hay hoi cho biet toi chung minh em anh chi can muon nay do kia o tai khi luc may gio dau vay a nhe
    nhiem vu yeu cau van ban noi dung quy dinh neu ra de tu den voi mot nhieu cung da se dang""".split()
)


@dataclass
class AbstainPolicy:
    """Abstain when the best passage is far in meaning or shares too little of the question's content."""

    min_cosine: float = 0.80
    min_coverage: float = 0.50


def content_tokens(question: str) -> list[str]:
    """Syllables of the question that carry content (question words removed), plus their bigrams."""
    syllables = [t for t in tokenize(question, bigrams=False) if t not in QUESTION_WORDS and not t.isdigit()]
    bigrams = [f"{a}_{b}" for a, b in zip(syllables, syllables[1:])]
    return syllables + bigrams


def coverage(question_tokens: list[str], text: str) -> float:
    """Share of the question's content tokens (syllables and bigrams) found in `text`."""
    if not question_tokens:
        return 1.0
    found = set(tokenize(text))
    return sum(t in found for t in question_tokens) / len(question_tokens)


_SENTENCE = re.compile(r"(?<=[.;!?])\s+(?=[A-ZĐÀ-Ỹ(\-])|\n+")


def _excerpt(text: str, question_tokens: list[str], *, limit: int = 700) -> str:
    """The whole passage when short; else its sentences that share most with the question, in order."""
    text = text.strip()
    if len(text) <= limit:
        return text
    sentences = [s.strip() for s in _SENTENCE.split(text) if s.strip()]
    wanted = set(question_tokens)
    scored = []
    for i, sentence in enumerate(sentences):
        tokens = set(tokenize(sentence))
        score = len(tokens & wanted) + (0.5 if re.search(r"\d{1,2}/\d{1,2}/\d{4}|hằng tháng|tháng \d", sentence) else 0)
        scored.append((score, i))
    keep: list[int] = []
    size = 0
    for score, i in sorted(scored, key=lambda x: (-x[0], x[1])):
        if size + len(sentences[i]) > limit and keep:
            continue
        keep.append(i)
        size += len(sentences[i])
    if 0 not in keep and sentences and len(sentences[0]) < 160:
        keep.append(0)  # the item's opening names who and what
    return " … ".join(sentences[i] for i in sorted(keep))


def short_title(title: str) -> str:
    """The document's kind, issuer and place ("Công văn của Ban Thường vụ Thành ủy (Hải Phòng)"), without subject."""
    head = title.split(": ", 1)[0]
    return head if len(head) <= 120 else head[:117].rsplit(" ", 1)[0] + "…"


def should_abstain(question: str, hits: list[Hit], policy: AbstainPolicy) -> tuple[bool, dict]:
    """Decide abstention from the best cosine and the question-content coverage of the top passages."""
    tokens = content_tokens(question)
    best_cov = max((coverage(tokens, h.chunk.index_text()) for h in hits[:3]), default=0.0)
    best_cos = max((h.dense_score for h in hits[:3]), default=0.0)
    signals = {"coverage": best_cov, "cosine": best_cos}
    if not hits:
        return True, signals
    return best_cos < policy.min_cosine or best_cov < policy.min_coverage, signals


def compose_answer(question: str, hits: list[Hit], *, policy: AbstainPolicy | None = None,
                   max_items: int = 4) -> Answer:
    """Build the extractive answer (or an abstention) from ranked hits."""
    policy = policy or AbstainPolicy()
    abstain, signals = should_abstain(question, hits, policy)
    if abstain:
        log.debug("abstain on %r: %s", question, signals)
        return Answer(question=question, answer=ABSTAIN_TEXT, abstained=True, mode="abstain")
    tokens = content_tokens(question)
    top = hits[0].score
    chosen = [h for h in hits if h.score >= 0.55 * top][:max_items] or hits[:1]
    top_cov = coverage(tokens, chosen[0].chunk.index_text())
    chosen = [h for h in chosen if coverage(tokens, h.chunk.index_text()) >= 0.5 * top_cov]
    cites = CitationList()
    lines = []
    for hit in chosen:
        n = cites.cite(hit.chunk, hit.score)
        excerpt = re.sub(r"^-\s+", "", _excerpt(hit.chunk.text, tokens))
        lines.append(f"- {excerpt} [{n}]")
    titles = list(dict.fromkeys(c.title for c in cites.citations))
    if len(titles) == 1:
        lead = f"Theo {titles[0] if len(titles[0]) <= 200 else short_title(titles[0])}:"
    else:
        lead = "Theo " + "; ".join(short_title(t) for t in titles) + ":"
    return Answer(question=question, answer=lead + "\n" + "\n".join(lines), abstained=False,
                  citations=cites.citations, mode="retrieval")


def is_follow_up(question: str) -> bool:
    """Short questions that lean on the previous one ("còn trước 15/8 thì sao?", "thế còn ...?")."""
    folded = fold(question).strip()
    return bool(re.match(r"^(con|the con|vay con|the|con lai)\b", folded)) or folded.endswith("thi sao?") or (
        len(folded.split()) <= 4 and folded.endswith("?")
    )
