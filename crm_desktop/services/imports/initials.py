"""Pinyin initials for a whole import, fast, and equal to ``records.pinyin.initials``.

pypinyin reads ~7,000 names a second (its word segmenter dominates), a tenth of what an import
needs. The segmenter matters only where a word reads a character differently from the
character's own default reading (厦门 xm, while 厦 alone is "sha"; 银行 yh, while 行 alone is
"xing"). pypinyin's phrase dictionary lists those words: about 2,100 of its 47,000 phrases.
A name containing none of them gets each character's default initial (cached per character);
a name containing one goes through ``initials`` (cached per name). Same answers, measured
about 10x faster on company names. Pure; any thread.
"""
from __future__ import annotations

import unicodedata
from functools import cache, lru_cache

from crm_desktop.services.records.pinyin import MAX_INITIALS, has_han, initials


@cache
def _first(reading: str) -> str:
    return unicodedata.normalize("NFKD", reading)[:1].lower()


@lru_cache(maxsize=1)
def _tables() -> tuple[dict[str, str], frozenset[str], int, frozenset[str]]:
    """(character → default initial, words whose initials differ from their characters'
    defaults, longest such word, their first two characters)."""
    from pypinyin.phrases_dict import phrases_dict
    from pypinyin.pinyin_dict import pinyin_dict

    letters = {chr(code): _first(readings.split(",")[0]) for code, readings in pinyin_dict.items()}
    special = frozenset(
        phrase for phrase, readings in phrases_dict.items()
        if any(letters.get(ch) != _first(r[0]) for ch, r in zip(phrase, readings, strict=False))
    )
    return letters, special, max(map(len, special), default=1), frozenset(p[:2] for p in special)


@lru_cache(maxsize=200_000)
def _slow(text: str) -> str:
    return initials(text)


def fast_initials(text: str) -> str:
    """``initials(text)``, character by character where that gives the same answer."""
    if not text or not has_han(text):
        return ""
    letters, special, longest, heads = _tables()
    normalized = unicodedata.normalize("NFKC", text)
    size = len(normalized)
    for start in range(size - 1):
        if normalized[start:start + 2] not in heads:
            continue
        for end in range(start + 2, min(start + longest, size) + 1):
            if normalized[start:end] in special:
                return _slow(text)
    out: list[str] = []
    for ch in normalized:
        if ch.isascii():
            if ch.isalnum():
                out.append(ch.lower())
        elif (letter := letters.get(ch)) and letter.isascii() and letter.isalnum():
            out.append(letter)
    return "".join(out)[:MAX_INITIALS]
