"""Korean morphology through Kiwi, loaded lazily and once per process (it takes ~4 s and ~340 MB).

Used only where phonetics cannot tell where a name starts (알리페이(支付宝), 클라우드 컴퓨팅 네이티브(云原生)).
"""
from __future__ import annotations

from functools import lru_cache
from importlib.resources import files

# Tags that can stand inside a name: nouns, foreign words, numbers, Han, noun prefixes and suffixes.
_NAME_TAGS = {"NNG", "NNP", "NR", "SL", "SH", "SN", "XPN", "XSN", "XR", "W_SERIAL"}
MAX_WORDS = 4


@lru_cache(maxsize=1)
def kiwi():
    from kiwipiepy import Kiwi

    # Without the multi-word dictionary Kiwi takes 340 MB instead of 530 MB; extraction gives the
    # same 495 pairs on both dev corpora either way (names are tagged word by word here).
    return Kiwi(load_multi_dict=False)


@lru_cache(maxsize=1)
def _apposition() -> tuple[tuple[str, ...], frozenset[str]]:
    """(classifier heads, situating modifiers) from data/apposition.tsv."""
    heads, modifiers = [], set()
    for line in files("glossary").joinpath("data/apposition.tsv").read_text("utf-8").splitlines():
        if line and not line.startswith("#"):
            role, word = line.split("\t")[:2]
            (heads.append if role == "head" else modifiers.add)(word)
    return tuple(heads), frozenset(modifiers)


@lru_cache(maxsize=32768)
def _words(snippet: str) -> tuple[tuple[int, str, tuple[tuple[str, bool], ...]], ...]:
    """Space-separated words of the snippet: (start, text, ((tag, out-of-vocabulary), ...))."""
    groups: list[tuple[int, list[tuple[str, bool]]]] = []
    for t in kiwi().tokenize(snippet):
        tag = (t.tag, bool(getattr(t, "oov", False)))
        if groups and not any(c.isspace() for c in snippet[groups[-1][0]:t.start]):
            groups[-1][1].append(tag)  # no space since the word began: same word
        else:
            groups.append((t.start, [tag]))
    ends = [start for start, _ in groups[1:]] + [len(snippet)]
    return tuple((start, snippet[start:end].strip(), tuple(tags)) for (start, tags), end in zip(groups, ends))


def _is_proper(tags) -> bool:
    return any(tag == "NNP" or oov or tag == "SL" for tag, oov in tags)


def noun_phrase_start(text: str, lo: int, hi: int) -> int | None:
    """Offset where the name ending at `hi` starts, judged by morphology alone, or None.

    A proper name (NNP or unknown to Kiwi: 알리페이, 요시다 도모미) takes the proper words before it;
    a term of common nouns (클라우드 컴퓨팅 네이티브, 수준별 육성) takes the noun phrase. Neither runs
    through a particle (광저우에는), a classifier head (결제 서비스 알리페이) or a situating modifier
    (중국 틱톡), nor past MAX_WORDS words.
    """
    words = _words(text[lo:hi])
    if not words or any(tag not in _NAME_TAGS for tag, _ in words[-1][2]):
        return None
    heads, modifiers = _apposition()
    proper = _is_proper(words[-1][2])
    start = words[-1][0]
    for begin, word, tags in reversed(words[:-1][-(MAX_WORDS - 1):]):
        if any(tag not in _NAME_TAGS for tag, _ in tags) or word in modifiers or word.endswith(heads):
            break
        if proper and not _is_proper(tags):
            break
        start = begin
    return lo + start
