"""Where does the Korean name before a bracket start? Align candidate spans to the Chinese and score them.

The units left of the bracket (Hangul syllables, Latin words) are aligned right-to-left with the Chinese
characters by dynamic programming. A unit explained by the Chinese (a transliteration, a Sino-Korean
reading, a translated part, the same Latin word, pinyin) earns credit; an unexplained unit costs;
a run of units standing for a run of Chinese with no phonetic evidence (텐센트 for 腾讯) costs less than
leaving both unexplained. Every candidate start is scored in one pass, and a start at a word boundary
earns a bonus. When the phonetics explain too little of the Chinese to decide, the noun phrase Kiwi finds
before the bracket is the name.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from . import phonetics
from .scripts import is_han, is_hangul_syllable, is_latin
from .variants import to_simplified

WINDOW = 48            # characters looked at left of the bracket
MAX_UNITS = 26         # a Korean name longer than this many syllables/words is not a name
UNITS_PER_TOKEN = 3    # ... nor longer than this many units per Chinese token, plus EXTRA_UNITS
EXTRA_UNITS = 4        # (클라우드 컴퓨팅 네이티브 is 10 units for 云原生: 3 tokens)

# Weights, tuned on held-apart development text; see README "How extraction decides".
SKIP_KO = 1.0          # a Korean syllable or Latin word the Chinese does not explain
SKIP_ZH = 0.5          # a Chinese character nothing in the span explains
SKIP_SOFT = 0.2        # a middle dot inside a name (성·시)
ZH_CREDIT = 0.5        # per Chinese character explained
GAP = 0.3              # per unit and character in an unexplained-but-paired run (translation)
WORD_START = 1.0       # the span starts at a word boundary
PART_OF_WORD = 1.5     # a span that starts inside a word and leaves Chinese unexplained cuts a word apart
                       # (오 of 마카오(澳門), 구 of 통상구(口岸)); a whole explanation may (상하이지아딩(嘉定))
FUZZY = 0.3            # credit per syllable for a near spelling (진 for 쥔): less than SKIP_KO, so a near
                       # spelling supports a name but never makes one on its own
COVERAGE_FOR_PHONETICS = 0.5  # below this share of Chinese explained, the noun phrase decides
LATIN_PREFIX_COVERAGE = 0.3   # share of the Chinese a Korean word before a Latin name must explain to join it

_LATIN_CHARS = re.compile(r"[A-Za-z0-9&+\-']")
_SOFT = "·・"


@dataclass
class Unit:
    text: str
    kind: str          # 'H' Hangul syllable, 'L' Latin word or number, 'S' middle dot
    start: int         # offset in the text
    end: int
    word_start: bool   # preceded by white space, a delimiter or a line start
    chain: int         # Latin chain id (consecutive Latin words form one name: GAC Group)
    wrapped: bool = False  # this unit is on the line before a wrapped line break


@dataclass
class Choice:
    name: str
    start: int
    score: float
    linebreak: bool


def _units_before(text: str, pos: int) -> list[Unit]:
    """Units left of `pos` that could belong to a name, in text order. A wrapped line (쿤\n룬칩) is crossed.

    Scanning stops at a delimiter, and at a word that ends in a case particle (지아딩수소에너지항은): no name
    runs through it, so nothing before it is looked at.
    """
    end = pos
    while end > 0 and text[end - 1] in " \u3000":
        end -= 1
    lo = max(0, end - WINDOW)
    units: list[Unit] = []
    word_begin = 0  # index in `units` (collected right to left) where the current word began
    i = end
    wrapped = False
    while i > lo:
        ch = text[i - 1]
        if is_hangul_syllable(ch):
            units.append(Unit(ch, "H", i - 1, i, False, -1, wrapped))
            i -= 1
        elif _LATIN_CHARS.match(ch) or is_latin(ch):
            j = i
            while j > lo and (_LATIN_CHARS.match(text[j - 1]) or is_latin(text[j - 1])):
                j -= 1
            word = text[j:i].strip("-'")
            if word:
                units.append(Unit(word, "L", j + text[j:i].index(word), j + text[j:i].index(word) + len(word),
                                  False, -1, wrapped))
            i = j
        elif ch in _SOFT:
            units.append(Unit(ch, "S", i - 1, i, False, -1, wrapped))
            i -= 1
        elif ch in " \u3000":
            if len(units) > word_begin:  # a word ends here (text order: it starts after this space)
                units[-1].word_start = True
                if word_begin > 0 and _ends_in_particle(units[word_begin:]):
                    del units[word_begin:]
                    break
                word_begin = len(units)
            i -= 1
            while i > lo and text[i - 1] in " \u3000":
                i -= 1
        elif ch == "\n" and i >= 2 and is_hangul_syllable(text[i - 2]) and units and units[-1].kind == "H" \
                and not wrapped:
            # a PDF export wrapped the line inside a word: 쿤\n룬칩테크놀로지
            units[-1].word_start = True
            wrapped = True
            i -= 1
        else:
            break
    if units:
        units[-1].word_start = True
    units.reverse()
    # Latin chains: Latin words separated by single spaces (GAC Group, Mango Excellent Media)
    chain = -1
    for k, u in enumerate(units):
        if u.kind == "L":
            if k > 0 and units[k - 1].kind == "L" and text[units[k - 1].end:u.start] in (" ", ""):
                u.chain = chain
            else:
                chain += 1
                u.chain = chain
    if len(units) > MAX_UNITS:
        units = units[-MAX_UNITS:]
    return units


def _ends_in_particle(word_reversed: list[Unit]) -> bool:
    """A word (its units right to left) of Hangul that ends in a case particle: 항은, 광저우에는."""
    if word_reversed[0].kind != "H":
        return False
    text = "".join(u.text for u in reversed(word_reversed) if u.kind == "H")
    return any(len(text) > len(p) and text.endswith(p) for p in _barrier_particles())


def _is_han_token(tok: str) -> bool:
    return len(tok) == 1 and is_han(tok)


@lru_cache(maxsize=1)
def _barrier_particles() -> tuple[str, ...]:
    """Particles that end a noun phrase. 이/가 are left out: too many names end in those syllables (닝더스다이)."""
    from .pairs import particles

    return tuple(p for p in particles() if p not in ("이", "가", "인", "이다", "측", "등", "및"))


def _zh_tokens(zh: str) -> list[str]:
    """Chinese form as alignable tokens: each Han character, each Latin word (lower-cased), + and ·."""
    return [m.group().lower() for m in re.finditer(r"[\u3400-\u9fff\uf900-\ufaff]|[A-Za-z0-9]+|[+·]", zh)
            if m.group().strip()]


@lru_cache(maxsize=32768)
def _char_renderings(tok: str) -> tuple[tuple[str, float], ...]:
    """(Hangul, weight) for one Chinese character: every Mandarin reading in the standard and informal
    spellings (informal ones weigh a little less), and its Sino-Korean readings."""
    out: list[tuple[str, float]] = []
    for syl in phonetics.char_pinyin(tok):
        for k, h in enumerate(phonetics.pinyin_to_hangul(syl, informal=True) or ()):
            out.append((h, 1.0 if k == 0 else 0.95))
    for h in phonetics.char_sino(tok):
        out.append((h, 1.0))
    return tuple(out)


@lru_cache(maxsize=1)
def _parts_by_first() -> dict[str, tuple[str, ...]]:
    """Translated parts (汽车 -> 자동차) indexed by their first character, so a bracket looks up only the
    runs that can start one."""
    index: dict[str, list[str]] = {}
    for run in phonetics.translated_parts():
        index.setdefault(run[:1], []).append(run)
    return {first: tuple(runs) for first, runs in index.items()}


def _renderings(zh_key: tuple[str, ...]) -> list[tuple[int, int, str, float]]:
    """(start, length, Hangul or Latin rendering, weight) for every Chinese token run kozh can read."""
    out: list[tuple[int, int, str, float]] = []
    parts = phonetics.translated_parts()
    by_first = _parts_by_first()
    for j, tok in enumerate(zh_key):
        if _is_han_token(tok):
            out.extend((j, 1, h, w) for h, w in _char_renderings(tok))
        for run in by_first.get(tok, ()):
            if "".join(zh_key[j:j + len(run)]) == run:
                out.extend((j, len(run), r, 1.0) for r in parts[run])
        if _is_han_token(tok):
            simple = to_simplified(tok)  # 報 -> 报: one-character parts are also matched simplified
            if simple != tok:
                out.extend((j, 1, r, 1.0) for r in parts.get(simple, ()))
    return out


@lru_cache(maxsize=32768)
def _pinyin_spellings(zh_key: tuple[str, ...]) -> dict[str, list[tuple[int, int]]]:
    """Latin spellings of Chinese runs: pinyin (SHANGQI = 上汽, Aikucun) and initials (BYD = 比亚迪)."""
    out: dict[str, list[tuple[int, int]]] = {}
    readings = [phonetics.char_pinyin(t) if _is_han_token(t) else () for t in zh_key]
    for j in range(len(zh_key)):
        for b in range(1, min(6, len(zh_key) - j) + 1):
            run = readings[j:j + b]
            if not all(run):
                break
            out.setdefault("".join(r[0] for r in run), []).append((j, b))
            if b >= 2:
                out.setdefault("".join(r[0][0] for r in run), []).append((j, b))
    return out


def _edges(units: list[Unit], zh: list[str]) -> dict[tuple[int, int], list[tuple[int, int, float, int]]]:
    """Match edges keyed by (unit index, zh index): (units used, zh tokens used, credit, zh explained)."""
    edges: dict[tuple[int, int], list[tuple[int, int, float, int]]] = {}
    n = len(units)
    hangul = "".join(u.text if u.kind == "H" else "\0" for u in units)
    # index Hangul substrings by phonetic key
    renderings = _renderings(tuple(zh))
    # an informal spelling is at most one syllable longer than a standard one (지아 for 자, 리엔 for 롄)
    longest = min(5, 1 + max((len(r) for _, _, r, _ in renderings if is_hangul_syllable(r[:1])), default=0))
    by_key: dict[str, list[tuple[int, int]]] = {}
    by_loose: dict[tuple[str, str], list[int]] = {}
    for i in range(n):
        for a in range(1, longest + 1):
            piece = hangul[i:i + a]
            if len(piece) < a or "\0" in piece:
                break
            by_key.setdefault(phonetics.phonetic_key(piece), []).append((i, a))
        if units[i].kind == "H":
            for loose in _loose_keys(units[i].text):
                by_loose.setdefault(loose, []).append(i)
    for j, b, rendering, weight in renderings:
        if rendering and is_hangul_syllable(rendering[0]):
            for i, a in by_key.get(phonetics.phonetic_key(rendering), ()):
                literal = hangul[i:i + a] == rendering
                credit = a * (weight if literal else 0.9 * weight)
                edges.setdefault((i, j), []).append((a, b, credit, b))
            if len(rendering) == 1 and b == 1:
                for loose in _loose_keys(rendering):
                    for i in by_loose.get(loose, ()):
                        edges.setdefault((i, j), []).append((1, 1, FUZZY, 0))  # supports, does not explain
        else:
            words = rendering.lower().split()
            for i in range(n - len(words) + 1):
                if all(units[i + k].kind == "L" and units[i + k].text.lower() == w for k, w in enumerate(words)):
                    edges.setdefault((i, j), []).append((len(words), b, float(len(words)) + b - 1, b))
    spellings = _pinyin_spellings(tuple(zh)) if any(u.kind == "L" for u in units) else {}
    for i, u in enumerate(units):
        if u.kind == "L":
            low = u.text.lower()
            for j, tok in enumerate(zh):
                if tok == low:
                    edges.setdefault((i, j), []).append((1, 1, 1.0, 1))
            for j, b in spellings.get(low, ()):
                edges.setdefault((i, j), []).append((1, b, float(b), b))
        elif u.kind == "S":
            for j, tok in enumerate(zh):
                if tok == "·":
                    edges.setdefault((i, j), []).append((1, 1, 0.5, 1))
    return edges


@lru_cache(maxsize=65536)
def _loose_keys(syllable: str) -> tuple[tuple[str, str], ...]:
    """Near spellings of one syllable share initial+final or initial+vowel (진 ~ 쥔, 깡 ~ 겅 do not both)."""
    key = phonetics.phonetic_key(syllable)
    if len(key) < 2:
        return ()
    lead = key[0]
    tail = key[-1] if key[-1] in "nNlmkpt" and len(key) > 2 else ""
    vowel = key[1:len(key) - len(tail)] if tail else key[1:]
    return (("LT:" + lead, tail), ("LV:" + lead, vowel)) if tail else (("LV:" + lead, vowel),)


def score_starts(units: list[Unit], zh: list[str]) -> list[tuple[float, float]]:
    """For every unit index i: (score of the span units[i:], share of Chinese it explains)."""
    n, m = len(units), len(zh)
    edges = _edges(units, zh)
    neg = float("-inf")
    skip_ko, skip_soft, skip_zh, zh_credit, gap_cost = SKIP_KO, SKIP_SOFT, SKIP_ZH, ZH_CREDIT, GAP
    # score[i][j], explained[i][j]: the best alignment of units[i:] with zh[j:]
    score = [[neg] * (m + 1) for _ in range(n + 1)]
    explained = [[0] * (m + 1) for _ in range(n + 1)]
    score[n][m] = 0.0
    for j in range(m - 1, -1, -1):
        score[n][j] = score[n][j + 1] - skip_zh
    # gap[r][j]: the best pairing of a run of 1-4 Chinese characters from j, explaining nothing, with units
    # that end at row r, less GAP per character: (score, explained) — a translation without phonetic evidence
    gap: list[list[tuple[float, int]]] = [[]] * (n + 1)
    gap[n] = _gap_row(score[n], explained[n], m)
    for i in range(n - 1, -1, -1):
        skip_cost = skip_soft if units[i].kind == "S" else skip_ko
        row, row_e, below, below_e = score[i], explained[i], score[i + 1], explained[i + 1]
        # a translation run of a few units for a few characters: 1 Latin word, or up to 4 Hangul units
        runs = 1
        if units[i].kind != "L":
            while runs < 4 and i + runs < n and units[i + runs].kind == "H":
                runs += 1
        gaps = [(gap[i + a], gap_cost * a) for a in range(1, runs + 1)]
        for j in range(m, -1, -1):
            best, best_e = below[j] - skip_cost, below_e[j]
            if j < m and row[j + 1] - skip_zh > best:
                best, best_e = row[j + 1] - skip_zh, row_e[j + 1]
            for a, b, credit, covered in edges.get((i, j), ()):
                if i + a <= n and j + b <= m:
                    cand = score[i + a][j + b] + credit + zh_credit * b
                    if cand > best:
                        best, best_e = cand, explained[i + a][j + b] + covered
            if j < m:
                for g, cost in gaps:
                    cand = g[j][0] - cost
                    if cand > best:
                        best, best_e = cand, g[j][1]
            row[j], row_e[j] = best, best_e
        gap[i] = _gap_row(row, row_e, m)
    return [(score[i][0], explained[i][0] / m if m else 0.0) for i in range(n)]


def _gap_row(row: list[float], row_e: list[int], m: int) -> list[tuple[float, int]]:
    """For each j: max over b in 1..4 of row[j + b] less GAP * b (the first b on ties)."""
    out = []
    for j in range(m + 1):
        top, top_e = float("-inf"), 0
        for b in range(1, min(4, m - j) + 1):
            cand = row[j + b] - GAP * b
            if cand > top:
                top, top_e = cand, row_e[j + b]
        out.append((top, top_e))
    return out


def _allowed_start(units: list[Unit], i: int) -> bool:
    u = units[i]
    if u.kind == "S":
        return False
    if u.kind == "L" and i > 0 and units[i - 1].chain == u.chain:
        return False  # never cut a Latin name: GAC Group, not Group
    return True


def choose_name(text: str, bracket: int, zh: str) -> Choice | None:
    """The Korean or Latin name that the bracket at `bracket` glosses, or None if there is none."""
    units = _units_before(text, bracket)
    tokens = _zh_tokens(zh)
    if not units or not tokens:
        return None
    # No name runs through a word that ends in a case particle, and none is much longer than its Chinese:
    # align only the units that could start it (most of the cost is the alignment, quadratic in units).
    units = units[max(0, len(units) - (UNITS_PER_TOKEN * len(tokens) + EXTRA_UNITS)):]
    if not units:
        return None
    word = _last_word(units)
    if word:
        exact = _standard_spelling(text, word, zh)
        if exact is not None:
            return exact
        if len(word) < len(units):
            # The word before the bracket alone explains all of the Chinese (지아딩(嘉定)): units further
            # left could only explain characters already explained, so the full alignment would choose
            # this word too (ties go to the later start). Aligning the word alone is much cheaper.
            score, coverage = score_starts(word, tokens)[0]
            if coverage >= 1.0:
                return Choice(_render(text, word), word[0].start, 1.0, any(u.wrapped for u in word))
    scored = score_starts(units, tokens)
    best_i, best_s, best_cov = None, float("-inf"), 0.0
    for i in range(len(units) - 1, -1, -1):
        if not _allowed_start(units, i):
            continue
        s, cov = scored[i]
        if units[i].word_start:
            s += WORD_START
        elif cov < 1.0 and units[i - 1].kind == "H":
            s -= PART_OF_WORD
        if s > best_s + 1e-9:
            best_i, best_s, best_cov = i, s, cov
    if best_i is None:
        return None
    if best_cov < COVERAGE_FOR_PHONETICS:
        if units[-1].kind == "H":
            from . import morph

            if morph.ends_in_predicate(text, units[0].start, units[-1].end):
                return None  # '배움에는 끝이 없다(學無止境)': the bracket quotes what a clause translates
        fallback = _structural_start(text, bracket, units)
        if fallback is not None:
            # a Latin name keeps a Korean part that the phonetics explain (왕이하오 IEV for 网易号 智电汽车)
            korean_part = best_cov - scored[fallback][1] if best_i < fallback else 0.0
            if units[-1].kind != "L" or korean_part < LATIN_PREFIX_COVERAGE:
                best_i = fallback
    span = units[best_i:]
    name = _render(text, span)
    if not name:
        return None
    hangul_share = sum(1 for u in span if u.kind == "H") / len(span)
    confidence = 0.5 + 0.5 * best_cov if best_cov >= COVERAGE_FOR_PHONETICS else 0.4 + 0.2 * (1 - hangul_share)
    return Choice(name, span[0].start, min(1.0, confidence), any(u.wrapped for u in span))


def _last_word(units: list[Unit]) -> list[Unit]:
    """The Hangul word right before the bracket (from its word start), or [] if it is not all Hangul."""
    i = len(units) - 1
    while i > 0 and units[i].kind == "H" and not units[i].word_start:
        i -= 1
    word = units[i:]
    return word if word[0].word_start and all(u.kind == "H" for u in word) else []


def _standard_spelling(text: str, word: list[Unit], zh: str) -> Choice | None:
    """The word spells the whole Chinese, each character by a spelling of one of its readings or by its
    Sino-Korean reading (레이쥔(雷軍), 지아딩(嘉定), 내권(內卷), 안타체육(安踏體育)): the alignment could only
    choose that word, so skip it. Most names in press are written so."""
    if not all(is_han(c) for c in zh):
        return None
    spelled = "".join(u.text for u in word)
    if not len(zh) <= len(spelled) <= 2 * len(zh):  # one or two syllables per character (베이징, 닝더스다이)
        return None
    if not _spells(spelled, zh):
        return None
    return Choice(_render(text, word), word[0].start, 1.0, any(u.wrapped for u in word))


def _spells(spelled: str, zh: str) -> bool:
    """Can `spelled` be cut into one rendering per character of `zh`, in order?"""
    ends = {0}
    for ch in zh:
        options = _standard_renderings(ch)
        ends = {e + len(o) for e in ends for o in options if spelled.startswith(o, e)}
        if not ends:
            return False
    return len(spelled) in ends


@lru_cache(maxsize=32768)
def _standard_renderings(ch: str) -> frozenset[str]:
    """The Hangul of each Mandarin reading of a character, standard and the informal spellings of the
    syllable table (지아 for jia), and its Sino-Korean readings (with the initial-sound rule's forms)."""
    forms = {h for syl in phonetics.char_pinyin(ch) for h in phonetics.pinyin_to_hangul(syl, informal=True) or ()}
    for h in phonetics.char_sino(ch):
        forms |= {h, phonetics.initial_sound_rule(h)}
    return frozenset(f for f in forms if f)


def _render(text: str, span: list[Unit]) -> str:
    """The name as written, with a wrapped line break removed."""
    raw = text[span[0].start:span[-1].end]
    return re.sub(r"\n", "", raw).strip()


def _structural_start(text: str, bracket: int, units: list[Unit]) -> int | None:
    """When phonetics cannot decide: the Latin name, or the noun phrase Kiwi finds, right before the bracket."""
    last = units[-1]
    if last.kind == "L":
        i = len(units) - 1
        while i > 0 and units[i - 1].chain == last.chain:
            i -= 1
        return i
    from . import morph

    first_offset = morph.noun_phrase_start(text, units[0].start, last.end)
    if first_offset is None:
        return None
    for i, u in enumerate(units):
        if u.start >= first_offset:
            return i
    return None
