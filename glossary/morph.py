"""Korean morphology through Kiwi, loaded lazily and once per process (it takes ~4 s and ~300 MB)."""
from __future__ import annotations

from functools import lru_cache

# Tags that can stand inside a name: nouns, foreign words, numbers, Han, noun prefixes and suffixes.
_NAME_TAGS = {"NNG", "NNP", "NR", "SL", "SH", "SN", "XPN", "XSN", "XR", "W_SERIAL"}
MAX_WORDS = 4


@lru_cache(maxsize=1)
def kiwi():
    from kiwipiepy import Kiwi

    return Kiwi()


@lru_cache(maxsize=32768)
def _tokens(snippet: str) -> tuple[tuple[int, int, str], ...]:
    return tuple((t.start, t.start + t.len, t.tag) for t in kiwi().tokenize(snippet))


def noun_phrase_start(text: str, lo: int, hi: int) -> int | None:
    """Offset where the noun phrase ending at `hi` starts (at most MAX_WORDS words), or None.

    클라우드 컴퓨팅 네이티브 -> the whole phrase; 광저우에는 GAC -> stops at the particle 에는.
    """
    snippet = text[lo:hi]
    tokens = _tokens(snippet)
    start = None
    words = 0
    for begin, end, tag in reversed(tokens):
        if tag not in _NAME_TAGS:
            break
        if start is not None and begin < start and snippet[begin:start].strip() == "" and begin != start:
            pass
        if start is None or snippet[end:start].strip() == "" and end < start:
            words += 1
        if words > MAX_WORDS:
            break
        start = begin
    return None if start is None else lo + start
