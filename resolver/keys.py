"""Keys of a name: the strings under which spellings of one name meet.

An alias is indexed under several key kinds (`alias_keys`); a query computes the same kinds of its own
(cheaply: no pinyin or hanja work for a query) and looks them up. Kinds:

  norm     NFKC, casefolded, spacing and punctuation dropped        Hesai = hesai, Ai Kucun = Aikucun
  zh       norm of a Han alias in simplified script                  騰訊新聞 = 腾讯新闻, 靑島 = 青岛
  core     norm after legal-form / place-affix stripping             江苏微导纳米科技股份有限公司 -> 微导纳米科技
  py       pinyin, no spaces, no tones, v/ü as u; heteronyms capped  新京报 -> xinjingbao
  conv     conventional romanization from data/romanizations.tsv     清华大学 -> tsinghuauniversity
  hybl     pinyin head + English rendering of a translated tail      小米集团 -> xiaomigroup
  ph       phonetic key (glossary.phonetics.phonetic_key) of a Korean alias: 지아딩 = 자딩
  tr       phonetic key of the standard Korean transliteration       宁德时代 -> 닝더스다이
  sino     phonetic key of the Sino-Korean reading                   宁德时代 -> 영덕시대
  hyb      phonetic key of transliterated head + translated tail     联想集团 -> 롄샹그룹
  c.ph c.tr c.sino c.py   the same, of a stripped alias (허베이성 -> 허베이, 河北省 -> 河北)
  hdel zdel ldel   deletion neighbourhoods (one unit deleted, SymSpell-style) used only to block fuzzy
           candidates: Hangul syllables, Han characters, Latin letters.

Readings of Han characters come from glossary.phonetics; here they are only combined.
"""
from __future__ import annotations

import re
import unicodedata
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from functools import lru_cache
from importlib.resources import files
from typing import Iterable, Mapping, Sequence

from glossary import phonetics
from glossary.errors import KozhError
from glossary.scripts import is_han, is_hangul_syllable

MAX_NAME_LENGTH = 1000
MAX_COMBOS = 4           # heteronym / reading combinations per alias and key kind
MIN_DELETE_SYLLABLES = 3  # shorter Hangul names are matched only by key, never fuzzily
MAX_DELETE_SYLLABLES = 12
MIN_DELETE_HAN = 4
MAX_DELETE_HAN = 12
MIN_DELETE_LATIN = 6
MAX_DELETE_LATIN = 30

HANGUL_KINDS = ("ph", "tr", "sino", "hyb", "c.ph", "c.tr", "c.sino")
LATIN_KINDS = ("py", "conv", "hybl", "c.py")

# ---------------------------------------------------------------- normalization

_ZERO_WIDTH = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff"), None)


def clean_name(name: object) -> str:
    """The query as given, checked: a non-empty single-line name of at most 1000 characters."""
    if not isinstance(name, str):
        raise KozhError(f"a name must be a string, not {type(name).__name__}")
    if len(name) > MAX_NAME_LENGTH:
        raise KozhError(f"name too long ({len(name)} characters; a name has at most {MAX_NAME_LENGTH})")
    text = name.translate(_ZERO_WIDTH)
    for i, ch in enumerate(text):
        if unicodedata.category(ch) in ("Cc", "Cs"):
            raise KozhError(f"name contains a control character (U+{ord(ch):04X} at position {i + 1})")
    text = text.strip()
    if not text:
        raise KozhError("empty name")
    return text


def norm(text: str) -> str:
    """NFKC, casefold, only letters, digits and marks: 'Ai Kucun' -> 'aikucun', '北斗+' -> '北斗'."""
    text = unicodedata.normalize("NFKC", text).casefold()
    return "".join(c for c in text if unicodedata.category(c)[0] in "LNM")


def fold_han(text: str) -> str:
    """norm in simplified script with Korean hanja variants folded: 騰訊新聞 -> 腾讯新闻."""
    from glossary.variants import to_simplified

    return norm(to_simplified(text))


_MARKS = re.compile(r"[\u0300-\u036f]")


def latin_fold(key: str) -> str:
    """A norm key without diacritics, as toneless pinyin is written: 'Běijīng' -> 'beijing', 'lü' -> 'lu'."""
    return _MARKS.sub("", unicodedata.normalize("NFD", key))


@lru_cache(maxsize=4096)
def is_pinyin(key: str) -> bool:
    """Whether a Latin key is a run of pinyin syllables ('hongdeng', 'xinjingbao'): one letter more or
    less there makes another syllable, so another name, not a typo."""
    n = len(key)
    ok = [True] + [False] * n
    for i in range(n):
        if ok[i]:
            for j in range(i + 1, min(n, i + 6) + 1):
                if not ok[j] and phonetics.pinyin_to_hangul(key[i:j]):
                    ok[j] = True
    return n > 0 and ok[n]


def pinyin_key(syllables: Iterable[str]) -> str:
    """Toneless pinyin without spaces; ü (v in pypinyin) written u, as in English-language text."""
    return "".join(syllables).replace("v", "u")


def script_of(key: str) -> str:
    """'han' if it holds Han, else 'hangul' / 'latin' when wholly so, else 'mixed'."""
    if not key:
        return "mixed"
    if any(is_han(c) for c in key):
        return "han"
    if all(is_hangul_syllable(c) for c in key):
        return "hangul"
    if all(c.isascii() or unicodedata.category(c) == "Mn" or "a" <= latin_fold(c) <= "z" for c in key):
        return "latin"
    return "mixed"


def syllable_tokens(hangul: str) -> list[str]:
    """Per-syllable phonetic keys: 쨩 and 장 are one token, 지아 stays two."""
    return [phonetics.phonetic_key(s) for s in hangul]


def deletes(units: Sequence[str], sep: str = "") -> list[str]:
    """The string and every string with one unit deleted (SymSpell's distance-1 neighbourhood)."""
    units = list(units)
    out = [sep.join(units)]
    for i in range(len(units)):
        if i == 0 or units[i] != units[i - 1]:
            out.append(sep.join(units[:i] + units[i + 1:]))
    return out


# ---------------------------------------------------------------- affixes


@dataclass(frozen=True)
class Affixes:
    legal: Mapping[str, tuple[str, ...]]     # script -> forms, longest first
    group: Mapping[str, tuple[str, ...]]
    industry: Mapping[str, tuple[str, ...]]
    place_zh: tuple[str, ...]                # 省 市 区 ... (glossary/data/place_affixes.tsv)
    place_ko: tuple[str, ...]                # 성 시 구 ...
    place_en: tuple[str, ...]                # city province ...
    parents: tuple[str, ...]                 # province-level units: 上海 江苏 ...
    parent_suffixes: tuple[str, ...]
    legal_words: tuple[tuple[str, ...], ...] = ()   # English forms as word tuples, most words first
    group_words: tuple[tuple[str, ...], ...] = ()
    place_words: tuple[tuple[str, ...], ...] = ()
    industry_words: tuple[tuple[str, ...], ...] = ()


def _by_length(forms: Iterable[str]) -> tuple[str, ...]:
    return tuple(sorted(set(f for f in forms if f), key=lambda f: (-len(f), f)))


@lru_cache(maxsize=1)
def affixes() -> Affixes:
    mine: dict[tuple[str, str], list[str]] = defaultdict(list)
    words: dict[str, set[tuple[str, ...]]] = defaultdict(set)
    for line in files("resolver").joinpath("data/affixes.tsv").read_text("utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            script, role, form = line.split("\t")[:3]
            if len(norm(form)) >= 2:  # (주) is matched on the raw text, see reductions()
                mine[(script, role)].append(norm(form))
            if script == "en":
                words[role].add(tuple(re.findall(r"[^\W_]+", form.casefold())))
    by_words = lambda role: tuple(sorted(words[role], key=lambda w: (-len(w), w)))  # noqa: E731
    theirs: dict[str, list[str]] = defaultdict(list)
    for line in files("glossary").joinpath("data/place_affixes.tsv").read_text("utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            role, form = line.split("\t")[:2]
            theirs[role].append(norm(form))
    per_script = lambda role: {s: _by_length(mine[(s, role)]) for s in ("zh", "ko", "en")}  # noqa: E731
    return Affixes(
        legal=per_script("legal"), group=per_script("group"), industry=per_script("industry"),
        place_zh=_by_length(theirs["zh_suffix"]), place_ko=_by_length(theirs["ko_suffix"]),
        place_en=_by_length(mine[("en", "place_en")]),
        parents=_by_length(theirs["zh_parent"]), parent_suffixes=_by_length(theirs["zh_parent_suffix"]),
        legal_words=by_words("legal"), group_words=by_words("group"), place_words=by_words("place_en"),
        industry_words=by_words("industry"),
    )


_PARENS = re.compile(r"[(（][^()（）]{1,12}[)）]")


def _drop_suffix(key: str, forms: Iterable[str], min_left: int) -> tuple[str, str] | None:
    for f in forms:
        if key.endswith(f) and len(key) - len(f) >= min_left:
            return key[: -len(f)], f
    return None


def _drop_prefix(key: str, forms: Iterable[str], min_left: int) -> tuple[str, str] | None:
    for f in forms:
        if key.startswith(f) and len(key) - len(f) >= min_left:
            return key[len(f):], f
    return None


@dataclass(frozen=True)
class Reduced:
    key: str
    dropped: tuple[str, ...]   # what was taken off, in order, for the explanation
    place: bool                # an administrative place affix was taken: only places may match


def reductions(text: str, script: str, *, query: bool, place: bool | None = None,
               prefixes: Sequence[str] = (), parents: Sequence[str] = ()) -> list[Reduced]:
    """Shorter keys naming the same entity, fewest steps first (the key itself not included).

    Both sides: a parenthesised place (和元生物技术(上海)...), legal forms (股份有限公司, 주식회사, Co., Ltd.),
    then - only in a legal name, where the place is a registration detail - a leading place (江苏...);
    and for places, administrative affixes (허베이성 -> 허베이, 北京市房山区 -> 房山, Hefei City -> Hefei),
    marked place=True so they only ever meet places. `place` is the alias's entity being a place (None:
    unknown, or a query). Query side only: 'group' words, then one trailing industry word (和元生物技术 ->
    和元生物), which the caller lets meet an alias only as written.
    `prefixes` are leading place names in the key's script, longest first; `parents` zh places for
    glossary.link.place_stem.
    """
    aff = affixes()
    lang = {"han": "zh", "hangul": "ko", "latin": "en"}.get(script)
    if lang is None:
        return []
    out: list[Reduced] = []
    if lang == "en":
        return _latin_reductions(text, query=query, place=place)
    key = fold_han(text) if lang == "zh" else norm(text)
    seen = {key}

    def emit(k: str, dropped: tuple[str, ...], is_place: bool = False) -> None:
        if len(k) >= 2 and k not in seen:
            seen.add(k)
            out.append(Reduced(k, dropped, is_place))

    dropped: tuple[str, ...] = ()
    if lang == "ko":
        raw = unicodedata.normalize("NFKC", text)
        if "(주)" in raw:  # 주식회사 abbreviated; norm would leave a bare 주, which is also a syllable
            key = norm(raw.replace("(주)", ""))
            dropped = ("(주)",)
            emit(key, dropped)
    if lang == "zh":
        raw = unicodedata.normalize("NFKC", text)
        if _PARENS.search(raw):
            dropped = tuple(m.group(0) for m in _PARENS.finditer(raw))
            key = fold_han(_PARENS.sub("", raw))
            emit(key, dropped)
    legal = bool(dropped)
    while True:
        hit = _drop_suffix(key, aff.legal[lang], 2) or _drop_prefix(key, aff.legal[lang], 2)
        if hit is None:
            break
        key, form = hit
        dropped += (form,)
        legal = True
        emit(key, dropped)
    if legal and prefixes:
        hit = _drop_prefix(key, prefixes, 2)
        if hit is not None:
            key, form = hit
            dropped += (form,)
            emit(key, dropped)
    if query:
        hit = _drop_suffix(key, aff.group[lang], 2)
        if hit is not None:
            key, form = hit
            dropped += (form,)
            emit(key, dropped)
        hit = _drop_suffix(key, aff.industry[lang], 2)
        if hit is not None:
            emit(hit[0], dropped + (hit[1],))
    if place is not False:
        if lang == "zh":
            start = fold_han(_PARENS.sub("", unicodedata.normalize("NFKC", text)))
            # place_stem sorts its parents on every call: ask it only when it has something to do
            stem = start
            if start.endswith(aff.place_zh) or start.startswith(aff.parents) or (
                    parents and start.startswith(tuple(parents))):
                from glossary.link import place_stem

                stem = place_stem(start, parents)
            if stem != start:
                emit(stem, (start[: start.index(stem)] if stem in start else "", start[len(stem):]), True)
        else:
            start = norm(text)
            hit = _drop_suffix(start, aff.place_ko, 2)
            stem = hit[0] if hit else start
            head = _drop_prefix(stem, prefixes, 2) if prefixes else None
            if hit:
                emit(stem, (hit[1],), True)
            if head:
                emit(head[0], (head[1],) + ((hit[1],) if hit else ()), True)
                tail = _drop_suffix(head[0], aff.place_ko, 2)
                if tail:
                    emit(tail[0], (head[1], tail[1]), True)
    return out


def _latin_reductions(text: str, *, query: bool, place: bool | None) -> list[Reduced]:
    """Word-wise: 'Xiaomi Group Co., Ltd.' -> 'xiaomigroup' -> (query) 'xiaomi'; 'Hefei City' -> 'hefei'."""
    aff = affixes()
    words = re.findall(r"[^\W_]+", unicodedata.normalize("NFKC", text).casefold())
    out: list[Reduced] = []
    seen = {"".join(words)}

    def emit(ws: list[str], dropped: tuple[str, ...], is_place: bool = False) -> None:
        k = "".join(ws)
        if len(k) >= 3 and k not in seen:
            seen.add(k)
            out.append(Reduced(k, dropped, is_place))

    def strip(ws: list[str], forms: Iterable[tuple[str, ...]]) -> tuple[list[str], str] | None:
        for fw in forms:
            if len(ws) > len(fw) and tuple(ws[-len(fw):]) == fw:
                return ws[: -len(fw)], " ".join(fw)
        return None

    ws, dropped = words, ()
    while (hit := strip(ws, aff.legal_words)) is not None:
        ws, form = hit
        dropped += (form,)
        emit(ws, dropped)
    if query:
        if (hit := strip(ws, aff.group_words)) is not None:
            ws, dropped = hit[0], dropped + (hit[1],)
            emit(ws, dropped)
        if (hit := strip(ws, aff.industry_words)) is not None:
            emit(hit[0], dropped + (hit[1],))
    if place is not False and (hit := strip(ws, aff.place_words)) is not None:
        emit(hit[0], dropped + (hit[1],), True)
    return out


# ---------------------------------------------------------------- readings of Han text


def _combos(default: Sequence[str], alternatives: Sequence[Sequence[str]], cap: int = MAX_COMBOS) -> list[list[str]]:
    """The default reading, then readings changing one position at a time, left to right, up to cap."""
    out = [list(default)]
    for i, alts in enumerate(alternatives):
        for alt in alts:
            if len(out) >= cap:
                return out
            if alt != default[i]:
                out.append(list(default[:i]) + [alt] + list(default[i + 1:]))
    return out


def han_pinyin(zh: str) -> list[str] | None:
    """The reading glossary.transliterate chooses (dictionary words and names, surnames), toneless, one
    syllable per character; None if the text is not all Han."""
    from glossary.translit import reading, toneless

    if not zh or not all(is_han(c) for c in zh):
        return None
    syllables = [toneless(s) for s in reading(zh)]
    return syllables if len(syllables) == len(zh) else None


def pinyin_combos(zh: str, default: Sequence[str] | None = None) -> list[list[str]]:
    """The phrase-aware default reading, then other readings of the first character only: that is where
    the phrase dictionary goes wrong (surnames: 曾 zeng, 单 shan, 解 xie); elsewhere pypinyin's list
    holds rare readings (市 fu) that would only make false keys."""
    default = default if default is not None else han_pinyin(zh)
    if default is None:
        return []
    return _combos(default, [phonetics.char_pinyin(zh[0])])


def hangul_of(syllables: Iterable[str]) -> str | None:
    out = []
    for s in syllables:
        h = phonetics.pinyin_to_hangul(s)
        if not h:
            return None
        out.append(h)
    return "".join(out)


@lru_cache(maxsize=65536)
def _sino_forms(ch: str, initial: bool) -> tuple[str, ...]:
    forms = phonetics.char_sino(ch)
    if not forms:
        return ()
    if initial:
        # the initial-sound rule form first (寧 -> 영), then the others
        first = phonetics.initial_sound_rule(forms[0])
        return tuple(dict.fromkeys((first, *forms)))
    return tuple(f for f in forms if f != phonetics.initial_sound_rule(f) or f == forms[0]) or forms[:1]


def sino_combos(zh: str) -> list[str]:
    """Sino-Korean readings: standard (initial-sound rule on the first character) then variants."""
    if not zh or not all(is_han(c) for c in zh):
        return []
    per_char = [_sino_forms(c, i == 0) for i, c in enumerate(zh)]
    if any(not f for f in per_char):
        return []
    return ["".join(c) for c in _combos([f[0] for f in per_char], per_char)]


def tone_pinyin(zh: str) -> str:
    """Tone-marked pinyin for explanations, the reading glossary.transliterate chooses: 比亚迪 -> 'bǐ yà dí'."""
    from glossary.translit import reading

    return " ".join(reading(zh))


# A lattice: per character, {phonetic key of a Hangul reading: 't' transliteration | 's' Sino-Korean}.
Lattice = list[dict[str, str]]


@lru_cache(maxsize=65536)
def char_readings(ch: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for form in phonetics.char_sino(ch):
        out.setdefault(phonetics.phonetic_key(form), "s")
    for p in phonetics.char_pinyin(ch):
        for h in phonetics.pinyin_to_hangul(p, informal=True) or ():
            out[phonetics.phonetic_key(h)] = "t"
    return out


@lru_cache(maxsize=65536)
def _readings_of(ch: str, syllables: tuple[str, ...]) -> dict[str, str]:
    out: dict[str, str] = {}
    for form in phonetics.char_sino(ch):
        out.setdefault(phonetics.phonetic_key(form), "s")
    for p in syllables:
        for h in phonetics.pinyin_to_hangul(p, informal=True) or ():
            out[phonetics.phonetic_key(h)] = "t"
    return out


def lattice(zh: str) -> Lattice:
    """Per character, the readings a Korean writer would use: Sino-Korean, and the transliteration of
    its reading here (phrase-aware) and of its most common reading; all readings for the first
    character (surnames). Rare readings (家 gu) would only make coincidences."""
    default = han_pinyin(zh)
    out: Lattice = []
    for i, c in enumerate(zh):
        if not is_han(c):
            out.append({})
            continue
        readings = phonetics.char_pinyin(c)
        chosen = readings if i == 0 else readings[:1]
        if default and default[i] not in chosen:
            chosen = (*chosen, default[i])
        out.append(_readings_of(c, tuple(chosen)))
    return out


def encode_lattice(lat: Lattice) -> str:
    return "|".join(",".join(f"{k}:{v}" for k, v in d.items()) for d in lat)


def decode_lattice(text: str) -> Lattice:
    out: Lattice = []
    for part in text.split("|"):
        d = {}
        for item in part.split(","):
            if item:
                k, _, v = item.rpartition(":")
                d[k] = v
        out.append(d)
    return out


# ---------------------------------------------------------------- translated parts


@dataclass
class Parts:
    """Chinese name parts that Korean (or English) text translates: 汽车 <-> 자동차, 集团 <-> 그룹/Group.

    hangul / latin: simplified part -> renderings. learned: (part, rendering) -> entities attesting it."""

    hangul: dict[str, tuple[str, ...]] = field(default_factory=dict)
    latin: dict[str, tuple[str, ...]] = field(default_factory=dict)
    learned: dict[tuple[str, str], int] = field(default_factory=dict)
    _max_len: int | None = field(default=None, repr=False, compare=False)

    @classmethod
    def seed(cls) -> "Parts":
        hangul: dict[str, list[str]] = defaultdict(list)
        latin: dict[str, list[str]] = defaultdict(list)
        for zh, renderings in phonetics.translated_parts().items():
            z = fold_han(zh)
            for r in renderings:
                k = norm(r)
                if not k:
                    continue
                if script_of(k) == "hangul":
                    hangul[z].append(k)
                elif script_of(k) == "latin":
                    latin[z].append(k)
        return cls({z: tuple(dict.fromkeys(v)) for z, v in hangul.items()},
                   {z: tuple(dict.fromkeys(v)) for z, v in latin.items()})

    def add(self, zh: str, rendering: str, entities: int) -> None:
        have = self.hangul.get(zh, ())
        if rendering not in have:
            self.hangul[zh] = have + (rendering,)
            self._max_len = None
        self.learned[(zh, rendering)] = entities

    @property
    def max_len(self) -> int:
        if self._max_len is None:
            self._max_len = max((len(z) for z in self.hangul), default=0)
        return self._max_len

    def units(self, zh: str) -> list[tuple[int, int, dict[str, str]]]:
        """(start, length, {phonetic key: 'p'}) for every part occurring in zh."""
        out = []
        for start in range(len(zh)):
            for length in range(1, min(self.max_len, len(zh) - start) + 1):
                renderings = self.hangul.get(zh[start:start + length])
                if renderings:
                    out.append((start, length, {phonetics.phonetic_key(r): "p" for r in renderings}))
        return out

    def hangul_tails(self) -> tuple[str, ...]:
        """Korean renderings and industry/group words, longest first: the generic ends of Korean names."""
        aff = affixes()
        forms = {r for rs in self.hangul.values() for r in rs if len(r) >= 2}
        forms |= set(aff.group["ko"]) | set(aff.industry["ko"]) | set(aff.legal["ko"])
        return _by_length(forms)

    def han_tails(self) -> tuple[str, ...]:
        aff = affixes()
        forms = {z for z in self.hangul if len(z) >= 2} | set(aff.group["zh"]) | set(aff.industry["zh"])
        return _by_length(forms | set(aff.legal["zh"]))

    def to_rows(self) -> list[str]:
        rows = [f"h\t{z}\t{r}" for z, rs in self.hangul.items() for r in rs]
        rows += [f"l\t{z}\t{r}" for z, rs in self.latin.items() for r in rs]
        return rows

    @classmethod
    def from_rows(cls, rows: Iterable[str]) -> "Parts":
        parts = cls()
        for row in rows:
            script, z, r = row.split("\t")
            table = parts.hangul if script == "h" else parts.latin
            table[z] = table.get(z, ()) + (r,)
        return parts


# ---------------------------------------------------------------- alignment of Hangul to Han


@dataclass(frozen=True)
class Alignment:
    cost: int
    # (hangul segment, zh segment, tag) with tag 't' transliteration, 's' Sino-Korean, 'p' translated,
    # '~' substituted, '-' zh unread, '+' extra Hangul
    steps: tuple[tuple[str, str, str], ...]

    @property
    def tags(self) -> str:
        return "".join(t for _, _, t in self.steps)


MAX_SEGMENT = 3   # syllables one character may take: 시아오 (xiao)
MAX_PART_SEGMENT = 7


def align(hangul: str, zh: str, lat: Lattice, units: Sequence[tuple[int, int, dict[str, str]]] = (),
          *, max_cost: int = 3) -> Alignment | None:
    """Cheapest reading of the Hangul as the Chinese, character by character (or translated part),
    allowing substituted, missing and extra units at cost 1 each. None when it costs more than max_cost."""
    syl = [c for c in hangul if is_hangul_syllable(c)]
    n, m = len(lat), len(syl)
    if n == 0 or m == 0 or abs(n - m) > max_cost + 2 * n:
        return None
    key = phonetics.phonetic_key
    seg = [[key("".join(syl[j:j + k])) if j + k <= m else None for k in range(MAX_PART_SEGMENT + 1)]
           for j in range(m)]
    by_start: dict[int, list[tuple[int, dict[str, str]]]] = defaultdict(list)
    for start, length, renderings in units:
        by_start[start].append((length, renderings))
    INF = 1 << 30
    cost = [[INF] * (m + 1) for _ in range(n + 1)]
    back: list[list[tuple | None]] = [[None] * (m + 1) for _ in range(n + 1)]
    cost[0][0] = 0
    for i in range(n + 1):
        for j in range(m + 1):
            c = cost[i][j]
            if c == INF or c > max_cost:
                continue

            def relax(i2: int, j2: int, c2: int, tag: str) -> None:
                if c2 < cost[i2][j2]:
                    cost[i2][j2] = c2
                    back[i2][j2] = (i, j, tag)

            if i < n:
                for k in range(1, MAX_SEGMENT + 1):
                    if j + k <= m:
                        tag = lat[i].get(seg[j][k])
                        if tag:
                            relax(i + 1, j + k, c, tag)
                for length, renderings in by_start.get(i, ()):
                    for k in range(1, MAX_PART_SEGMENT + 1):
                        if j + k <= m and seg[j][k] in renderings:
                            relax(i + length, j + k, c, "p")
                if j < m:
                    relax(i + 1, j + 1, c + 1, "~")
                relax(i + 1, j, c + 1, "-")
            if j < m:
                relax(i, j + 1, c + 1, "+")
    if cost[n][m] > max_cost:
        return None
    steps = []
    i, j = n, m
    while (i, j) != (0, 0):
        pi, pj, tag = back[i][j]
        steps.append(("".join(syl[pj:j]), zh[pi:i], tag))
        i, j = pi, pj
    return Alignment(cost[n][m], tuple(reversed(steps)))


def observe_parts(pairs: Iterable[tuple[str, str]]) -> set[tuple[str, str]]:
    """The (Chinese tail, Korean rendering) correspondences that the (ko, zh) pairs of one entity attest.

    When the Korean reads the head of the Chinese (all but its last 1-3 characters) by transliteration or
    Sino-Korean, and the rest of the Korean is not a reading of the tail, the rest translates the tail:
    (친추안자동차, 秦川汽车) teaches 汽车 <-> 자동차. The shortest such tail is taken."""
    found_parts: set[tuple[str, str]] = set()
    key = phonetics.phonetic_key
    for ko, zh in pairs:
        k, z = norm(ko), fold_han(zh)
        if script_of(k) != "hangul" or not z or not all(is_han(c) for c in z) or len(z) < 2:
            continue
        last = char_readings(z[-1])
        if any(key(k[-i:]) in last for i in range(1, min(MAX_SEGMENT, len(k)) + 1)):
            continue  # the Korean ends in a reading of the last character: nothing is translated
        for tail_len in (1, 2, 3):
            head, tail = z[:-tail_len], z[-tail_len:]
            if not head:
                break
            if align(k, head, lattice(head), max_cost=0) is not None:
                break  # the Korean reads the head alone: the tail is left out, not translated (허베이, 河北省)
            found = _explained_head(k, head, tail)
            if found is not None:
                found_parts.add((tail, found))
                break
    return found_parts


def parts_from(attested: Mapping[tuple[str, str], int], seed: Parts | None = None, *,
               min_entities: int = 2) -> Parts:
    """The seed parts plus the correspondences `attested` by enough entities ((tail, rendering) -> how
    many entities). Taken in sorted order, so the result does not depend on the order they were seen in."""
    parts = seed if seed is not None else Parts.seed()
    for (tail, rendering), entities in sorted(attested.items()):
        if rendering in parts.hangul.get(tail, ()):
            parts.add(tail, rendering, entities)
        elif entities >= min_entities and 2 <= len(rendering) <= 2 * len(tail):
            # one syllable is too often a particle (허베이 + 이); a long one an expanded abbreviation
            # (北大 = 베이 + 징대학)
            parts.add(tail, rendering, entities)
    return parts


def learn_parts(pairs: Iterable[tuple[str, str, str]], seed: Parts | None = None, *,
                min_entities: int = 2) -> Parts:
    """Learn translated parts from attested (entity, ko, zh) pairs: a correspondence counts once per entity
    (observe_parts) and is kept when min_entities entities attest it (seed parts need none)."""
    by_entity: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for entity, ko, zh in pairs:
        by_entity[entity].append((ko, zh))
    attested: Counter[tuple[str, str]] = Counter()
    for entity_pairs in by_entity.values():
        attested.update(observe_parts(entity_pairs))
    return parts_from(attested, seed, min_entities=min_entities)


def _explained_head(ko: str, head: str, tail: str) -> str | None:
    """The Korean rest after a reading of head, if it does not read tail (then it translates it)."""
    lat = lattice(head)
    tail_first = char_readings(tail[0])
    key = phonetics.phonetic_key
    for cut in range(len(ko) - 1, 0, -1):
        a = align(ko[:cut], head, lat, max_cost=0)
        if a is None:
            continue
        rest = ko[cut:]
        if any(key(rest[:k]) in tail_first for k in range(1, min(MAX_SEGMENT, len(rest)) + 1)):
            return None
        if align(rest, tail, lattice(tail), max_cost=0) is not None:
            return None
        return rest
    return None


# ---------------------------------------------------------------- conventional romanizations


@lru_cache(maxsize=1)
def romanizations() -> dict[str, tuple[str, ...]]:
    table: dict[str, tuple[str, ...]] = {}
    for line in files("resolver").joinpath("data/romanizations.tsv").read_text("utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            zh, spellings = line.split("\t")[:2]
            table[fold_han(zh)] = tuple(latin_fold(norm(s)) for s in spellings.split(",") if s.strip())
    return table


# ---------------------------------------------------------------- keys of an alias


def place_prefixes_of(zh_places: Iterable[str]) -> tuple[str, ...]:
    """Leading place names for stripping: province-level units (and their 省/市 forms) plus short places
    the glossary itself holds (杭州, 南京)."""
    aff = affixes()
    forms = set()
    for p in aff.parents:
        forms.add(p)
        forms.update(p + s for s in aff.parent_suffixes)
    for p in zh_places:
        if 2 <= len(p) <= 3 and all(is_han(c) for c in p):
            forms.add(p)
            forms.update(p + s for s in aff.parent_suffixes)
    return _by_length(forms)


@dataclass
class KeyContext:
    """What key generation (and a query's reductions) need beyond the name itself: the translated parts,
    leading place names in Han and Hangul, and the glossary's short Chinese place names."""

    parts: Parts
    zh_prefixes: tuple[str, ...] = ()
    ko_prefixes: tuple[str, ...] = ()
    zh_places: tuple[str, ...] = ()

    def reductions(self, text: str, script: str, *, query: bool, place: bool | None = None) -> list[Reduced]:
        prefixes = self.zh_prefixes if script == "han" else self.ko_prefixes if script == "hangul" else ()
        return reductions(text, script, query=query, place=place, prefixes=prefixes, parents=self.zh_places)

    def to_rows(self) -> list[tuple[str, str]]:
        rows = [("part", r) for r in self.parts.to_rows()]
        rows += [("zpfx", p) for p in self.zh_prefixes] + [("kpfx", p) for p in self.ko_prefixes]
        rows += [("zplace", p) for p in self.zh_places]
        return rows

    @classmethod
    def from_rows(cls, rows: Iterable[tuple[str, str]]) -> "KeyContext":
        by_kind: dict[str, list[str]] = defaultdict(list)
        for kind, key in rows:
            by_kind[kind].append(key)
        return cls(Parts.from_rows(by_kind["part"]), _by_length(by_kind["zpfx"]), _by_length(by_kind["kpfx"]),
                   tuple(by_kind["zplace"]))

    @classmethod
    def build(cls, parts: Parts, places: Iterable[tuple[str, str]] = ()) -> "KeyContext":
        """places: (lang, text) aliases of place entities."""
        zh_places, ko_places = [], []
        for lang, text in places:
            k = fold_han(text) if lang.startswith("zh") else norm(text)
            if lang.startswith("zh") and 2 <= len(k) <= 3 and all(is_han(c) for c in k):
                zh_places.append(k)
            elif lang == "ko" and 2 <= len(k) <= 4 and script_of(k) == "hangul":
                ko_places.append(k)
        zh = place_prefixes_of(zh_places)
        ko = set(ko_places)
        for p in affixes().parents:
            h = hangul_of(han_pinyin(p) or [])
            if h:
                ko.add(h)
        ko |= {p + s for p in list(ko) for s in ("시", "성")}
        return cls(parts, zh, _by_length(ko), tuple(sorted(set(zh_places))))


def alias_keys(text: str, lang: str, ctx: KeyContext, *, kind: str | None = None) -> list[tuple[str, str]]:
    """All (key kind, key) of one alias. kind is the entity's kind: place affixes are only taken off
    places (or entities of unknown kind)."""
    out: list[tuple[str, str]] = []
    n = norm(text)
    if not n:
        return out
    out.append(("norm", n))
    script = script_of(n)
    is_place = None if kind is None else kind == "place"
    if script == "han":
        z = fold_han(text)
        out.append(("zh", z))
        _han_keys(z, ctx, out, "")
        if MIN_DELETE_HAN <= len(z) <= MAX_DELETE_HAN:
            out.extend(("zdel", d) for d in deletes(z))
        for red in ctx.reductions(text, "han", query=False, place=is_place):
            out.append(("core", red.key))
            _han_keys(red.key, ctx, out, "c.", hybrid=False)
    elif script == "hangul":
        out.append(("ph", phonetics.phonetic_key(n)))
        _hangul_deletes(n, out)
        for red in ctx.reductions(text, "hangul", query=False, place=is_place):
            out.append(("core", red.key))
            out.append(("c.ph", phonetics.phonetic_key(red.key)))
    else:
        if script == "latin":
            folded = latin_fold(n)
            if folded != n:
                out.append(("py", folded))
            if MIN_DELETE_LATIN <= len(n) <= MAX_DELETE_LATIN:
                out.extend(("ldel", d) for d in deletes(n))
            for red in ctx.reductions(text, "latin", query=False, place=is_place):
                out.append(("core", red.key))
        elif MIN_DELETE_LATIN <= len(n) <= MAX_DELETE_LATIN:
            out.extend(("ldel", d) for d in deletes(n))
    return list(dict.fromkeys(out))


def _hangul_deletes(hangul: str, out: list) -> None:
    tokens = syllable_tokens(hangul)
    if MIN_DELETE_SYLLABLES <= len(tokens) <= MAX_DELETE_SYLLABLES:
        out.extend(("hdel", d) for d in deletes(tokens, "."))


def _han_keys(z: str, ctx: KeyContext, out: list, prefix: str, *, hybrid: bool = True) -> None:
    default = han_pinyin(z)
    if default is None:
        return
    key = phonetics.phonetic_key
    combos = pinyin_combos(z, default)
    for i, combo in enumerate(combos):
        out.append((prefix + "py", pinyin_key(combo)))
        h = hangul_of(combo)
        if h:
            out.append((prefix + "tr", key(h)))
            if i == 0 and not prefix:
                _hangul_deletes(h, out)
    for i, s in enumerate(sino_combos(z)):
        out.append((prefix + "sino", key(s)))
        if i == 0 and not prefix:
            _hangul_deletes(s, out)
    if prefix:
        return
    conv = romanizations()
    if z in conv:
        out.extend(("conv", c) for c in conv[z])
    if not hybrid:
        return
    parts = ctx.parts
    std_tr = hangul_of(default) or ""
    std_sino = sino_combos(z)[:1]
    for tail_len in range(1, min(3, len(z) - 1) + 1):
        head, tail = z[:-tail_len], z[-tail_len:]
        head_tr = hangul_of(default[:-tail_len])
        head_sino = std_sino[0][:-tail_len] if std_sino else None
        for r in parts.hangul.get(tail, ())[:6]:
            for h in (head_tr, head_sino):
                if h:
                    out.append(("hyb", key(h + r)))
        if head_tr and parts.hangul.get(tail):
            _hangul_deletes(head_tr + parts.hangul[tail][0], out)  # typos in the usual hybrid form
        latin_head = pinyin_key(default[:-tail_len])
        for r in parts.latin.get(tail, ())[:4]:
            out.append(("hybl", latin_head + latin_fold(r)))
        for c in conv.get(head, ()):
            for r in parts.latin.get(tail, ())[:4]:
                out.append(("conv", c + latin_fold(r)))
            out.append(("conv", c + pinyin_key(default[-tail_len:])))
    for head_len in range(1, min(3, len(z) - 1) + 1):
        head = z[:head_len]
        rest_tr = hangul_of(default[head_len:])
        if rest_tr:
            for r in parts.hangul.get(head, ())[:6]:
                if script_of(r) == "hangul" and r != std_tr[: len(r)]:
                    out.append(("hyb", key(r + rest_tr)))
