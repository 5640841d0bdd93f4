"""Resolve any spelling of a name to a glossary entity, with a score, a method and a reason.

Stage 1 looks the query's keys up exactly (keys.py): as written, in simplified script, by sound
(transliteration, Sino-Korean, hybrid), by romanization, and after taking off legal forms and place
affixes. Stage 2, only when stage 1 found nothing confident, blocks fuzzy candidates through
deletion-neighbourhood keys and scores them (rapidfuzz on phonetic keys; a character-by-character
alignment of Hangul to Han). A match is "the match" (`confident`) only at or above THRESHOLD and when no
other entity is matched as well; otherwise the answer is null with candidates.
"""
from __future__ import annotations

import os
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Mapping, Sequence

from glossary import phonetics
from glossary.errors import KozhError
from glossary.link import strip_suffix
from glossary.shipped import default_db_path

from . import keys as K
from .index import AliasRow, EntityRow, Index, open_index

THRESHOLD = 0.80
TIE = 0.01          # scores closer than this are a tie between entities ...
DOMINANT = 2        # ... unless one is attested more than DOMINANT times as often as the other
FUZZY_CANDIDATES = 200
# Fuzzy matching needs names this long (after a generic ending such as 그룹 / 科技 is taken off, on both
# sides): in shorter ones a different syllable or character is a different name, not a typo.
MIN_FUZZY_SYLLABLES = 5
MIN_FUZZY_HAN = 5
MIN_FUZZY_LATIN = 7
MIN_MIXED_READING = 4     # characters, for a Hangul name mixing transliterated and Sino-Korean readings
# A fuzzy score is the similarity less this: one wrong character in 8 (0.875) still passes the threshold,
# one in 6 (0.833) does not - a different character in a short Chinese name is a different name.
FUZZY_DISCOUNT = 0.06

# (key kind, base score, method). A query key is looked up under every kind of its script.
_COMMON = (("norm", 1.0, "exact"), ("core", 0.90, "legal-form"))
_HAN = (("zh", 0.97, "script-variant"),)
_HANGUL = (("ph", 0.95, "transliteration"), ("tr", 0.95, "transliteration"), ("hyb", 0.92, "transliteration"),
           ("sino", 0.92, "sino-korean"), ("c.ph", 0.88, "legal-form"), ("c.tr", 0.88, "legal-form"),
           ("c.sino", 0.86, "legal-form"))
_LATIN = (("conv", 0.95, "romanization"), ("py", 0.93, "romanization"), ("hybl", 0.90, "romanization"),
          ("c.py", 0.86, "legal-form"))
REDUCED_CEILING = 0.90   # a reduced query scores at most this, less REDUCED_STEP per affix taken off
REDUCED_STEP = 0.02
NOT_A_PLACE = 0.03        # an administrative affix came off but the entity is not (labelled) a place


@dataclass(frozen=True)
class Match:
    entity_id: str
    zh: str | None
    ko: str | None
    en: str | None
    alias: str
    method: str
    score: float
    why: str
    kind: str | None = None
    confident: bool = False

    def to_dict(self) -> dict:
        return {"entity_id": self.entity_id, "zh": self.zh, "ko": self.ko, "en": self.en, "alias": self.alias,
                "method": self.method, "score": self.score, "why": self.why}


def to_json(query: str, matches: Sequence[Match]) -> dict:
    """{"query", "match": {...} | null, "candidates": [...]}: the CLI's `resolve --json` line."""
    match = matches[0] if matches and matches[0].confident else None
    return {"query": query, "match": match.to_dict() if match else None,
            "candidates": [m.to_dict() for m in matches if m is not match]}


@dataclass
class _Hit:
    alias_id: int
    score: float
    method: str
    kind: str                      # key kind, or 'fuzzy:<how>'
    reduced: K.Reduced | None = None
    place_only: bool = False       # an administrative affix was taken off: only places may match
    org_only: bool = False         # a group or industry word was taken off: places may not match
    detail: object = None          # an Alignment, or a similarity


class _Query:
    def __init__(self, text: str):
        self.text = text
        self.norm = K.norm(text)
        self.script = K.script_of(self.norm)
        self._han: str | None = None

    @property
    def han(self) -> str:
        if self._han is None:
            self._han = K.fold_han(self.text)
        return self._han


class Resolver:
    """An open glossary. Reads are thread-safe; open once and call resolve() as often as needed."""

    def __init__(self, db: str | os.PathLike[str] | None = None, *, index: Index | None = None):
        if index is None:
            path = Path(db) if db is not None else default_db_path()
            index = open_index(path)
        self.index = index

    @classmethod
    def from_aliases(cls, rows: Iterable[Sequence], *, kinds: Mapping[str, str] | None = None) -> "Resolver":
        return cls(index=Index.from_aliases(rows, kinds=kinds))

    # ------------------------------------------------------------ public

    def resolve(self, name: str, *, kind: str | None = None, limit: int = 5) -> list[Match]:
        """Best first; the first is the match only if `confident`."""
        text = K.clean_name(name)
        if limit < 1:
            return []
        q = _Query(text)
        hits = self._exact(q)
        if not any(h.score >= THRESHOLD for h in hits.values()):
            for alias_id, hit in self._fuzzy(q).items():
                if alias_id not in hits or hit.score > hits[alias_id].score:
                    hits[alias_id] = hit
        return self._rank(q, hits, kind=kind, limit=limit)

    def resolve_many(self, names: Iterable[str], *, kind: str | None = None, limit: int = 5) -> list[list[Match]]:
        return [self.resolve(n, kind=kind, limit=limit) for n in names]

    def match_entity(self, forms: Iterable[tuple[str, str]]) -> str | None:
        """The one entity that every confidently resolved form among (text, lang) names, or None.

        Used by imports: a termbase entry joins an existing entity only when its forms agree."""
        found = set()
        for text, _lang in forms:
            try:
                matches = self.resolve(text, limit=1)
            except KozhError:
                continue
            if matches and matches[0].confident:
                found.add(matches[0].entity_id)
        return found.pop() if len(found) == 1 else None

    def entity(self, entity_id: str) -> dict | None:
        """The entity (following redirects) with all its aliases, or None."""
        live = self.index.live_id(entity_id)
        if live is None:
            return None
        e = self.index.entities([live])[live]
        aliases = sorted(self.index.entity_aliases(live), key=lambda a: (a.lang, -a.count, a.text))
        out = {"id": e.id, "kind": e.kind, "ko": e.ko, "zh": e.zh, "en": e.en,
               "aliases": [{"text": a.text, "lang": a.lang, "status": a.status, "origin": a.origin,
                            "count": a.count} for a in aliases]}
        if live != entity_id:
            out["redirected_from"] = entity_id
        return out

    # ------------------------------------------------------------ stage 1: keys

    def _probes(self, q: _Query) -> list[tuple[str, str, float, str, K.Reduced | None]]:
        """(key kind, key, score, method, reduction) to look up: the query's own keys, then the keys of
        each shorter form of it (legal form, group/industry word, administrative affix taken off)."""
        probes: list[tuple[str, str, float, str, K.Reduced | None]] = []
        if not q.norm:
            return probes

        def sound_keys(text: str) -> list[tuple[tuple[str, float, str], str]]:
            n = K.norm(text)
            if q.script == "hangul":
                ph = phonetics.phonetic_key(n)
                return [(kind, ph) for kind in _HANGUL]
            if q.script == "latin":
                folded = K.latin_fold(n)
                return [(kind, f) for kind in _LATIN for f in dict.fromkeys((folded, folded.replace("v", "u")))]
            return []

        for (kind, score, method) in _COMMON:
            probes.append((kind, q.norm, score, method, None))
        if q.script == "han":
            for kind, score, method in _HAN + (("core", 0.90, "legal-form"),):
                probes.append((kind, q.han, score, method, None))
        for (kind, score, method), key in sound_keys(q.text):
            probes.append((kind, key, score, method, None))

        for red in self.index.ctx.reductions(q.text, q.script, query=True):
            score = REDUCED_CEILING - REDUCED_STEP * (len(red.dropped) - 1)
            kinds = ["norm", "core"] + (["zh"] if q.script == "han" else [])
            probes.extend((kind, red.key, score, "legal-form", red) for kind in kinds)
            if not _dropped_industry(red, q.script):
                # an industry word may come off only to meet an alias as written (和元生物技术 -> 和元生物)
                probes.extend((kind, key, score - (1 - base), "legal-form", red)
                              for (kind, base, _), key in sound_keys(red.key))
        return probes

    def _exact(self, q: _Query) -> dict[int, _Hit]:
        # An alias as written scores 1.0 and no other key can beat it: answer without computing the
        # others (no OpenCC for a Chinese name that is in the glossary as typed).
        written = self.index.lookup("norm", [q.norm]).get(q.norm, []) if q.norm else []
        if written:
            return {i: _Hit(i, 1.0, "exact", "norm") for i in written}
        probes = self._probes(q)
        by_kind: dict[str, list[str]] = {}
        for kind, key, *_ in probes:
            by_kind.setdefault(kind, []).append(key)
        found = {kind: self.index.lookup(kind, keys) for kind, keys in by_kind.items()}
        hits: dict[int, _Hit] = {}
        for kind, key, score, method, red in probes:
            for alias_id in found[kind].get(key, ()):
                h = hits.get(alias_id)
                if h is None or score > h.score:
                    hits[alias_id] = _Hit(alias_id, score, method, kind, red, bool(red and red.place),
                                          bool(red and _dropped_generic(red, q.script)))
        return hits

    # ------------------------------------------------------------ stage 2: blocked fuzzy

    def _fuzzy(self, q: _Query) -> dict[int, _Hit]:
        if q.script == "hangul":
            return self._fuzzy_hangul(q)
        if q.script == "han":
            return self._fuzzy_text(q, q.han, "zdel", MIN_FUZZY_HAN, self.index.ctx.parts.han_tails())
        if len(q.norm) >= MIN_FUZZY_LATIN and not (q.script == "latin" and K.is_pinyin(K.latin_fold(q.norm))):
            return self._fuzzy_text(q, q.norm, "ldel", MIN_FUZZY_LATIN, _latin_tails())
        return {}

    def _candidates(self, kind: str, keys: list[str]) -> list[int]:
        out: dict[int, None] = {}
        for ids in self.index.lookup(kind, keys).values():
            for i in ids:
                out[i] = None
                if len(out) >= FUZZY_CANDIDATES:
                    return list(out)
        return list(out)

    def _fuzzy_hangul(self, q: _Query) -> dict[int, _Hit]:
        from rapidfuzz.fuzz import ratio

        tokens = K.syllable_tokens(q.norm)
        if not K.MIN_DELETE_SYLLABLES <= len(tokens) <= K.MAX_DELETE_SYLLABLES + 1:
            return {}
        tails = self.index.ctx.parts.hangul_tails()
        q_core = strip_suffix(q.norm, tails)
        long_enough = len(q_core) >= MIN_FUZZY_SYLLABLES
        q_ph = phonetics.phonetic_key(q.norm)
        hits: dict[int, _Hit] = {}
        cand = self._candidates("hdel", K.deletes(tokens, "."))
        parts = self.index.ctx.parts
        for alias in self.index.aliases(cand).values():
            a = K.norm(alias.text)
            script = K.script_of(a)
            if script == "hangul":
                a_core = strip_suffix(a, tails)
                if not long_enough or len(a_core) < MIN_FUZZY_SYLLABLES:
                    continue
                sim = min(ratio(q_ph, phonetics.phonetic_key(a)) / 100, _syllable_similarity(q.norm, a, ratio))
                if a_core != a and q_core != q.norm:
                    # both end in a generic tail (대학, 그룹): only the distinctive parts may decide; when
                    # only one does, the other's tail is a slip (대핰) and the whole names are compared
                    sim = min(sim, _syllable_similarity(q_core, a_core, ratio))
                hits[alias.id] = _Hit(alias.id, round(sim - FUZZY_DISCOUNT, 3), "fuzzy", "fuzzy:ko", detail=sim)
            elif script == "han":
                z = self.index.simplified(alias)
                lat = self.index.lattice(alias)
                al = K.align(q.norm, z, lat, parts.units(z), max_cost=2)
                if al is None:
                    continue
                if al.cost == 0 and len(z) >= MIN_MIXED_READING:  # shorter: likely a coincidence
                    tags = al.tags
                    method = "sino-korean" if tags.count("s") > tags.count("t") else "transliteration"
                    hits[alias.id] = _Hit(alias.id, 0.90, method, "align", detail=al)
                elif long_enough and len(strip_suffix(z, parts.han_tails())) >= MIN_FUZZY_HAN:
                    sim = 1 - _soft_cost(al, lat, ratio) / len(z)
                    hits[alias.id] = _Hit(alias.id, round(sim - FUZZY_DISCOUNT, 3), "fuzzy", "fuzzy:align", detail=al)
        return hits

    def _fuzzy_text(self, q: _Query, key: str, kind: str, minimum: int, tails: tuple[str, ...]) -> dict[int, _Hit]:
        from rapidfuzz.fuzz import ratio

        core = strip_suffix(key, tails)
        if len(core) < minimum:
            return {}
        hits: dict[int, _Hit] = {}
        for alias in self.index.aliases(self._candidates(kind, K.deletes(key))).values():
            a = self.index.simplified(alias) if kind == "zdel" else K.norm(alias.text)
            a_core = strip_suffix(a, tails)
            if len(a_core) < minimum or (kind == "ldel" and K.is_pinyin(K.latin_fold(a))):
                continue
            sim = ratio(key, a) / 100
            if a_core != a and core != key:
                sim = min(sim, ratio(core, a_core) / 100)
            hits[alias.id] = _Hit(alias.id, round(sim - FUZZY_DISCOUNT, 3), "fuzzy", "fuzzy:text", detail=sim)
        return hits

    # ------------------------------------------------------------ ranking and explanation

    def _rank(self, q: _Query, hits: dict[int, _Hit], *, kind: str | None, limit: int) -> list[Match]:
        if not hits:
            return []
        aliases = self.index.aliases(hits)
        entities = self.index.entities({a.entity_id for a in aliases.values()})
        best: dict[str, tuple[_Hit, AliasRow]] = {}
        for alias_id, hit in hits.items():
            alias = aliases.get(alias_id)
            if alias is None:
                continue
            ent = entities.get(alias.entity_id)
            ekind = ent.kind if ent else None
            if hit.place_only and ekind not in (None, "place"):
                # 장닝구 -> 장닝: an administrative suffix names a place; the glossary's kind is a vote,
                # sometimes of a body named after the place (江宁 as 장닝...관리위원회), so it costs a
                # little. A leading place taken off (上海汽车 -> 汽车) must meet a place.
                if not _kept_head(q, hit.reduced):
                    continue
                hit = _Hit(hit.alias_id, hit.score - NOT_A_PLACE, hit.method, hit.kind, hit.reduced, True,
                           hit.org_only, hit.detail)
            if hit.org_only and ekind == "place":
                continue
            if kind is not None and ekind != kind:
                continue
            cur = best.get(alias.entity_id)
            if cur is None or (hit.score, alias.count) > (cur[0].score, cur[1].count):
                best[alias.entity_id] = (hit, alias)
        ranked = sorted(best.values(), key=lambda ha: (-ha[0].score, -ha[1].count, ha[1].entity_id))[:limit]
        out = []
        for i, (hit, alias) in enumerate(ranked):
            ent = entities.get(alias.entity_id) or EntityRow(alias.entity_id, None, None, None, None)
            confident = False
            if i == 0 and hit.score >= THRESHOLD:
                confident = True
                if len(ranked) > 1:
                    other, other_alias = ranked[1]
                    if other.score > hit.score - TIE and alias.count <= DOMINANT * other_alias.count:
                        confident = False
            out.append(Match(ent.id, ent.zh, ent.ko, ent.en, alias.text, hit.method, round(max(0.0, min(1.0, hit.score)), 3),
                             self._why(q, hit, alias), ent.kind, confident))
        return out

    def _why(self, q: _Query, hit: _Hit, alias: AliasRow) -> str:
        try:
            return _explain(self.index, q, hit, alias)
        except Exception:  # an explanation must never cost the answer
            return f"{q.text} ~ {alias.text} ({hit.method})"


def _generic(script: str, roles: tuple[str, ...]) -> set[str]:
    lang = {"han": "zh", "hangul": "ko", "latin": "en"}.get(script, "")
    aff = K.affixes()
    out: set[str] = set()
    for role in roles:
        out |= set(getattr(aff, role).get(lang, ()))
        if lang == "en":
            out |= {" ".join(w) for w in getattr(aff, role + "_words")}
    return out


def _dropped_generic(red: K.Reduced, script: str) -> bool:
    """A group or industry word came off: the query names an organisation, not a place."""
    generic = _generic(script, ("industry", "group"))
    return any(d in generic for d in red.dropped)


def _dropped_industry(red: K.Reduced, script: str) -> bool:
    return bool(red.dropped) and red.dropped[-1] in _generic(script, ("industry",))


def _slip(a: str, b: str, ratio) -> bool:
    """Two syllables' phonetic keys differ only inside: same onset, close (커/카, 국/굮, 콤/컴)."""
    return a[:1] == b[:1] and ratio(a, b) >= 50


def _jamo_slip(a: str, b: str) -> bool:
    """One of lead / vowel / tail differs: a typing slip (컴/콤, 굮/국), not another syllable."""
    return sum(x != y for x, y in zip(phonetics.decompose(a), phonetics.decompose(b))) == 1


def _syllable_similarity(a: str, b: str, ratio) -> float:
    """1 - edit distance over syllables / the longer length, where a syllable sounding the same costs
    nothing and a slip inside one costs 1/2: 차이나유니컴 ~ 차이나유니콤 0.92, but 통로목제시 ~ 오로목제시
    only 0.8 (a different syllable)."""
    x, y = K.syllable_tokens(a), K.syllable_tokens(b)
    prev = [float(j) for j in range(len(y) + 1)]
    for i in range(1, len(x) + 1):
        cur = [float(i)] + [0.0] * len(y)
        for j in range(1, len(y) + 1):
            sub = 0.0 if x[i - 1] == y[j - 1] else 0.5 if _jamo_slip(a[i - 1], b[j - 1]) else 1.0
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + sub)
        prev = cur
    return 1 - prev[-1] / max(len(x), len(y), 1)


def _kept_head(q: _Query, red: K.Reduced | None) -> bool:
    """The reduction only took something off the end (장닝구 -> 장닝, 江宁区 -> 江宁)."""
    if red is None:
        return True
    whole = q.han if q.script == "han" else q.norm
    return whole.startswith(red.key)


def _soft_cost(al: K.Alignment, lat: K.Lattice, ratio) -> float:
    """The alignment's cost, with a slip inside one syllable (same onset, the vowel or final consonant
    off: 커 for 카, 굮 for 국) costing half a character; any other substitution costs a whole one."""
    cost, i = 0.0, 0
    for hangul, zh, tag in al.steps:
        if tag == "~" and i < len(lat) and lat[i] and len(hangul) == 1:
            ph = phonetics.phonetic_key(hangul)
            slip = any(_slip(ph, r, ratio) for r in lat[i])
            cost += 0.5 if slip else 1
        elif tag in "~-+":
            cost += 1
        i += len(zh)
    return cost


def _latin_tails() -> tuple[str, ...]:
    aff = K.affixes()
    return tuple(sorted({"".join(w) for w in aff.legal_words + aff.group_words}, key=lambda s: -len(s)))


_KIND_WORDS = {"tr": "transliteration", "sino": "Sino-Korean reading", "hyb": "transliteration"}


def _explain(index: Index, q: _Query, hit: _Hit, alias: AliasRow) -> str:
    text, a = q.text, alias.text
    if hit.reduced is not None:
        dropped = " ".join(d for d in hit.reduced.dropped if d)
        inner = _Hit(hit.alias_id, hit.score, "", hit.kind)
        sub = _Query(hit.reduced.key)
        return f"{text} -> {hit.reduced.key} without {dropped}; " + _explain(index, sub, inner, alias)
    kind = hit.kind
    if kind == "norm":
        return f"{text} is an alias as written" if text == a else f"{text} = {a} ignoring case, spacing and punctuation"
    if kind == "zh":
        return f"{text} = {a} (traditional or variant characters folded)"
    if kind == "core":
        return f"{text} = {a} without its legal form or administrative affix"
    if kind == "ph" or kind == "c.ph":
        return f"{text} = {a} (same sound, different Hangul spelling)"
    if kind in ("py", "c.py"):
        return f"{text} = pinyin {index.tone(alias)} ({a})"
    if kind == "conv":
        return f"{text} = conventional romanization of {a}"
    if kind == "hybl":
        return f"{text} = pinyin of {a} with its translated ending in English"
    if kind in ("tr", "sino", "hyb", "c.tr", "c.sino", "align", "fuzzy:align"):
        z = index.simplified(alias)
        al = hit.detail if isinstance(hit.detail, K.Alignment) else K.align(
            q.norm, z, index.lattice(alias), index.ctx.parts.units(z), max_cost=2)
        if kind.startswith("c."):
            return f"{text} = {_KIND_WORDS.get(kind[2:], kind)} of {a} without its legal form or affix"
        if al is None:
            return f"{text} = {_KIND_WORDS.get(kind, 'reading')} of {a}"
        tags = set(al.tags)
        if kind == "fuzzy:align":
            return f"{text} ~ reading of {a} with {al.cost} differing syllable(s)"
        if tags <= {"t"}:
            tone, std = index.tone(alias), index.standard_hangul(alias)
            if std and std == q.norm:
                return f"{text} = standard Korean form of {tone} ({a})"
            if std:
                return f"{text} = {std} spelled informally, the Korean form of {tone} ({a})"
            return f"{text} = Korean form of {tone} ({a})"
        if tags <= {"s"}:
            return f"{text} = Sino-Korean reading (한자음) of {a}"
        pieces = []
        for hangul, zh, tag in _merge_steps(al.steps):
            word = {"t": "transliterated", "s": "Sino-Korean", "p": "translated"}.get(tag, "?")
            pieces.append(f"{hangul} ({zh}, {word})")
        return f"{text} = " + " + ".join(pieces) + f" = {a}"
    if kind.startswith("fuzzy"):
        return f"{text} ~ {a} (similarity {hit.detail:.2f})"
    return f"{text} ~ {a}"


def _merge_steps(steps):
    out: list[list[str]] = []
    for hangul, zh, tag in steps:
        if out and out[-1][2] == tag:
            out[-1][0] += hangul
            out[-1][1] += zh
        else:
            out.append([hangul, zh, tag])
    return out


# ---------------------------------------------------------------- module-level API


_resolvers: dict[Path, Resolver] = {}
_lock = threading.Lock()


def _resolver(db) -> Resolver:
    path = Path(db) if db is not None else default_db_path()
    key = path.resolve()
    with _lock:
        r = _resolvers.get(key)
        if r is None:
            r = _resolvers[key] = Resolver(path)
        return r


def resolve(name: str, *, db: str | os.PathLike[str] | None = None, kind: str | None = None,
            limit: int = 5) -> list[Match]:
    """Resolve one name against the glossary at db (default: $KOZH_DB, else the user glossary if there is one,
    else the shipped one). Returns the best matches first, at most `limit`; an empty list when nothing in the
    glossary comes near (check `matches[0].confident` before trusting the first)."""
    K.clean_name(name)  # bad input is reported before the database is even opened
    return _resolver(db).resolve(name, kind=kind, limit=limit)
