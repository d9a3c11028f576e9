"""Deterministic generator of realistic directive documents, for scale benchmarks (`rag bench`) and tests.

Documents are recombined from the numbered sections of the sample corpus, with units, localities, dates,
document numbers and figures swapped from lists, so that they keep the real structure (header, `I.`/`1.`/`1.1.`/
`(1)`/`a)`/`-` numbering, "Phân công thực hiện:" blocks, deadlines, "Nơi nhận:", signature) while differing in
wording. Each document is drawn from its own random stream seeded by `(seed, index)`: the same seed gives the same
bytes, and the first 1,000 documents of a 10,000-document corpus are the 1,000-document corpus.
"""

from __future__ import annotations

import logging
import random
import re
from dataclasses import dataclass
from pathlib import Path

from rag.documents.models import TextLine
from rag.documents.sections import join_lines, marker_of

log = logging.getLogger(__name__)

DEFAULT_SOURCE = Path(__file__).resolve().parent.parent / "corpus"

PROVINCES = [
    "Hải Phòng", "Hưng Yên", "Thái Bình", "Nam Định", "Ninh Bình", "Hà Nam", "Bắc Ninh", "Hải Dương", "Quảng Ninh",
    "Thanh Hóa", "Nghệ An", "Hà Tĩnh", "Quảng Bình", "Quảng Trị", "Thừa Thiên Huế", "Đà Nẵng", "Quảng Nam",
    "Quảng Ngãi", "Bình Định", "Phú Yên", "Khánh Hòa", "Lâm Đồng", "Đắk Lắk", "Gia Lai", "Kon Tum", "Cần Thơ",
    "An Giang", "Kiên Giang", "Cà Mau", "Bạc Liêu", "Sóc Trăng", "Trà Vinh", "Vĩnh Long", "Bến Tre", "Tiền Giang",
    "Long An", "Tây Ninh", "Bình Dương", "Đồng Nai", "Bình Phước", "Lào Cai", "Yên Bái", "Tuyên Quang", "Hà Giang",
    "Cao Bằng", "Lạng Sơn", "Thái Nguyên", "Phú Thọ", "Vĩnh Phúc", "Sơn La", "Điện Biên", "Lai Châu", "Hòa Bình",
]
DISTRICTS = [
    "Kiến Thụy", "Tiên Lãng", "Vĩnh Bảo", "An Lão", "Thủy Nguyên", "Cát Hải", "Văn Lâm", "Văn Giang", "Khoái Châu",
    "Kim Động", "Ân Thi", "Phù Cừ", "Tiên Lữ", "Mỹ Hào", "Yên Mỹ", "Gia Lộc", "Tứ Kỳ", "Thanh Miện", "Ninh Giang",
    "Cẩm Giàng", "Bình Giang", "Nam Sách", "Kinh Môn", "Chí Linh", "Đông Triều", "Hoành Bồ", "Vân Đồn",
]
UNITS = [
    "Ban Tổ chức", "Ban Tuyên giáo và Dân vận", "Ủy ban Kiểm tra", "Văn phòng", "Ban Nội chính",
    "Ban Kinh tế", "Trung tâm Chính trị", "Đảng ủy Ủy ban nhân dân", "Đảng ủy Mặt trận Tổ quốc",
    "Đảng ủy Hội đồng nhân dân", "Đảng ủy Công an", "Đảng ủy Quân sự", "Đảng ủy các cơ quan Đảng",
]
PARTNERS = [
    "Mặt trận Tổ quốc Việt Nam", "Hội Cựu chiến binh", "Đoàn TNCS Hồ Chí Minh", "Hội Liên hiệp Phụ nữ",
    "Hội Nông dân", "Liên đoàn Lao động", "Sở Nội vụ", "Sở Tài chính", "Sở Giáo dục và Đào tạo", "Sở Y tế",
    "Sở Khoa học và Công nghệ", "Sở Xây dựng", "Báo và Phát thanh, Truyền hình", "Trường Chính trị",
]
TASKS = [
    "tham mưu xây dựng kế hoạch triển khai, hướng dẫn, đôn đốc, kiểm tra việc thực hiện",
    "tổng hợp kết quả thực hiện, định kỳ báo cáo Ban Thường vụ",
    "rà soát, sửa đổi, bổ sung quy chế làm việc, quy định về chức năng, nhiệm vụ, tổ chức bộ máy",
    "tổ chức học tập, quán triệt, tuyên truyền sâu rộng đến cán bộ, đảng viên và Nhân dân",
    "chủ trì kiểm tra, giám sát việc thực hiện tại các tổ chức cơ sở đảng",
    "xây dựng đề án sắp xếp, tinh gọn tổ chức bộ máy và cơ cấu lại đội ngũ cán bộ, công chức, viên chức",
    "hướng dẫn đánh giá, xếp loại chất lượng tổ chức đảng và đảng viên hằng năm",
    "đẩy mạnh chuyển đổi số, cải cách hành chính, nâng cao chất lượng dịch vụ công trực tuyến",
    "bố trí kinh phí, cơ sở vật chất, điều kiện làm việc bảo đảm hoạt động thông suốt",
    "tổ chức sơ kết, tổng kết, rút kinh nghiệm và đề xuất khen thưởng",
]
SIGNERS = [
    "Nguyễn Văn Hùng", "Trần Thị Mai", "Lê Quang Minh", "Phạm Đức Thắng", "Hoàng Văn Sơn", "Vũ Thị Hằng",
    "Đặng Văn Long", "Bùi Thanh Tùng", "Đỗ Minh Tuấn", "Ngô Thị Lan", "Dương Quốc Bảo", "Lý Văn Phúc",
    "Trịnh Xuân Trường", "Đinh Công Thành", "Phan Thị Thu", "Mai Văn Khánh", "Tạ Quang Huy", "Cao Thị Nga",
]
DOC_KINDS = [  # (header title, number code, kind noun)
    ("CHƯƠNG TRÌNH HÀNH ĐỘNG", "CTr", "Chương trình hành động"),
    ("KẾ HOẠCH", "KH", "Kế hoạch"),
    ("CHỈ THỊ", "CT", "Chỉ thị"),
    ("HƯỚNG DẪN", "HD", "Hướng dẫn"),
]
LEVELS = [  # (issuer, body noun, code, locality word, sign title)
    ("BAN CHẤP HÀNH ĐẢNG BỘ TỈNH {P}", "Tỉnh ủy", "TU", "tỉnh", "T/M BAN THƯỜNG VỤ\nBÍ THƯ"),
    ("BAN CHẤP HÀNH ĐẢNG BỘ THÀNH PHỐ {P}", "Thành ủy", "TU", "thành phố", "T/M BAN CHẤP HÀNH\nBÍ THƯ"),
    ("BAN CHẤP HÀNH ĐẢNG BỘ HUYỆN {D}", "Huyện ủy", "HU", "huyện", "T/M HUYỆN ỦY\nPHÓ BÍ THƯ"),
]
SUBJECTS = [
    "Kết luận số 121-KL/TW, ngày 24/01/2025 của Ban Chấp hành Trung ương Đảng khóa XIII về tổng kết Nghị quyết số "
    "18-NQ/TW",
    "Kết luận số 183-KL/TW, ngày 01/8/2025 của Bộ Chính trị, Ban Bí thư về vận hành mô hình chính quyền địa phương "
    "02 cấp",
    "Nghị quyết số 57-NQ/TW, ngày 22/12/2024 của Bộ Chính trị về đột phá phát triển khoa học, công nghệ, đổi mới "
    "sáng tạo và chuyển đổi số quốc gia",
    "Nghị quyết Đại hội đại biểu Đảng bộ lần thứ I, nhiệm kỳ 2025 - 2030",
    "Nghị quyết số 18-NQ/TW, ngày 25/10/2017 về tiếp tục đổi mới, sắp xếp tổ chức bộ máy của hệ thống chính trị",
    "Quy định số 144-QĐ/TW về chuẩn mực đạo đức cách mạng của cán bộ, đảng viên trong giai đoạn mới",
]

_DATE = re.compile(r"\b(\d{1,2})/(\d{1,2})/(20\d\d)\b")
_DOCNUM = re.compile(r"\b(\d{2,4})(\s?-\s?)(KH|CTr|TB|KL|CV|QĐ|HD|NQ)/(TU|HU|ĐU)\b")
_PERCENT = re.compile(r"\b(\d{1,2})%")
_ROMAN_NUMERALS = ["I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X"]


@dataclass
class _Section:
    """A top-level (roman) section of a sample document: its heading text and body paragraphs."""

    title: str
    body: list[str]


def _clean(line: str) -> str:
    line = line.replace("**", "").replace("\\*", "").replace("\\", "")
    line = re.sub(r"</?sup>", "", line)
    line = re.sub(r"^#{1,6}\s*", "", line.strip())
    return line.strip(" *")


def _paragraphs(path: Path) -> list[str]:
    raw = path.read_text(encoding="utf-8").splitlines()
    lines = [TextLine(_clean(r)) for r in raw]
    return [p.text for p in join_lines(lines)]


def _sections(paragraphs: list[str]) -> list[_Section]:
    """Cut a document's body into top-level sections (roman numerals; else first-level arabic numbers)."""
    start = next((i for i, p in enumerate(paragraphs) if p == "-----"), -1) + 1
    end = next((i for i, p in enumerate(paragraphs) if re.match(r"^(Nơi nhận|T/M |TM\. |KT\. )", p)), len(paragraphs))
    body = [p for p in paragraphs[start:end] if p != "-----" and not re.match(r"^\(\d+\)\s*(Theo|Mô hình)", p)]
    kinds = [marker_of(p)[0] if marker_of(p) else None for p in body]
    top = "roman" if "roman" in kinds else "arabic1"
    sections: list[_Section] = []
    for para, kind in zip(body, kinds):
        if kind == top:
            sections.append(_Section(marker_of(para)[2].strip(), []))
        elif sections:
            sections[-1].body.append(para)
    if top == "arabic1":  # a letter with numbered parts: the whole body becomes one section of numbered items
        items = []
        for i, sec in enumerate(sections, 1):
            items.append(f"{i}. {sec.title}")
            items.extend(sec.body)
        sections = [_Section("NHIỆM VỤ, GIẢI PHÁP", items)] if items else []
    return [s for s in sections if s.body]


def _is_implementation(section: _Section) -> bool:
    return "tổ chức thực hiện" in section.title.lower()


def load_sections(source_dir: str | Path | None = None) -> list[_Section]:
    """Top-level sections of every sample `.txt` document, in a fixed order (the generator's raw material)."""
    folder = Path(source_dir) if source_dir else DEFAULT_SOURCE
    out: list[_Section] = []
    for path in sorted(folder.glob("*.txt")):
        out.extend(s for s in _sections(_paragraphs(path)) if not _is_implementation(s))
    if not out:
        raise ValueError(f"{folder}: no sample documents with numbered sections to generate from")
    return out


class _Variator:
    """Swaps names, dates, numbers and clauses in sample text, from one document's random stream."""

    def __init__(self, rng: random.Random, province: str, district: str, body: str):
        self.rng = rng
        self.province = province
        self.district = district
        self.body = body
        self.day_shift = rng.randint(-200, 200)

    def date(self, day: int, month: int, year: int) -> str:
        import datetime as dt

        try:
            base = dt.date(year, month, day)
        except ValueError:
            base = dt.date(year, 1, 1)
        shifted = base + dt.timedelta(days=self.day_shift)
        return f"{shifted.day:02d}/{shifted.month:02d}/{shifted.year}" if day >= 10 or month >= 10 else \
            f"{shifted.day}/{shifted.month}/{shifted.year}"

    def text(self, para: str) -> str:
        rng = self.rng
        para = para.replace("Hải Phòng", self.province).replace("Hưng Yên", self.province)
        for name in ("Thành ủy", "Tỉnh ủy", "Huyện ủy"):
            para = para.replace(name, self.body)
        para = _DATE.sub(lambda m: self.date(int(m.group(1)), int(m.group(2)), int(m.group(3))), para)
        para = _DOCNUM.sub(lambda m: f"{rng.randint(10, 999)}{m.group(2)}{m.group(3)}/{m.group(4)}", para)
        para = _PERCENT.sub(lambda m: f"{rng.randint(2, 30)}%", para)
        for unit in ("Ban Tổ chức", "Ủy ban Kiểm tra", "Văn phòng", "Ban Nội chính"):
            if unit in para and rng.random() < 0.4:
                para = para.replace(unit, rng.choice(UNITS), 1)
        clauses = para.split("; ")
        if len(clauses) > 2 and rng.random() < 0.5:  # drop or reorder a clause, keeping the first one
            if rng.random() < 0.5:
                del clauses[rng.randrange(1, len(clauses))]
            else:
                i, j = rng.sample(range(1, len(clauses)), 2)
                clauses[i], clauses[j] = clauses[j], clauses[i]
            para = "; ".join(clauses)
            if not para.endswith((".", ":")):
                para += "."
        return para


def _renumber(body: list[str], rng: random.Random) -> list[str]:
    """Keep a random subset of a section's first-level items (at least one) and renumber them 1., 2., ..."""
    groups: list[list[str]] = [[]]
    for para in body:
        found = marker_of(para)
        if found and found[0] == "arabic1":
            groups.append([para])
        else:
            groups[-1].append(para)
    lead, items = groups[0], groups[1:]
    if len(items) > 1:
        keep = [g for g in items if rng.random() < 0.6] or [rng.choice(items)]
        items = keep
    out = list(lead)
    for number, group in enumerate(items, 1):
        old = marker_of(group[0])[1].rstrip(".")
        for para in group:
            if re.match(rf"^{re.escape(old)}\.", para):
                para = f"{number}" + para[len(old):]
            out.append(para)
    return out


def make_document(index: int, sections: list[_Section], *, seed: int = 0) -> tuple[str, str]:
    """One generated document: (file name, text). Deterministic in (seed, index)."""
    rng = random.Random(f"rag-gencorpus:{seed}:{index}")
    province = rng.choice(PROVINCES)
    district = rng.choice(DISTRICTS)
    issuer_t, body_name, code, locality, sign_title = rng.choice(LEVELS)
    kind_title, kind_code, kind_noun = rng.choice(DOC_KINDS)
    year = rng.choice([2024, 2025, 2026])
    month, day = rng.randint(1, 12), rng.randint(1, 28)
    number = rng.randint(1, 999)
    subject = rng.choice(SUBJECTS)
    var = _Variator(rng, province, district, body_name)
    issuer = issuer_t.format(P=province.upper(), D=district.upper())
    place = district if code == "HU" else province

    lines = [
        "ĐẢNG CỘNG SẢN VIỆT NAM",
        issuer,
        f"Số {number}-{kind_code}/{code}",
        f"{place}, ngày {day:02d} tháng {month:02d} năm {year}",
        "",
        kind_title,
        f"thực hiện {subject}",
        "-----",
        "",
        f"Thực hiện {subject}; căn cứ tình hình thực tiễn của {locality}, Ban Chấp hành Đảng bộ {locality} "
        f"{district if code == 'HU' else province} ban hành {kind_noun} thực hiện với những nội dung chủ yếu sau:",
        "",
    ]
    picked = sorted(rng.sample(range(len(sections)), k=min(len(sections), rng.randint(1, 3))))
    chosen = [sections[i] for i in picked]  # sample order: "Mục đích, yêu cầu" stays before "Nhiệm vụ"
    roman = 0
    for sec in chosen:
        lines.append(f"{_ROMAN_NUMERALS[roman]}. {var.text(sec.title).upper()}")
        roman += 1
        lines.append("")
        for para in _renumber(sec.body, rng):
            lines.append(var.text(para))
            lines.append("")
    # An implementation section with assignments and deadlines, as every directive has.
    lines.append(f"{_ROMAN_NUMERALS[roman]}. TỔ CHỨC THỰC HIỆN")
    lines.append("")
    units = rng.sample(UNITS, k=rng.randint(3, 5))
    for n, unit in enumerate(units, 1):
        partner = rng.choice(PARTNERS)
        task = rng.choice(TASKS)
        due = f"{rng.randint(1, 28)}/{rng.randint(1, 12)}/{year + rng.randint(0, 1)}"
        lines.append(f"{n}. {unit} {body_name}")
        lines.append("")
        lines.append(f"Phân công thực hiện: {unit} {body_name} chủ trì, phối hợp với {partner} {locality} {task}; "
                     f"hoàn thành trước ngày {due}.")
        lines.append("")
        for letter in "ab"[: rng.randint(1, 2)]:
            lines.append(f"{letter}) {rng.choice(TASKS).capitalize()}, báo cáo kết quả về {body_name} "
                         f"(qua {rng.choice(UNITS)} {body_name}) trước ngày {rng.randint(1, 28)}/"
                         f"{rng.randint(1, 12)}/{year + 1}.")
            lines.append("")
    lines.append(f"{kind_noun} này được phổ biến đến chi bộ; các cấp ủy, tổ chức đảng chủ động triển khai thực hiện, "
                 f"định kỳ {rng.choice(['6 tháng', 'hằng năm', 'hằng quý'])} báo cáo kết quả.")
    lines.append("")
    lines.append("Nơi nhận:")
    recipients = ["- Ban Thường vụ (để báo cáo),"] + [f"- {u} {body_name}," for u in rng.sample(UNITS, k=3)]
    lines.extend(recipients + ["- Lưu Văn phòng."])
    lines.append("")
    lines.extend(sign_title.split("\n"))
    lines.append("")
    lines.append(rng.choice(SIGNERS))
    slug = re.sub(r"[^a-z0-9]+", "-", f"{kind_code}-{code}-{number}".lower()).strip("-")
    return f"gen-{index:05d}-{slug}.txt", "\n".join(lines) + "\n"


def make_corpus(n: int, out_dir: str | Path, *, seed: int = 0, source_dir: str | Path | None = None) -> list[Path]:
    """Write `n` generated directive documents into `out_dir`; same seed and n give the same files, byte for byte."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    sections = load_sections(source_dir)
    paths = []
    for index in range(n):
        name, text = make_document(index, sections, seed=seed)
        path = out / name
        path.write_bytes(text.encode("utf-8"))
        paths.append(path)
    log.info("generated %d documents in %s", n, out)
    return paths


def main(argv: list[str] | None = None) -> int:
    """Command line: `python -m rag.gencorpus N OUT_DIR [--seed S]`."""
    import argparse

    parser = argparse.ArgumentParser(description="Generate N realistic directive documents for benchmarks.")
    parser.add_argument("n", type=int)
    parser.add_argument("out_dir")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    paths = make_corpus(args.n, args.out_dir, seed=args.seed)
    print(f"{len(paths)} documents written to {args.out_dir}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
