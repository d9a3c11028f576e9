"""Find English in text a user reads (screens, messages).

A word counts as English when it is one of the common English words below and cannot be a Vietnamese syllable
typed without diacritics ("an", "to", "ban", "do" are left out for that reason). Tokens that carry a dot, slash,
hyphen, @ or underscore (file names, codes like 183-KL/TW, hit@5) and all-capital abbreviations (PDF, DOCX, MRR)
are not words of a sentence and are skipped.
"""

from __future__ import annotations

import re

ENGLISH = set("""
the and of for with not from this that these those are was were has have had will would should could cannot can't
is it its into onto your you our their there here what which when where why how please error errors warning invalid
valid failed failure file files folder document documents index question questions answer answers result results
retrieved retrieve top found missing loading load upload uploaded drop click submit clear search select selected
open close copy copied download share settings built using use via queue processing waiting run running stop
yes page more tabs tab show hide empty none unknown unexpected damaged archive save again another kind
permission denied space disk full read write written requested only support supported type types format
encoding text detect could size large too small null true false undefined
""".split())

_TOKEN = re.compile(r"\S+")
_WORD = re.compile(r"[A-Za-z']+")


def english_words(text: str) -> list[str]:
    """The English words of `text` (in order, repeated as they occur)."""
    found = []
    for token in _TOKEN.findall(text or ""):
        if re.search(r"[./\-@_\\]", token.strip(".,;:!?()«»\"'")):
            continue
        for word in _WORD.findall(token):
            if len(word) > 1 and word.isupper():
                continue
            if word.lower() in ENGLISH:
                found.append(word)
    return found
