"""Vietnamese text normalization: the one home for NFC, tone-mark placement, case and diacritic folding.

Ingestion, indexing, queries and evaluation all call these functions, so that "Thành uỷ", "Thành ủy" and
"thanh uy" meet on the same tokens. Bump NORMALIZER_VERSION whenever the output of any function here changes:
the index manifest records it and refuses an index built with another version.
"""

from __future__ import annotations

import re
import unicodedata

NORMALIZER_VERSION = "vi-norm-3"

# Tone placement. Vietnamese writes the tone of the open syllables "oa", "oe", "uy" either on the first vowel
# (hòa, khỏe, thủy: the form these documents use most) or on the second (hoà, khoẻ, thuỷ). We map the second
# form to the first. "qu" is a consonant, so "quý" keeps its mark on "y". A small table we own instead of a
# GPL or unmaintained toolkit (underthesea, pyvi).
_TONES_A = "àáảãạ"
_TONES_E = "èéẻẽẹ"
_TONES_Y = "ỳýỷỹỵ"
_TONES_O = "òóỏõọ"
_TONES_U = "ùúủũụ"


def _build_tone_table() -> dict[str, str]:
    table: dict[str, str] = {}
    for i in range(5):
        table["o" + _TONES_A[i]] = _TONES_O[i] + "a"
        table["o" + _TONES_E[i]] = _TONES_O[i] + "e"
        table["u" + _TONES_Y[i]] = _TONES_U[i] + "y"
    for key, value in list(table.items()):
        table[key[0].upper() + key[1]] = value[0].upper() + value[1]
        table[key.upper()] = value.upper()
    return table


_TONE_TABLE = _build_tone_table()
_TONE_RE = re.compile(r"(?<![qQ])(" + "|".join(map(re.escape, _TONE_TABLE)) + r")(?!\w)")


def nfc(text: str) -> str:
    """Compose characters (NFC) so that precomposed and combining forms compare equal."""
    return unicodedata.normalize("NFC", text)


def fix_tone_placement(text: str) -> str:
    """Move tone marks of open "oa/oe/uy" syllables to one canonical place: "uỷ" -> "ủy", "hoà" -> "hòa"."""
    return _TONE_RE.sub(lambda m: _TONE_TABLE[m.group(1)], text)


def canonical(text: str) -> str:
    """NFC + canonical tone placement + collapsed spaces: the form stored in chunks and shown to users."""
    text = fix_tone_placement(nfc(text)).replace("\u00a0", " ")
    return re.sub(r"[ \t]+", " ", text).strip()


def fold(text: str) -> str:
    """Lower-case and strip every diacritic ("Thành ủy" -> "thanh uy"), so unaccented queries match."""
    text = nfc(text).lower().replace("đ", "d")
    decomposed = unicodedata.normalize("NFD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def match_key(text: str) -> str:
    """Accent-, tone- and case-insensitive key with single spaces, for comparing facts, units and quotes."""
    return " ".join(re.findall(r"[a-z0-9]+", fold(text)))


def contains(haystack: str, needle: str) -> bool:
    """True if `needle` occurs in `haystack`, ignoring accents, tone placement, case and punctuation."""
    key = match_key(needle)
    return bool(key) and f" {key} " in f" {match_key(haystack)} "


# --- BM25 tokenization -------------------------------------------------------------------------------
# Tokens are folded syllables, plus document codes and dates kept whole ("121-kl/tw", "31/8/2025") and
# their parts, plus syllable bigrams (Vietnamese words are mostly two syllables: "to chuc", "thanh uy").
# We feed these lists to bm25s ourselves: its own tokenizer drops one-letter syllables and splits codes.
TOKENIZER_VERSION = "syl+bigram-3"

_TOKEN_RE = re.compile(r"[a-z0-9]+(?:[/\-.][a-z0-9]+)*")
_SPACED_CODE = re.compile(r"\b(\d+)\s+-\s*([a-z]+/)|\b(\d+)-\s+([a-z]+/)")  # "208 - kh/tu" -> "208-kh/tu"
_DATE_RE = re.compile(r"^\d{1,2}(?:/\d{1,2})?/\d{4}$")


def _normalize_number_token(token: str) -> str:
    if _DATE_RE.match(token):
        return "/".join(str(int(part)) for part in token.split("/"))
    return token


def tokenize(text: str, *, bigrams: bool = True) -> list[str]:
    """Split text into BM25 tokens: folded syllables, whole codes/dates and their parts, syllable bigrams."""
    tokens: list[str] = []
    syllables: list[str] = []
    folded = _SPACED_CODE.sub(lambda m: f"{m.group(1) or m.group(3)}-{m.group(2) or m.group(4)}", fold(text))
    for raw in _TOKEN_RE.findall(folded):
        raw = raw.strip(".")
        if not raw:
            continue
        if re.search(r"[/\-.]", raw):
            tokens.append(_normalize_number_token(raw))
            parts = [p for p in re.split(r"[/\-.]", raw) if p]
            tokens.extend(str(int(p)) if p.isdigit() else p for p in parts)
            syllables.append("|")  # a code breaks the run of syllables
            continue
        token = str(int(raw)) if raw.isdigit() and len(raw) < 6 else raw
        tokens.append(token)
        syllables.append(token)
    if bigrams:
        for first, second in zip(syllables, syllables[1:]):
            if first != "|" and second != "|":
                tokens.append(f"{first}_{second}")
    return tokens


def shorten(text: str, limit: int, *, mark: str = "…") -> str:
    """`text` cut to at most `limit` characters at a word boundary, with `mark` where it was cut (never mid-word:
    "ban hành Chương»" read as if the document said "Chương")."""
    text = text.strip()
    if len(text) <= limit:
        return text
    cut = text[: max(limit - len(mark), 1) + 1].rsplit(" ", 1)[0].rstrip(",;:-– ")
    return cut + mark
