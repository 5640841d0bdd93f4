"""Pair extraction: Korean text -> Pair(ko, zh, en, kind, span, score), one per bracket that glosses a name.

A pair is a Korean (or Latin) name followed by its Chinese original in brackets: 지아딩(嘉定),
CATL(宁德时代), 취션닝[渠慎宁, 중국사회과학원 ... 부연구원]. The hard part is where the Korean name
starts; `alignment.choose_name` scores every candidate start by how well the span spells the Chinese.
What a bracket holds is `brackets.analyse_content`; what kind of thing it names is `kinds.guess_kind`.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from importlib.resources import files

from . import alignment
from .brackets import analyse_content, find_brackets
from .kinds import guess_kind, heads_a_name
from .scripts import has_hangul, is_han, is_latin


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
    gloss: str | None = None  # a descriptive expansion, rank or dates given in the bracket
    pinyin: str | None = None  # a romanization with tone marks given in the bracket
    age: int | None = None
    photo: bool = False
    code: str | None = None   # a stock code or ticker given in the bracket

    def to_json(self) -> dict:
        """The pair as `kozh extract --json` writes it (without file, line and col): fixed keys, then the
        optional ones that apply."""
        row: dict = {"ko": self.ko, "zh": self.zh, "en": self.en, "kind": self.kind, "score": self.score}
        for key in ("suffix_after", "title", "gloss", "pinyin", "age", "code"):
            if getattr(self, key) is not None:
                row[key] = getattr(self, key)
        if self.other_forms:
            row["other_forms"] = self.other_forms
        for key in ("photo", "linebreak"):
            if getattr(self, key):
                row[key] = True
        return row


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
    if heads_a_name(word):
        return word
    return None


def _table_english(text: str, pos: int) -> str | None:
    """A table row 아이쿠춘(爱库存)<TAB>Aikucun<TAB>...: the Latin cell after the pair is its English name."""
    m = re.match(r"\t([A-Za-z][A-Za-z0-9&.+\- ]*[A-Za-z0-9+.])\s*(?:\t|\n|$)", text[pos:pos + 80])
    return m.group(1) if m else None


_SENTENCE_END = re.compile(r"[\u3400-\u9fff][。！？]")


def _is_quotation(inner: str) -> bool:
    """Chinese verse or a sentence, not a name: a clause closed by a full stop, question or exclamation mark,
    or parallel clauses of four or more characters (水能載舟 亦能覆舟, 學無止境，業精於勤 — the parallelism of a
    couplet). Names side by side in a table cell (网易号 智电汽车) are not parallel."""
    if _SENTENCE_END.search(inner):
        return True
    clauses = [c for c in re.split(r"[\s，,、；;]+", inner.strip()) if c]
    return len(clauses) >= 2 and len(clauses[0]) >= 4 \
        and all(len(c) == len(clauses[0]) and all(is_han(ch) for ch in c) for c in clauses)


def _is_prefix_gloss(text: str, ko: str, zh: str, after: int, suffix: str | None) -> bool:
    """A single character glossing the first syllable of a longer word: 현(縣)급, 탈(脫)빈곤, 신(新)소비.
    The same character glossing a whole word is a pair: 질(質)이, 2개 현(縣)을, 30위안(元)."""
    if sum(1 for c in zh if is_han(c)) != 1 or any(is_latin(c) for c in ko):
        return False
    m = re.match(r"[\uac00-\ud7a3]+", text[after:after + 12])
    if not m or suffix:
        return False  # the word ends at the bracket, or a name head follows (후이(回)족)
    return m.group() not in particles()


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
        if _is_quotation(inner):
            continue  # '물은 배를 ... 한다(水能載舟 亦能覆舟)': a translated saying, not a name
        suffix = _suffix_after(text, b.close + 1)
        if _is_prefix_gloss(text, ko, content.zh, b.close + 1, suffix):
            continue  # 신(新)소비, 탈(脫)빈곤: a one-character gloss of a prefix, not a name
        en = None
        if not has_hangul(ko) and any(is_latin(c) for c in ko):
            en = ko
        elif content.latin_forms:
            en = content.latin_forms[0]
        else:
            en = _table_english(text, b.close + 1)
        before = text[max(0, choice.start - 24):choice.start]
        after = text[b.close + 1:b.close + 16]
        pairs.append(Pair(
            ko=ko,
            zh=content.zh,
            en=en,
            kind=guess_kind(ko, content.zh, person_bracket=content.person_shape, suffix_after=suffix,
                            before=before, after=after),
            score=round(choice.score, 3),
            start=choice.start,
            bracket=b.open,
            end=b.close + 1,
            suffix_after=suffix,
            title=content.title,
            other_forms=content.other_forms,
            linebreak=choice.linebreak,
            gloss=content.gloss,
            pinyin=content.pinyin,
            age=content.age,
            photo=content.photo,
            code=content.code,
        ))
    return pairs
