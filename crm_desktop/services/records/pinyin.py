"""Pinyin initials (拼音首字母) of Chinese names, so "xmkj" finds 厦门科技….

pypinyin segments the text into words before it reads each character, so polyphonic
characters get their reading in context (厦门 → "xm", not the stand-alone "sm" of 厦).
Pure functions; safe on any thread.
"""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

#: A stored initials string never exceeds this; longer names are cut (nobody types more).
MAX_INITIALS = 100


#: A CJK ideograph (basic and extension A, and the supplementary planes' extensions).
_HAN = re.compile("[\u3400-\u9fff\U00020000-\U0002ffff]")


def has_han(text: str) -> bool:
    """Whether ``text`` contains a CJK ideograph (only such names get initials)."""
    return _HAN.search(text) is not None


@lru_cache(maxsize=50_000)
def _word_initials(word: str) -> str:
    # Imported on first use: loading its dictionaries takes ~0.3 s, which app start-up
    # should not pay (the first call is made by a service, off the GUI thread).
    from pypinyin import Style, lazy_pinyin

    return "".join(lazy_pinyin(word, style=Style.FIRST_LETTER, errors="default"))


def initials(text: str) -> str:
    """Lower-case initials of ``text``: one letter per Chinese character, Latin letters and
    digits kept as they are, everything else dropped. "" when ``text`` has no Chinese.

    The text is cut into words exactly as pypinyin would cut it, and each word's initials
    are cached: company names reuse a small vocabulary (有限公司, 科技, city names), so a
    million names take seconds instead of minutes, with the same result.

    >>> initials("厦门星辰科技有限公司")
    'xmxckjyxgs'
    >>> initials("ACME（厦门）2号")
    'acmexm2h'
    """
    if not text or not has_han(text):
        return ""
    from pypinyin.seg.mmseg import (
        seg,  # pypinyin's own segmenter (documented for reuse)
    )

    normalized = unicodedata.normalize("NFKC", text)
    raw = "".join(_word_initials(word) for word in seg.cut(normalized))
    return "".join(ch for ch in raw.lower() if ch.isascii() and ch.isalnum())[:MAX_INITIALS]


def looks_like_initials(term: str) -> bool:
    """Whether a search term could be typed initials: ASCII letters (digits allowed after one)."""
    return bool(term) and term.isascii() and term.isalnum() and any(ch.isalpha() for ch in term)
