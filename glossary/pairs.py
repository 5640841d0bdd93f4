"""Bracket analysis and left-boundary choice: Korean text -> Pair(ko, zh, en, kind, span, score).

A pair is a Korean (or Latin) name followed by its Chinese original in brackets: 지아딩(嘉定),
CATL(宁德时代), 취션닝[渠慎宁, 중국사회과학원 ... 부연구원]. The hard part is where the Korean name
starts; `alignment.best_start` scores every candidate start by how well the span spells the Chinese.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from importlib.resources import files

from . import alignment
from .scripts import CLOSE_TO_OPEN, OPEN_TO_CLOSE, has_han, has_hangul, is_han, is_hangul_syllable, is_latin


@dataclass
class Pair:
    ko: str | None            # Korean-side alias as written (line breaks removed); Latin when the name is Latin
    zh: str                   # Chinese form inside the bracket, exactly as written
    en: str | None = None     # Latin alias given for the same mention
    kind: str = "other"       # person / org / place / product / term / other
    score: float = 0.0        # confidence in [0, 1]
    start: int = 0            # offset of the first character of ko in the text
    bracket: int = 0          # offset of the opening bracket in the text
    end: int = 0              # offset just past the closing bracket
    suffix_after: str | None = None
    title: str | None = None
    other_forms: list[str] = field(default_factory=list)
    linebreak: bool = False   # the Korean name was wrapped over a line break


MAX_BRACKET = 400  # a longer "bracket" is prose in parentheses, not a name gloss
_SEPARATORS = ",，、;；"


@dataclass
class _Bracket:
    open: int       # offset of the opening bracket
    close: int      # offset of the closing bracket
    parent: int | None  # index of the enclosing bracket


def find_brackets(text: str) -> list[_Bracket]:
    """All balanced brackets that hold Han, with nesting. An unbalanced bracket is ignored."""
    out: list[_Bracket] = []
    stack: list[tuple[int, str]] = []  # (offset, expected close)
    for m in re.finditer(r"[(\[（【)\]）】\n]", text):
        ch, pos = m.group(), m.start()
        if ch == "\n":
            stack.clear()  # brackets do not span lines
        elif ch in OPEN_TO_CLOSE:
            stack.append((pos, OPEN_TO_CLOSE[ch]))
        else:
            # a square closer drops unclosed openers inside it; a round one only closes a round opener
            # (either width: ( may be closed by ）)
            while stack and stack[-1][1] != ch and CLOSE_TO_OPEN[ch] not in "(（":
                stack.pop()
            if stack and (stack[-1][1] == ch or (ch in ")）" and stack[-1][1] in ")）")):
                start, _ = stack.pop()
                if pos - start <= MAX_BRACKET:
                    out.append(_Bracket(start, pos, None))
    out.sort(key=lambda b: b.open)
    # parents: the nearest earlier bracket that encloses this one
    open_stack: list[int] = []
    for i, b in enumerate(out):
        while open_stack and out[open_stack[-1]].close < b.open:
            open_stack.pop()
        b.parent = open_stack[-1] if open_stack else None
        open_stack.append(i)
    return [b for b in out if has_han(text[b.open + 1:b.close])]


def _split_top_level(inner: str) -> list[tuple[int, str]]:
    """Split bracket content at top-level separators, keeping each segment's offset."""
    parts, depth, start = [], 0, 0
    for i, ch in enumerate(inner):
        if ch in OPEN_TO_CLOSE:
            depth += 1
        elif ch in CLOSE_TO_OPEN:
            depth = max(0, depth - 1)
        elif ch in _SEPARATORS and depth == 0:
            parts.append((start, inner[start:i]))
            start = i + 1
    parts.append((start, inner[start:]))
    out = []
    for off, seg in parts:
        stripped = seg.strip()
        if stripped:
            out.append((off + seg.index(stripped), stripped))
    return out


def _without_nested(seg: str) -> str:
    return re.sub(r"[(\[（【][^)\]）】]*[)\]）】]", "", seg)


def _is_chinese_form(seg: str) -> bool:
    """A segment that is the Chinese name itself: Han-dominant outside nested brackets, no Hangul."""
    top = _without_nested(seg)
    if has_hangul(top):
        return False
    han = sum(1 for c in top if is_han(c))
    latin_words = len(re.findall(r"[A-Za-z0-9]+", top))
    return han > 0 and han >= latin_words  # 远景 AESC and IT 桔子 are Chinese forms


_LEADING_LATIN = re.compile(r"^([A-Za-z][A-Za-z0-9&.,'\- ]*?)(?:\s+|\s*[·・]\s*)(?=[\u3400-\u9fff])")


_TRAILING_LATIN = re.compile(r"(?<=[\u3400-\u9fff])\s*[·・]\s*([A-Za-z][A-Za-z0-9&.,'\- ]*)$")


@dataclass
class _Content:
    zh: str
    zh_offset: int              # offset of zh within the bracket content
    title: str | None
    other_forms: list[str]
    latin_forms: list[str]


def analyse_content(inner: str) -> _Content | None:
    """What a bracket holds: the Chinese form, a person's title, other forms. None if it holds no name."""
    segments = _split_top_level(inner)
    index = next((i for i, (_, seg) in enumerate(segments) if _is_chinese_form(seg)), None)
    if index is None:
        return None
    off, zh = segments[index]
    other_forms: list[str] = []
    rest = [seg for i, (_, seg) in enumerate(segments) if i != index]
    trailing = _TRAILING_LATIN.search(zh)
    if trailing:  # (鸿蒙·HarmonyOS): the Latin after the dot is another form
        other_forms.append(trailing.group(1))
        zh = zh[:trailing.start()]
    m = _LEADING_LATIN.match(zh)
    previous_latin = index > 0 and not has_han(segments[index - 1][1]) and not has_hangul(segments[index - 1][1])
    if m and (" " in m.group(1).strip() or previous_latin or "·" in m.group() or "・" in m.group()):
        # (Shanghai Fuel Cell Vehicle Power System Co., Ltd 上海燃料电池...), (CATL·宁德时代): the English
        # is another form, even when a comma inside it (Co., Ltd) split it over two segments
        english = m.group(1).strip()
        if previous_latin:
            english = segments[index - 1][1] + ", " + english
            rest.remove(segments[index - 1][1])
        other_forms.append(english)
        off, zh = off + m.end(), zh[m.end():]
    title = None
    if index == 0 and rest and any(has_hangul(seg) for seg in rest):
        title = ", ".join(rest)  # 취션닝[渠慎宁, 중국사회과학원 ... 부연구원]
    else:
        other_forms.extend(rest)
    latin = [f for f in other_forms if not has_hangul(f) and not has_han(f) and any(is_latin(c) for c in f)]
    return _Content(zh, off, title, other_forms, latin)


@lru_cache(maxsize=1)
def particles() -> tuple[str, ...]:
    """Korean particles and copula endings that may follow a name, longest first."""
    words = [w.strip() for w in files("glossary").joinpath("data/particles.txt").read_text("utf-8").splitlines()]
    return tuple(sorted({w for w in words if w and not w.startswith("#")}, key=len, reverse=True))


def _suffix_after(text: str, pos: int) -> str | None:
    """Korean continuing right after the closing bracket that is part of the name: 푸단(復旦)대학 -> 대학."""
    m = re.match(r"[\uac00-\ud7a3]+", text[pos:pos + 30])
    if not m:
        return None
    word = m.group()
    for particle in particles():
        if word == particle:
            return None
        if word.endswith(particle) and len(word) > len(particle):
            word = word[: -len(particle)]
            break
    # Only a word that heads names continues one (대학, 그룹, 성, 관리위원회); 광고 or 사이트 after a
    # bracket is the next word of the sentence.
    if any(word.endswith(ending) for ending, _ in _kind_endings()["ko"]):
        return word
    return None


def _table_english(text: str, pos: int) -> str | None:
    """A table row 아이쿠춘(爱库存)<TAB>Aikucun<TAB>...: the Latin cell after the pair is its English name."""
    m = re.match(r"\t([A-Za-z][A-Za-z0-9&.+\- ]*[A-Za-z0-9+.])\s*(?:\t|\n|$)", text[pos:pos + 80])
    return m.group(1) if m else None


@lru_cache(maxsize=1)
def _kind_endings() -> dict[str, list[tuple[str, str]]]:
    table: dict[str, list[tuple[str, str]]] = {"ko": [], "zh": []}
    for line in files("glossary").joinpath("data/kind_suffixes.tsv").read_text("utf-8").splitlines():
        if line and not line.startswith("#"):
            lang, ending, kind = line.split("\t")
            table[lang].append((ending, kind))
    for lang in table:
        table[lang].sort(key=lambda e: len(e[0]), reverse=True)
    return table


def guess_kind(ko: str, zh: str, *, person_bracket: bool, suffix_after: str | None) -> str:
    """person / org / place / product / term / other, from bracket shape, name endings and jieba's POS."""
    if person_bracket:
        return "person"
    endings = _kind_endings()
    for lang, name in (("ko", (ko or "") + (suffix_after or "")), ("zh", zh)):
        name = name.replace(" ", "")
        for ending, kind in endings[lang]:
            # a one-syllable Korean ending (성, 시, 구) is ambiguous inside words (육성, 도시):
            # trust it only when it stands after the bracket
            if lang == "ko" and len(ending) == 1 and not suffix_after:
                continue
            if name.endswith(ending) and len(name) > len(ending):
                return kind
    if ko and not has_hangul(ko):
        return "org"  # a Latin name glossed in Chinese is almost always a company or brand
    return _jieba_kind(zh)


@lru_cache(maxsize=1)
def _surnames() -> frozenset[str]:
    text = files("glossary").joinpath("data/surnames.txt").read_text("utf-8")
    return frozenset(w for line in text.splitlines() if not line.startswith("#") for w in line.split())


_JIEBA_KIND = {"nr": "person", "nrfg": "person", "nrt": "person", "ns": "place", "nt": "org", "nz": "product"}


@lru_cache(maxsize=65536)
def _jieba_kind(zh: str) -> str:
    import logging
    import warnings

    with warnings.catch_warnings():  # jieba imports pkg_resources, which newer setuptools deprecates loudly
        warnings.filterwarnings("ignore", message="pkg_resources is deprecated", category=UserWarning)
        import jieba
        import jieba.posseg

    jieba.setLogLevel(logging.WARNING)
    words = [w for w in jieba.posseg.lcut(zh.replace(" ", "")) if w.word.strip()]
    if len(words) == 1:
        kind = _JIEBA_KIND.get(words[0].flag, "term" if words[0].flag.startswith(("n", "v")) else "other")
        if kind == "person" and zh[:1] not in _surnames() and zh[:2] not in _surnames():
            kind = "org"  # jieba calls many brands nr (支付宝); a person's name starts with a surname
        return kind
    if words and words[-1].flag in ("ns", "nt"):
        return _JIEBA_KIND[words[-1].flag]
    return "org" if len(zh) >= 4 else "term"


def extract_pairs(text: str) -> list[Pair]:
    """Every Korean-Chinese name pair in `text`, in text order."""
    pairs: list[Pair] = []
    brackets = find_brackets(text)
    taken_as_zh: set[int] = set()  # brackets that are part of an enclosing bracket's Chinese form
    for index, b in enumerate(brackets):
        if b.parent is not None and b.parent in taken_as_zh:
            taken_as_zh.add(index)
            continue
        inner = text[b.open + 1:b.close]
        content = analyse_content(inner)
        if content is None:
            continue
        zh_start = b.open + 1 + content.zh_offset
        zh_end = zh_start + len(content.zh)
        for j in range(index + 1, len(brackets)):  # nested brackets inside the Chinese form are part of it
            if brackets[j].open > b.close:
                break
            if zh_start <= brackets[j].open < zh_end:
                taken_as_zh.add(j)
        choice = alignment.choose_name(text, b.open, content.zh)
        if choice is None:
            continue
        ko = choice.name
        han_count = sum(1 for c in content.zh if is_han(c))
        if han_count == 1 and sum(1 for c in ko if is_hangul_syllable(c)) <= 1 and not any(is_latin(c) for c in ko):
            continue  # 신(新), 비(非): a one-character gloss of a prefix, not a name
        suffix = _suffix_after(text, b.close + 1)
        en = None
        if not has_hangul(ko) and any(is_latin(c) for c in ko):
            en = ko
        elif content.latin_forms:
            en = content.latin_forms[0]
        else:
            en = _table_english(text, b.close + 1)
        pairs.append(Pair(
            ko=ko,
            zh=content.zh,
            en=en,
            kind=guess_kind(ko, content.zh, person_bracket=content.title is not None, suffix_after=suffix),
            score=round(choice.score, 3),
            start=choice.start,
            bracket=b.open,
            end=b.close + 1,
            suffix_after=suffix,
            title=content.title,
            other_forms=content.other_forms,
            linebreak=choice.linebreak,
        ))
    return pairs
