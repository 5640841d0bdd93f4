"""Document consistency: does a text write every name one way, and the way the glossary prefers?

    from resolver.check import Checker, check_text, check_files
    checker = Checker(glossary)                 # compiles the automaton once
    findings = checker.check_documents([("a.txt", text_a), ("b.txt", text_b)])

Mentions come from resolver.mentions; the rules below turn them into findings. Each rule has an id,
switchable by parameter or in kozh.toml:

    [check]
    disable = ["misspelling"]
    enable = ["first-mention"]

  variant           on   one entity written in more than one Korean form across the checked files
                         (spacing aside); every occurrence of a minority form is a finding
  non-preferred     off  a form the glossary admits but does not prefer (house style)
  deprecated        on   a form the glossary marks deprecated
  misspelling       on   a near miss of a known Korean form: one letter (jamo) off, or in a long name one
                         syllable dropped, doubled or swapped; at least 3 syllables, never a known alias
  bracket-conflict  on   한국어(中文) whose Chinese belongs to another entity than the Korean: 샤오펑(蔚来)
  unknown-pair      on   a pair the glossary does not hold: a candidate for adding
  first-mention     off  the first mention of an entity in a document has no Chinese original in brackets
"""
from __future__ import annotations

import os
import re
from bisect import bisect_left
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Iterable, Sequence

from glossary.errors import KozhError
from glossary.scripts import is_han, is_hangul_syllable

from .mentions import (
    GENERATED, PART_PREFIX, UNLISTED, Glossary, Mention, MentionFinder, Scan, _endings, ending_ok, load_glossary,
    particles_only, squeeze, strip_place_suffix,
)

__all__ = [
    "RULES", "DEFAULT_RULES", "Finding", "Checker", "check_text", "check_files", "read_documents",
    "select_rules", "findings_to_json", "format_findings", "load_glossary",
]

RULES: dict[str, bool] = {   # id -> on by default
    "variant": True,
    "non-preferred": False,
    "deprecated": True,
    "misspelling": True,
    "bracket-conflict": True,
    "unknown-pair": True,
    "first-mention": False,
}
DEFAULT_RULES = frozenset(r for r, on in RULES.items() if on)
# which rule speaks when two flag the same span
_PRIORITY = {r: i for i, r in enumerate(("deprecated", "bracket-conflict", "misspelling", "variant", "non-preferred",
                                         "unknown-pair", "first-mention"))}
CONFIG_NAME = "kozh.toml"

MIN_MISSPELLING = 3        # syllables; shorter near misses are mostly other words
LONG_NAME = 6              # syllables from which a dropped, doubled or swapped syllable is a slip
MISSPELLING_ALONE = 5      # shorter near misses count only if their name is mentioned elsewhere
MAX_LOCATIONS = 6          # locations listed per form in a variant message


@dataclass
class Finding:
    file: str
    line: int
    col: int
    rule: str
    text: str
    entity_id: str | None
    suggestion: str | None
    message: str
    # for the HTML report and grouping; not part of the JSON contract
    start: int = field(default=0, repr=False, compare=False)
    end: int = field(default=0, repr=False, compare=False)
    entity: str = field(default="", repr=False, compare=False)


_JSON_KEYS = ("file", "line", "col", "rule", "text", "entity_id", "suggestion", "message")


def findings_to_json(finding: Finding) -> dict:
    """The `kozh check --json` object: exactly file, line, col, rule, text, entity_id, suggestion, message."""
    return {k: getattr(finding, k) for k in _JSON_KEYS}


# ---------------------------------------------------------------- rule selection


def _rule_list(value, where: str) -> list[str]:
    if isinstance(value, str):
        value = [v for v in re.split(r"[,\s]+", value) if v]
    if not isinstance(value, (list, tuple, set, frozenset)) or not all(isinstance(v, str) for v in value):
        raise KozhError(f"{where}: expected a list of rule ids")
    unknown = [v for v in value if v.lstrip("+-") not in RULES]
    if unknown:
        raise KozhError(f"{where}: unknown rule {', '.join(unknown)} (rules: {', '.join(RULES)})")
    return list(value)


def read_config(path: str | os.PathLike[str]) -> dict:
    """The [check] table of a kozh.toml: {'enable': [...], 'disable': [...]}."""
    try:
        import tomllib
    except ModuleNotFoundError:  # Python 3.10: the same parser as the tomli package
        import tomli as tomllib

    try:
        with open(path, "rb") as f:
            data = tomllib.load(f)
    except FileNotFoundError:
        raise KozhError(f"no config file {path}") from None
    except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError) as e:
        raise KozhError(f"{path}: cannot read config: {e}") from None
    table = data.get("check", {})
    if not isinstance(table, dict):
        raise KozhError(f"{path}: [check] must be a table")
    extra = set(table) - {"enable", "disable"}
    if extra:
        raise KozhError(f"{path}: unknown key in [check]: {', '.join(sorted(extra))} (keys: enable, disable)")
    return {k: _rule_list(table.get(k, []), f"{path}: [check] {k}") for k in ("enable", "disable")}


def find_config(start: str | os.PathLike[str] | None = None) -> Path | None:
    """kozh.toml in `start` (default: the working directory) or the nearest folder above it."""
    here = Path(start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        candidate = folder / CONFIG_NAME
        if candidate.is_file():
            return candidate
    return None


def select_rules(rules: str | Iterable[str] | None = None, *, enable: Iterable[str] = (),
                 disable: Iterable[str] = (), config: str | os.PathLike[str] | None = None) -> frozenset[str]:
    """The rules to run: the defaults, changed by the config file, then by the arguments.

    `rules` is either the exact set ("variant,misspelling" or a list) or changes written "+first-mention,
    -misspelling". Unknown ids are a KozhError that lists the valid ones.
    """
    selected = set(DEFAULT_RULES)
    if config is not None:
        table = read_config(config)
        selected |= set(table["enable"])
        selected -= set(table["disable"])
    if rules is not None:
        items = _rule_list(rules, "rules")
        changes = [r for r in items if r[:1] in "+-"]
        if changes and len(changes) != len(items):
            raise KozhError("rules: give either the rules to run or changes (+rule, -rule), not both")
        if changes:
            for r in changes:
                (selected.add if r[0] == "+" else selected.discard)(r[1:])
        else:
            selected = set(items)
    selected |= set(_rule_list(list(enable), "enable"))
    selected -= set(_rule_list(list(disable), "disable"))
    return frozenset(selected)


# ---------------------------------------------------------------- reading


def read_documents(paths: Iterable[str | os.PathLike[str]], *,
                   errors: list[tuple[str, str]] | None = None) -> list[tuple[str, str]]:
    """(path, text) for each readable path. An unreadable one (missing, binary, undecodable) raises a
    KozhError naming it, or, when `errors` is a list, is appended there as (path, reason) and skipped."""
    from glossary.text import TextError, read_text

    out = []
    for path in paths:
        try:
            out.append((str(path), read_text(path)))
        except TextError as e:
            if errors is None:
                raise KozhError(f"{path}: {e}") from None
            errors.append((str(path), str(e)))
    return out


# ---------------------------------------------------------------- the checker


@dataclass
class _Doc:
    file: str
    text: str
    scan: Scan
    lines: object = None

    def where(self, offset: int) -> tuple[int, int]:
        if self.lines is None:
            from glossary.text import LineIndex

            self.lines = LineIndex(self.text)
        return self.lines.line_col(offset)

    def lines_text(self, line: int) -> str:
        self.where(0)
        return self.lines.line_text(line)


class Checker:
    """A glossary compiled for checking: build once, check many documents."""

    def __init__(self, glossary: Glossary | Sequence[Sequence], *, rules: str | Iterable[str] | None = None,
                 parts: bool = True, generate: bool = True):
        self.glossary = glossary if isinstance(glossary, Glossary) else Glossary(glossary)
        self.rules = rules if isinstance(rules, frozenset) else select_rules(rules)
        self.finder = MentionFinder(self.glossary, parts=parts, generate=generate)
        self._near: _NearIndex | None = None
        self._generated: set[str] | None = None
        self._patterns: dict[str, int] | None = None
        self._words: dict[tuple[str, str], bool] = {}
        if "misspelling" in self.rules:   # compile now, not on the first document
            self._near = self._long_forms()
            _mandarin_syllables()

    # -- entry points

    def check_text(self, text: str, *, file: str = "<text>", rules=None) -> list[Finding]:
        return self.check_documents([(file, text)], rules=rules)

    def check_files(self, paths: Iterable[str | os.PathLike[str]], *, rules=None,
                    errors: list[tuple[str, str]] | None = None) -> list[Finding]:
        return self.check_documents(read_documents(paths, errors=errors), rules=rules)

    def check_documents(self, documents: Iterable[tuple[str, str]], *, rules=None) -> list[Finding]:
        """Findings over several documents at once: a variant is a name written two ways anywhere in them."""
        active = self.rules if rules is None else (rules if isinstance(rules, frozenset) else select_rules(rules))
        docs = [_Doc(name, text, self.finder.find(text)) for name, text in documents]
        resolved = [self._resolve(doc) for doc in docs]
        findings: list[Finding] = []
        if "variant" in active:
            findings += self._variants(docs, resolved)
        if active & {"non-preferred", "deprecated"}:
            findings += self._statuses(docs, resolved, active)
        if "misspelling" in active:
            findings += self._misspellings(docs, resolved)
        if active & {"bracket-conflict", "unknown-pair"}:
            findings += self._pairs(docs, active)
        if "first-mention" in active:
            findings += self._first_mentions(docs, resolved)
        slips = {(f.file, f.start) for f in findings if f.rule == "misspelling"}
        findings = [f for f in findings if not (f.rule in ("unknown-pair", "variant") and (f.file, f.start) in slips)]
        order = {doc.file: i for i, doc in enumerate(docs)}
        findings.sort(key=lambda f: (order.get(f.file, 0), f.start, f.end, _PRIORITY[f.rule]))
        # one finding per span: 영덕시대 deprecated is not also a variant of 닝더스다이
        return [f for i, f in enumerate(findings)
                if not (i and (f.file, f.start, f.end) == (findings[i - 1].file, findings[i - 1].start,
                                                          findings[i - 1].end))]

    # -- which entity a mention names

    def _rep(self, key: str) -> str:
        return self.glossary.same_name().get(key, key)

    def _resolve(self, doc: _Doc) -> list[tuple[Mention, str]]:
        """(mention, key) for every Korean mention (parts included) whose entity is clear: a form of one
        entity only, or glossed in the text, or one of several entities of which only one is named
        unambiguously elsewhere in the document."""
        plain: list[tuple[Mention, str | None]] = []
        sure: Counter = Counter()
        rep = self.glossary.same_name().get
        for m in doc.scan.all_mentions():
            if m.lang != "ko":
                continue
            if m.via == "alias" and not m.glossed and any(self._korean_word(k, m.form) for k in m.keys):
                continue
            if len(m.targets) == 1:
                key = m.targets[0][0]
                key = rep(key, key)
                sure[key] += 1
                plain.append((m, key))
                continue
            keys = {self._rep(k) for k in m.keys}
            if len(keys) > 1 and m.glossed:
                keys &= {self._rep(k) for k in self.finder.zh_targets(m.glossed)} or keys
            key = next(iter(keys)) if len(keys) == 1 else None
            if key:
                sure[key] += 1
            plain.append((m, key))
        out = []
        for m, key in plain:
            if key is None:
                named = [k for k in {self._rep(k) for k in m.keys} if sure[k]]
                if len(named) != 1:
                    continue
                key = named[0]
            out.append((m, key))
        return out

    def _base(self, form: str, parts: Sequence[tuple[Mention, str]] = (), start: int = 0) -> str:
        """What spellings are compared by: the form without a leading parent place or a trailing
        administrative suffix (상하이 지아딩구 -> 지아딩). `parts` are the mention's parts with their keys;
        without them the glossary's own decomposition of the form is used."""
        return self._split(form, parts, start)[1]

    def _split(self, form: str, parts: Sequence[tuple[Mention, str]] = (), start: int = 0) -> tuple[str, str, str]:
        """(parent place, base, administrative suffix) of a form: 상하이 | 지아딩 | 구."""
        head = 0
        if parts:
            for p, k in parts:
                if p.start == start and k in self.finder.parent_keys and len(p.form) < len(form):
                    head = max(head, len(p.form))
        else:
            for a, b, k in self.finder.decomposition.get(form, ()):
                if a == 0 and k in self.finder.parent_keys and b < len(form):
                    head = max(head, b)
        if len(strip_place_suffix(form[head:])) < 2 or form[head:] in _endings()[1]:
            head = 0   # 베이징|시 is 北京 with a suffix, not a parent place before a name
        base = strip_place_suffix(form[head:])
        return form[:head], base, form[head + len(base):]

    def _korean_word(self, key: str, form: str) -> bool:
        """A form that is also a Korean word: the two-syllable Sino-Korean reading of the name (무한 for
        武汉, 'infinite'; 신랑 for 新浪, 'groom'; 보이 for 普洱), or the translation of a common noun
        (자동차 for 汽车). Standing alone and unglossed it is not counted as a mention of the name
        (inside a compound, 신랑재경, it is)."""
        cache_key = (key, form)
        if cache_key not in self._words:
            from glossary.phonetics import sino_korean, translated_parts

            zh = self.finder.info(key).zh
            word = False
            if zh:
                word = form in {squeeze(r) for r in translated_parts().get(zh, ())}
                word = word or len(form) == 2 and squeeze(sino_korean(strip_place_suffix(zh, lang="zh"))) == form
            self._words[cache_key] = word
        return self._words[cache_key]

    def _label(self, key: str) -> str:
        return self.glossary.label(key)

    def _entity_id(self, key: str) -> str | None:
        return None if key.startswith(PART_PREFIX) else key

    def _status(self, m: Mention, key: str) -> str:
        for k, status in m.targets:
            if self._rep(k) == key:
                return status
        return UNLISTED

    def _finding(self, doc: _Doc, rule: str, start: int, end: int, text: str, key: str | None,
                 suggestion: str | None, message: str) -> Finding:
        line, col = doc.where(start)
        return Finding(doc.file, line, col, rule, text, self._entity_id(key) if key else None, suggestion,
                       message, start, end, self._label(key) if key else "")

    # -- variant

    def _preferred(self, key: str) -> tuple[str | None, str]:
        """(the glossary's Korean form for key without spaces, how it knows)."""
        entry = self.glossary.entries.get(key)
        if entry is not None:
            form = entry.preferred("ko")
            if form:
                return squeeze(form), "the glossary prefers"
        info = self.finder.keys.get(key)
        if info is not None and info.forms:
            standard = self.finder.standard(key)
            best = max(info.forms.items(), key=lambda kv: (kv[1], kv[0] == standard))
            return best[0], "the glossary's compound names write"
        return None, ""

    def _variants(self, docs: list[_Doc], resolved: list[list[tuple[Mention, str]]]) -> list[Finding]:
        uses: dict[str, dict[str, list[tuple[_Doc, Mention]]]] = defaultdict(lambda: defaultdict(list))
        inner: dict[int, list[tuple[Mention, str]]] = {}   # id(mention) -> parts inside it, with keys
        for doc, pairs in zip(docs, resolved):
            key_of = {id(m): key for m, key in pairs}
            for top in doc.scan.mentions:
                pieces = [(p, key_of[id(p)]) for p in top.parts if id(p) in key_of]
                for m in (top, *top.parts):
                    inner[id(m)] = [(p, k) for p, k in pieces if p is not m and m.start <= p.start
                                    and p.end <= m.end]
            for m, key in pairs:
                if any(is_hangul_syllable(c) for c in m.form):
                    uses[key][self._base(m.form, inner.get(id(m), ()), m.start)].append((doc, m))
        targets: dict[str, str] = {}
        preferred_of: dict[str, tuple[str | None, str]] = {}
        for key, forms in uses.items():
            if len(forms) < 2:
                continue
            preferred, how = preferred_of[key] = self._preferred(key)
            if preferred:
                preferred = self._base(preferred)
            # an abbreviation (과기부 for 과학기술부, 칭화대 for 칭화대학) is usage, not a second spelling
            # (a part cut out of a compound, 신량 in 신량자동차, is no abbreviation)
            for short in [f for f in forms if any(_abbreviates(f, g) for g in (*forms, preferred) if g)
                          and all(m.via != "part" for _, m in forms[f])]:
                forms.pop(short)
            if len(forms) < 2:
                continue
            standard = self.finder.standard(key)
            if preferred in forms:
                targets[key] = preferred
            else:
                targets[key] = max(forms, key=lambda f: (len(forms[f]), f == standard,
                                                          -min(m.start for _, m in forms[f])))

        parents = self.finder.parent_keys

        def normalized(doc: _Doc, m: Mention) -> str:
            """The form with every part inside it written its target way (자딩구 -> 지아딩구), without a
            leading parent place (상하이 지아딩수소에너지항 -> 지아딩수소에너지항)."""
            out, pos, heads = [], m.start, []
            for p, k in sorted(inner.get(id(m), ()), key=lambda pk: (pk[0].start, -pk[0].end)):
                if p.start == m.start and p.end < m.end and k in parents:
                    heads += [squeeze(p.text), targets.get(k, "")]
                if p.start < pos or k not in targets:
                    continue
                out += [doc.text[pos:p.start], targets[k]]
                pos = p.end
            out.append(doc.text[pos:m.end])
            form = squeeze("".join(out))
            for head in heads:
                if head and form.startswith(head) and len(form) > len(head):
                    form = form[len(head):]
                    break
            return strip_place_suffix(form)

        several = len(docs) > 1
        findings: list[Finding] = []
        for key, target in targets.items():
            forms = uses[key]
            # a name whose forms differ only inside a part that is itself written two ways (지아딩구안팅진 /
            # 자딩구 안팅진 differ only in 嘉定) is reported once, at the part
            if len({normalized(d, m) for occ in forms.values() for d, m in occ}) < 2:
                continue
            preferred, how = preferred_of[key]
            standard = self.finder.standard(key)
            listing = []
            for form, occ in sorted(forms.items(), key=lambda kv: (-len(kv[1]), kv[0])):
                places = [f"{d.file}:{d.where(m.start)[0]}" if several else str(d.where(m.start)[0])
                          for d, m in occ[:MAX_LOCATIONS]]
                more = f" +{len(occ) - MAX_LOCATIONS}" if len(occ) > MAX_LOCATIONS else ""
                word = "at" if several else "lines" if len(occ) > 1 else "line"
                written = Counter(m.text for _, m in occ).most_common(1)[0][0]
                listing.append(f"{written} ×{len(occ)} ({word} {', '.join(places)}{more})")
            note = f"; {how} {preferred}" if preferred else ""
            if standard and standard not in (preferred, target):
                note += f"; standard transliteration {standard}"
            aside = any(len({m.form for _, m in o}) > 1 for o in forms.values())
            message = (f"{self._label(key)} is written {len(forms)} ways"
                       f"{' (administrative suffixes aside)' if aside else ''}: {'; '.join(listing)}{note}")
            for form, occ in forms.items():
                # 신량왕 beside 신량 and 신랑: the longer name (新浪网) is 신량 + 왕, so it should be 신랑왕
                head = max((g for g in forms if g != form and len(g) >= 2 and form.startswith(g)), key=len,
                           default=None)
                if head == target:
                    continue
                for doc, m in occ:
                    if form != target and normalized(doc, m) != target:
                        parent, _, suffix = self._split(m.form, inner.get(id(m), ()), m.start)
                        suggestion = parent + (target + form[len(head):] if head else target) + suffix
                        findings.append(self._finding(doc, "variant", m.start, m.end, m.text, key, suggestion,
                                                      message))
        return findings

    # -- statuses

    def _statuses(self, docs, resolved, active) -> list[Finding]:
        findings = []
        for doc, pairs in zip(docs, resolved):
            for m, key in pairs:
                status = self._status(m, key)
                rule = {"deprecated": "deprecated", "admitted": "non-preferred"}.get(status)
                if rule not in active:
                    continue
                preferred, _ = self._preferred(key)
                if preferred is None or preferred == m.form:
                    continue
                shown = self.glossary.entries[key].preferred("ko") if key in self.glossary.entries else preferred
                what = "deprecated" if rule == "deprecated" else "admitted but not preferred"
                findings.append(self._finding(
                    doc, rule, m.start, m.end, m.text, key, shown,
                    f"{m.text} is {what} for {self._label(key)}: write {shown}"))
        return findings

    # -- misspelling

    def _misspellings(self, docs, resolved) -> list[Finding]:
        if self._near is None:
            self._near = self._long_forms()
        known = self.glossary.ko_index
        long_memo: dict[str, tuple | None] = {}
        findings = []
        for doc, pairs in zip(docs, resolved):
            # a short name's near miss counts only in a document that names it rightly too: elsewhere it is
            # mostly another word (사업부 is no slip for 사법부)
            mentioned = {key for _, key in pairs}
            local = _NearIndex({f: keys for key in mentioned for f in self._ko_forms(key)
                                if MIN_MISSPELLING <= len(f) < MISSPELLING_ALONE
                                for keys in [self._form_keys(f)]})
            memo: dict[str, tuple | None] = {}
            # a new spelling glossed with a known Chinese form (via "pair") may itself be the slip
            spans = [(m.start, m.end) for m in doc.scan.mentions if m.via != "pair"]
            starts = [s for s, _ in spans]
            for run in _HANGUL_RUN.finditer(doc.text):
                a, b = run.span()
                if b - a < MIN_MISSPELLING:
                    continue
                i = bisect_left(starts, b)
                covered = 0   # a mention at the start of the word may be the start of a misspelled compound
                if i and spans[i - 1][1] > a:
                    first = bisect_left(starts, a)
                    if first != i - 1 or starts[first] != a:
                        continue   # another name inside the word
                    covered = spans[first][1] - a
                    if ending_ok(doc.text[a + covered:b]):
                        continue   # the mention is the whole word: 차이나유니콤|의
                word = run.group()
                for stem in _stems(word):
                    if len(stem) < MIN_MISSPELLING or len(stem) <= covered or stem in known:
                        continue
                    if stem in memo:
                        hit = memo[stem]
                    else:
                        if stem not in long_memo:
                            long_memo[stem] = self._near.lookup(stem)
                        hit = memo[stem] = local.lookup(stem) or long_memo[stem]
                    if hit is None:
                        continue
                    form, keys, how = hit
                    keys = {self._rep(k) for k in keys}
                    key = sorted(keys)[0] if len(keys) == 1 else None
                    preferred = self._preferred(key)[0] if key else None
                    also = f" (the glossary prefers {preferred})" if preferred and preferred != form else ""
                    label = f" ({self._label(key)})" if key else ""
                    findings.append(self._finding(
                        doc, "misspelling", a, a + len(stem), stem, key, form,
                        f"{stem} looks like a misspelling of {form}{label}: {how}{also}"))
                    break
        return findings

    def _ko_forms(self, key: str) -> set[str]:
        """Every Korean form (without spaces) the checker knows for a key: aliases, part forms, standard."""
        out = set()
        entry = self.glossary.entries.get(key)
        if entry is not None:
            out |= {squeeze(k) for k, st in entry.ko.items() if st != "deprecated"}
        info = self.finder.keys.get(key)
        if info is not None:
            out |= set(info.forms)
        standard = self.finder.standard(key) if key in self._generated_keys() else None
        if standard:
            out.add(standard)
        return {f for f in out if f and all(is_hangul_syllable(c) for c in f)}

    def _generated_keys(self) -> set[str]:
        if self._generated is None:
            self._generated = {k for t in self.finder.targets for k, st in t if st == GENERATED}
        return self._generated

    def _form_keys(self, form: str) -> tuple[str, ...]:
        index = self._pattern_index().get(form)
        return tuple(k for k, st in self.finder.targets[index] if st != "deprecated") if index is not None else ()

    def _pattern_index(self) -> dict[str, int]:
        if self._patterns is None:
            self._patterns = {p: i for i, p in enumerate(self.finder.patterns)}
        return self._patterns

    def _long_forms(self) -> "_NearIndex":
        """The glossary-wide index of long Korean forms: a slip in a long name needs no other mention."""
        finder = self.finder
        forms = {}
        for index, pattern in enumerate(finder.patterns):
            if finder.langs[index] == "ko" and len(pattern) >= MISSPELLING_ALONE \
                    and all(is_hangul_syllable(c) for c in pattern):
                keys = tuple(k for k, st in finder.targets[index] if st != "deprecated")
                if keys:
                    forms[pattern] = keys
        return _NearIndex(forms)

    # -- pairs

    def _pairs(self, docs, active) -> list[Finding]:
        findings = []
        for doc in docs:
            for g in doc.scan.glosses:
                ko_keys = {self._rep(k) for k in g.ko_keys}
                zh_keys = {self._rep(k) for k in g.zh_keys}
                if g.mention is not None:
                    ko_keys |= {self._rep(k) for p in g.mention.parts if p.end == g.mention.end for k in p.keys}
                if ko_keys & zh_keys:
                    continue
                pair = f"{g.ko}({g.zh})"
                if ko_keys and zh_keys:
                    if "bracket-conflict" not in active:
                        continue
                    ko_names = ", ".join(sorted(self._label(k) for k in ko_keys))
                    zh_key = sorted(zh_keys)[0]
                    zh_ko = self._preferred(zh_key)[0]
                    right_zh = self._zh_of(sorted(ko_keys)[0])
                    suggestion = f"{g.ko}({right_zh})" if right_zh else (f"{zh_ko}({g.zh})" if zh_ko else None)
                    message = (f"{pair}: the Korean {g.ko} names {ko_names}, but {g.zh} is another entry"
                               + (f" (written {zh_ko} in Korean)" if zh_ko else ""))
                    findings.append(self._finding(doc, "bracket-conflict", g.start, g.close, pair,
                                                  sorted(ko_keys)[0], suggestion, message))
                    continue
                if "unknown-pair" not in active:
                    continue
                if zh_keys:
                    key = sorted(zh_keys)[0]
                    preferred = self._preferred(key)[0]
                    message = (f"{pair}: new Korean form {g.ko} for {self._label(key)}"
                               + (f" (the glossary writes {preferred})" if preferred else ""))
                    findings.append(self._finding(doc, "unknown-pair", g.start, g.close, pair, key, preferred,
                                                  message))
                elif ko_keys:
                    key = sorted(ko_keys)[0]
                    known = self._zh_of(key)
                    message = (f"{pair}: the glossary knows {g.ko} as {known or self._label(key)}, "
                               f"not as {g.zh}: a candidate Chinese form to add")
                    findings.append(self._finding(doc, "unknown-pair", g.start, g.close, pair, key, None, message))
                else:
                    findings.append(self._finding(doc, "unknown-pair", g.start, g.close, pair, None, None,
                                                  f"{pair} is not in the glossary: a candidate for adding"))
        return findings

    def _zh_of(self, key: str) -> str | None:
        entry = self.glossary.entries.get(key)
        if entry is not None:
            return entry.preferred("zh")
        info = self.finder.keys.get(key)
        return info.zh if info else None

    # -- first mention

    def _first_mentions(self, docs, resolved) -> list[Finding]:
        findings = []
        for doc, pairs in zip(docs, resolved):
            seen: set[str] = set()
            for m, key in pairs:
                if key in seen or m.via == "part" or key not in self.glossary.entries:
                    continue
                if not m.glossed and _heading(doc, m.start):
                    continue   # a title or a table-of-contents entry is no place for a gloss
                seen.add(key)
                zh = self._zh_of(key)
                if m.glossed or not zh:
                    continue
                later = next((d for d, k in pairs if k == key and d.glossed), None)
                when = f" (it is glossed later, on line {doc.where(later.start)[0]})" if later else ""
                findings.append(self._finding(
                    doc, "first-mention", m.start, m.end, m.text, key, f"{m.text}({zh})",
                    f"first mention of {self._label(key)} has no Chinese original: write {m.text}({zh}){when}"))
        return findings


_HANGUL_RUN = re.compile("[\uac00-\ud7a3]+")


_SENTENCE_END = tuple('.!?。…"\'”’')


def _heading(doc: _Doc, offset: int) -> bool:
    """A markdown heading, or a short line that is no sentence (【지역분석】 상하이 지아딩 수소에너지항<TAB>P24)."""
    line = doc.lines_text(doc.where(offset)[0]).strip()
    return line.startswith("#") or (len(line) <= 60 and not line.endswith(_SENTENCE_END))


def _abbreviates(short: str, long: str) -> bool:
    """과기부 for 과학기술부, 칭화대 for 칭화대학: the same start, a subsequence, at most 4/5 of the length."""
    if short == long or len(short) < 2 or len(short) * 5 > len(long) * 4 or short[0] != long[0]:
        return False
    rest = iter(long)
    return all(c in rest for c in short)


@lru_cache(maxsize=65536)
def _stems(word: str) -> tuple[str, ...]:
    """The word, and the word without the longest particles or endings it ends in (증관촌에서 -> 증관촌)."""
    for k in range(min(4, len(word) - 1), 0, -1):
        if particles_only(word[-k:]):
            return (word, word[:-k])
    return (word,)


# ---------------------------------------------------------------- near misses


class _NearIndex:
    """Blocked candidate search for misspellings: every form is indexed under itself with one syllable
    masked (a substitution meets it there); a long form also under itself with one syllable dropped
    (a dropped or doubled syllable meets it there)."""

    def __init__(self, forms: dict[str, tuple[str, ...]]):
        self.forms = forms                      # form -> keys it names
        self.masked: dict[str, str | list[str]] = {}
        self.dropped: dict[str, str | list[str]] = {}
        self.lengths = {len(f) for f in forms}
        for form in forms:
            for i in range(len(form)):
                _put(self.masked, form[:i] + "*" + form[i + 1:], form)
            if len(form) >= LONG_NAME:
                for i in range(len(form)):
                    _put(self.dropped, form[:i] + form[i + 1:], form)

    def lookup(self, word: str) -> tuple[str, tuple[str, ...], str] | None:
        """(known form, its keys, how the word differs) for a near miss, or None.

        A one-letter difference in a short name counts only if the letter makes a syllable Mandarin
        does not have (증관촌 for 중관촌): 후베이 (湖北) next to 허베이 (河北) is another name, not a slip."""
        n = len(word)
        last = n - 1
        if n in self.lengths:
            for i in range(n):
                for form in _get(self.masked, word[:i] + "*" + word[i + 1:]):
                    if i == last and ending_ok(word[i]):
                        continue   # 위안의 is 위안 + 의, not a slip for 위안이
                    how = _one_letter(word[i], form[i])
                    if how and (n >= LONG_NAME or "same sound" in how or word[i] not in _mandarin_syllables()):
                        return form, self.forms[form], how
        suffixes = _endings()[1]
        # a syllable dropped or added inside the name; at either end it is another word (이공대 for
        # 이공대학, 대학교 for 대학) or a particle
        if n + 1 >= LONG_NAME and n + 1 in self.lengths:
            for form in _get(self.dropped, word):   # the word lacks a syllable of the form
                i = next((i for i in range(n) if form[i] != word[i]), n)
                if 0 < i < n and form[i] not in suffixes:
                    return form, self.forms[form], f"the syllable {form[i]} is missing"
        if n - 1 >= LONG_NAME and n - 1 in self.lengths:
            for i in range(1, n - 1):
                shorter = word[:i] + word[i + 1:]
                if shorter in self.forms and word[i] not in suffixes:   # 상하이시지아딩: 시 is a suffix
                    doubled = i > 0 and word[i] == word[i - 1] or i + 1 < n and word[i] == word[i + 1]
                    return shorter, self.forms[shorter], "a syllable is doubled" if doubled \
                        else f"an extra syllable {word[i]}"
        if n >= 4 and n in self.lengths:
            for i in range(len(word) - 1):
                swapped = word[:i] + word[i + 1] + word[i] + word[i + 2:]
                if swapped != word and swapped in self.forms:
                    return swapped, self.forms[swapped], f"{word[i]}{word[i + 1]} swapped"
        return None


def _put(table: dict, key: str, form: str) -> None:
    old = table.get(key)
    if old is None:
        table[key] = form
    elif isinstance(old, str):
        if old != form:
            table[key] = [old, form]
    elif form not in old:
        old.append(form)


def _get(table: dict, key: str) -> list[str] | tuple[str, ...]:
    found = table.get(key)
    return () if found is None else (found,) if isinstance(found, str) else found


@lru_cache(maxsize=1)
def _mandarin_syllables() -> frozenset[str]:
    """Hangul syllables the standard transliteration of Mandarin uses (중, 후, 징; not 증)."""
    from importlib.resources import files

    from glossary.phonetics import char_pinyin, pinyin_to_hangul

    text = files("glossary").joinpath("data/common_chars.txt").read_text("utf-8")
    out = set()
    for ch in text:
        if is_han(ch):
            for syllable in char_pinyin(ch):
                out.update(pinyin_to_hangul(syllable) or "")
    return frozenset(out)


def _one_letter(a: str, b: str) -> str | None:
    """How two syllables differ if by one jamo (증/중: ㅡ for ㅜ), or by spelling only (쟈/자)."""
    from glossary.phonetics import decompose, phonetic_key

    if a == b or not (is_hangul_syllable(a) and is_hangul_syllable(b)):
        return None
    x, y = decompose(a), decompose(b)
    diffs = [(p, q) for p, q in zip(x, y) if p != q]
    if len(diffs) == 1:
        p, q = diffs[0]
        return f"{a} for {b} ({p or '∅'} for {q or '∅'})"
    if phonetic_key(a) == phonetic_key(b):
        return f"{a} for {b} (same sound)"
    return None


# ---------------------------------------------------------------- functions


def _checker(glossary, rules) -> Checker:
    if isinstance(glossary, Checker):
        return glossary
    return Checker(glossary, rules=rules)


def check_text(text: str, *, glossary: Glossary | Checker | Sequence[Sequence], rules=None,
               file: str = "<text>") -> list[Finding]:
    """Findings for one text. Pass a Checker to reuse its automaton; a Glossary or rows build one."""
    checker = _checker(glossary, rules)
    return checker.check_text(text, file=file, rules=None if rules is None else select_rules(rules))


def check_files(paths: Iterable[str | os.PathLike[str]], *, db: str | os.PathLike[str] | None = None,
                glossary: Glossary | Checker | Sequence[Sequence] | None = None, rules=None,
                errors: list[tuple[str, str]] | None = None) -> list[Finding]:
    """Findings for files, checked together (a variant spans them). The glossary is `glossary`, else the
    database `db`, else $KOZH_DB or the shipped one. Unreadable files raise a KozhError naming the file,
    or go to `errors` as (path, reason) when it is a list."""
    if glossary is None:
        from glossary.shipped import default_db_path

        glossary = load_glossary(db if db is not None else default_db_path())
    checker = _checker(glossary, rules)
    return checker.check_files(paths, rules=None if rules is None else select_rules(rules), errors=errors)


def format_findings(findings: Sequence[Finding]) -> str:
    """The human format: `file:line:col: rule: message`, grouped by entity in order of first finding."""
    groups: dict[str, list[Finding]] = {}
    for f in findings:
        groups.setdefault(f.entity_id or f.entity or "", []).append(f)
    blocks = []
    for key, items in groups.items():
        head = items[0].entity or "(no entity)"
        if items[0].entity_id and items[0].entity_id != head:
            head += f" [{items[0].entity_id}]"
        lines = [f"{head}"]
        said: set[tuple[str, str]] = set()
        for f in items:
            # a variant's message describes the whole entity; say it once, then only where and what
            if (f.rule, f.message) in said:
                fix = f" -> {f.suggestion}" if f.suggestion and f.suggestion != f.text else ""
                lines.append(f"  {f.file}:{f.line}:{f.col}: {f.rule}: {f.text}{fix}")
            else:
                said.add((f.rule, f.message))
                lines.append(f"  {f.file}:{f.line}:{f.col}: {f.rule}: {f.message}")
        blocks.append("\n".join(lines))
    return "\n".join(blocks)
