"""The abbreviations officials write in questions ("BTC TU phai lam gi", "UBKT TU HP", "DU UBND TP", "PCTN"),
expanded to the words the documents use.

The table is the everyday paperwork's (shared/domain-notes.md), not the corpus's. Short forms that are also common
syllables once diacritics are gone ("tu" is từ/tư/tự, "du" is dự, "ca" is cả) are expanded only where they cannot
be those words: written in capitals, or right after a board's name ("ban to chuc tu", "thuong truc tu") when typed
without marks ("Ban Quản lý dự án", "tên đầy đủ": "dự" and "đủ" are words). "TU" is
Thành ủy in a city and Tỉnh ủy in a province: the caller says which (from the places the question names); without a
place both readings are returned.
"""

from __future__ import annotations

import itertools
import re

from .normalize import fold

# Always expanded (folded forms).
ALWAYS = {
    "btc": "ban to chuc", "btg": "ban tuyen giao", "bdv": "ban dan van", "btgdv": "ban tuyen giao va dan van",
    "btg&dv": "ban tuyen giao va dan van", "tg&dv": "tuyen giao va dan van", "tgdv": "tuyen giao va dan van",
    "ubkt": "uy ban kiem tra", "bnc": "ban noi chinh", "bcs": "ban can su dang", "btv": "ban thuong vu",
    "bct": "bo chinh tri", "bbt": "ban bi thu", "bch": "ban chap hanh", "bcd": "ban chi dao", "ubnd": "uy ban nhan dan",
    "hdnd": "hoi dong nhan dan", "mttq": "mat tran to quoc viet nam", "ubmttq": "uy ban mat tran to quoc viet nam",
    "cqd": "cac co quan dang", "db": "dang bo", "dtn": "doan thanh nien", "hlhpn": "hoi lien hiep phu nu", "ccb": "cuu chien binh",
    "ldld": "lien doan lao dong", "pctn": "phong, chong tham nhung", "cchc": "cai cach hanh chinh",
    "cds": "chuyen doi so", "qp-an": "quoc phong, an ninh", "qpan": "quoc phong, an ninh", "kt-xh": "kinh te - xa hoi",
    "ktxh": "kinh te - xa hoi", "ct-xh": "chinh tri - xa hoi", "ctxh": "chinh tri - xa hoi", "tp": "thanh pho",
    "ldtbxh": "lao dong - thuong binh va xa hoi", "gtvt": "giao thong van tai", "tnmt": "tai nguyen va moi truong",
    "khdt": "ke hoach va dau tu", "kh&dt": "ke hoach va dau tu", "khcn": "khoa hoc va cong nghe",
    "kh&cn": "khoa hoc va cong nghe", "nnptnt": "nong nghiep va phat trien nong thon",
    "nn&ptnt": "nong nghiep va phat trien nong thon", "gddt": "giao duc va dao tao", "gd&dt": "giao duc va dao tao",
    "vhttdl": "van hoa, the thao va du lich", "qlda": "quan ly du an", "tw": "trung uong", "vp": "van phong",
    "bt": "bi thu", "pbt": "pho bi thu", "tttu": "thuong truc tu", "tthu": "thuong truc huyen uy",
    "ko": "khong", "k0": "khong", "hok": "khong",  # chat spellings of "không" ("... dung ko?")
    "nhg": "nhung", "nhug": "nhung",  # "những", typed short ("phụ trách nhg việc gì")
    # the paperwork's shorthand for what a decision sets ("QĐ về CN, NV, CCTC của CQCM", "y/c phải bảo đảm gì")
    "y/c": "yeu cau", "v/v": "ve viec", "cctc": "co cau to chuc", "cqcm": "co quan chuyen mon",
    "cbcc": "can bo, cong chuc", "cbccvc": "can bo, cong chuc, vien chuc", "ccvc": "cong chuc, vien chuc",
}
# Expanded only in capitals or after a board's name.
CONTEXTUAL = {"tu": "tu", "hu": "huyen uy", "du": "dang uy", "tt": "thuong truc", "ca": "cong an", "qs": "quan su",
              "hnd": "hoi nong dan", "tn": "thanh nien"}
COUNCILS = ("thanh uy", "tinh uy")  # what "TU" can mean
_HEADS = re.compile(r"(?:^|\s)(ban(?: [a-z]+){1,5}|uy ban kiem tra|van phong|thuong truc|bi thu|pho bi thu|dang uy|doan"
                    r"|cac co quan dang|uy ban nhan dan|hoi dong nhan dan|mat tran to quoc viet nam)\s*$")
_TOKEN = re.compile(r"[^\s,;:?!()\"“”.]+(?:\.[^\s,;:?!()\"“”.]+)*|[\s,;:?!()\"“”.]+")


def expand(text: str, *, councils: tuple[str, ...] = COUNCILS, places: dict[str, str] | None = None) -> list[str]:
    """The question folded with its abbreviations expanded: one text per reading of "TU" (`councils`).

    `places` maps folded place abbreviations to folded place names ("hp" -> "hai phong"), from the indexed
    documents' places."""
    places = places or {}
    pieces: list[str | None] = []  # None marks a "TU" to fill in
    for token in _TOKEN.findall(text):
        folded = fold(token)
        if not token.strip() or not re.search(r"[a-z]", folded):
            pieces.append(folded)
            continue
        previous = "".join(p for p in pieces if p is not None)
        joined = _joined(folded) if not _accented(token) else None
        if folded in ALWAYS:
            expansion = ALWAYS[folded]
        elif joined:
            expansion = joined
        elif folded in places:
            expansion = places[folded]
        elif folded in CONTEXTUAL and (token.isupper() or (_HEADS.search(previous) and not _accented(token))):
            expansion = CONTEXTUAL[folded]
        else:
            pieces.append(folded)
            continue
        if folded.endswith("tu") and (expansion == "tu" or expansion.endswith(" tu")):
            # "TU", "tttu", "VPTU": the council, read both ways ("KHĐT" is "kế hoạch và đầu tư": no council)
            pieces.append(expansion[:-2])
            pieces.append(None)
        else:
            pieces.append(expansion)
    holes = sum(1 for p in pieces if p is None)
    readings = []
    for choice in itertools.product(councils, repeat=holes) if holes else [()]:
        filled = iter(choice)
        readings.append("".join(next(filled) if p is None else p for p in pieces))
    readings = [_CHAT_NO.sub(r"\1 khong", _BOARD_SIDE.sub(lambda m: _SIDES[m.group(1)], r)) for r in readings]
    return [re.sub(r"\s+", " ", r).strip() for r in dict.fromkeys(readings)]


# "... ban hành ngày 31/12/2023 đúng k?": "không" typed as one letter, read so only where a question ends asking it
_CHAT_NO = re.compile(r"\b(dung|phai|duoc|co|hay)\s+(?:k|kg|khg|kh|hong)(?=\s*[?.!]*\s*$)")
# "bên tổ chức phải lo những gì": officials name a board by its field ("the organisation side")
_SIDES = {"to chuc": "ban to chuc", "tuyen giao": "ban tuyen giao", "dan van": "ban dan van",
          "noi chinh": "ban noi chinh", "kiem tra": "uy ban kiem tra", "van phong": "van phong"}
_BOARD_SIDE = re.compile(r"\bben (to chuc|tuyen giao|dan van|noi chinh|kiem tra|van phong)\b"
                         r"(?!\s+(?:dang|co so|chinh tri|hoi nghi|dai hoi|thuc hien))")


_SEPARATORS = re.compile(r"[-&.]")


def _joined(folded: str) -> str | None:
    """An abbreviation written with other separators ("LĐ-TB&XH" for "LĐTBXH", "TG-DV") or run together with the
    council or level it belongs to ("VPTU", "BTCTU", "UBKTHU", "UBNDTP": no Vietnamese syllable is spelt so),
    expanded; else None."""
    plain = _SEPARATORS.sub("", folded)
    if plain != folded and plain in ALWAYS:
        return ALWAYS[plain]
    for council in ("tu", "hu", "du", "tp", "tw"):
        head = plain[: -len(council)]
        if plain.endswith(council) and len(head) >= 2 and head in ALWAYS and head not in _CHAT:
            return f"{ALWAYS[head]} {CONTEXTUAL.get(council) or ALWAYS[council]}"
    return None


_CHAT = {"ko", "k0", "hok"}


def _accented(token: str) -> bool:
    """Typed with a tone or vowel mark ("dự", "đủ", "từ"): a word, not an abbreviation ("ĐU" has only the Đ)."""
    return fold(token) != token.lower().replace("đ", "d")


def initials(name: str) -> str:
    """The initials officials write for a place: "Hải Phòng" -> "hp", "Hưng Yên" -> "hy"."""
    return "".join(word[0] for word in fold(name).split() if word)
