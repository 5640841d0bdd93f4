"""How Chinese is written in Hangul, and a phonetic key under which spellings of one sound meet.

Three readings of a Chinese string:
- Mandarin transliteration by 외래어 표기법 (中国語 표기): 宁德时代 -> 닝더스다이, 嘉定 -> 자딩,
  plus the informal spellings real text uses (지아딩, 티엔, 따싱). Tables: data/pinyin_*.tsv.
- Sino-Korean reading (한자음) of the traditional form, with the initial-sound rule: 北京 -> 북경, 寧 -> 영.
- Translated parts (汽车 -> 자동차): data/translated_parts.tsv.

`phonetic_key` folds Hangul to a string of phoneme letters where tense and lax consonants, 이+vowel and
y-glides, 우/오+vowel and w-glides coincide, so 지아딩 ~ 자딩, 씽 ~ 싱, 티엔 ~ 톈, 루어 ~ 뤄.
"""
from __future__ import annotations

import itertools
from functools import lru_cache
from importlib.resources import files

from .scripts import is_han, is_hangul_syllable
from .variants import to_traditional

# Hangul syllable arithmetic (Unicode 3.12)
_S_BASE, _L_COUNT, _V_COUNT, _T_COUNT = 0xAC00, 19, 21, 28
_LEADS = "ㄱㄲㄴㄷㄸㄹㅁㅂㅃㅅㅆㅇㅈㅉㅊㅋㅌㅍㅎ"
_VOWELS = "ㅏㅐㅑㅒㅓㅔㅕㅖㅗㅘㅙㅚㅛㅜㅝㅞㅟㅠㅡㅢㅣ"
_TAILS = ["", "ㄱ", "ㄲ", "ㄳ", "ㄴ", "ㄵ", "ㄶ", "ㄷ", "ㄹ", "ㄺ", "ㄻ", "ㄼ", "ㄽ", "ㄾ", "ㄿ", "ㅀ", "ㅁ", "ㅂ",
          "ㅄ", "ㅅ", "ㅆ", "ㅇ", "ㅈ", "ㅊ", "ㅋ", "ㅌ", "ㅍ", "ㅎ"]


def decompose(syllable: str) -> tuple[str, str, str]:
    """닝 -> ('ㄴ', 'ㅣ', 'ㅇ')."""
    code = ord(syllable) - _S_BASE
    return _LEADS[code // 588], _VOWELS[(code % 588) // 28], _TAILS[code % 28]


def compose(lead: str, vowel: str, tail: str = "") -> str:
    return chr(_S_BASE + (_LEADS.index(lead) * _V_COUNT + _VOWELS.index(vowel)) * _T_COUNT + _TAILS.index(tail))


def _read_tsv(name: str) -> list[list[str]]:
    rows = []
    for line in files("glossary").joinpath("data", name).read_text("utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            rows.append(line.split("\t"))
    return rows


# --- Mandarin -> Hangul (외래어 표기법) -------------------------------------------------

# After ㅈ ㅉ ㅊ the official rules write y-diphthongs as plain vowels (jie 제, jiu 주, jian 젠).
_PLAIN_AFTER_AFFRICATE = {"ㅑ": "ㅏ", "ㅕ": "ㅓ", "ㅛ": "ㅗ", "ㅠ": "ㅜ", "ㅖ": "ㅔ", "ㅒ": "ㅐ"}


def _attach(lead: str, hangul: str) -> str:
    """Put an initial consonant on a final written with null initial: ㄷ + 옌 -> 뎬."""
    first = hangul[0]
    _, vowel, tail = decompose(first)
    if lead in "ㅈㅉㅊ":
        vowel = _PLAIN_AFTER_AFFRICATE.get(vowel, vowel)
    return compose(lead, vowel, tail) + hangul[1:]


@lru_cache(maxsize=1)
def _syllable_table() -> dict[str, tuple[str, tuple[str, ...]]]:
    """pinyin syllable (tone-less, ü as v) -> (standard Hangul, informal spellings)."""
    initials = {row[0]: (row[1], row[2] if len(row) > 2 else "") for row in _read_tsv("pinyin_initials.tsv")}
    table: dict[str, tuple[str, tuple[str, ...]]] = {}
    for final, with_initial, alone_py, alone_hg, *rest in _read_tsv("pinyin_finals.tsv"):
        informal = tuple(x for x in (rest[0].split(",") if rest and rest[0] else []) if x)
        if alone_py != "-":
            table[alone_py] = (alone_hg, informal)
        for ini, (lead, tense) in initials.items():
            if ini in ("j", "q", "x") and final in ("u", "ue", "uan", "un"):
                continue  # ju/que/xuan are ü-finals, spelled with u after j q x
            spellings = [_attach(lead, h) for h in informal]
            if tense:
                spellings += [_attach(tense, h) for h in (with_initial, *informal)]
            std = _attach(lead, with_initial)
            table[ini + final] = (std, tuple(dict.fromkeys(s for s in spellings if s != std)))
            if final.startswith("v") and ini in ("j", "q", "x"):
                table[ini + "u" + final[1:]] = table[ini + final]
    for syllable, hangul, *rest in _read_tsv("pinyin_special.tsv"):
        informal = tuple(x for x in (rest[0].split(",") if rest and rest[0] else []) if x)
        table[syllable] = (hangul, informal)
    # y/w spellings of ü finals after y: yu yue yuan yun already come from alone_pinyin.
    return table


def pinyin_to_hangul(syllable: str, *, informal: bool = False) -> str | tuple[str, ...] | None:
    """Standard Hangul for one tone-less pinyin syllable ('ning' -> '닝'); with informal=True all spellings."""
    entry = _syllable_table().get(syllable.lower().replace("ü", "v"))
    if entry is None:
        return None
    return (entry[0], *entry[1]) if informal else entry[0]


@lru_cache(maxsize=65536)
def char_pinyin(ch: str) -> tuple[str, ...]:
    """All Mandarin readings of one character, tone-less (heteronyms: 重 -> zhong, chong)."""
    import pypinyin

    readings = pypinyin.pinyin(ch, heteronym=True, style=pypinyin.Style.NORMAL, errors="ignore", v_to_u=False)
    return tuple(dict.fromkeys(r for group in readings for r in group if r.isalpha()))


def pinyin(text: str) -> list[str]:
    """Phrase-aware default reading of each Han character ('重庆' -> ['chong', 'qing'])."""
    import pypinyin

    return [r for r in pypinyin.lazy_pinyin(text, style=pypinyin.Style.NORMAL, errors="ignore", v_to_u=False)]


def pinyin_marked(text: str) -> str:
    """Tone-marked pinyin for display, syllables spaced: 宁德时代 -> níng dé shí dài."""
    import pypinyin

    return " ".join(pypinyin.lazy_pinyin(text, style=pypinyin.Style.TONE, errors="ignore"))


def transliterate(text: str) -> str:
    """Standard Korean form of a Chinese string by 외래어 표기법: 宁德时代 -> 닝더스다이."""
    out = []
    for syllable in pinyin(text):
        out.append(pinyin_to_hangul(syllable) or "")
    return "".join(out)


# --- Sino-Korean readings ---------------------------------------------------------------


# Initial-sound rule (두음 법칙): ㄹ -> ㄴ/ㅇ, ㄴ -> ㅇ before i/y at the start of a word.
_Y_VOWELS = set("ㅑㅕㅛㅠㅣㅖ")


def initial_sound_rule(syllable: str) -> str:
    lead, vowel, tail = decompose(syllable)
    if lead == "ㄹ":
        lead = "ㅇ" if vowel in _Y_VOWELS else "ㄴ"
    elif lead == "ㄴ" and vowel in _Y_VOWELS:
        lead = "ㅇ"
    return compose(lead, vowel, tail)


@lru_cache(maxsize=1)
def _sino_table() -> dict[str, str]:
    """Character -> its first dictionary reading, from Unicode's Unihan kHangul (data/sino_readings.tsv)."""
    return {row[0]: row[1] for row in _read_tsv("sino_readings.tsv")}


@lru_cache(maxsize=65536)
def _sino_reading(ch: str) -> str | None:
    """The dictionary reading (word-medial form) of a character, looked up on its traditional form."""
    table = _sino_table()
    for form in (to_traditional(ch), ch):
        reading = table.get(form)
        if reading and is_hangul_syllable(reading):
            return reading
    return None


@lru_cache(maxsize=65536)
def char_sino(ch: str) -> tuple[str, ...]:
    """Sino-Korean readings of one character, word-medial and word-initial forms: 寧 -> (녕, 영)."""
    reading = _sino_reading(ch)
    if not reading:
        return ()
    readings = [reading, *_duplicate_readings().get(to_traditional(ch), ())]
    forms = [form for r in readings for form in (r, initial_sound_rule(r))]
    return tuple(dict.fromkeys(forms))


@lru_cache(maxsize=1)
def _duplicate_readings() -> dict[str, list[str]]:
    """Second readings (寧 령 and 녕, 金 금 and 김) from data/sino_extra_readings.tsv."""
    return {row[0]: row[1].split(",") for row in _read_tsv("sino_extra_readings.tsv")}


def sino_korean(text: str) -> str:
    """Sino-Korean reading of a Chinese string, initial-sound rule on the first character: 宁德时代 -> 영덕시대."""
    out = []
    for i, ch in enumerate(c for c in text if is_han(c)):
        reading = _sino_reading(ch)
        if reading:
            out.append(initial_sound_rule(reading) if i == 0 else reading)
    return "".join(out)


# --- translated parts ---------------------------------------------------------------------


@lru_cache(maxsize=1)
def translated_parts() -> dict[str, tuple[str, ...]]:
    """Seed table of translated name parts: 汽车 -> (자동차, 오토, ...)."""
    return {row[0]: tuple(x.strip() for x in row[1].split(",") if x.strip()) for row in _read_tsv("translated_parts.tsv")}


# --- phonetic key -------------------------------------------------------------------------

_LAX = {"ㄲ": "ㄱ", "ㄸ": "ㄷ", "ㅃ": "ㅂ", "ㅆ": "ㅅ", "ㅉ": "ㅈ"}
_LEAD_LETTER = {"ㄱ": "k", "ㄴ": "n", "ㄷ": "t", "ㄹ": "l", "ㅁ": "m", "ㅂ": "p", "ㅅ": "s", "ㅇ": "",
                "ㅈ": "c", "ㅊ": "C", "ㅋ": "K", "ㅌ": "T", "ㅍ": "P", "ㅎ": "h"}
# vowel -> (glide, nucleus); ㅔ and ㅐ coincide (they do in speech), ㅚ ㅙ ㅞ all 'we'
_VOWEL_LETTERS = {"ㅏ": ("", "a"), "ㅐ": ("", "e"), "ㅑ": ("j", "a"), "ㅒ": ("j", "e"), "ㅓ": ("", "o"),
                  "ㅔ": ("", "e"), "ㅕ": ("j", "o"), "ㅖ": ("j", "e"), "ㅗ": ("", "O"), "ㅘ": ("w", "a"),
                  "ㅙ": ("w", "e"), "ㅚ": ("w", "e"), "ㅛ": ("j", "O"), "ㅜ": ("", "u"), "ㅝ": ("w", "o"),
                  "ㅞ": ("w", "e"), "ㅟ": ("w", "i"), "ㅠ": ("j", "u"), "ㅡ": ("", "U"), "ㅢ": ("", "Ui"),
                  "ㅣ": ("", "i")}
_ONSETS = set(_LEAD_LETTER.values()) - {""}
_TAIL_LETTER = {"ㄴ": "n", "ㅇ": "N", "ㄹ": "l", "ㅁ": "m", "ㄱ": "k", "ㅂ": "p", "ㅅ": "t", "ㄷ": "t"}


@lru_cache(maxsize=262144)
def phonetic_key(text: str) -> str:
    """Fold a Hangul spelling to phoneme letters so informal spellings meet standard ones.

    phonetic_key('지아딩') == phonetic_key('자딩') == 'catiN'; likewise 티엔/톈, 씽/싱, 루어/뤄.
    Non-Hangul characters are dropped.
    """
    letters: list[str] = []
    for ch in text:
        if not is_hangul_syllable(ch):
            continue
        lead, vowel, tail = decompose(ch)
        lead = _LAX.get(lead, lead)
        glide, nucleus = _VOWEL_LETTERS[vowel]
        onset = _LEAD_LETTER.get(lead, "")
        if not onset and not glide and letters and (
            (letters[-1] == "i" and nucleus != "i") or (letters[-1] in ("u", "O") and nucleus in ("a", "o", "e"))
        ):
            # 이+vowel is a y-glide, 우/오+vowel a w-glide: 지아 = 쟈, 루어 = 뤄, 리엔 = 롄
            glide = "j" if letters.pop() == "i" else "w"
            if letters and letters[-1] in ("j", "w"):
                glide = letters.pop()  # 위엔: the w of 위 stays the glide
            onset = letters.pop() if letters and letters[-1] in _ONSETS else ""
        if glide == "j" and onset in ("c", "C", "s"):
            glide = ""  # the official rules drop y after ㅈ ㅊ (and informal text after ㅅ): 쟈 = 자
        letters.append(onset)
        if glide:
            letters.append(glide)
        letters.append(nucleus)
        if tail:
            letters.append(_TAIL_LETTER.get(tail, "t"))
    return "".join(letters)


def han_readings(text: str) -> dict[str, list[str]]:
    """Every reading kozh knows for a Chinese string, for explanations and tests."""
    chars = [c for c in text if is_han(c)]
    translit = ["".join(p) for p in itertools.islice(itertools.product(*[
        [pinyin_to_hangul(s) or "" for s in char_pinyin(c)] or [""] for c in chars]), 16)]
    return {"standard": [transliterate(text)], "transliterations": translit, "sino_korean": [sino_korean(text)]}
