"""Linking: pairs (and curated reference entries) -> entities with aliases. Pure functions, no database.

One node per folded Chinese key; nodes are joined when
  (a) they have the same folded zh (by construction: that is the node),
  (b) they share a Korean or Latin alias AND their Chinese forms are related
      (subsequence, or a common substring of >= 2 characters): 上汽 / 上汽集团 via SAIC,
  (c) they are places differing only by an administrative suffix or a leading parent place
      (上海嘉定 = 嘉定区),
  (d) both their Chinese and a Korean alias differ by one swap of two adjacent pieces: the
      copy-paste typo 쥐량슈수안(巨量数算) for 쥐량수안슈(巨量算数),
  (e) they carry the same bracket and Korean form and their Korean naming suffixes differ only at
      the end (즈우(摯物)AIoT 산업연구소 / AIoT 산업연구원).
A shared Korean form alone never joins: 산시 is both 陕西 and 山西.
"""
from __future__ import annotations

import hashlib
import unicodedata
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from functools import lru_cache
from importlib.resources import files
from typing import Iterable, Mapping, Sequence

from glossary.translit import reading
from glossary.scripts import has_han, has_hangul, is_latin
from glossary.variants import to_simplified, to_traditional

LANGS = ("ko", "zh-Hans", "zh-Hant", "en", "pinyin")
STATUSES = ("preferred", "admitted", "deprecated")
ORIGINS = ("attested", "curated", "generated")
# Vote order when kinds tie; 'other' only wins when nothing else was said.
KINDS = ("place", "org", "person", "product", "event", "doc", "term", "other")


# ---------------------------------------------------------------- normalization


def clean(text: str | None) -> str | None:
    """Whitespace runs to one space, stripped; empty -> None."""
    if text is None:
        return None
    text = " ".join(text.split())
    return text or None


def zh_lang(text: str) -> str:
    return "zh-Hans" if to_simplified(text) == text else "zh-Hant"


def lang_of(text: str) -> str:
    """Script decides the language of a form: a Latin 'ko' side (SAIC, CATL) is an 'en' alias."""
    if has_hangul(text):
        return "ko"
    if has_han(text):
        return zh_lang(text)
    return "en"


def fold_zh(text: str) -> str:
    return "".join(to_simplified(text).split())


def fold(text: str, lang: str | None = None) -> str:
    """The lookup key of an alias: zh folded to simplified; others NFKC + casefold; no spaces either way."""
    lang = lang or lang_of(text)
    if lang.startswith("zh"):
        return fold_zh(text)
    return "".join(unicodedata.normalize("NFKC", text).casefold().split())


def entity_id_for(key: str, salt: int = 0) -> str:
    """Deterministic id of a new entity; salt only moves it off an id already taken."""
    data = key if salt == 0 else f"{key}#{salt}"
    return "e" + hashlib.sha1(data.encode("utf-8")).hexdigest()[:10]


# ---------------------------------------------------------------- affix data


@dataclass(frozen=True)
class _Affixes:
    zh_suffix: tuple[str, ...]          # longest first
    zh_parent_suffix: tuple[str, ...]
    zh_parent: frozenset[str]
    ko_same_entity: frozenset[str]      # ko_suffix, folded: the whole suffix only repeats the level
    ko_body: tuple[str, ...]            # ko_body, folded: a suffix ending in one names an organ of the place


@lru_cache(maxsize=1)
def _affixes() -> _Affixes:
    roles: dict[str, list[str]] = defaultdict(list)
    text = files("glossary").joinpath("data/place_affixes.tsv").read_text("utf-8")
    for line in text.splitlines():
        if line.strip() and not line.startswith("#"):
            role, form = line.split("\t")[:2]
            roles[role].append(form.strip())
    def by_length(forms: list[str]) -> tuple[str, ...]:
        return tuple(sorted(set(forms), key=lambda f: (-len(f), f)))  # longest match must win: 自治区 before 区

    return _Affixes(
        zh_suffix=by_length(roles["zh_suffix"]),
        zh_parent_suffix=by_length(roles["zh_parent_suffix"]),
        zh_parent=frozenset(roles["zh_parent"]),
        ko_same_entity=frozenset(fold(f, "ko") for f in roles["ko_suffix"]),
        ko_body=tuple(fold(f, "ko") for f in roles["ko_body"]),
    )


def naming_suffix(suffix_after: str | None) -> str | None:
    """The suffix if it makes a different entity (장쑤(江苏)대학), None if it keeps the bracket's (장쑤(江蘇)성)."""
    suffix = clean(suffix_after)
    if suffix is None:
        return None
    folded, aff = fold(suffix, "ko"), _affixes()
    if folded in aff.ko_same_entity or folded.endswith(aff.ko_body):
        return None  # 허페이(合肥) 국가첨단기술산업개발구, 장닝(江宁)경제기술개발구관리위원회: still the place
    return suffix


def strip_suffix(key: str, suffixes: Iterable[str]) -> str:
    """key without the first of suffixes it ends in, if at least two characters remain."""
    for s in suffixes:
        if key.endswith(s) and len(key) - len(s) >= 2:
            return key[: -len(s)]
    return key


def place_stem(key: str, parents: Iterable[str] = ()) -> str:
    """上海市嘉定区 -> 嘉定; 嘉定区 -> 嘉定; 上海嘉定氢能港 -> 嘉定氢能港 (one parent level only)."""
    return _stem(key, _parent_heads(parents))


def _parent_heads(parents: Iterable[str]) -> tuple[str, ...]:
    """Every way a parent can be written at the start of a name (上海市, 上海), longest first."""
    aff = _affixes()
    names = set(parents) | aff.zh_parent
    heads = {p + s for p in names for s in aff.zh_parent_suffix} | names
    return tuple(sorted(heads, key=lambda h: (-len(h), h)))


def _stem(key: str, heads: tuple[str, ...]) -> str:
    suffixes = _affixes().zh_suffix
    stem = strip_suffix(key, suffixes)
    for head in heads:
        if stem.startswith(head) and len(stem) - len(head) >= 2:
            return strip_suffix(stem[len(head):], suffixes)
    return stem


# ---------------------------------------------------------------- inputs


@dataclass(frozen=True)
class CuratedEntry:
    """One row of data/curated/*.csv: hand-reviewed, so it outranks corpus frequency."""

    kind: str
    zh: str
    ko: str | None = None
    zh_other: tuple[str, ...] = ()
    ko_other: tuple[str, ...] = ()
    en: tuple[str, ...] = ()
    source: str = ""  # file:line, for messages


Ref = tuple[str, str]  # (lang, text)


@dataclass(frozen=True)
class MentionForms:
    """What one pair contributes: its node key and the alias each side of it names."""

    key: str
    ko: Ref | None
    zh: Ref
    en: Ref | None
    others: tuple[Ref, ...]
    complete: bool  # False when a naming suffix follows: the bracket is only part of the name
    base: tuple[str, str] | None = None  # (folded bracket zh, folded ko) under a naming suffix
    suffix: str | None = None            # the folded naming suffix


@lru_cache(maxsize=65536)  # corpora repeat the same names; relink computes forms twice
def mention_forms(ko: str | None, zh: str, en: str | None = None, suffix_after: str | None = None,
                  other_forms: tuple[str, ...] = ()) -> MentionForms:
    zh = clean(zh) or ""
    suffix = naming_suffix(suffix_after)
    ko, en = clean(ko), clean(en)
    if suffix:
        # 푸단(復旦)대학: the Korean name is 푸단대학; the Latin alias given (SF Express) names only
        # the bracket's entity, not this one, so it is dropped.
        ko = (ko or "") + suffix
        en = None
    others = tuple(
        (lang_of(o), o) for o in (clean(x) for x in other_forms)
        if o and not suffix and o not in (ko, en, zh)
    )
    folded_suffix = fold(suffix, "ko") if suffix else None
    key = fold_zh(zh) + (folded_suffix or "")
    return MentionForms(
        key=key,
        ko=(lang_of(ko), ko) if ko else None,
        zh=(zh_lang(zh), zh),
        en=(lang_of(en), en) if en else None,  # SAIC(上汽) with en SAIC: one alias, both refs
        others=others,
        complete=suffix is None,
        base=(fold_zh(zh), fold(ko[: -len(suffix)], "ko")) if suffix else None,
        suffix=folded_suffix,
    )


def forms_of(pair) -> MentionForms:
    """MentionForms of a glossary.pairs.Pair (or anything with the same attributes)."""
    return mention_forms(pair.ko, pair.zh, pair.en, pair.suffix_after, tuple(getattr(pair, "other_forms", ()) or ()))


# ---------------------------------------------------------------- output


@dataclass
class Alias:
    text: str
    lang: str
    status: str
    origin: str
    count: int = 0


@dataclass
class Entity:
    key: str
    kind: str
    ko: str | None
    zh: str | None
    en: str | None
    aliases: list[Alias]
    mentions: list[int] = field(default_factory=list)  # indices into the pairs given to link()
    curated: list[int] = field(default_factory=list)   # indices into the entries given to link()

    def signature(self) -> frozenset[tuple[str, str]]:
        return signature((a.lang, a.text) for a in self.aliases)


def signature(refs: Iterable[Ref]) -> frozenset[tuple[str, str]]:
    """Alias identity for id matching across builds: script variants of one zh count once."""
    return frozenset(("zh" if lang.startswith("zh") else lang, fold(text, lang)) for lang, text in refs)


def _rank(item: tuple[str, int]) -> tuple:
    text, count = item
    return (-count, -len(text), text)  # most frequent, then longest, then lexicographic


def best(counts: Mapping[str, int]) -> str | None:
    return min(counts.items(), key=_rank)[0] if counts else None


def denormalize(aliases: Iterable[Alias]) -> tuple[str | None, str | None, str | None]:
    """Entity ko/zh/en for fast reads: the preferred alias, else the best usable one."""
    usable = [a for a in aliases if a.status != "deprecated"]

    def pick(langs: tuple[str, ...]) -> str | None:
        for lang in langs:
            preferred = [a.text for a in usable if a.lang == lang and a.status == "preferred"]
            if preferred:
                return min(preferred)
        counts = {a.text: a.count for a in usable if a.lang in langs}
        return best(counts)

    zh = pick(("zh-Hans", "zh-Hant"))
    return pick(("ko",)), to_simplified(zh) if zh else None, pick(("en",))


def majority_kind(kinds: Iterable[str]) -> str:
    counts = Counter(k if k in KINDS else "other" for k in kinds)
    if len(counts) > 1:
        counts.pop("other", None)
    if not counts:
        return "other"
    return min(counts, key=lambda k: (-counts[k], KINDS.index(k)))


# ---------------------------------------------------------------- linking


def related(a: str, b: str) -> bool:
    """Chinese forms that can name one entity: 上燃动力 ⊂ 上海燃料电池汽车动力系统有限公司 as a subsequence,
    重塑科技 / 重塑能源集团 share 重塑."""
    short, long_ = sorted((a, b), key=len)
    if len(short) < 2:
        return False
    it = iter(long_)
    if all(c in it for c in short):
        return True
    bigrams = {short[i:i + 2] for i in range(len(short) - 1)}
    return any(long_[i:i + 2] in bigrams for i in range(len(long_) - 1))


def _joinable_alias(lang: str, text: str) -> str | None:
    """Folded Korean/Latin alias usable for rule (b); one letter is too weak a witness."""
    if lang.startswith("zh"):
        return None
    folded = fold(text, lang)
    if has_hangul(folded):
        return folded if len(folded) >= 2 else None
    return folded if sum(is_latin(c) for c in folded) >= 2 else None


class _Components:
    """Union-find over node keys that refuses to join two different curated entries."""

    def __init__(self, keys: Iterable[str], curated: Mapping[str, set[int]]):
        self.parent = {k: k for k in keys}
        self.curated = {k: set(curated.get(k, ())) for k in self.parent}

    def find(self, k: str) -> str:
        while self.parent[k] != k:
            self.parent[k] = self.parent[self.parent[k]]
            k = self.parent[k]
        return k

    def union(self, a: str, b: str, *, force: bool = False) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return
        ca, cb = self.curated[ra], self.curated[rb]
        if not force and ca and cb and ca != cb:
            return  # two hand-reviewed entries are distinct by definition
        ra, rb = min(ra, rb), max(ra, rb)  # smaller key is the root: order-independent result
        self.parent[rb] = ra
        self.curated[ra] = ca | cb


@dataclass
class _Node:
    mentions: list[int] = field(default_factory=list)
    curated: list[int] = field(default_factory=list)
    kinds: list[str] = field(default_factory=list)
    aliases: set[str] = field(default_factory=set)  # joinable folded Korean/Latin aliases
    suffixed: set[tuple[str, str, str]] = field(default_factory=set)  # (bracket zh, ko, naming suffix)


def _curated_refs(entry: CuratedEntry) -> list[tuple[Ref, str]]:
    """(lang, text) and status of each form of a curated entry."""
    refs: list[tuple[Ref, str]] = []
    zh = clean(entry.zh) or ""
    refs.append((("zh-Hans", to_simplified(zh)), "preferred"))
    if to_simplified(zh) != zh:
        refs.append(((zh_lang(zh), zh), "admitted"))
    if clean(entry.ko):
        refs.append(((lang_of(clean(entry.ko)), clean(entry.ko)), "preferred"))
    for form in (*entry.zh_other, *entry.ko_other, *entry.en):
        form = clean(form)
        if form:
            refs.append(((lang_of(form), form), "admitted"))
    return refs


def _curated_keys(entry: CuratedEntry) -> list[str]:
    keys = [fold_zh(entry.zh)]
    keys += [fold_zh(z) for z in entry.zh_other if has_han(z)]
    return list(dict.fromkeys(k for k in keys if k))


def link(pairs: Sequence, entries: Sequence[CuratedEntry] = ()) -> list[Entity]:
    """Group pairs (glossary.pairs.Pair-like) and curated entries into entities, sorted by key."""
    forms = [forms_of(p) for p in pairs]
    nodes: dict[str, _Node] = defaultdict(_Node)
    for i, (p, f) in enumerate(zip(pairs, forms)):
        if not f.key:
            continue
        node = nodes[f.key]
        node.mentions.append(i)
        node.kinds.append(p.kind)
        if f.base:
            node.suffixed.add((*f.base, f.suffix))
        for ref in (f.ko, f.en, *f.others):
            if ref and (a := _joinable_alias(*ref)):
                node.aliases.add(a)
    for j, entry in enumerate(entries):
        for key in _curated_keys(entry):
            node = nodes[key]
            node.curated.append(j)
            for (lang, text), _status in _curated_refs(entry):
                if a := _joinable_alias(lang, text):
                    node.aliases.add(a)

    comps = _Components(sorted(nodes), {k: set(n.curated) for k, n in nodes.items()})
    for j, entry in enumerate(entries):
        keys = _curated_keys(entry)
        for k in keys[1:]:
            comps.union(keys[0], k, force=True)

    _join_shared_aliases(nodes, comps)

    # (c) places equal up to administrative suffix / leading parent place.
    def node_kind(n: _Node) -> str:
        return entries[n.curated[0]].kind if n.curated else majority_kind(n.kinds)

    aff = _affixes()
    places = [k for k in sorted(nodes) if node_kind(nodes[k]) == "place"]
    parents = {strip_suffix(k, aff.zh_parent_suffix) for k in places
               if any(k.endswith(s) for s in aff.zh_parent_suffix)}
    heads = _parent_heads(parents)
    by_stem: dict[str, list[str]] = defaultdict(list)
    for k in places:
        by_stem[_stem(k, heads)].append(k)
    for stem in sorted(by_stem):
        for k in by_stem[stem][1:]:
            comps.union(by_stem[stem][0], k)

    _join_transpositions(nodes, comps)
    _join_suffix_variants(nodes, comps)

    groups: dict[str, list[str]] = defaultdict(list)
    for key in sorted(nodes):
        groups[comps.find(key)].append(key)
    entities = [_entity(keys, nodes, pairs, forms, entries) for keys in groups.values()]
    return sorted(entities, key=lambda e: e.key)


def _join_shared_aliases(nodes: Mapping[str, _Node], comps: _Components) -> None:
    """Rule (b). Nodes of one alias are kept in groups of one component each, so a popular alias whose
    nodes are already joined costs one comparison per node instead of one per pair."""
    by_alias: dict[str, list[str]] = defaultdict(list)
    for key in sorted(nodes):
        for a in nodes[key].aliases:
            by_alias[a].append(key)
    for a in sorted(by_alias):
        groups: list[list[str]] = []
        for key in by_alias[a]:
            merged, rest = [key], []
            for group in groups:
                if comps.find(group[0]) != comps.find(key) and any(related(key, k) for k in group):
                    comps.union(key, group[0])
                if comps.find(group[0]) == comps.find(key):
                    merged += group
                else:
                    rest.append(group)
            groups = rest + [merged]


def swapped(a: str, b: str, *, min_kept: int = 2) -> bool:
    """b is a with two adjacent pieces swapped (巨量算数 / 巨量数算), with at least min_kept characters
    left in place: 中华 / 华中 are two names, not a typo."""
    if len(a) != len(b) or a == b:
        return False
    head = 0
    while a[head] == b[head]:
        head += 1
    tail = 0
    while a[-1 - tail] == b[-1 - tail]:
        tail += 1
    mid_a, mid_b = a[head:len(a) - tail], b[head:len(b) - tail]
    return head + tail >= min_kept and mid_b in mid_a + mid_a


def _join_transpositions(nodes: Mapping[str, _Node], comps: _Components) -> None:
    by_letters: dict[str, list[str]] = defaultdict(list)
    for key in sorted(nodes):
        if len(key) >= 4 and all(has_han(c) for c in key):
            by_letters["".join(sorted(key))].append(key)
    for keys in by_letters.values():
        for x in range(len(keys)):
            for y in range(x + 1, len(keys)):
                a, b = nodes[keys[x]], nodes[keys[y]]
                if swapped(keys[x], keys[y]) and any(
                    p == q or swapped(p, q) for p in sorted(a.aliases) for q in sorted(b.aliases)
                ):
                    comps.union(keys[x], keys[y])


def _join_suffix_variants(nodes: Mapping[str, _Node], comps: _Components, *, shared: int = 4) -> None:
    """Translators vary the last word of a Korean naming suffix (연구소 / 연구원); a common start of
    `shared` characters, under the same bracket and Korean form, is the same name."""
    by_base: dict[tuple[str, str], list[tuple[str, str]]] = defaultdict(list)
    for key in sorted(nodes):
        for zh, ko, suffix in sorted(nodes[key].suffixed):
            by_base[(zh, ko)].append((suffix, key))
    for variants in by_base.values():
        for x in range(len(variants)):
            for y in range(x + 1, len(variants)):
                (s, k1), (t, k2) = variants[x], variants[y]
                common = next((n for n, (c, d) in enumerate(zip(s, t)) if c != d), min(len(s), len(t)))
                if common >= shared:
                    comps.union(k1, k2)


def _entity(keys: list[str], nodes: Mapping[str, _Node], pairs: Sequence, forms: Sequence[MentionForms],
            entries: Sequence[CuratedEntry]) -> Entity:
    mentions = sorted(i for k in keys for i in nodes[k].mentions)
    curated = sorted({j for k in keys for j in nodes[k].curated})

    seen: dict[Ref, set[int]] = {}       # attested alias -> mentions naming it
    origin: dict[Ref, str] = {}
    curated_status: dict[Ref, str] = {}
    for i in mentions:
        f = forms[i]
        for ref in (f.ko, f.zh, f.en):
            if ref:
                seen.setdefault(ref, set()).add(i)
                origin[ref] = "attested"
        for ref in f.others:
            seen.setdefault(ref, set())
            origin[ref] = "attested"
    for j in curated:
        for ref, status in _curated_refs(entries[j]):
            origin[ref] = "curated"
            if curated_status.get(ref) != "preferred":
                curated_status[ref] = status

    def add_generated(ref: Ref) -> None:
        origin.setdefault(ref, "generated")

    for lang, text in list(origin):
        if lang == "zh-Hant":
            add_generated(("zh-Hans", to_simplified(text)))

    if curated:
        kind = entries[curated[0]].kind
    else:
        kind = majority_kind(pairs[i].kind for i in mentions)

    # Preferred forms: curated first (first entry wins), else corpus frequency.
    preferred: dict[str, str] = {}
    for j in curated:
        for (lang, text), status in _curated_refs(entries[j]):
            if status == "preferred":
                preferred.setdefault(lang, text)
    if "zh-Hans" not in preferred:
        zh_counts = Counter(to_simplified(forms[i].zh[1]) for i in mentions if forms[i].complete)
        if zh_counts:
            preferred["zh-Hans"] = best(zh_counts)
            add_generated(("zh-Hans", preferred["zh-Hans"]))
    if "zh-Hans" in preferred:
        trad = to_traditional(preferred["zh-Hans"])
        if trad != preferred["zh-Hans"]:
            preferred["zh-Hant"] = trad
            add_generated(("zh-Hant", trad))
        # the reading kozh translit gives (surnames, dictionary words and names), so the card shows it
        marked = " ".join(reading(preferred["zh-Hans"], kind=kind))
        if marked:
            preferred["pinyin"] = marked  # stored so a translator's card needs no pinyin library at run time
            add_generated(("pinyin", marked))
    for lang in ("ko", "en"):
        if lang not in preferred:
            counts = {t: len(seen[(l, t)]) for (l, t) in seen if l == lang and seen[(l, t)]}
            if counts:
                preferred[lang] = best(counts)

    aliases = [
        Alias(text=text, lang=lang,
              status="preferred" if preferred.get(lang) == text else "admitted",
              origin=origin[(lang, text)], count=len(seen.get((lang, text), ())))
        for lang, text in origin
    ]
    aliases.sort(key=lambda a: (LANGS.index(a.lang), a.text))
    ko, zh, en = denormalize(aliases)
    key = fold_zh(preferred["zh-Hans"]) if "zh-Hans" in preferred else keys[0]
    return Entity(key=key, kind=kind, ko=ko, zh=zh, en=en, aliases=aliases, mentions=mentions, curated=curated)


# ---------------------------------------------------------------- stable ids


@dataclass(frozen=True)
class Previous:
    """An entity of the previous build, as far as id matching needs it."""

    id: str
    zh_key: str | None                      # folded preferred zh
    signature: frozenset[tuple[str, str]]


def assign_ids(entities: Sequence[Entity], previous: Sequence[Previous], *,
               taken: Iterable[str] = ()) -> tuple[list[str], dict[str, str]]:
    """Ids for entities: each keeps the previous id it overlaps most (one to one), the rest get fresh
    ids from their key. Returns (ids, redirects old -> new) for previous ids absorbed by a merge.

    An entity holding an old entity's preferred zh outranks one that merely shares more aliases, so
    the id of 上汽集团 stays with 上汽集团 even when the other side of a merge was bigger.
    `taken` are ids that must not be handed out (ids curation will recreate, redirect sources)."""
    sigs = [e.signature() for e in entities]
    owners: dict[tuple[str, str], list[int]] = defaultdict(list)
    for j, prev in enumerate(previous):
        for s in prev.signature:
            owners[s].append(j)
    scores: list[tuple[tuple, int, int]] = []
    for i, sig in enumerate(sigs):
        overlap = Counter(j for s in sig for j in owners.get(s, ()))
        for j, n in overlap.items():
            key_match = previous[j].zh_key is not None and ("zh", previous[j].zh_key) in sig
            scores.append(((-int(key_match), -n, entities[i].key, previous[j].id), i, j))
    scores.sort()

    ids: list[str | None] = [None] * len(entities)
    used_prev: set[int] = set()
    absorbed_by: dict[int, int] = {}
    for _rank_key, i, j in scores:
        absorbed_by.setdefault(j, i)  # best new home of each previous entity
        if ids[i] is None and j not in used_prev:
            ids[i] = previous[j].id
            used_prev.add(j)

    blocked = set(taken) | {i for i in ids if i}
    for i, e in enumerate(entities):
        if ids[i] is None:
            salt = 0
            while (candidate := entity_id_for(e.key, salt)) in blocked:
                salt += 1
            ids[i] = candidate
            blocked.add(candidate)
    redirects = {previous[j].id: ids[i] for j, i in absorbed_by.items() if j not in used_prev}
    return [i for i in ids if i], redirects
