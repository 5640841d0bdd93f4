"""Finding the glossary's names in a document.

Every alias of the glossary goes into one Aho-Corasick automaton (ahocorasick_rs), together with
forms kozh derives itself:
  parts      a name inside other names: 中关村 in 中关村科学城 and 中关村科技园区管理委员会. A Chinese
             prefix shared by two or more entities that is a word (jieba's dictionary) or an entity of
             its own is a part; its Korean form is cut out of each compound by phonetic alignment
             (중관촌|과학시티), so a compound mention also counts as a mention of its parts.
  generated  the standard transliteration (외래어 표기법) of a short Chinese name or part: 中关村 ->
             중관춘, so text that spells a name by the rules is found even when the glossary
             attests only an informal spelling.
The document is scanned with spaces removed (names are spaced freely: 상하이 지아딩 / 상하이지아딩) and
every match is mapped back to the original offsets. Of all overlapping matches the leftmost-longest
one that respects Korean word boundaries wins:
  left   a Hangul match must not be preceded by Hangul (시안 inside 디자인시안 is no mention), unless
         the previous mention ends there (상하이지아딩 = 상하이 + 지아딩);
  right  a Hangul match followed by more Hangul must be followed by particles or endings
         (중관촌에서, 닝더스다이는), or by an administrative suffix (시안성); a name of three or more
         syllables may also start a compound (중관촌한중메타버스포럼).
Bracketed pairs (지아딩(嘉定)) are read with glossary.pairs (brackets, their content) and
glossary.alignment (where the Korean name before a bracket starts), as extract_pairs reads them: the
Korean before a bracket whose Chinese the glossary knows is a mention of that entity even when its
spelling is new.

The core works on rows (entity_id, text, lang, status[, count]) so tests build glossaries directly;
`load_glossary` reads them from a kozh database, `Glossary.from_pairs` from extracted pairs.
"""
from __future__ import annotations

import re
import sqlite3
import unicodedata
from bisect import bisect_right
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import accumulate
from importlib.resources import files
from pathlib import Path
from typing import Iterable, Sequence

from glossary.errors import KozhError
from glossary.scripts import is_han, is_hangul, is_hangul_syllable, is_latin

__all__ = [
    "Glossary", "Mention", "Gloss", "Scan", "MentionFinder", "load_glossary", "squeeze", "fold_zh",
    "align_prefix",
]

STATUSES = ("preferred", "admitted", "deprecated")
GENERATED = "generated"   # a standard transliteration kozh made; not in the glossary
DERIVED = "derived"       # a part's form cut out of a compound alias; not in the glossary itself
UNLISTED = "unlisted"     # a Korean form the text glosses with a known Chinese form, not in the glossary

PART_PREFIX = "zh:"       # key of a part that is no entity of its own: zh:中关村
MIN_GENERATED_SYLLABLES = 3   # shorter standard transliterations collide with Korean words (新浪 -> 신랑 'groom')
MAX_GENERATED_HAN = 5         # longer Chinese names are translated, not transliterated
MIN_PART_HAN = 2
MAX_PART_HAN = 8
CROSS_SPACE_MIN = 4       # a match running over a space must be this long (리 팅 is not 리팅)

_SPACES = " \u3000\u00a0"
_HANGUL_LO, _HANGUL_HI = "\u1100", "\ud7a3"   # the range holding every Hangul jamo and syllable
_SQUEEZE = str.maketrans("", "", _SPACES)


def squeeze(text: str) -> str:
    """The form without spaces: the key under which 상하이 지아딩 and 상하이지아딩 meet."""
    return text.translate(_SQUEEZE)


@lru_cache(maxsize=262144)
def fold_zh(text: str) -> str:
    """Chinese form to its lookup key: simplified, no spaces (騰訊 -> 腾讯)."""
    from glossary.variants import to_simplified

    return squeeze(to_simplified(text))


def _is_alnum_latin(ch: str) -> bool:
    """Latin letters and digits, which continue a Latin name (③ and ① do not)."""
    return is_latin(ch) or "0" <= ch <= "9" or "\uff10" <= ch <= "\uff19"


# ---------------------------------------------------------------- glossary


_NONE: dict = {}   # shared by entries that have no form of a language; never written to


@dataclass(slots=True)
class Entry:
    """One entity as the checker sees it: its written forms by language, with status and count."""

    id: str
    ko: dict[str, str] = field(default_factory=lambda: _NONE)   # form -> status
    zh: dict[str, str] = field(default_factory=lambda: _NONE)
    en: dict[str, str] = field(default_factory=lambda: _NONE)
    counts: dict[str, int] = field(default_factory=lambda: _NONE)   # only counts above 1
    zh_keys: tuple[str, ...] = ()   # the Chinese forms folded (simplified, no spaces), preferred first

    def zh_key(self) -> str | None:
        """The folded key of the preferred Chinese form."""
        zh = self.preferred("zh")
        if zh is None:
            return None
        plain = squeeze(zh)
        return plain if plain in self.zh_keys else fold_zh(zh)

    def preferred(self, family: str) -> str | None:
        forms = getattr(self, family)
        usable = [f for f, s in forms.items() if s != "deprecated"]
        chosen = [f for f in usable if forms[f] == "preferred"]
        pool = chosen or usable
        if not pool:
            return None
        return min(pool, key=lambda f: (-self.counts.get(f, 0), -len(f), f))


_RANK = {"preferred": 0, "admitted": 1, "deprecated": 2}


class Glossary:
    """Entities and their aliases, from rows (entity_id, text, lang, status[, count])."""

    def __init__(self, rows: Iterable[Sequence], *, kinds: dict[str, str] | None = None):
        self.kinds: dict[str, str] = dict(kinds or {})   # entity id -> place / org / person / ...
        self.entries: dict[str, Entry] = {}
        zh_index: dict[str, set[str]] = {}
        for row in rows:
            if len(row) < 4:
                raise KozhError(f"glossary row {tuple(row)!r}: expected (entity_id, text, lang, status[, count])")
            entity_id, text, lang, status = row[0], row[1], row[2], row[3]
            count = int(row[4] or 0) if len(row) > 4 else 0
            if status not in _RANK:
                raise KozhError(f"glossary row {tuple(row)!r}: status must be one of {', '.join(STATUSES)}")
            if not isinstance(text, str) or not text.strip():
                continue
            text = unicodedata.normalize("NFC", " ".join(text.split()))
            family = "ko" if lang == "ko" else "zh" if lang.startswith("zh") else "en" if lang == "en" else None
            if family is None:
                continue  # pinyin is not written in Korean text
            entry = self.entries.get(entity_id)
            if entry is None:
                entry = self.entries[entity_id] = Entry(str(entity_id))
            forms = getattr(entry, family)
            if forms is _NONE:
                forms = {}
                setattr(entry, family, forms)
            if text not in forms or _RANK[status] < _RANK[forms[text]]:
                forms[text] = status
            if count > 1:
                if entry.counts is _NONE:
                    entry.counts = {}
                entry.counts[text] = entry.counts.get(text, 0) + count
            if family == "zh":
                # simplified forms are their own key: OpenCC is needed only for traditional ones
                key = squeeze(text) if lang == "zh-Hans" else fold_zh(text)
                if key not in entry.zh_keys:
                    entry.zh_keys += (key,)
                ids = zh_index.get(key)
                if ids is None:
                    zh_index[key] = {entry.id}
                else:
                    ids.add(entry.id)
        self.ko_index: dict[str, dict[str, str]] = defaultdict(dict)
        self.zh_index: dict[str, set[str]] = zh_index
        self.en_index: dict[str, dict[str, str]] = defaultdict(dict)
        for entry in self.entries.values():
            for text, status in entry.ko.items():
                self._index(self.ko_index[squeeze(text)], entry.id, status)
            for text, status in entry.en.items():
                self._index(self.en_index[text], entry.id, status)
        self.ko_index = dict(self.ko_index)
        self.en_index = dict(self.en_index)
        self._same_name: dict[str, str] | None = None

    @staticmethod
    def _index(slot: dict[str, str], entity_id: str, status: str) -> None:
        if entity_id not in slot or _RANK[status] < _RANK[slot[entity_id]]:
            slot[entity_id] = status

    def __len__(self) -> int:
        return len(self.entries)

    def label(self, entity_id: str) -> str:
        """How messages name an entity: its Chinese form, else its Korean form, else its id."""
        entry = self.entries.get(entity_id)
        if entry is None:
            return entity_id[len(PART_PREFIX):] if entity_id.startswith(PART_PREFIX) else entity_id
        zh = entry.preferred("zh")
        return entry.zh_key() if zh else entry.preferred("ko") or entry.preferred("en") or entity_id

    def zh_keys(self, entity_id: str) -> set[str]:
        entry = self.entries.get(entity_id)
        return set(entry.zh_keys) if entry else set()

    def same_name(self) -> dict[str, str]:
        """Entities the glossary holds twice under a copy-paste transposition: 巨量算数 / 巨量数算 with
        쥐량수안슈 / 쥐량슈수안. Maps each to a representative (the one attested more often)."""
        if self._same_name is None:
            from glossary.link import swapped

            by_letters: dict[str, list[tuple[str, str]]] = defaultdict(list)
            for entry in self.entries.values():
                for z in entry.zh_keys:
                    if len(z) >= 4 and all(is_han(c) for c in z):
                        by_letters["".join(sorted(z))].append((z, entry.id))
            parent: dict[str, str] = {}

            def find(x: str) -> str:
                while parent.get(x, x) != x:
                    x = parent[x]
                return x

            for group in by_letters.values():
                for i in range(len(group)):
                    for j in range(i + 1, len(group)):
                        (za, a), (zb, b) = group[i], group[j]
                        if a == b or not swapped(za, zb):
                            continue
                        kos_a = [squeeze(k) for k in self.entries[a].ko]
                        kos_b = [squeeze(k) for k in self.entries[b].ko]
                        if any(p == q or swapped(p, q) for p in kos_a for q in kos_b):
                            ra, rb = find(a), find(b)
                            if ra != rb:
                                weight = lambda e: (sum(self.entries[e].counts.values()), e)  # noqa: E731
                                keep, drop = (ra, rb) if weight(ra) >= weight(rb) else (rb, ra)
                                parent[drop] = keep
            self._same_name = {x: find(x) for x in parent}
        return self._same_name

    @classmethod
    def from_rows(cls, rows: Iterable[Sequence], *, kinds: dict[str, str] | None = None) -> "Glossary":
        return cls(rows, kinds=kinds)

    @classmethod
    def from_pairs(cls, pairs: Iterable) -> "Glossary":
        """A glossary made of extracted pairs (glossary.pairs.Pair or anything with ko, zh, en),
        one entity per simplified Chinese form. The most frequent Korean form is preferred; a tie goes
        to the standard transliteration, then to the form seen first."""
        from glossary.link import entity_id_for
        from glossary.phonetics import phonetic_key

        groups: dict[str, dict[str, Counter]] = {}
        for p in pairs:
            key = fold_zh(p.zh or "")
            if not key:
                continue
            g = groups.setdefault(key, {"ko": Counter(), "zh": Counter(), "en": Counter(), "kind": Counter()})
            g["kind"][getattr(p, "kind", None) or "other"] += 1
            g["zh"][" ".join(p.zh.split())] += 1
            if p.ko and any(is_hangul(c) for c in p.ko):
                g["ko"][" ".join(p.ko.split())] += 1
            elif p.ko:
                g["en"][" ".join(p.ko.split())] += 1
            if p.en and p.en != p.ko:
                g["en"][" ".join(p.en.split())] += 1
        rows = []
        kinds = {}
        for key, g in groups.items():
            entity_id = entity_id_for(key)
            kinds[entity_id] = g["kind"].most_common(1)[0][0]
            standard = phonetic_key(_standard(key)) if g["ko"] else ""
            order = {form: i for i, form in enumerate(g["ko"])}
            best_ko = min(g["ko"], key=lambda f: (-g["ko"][f], phonetic_key(f) != standard, order[f]),
                          default=None)
            for form, n in g["ko"].items():
                rows.append((entity_id, form, "ko", "preferred" if form == best_ko else "admitted", n))
            rows.append((entity_id, key, "zh-Hans", "preferred", sum(g["zh"].values())))
            for form, n in g["zh"].items():
                if form != key:
                    rows.append((entity_id, form, "zh-Hant", "admitted", n))
            best_en = min(g["en"], key=lambda f: (-g["en"][f], f), default=None)
            for form, n in g["en"].items():
                rows.append((entity_id, form, "en", "preferred" if form == best_en else "admitted", n))
        return cls(rows, kinds=kinds)


def load_glossary(path: str | Path) -> Glossary:
    """Read the aliases of a kozh database, read-only. Every failure is a KozhError."""
    from glossary.store import connect

    path = Path(path)
    conn = connect(path)
    try:
        rows = conn.execute("SELECT entity_id, text, lang, status, count FROM aliases").fetchall()
        try:
            kinds = dict(conn.execute("SELECT id, kind FROM entities"))
        except sqlite3.DatabaseError:
            kinds = {}
    except sqlite3.DatabaseError as e:
        if "no such table" in str(e):
            raise KozhError(f"{path} is not a kozh glossary database (no aliases table)") from None
        raise KozhError(f"{path} is not a SQLite database (or is corrupt): {e}") from None
    finally:
        conn.close()
    return Glossary(rows, kinds=kinds)


# ---------------------------------------------------------------- language data


@lru_cache(maxsize=1)
def _endings() -> tuple[frozenset[str], frozenset[str], frozenset[str]]:
    """(particles and endings, suffixes that keep a name, one-syllable prefixes before a name) -
    see data/check_endings.txt."""
    from glossary.pairs import particles

    roles: dict[str, set[str]] = {"ending": set(particles()), "suffix": set(), "prefix": set()}
    for line in files("resolver").joinpath("data/check_endings.txt").read_text("utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            role, form = line.split("\t")[:2]
            roles[role].add(form.strip())
    for line in files("glossary").joinpath("data/place_affixes.tsv").read_text("utf-8").splitlines():
        if line.startswith("ko_suffix\t"):
            roles["suffix"].add(line.split("\t")[1].strip())
    return frozenset(roles["ending"]), frozenset(roles["suffix"]), frozenset(roles["prefix"])


def particles_only(word: str) -> bool:
    """True if `word` is one or two particles or endings (에서, 에서는, 으로), no suffix."""
    endings = _endings()[0]
    return word in endings or any(word[:i] in endings and word[i:] in endings for i in range(1, len(word)))


def ending_ok(word: str) -> bool:
    """True if `word` (the Hangul right after a name) is particles/endings: 에서, 에서는, 과의, 성에서."""
    endings, suffixes, _ = _endings()
    if word in endings or word in suffixes:
        return True
    for i in range(1, len(word)):
        head, tail = word[:i], word[i:]
        if (head in endings or head in suffixes) and tail in endings:
            return True
    return False


@lru_cache(maxsize=1)
def _place_affixes() -> dict[str, tuple[str, ...]]:
    """glossary/data/place_affixes.tsv by role, longest first."""
    roles: dict[str, list[str]] = defaultdict(list)
    for line in files("glossary").joinpath("data/place_affixes.tsv").read_text("utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            role, form = line.split("\t")[:2]
            roles[role].append(form.strip())
    return {role: tuple(sorted(set(forms), key=len, reverse=True)) for role, forms in roles.items()}


def strip_place_suffix(form: str, *, lang: str = "ko") -> str:
    """베이징시 -> 베이징, 西安市 -> 西安: the administrative level does not make another spelling."""
    for suffix in _place_affixes().get("ko_suffix" if lang == "ko" else "zh_suffix", ()):
        if form.endswith(suffix) and len(form) - len(suffix) >= 2:
            return form[: -len(suffix)]
    return form


@lru_cache(maxsize=1)
def _parent_places() -> frozenset[str]:
    out = set()
    for line in files("glossary").joinpath("data/place_affixes.tsv").read_text("utf-8").splitlines():
        if line.startswith("zh_parent\t"):
            out.add(line.split("\t")[1].strip())
    return frozenset(out)


def _words(candidates: frozenset[str]) -> dict[str, str]:
    """Which candidates are words in jieba's dictionary, with their part-of-speech tag (中关村 ns,
    中关村科 none). Read line by line: jieba's own tables would hold 130 MB for the whole process."""
    import jieba

    out: dict[str, str] = {}
    with jieba.get_dict_file() as f:
        for raw in f:
            word, _, rest = raw.decode("utf-8").partition(" ")
            if word in candidates:
                freq, _, tag = rest.strip().partition(" ")
                if freq.isdigit() and int(freq) > 0:
                    out[word] = tag
    return out


@lru_cache(maxsize=65536)
def _standard(zh: str) -> str:
    """Standard Korean transliteration of a Chinese string (외래어 표기법)."""
    from glossary.phonetics import transliterate

    return transliterate(zh)


_LAX = {"ㄲ": "ㄱ", "ㄸ": "ㄷ", "ㅃ": "ㅂ", "ㅆ": "ㅅ", "ㅉ": "ㅈ"}


@lru_cache(maxsize=16384)
def _loose(syllable: str) -> frozenset[tuple[str, str, str]]:
    """Near spellings of one syllable share initial+vowel or initial+final: 량 ~ 랑, 촌 ~ 춘."""
    from glossary.phonetics import decompose

    if len(syllable) != 1 or not is_hangul_syllable(syllable):
        return frozenset()
    lead, vowel, tail = decompose(syllable)
    lead = _LAX.get(lead, lead)
    keys = {("LV", lead, vowel)}
    if tail:
        keys.add(("LT", lead, tail))
    return frozenset(keys)


@lru_cache(maxsize=65536)
def _char_keys(ch: str) -> tuple[frozenset[str], frozenset]:
    """Phonetic keys of every Hangul spelling of one Han character (Mandarin, informal, Sino-Korean),
    and the loose keys of its one-syllable spellings."""
    from glossary.phonetics import char_pinyin, char_sino, phonetic_key, pinyin_to_hangul

    spellings: set[str] = set()
    for syllable in char_pinyin(ch):
        spellings.update(pinyin_to_hangul(syllable, informal=True) or ())
    spellings.update(char_sino(ch))
    exact = frozenset(phonetic_key(h) for h in spellings if h)
    loose = frozenset(k for h in spellings if len(h) == 1 for k in _loose(h))
    return exact, loose


def align_prefix(ko: str, zh: str, *, max_loose: int = 1) -> int | None:
    """Length of the start of `ko` (no spaces) that reads the Han string `zh`, or None.

    Each character may be read by one to three syllables (嘉 = 지아); one syllable of a name of two or
    more characters may be a near spelling (浪 = 량). Fewest near spellings win, then the longer cut.
    align_prefix('중관촌과학시티', '中关村') == 3.
    """
    found = _align(ko, zh, max_loose)
    return found[0] if found else None


def _align(ko: str, zh: str, max_loose: int = 1) -> tuple[int, int] | None:
    """(cut, near spellings used) of align_prefix, or None."""
    from glossary.phonetics import phonetic_key

    if not zh or not all(is_han(c) for c in zh):
        return None
    allowed = max_loose if len(zh) >= 2 else 0
    states = {(0, 0)}
    for ch in zh:
        exact, loose = _char_keys(ch)
        nxt = set()
        for pos, used in states:
            for size in (1, 2, 3):
                piece = ko[pos:pos + size]
                if len(piece) < size or not is_hangul_syllable(piece[-1]):
                    break
                if phonetic_key(piece) in exact:
                    nxt.add((pos + size, used))
                elif size == 1 and used < allowed and _loose(piece) & loose:
                    nxt.add((pos + 1, used + 1))
        states = nxt
        if not states:
            return None
    return min(states, key=lambda s: (s[1], -s[0]))


# ---------------------------------------------------------------- mentions


def _continues(ko: str, zh: str) -> bool:
    """A part read with a near spelling (신량 for 新浪) must be followed by what reads the rest of the
    name (왕 for 网, 자동차 for 汽车), or end it: 중국 is no near spelling of 中共 in 중국공산당중앙 (中共中央)."""
    from glossary.phonetics import translated_parts

    if not ko or not zh:
        return not ko and not zh
    if _align(ko, zh[0], 0):
        return True
    parts = translated_parts()
    return any(ko.startswith(squeeze(r)) for k in range(1, min(4, len(zh)) + 1) for r in parts.get(zh[:k], ()))


@dataclass(slots=True)
class Mention:
    start: int                 # offsets into the original text
    end: int
    text: str                  # as written (with its spaces)
    form: str                  # without spaces: what forms are compared by
    lang: str                  # ko / zh / en
    targets: tuple[tuple[str, str], ...]   # (entity id or part key, status of this form for it)
    via: str = "alias"         # alias / part (inside a compound mention) / pair (new form glossed in the text)
    parts: tuple["Mention", ...] = ()
    glossed: str | None = None  # the Chinese in the bracket right after it: 지아딩(嘉定)

    @property
    def keys(self) -> tuple[str, ...]:
        return tuple(k for k, _ in self.targets)


@dataclass(slots=True)
class Gloss:
    """A bracketed pair in the text and what the glossary says about its two sides."""

    start: int                 # Korean side
    end: int
    ko: str
    zh: str
    bracket: int               # offset of the opening bracket
    close: int                 # offset just past the closing bracket
    ko_keys: frozenset[str]    # entities (or parts) the Korean side names
    zh_keys: frozenset[str]    # entities (or parts) the Chinese side names
    mention: Mention | None    # the mention this pair glosses


@dataclass
class Scan:
    text: str
    mentions: list[Mention]    # top level, in text order; parts hang under their compound
    glosses: list[Gloss]

    def all_mentions(self) -> Iterable[Mention]:
        stack = list(reversed(self.mentions))
        while stack:
            m = stack.pop()
            yield m
            stack.extend(reversed(m.parts))


@dataclass
class KeyInfo:
    """What a mention key stands for: an entity, or a part that is no entity of its own."""

    key: str
    zh: str | None
    entity_id: str | None
    forms: Counter = field(default_factory=Counter)   # part forms seen inside the glossary's compounds
    standalone: bool = True                            # found outside compounds (False: 国家 국가)


class MentionFinder:
    """The compiled automaton and tables. Build once, scan many."""

    def __init__(self, glossary: Glossary, *, parts: bool = True, generate: bool = True):
        import ahocorasick_rs

        self.glossary = glossary
        self.keys: dict[str, KeyInfo] = {}        # parts (and entities that are parts of others)
        self.parent_keys: set[str] = set()         # parts that are parent places: 上海 in 上海嘉定
        self._standard: dict[str, str | None] = {}
        targets: dict[str, dict[str, str]] = defaultdict(dict)   # squeezed pattern -> key -> status
        langs: dict[str, str] = {}

        def add(pattern: str, key: str, status: str, lang: str) -> None:
            slot = targets[pattern]
            old = slot.get(key)
            if old is None or _order(status) < _order(old):
                slot[key] = status
            langs.setdefault(pattern, lang)

        for pattern, slot in glossary.ko_index.items():
            if _usable_ko(pattern):
                for key, status in slot.items():
                    add(pattern, key, status, "ko")
        for pattern, ids in glossary.zh_index.items():
            if sum(1 for c in pattern if is_han(c)) >= 2:
                for key in ids:
                    add(pattern, key, glossary.entries[key].zh.get(pattern, "admitted"), "zh")
        for pattern, slot in glossary.en_index.items():
            if len(pattern) >= 2:
                for key, status in slot.items():
                    add(squeeze(pattern), key, status, "en")

        self.decomposition: dict[str, tuple[tuple[int, int, str], ...]] = {}
        if parts:
            self._derive_parts(add)
        if generate:
            self._generate(add, targets)

        self.patterns: list[str] = list(targets)
        self.targets: list[tuple[tuple[str, str], ...]] = [tuple(targets[p].items()) for p in self.patterns]
        self.langs: list[str] = [langs[p] for p in self.patterns]
        self.syllables: list[int] = [sum(1 for c in p if is_hangul_syllable(c)) for p in self.patterns]
        # a form only kozh made (standard transliteration, part cut out of a compound) is a weak match
        self.weak: list[bool] = [all(st in (GENERATED, DERIVED) for _, st in t) for t in self.targets]
        # an administrative suffix may follow a place (시안성), not a company or a person (왕이진 is a name)
        kinds = glossary.kinds
        self.placey: list[bool] = [any(kinds.get(k, "place") == "place" for k, _ in t) for t in self.targets]
        self._automaton = ahocorasick_rs.AhoCorasick(self.patterns) if self.patterns else None

    def info(self, key: str) -> KeyInfo:
        info = self.keys.get(key)
        if info is None:
            entry = self.glossary.entries.get(key)
            zh = entry.preferred("zh") if entry else None
            info = KeyInfo(key, entry.zh_key() if zh else None, key if entry else None)
        return info

    def standard(self, key: str) -> str | None:
        """Standard transliteration of the key's Chinese form, if it is a short Han-only name."""
        if key not in self._standard:
            zh = self.info(key).zh
            ok = zh and len(zh) <= MAX_GENERATED_HAN and all(is_han(c) for c in zh)
            self._standard[key] = (_standard(zh) or None) if ok else None
        return self._standard[key]

    # -- generated forms

    def _generate(self, add, targets) -> None:
        """Add the standard transliteration of every short Chinese name whose glossary forms lack it
        (지아딩 in the glossary, 자딩 in the text). A cheap character-by-character reading first: when a
        Korean alias already spells it, the phrase-aware reading (pypinyin, ~30 µs) is not needed."""
        for entry in self.glossary.entries.values():
            zh = entry.zh_key()
            if not zh:
                continue
            if len(zh) > MAX_GENERATED_HAN or not all(is_han(c) for c in zh):
                continue
            kos = {squeeze(k) for k in entry.ko}
            if _char_reading(zh) in kos:
                continue
            form = self.standard(entry.id)
            if form and len(form) >= MIN_GENERATED_SYLLABLES and form not in kos:
                add(form, entry.id, GENERATED, "ko")
        for key, info in self.keys.items():
            if key.startswith(PART_PREFIX) and info.standalone:
                form = self.standard(key)
                if form and len(form) >= MIN_GENERATED_SYLLABLES and key not in targets.get(form, {}):
                    add(form, key, GENERATED, "ko")

    # -- parts

    def _derive_parts(self, add) -> None:
        glossary = self.glossary
        parents = _parent_places()
        by_prefix: dict[str, set[str] | str] = {}
        entity_zh: dict[str, list[str]] = {}
        for entry in glossary.entries.values():
            zhs = sorted({z for z in entry.zh_keys if z and all(is_han(c) for c in z)})
            if not zhs:
                continue
            entity_zh[entry.id] = zhs
            for z in zhs:
                starts = [0] + [len(p) for p in parents if z.startswith(p) and len(z) - len(p) >= MIN_PART_HAN]
                for s in starts:
                    for k in range(s + MIN_PART_HAN, min(len(z), s + MAX_PART_HAN) + 1):
                        prefix = z[s:k]
                        seen = by_prefix.get(prefix)
                        if seen is None:
                            by_prefix[prefix] = entry.id     # one entity: a string, not a set
                        elif isinstance(seen, str):
                            if seen != entry.id:
                                by_prefix[prefix] = {seen, entry.id}
                        else:
                            seen.add(entry.id)
        candidates = {p for p, ids in by_prefix.items() if not isinstance(ids, str)}
        words = _words(frozenset(c for c in candidates if c not in glossary.zh_index)) if candidates else {}
        part_set = {p for p in candidates if p in glossary.zh_index or p in words}
        # 中关 says nothing 中关村 does not: a part shared by exactly the names of a longer part goes
        by_head: dict[str, list[str]] = defaultdict(list)
        for p in part_set:
            by_head[p[:MIN_PART_HAN]].append(p)
        part_set = {p for p in part_set if p in glossary.zh_index or not any(
            len(q) > len(p) and q.startswith(p) and by_prefix[q] == by_prefix[p] for q in by_head[p[:MIN_PART_HAN]])}
        part_set |= {p for p in parents if p in by_prefix}   # 上海 in 上海嘉定 even when only one name has it
        del by_prefix
        if not part_set:
            return
        max_len = max(map(len, part_set))
        part_key: dict[str, str] = {}
        stems: dict[str, set[str]] = defaultdict(set)   # 北京 -> the entity 北京市
        for z, ids in glossary.zh_index.items():
            stem = strip_place_suffix(z, lang="zh")
            if stem != z and stem in part_set:
                stems[stem] |= ids
        for p in part_set:
            ids = glossary.zh_index.get(p) or stems.get(p, set())
            key = next(iter(ids)) if len(ids) == 1 else PART_PREFIX + p
            part_key[p] = key
            if p in parents:
                self.parent_keys.add(key)
            if key not in self.keys:
                self.keys[key] = KeyInfo(key, p, None if key.startswith(PART_PREFIX) else key)

        def decompose(ko: str, zh: str, offset: int, shorter_than: int) -> list[tuple[int, int, str]]:
            out: list[tuple[int, int, str]] = []
            zpos, kpos = 0, 0
            while zpos < len(zh):
                found = None
                for size in range(min(max_len, len(zh) - zpos, shorter_than), MIN_PART_HAN - 1, -1):
                    p = zh[zpos:zpos + size]
                    if p in part_set:
                        aligned = _align(ko[kpos:], p)
                        if aligned and (not aligned[1] or _continues(ko[kpos + aligned[0]:], zh[zpos + size:])):
                            found = (p, aligned[0])
                            break
                if found is None:
                    break
                p, cut = found
                out.append((offset + kpos, offset + kpos + cut, part_key[p]))
                # 자딩 inside 자딩구 is the same place (嘉定 = 嘉定区): one part, not two
                out.extend(x for x in decompose(ko[kpos:kpos + cut], p, offset + kpos, len(p) - 1)
                           if x[2] != part_key[p])
                zpos += len(p)
                kpos += cut
            return out

        weights = {"preferred": 2, "admitted": 1, "deprecated": 0}
        for entity_id, zhs in entity_zh.items():
            if not any(z[:k] in part_set for z in zhs for k in range(MIN_PART_HAN, min(len(z), max_len) + 1)) \
                    and not any(z.startswith(p) for z in zhs for p in parents):
                continue
            entry = glossary.entries[entity_id]
            for ko, status in entry.ko.items():
                form = squeeze(ko)
                if form in self.decomposition or not form or not is_hangul_syllable(form[0]):
                    continue
                for z in zhs:
                    # a part that is the entity itself (中共 in 中国共产党, 新浪 in 新浪网 when the glossary
                    # holds them as one) is an abbreviation, not a part
                    pieces = [(a, b, k) for a, b, k in decompose(form, z, 0, len(z) + 1) if k != entity_id]
                    if pieces:
                        self.decomposition[form] = tuple(sorted(pieces, key=lambda t: (t[0], -t[1])))
                        for a, b, key in pieces:
                            self.keys[key].forms[form[a:b]] += weights[status]
                        break
        # A part is found on its own too when it is a name: a proper noun to jieba (中关村 ns, 新浪 nz),
        # or written by its Mandarin sound rather than read as a Sino-Korean word (巨量 쥐량, not 거량).
        # 国家 국가 and 创业 창업 stay parts of compounds only: standing alone they are common words.
        for p, key in part_key.items():
            info = self.keys[key]
            if not key.startswith(PART_PREFIX) or not info.forms:
                continue
            names = [f for f in info.forms if _is_name_part(p, f, words.get(p))]
            info.standalone = bool(names)
            for f in names:
                if len(f) >= 2:
                    add(f, key, DERIVED, "ko")

    # -- scanning

    def find(self, text: str, *, pairs: bool = True) -> Scan:
        """All mentions in `text` (leftmost-longest, Korean boundaries) and its bracketed pairs."""
        mentions = self._matches(text)
        glosses = self._glosses(text, mentions) if pairs else []
        return Scan(text, mentions, glosses)

    def _matches(self, text: str) -> list[Mention]:
        if self._automaton is None or not text:
            return []
        spaced = text
        for space in _SPACES[1:]:
            if space in spaced:
                spaced = spaced.replace(space, " ")
        pieces = spaced.split(" ")
        squeezed = "".join(pieces)
        # the squeezed index at which each removed space was: the length of the text before it, unspaced
        shifts = list(accumulate(map(len, pieces[:-1]))) if len(pieces) > 1 else []

        def orig(i: int) -> int:
            return i + bisect_right(shifts, i) if shifts else i

        raw = self._automaton.find_matches_as_indexes(squeezed, overlapping=True)
        raw.sort(key=_by_start_longest)   # in squeezed offsets: the same order as in the text
        out: list[Mention] = []
        last_end = -1       # in the text
        last_end_sq = -1    # in the squeezed text
        n = len(text)
        patterns, langs, syllables, weak, placey = self.patterns, self.langs, self.syllables, self.weak, self.placey
        _, suffixes, prefixes = _endings()
        for c, (index, s, e) in enumerate(raw):
            if s < last_end_sq:
                continue
            start, end = orig(s), orig(e - 1) + 1
            if end - start != e - s and e - s < CROSS_SPACE_MIN:
                continue   # 리 팅 is not 리팅
            first, last = text[start], text[end - 1]
            prev = text[start - 1] if start else " "
            nxt = text[end] if end < n else " "
            if _HANGUL_LO <= prev <= _HANGUL_HI and _HANGUL_LO <= first <= _HANGUL_HI and is_hangul(prev) \
                    and is_hangul(first) and start != last_end:
                # 상하이시|민항구: after a mention and an administrative suffix; 주|칭다오: after a prefix
                if not ((start - 1 == last_end and prev in suffixes)
                        or (prev in prefixes and not weak[index]
                            and (start < 2 or not is_hangul(text[start - 2])))):
                    continue
            if first < "\u3000" and prev < "\u3000" and _is_alnum_latin(first) and _is_alnum_latin(prev):
                continue   # (full-width Latin is rare enough to be let through here)
            if last < "\u3000" and nxt < "\u3000" and _is_alnum_latin(last) and _is_alnum_latin(nxt):
                continue
            if syllables[index] < 3 and "\uac00" <= nxt <= "\ud7a3" and "\uac00" <= last <= "\ud7a3":
                k = end
                while k < n and k - end < 8 and is_hangul_syllable(text[k]):
                    k += 1
                word = text[end:k]
                if not (particles_only(word) or (placey[index] and ending_ok(word))):
                    continue
            if weak[index] and self._yields(raw, c, e):
                continue
            pattern = patterns[index]
            parts = ()
            pieces = self.decomposition.get(pattern)
            if pieces:
                parts = tuple(self._part(text, s + a, s + b, key, orig) for a, b, key in pieces)
            out.append(Mention(start, end, text[start:end], pattern, langs[index], self.targets[index],
                               "alias", parts))
            last_end, last_end_sq = end, e
        return out

    def _yields(self, raw: list, c: int, e: int) -> bool:
        """A weak match gives way to an attested one that starts inside it and runs further:
        상하이 자딩구 안팅진 is 상하이 + 자딩구 안팅진, not the generated 상하이자딩 + 구 안팅진."""
        s = raw[c][1]
        for k in range(c + 1, len(raw)):
            other_index, other_s, other_e = raw[k]
            if other_s >= e:
                return False
            if other_s > s and other_e > e and not self.weak[other_index]:
                return True
        return False

    def _part(self, text: str, s: int, e: int, key: str, orig) -> Mention:
        start, end = orig(s), orig(e - 1) + 1
        surface = text[start:end]
        form = squeeze(surface)
        status = self.glossary.ko_index.get(form, {}).get(key, DERIVED)
        return Mention(start, end, surface, form, "ko", ((key, status),), "part")

    def zh_targets(self, zh: str) -> frozenset[str]:
        key = squeeze(zh)
        if key not in self.glossary.zh_index and PART_PREFIX + key not in self.keys:
            key = fold_zh(zh)   # OpenCC only for forms not found as written
        out = set(self.glossary.zh_index.get(key, ()))
        part = PART_PREFIX + key
        if part in self.keys:
            out.add(part)
        return frozenset(out)

    def _alias_suffix(self, form: str, keys: frozenset[str]) -> str | None:
        """The longest Korean alias of one of `keys` that `form` ends with, if it is a proper suffix."""
        best = None
        for key in keys:
            entry = self.glossary.entries.get(key)
            for alias in (entry.ko if entry else ()):
                alias = squeeze(alias)
                if len(alias) >= 2 and len(alias) < len(form) and form.endswith(alias):
                    if best is None or len(alias) > len(best):
                        best = alias
        return best

    def _glosses(self, text: str, mentions: list[Mention]) -> list[Gloss]:
        from glossary.brackets import find_brackets

        if "(" not in text and "（" not in text and "[" not in text and "【" not in text:
            return []
        by_end = {m.end: m for m in mentions}
        out: list[Gloss] = []
        extra: list[Mention] = []
        for b in find_brackets(text):
            # nested brackets count too: 거진[戈峻, 투조이공유그룹(天九共享集团) CEO]; one inside a Chinese form
            # (中关村 e 谷(西安)) has no Korean before it and comes to nothing
            content = _content(text[b.open + 1:b.close])
            if content is None:
                continue
            zh = content.zh
            zh_keys = self.zh_targets(zh)
            j = b.open
            while j > 0 and text[j - 1] in _SPACES:
                j -= 1
            m = by_end.get(j)
            if m is not None and m.lang == "zh":
                m = None
            if m is not None and zh_keys:
                trailing = [p for p in m.parts if p.end == m.end and set(p.keys) & zh_keys]
                if set(m.keys) & zh_keys:
                    m.glossed = zh
                    out.append(Gloss(m.start, m.end, m.text, zh, b.open, b.close + 1, frozenset(m.keys),
                                     zh_keys, m))
                    continue
                if trailing:
                    trailing[0].glossed = zh
                    out.append(Gloss(trailing[0].start, trailing[0].end, trailing[0].text, zh, b.open,
                                     b.close + 1, frozenset(trailing[0].keys), zh_keys, trailing[0]))
                    continue
                tail = self._alias_suffix(m.form, zh_keys)
                if tail:
                    # 주칭다오(靑島): the bracket glosses 칭다오, the end of the longer match
                    cut = m.end - len(tail)
                    while cut > m.start and squeeze(text[cut:m.end]) != tail:
                        cut -= 1
                    m.glossed = zh
                    out.append(Gloss(cut, m.end, text[cut:m.end], zh, b.open, b.close + 1, zh_keys, zh_keys, None))
                    continue
            pair = _pair_at(text, b.open, zh)
            if m is not None and (pair is None or pair.start <= m.start):
                pair = _Named(m.text, m.start)   # a known name right before the bracket is its Korean side
            if pair is None or not pair.ko:
                continue
            ko_form = squeeze(pair.ko)
            ko_keys = frozenset(self.glossary.ko_index.get(ko_form, {}))
            if not ko_keys:
                ko_keys = frozenset(self.glossary.en_index.get(pair.ko, {}))
            if not ko_keys & zh_keys:
                # 인룽(殷荣)음료: the name runs on after the bracket, and the glossary holds it whole
                after = re.match("[\uac00-\ud7a3]+", text[b.close + 1:b.close + 21])
                word = after.group() if after else ""
                for k in range(len(word), 0, -1):
                    whole = self.glossary.ko_index.get(ko_form + word[:k])
                    if whole and set(whole) & zh_keys:
                        ko_keys = ko_keys | frozenset(whole)
                        break
            own = m if m is not None and m.start == pair.start else None
            if own is not None:
                ko_keys = ko_keys | frozenset(own.keys)
            if own is None and not ko_keys and zh_keys and any(is_hangul_syllable(c) for c in ko_form):
                # a new Korean spelling of a known name: it counts as a mention of that name
                if not any(x.start < j and x.end > pair.start for x in mentions):
                    status = ((k, UNLISTED) for k in sorted(zh_keys))
                    own = Mention(pair.start, j, text[pair.start:j], ko_form, "ko", tuple(status), "pair")
                    extra.append(own)
            if own is not None:
                own.glossed = zh
            out.append(Gloss(pair.start, j, text[pair.start:j], zh, b.open, b.close + 1, ko_keys, zh_keys, own))
        if extra:
            mentions.extend(extra)
            mentions.sort(key=lambda x: x.start)
        return out


@dataclass
class _Named:
    ko: str
    start: int


@lru_cache(maxsize=16384)
def _content(inner: str):
    """What a bracket holds (glossary.brackets.analyse_content), once per distinct content: a document
    glosses the same names again and again."""
    from glossary.brackets import analyse_content

    return analyse_content(inner)


def _by_start_longest(match: tuple[int, int, int]) -> tuple[int, int]:
    return match[1], -match[2]


def _pair_at(text: str, bracket: int, zh: str) -> _Named | None:
    """The Korean name the bracket at `bracket` glosses, chosen the way glossary.pairs.extract_pairs
    chooses it (glossary.alignment.choose_name), without extracting every pair of a long document and
    without the kind guess (jieba) that extraction adds."""
    from glossary.alignment import choose_name

    choice = choose_name(text, bracket, zh)
    if choice is None:
        return None
    ko = choice.name
    if sum(1 for c in zh if is_han(c)) == 1 and sum(1 for c in ko if is_hangul_syllable(c)) <= 1 \
            and not any(is_latin(c) for c in ko):
        return None   # 신(新), 비(非): a one-character gloss of a prefix, not a name
    return _Named(ko, choice.start)


_ORDER = {"preferred": 0, "admitted": 1, DERIVED: 2, GENERATED: 3, UNLISTED: 4, "deprecated": 5}


def _order(status: str) -> int:
    return _ORDER.get(status, 9)


_PROPER_TAGS = {"nr", "nrt", "nrfg", "ns", "nt", "nz"}


def _is_name_part(zh: str, ko: str, tag: str | None) -> bool:
    from glossary.phonetics import sino_korean

    return tag in _PROPER_TAGS or squeeze(sino_korean(zh)) != ko


@lru_cache(maxsize=65536)
def _char_reading(zh: str) -> str:
    """Character-by-character standard reading (first pinyin of each character): 嘉定 -> 자딩."""
    from glossary.phonetics import char_pinyin, pinyin_to_hangul

    out = []
    for ch in zh:
        readings = char_pinyin(ch)
        out.append((pinyin_to_hangul(readings[0]) or "") if readings else "")
    return "".join(out)


def _usable_ko(pattern: str) -> bool:
    """One-syllable Korean aliases match everywhere; Latin-led ones (LG에너지솔루션) are fine."""
    syllables = sum(1 for c in pattern if is_hangul_syllable(c))
    return syllables >= 2 or (len(pattern) >= 2 and any(_is_alnum_latin(c) for c in pattern))
