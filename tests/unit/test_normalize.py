"""Vietnamese normalization: tone placement, folding, tokenization (codes and one-letter syllables kept)."""

from rag.text.normalize import canonical, contains, fix_tone_placement, fold, match_key, tokenize


def test_tone_placement_variants_meet():
    assert fix_tone_placement("Thành uỷ") == "Thành ủy"
    assert fix_tone_placement("hoà bình, khoẻ mạnh, thuỷ lợi") == "hòa bình, khỏe mạnh, thủy lợi"
    assert fix_tone_placement("HOÀ") == "HÒA"
    # "qu" is a consonant: the mark stays on "y"; closed syllables are untouched.
    assert fix_tone_placement("quý I") == "quý I"
    assert fix_tone_placement("hoàn thành, toán") == "hoàn thành, toán"


def test_nfc_and_spaces():
    decomposed = "Tho\u0302\u0301ng"  # combining marks
    assert canonical(decomposed + "  nhất") == "Thống nhất"


def test_fold_strips_all_diacritics():
    assert fold("Ban Tổ chức Thành ủy Đảng") == "ban to chuc thanh uy dang"
    assert match_key("Ủy ban  nhân-dân") == "uy ban nhan dan"


def test_contains_ignores_accents_tones_case():
    assert contains("Ban Tổ chức Thành uỷ chủ trì", "ban to chuc thanh ủy")
    assert not contains("Ban Tổ chức Tỉnh ủy", "Ban Tổ chức Thành ủy")
    assert not contains("anything", "")


def test_tokenize_keeps_codes_dates_and_one_letter_syllables():
    tokens = tokenize("Ý kiến ở Kết luận số 121-KL/TW trước ngày 31/08/2025")
    assert "y" in tokens and "o" in tokens  # "ý", "ở"
    assert "121-kl/tw" in tokens and "121" in tokens
    assert "31/8/2025" in tokens  # leading zero normalised
    assert "ket_luan" in tokens
    assert tokenize("Kết luận") == tokenize("ket luan")
