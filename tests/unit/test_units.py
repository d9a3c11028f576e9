"""Units: canonical names, aliases, and levels kept apart."""

from rag.text.units import canonical_unit, find_units, is_generic, match_unit

LEVELS = ["Ban Tổ chức Thành ủy", "Ban Tổ chức Tỉnh ủy", "Ban Tổ chức Huyện ủy", "Ban Tổ chức Đảng ủy"]


def test_levels_are_four_units():
    text = "Ban Tổ chức Thành ủy, Ban Tổ chức Tỉnh ủy, Ban Tổ chức Huyện ủy và Ban Tổ chức Đảng ủy"
    assert [m.name for m in find_units(text)] == LEVELS


def test_spelling_variants_and_aliases():
    assert canonical_unit("Ban Tổ chức Thành uỷ") == "Ban Tổ chức Thành ủy"
    assert canonical_unit("UBND thành phố") == "Ủy ban nhân dân thành phố"
    assert canonical_unit("Đảng uỷ UBND tỉnh") == "Đảng ủy Ủy ban nhân dân tỉnh"
    assert canonical_unit("HĐND tỉnh") == "Hội đồng nhân dân tỉnh"
    assert canonical_unit("MTTQ VN tỉnh") == "Mặt trận Tổ quốc Việt Nam tỉnh"


def test_match_unit_without_diacritics_keeps_levels_apart():
    assert match_unit("ban to chuc thanh uy phai lam gi", LEVELS) == ["Ban Tổ chức Thành ủy"]
    assert match_unit("BAN TỔ CHỨC TỈNH UỶ", LEVELS) == ["Ban Tổ chức Tỉnh ủy"]
    known = ["Ủy ban nhân dân thành phố", "Đảng ủy Ủy ban nhân dân thành phố"]
    assert match_unit("Đảng ủy UBND thành phố làm gì?", known) == ["Đảng ủy Ủy ban nhân dân thành phố"]


def test_generic_addressees_are_units():
    names = [m.name for m in find_units("Các cấp ủy, địa phương, cơ quan, đơn vị")]
    assert names == ["Các cấp ủy", "Các cơ quan, đơn vị"]
    assert find_units("Cấp ủy cấp xã")[0].name == "Cấp ủy cấp xã"
    assert is_generic("Các cấp ủy") and not is_generic("Ban Tổ chức Thành ủy")


def test_role_hints():
    mentions = find_units("báo cáo Thường trực Thành ủy (qua Ban Tổ chức Thành ủy) chậm nhất")
    assert [m.role for m in mentions] == ["recipient", "recipient"]
    mentions = find_units("Trường Chính trị Tô Hiệu chủ trì, phối hợp với Đảng ủy Ủy ban nhân dân thành phố")
    assert [(m.name, m.role) for m in mentions] == [
        ("Trường Chính trị Tô Hiệu", "lead"), ("Đảng ủy Ủy ban nhân dân thành phố", "support")]
