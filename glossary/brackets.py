"""What a bracket is and what it holds: balanced brackets with Han, and their contents parsed into parts.

Korean press puts more than the Chinese name in the bracket after a name: an age, a title or a photo note
(런정페이(任正非·74), (73·任正非·사진), 왕치산(王岐山·국가부주석)), a second form or a gloss (텐센트(騰訊·텅쉰),
춘제(春節·음력 설)), a stock code (닝더스다이(寧德時代·CATL, 300750.SZ)), a rank (마윈(马云/2위)), or an
encyclopedia lead with labels (마화텅(중국어 간체자: 马化腾, 정체자: 馬化騰, 병음: Mǎ Huàténg)).
`analyse_content` splits the contents at `·` `,` `/` `;` and labels, and sorts every part into one role;
`zh` is the Chinese name alone. The vocabulary of labels, photo notes, exchanges and titles is data
(data/bracket_parts.tsv, data/titles.tsv), each row with its source.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from importlib.resources import files

from .scripts import CLOSE_TO_OPEN, OPEN_TO_CLOSE, has_han, has_hangul, is_han, is_latin
from .variants import to_simplified

MAX_BRACKET = 400  # a longer "bracket" is prose in parentheses, not a name gloss
_SEPARATORS = ",，、;；/／"
_DOTS = "·・‧∙•"


@dataclass
class Bracket:
    open: int       # offset of the opening bracket
    close: int      # offset of the closing bracket
    parent: int | None  # index of the enclosing bracket


def find_brackets(text: str) -> list[Bracket]:
    """All balanced brackets that hold Han, with nesting. An unbalanced bracket is ignored."""
    out: list[Bracket] = []
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
                    out.append(Bracket(start, pos, None))
    out.sort(key=lambda b: b.open)
    # parents: the nearest earlier bracket that encloses this one
    open_stack: list[int] = []
    for i, b in enumerate(out):
        while open_stack and out[open_stack[-1]].close < b.open:
            open_stack.pop()
        b.parent = open_stack[-1] if open_stack else None
        open_stack.append(i)
    # keep the brackets that hold Han; a parent index then names the nearest kept enclosing bracket
    kept: dict[int, int] = {}
    result: list[Bracket] = []
    for i, b in enumerate(out):
        parent = b.parent
        while parent is not None and parent not in kept:
            parent = out[parent].parent
        if has_han(text[b.open + 1:b.close]):
            kept[i] = len(result)
            result.append(Bracket(b.open, b.close, kept[parent] if parent is not None else None))
    return result


# ------------------------------------------------------------------ vocabulary


@lru_cache(maxsize=1)
def _parts_table() -> dict[str, tuple[str, ...]]:
    table: dict[str, list[str]] = {}
    for line in files("glossary").joinpath("data/bracket_parts.tsv").read_text("utf-8").splitlines():
        if line and not line.startswith("#"):
            role, text, _source = line.split("\t")
            table.setdefault(role, []).append(text)
    return {role: tuple(sorted(words, key=len, reverse=True)) for role, words in table.items()}


@lru_cache(maxsize=1)
def titles() -> tuple[str, ...]:
    """Korean title words (회장, 주석, 성장 ...), longest first."""
    words = []
    for line in files("glossary").joinpath("data/titles.tsv").read_text("utf-8").splitlines():
        if line and not line.startswith("#"):
            words.append(line.split("\t")[0])
    return tuple(sorted(set(words), key=len, reverse=True))


def is_title(text: str) -> bool:
    """A Korean title or role: its last word ends in a title word (국가발전개혁위원회 주임, 전 총리, CEO)."""
    words = re.sub(r"[(\[（【][^)\]）】]*[)\]）】]", "", text).split()  # 차이나유니콤(中国联通) 총경리
    if not words or has_han(" ".join(words)):
        return False
    last = words[-1]
    return any(last.endswith(t) for t in titles())


@lru_cache(maxsize=1)
def _label_pattern() -> re.Pattern[str]:
    table = _parts_table()
    labels = [w for role in table if role.startswith("label-") for w in table[role]]
    alternatives = "|".join(re.escape(w) for w in sorted(labels, key=len, reverse=True))
    return re.compile(rf"^(?:{alternatives})\s*[:：]\s*", re.IGNORECASE)


def _label_role(label: str) -> str:
    label = re.sub(r"\s*[:：]\s*$", "", label).strip().lower()
    for role, words in _parts_table().items():
        if role.startswith("label-") and label in (w.lower() for w in words):
            return role[len("label-"):]
    return "other"


_AGE = re.compile(r"^(\d{1,3})\s*(?:세|살)?$")
_RANK = re.compile(r"^\d+\s*위$")
_DATE = re.compile(r"\d{1,4}\s*(?:년|월|일)|^\d{3,4}\s*[~\-–—]\s*\d{0,4}$|^[~\-–—]\s*\d{3,4}$|^(?:생|출생)\b")
_CODE = re.compile(r"^(?:\d{6}(?:\.(?:SZ|SH|SS|BJ))?|\d{4,5}\.HK|[A-Z]{1,5}\.(?:US|O|N|OQ))$", re.IGNORECASE)
_TRAILING_CODE = re.compile(r"\s+(\d{4,6}(?:\.[A-Za-z]{1,2})?)$")
_LEADING_LATIN = re.compile(r"^([A-Za-z][A-Za-z0-9&.,'\- ]*?)\s+(?=[\u3400-\u9fff])")
_TONE_MARKS = re.compile(r"[āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜüĀÁǍÀĒÉĚÈĪÍǏÌŌÓǑÒŪÚǓÙ]")


def _is_code(part: str) -> bool:
    """300750.SZ, 9988.HK, 600519, SZ (after a code), NASDAQ: BIDU, 나스닥: BIDU."""
    if _CODE.match(part):
        return True
    exchanges = _exchanges()
    if part.upper() in exchanges:
        return True
    m = re.match(r"^(\S+?)\s*[:：]?\s*([A-Z0-9.]{1,10})$", part)
    return bool(m and m.group(1).upper() in exchanges and re.search(r"\d|[A-Z]", m.group(2)))


@lru_cache(maxsize=1)
def _exchanges() -> frozenset[str]:
    return frozenset(e.upper() for e in _parts_table().get("exchange", ()))


def _is_photo(part: str) -> bool:
    words = _parts_table().get("photo", ())
    head = re.split(r"[\s=]", part, maxsplit=1)[0]
    return head in words


def _hereafter(part: str) -> str | None:
    """이하 '나이쉐' -> 나이쉐."""
    for word in _parts_table().get("hereafter", ()):
        if part.startswith(word + " "):
            rest = part[len(word):].strip(" '\"‘’“”「」")
            return rest or None
    return None


def looks_like_pinyin(part: str) -> bool:
    """Hángzhōu, Mǎ Huàténg, huǒguō: Latin with tone marks (plain pinyin is indistinguishable from English)."""
    return bool(_TONE_MARKS.search(part)) and not has_hangul(part) and not has_han(part)


# ------------------------------------------------------------------ contents


@dataclass
class Content:
    zh: str                        # the Chinese name, as written
    zh_offset: int                 # offset of zh within the bracket content
    title: str | None = None       # a person's title or role (성장, 국가발전개혁위원회 주임)
    other_forms: list[str] = field(default_factory=list)  # other names of the same thing, any script
    latin_forms: list[str] = field(default_factory=list)  # the Latin ones among them (English candidates)
    gloss: str | None = None       # a descriptive expansion, rank, affiliation or dates
    pinyin: str | None = None      # a romanization with tone marks
    age: int | None = None
    photo: bool = False
    code: str | None = None        # a stock code or ticker

    @property
    def person_shape(self) -> bool:
        """An age or a title in the bracket: the bracket names a person."""
        return self.age is not None or self.title is not None


def _split_parts(inner: str) -> list[tuple[int, str, str]]:
    """(offset, text, separator before it) for each top-level part; nested brackets are kept whole."""
    parts: list[tuple[int, str, str]] = []
    depth, start, sep = 0, 0, ""
    for i, ch in enumerate(inner):
        if ch in OPEN_TO_CLOSE:
            depth += 1
        elif ch in CLOSE_TO_OPEN:
            depth = max(0, depth - 1)
        elif depth == 0 and (ch in _SEPARATORS or ch in _DOTS):
            parts.append((start, inner[start:i], sep))
            start, sep = i + 1, ch
    parts.append((start, inner[start:], sep))
    out = []
    for off, seg, sep in parts:
        stripped = seg.strip()
        if stripped:
            out.append((off + seg.index(stripped), stripped, sep))
    return out


def _without_nested(seg: str) -> str:
    return re.sub(r"[(\[（【][^)\]）】]*[)\]）】]", "", seg)


def is_chinese_form(seg: str) -> bool:
    """A part that is a Chinese name: Han-dominant outside nested brackets, no Hangul (远景 AESC, IT 桔子)."""
    top = _without_nested(seg)
    if has_hangul(top):
        return False
    han = sum(1 for c in top if is_han(c))
    latin_words = len(re.findall(r"[A-Za-z0-9]+", top))
    return han > 0 and han >= latin_words


def _pure_han(seg: str) -> bool:
    return all(is_han(c) for c in seg)


def _merge_dotted_han(parts: list[tuple[int, str, str]], inner: str) -> list[tuple[int, str, str]]:
    """马克·扎克伯格, 北京·上海: Han parts joined by a middle dot are one name, unless they are script
    variants of each other (騰訊·腾讯 are two forms of one name)."""
    out: list[tuple[int, str, str]] = []
    for off, seg, sep in parts:
        if out and sep in _DOTS and _pure_han(seg) and _pure_han(out[-1][1]) \
                and to_simplified(seg) != to_simplified(out[-1][1]):
            prev_off, _, prev_sep = out[-1]
            out[-1] = (prev_off, inner[prev_off:off + len(seg)], prev_sep)
        else:
            out.append((off, seg, sep))
    return out


@lru_cache(maxsize=32768)
def analyse_content(inner: str) -> Content | None:
    """What a bracket holds: the Chinese name and every other part in its role. None if it names nothing."""
    parts = _merge_dotted_han(_split_parts(inner), inner)
    labelled: list[tuple[int, str, str]] = []   # (offset, text, role from its label or "")
    for off, seg, _sep in parts:
        m = _label_pattern().match(seg)
        if m:
            labelled.append((off + m.end(), seg[m.end():].strip(), _label_role(m.group())))
        else:
            labelled.append((off, seg, ""))
    # the name: the first Chinese part under a Chinese label, else the first unlabelled Chinese part
    index = next((i for i, (_, seg, role) in enumerate(labelled) if role == "zh" and is_chinese_form(seg)), None)
    if index is None:
        index = next((i for i, (_, seg, role) in enumerate(labelled) if role == "" and is_chinese_form(seg)),
                     None)
    if index is None:
        return None
    off, zh, _ = labelled[index]
    content = Content(zh=zh, zh_offset=off)
    lead = _LEADING_LATIN.match(zh)
    previous_latin = index > 0 and not labelled[index - 1][2] and not has_han(labelled[index - 1][1]) \
        and not has_hangul(labelled[index - 1][1])
    if lead and (" " in lead.group(1).strip() or previous_latin):
        # (Shanghai Fuel Cell Vehicle Power System Co., Ltd 上海燃料电池...): the English is another form,
        # even when a comma inside it (Co., Ltd) split it over two parts
        english = lead.group(1).strip()
        if previous_latin:
            english = labelled[index - 1][1] + ", " + english
            labelled[index - 1] = (labelled[index - 1][0], "", "skip")
        content.other_forms.append(english)
        content.zh_offset, content.zh = off + lead.end(), zh[lead.end():]
        zh = content.zh
    code = _TRAILING_CODE.search(zh)
    if code and has_han(zh[:code.start()]):  # (五糧液 000858)
        content.code = code.group(1)
        content.zh = zh = zh[:code.start()]
    glosses: list[str] = []
    titles_found: list[str] = []
    for i, (_, seg, role) in enumerate(labelled):
        if i == index:
            continue
        _sort_part(seg, role, content, glosses, titles_found, after_name=i > index)
    content.title = ", ".join(titles_found) or None
    content.gloss = ", ".join(glosses) or None
    content.latin_forms = [f for f in content.other_forms
                           if not has_hangul(f) and not has_han(f) and any(is_latin(c) for c in f)]
    return content


def _sort_part(seg: str, role: str, content: Content, glosses: list[str], titles_found: list[str],
               *, after_name: bool) -> None:
    """Put one part of a bracket into its role on `content`."""
    if role == "skip":
        return
    if role == "pinyin":
        content.pinyin = content.pinyin or seg
        return
    if role == "gloss":
        glosses.append(seg)
        return
    if role in ("zh", "en", "other"):
        content.other_forms.append(seg)
        return
    age = _AGE.match(seg)
    if age and 10 <= int(age.group(1)) <= 120 and content.age is None:
        content.age = int(age.group(1))
    elif _is_photo(seg):
        content.photo = True
    elif _is_code(seg):
        content.code = seg if content.code is None else f"{content.code}, {seg}"
    elif _RANK.match(seg) or _DATE.search(seg):
        glosses.append(seg)
    elif has_han(seg) and not has_hangul(seg):
        content.other_forms.append(seg)       # 騰訊·腾讯, a second Chinese form
    elif looks_like_pinyin(seg):
        content.pinyin = content.pinyin or seg
    elif not has_hangul(seg):
        if any(is_latin(c) for c in seg):
            content.other_forms.append(seg)   # CATL, Pop Mart, Hikvision
        else:
            glosses.append(seg)               # numbers, symbols
    elif (short := _hereafter(seg)) is not None:
        content.other_forms.append(short)
    elif is_title(seg):
        titles_found.append(seg)
    elif len(seg.split()) == 1 or not after_name:
        content.other_forms.append(seg)       # 텅쉰, 미쉐, 영덕시대: a Korean form of the name
    else:
        glosses.append(seg)                   # 소모적 과당 경쟁, 음력 설: a descriptive expansion
