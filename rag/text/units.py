"""Units (who): recognise the bodies that directives name, give each one canonical name, and match queries.

The same board exists at every level, and they are different units: "Ban Tổ chức Thành ủy", "Ban Tổ chức Tỉnh
ủy", "Ban Tổ chức Huyện ủy" and "Ban Tổ chức Đảng ủy" are four units. Patterns come from the sample corpus plus
generic shapes (Ban X <level> ủy, Văn phòng ..., Ủy ban Kiểm tra ..., Đảng ủy ..., Trường Chính trị ..., Ủy ban nhân
dân ..., Sở ..., Phòng ...). Aliases: UBND = Ủy ban nhân dân, HĐND = Hội đồng nhân dân, MTTQ = Mặt trận Tổ quốc
Việt Nam; `Thành uỷ`/`Thành ủy` meet through `normalize.canonical`. Generic addressees ("Các cấp ủy", "Cấp ủy cấp
xã", "Các cơ quan, đơn vị") are units too, flagged `generic`.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass

from .normalize import canonical, fold, match_key

log = logging.getLogger(__name__)

_I = re.IGNORECASE

# Board names inside a Party committee, longest first; value = canonical spelling.
_BOARDS = {
    "ban tuyen giao va dan van": "Ban Tuyên giáo và Dân vận",
    "co quan uy ban kiem tra": "Ủy ban Kiểm tra",
    "ban thuong vu": "Ban Thường vụ",
    "thuong truc": "Thường trực",
    "ban chap hanh": "Ban Chấp hành",
    "ban to chuc": "Ban Tổ chức",
    "ban tuyen giao": "Ban Tuyên giáo",
    "ban dan van": "Ban Dân vận",
    "ban noi chinh": "Ban Nội chính",
    "ban kinh te": "Ban Kinh tế",
    "uy ban kiem tra": "Ủy ban Kiểm tra",
    "van phong": "Văn phòng",
}
_BOARD_RE = (
    r"(?P<board>Ban Tuyên giáo và Dân vận|Cơ quan Ủy ban Kiểm tra|Ban Thường vụ|Thường trực|Ban Chấp hành|Ban Tổ chức"
    r"|Ban Tuyên giáo|Ban Dân vận|Ban Nội chính|Ban Kinh tế|Ủy ban Kiểm tra|Văn phòng)"
)
_LEVELS = {"thanh": "Thành ủy", "tinh": "Tỉnh ủy", "huyen": "Huyện ủy", "thi": "Thị ủy", "dang": "Đảng ủy"}
_LEVEL_RE = r"(?P<level>Thành|Tỉnh|Huyện|Thị|Đảng) ủy"
_PLACE_RE = r"(?: (?P<place>thành phố|tỉnh|huyện))?"
_UBND = r"(?:Ủy ban nhân dân|UBND)"
_HDND = r"(?:Hội đồng nhân dân|HĐND)"
_MTTQ = r"(?:(?:Ủy ban |Cơ quan Ủy ban )?(?:Mặt trận Tổ quốc Việt Nam|Mặt trận Tổ quốc|MTTQ(?: ?VN| Việt Nam)?))"
_CTXH = r"tổ chức chính trị\s*-\s*xã hội"
_CAP = r"(?!Sở\b|Phòng\b)[A-ZĐÀ-Ỹ][^\s,;:.()]*"
_LOW = r"[a-zđà-ỹ][^\s,;:.()]*"


@dataclass
class UnitMention:
    """A unit named in a text: canonical name, span in `canonical(text)`, and a role hint from its context."""

    name: str
    start: int
    end: int
    surface: str
    role: str = "mention"  # "lead" | "support" | "recipient" | "directed" | "mention"
    generic: bool = False


@dataclass
class _Pattern:
    regex: re.Pattern
    build: object  # callable(match) -> str
    generic: bool = False


def _board_name(m: re.Match) -> str:
    board = _BOARDS[match_key(m.group("board"))]
    level = m.groupdict().get("level")
    if level:
        return f"{board} {_LEVELS[match_key(level)]}"
    if m.groupdict().get("tw"):
        return f"{board} Trung ương"
    return board


def _cap(text: str) -> str:
    text = canonical(text)
    return text[:1].upper() + text[1:]


def _fixed(name: str):
    return lambda m: name


def _with_place(base: str):
    def build(m: re.Match) -> str:
        place = m.groupdict().get("place")
        return f"{base} {place.lower()}" if place else base

    return build


_PATTERNS: list[_Pattern] = [
    # Generic addressees first in the list (order only breaks ties; the longest match wins).
    _Pattern(re.compile(r"Ban Thường vụ các huyện ủy, thị ủy, thành ủy, đảng ủy trực thuộc(?: Tỉnh ủy)?", _I),
             _fixed("Ban Thường vụ các huyện ủy, thị ủy, thành ủy, đảng ủy trực thuộc Tỉnh ủy"), True),
    _Pattern(re.compile(r"Ban Thường vụ cấp ủy cấp (?P<lvl>huyện|xã|tỉnh)", _I),
             lambda m: f"Ban Thường vụ cấp ủy cấp {m.group('lvl').lower()}", True),
    _Pattern(re.compile(r"(?:các |những )?cấp ủy(?: đảng)? cấp (?P<lvl>xã|huyện|tỉnh|cơ sở)", _I),
             lambda m: f"Cấp ủy cấp {m.group('lvl').lower()}", True),
    _Pattern(re.compile(r"(?:các |những )?cấp ủy(?: đảng)? cơ sở", _I), _fixed("Các cấp ủy cơ sở"), True),
    _Pattern(re.compile(r"(?:các |những )?cấp ủy(?: đảng)?(?: các cấp)?(?:,? tổ chức đảng)?(?: trực thuộc (?:Thành|Tỉnh|Huyện|Đảng) ủy)?",
                        _I), _fixed("Các cấp ủy"), True),
    _Pattern(re.compile(r"Các ban, sở, ngành(?:, đoàn thể)?(?: (?:tỉnh|thành phố))?(?: và tương đương)?", _I),
             _fixed("Các ban, sở, ngành"), True),
    _Pattern(re.compile(r"Ủy ban kiểm tra các cấp", _I), _fixed("Ủy ban kiểm tra các cấp"), True),
    _Pattern(re.compile(r"(?:các |những )?cơ quan,? đơn vị(?:,? địa phương)?", _I), _fixed("Các cơ quan, đơn vị"), True),
    _Pattern(re.compile(r"Các cơ quan(?:, đơn vị)? khối (?:Đảng, đoàn thể tỉnh|Chính quyền địa phương)", _I),
             lambda m: _cap(m.group(0)), True),
    _Pattern(re.compile(r"(?:các )?cơ quan (?:chuyên trách,? )?tham mưu,? giúp việc " + _LEVEL_RE, _I),
             lambda m: f"Các cơ quan tham mưu, giúp việc {_LEVELS[match_key(m.group('level'))]}", True),
    _Pattern(re.compile(r"(?:các )?" + _CTXH + _PLACE_RE, _I), _with_place("Các tổ chức chính trị - xã hội"), True),
    _Pattern(re.compile(r"(?:Các )?tổ chức đảng (?:trực )?thuộc (?:Đảng bộ Các cơ quan Đảng thành phố|các cơ quan nội chính, tư pháp"
                        r"|cơ quan Hội đồng nhân dân thành phố|cơ quan Ủy ban Mặt trận Tổ quốc Việt Nam thành phố)", _I),
             lambda m: _cap(m.group(0)), True),
    _Pattern(re.compile(r"Các (?:đồng chí|đ/c) Ủy viên Ban Thường vụ(?: " + _LEVEL_RE + ")?", _I),
             lambda m: "Các đồng chí Ủy viên Ban Thường vụ"
             + (f" {_LEVELS[match_key(m.group('level'))]}" if m.group("level") else ""), True),
    _Pattern(re.compile(r"Ủy viên Ban Chấp hành Đảng bộ (?P<place>tỉnh|thành phố|huyện)", _I),
             lambda m: f"Các đồng chí Ủy viên Ban Chấp hành Đảng bộ {m.group('place').lower()}", True),
    # Boards of a Party committee, by level.
    _Pattern(re.compile(_BOARD_RE + r" (?:" + _LEVEL_RE + r"|(?P<tw>Trung ương|TW))", _I), _board_name),
    _Pattern(re.compile(r"Ban Chấp hành Đảng bộ (?P<place>Các cơ quan Đảng thành phố|thành phố|tỉnh|huyện)", _I),
             lambda m: f"Ban Chấp hành Đảng bộ {m.group('place')[0].lower() + m.group('place')[1:] if m.group('place').islower() else m.group('place')}"),
    _Pattern(re.compile(r"Ủy ban Kiểm tra(?! các cấp)", _I), _fixed("Ủy ban Kiểm tra")),
    # Party committees of a bloc.
    _Pattern(re.compile(r"Đảng ủy " + _UBND + r" (?P<place>thành phố|tỉnh|huyện)", _I),
             lambda m: f"Đảng ủy Ủy ban nhân dân {m.group('place').lower()}"),
    _Pattern(re.compile(r"Đảng ủy " + _MTTQ + _PLACE_RE, _I), _with_place("Đảng ủy Mặt trận Tổ quốc Việt Nam")),
    _Pattern(re.compile(r"Đảng ủy " + _HDND + _PLACE_RE, _I), _with_place("Đảng ủy Hội đồng nhân dân")),
    _Pattern(re.compile(r"Đảng ủy các cơ quan Đảng (?P<place>thành phố|tỉnh)", _I),
             lambda m: f"Đảng ủy Các cơ quan Đảng {m.group('place').lower()}"),
    _Pattern(re.compile(r"Đảng ủy Công an (?P<place>huyện|tỉnh|thành phố)", _I),
             lambda m: f"Đảng ủy Công an {m.group('place').lower()}"),
    _Pattern(re.compile(r"Đảng ủy Chính phủ", _I), _fixed("Đảng ủy Chính phủ")),
    # State, front, schools, mass organisations.
    _Pattern(re.compile(_UBND + r" (?P<place>thành phố|tỉnh|huyện|cấp tỉnh|cấp huyện|cấp xã)", _I),
             lambda m: f"Ủy ban nhân dân {m.group('place').lower()}"),
    _Pattern(re.compile(_HDND + r" (?P<place>thành phố|tỉnh|huyện)", _I),
             lambda m: f"Hội đồng nhân dân {m.group('place').lower()}"),
    _Pattern(re.compile(_MTTQ + _PLACE_RE, _I), _with_place("Mặt trận Tổ quốc Việt Nam")),
    _Pattern(re.compile(r"Trường Chính trị(?: Tô Hiệu| tỉnh| Nguyễn Văn Linh)?"), lambda m: _cap(m.group(0))),
    _Pattern(re.compile(r"Đoàn TNCS Hồ Chí Minh|Đoàn Thanh niên Cộng sản Hồ Chí Minh"), _fixed("Đoàn TNCS Hồ Chí Minh")),
    _Pattern(re.compile(r"Hội Cựu chiến binh(?: Các cơ quan Đảng thành phố| tỉnh| thành phố)?", _I), lambda m: _cap(m.group(0))),
    _Pattern(re.compile(r"Sở " + _CAP + r"(?: " + _LOW + r")?(?:(?:,| và| -) " + _CAP + r"(?: " + _LOW + r")?)*"),
             lambda m: canonical(m.group(0))),
    _Pattern(re.compile(r"Phòng " + _CAP + r"(?: " + _LOW + r")?(?:(?:,| và| -) " + _CAP + r"(?: " + _LOW + r")?)*"),
             lambda m: canonical(m.group(0))),
]

# Role hints from the words just before a mention (folded, accent-free).
_SUPPORT_BEFORE = re.compile(r"phoi hop(?: voi)?(?: cac)?\s*$")
_RECIPIENT_BEFORE = re.compile(
    r"(?:\bqua|bao cao|de xuat|trinh|tham muu(?: cho| voi)?|cua|voi|theo|gui|huong dan cua|chi dao cua)\s*$"
)
_DIRECTED_BEFORE = re.compile(r"(?:chi dao|lanh dao|giao cho|giao|yeu cau)\s*$")


# Characters before a mention that decide its role (`_role` reads the last 40 folded ones): passing the whole text
# before it made finding units quadratic (a 256 KB paragraph: 8 s of 11 s of duty extraction).
_ROLE_WINDOW = 120


def _role(before: str) -> str:
    tail = fold(before)[-40:].rstrip(" ,(")
    if not tail.strip(" -:;.(") or re.search(r"[.;:]\s*$", fold(before)[-40:]):
        return "lead"
    if _SUPPORT_BEFORE.search(tail):
        return "support"
    if re.search(r"(?:^|\W)giao(?: cho)?\s*$", tail) or tail.endswith("yeu cau"):
        return "lead"
    if _DIRECTED_BEFORE.search(tail):
        return "directed"
    if _RECIPIENT_BEFORE.search(tail):
        return "recipient"
    return "mention"


def find_units(text: str) -> list[UnitMention]:
    """Units named in `text`, in order, without overlaps (the longest match wins). Spans index `canonical(text)`."""
    text = canonical(text)
    candidates: list[tuple[int, int, int, str, bool]] = []
    for order, pattern in enumerate(_PATTERNS):
        for m in pattern.regex.finditer(text):
            if m.end() <= m.start():
                continue
            candidates.append((m.start(), m.end(), order, pattern.build(m), pattern.generic))
    candidates.sort(key=lambda c: (c[0], -(c[1] - c[0]), c[2]))
    mentions: list[UnitMention] = []
    last_end = -1
    for start, end, _order, name, generic in candidates:
        if start < last_end:
            continue
        if start > 0 and text[start - 1].isalnum():  # inside a word
            continue
        mentions.append(UnitMention(name=name, start=start, end=end, surface=text[start:end],
                                    role=_role(text[max(0, start - _ROLE_WINDOW):start]), generic=generic))
        last_end = end
    # "Mặt trận Tổ quốc Việt Nam và các tổ chức chính trị - xã hội thành phố": the place applies to both.
    for first, second in zip(mentions, mentions[1:]):
        gap = text[first.end:second.start].strip()
        if gap == "và" and first.name == "Mặt trận Tổ quốc Việt Nam" and second.name.startswith("Các tổ chức chính trị"):
            place = second.name.rsplit(" - xã hội", 1)[-1].strip()
            if place:
                first.name = f"{first.name} {place}"
    return mentions


def is_generic(name: str) -> bool:
    """True for generic addressees ("Các cấp ủy", "Cấp ủy cấp xã", "Các cơ quan, đơn vị", ...)."""
    key = match_key(name)
    return key.startswith(("cac ", "cap uy", "ban thuong vu cap uy", "ban thuong vu cac ", "uy ban kiem tra cac cap",
                           "to chuc dang"))


def canonical_unit(name: str) -> str:
    """Canonical name of a unit written any way ("Ban Tổ chức Thành uỷ", "UBND thành phố", "ban to chuc thanh uy"
    only when accents are present; unknown names come back NFC-cleaned with a capital first letter)."""
    cleaned = canonical(name).strip(" ,;:.")
    mentions = find_units(cleaned)
    if mentions and mentions[0].start <= 1 and len(mentions[0].surface) >= 0.6 * len(cleaned):
        return mentions[0].name
    return _cap(cleaned) if cleaned else cleaned


_QUERY_ALIASES = [
    (re.compile(r"\btncs\b"), "thanh nien cong san"),
    (re.compile(r"\bubnd\b"), "uy ban nhan dan"),
    (re.compile(r"\bhdnd\b"), "hoi dong nhan dan"),
    (re.compile(r"\bmttq(?: vn| viet nam)?\b"), "mat tran to quoc viet nam"),
    (re.compile(r"\bbtc\b"), "ban to chuc"),
    (re.compile(r"\bubkt\b"), "uy ban kiem tra"),
]


def _query_key(text: str) -> str:
    key = match_key(text)
    for regex, replacement in _QUERY_ALIASES:
        key = regex.sub(replacement, key)
    return key


def match_unit(query_text: str, known_units: list[str] | set[str]) -> list[str]:
    """Known units named in a query, accent- and case-insensitively, longest first where they overlap.

    "ban to chuc thanh uy" finds "Ban Tổ chức Thành ủy" and not "Ban Tổ chức Tỉnh ủy"; "Đảng ủy UBND thành phố"
    finds "Đảng ủy Ủy ban nhân dân thành phố" and not also "Ủy ban nhân dân thành phố".
    """
    query = f" {_query_key(query_text)} "
    hits: list[tuple[int, int, str]] = []
    for unit in dict.fromkeys(known_units):
        key = _query_key(unit)
        if not key:
            continue
        for m in re.finditer(re.escape(f" {key} "), query):
            hits.append((m.start(), m.end(), unit))
    hits.sort(key=lambda h: (-(h[1] - h[0]), h[0]))
    kept: list[tuple[int, int, str]] = []
    for hit in hits:
        if any(hit[0] >= k[0] and hit[1] <= k[1] for k in kept):
            continue
        kept.append(hit)
    kept.sort(key=lambda h: h[0])
    return list(dict.fromkeys(h[2] for h in kept))


# --- units named in a question, as officials write them ---------------------------------------------------------
# A board with its level ("ban tuyen giao thanh uy"), a bloc committee or state body with its place
# ("dang uy uy ban nhan dan thanh pho"): phrases that name one unit, in folded form.
_UNIT_PHRASE = re.compile(
    r"\b(?:(?:ban to chuc|ban tuyen giao va dan van|ban tuyen giao|ban dan van|ban noi chinh|ban kinh te"
    r"|uy ban kiem tra|van phong|ban thuong vu|ban chap hanh|thuong truc)\s+(?:thanh uy|tinh uy|huyen uy|dang uy"
    r"|thi uy)|(?:dang uy|uy ban nhan dan|hoi dong nhan dan|cong an)\s+(?:thanh pho|tinh|huyen)"
    r"|truong chinh tri|doan thanh nien|mat tran to quoc(?: viet nam)?"
    # any other board of a committee ("Ban Đối ngoại Thành ủy"): "bàn giao", "ban hành" are verbs, not boards
    r"|(?<!van )ban (?!hanh\b|giao\b|nganh\b|ngay\b|dau\b)(?:(?!nao\b|gi\b|cua\b|va\b|la\b|cho\b|voi\b|nay\b)"
    r"[a-z]+ ){1,3}?(?:thanh uy|tinh uy|huyen uy|thi uy))\b"
)


_LEVEL_AFTER = re.compile(r"\s+(huyen|tinh|thanh pho|xa|phuong|thi xa)\b")


def _is_subsequence(short: list[str], long: list[str]) -> bool:
    it = iter(long)
    return all(token in it for token in short)


def _unit_tokens(unit: str) -> list[str]:
    return _query_key(unit).split()


_SUBORDINATE = frozenset({"cac", "nhung", "truc", "thuoc"})


def resolve_unit_phrase(phrase: str, known_units) -> list[str]:
    """Known units a short or partial name stands for: "ban tuyen giao thanh uy" -> "Ban Tuyên giáo và Dân vận
    Thành ủy" (the short name people use), "truong chinh tri" -> "Trường Chính trị Tô Hiệu", "doan thanh nien" ->
    "Đoàn TNCS Hồ Chí Minh". The phrase's words must appear in the unit's name in order, starting with its first
    word and, when the phrase names a level ("... thanh uy"), ending with that level: another level is another
    unit."""
    words = phrase.split()
    level = words[-2:] if words[-1] == "uy" else None
    found = []
    for unit in known_units:
        tokens = _unit_tokens(unit)
        if not tokens or tokens[0] != words[0] or not _is_subsequence(words, tokens):
            continue
        if level and tokens[-2:] != level:
            continue
        if _SUBORDINATE & set(tokens) - set(words):
            # "Ban Thường vụ Tỉnh ủy" is not "Ban Thường vụ các huyện ủy, ... trực thuộc Tỉnh ủy": words that make
            # the name plural or subordinate name other units than the phrase does
            continue
        found.append(unit)
    return found


def units_in_question(readings: list[str], known_units) -> tuple[list[str], list[str]]:
    """(known units a question names, unit-like phrases of it that match no known unit), over the readings of the
    question (folded, abbreviations expanded: `rag.text.abbreviations.expand`). A unit found in any reading counts;
    a phrase is unknown only when no reading finds a unit for it."""
    named: list[str] = []
    unknown_by_reading: list[set[str]] = []
    for reading in readings:
        exact = match_unit(reading, known_units)
        named.extend(exact)
        covered = [_query_key(u) for u in exact]
        unknown: set[str] = set()
        for m in _UNIT_PHRASE.finditer(reading):
            phrase = m.group(0)
            if any(phrase in key or key in phrase for key in covered):
                continue
            partial = resolve_unit_phrase(phrase, known_units)
            after = _LEVEL_AFTER.match(reading, m.end())
            if after and partial:
                # "MTTQ huyện": the phrase names no level, the next word does; the province's or the city's front
                # is another unit (a unit's level is its last words: "... Việt Nam thành phố").
                level = after.group(1).split()
                partial = [u for u in partial if _unit_tokens(u)[-len(level):] == level]
            if partial:
                named.extend(partial)
            else:
                unknown.add(phrase)
        unknown_by_reading.append(unknown)
    unknown_all = set.intersection(*unknown_by_reading) if unknown_by_reading else set()
    return list(dict.fromkeys(named)), sorted(unknown_all)


def closest_units(phrase: str, known_units, *, limit: int = 3) -> list[str]:
    """Known units whose names share most words with a phrase (suggestions for an unknown unit)."""
    words = set(_query_key(phrase).split())
    scored = sorted(((len(words & set(_unit_tokens(u))) / max(1, len(words | set(_unit_tokens(u)))), u)
                     for u in known_units), reverse=True)
    return [u for score, u in scored[:limit] if score > 0.2]
