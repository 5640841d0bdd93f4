"""CAT-tool interchange: export the glossary as TBX-Basic, CSV/TSV, OmegaT or JSON lines; import the same
formats (and TBX v2 <martif> files from older tools) back, merging into existing entities.

    export(db_path, fmt, out)          one entry per entity, every alias with its status
    import_file(db_path, path)         -> ImportReport; all or nothing, idempotent, survives `kozh build`

An import never writes aliases directly: it is a sequence of ordinary curation ops (add, alias_add,
alias_remove) applied and logged in one transaction, so the build's replay of the curation log
reproduces it. Formats live in glossary.tbx (XML) and glossary.tabular (CSV, TSV, OmegaT, JSONL);
this module is the database side and the shared entry model.
"""
from __future__ import annotations

import io
import os
import re
import sqlite3
import tempfile
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Sequence

from glossary import curation
from glossary.errors import KozhError
from glossary.link import KINDS, LANGS, STATUSES, entity_id_for, fold, fold_zh, zh_lang
from glossary.store import entity_aliases, live_id, open_db, transaction

FORMATS = ("tbx", "tbx2", "csv", "tsv", "jsonl", "omegat")
LAYOUTS = ("generic", "memoq", "trados")
DIRECTIONS = ("ko-zh", "zh-ko")
MAX_IMPORT_BYTES = 200 * 1024 * 1024  # checked before reading: a glossary is never this big
ZH = ("zh-Hans", "zh-Hant")
_STATUS_ORDER = {s: i for i, s in enumerate(STATUSES)}
_LANG_ORDER = {lang: i for i, lang in enumerate(LANGS)}
_KOZH_ID = re.compile(r"e[0-9a-f]{10}")

Match = Callable[[list[tuple[str, str]]], "str | None"]


# ---------------------------------------------------------------- the entry model


@dataclass
class Term:
    """One written form. status None means the file does not say (OmegaT, TBX without a status)."""
    text: str
    lang: str
    status: str | None = None
    origin: str | None = None
    count: int | None = None
    context: str | None = None    # a Korean mention snippet (export only, Korean terms only)
    line: int | None = None       # where the file has it (import only)
    reading: bool = False         # a form kept only so the resolver matches it (see is_reading)


@dataclass
class Entry:
    """One concept: an entity on export, a conceptEntry / row / line group on import."""
    terms: list[Term]
    id: str | None = None
    kind: str | None = None
    note: str | None = None
    line: int | None = None
    names: dict[str, str | None] = field(default_factory=dict)  # the entity's ko / zh / en (export only)


@dataclass
class ImportReport:
    path: str
    format: str
    entries: int = 0          # concepts read from the file
    created: int = 0          # new entities
    merged: int = 0           # existing entities that gained aliases or changed a status
    unchanged: int = 0        # existing entities the file had nothing new for
    ops: int = 0              # curation ops logged
    skipped: list[str] = field(default_factory=list)   # entries that could not be placed, with why
    warnings: list[str] = field(default_factory=list)  # things normalized on the way in
    ignored_langs: dict[str, int] = field(default_factory=dict)  # language tags we keep no aliases for


# ---------------------------------------------------------------- languages


_LANG_NAMES = {
    "ko": "ko", "kor": "ko", "korean": "ko", "한국어": "ko", "한국말": "ko", "조선어": "ko",
    "zh": "zh", "zho": "zh", "chi": "zh", "chinese": "zh", "中文": "zh", "汉语": "zh", "漢語": "zh", "중국어": "zh",
    "zh-hans": "zh-Hans", "simplified chinese": "zh-Hans", "chinese (prc)": "zh-Hans",
    "chinese (simplified, prc)": "zh-Hans", "chinese (taiwan)": "zh-Hant", "chinese (traditional, taiwan)": "zh-Hant", "chinese (simplified)": "zh-Hans", "简体中文": "zh-Hans",
    "简体": "zh-Hans",
    "zh-hant": "zh-Hant", "traditional chinese": "zh-Hant", "chinese (traditional)": "zh-Hant", "繁體中文": "zh-Hant",
    "繁體": "zh-Hant", "繁体": "zh-Hant",
    "en": "en", "eng": "en", "english": "en", "영어": "en", "英语": "en", "英語": "en",
    "pinyin": "pinyin", "zh-latn-pinyin": "pinyin", "zh-latn": "pinyin", "拼音": "pinyin", "병음": "pinyin",
}
_HANS_REGIONS = {"cn", "sg", "my"}
_HANT_REGIONS = {"tw", "hk", "mo"}


def lang_for_tag(tag: str | None) -> str | None:
    """A language tag or column name -> one of LANGS, "zh" (Chinese of unsaid script: decide per term
    with zh_lang), or None for a language the glossary has no aliases in (ja, de ...)."""
    if not tag:
        return None
    key = " ".join(tag.strip().replace("_", "-").lower().split())
    if key in _LANG_NAMES:
        return _LANG_NAMES[key]
    parts = key.split("-")
    if parts[0] in ("ko", "kor"):
        return "ko"
    if parts[0] in ("en", "eng"):
        return "en"
    if parts[0] in ("zh", "zho", "chi", "cmn"):
        rest = parts[1:]
        if "pinyin" in rest or "latn" in rest:
            return "pinyin"
        if "hans" in rest or any(r in _HANS_REGIONS for r in rest):
            return "zh-Hans"
        if "hant" in rest or any(r in _HANT_REGIONS for r in rest):
            return "zh-Hant"
        return "zh"
    return None


def term_lang(lang: str, text: str) -> str:
    """Resolve the "zh" of lang_for_tag by the term itself (OpenCC: already simplified -> zh-Hans)."""
    return zh_lang(text) if lang == "zh" else lang


def status_for(value: str | None) -> str | None:
    """TBX administrativeStatus values and plain words -> our status; '' -> None; unknown -> ValueError."""
    if value is None or not value.strip():
        return None
    v = value.strip().lower()
    if v in STATUSES:
        return v
    if v.startswith("preferred") or v.startswith("standardized"):
        return "preferred"
    if v.startswith("admitted"):
        return "admitted"
    if v.startswith(("deprecated", "superseded", "forbidden", "obsolete", "legal")) or v == "notrecommended":
        return "deprecated"
    raise ValueError(value)


# ---------------------------------------------------------------- ids


def xml_id(entity_id: str) -> str:
    """A valid xml:id (an NCName) for an entity id; decode_id turns it back. Our ids (e0123456789) pass
    unchanged; anything else gets the kozh- prefix with unsafe characters as _xx UTF-8 bytes."""
    if re.fullmatch(r"[A-Za-z][A-Za-z0-9._-]*", entity_id) and not entity_id.startswith("kozh-"):
        return entity_id
    out = []
    for ch in entity_id:
        if re.fullmatch(r"[A-Za-z0-9.-]", ch):
            out.append(ch)
        else:
            out.extend(f"_{b:02x}" for b in ch.encode("utf-8"))
    return "kozh-" + "".join(out)


def decode_id(value: str | None) -> str | None:
    if not value:
        return None
    if not value.startswith("kozh-"):
        return value
    body = value[len("kozh-"):]
    try:
        return re.sub(rb"_([0-9a-f]{2})", lambda m: bytes([int(m.group(1), 16)]),
                      body.encode("utf-8")).decode("utf-8")
    except UnicodeDecodeError:
        return value


# ---------------------------------------------------------------- export


def _reads_as_sino_korean(korean: str, zh_forms: Sequence[str]) -> bool:
    """Syllable by syllable a Sino-Korean reading of one of zh_forms (영덕시대 = 宁德时代)."""
    from glossary.phonetics import char_sino
    from glossary.scripts import is_han

    syllables = korean.replace(" ", "")
    for zh in zh_forms:
        chars = [c for c in zh if is_han(c)]
        if len(chars) == len(syllables) and all(s in char_sino(c) for s, c in zip(syllables, chars)):
            return True
    return False


def is_reading(term: Term, zh_forms: Sequence[str], preferred_ko: Sequence[str] = ()) -> bool:
    """A form the glossary keeps so that the resolver matches it, not one to offer as a translation:
    a Korean form nobody wrote (never seen in a document, not the preferred form) that is generated or
    a Sino-Korean reading of one of the entity's Chinese forms (비아적 for 比亚迪, 영덕시대 for 宁德时代).
    Where the standard (preferred) Korean form is itself a Sino-Korean reading, Korean names the entity
    by reading its characters, and its other readings are real Korean forms too (통전부 beside
    중국공산당 중앙통일전선공작부)."""
    if term.lang != "ko" or term.status == "preferred" or term.origin == "attested" or (term.count or 0) > 0:
        return False
    if term.origin == "generated":
        return True
    return _reads_as_sino_korean(term.text, zh_forms) and \
        not any(_reads_as_sino_korean(ko, zh_forms) for ko in preferred_ko)


def read_entries(conn: sqlite3.Connection) -> list[Entry]:
    """Every entity with its aliases (by language, preferred first, then by count) and, per Korean
    alias, the snippet of its best mention (snippets are Korean text: they illustrate Korean terms only)."""
    contexts: dict[int, str] = {}
    rows = conn.execute(
        """SELECT ko_alias_id, snippet FROM mentions m JOIN documents d ON d.id = m.document_id
           WHERE ko_alias_id IS NOT NULL ORDER BY m.score DESC, d.path, m.seq""")
    for alias_id, snippet in rows:
        contexts.setdefault(alias_id, snippet)
    terms: dict[str, list[Term]] = defaultdict(list)
    for alias_id, entity_id, text, lang, status, origin, count in conn.execute(
            "SELECT id, entity_id, text, lang, status, origin, count FROM aliases"):
        terms[entity_id].append(Term(text, lang, status, origin, count, contexts.get(alias_id)))
    entries = []
    for entity_id, kind, ko, zh, en in conn.execute("SELECT id, kind, ko, zh, en FROM entities ORDER BY id"):
        mine = sorted(terms.get(entity_id, []), key=lambda t: (
            _LANG_ORDER[t.lang], _STATUS_ORDER[t.status], -(t.count or 0), t.text))
        zh_forms = [t.text for t in mine if t.lang in ZH]
        preferred_ko = [t.text for t in mine if t.lang == "ko" and t.status == "preferred"]
        for t in mine:
            t.reading = is_reading(t, zh_forms, preferred_ko)
        entries.append(Entry(mine, id=entity_id, kind=kind, names={"ko": ko, "zh": zh, "en": en}))
    return entries


def offered(entry: Entry, include_readings: bool) -> Entry:
    """The entry as a CAT tool should see it: without matching-only readings unless asked for."""
    if include_readings:
        return entry
    return Entry([t for t in entry.terms if not t.reading], id=entry.id, kind=entry.kind, note=entry.note,
                 line=entry.line, names=entry.names)


def export(db_path: str | os.PathLike[str], fmt: str, out, *, bom: bool = False,
           direction: str = "ko-zh", layout: str = "generic", include_readings: bool = False) -> int:
    """Write the glossary at db_path to out (a path, written atomically, or a binary or text file object).

    fmt: tbx (TBX-Basic v3, DCT style), tbx2 (TBX-Basic 2008, TBX v2 <martif>, for OmegaT and older
    tools), csv, tsv (one row per entity, see glossary.tabular for `layout`: generic, memoq, trados),
    jsonl (one entity per line, every alias), omegat (source<TAB>target<TAB>comment in `direction`).
    Matching-only readings (is_reading) are left out of tbx, tbx2, csv, tsv and omegat unless
    include_readings; jsonl always has every alias. bom=True starts csv/tsv with a UTF-8 byte-order
    mark for Excel. Returns the number of entities written."""
    if fmt not in FORMATS:
        raise KozhError(f"unknown format {fmt!r}: use one of {', '.join(FORMATS)}")
    if bom and fmt not in ("csv", "tsv"):
        raise KozhError("a byte-order mark is only written for csv and tsv")
    if direction not in DIRECTIONS:
        raise KozhError(f"unknown direction {direction!r}: use ko-zh or zh-ko")
    if layout not in LAYOUTS:
        raise KozhError(f"unknown layout {layout!r}: use one of {', '.join(LAYOUTS)}")
    if layout != "generic" and fmt not in ("csv", "tsv"):
        raise KozhError("a layout only applies to csv and tsv")
    if include_readings and layout != "generic":
        raise KozhError(f"the {layout} layout has no status column to mark readings: "
                        "export readings with the generic layout, tbx or tbx2")
    db = open_db(db_path, write=False)
    try:
        entries = read_entries(db.conn)
    finally:
        db.close()
    if fmt != "jsonl":
        entries = [offered(e, include_readings) for e in entries]
    if fmt in ("tbx", "tbx2"):
        from glossary.tbx import write_tbx
        data = write_tbx(entries, version=3 if fmt == "tbx" else 2)
    else:
        from glossary import tabular
        if fmt in ("csv", "tsv"):
            text = tabular.write_table(entries, delimiter="," if fmt == "csv" else "\t", layout=layout)
            data = (("\ufeff" if bom else "") + text).encode("utf-8")
        elif fmt == "jsonl":
            data = tabular.write_jsonl(entries).encode("utf-8")
        else:
            data = tabular.write_omegat(entries, direction).encode("utf-8")
    _write_out(out, data)
    return len(entries)


def _write_out(out, data: bytes) -> None:
    if hasattr(out, "write"):
        out.write(data.decode("utf-8") if isinstance(out, io.TextIOBase) else data)
        return
    path = Path(out)
    if path.is_dir():
        raise KozhError(f"{path} is a directory")
    directory = path.parent if str(path.parent) else Path(".")
    try:
        # Temp file + rename: a failed export never leaves a truncated glossary where the old one was.
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=directory)
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(tmp, path)
    except OSError as e:
        raise KozhError(f"cannot write {path}: {e.strerror or e}") from None


# ---------------------------------------------------------------- reading a file


_EXTENSIONS = {".tbx": "tbx", ".xml": "tbx", ".csv": "csv", ".tsv": "tsv", ".tab": "tsv",
               ".jsonl": "jsonl", ".ndjson": "jsonl", ".utf8": "omegat"}


def _read_bytes(path: str | os.PathLike[str], limit: int) -> bytes:
    try:
        size = os.stat(path).st_size
        if os.path.isdir(path):
            raise KozhError(f"{path}: is a directory, not a glossary file")
        if size > limit:
            raise KozhError(f"{path}: file is {size:,} bytes, over the import limit of {limit / 2**20:g} MB")
        with open(path, "rb") as f:
            data = f.read(limit + 1)
    except FileNotFoundError:
        raise KozhError(f"{path}: no such file") from None
    except PermissionError:
        raise KozhError(f"{path}: permission denied") from None
    except OSError as e:
        raise KozhError(f"{path}: cannot read: {e.strerror or e}") from None
    if len(data) > limit:  # grew while we looked (a pipe, a file being written)
        raise KozhError(f"{path}: file is over the import limit of {limit / 2**20:g} MB")
    return data


def decode_text(data: bytes, name: str) -> str:
    from glossary.text import TextError, decode

    try:
        return decode(data)[0]
    except TextError as e:
        raise KozhError(f"{name}: {e}") from None


def guess_format(path: str | os.PathLike[str], data: bytes) -> str:
    """By extension, else by content: '<' TBX, '{' JSON lines, tabs with a known header TSV, other tabs
    OmegaT, else CSV."""
    ext = Path(path).suffix.lower()
    if ext in _EXTENSIONS:
        return _EXTENSIONS[ext]
    head = data[:65536]
    if head.startswith(b"\xef\xbb\xbf"):
        head = head[3:]
    elif head[:2] in (b"\xff\xfe", b"\xfe\xff"):  # UTF-16: good enough to sniff ASCII markers
        head = head[2:].replace(b"\x00", b"")
    stripped = head.lstrip()
    if stripped.startswith(b"<"):
        return "tbx"
    if stripped.startswith(b"{"):
        return "jsonl"
    first = next((line for line in head.splitlines() if line.strip() and not line.startswith(b"#")), b"")
    if b"\t" in first:
        from glossary.tabular import looks_like_header
        return "tsv" if looks_like_header(first.decode("utf-8", "replace").split("\t")) else "omegat"
    if b"," in first:
        return "csv"
    raise KozhError(f"{path}: cannot tell the format (not TBX, CSV, TSV, OmegaT or JSON lines): pass fmt=")


def read_file(path: str | os.PathLike[str], *, fmt: str | None = None, mapping: dict | None = None,
              limit: int | None = None) -> tuple[str, list[Entry], list[str], dict[str, int]]:
    """Parse a glossary file without touching a database: (format, entries, warnings, ignored
    language tags with their term counts)."""
    name = os.fspath(path)
    data = _read_bytes(path, MAX_IMPORT_BYTES if limit is None else limit)
    fmt = fmt or guess_format(path, data)
    if fmt not in FORMATS:
        raise KozhError(f"unknown format {fmt!r}: use one of {', '.join(FORMATS)}")
    if mapping is not None and fmt not in ("csv", "tsv"):
        raise KozhError("a column mapping only applies to csv and tsv files")
    warnings: list[str] = []
    ignored: dict[str, int] = {}
    if fmt in ("tbx", "tbx2"):
        from glossary.tbx import parse_tbx
        entries = parse_tbx(data, name, ignored)
    else:
        from glossary import tabular
        text = decode_text(data, name)
        if fmt in ("csv", "tsv"):
            entries = tabular.read_table(text, name, delimiter="," if fmt == "csv" else "\t",
                                         mapping=mapping, warnings=warnings)
        elif fmt == "jsonl":
            entries = tabular.read_jsonl(text, name, ignored)
        else:
            entries = tabular.read_omegat(text, name)
    return fmt, entries, warnings, ignored


# ---------------------------------------------------------------- import


def import_file(db_path: str | os.PathLike[str], path: str | os.PathLike[str], *, fmt: str | None = None,
                mapping: dict[str, str | None] | None = None, match: Match | None = None) -> ImportReport:
    """Merge a glossary file into the glossary at db_path; all of it or nothing.

    fmt: one of FORMATS, guessed from the extension or content when None. mapping: CSV/TSV header ->
    ko | zh-Hans | zh-Hant | zh | en | pinyin | id | kind | note | <lang>_status, or None to ignore a column.
    match(aliases) -> entity id | None places a concept the glossary already has under another name
    (the CLI passes the resolver). Each concept goes to, in order: the entity its id names (if that entity
    shares a form with it), an entity holding one of its Chinese forms (folded), match's answer, or a new
    entity. New aliases are origin 'curated'; statuses are taken from the file; nothing is removed from
    existing entities. Importing the same file again changes nothing."""
    name = os.fspath(path)
    fmt, entries, warnings, ignored = read_file(path, fmt=fmt, mapping=mapping)
    report = ImportReport(path=name, format=fmt, entries=len(entries), warnings=warnings, ignored_langs=ignored)
    db = open_db(db_path, write=True)
    try:
        with transaction(db) as conn:
            _Importer(conn, report, Path(name).name, match).run(entries)
    finally:
        db.close()
    return report


class _Importer:
    def __init__(self, conn: sqlite3.Connection, report: ImportReport, source: str, match: Match | None):
        self.conn, self.report, self.source, self.match = conn, report, source, match
        self.claimed: dict[str, str] = {}  # entity id -> file id of the entry that went there

    def run(self, entries: Sequence[Entry]) -> None:
        for entry in entries:
            self.entry(entry)

    def where(self, entry: Entry) -> str:
        return f"{self.source}:{entry.line}" if entry.line else self.source

    # ------------------------------------------------------------ one concept

    def entry(self, entry: Entry) -> None:
        terms = self.normalize(entry)
        if not terms:
            return
        ops_before = self.report.ops
        target = self.find(entry, terms)
        if target is None:
            zh = [t for t in terms if t.lang in ZH]
            if not zh:
                forms = ", ".join(t.text for t in terms[:3])
                self.report.skipped.append(f"{self.where(entry)}: {forms}: no Chinese form and no matching entity")
                return
            target = self.create(entry, zh)
            self.reconcile(target, terms, fresh=True, entry=entry)
            self.report.created += 1
        else:
            self.reconcile(target, terms, fresh=False, entry=entry)
            if self.report.ops > ops_before:
                self.report.merged += 1
            else:
                self.report.unchanged += 1
        if entry.id:
            self.claimed.setdefault(target, entry.id)

    def normalize(self, entry: Entry) -> list[Term]:
        """One term per (lang, text); at most one explicitly preferred term per language (TBX allows more,
        the glossary does not: later ones become admitted)."""
        seen: set[tuple[str, str]] = set()
        preferred: set[str] = set()
        out = []
        for t in entry.terms:
            if t.lang not in LANGS or not t.text or (t.lang, t.text) in seen:
                continue
            seen.add((t.lang, t.text))
            status = t.status
            if status == "preferred":
                if t.lang in preferred:
                    self.report.warnings.append(
                        f"{self.source}:{t.line or entry.line}: second preferred {t.lang} term {t.text!r} imported as admitted")
                    status = "admitted"
                preferred.add(t.lang)
            out.append(Term(t.text, t.lang, status, line=t.line))
        return out

    def shared(self, entity_id: str, terms: Sequence[Term]) -> int:
        keys = {(("zh" if t.lang in ZH else t.lang), fold(t.text, t.lang)) for t in terms}
        mine = {(("zh" if a.lang in ZH else a.lang), fold(a.text, a.lang)) for _, a in entity_aliases(self.conn, entity_id)}
        return len(keys & mine)

    def find(self, entry: Entry, terms: Sequence[Term]) -> str | None:
        conn = self.conn
        if entry.id and (found := live_id(conn, entry.id)) and self.shared(found, terms):
            return found
        zh_keys = sorted({fold_zh(t.text) for t in terms if t.lang in ZH})
        if zh_keys:
            holders = [r[0] for r in conn.execute(
                f"SELECT DISTINCT entity_id FROM aliases WHERE lang IN ('zh-Hans', 'zh-Hant') "
                f"AND folded IN ({', '.join('?' for _ in zh_keys)})", zh_keys)]
            # An entity another entry of this file (with another id) went to is a different concept
            # that happens to share a Chinese form (合肥 in 허페이시 and 허페이 하이테크 개발구).
            holders = [h for h in holders if not (entry.id and self.claimed.get(h, entry.id) != entry.id)]
            if holders:
                preferred_zh = {fold_zh(t.text) for t in terms if t.lang in ZH and t.status == "preferred"}

                def rank(h: str) -> tuple:
                    has_preferred = any(a.lang in ZH and fold_zh(a.text) in preferred_zh
                                        for _, a in entity_aliases(conn, h))
                    return (-self.shared(h, terms), not has_preferred, h)
                return min(holders, key=rank)
        if self.match is not None:
            answer = self.match([(t.text, t.lang) for t in terms])
            if answer and (found := live_id(conn, answer)):
                if not (entry.id and self.claimed.get(found, entry.id) != entry.id):
                    return found
        return None

    # ------------------------------------------------------------ writing through curation ops

    def op(self, name: str, args: dict, entry: Entry) -> str:
        args = dict(args, via=f"import {self.source}" + (f":{entry.line}" if entry.line else ""))
        self.report.ops += 1
        return curation.apply(self.conn, name, args)

    def free_id(self, entity_id: str | None) -> bool:
        from glossary.curation import created_ids

        if not entity_id or not _KOZH_ID.fullmatch(entity_id):
            return False
        return not self.conn.execute(
            "SELECT 1 FROM entities WHERE id = ? UNION SELECT 1 FROM redirects WHERE old_id = ?",
            (entity_id, entity_id)).fetchone() and entity_id not in created_ids(self.conn)

    def fresh_id(self, key: str) -> str:
        salt = 0
        while not self.free_id(candidate := entity_id_for(key, salt)):
            salt += 1
        return candidate

    def create(self, entry: Entry, zh: Sequence[Term]) -> str:
        """A new entity through the `add` op, named by a Chinese form no entity holds yet (add refuses a
        held one). When every form is held (two concepts sharing 和元生物), add is given a placeholder
        name unique to this entity, removed again by reconcile: the log then replays the same way."""
        kind = entry.kind if entry.kind in KINDS else "other"
        if entry.kind and entry.kind not in KINDS:
            self.report.warnings.append(f"{self.where(entry)}: kind {entry.kind!r} imported as 'other'")
        ordered = sorted(zh, key=lambda t: (t.status != "preferred", t.lang != "zh-Hans"))
        name = next((t.text for t in ordered if not self.conn.execute(
            "SELECT 1 FROM aliases WHERE lang IN ('zh-Hans', 'zh-Hant') AND folded = ?",
            (fold_zh(t.text),)).fetchone()), None)
        new_id = entry.id if self.free_id(entry.id) else self.fresh_id(fold_zh(name or ordered[0].text))
        if name is None:
            name = f"{ordered[0].text}〔{new_id}〕"
        else:
            # Named by its traditional form, add makes both script forms 'curated'; named by the
            # simplified one, it would add a 'generated' traditional form of its own.
            key = fold_zh(name)
            name = next((t.text for t in zh if t.lang == "zh-Hant" and fold_zh(t.text) == key), name)
        return self.op("add", {"id": new_id, "kind": kind, "zh": name, "ko": None, "en": None}, entry)

    def reconcile(self, entity: str, terms: Sequence[Term], *, fresh: bool, entry: Entry) -> None:
        conn = self.conn
        if fresh:  # what add made on its own (a generated traditional form, the placeholder) goes
            wanted = {(t.lang, t.text) for t in terms}
            extra = sorted({a.text for _, a in entity_aliases(conn, entity) if (a.lang, a.text) not in wanted})
            for text in extra:
                self.op("alias_remove", {"entity": entity, "text": text}, entry)
        explicit_preferred = {t.lang for t in terms if t.status == "preferred"}
        # Preferred last: setting it demotes the language's old preferred form, which must not undo it.
        for t in sorted(terms, key=lambda t: {"preferred": 2, None: 1}.get(t.status, 0)):
            current = dict(((a.lang, a.text), a.status) for _, a in entity_aliases(conn, entity))
            status = t.status
            if status is None:
                if (t.lang, t.text) in current:
                    continue  # the file does not say: an existing alias keeps its status
                has_preferred = t.lang in explicit_preferred or any(
                    lang == t.lang and s == "preferred" for (lang, _), s in current.items())
                status = "admitted" if has_preferred else "preferred"
            if current.get((t.lang, t.text)) == status:
                continue
            self.op("alias_add", {"entity": entity, "text": t.text, "lang": t.lang, "status": status}, entry)

