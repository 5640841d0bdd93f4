"""The standard Korean form of a Chinese name, and the Chinese behind a Korean transliteration.

Forward, `transliterate(zh)`: fold traditional and Korean-variant characters (variants.to_simplified), split
off an administrative affix Korean translates (北京市 -> 베이징 + 시, data/translit_affixes.tsv), choose a
reading for every character, and write each syllable with the 외래어 표기법 table of phonetics.py. Readings,
first source that knows the string wins:

1. data/translit_readings.tsv, kozh's own corrections, each row with its source;
2. a person's surname (kind="person", or an unlisted name starting with a surname whose surname reading is
   not its first reading: 曾 zēng, 单 shàn, compound 欧阳): data/translit_surnames.tsv;
3. CC-CEDICT's words and names (through pypinyin-dict's data, CC BY-SA 4.0), also as the head of a listed
   place (太行 from 太行山, 闵行 from 闵行区);
4. pypinyin's own phrase list, then each character's first reading.
Words are found by a segmentation that covers the name with as few dictionary words as possible.

Backward, `from_hangul(ko)`: each Hangul syllable maps to the few pinyin syllables whose standard or informal
spelling it is (an inverted phonetics table: at most a handful per syllable); the sequences are enumerated
best-first (standard spellings before informal ones) and cut at MAX_SEQUENCES, so the work is bounded by
MAX_SEQUENCES x the length of the name whatever the input. Each sequence is one indexed look-up in the
dictionary's toneless-pinyin column; the glossary's candidates come from the resolver.

The dictionary is big (CC-CEDICT: 106k entries, 1.8 s and 120 MB to import as Python). It is therefore
converted once into an SQLite cache (KOZH_CACHE, default ~/.cache/kozh) and afterwards only queried: a
look-up opens the file and reads the rows it needs, so `kozh lookup` stays fast.
"""
from __future__ import annotations

import os
import re
import sqlite3
import threading
from dataclasses import asdict, dataclass, field
from typing import NamedTuple
from functools import lru_cache
from pathlib import Path

from .errors import KozhError
from .phonetics import _read_tsv, _syllable_table, compose, decompose, pinyin_to_hangul, sino_korean
from .scripts import is_han, is_hangul_syllable
from .variants import to_simplified

MAX_WORD = 8            # longest dictionary word tried in segmentation
MAX_SEQUENCES = 16      # pinyin sequences tried per Hangul name
MAX_CANDIDATES = 10     # Chinese candidates returned per Hangul name
PLACE_HEADS = "区市县省山河江湖岛州镇"  # a place listed with its generic: 太行山, 闵行区
CACHE_VERSION = "2"


@dataclass(frozen=True)
class Rendering:
    """How a Chinese name is written in Korean."""
    query: str
    ko: str
    sino: str | None
    pinyin: str
    alternatives: list[str] = field(default_factory=list)
    why: str = ""

    def to_dict(self) -> dict:
        return asdict(self)


# ---------------------------------------------------------------- tables


@lru_cache(maxsize=1)
def _affixes() -> list[tuple[str, str]]:
    """(zh, ko) of the translated affixes, longest first."""
    return sorted(((r[0], r[1]) for r in _read_tsv("translit_affixes.tsv")), key=lambda r: -len(r[0]))


@lru_cache(maxsize=1)
def _kept_when_listed() -> frozenset[str]:
    return frozenset(r[0] for r in _read_tsv("translit_affixes.tsv") if r[2] == "keep")


@lru_cache(maxsize=1)
def _surnames() -> dict[str, list[str]]:
    return {r[0]: r[1].split() for r in _read_tsv("translit_surnames.tsv")}


@lru_cache(maxsize=1)
def _overrides() -> dict[str, list[str]]:
    return {r[0]: r[1].split() for r in _read_tsv("translit_readings.tsv")}


# ---------------------------------------------------------------- the dictionary cache

_lock = threading.Lock()


def _cache_path() -> Path:
    base = os.environ.get("KOZH_CACHE") or os.path.join(os.path.expanduser("~"), ".cache", "kozh")
    from importlib.metadata import PackageNotFoundError, version as installed

    try:
        version = installed("pypinyin-dict")  # a new release of the data gets a new cache
    except PackageNotFoundError:
        raise KozhError("kozh translit needs pypinyin-dict: pip install pypinyin-dict") from None
    return Path(base) / f"cedict-readings-{version}-{CACHE_VERSION}.sqlite"


def toneless(syllable: str) -> str:
    """'lǘ' -> 'lv', 'zhōng' -> 'zhong': the spelling the syllable table is keyed by."""
    from pypinyin.contrib.tone_convert import to_normal
    return to_normal(syllable).replace("ü", "v")


def _build_cache(path: Path) -> None:
    """CC-CEDICT words -> first reading, other readings, toneless key. Written whole, then renamed."""
    from pypinyin_dict.phrase_pinyin_data import cc_cedict

    frequency = _jieba_frequencies()
    rows = []
    for word, readings in cc_cedict.phrases_dict.items():
        if len(word) != len(readings) or not all(is_han(c) for c in word):
            continue
        first = " ".join(r[0] for r in readings)
        others = sorted({" ".join(r[i] if i < len(r) else r[0] for r in readings)
                         for i in range(1, max(len(r) for r in readings))} - {first})
        rows.append((word, first, "|".join(others), " ".join(toneless(r[0]) for r in readings),
                     frequency.get(word, 0)))
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(f".tmp{os.getpid()}")
    conn = sqlite3.connect(tmp)
    try:
        conn.execute("CREATE TABLE readings (word TEXT PRIMARY KEY, pinyin TEXT, others TEXT, key TEXT, freq INT)")
        conn.executemany("INSERT OR IGNORE INTO readings VALUES (?, ?, ?, ?, ?)", rows)
        conn.execute("CREATE INDEX readings_key ON readings(key)")
        conn.commit()
    finally:
        conn.close()
    os.replace(tmp, path)


def _jieba_frequencies() -> dict[str, int]:
    """Word frequencies of jieba's dictionary (word freq tag per line): how common each candidate is."""
    import jieba

    path = Path(jieba.__file__).parent / "dict.txt"
    out = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            parts = line.split()
            if len(parts) >= 2 and parts[1].isdigit():
                out[parts[0]] = int(parts[1])
    return out


@lru_cache(maxsize=1)
def _mandarin_syllables() -> frozenset[str]:
    """Every toneless syllable some character is read with (pypinyin's character table): zhing is not one."""
    from pypinyin.constants import PINYIN_DICT

    readings = {r for value in PINYIN_DICT.values() for r in value.split(",")}
    return frozenset(toneless(r) for r in readings) | {"yo", "ê"}


class _Dictionary:
    """Read-only access to the cached dictionary; one connection per thread."""

    def __init__(self, path: Path):
        self.path = path
        self.local = threading.local()

    def _conn(self) -> sqlite3.Connection:
        conn = getattr(self.local, "conn", None)
        if conn is None:
            conn = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True, check_same_thread=False)
            self.local.conn = conn
        return conn

    def readings(self, words: list[str]) -> dict[str, tuple[list[str], list[list[str]]]]:
        out = {}
        for start in range(0, len(words), 500):  # within SQLite's limit on bound parameters
            chunk = words[start:start + 500]
            marks = ",".join("?" * len(chunk))
            rows = self._conn().execute(f"SELECT word, pinyin, others FROM readings WHERE word IN ({marks})", chunk)
            out.update((w, (p.split(), [o.split() for o in others.split("|") if o])) for w, p, others in rows)
        return out

    def by_key(self, key: str, limit: int) -> list[str]:
        rows = self._conn().execute("SELECT word FROM readings WHERE key = ? ORDER BY freq DESC, word LIMIT ?",
                                    (key, limit))
        return [r[0] for r in rows]


@lru_cache(maxsize=1)
def _dictionary() -> _Dictionary:
    """The cache, built on first use; in the temporary folder when the cache folder is not writable."""
    import tempfile

    path = _cache_path()
    with _lock:
        for candidate in (path, Path(tempfile.gettempdir()) / "kozh" / path.name):
            if candidate.exists():
                return _Dictionary(candidate)
            try:
                _build_cache(candidate)
                return _Dictionary(candidate)
            except OSError as exc:
                error = exc
    raise KozhError(f"cannot write the dictionary cache {path} ({error}); set KOZH_CACHE to a writable folder")


def _pypinyin_phrase(word: str) -> list[str] | None:
    from pypinyin.constants import PHRASES_DICT
    readings = PHRASES_DICT.get(word)
    return [r[0] for r in readings] if readings and len(readings) == len(word) else None


@lru_cache(maxsize=65536)
def _char_reading(ch: str) -> str:
    import pypinyin
    got = pypinyin.pinyin(ch, style=pypinyin.Style.TONE, errors="ignore")
    return got[0][0] if got and got[0] else ""


# ---------------------------------------------------------------- forward


class Segment(NamedTuple):
    """A run of characters read together: its reading (tone-marked, one syllable per character), other
    readings the source lists, and where the reading comes from."""
    text: str
    reading: list[str]
    others: list[list[str]]
    source: str


def _segment(text: str, known: dict[str, Segment]) -> list[Segment]:
    """Cover text with the fewest segments, known words where they fit, single characters in the gaps."""
    n = len(text)
    best: list[tuple[int, list[Segment]]] = [(0, [])] * (n + 1)
    for i in range(n - 1, -1, -1):
        ch = text[i]
        single = known.get(ch) or Segment(ch, [_char_reading(ch)], [], "character")
        options = [(best[i + 1][0] + 1, [single, *best[i + 1][1]])]
        for j in range(i + 2, min(n, i + MAX_WORD) + 1):
            if text[i:j] in known:
                options.append((best[j][0] + 1, [known[text[i:j]], *best[j][1]]))
        best[i] = min(options, key=lambda o: o[0])  # ties: the shorter first word, as listed first
    return best[0][1]


def _known_words(text: str) -> dict[str, Segment]:
    """Every substring of text the sources know, with its reading; the end of text also when the
    dictionary lists it with a place generic (太行 as 太行山, 闵行 as 闵行区)."""
    subs = {text[i:j] for i in range(len(text)) for j in range(i + 2, min(len(text), i + MAX_WORD) + 1)}
    tails = {text[i:] for i in range(max(0, len(text) - MAX_WORD), len(text) - 1)}  # 上海市[闵行]区
    with_head = {tail + h: tail for tail in tails for h in PLACE_HEADS if not tail.endswith(h)}
    found = _dictionary().readings(sorted(subs | with_head.keys()))
    known: dict[str, Segment] = {}
    for word in sorted(with_head.keys() & found.keys()):
        tail = with_head[word]
        if tail not in found and tail not in known:
            first, others = found[word]
            known[tail] = Segment(tail, first[:len(tail)], [o[:len(tail)] for o in others], f"CC-CEDICT {word}")
    for word in subs:
        if word in found:
            known[word] = Segment(word, *found[word], "CC-CEDICT")
        elif word not in known and (reading := _pypinyin_phrase(word)):
            known[word] = Segment(word, reading, [], "pypinyin phrases")
    for word, reading in _overrides().items():
        if word in text:
            known[word] = Segment(word, reading, [], "kozh readings")
    return known


def _hangul(syllables: list[str]) -> str:
    out = []
    for s in syllables:
        plain = toneless(s)
        if plain == "r" or plain.endswith("r") and pinyin_to_hangul(plain) is None:
            # erhua: 儿 is written as its own syllable 얼 (the rule table's er); the fused form is an alternative
            base = plain[:-1]
            out.append((pinyin_to_hangul(base) or "" if base else "") + "얼")
            continue
        out.append(pinyin_to_hangul(plain) or "")
    return "".join(out)


def _split_affix(text: str, kind: str | None) -> tuple[str, list[tuple[str, str]]]:
    """'广西壮族自治区' -> ('广西壮', [('族', '족'), ('自治区', '자치구')]): the core and the translated affixes.
    Persons keep everything; a one-character core keeps its affix unless kind is 'place'."""
    if kind == "person":
        return text, []
    for zh, ko in _affixes():
        core = text[: -len(zh)]
        if text.endswith(zh) and not zh.endswith("族") and (len(core) >= 2 or (kind == "place" and core)):
            parts = [(zh, ko)]
            if zh.startswith("自治"):  # the people of an autonomous area: 壮族 -> 좡족, 朝鲜族 -> 조선족
                people = next(((z, k) for z, k in _affixes() if z.endswith("族") and core.endswith(z)
                               and len(core) > len(z)), None)
                if people:
                    core, parts = core[: -len(people[0])], [people, *parts]
            return core, parts
    return text, []


def _surname(text: str, kind: str | None, known: dict[str, Segment]) -> str | None:
    """The surname at the start of a person's name, if it is read by the surname table."""
    if kind not in (None, "person") or len(text) < 2:
        return None
    if kind is None and text in known and known[text].source != "pypinyin phrases":
        return None  # a listed word or place reads as listed
    for size in (2, 1):
        head = text[:size]
        given = len(text) - size
        # unmarked, only the usual shape of a full name (a surname and a one- or two-character given name,
        # at least three characters): two-character names are as often companies (乐视) or words
        if head in _surnames() and given in (1, 2) and (kind == "person" or len(text) >= 3):
            return head
    return None


def _read(core: str, kind: str | None, known: dict[str, Segment]) -> list[Segment]:
    """Segments of core with their readings: the surname first when there is one, then dictionary words."""
    surname = _surname(core, kind, known)
    if not surname:
        return _segment(core, known)
    ordinary = [_char_reading(c) for c in surname]  # the word reading stays an alternative (乐 lè)
    head = Segment(surname, _surnames()[surname], [ordinary], "surname")
    return [head, *_segment(core[len(surname):], known)]


@lru_cache(maxsize=65536)
def reading(zh: str, *, kind: str | None = None) -> tuple[str, ...]:
    """The reading transliterate() chooses, one tone-marked syllable per Han character (affixes read as
    Mandarin): reading('曾庆红') == ('zēng', 'qìng', 'hóng'). Non-Han characters are skipped."""
    han = "".join(c for c in to_simplified(zh) if is_han(c))
    if not han:
        return ()
    return tuple(s for seg in _read(han, kind, _known_words(han)) for s in seg.reading)


def transliterate(zh: str, *, kind: str | None = None) -> Rendering:
    """Standard Korean form of a Chinese name: transliterate('曾慶紅') -> Rendering(ko='쩡칭훙', ...).

    kind: 'person' reads the first character(s) as a surname and never translates an affix; 'place' also
    translates the affix of a one-character core; None decides from the name. Non-Han characters are
    skipped."""
    han = "".join(c for c in to_simplified(zh.strip()) if is_han(c))
    if not han:
        raise KozhError(f"no Chinese characters in {zh!r}")
    core, affix = _split_affix(han, kind)
    known = _known_words(core)
    if len(affix) == 1 and affix[0][0] in _kept_when_listed():
        whole = _known_words(han)  # 景德镇, 中关村 are listed as names: read them whole
        if han in whole and whole[han].source != "pypinyin phrases":
            core, affix, known = han, [], whole
    segments = _read(core, kind, known)
    affix_ko = "".join(k for _, k in affix)
    written = [_segment_hangul(seg, known, kind, last=i == len(segments) - 1) for i, seg in enumerate(segments)]
    core_ko = "".join(written)
    ko = core_ko + affix_ko
    syllables = [s for seg in segments for s in seg.reading] + [_char_reading(c) for z, _ in affix for c in z]

    notes = [f"surname {seg.text} {' '.join(seg.reading)}" if seg.source == "surname" else
             f"{seg.text} {' '.join(seg.reading)} ({seg.source})" for seg in segments if len(seg.text) > 1
             or seg.source == "surname"]
    alternatives = [core_ko] if affix else []
    if affix:
        notes.append("affix " + " ".join(f"{z} -> {k}" for z, k in affix))
    for i, seg in enumerate(segments):
        for other in seg.others:  # another listed reading of one segment: 朝阳 zhāo yáng -> 자오양
            alternatives.append("".join(_hangul(other) if j == i else w for j, w in enumerate(written)) + affix_ko)
    if "儿" in core[1:]:
        alternatives.append(_fused_erhua(segments) or "")
    alternatives = [a for a in dict.fromkeys(alternatives) if a and a != ko]
    return Rendering(query=zh, ko=ko, sino=sino_korean(han) or None, pinyin=" ".join(syllables),
                     alternatives=alternatives, why="; ".join(notes) or "character readings")


def _segment_hangul(seg: Segment, known: dict[str, Segment], kind: str | None, *, last: bool) -> str:
    """A segment's Hangul; a place inside a longer name keeps its translated affix and a space after it
    (北京市朝阳区 -> 베이징시 차오양구)."""
    if seg.source != "surname" and len(seg.text) > 2:
        core, affix = _split_affix(seg.text, kind)
        if affix and core in known:
            return _hangul(known[core].reading) + "".join(k for _, k in affix) + \
                ("" if last else " ")
    return _hangul(seg.reading)


def _fused_erhua(segments: list[Segment]) -> str | None:
    """哪儿 -> 날: the r of erhua as the final ㄹ of the syllable before it (none if that has a final)."""
    out: list[str] = []
    for s in (toneless(s) for seg in segments for s in seg.reading):
        if s in ("r", "er") and out and out[-1]:
            lead, vowel, tail = decompose(out[-1][-1])
            if tail:
                return None
            out[-1] = out[-1][:-1] + compose(lead, vowel, "ㄹ")
        else:
            out.append(pinyin_to_hangul(s) or "")
    return "".join(out)


# ---------------------------------------------------------------- backward


@lru_cache(maxsize=1)
def _hangul_to_pinyin() -> dict[str, list[tuple[str, int]]]:
    """Hangul spelling (one or two syllables) -> [(pinyin syllable, cost)]: 0 standard, 1 informal."""
    inverse: dict[str, list[tuple[str, int]]] = {}
    for syllable, (standard, informal) in _syllable_table().items():
        if ("v" in syllable and syllable[0] in "jqxy") or syllable not in _mandarin_syllables():
            continue  # jv = ju: one spelling is enough; zhing is composable but no character reads so
        inverse.setdefault(standard, []).append((syllable, 0))
        for spelling in informal:
            inverse.setdefault(spelling, []).append((syllable, 1))
    return {h: sorted(set(options), key=lambda o: (o[1], o[0])) for h, options in inverse.items()}


def hangul_pinyin(ko: str, limit: int = MAX_SEQUENCES) -> list[list[str]]:
    """Pinyin syllable sequences a Hangul transliteration can stand for, best first (fewest informal spellings).

    A beam of `limit` partial sequences moves over the name one or two Hangul syllables at a time, so the
    work is at most len(ko) x limit x (options per syllable, a handful) whatever the input."""
    table = _hangul_to_pinyin()
    beams: dict[int, list[tuple[int, list[str]]]] = {0: [(0, [])]}
    for i in range(len(ko)):
        for cost, seq in beams.pop(i, []):
            for size in (1, 2):
                for syllable, extra in table.get(ko[i:i + size], []):
                    beams.setdefault(i + size, []).append((cost + extra, seq + [syllable]))
        for j in list(beams):
            beams[j] = sorted(beams[j], key=lambda b: b[0])[:limit]
    done = beams.get(len(ko), [])
    return [seq for _, seq in sorted(done, key=lambda b: (b[0], len(b[1])))][:limit]


def _korean_affix(ko: str) -> tuple[str, str, str] | None:
    """'베이징시' -> ('베이징', '시', '市') when the name ends with a translated affix."""
    for zh, k in _affixes():
        if ko.endswith(k) and len(ko) - len(k) >= 2:
            return ko[: -len(k)], k, zh
    return None


def from_hangul(ko: str, *, resolver=None, limit: int = MAX_CANDIDATES) -> dict:
    """The Chinese a Korean transliteration may stand for: pinyin sequences and Chinese candidates.

    from_hangul('마화텅') -> {'query': '마화텅', 'pinyin': ['ma hua teng', ...], 'zh': ['马化腾'], 'why': ...}
    resolver: a resolver.Resolver; its glossary's candidates come first."""
    query = ko
    ko = "".join(ko.split())
    if not ko or not all(is_hangul_syllable(c) for c in ko):
        raise KozhError(f"not a Hangul name: {query!r}")
    sequences = hangul_pinyin(ko)
    found: dict[str, str] = {}
    if resolver is not None:
        for match in resolver.resolve(ko, limit=limit):
            if match.zh:
                found.setdefault(match.zh, f"glossary ({match.method} {match.score:.2f})")
    dictionary = _dictionary()
    for seq in sequences:
        for word in dictionary.by_key(" ".join(seq), limit):
            found.setdefault(word, "CC-CEDICT")
    split = _korean_affix(ko)
    if split:
        core, _k, zh_affix = split
        for seq in hangul_pinyin(core):
            for word in dictionary.by_key(" ".join(seq), limit):
                found.setdefault(word + zh_affix, f"CC-CEDICT {word} + affix {zh_affix}")
    zh = list(found)[:limit]
    why = "; ".join(f"{w} ({found[w]})" for w in zh) if zh else "no glossary or dictionary entry for these sounds"
    return {"query": query, "pinyin": [" ".join(s) for s in sequences], "zh": zh, "why": why}


def from_pinyin(text: str) -> dict:
    """Korean form of Latin pinyin ('Wang Chuanfu', 'wáng chuán fú', 'wang2 chuan2 fu2') and dictionary words."""
    from pypinyin.contrib.tone_convert import to_normal

    plain = to_normal(re.sub(r"[1-5]", " ", text.lower())).replace("v", "ü")
    syllables: list[str] = []
    for chunk in re.findall(r"[a-zü]+|ê", plain):
        parts = _split_pinyin(chunk)
        if parts is None:
            raise KozhError(f"not pinyin: {chunk!r} in {text!r}")
        syllables += parts
    if not syllables:
        raise KozhError(f"not pinyin: {text!r}")
    ko = "".join(pinyin_to_hangul(s) or "" for s in syllables)
    words = _dictionary().by_key(" ".join(s.replace("ü", "v") for s in syllables), MAX_CANDIDATES)
    return {"query": text, "ko": ko, "sino": None, "pinyin": " ".join(syllables), "alternatives": [],
            "zh": words, "why": "pinyin syllables " + " ".join(syllables)}


def _split_pinyin(chunk: str) -> list[str] | None:
    """'chuanfu' -> ['chuan', 'fu']: the split into the fewest valid syllables (xian, not xi an)."""
    table = _syllable_table()
    best: list[list[str] | None] = [None] * (len(chunk) + 1)
    best[0] = []
    for i in range(len(chunk)):
        if best[i] is None:
            continue
        for j in range(i + 1, min(len(chunk), i + 6) + 1):
            piece = chunk[i:j].replace("ü", "v")
            if piece in table and (best[j] is None or len(best[j]) > len(best[i]) + 1):
                best[j] = best[i] + [chunk[i:j]]
    return best[len(chunk)]


def translit(text: str, *, kind: str | None = None, resolver=None) -> dict:
    """One answer of `kozh translit --json`, whatever the script of text: Chinese, Hangul or Latin pinyin."""
    name = text.strip()
    if not name:
        raise KozhError("empty name")
    if any(is_han(c) for c in name):
        return transliterate(name, kind=kind).to_dict()
    if any(is_hangul_syllable(c) for c in name):
        return from_hangul(name, resolver=resolver)
    if re.fullmatch(r"[A-Za-zÀ-ɏ\u0300-\u036f1-5 '’·-]+", name):
        return from_pinyin(name)
    raise KozhError(f"{text!r} is neither Chinese, Hangul nor pinyin")
