"""Line formats: CSV / TSV (one row per entity), OmegaT glossaries, JSON lines.

CSV/TSV layouts (`layout=`):
- generic: id, kind, ko, zh-Hans, zh-Hant, en, pinyin, note, then <lang>_status for each language.
  A language cell lists its forms separated by ';' (a literal ';' or '\\' is escaped with '\\'), the
  preferred form first. The status columns stay empty while a cell follows that rule (first preferred,
  the rest admitted); otherwise they list one status per form, in the cell's order. kozh reads them
  back, so nothing about status is lost.
- memoq: the column names of memoQ's own term base CSV (docs.memoq.com, "Term base in CSV format",
  WS API: entry-level columns Entry_ID, Entry_Subject, Entry_Note first, then one column per language
  named by the language; "If the file has column headers, memoQ will try to find the right field for
  every column", memoQ/memoQweb help, "Term base CSV import settings"). Alternatives of one language
  share its cell, preferred first, separated by ';': the character to give memoQ's "Split alternatives
  in field by" box (the same help page). Only usable terms are in the language columns; deprecated
  forms and the pinyin are in Entry_Note ("pinyin: huá wèi | do not use (ko): 닝더스다이"), which
  kozh reads back.
- trados: the same content under plain language and field names (Korean, Chinese (Simplified),
  Chinese (Traditional), English, Subject, Note, Entry ID), the header names MultiTerm Convert's
  spreadsheet wizard offers to map to index fields (languages) and descriptive fields.
In every layout a cell that a spreadsheet would run as a formula (starting with =, +, -, @, a tab or
a carriage return, OWASP "CSV injection") is written with a leading apostrophe, and so is a cell
already starting with one; reading strips that one apostrophe again.
Importing, headers are recognized by name (ko, Korean, ko-KR, zh-CN, Chinese, 中文, English, the
memoQ and Trados names above, ...; a Chinese column without a script decides per form with OpenCC)
or given by a mapping.

OmegaT: source<TAB>target<TAB>comment, one line per source form, the target's preferred form as target,
"kind id" as comment (read back to regroup the lines of one entity).
"""
from __future__ import annotations

import csv
import io
import json
import re
from typing import Iterable

from glossary.errors import KozhError
from glossary.interchange import Entry, Term, lang_for_tag, status_for, term_lang
from glossary.link import LANGS, STATUSES, clean, lang_of

COLUMNS = ["id", "kind", *LANGS, "note", *(f"{lang}_status" for lang in LANGS)]
_TERM_LANGS = ("ko", "zh-Hans", "zh-Hant", "en")  # pinyin is a reading of the Chinese, not a language
LAYOUT_HEADERS = {
    "memoq": {"id": "Entry_ID", "kind": "Entry_Subject", "note": "Entry_Note", "ko": "Korean",
              "zh-Hans": "Chinese (PRC)", "zh-Hant": "Chinese (Taiwan)", "en": "English"},
    "trados": {"ko": "Korean", "zh-Hans": "Chinese (Simplified)", "zh-Hant": "Chinese (Traditional)",
               "en": "English", "kind": "Subject", "note": "Note", "id": "Entry ID"},
}
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "'")
_NOTE_PINYIN = re.compile(r"pinyin: (.+)")
_NOTE_NO_PREFERRED = re.compile(r"no preferred form \(([\w-]+)\)")
_NOTE_DEPRECATED = re.compile(r"do not use \(([\w-]+)\): (.+)")
_TARGETS = {"id", "kind", "note", "zh", *LANGS, *(f"{lang}_status" for lang in (*LANGS, "zh"))}
_ID_NAMES = {"id", "entity", "entity id", "entity_id", "concept id", "conceptid", "concept", "entry_id", "entry id"}
_KIND_NAMES = {"kind", "subject", "subjectfield", "subject field", "domain", "category", "entry_subject"}
_NOTE_NAMES = {"note", "notes", "entry_note", "comment", "comments", "remark", "remarks", "context", "description", "definition"}
_SEPARATORS = (";", "；")
_OMEGAT_COMMENT = re.compile(r"(\S+)\s+(e[0-9a-f]{10})")


# ---------------------------------------------------------------- cells


def join_cell(texts: Iterable[str]) -> str:
    return "; ".join(t.replace("\\", "\\\\").replace(";", "\\;").replace("；", "\\；") for t in texts)


def split_cell(cell: str) -> list[str]:
    """'a; b\\;c' -> ['a', 'b;c']; empty items dropped."""
    items, current, chars = [], [], iter(cell)
    for ch in chars:
        if ch == "\\":
            current.append(next(chars, "\\"))
        elif ch in _SEPARATORS:
            items.append("".join(current))
            current = []
        else:
            current.append(ch)
    items.append("".join(current))
    return [c for item in items if (c := clean(item))]


def _default_statuses(terms: list[Term]) -> list[str]:
    return ["preferred" if i == 0 else "admitted" for i in range(len(terms))]


# ---------------------------------------------------------------- CSV / TSV


def escape_formula(cell: str) -> str:
    """'=1+1' -> "'=1+1": a spreadsheet shows the text instead of running it."""
    return "'" + cell if cell.startswith(_FORMULA_START) else cell


def unescape_formula(cell: str) -> str:
    return cell[1:] if cell.startswith("'") and cell[1:].startswith(_FORMULA_START) else cell


def write_table(entries: list[Entry], *, delimiter: str, layout: str = "generic") -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n" if delimiter == "," else "\n")
    rows = _generic_rows(entries) if layout == "generic" else _tool_rows(entries, LAYOUT_HEADERS[layout])
    for row in rows:
        writer.writerow([escape_formula(cell or "") for cell in row])
    return buffer.getvalue()


def _generic_rows(entries: list[Entry]):
    yield COLUMNS
    for entry in entries:
        by_lang = {lang: [t for t in entry.terms if t.lang == lang] for lang in LANGS}
        statuses = []
        for lang in LANGS:
            actual = [t.status for t in by_lang[lang]]
            statuses.append("" if actual == _default_statuses(by_lang[lang]) else "; ".join(actual))
        yield [entry.id, entry.kind, *(join_cell(t.text for t in by_lang[lang]) for lang in LANGS),
               entry.note or "", *statuses]


def _tool_rows(entries: list[Entry], headers: dict[str, str]):
    """One column per language with the usable forms (preferred first); the rest in the note."""
    order = list(headers)
    yield [headers[c] for c in order]
    for entry in entries:
        cells = {"id": entry.id, "kind": entry.kind}
        notes = []
        for lang in _TERM_LANGS:
            usable = [t for t in entry.terms if t.lang == lang and t.status != "deprecated"]
            cells[lang] = join_cell(t.text for t in usable)
            if usable and usable[0].status != "preferred":  # the cell's order cannot say this
                notes.append(f"no preferred form ({lang})")
        if pinyin := [t.text for t in entry.terms if t.lang == "pinyin"]:
            notes.append("pinyin: " + join_cell(pinyin))
        for lang in _TERM_LANGS:
            if dropped := [t.text for t in entry.terms if t.lang == lang and t.status == "deprecated"]:
                notes.append(f"do not use ({lang}): " + join_cell(dropped))
        cells["note"] = " | ".join(notes)
        yield [cells.get(c) for c in order]


def column_for(header: str) -> str | None:
    """A header cell -> the column it is, or None when unknown."""
    h = " ".join(header.strip().lower().split())
    if h in _ID_NAMES:
        return "id"
    if h in _KIND_NAMES:
        return "kind"
    if h in _NOTE_NAMES:
        return "note"
    if m := re.fullmatch(r"(.+?)[ _-]status", h):
        lang = lang_for_tag(m.group(1))
        return f"{lang}_status" if lang else None
    return lang_for_tag(h)


def looks_like_header(cells: list[str]) -> bool:
    return any(column_for(c) in (*LANGS, "zh") for c in cells)


def _columns(header: list[str], name: str, mapping: dict | None) -> list[str | None]:
    mapping = {k.strip(): v for k, v in (mapping or {}).items()}
    for target in mapping.values():
        if target is not None and target not in _TARGETS:
            raise KozhError(f"mapping target {target!r} is not a column: use one of "
                            f"{', '.join(sorted(_TARGETS))} or None to ignore a column")
    columns, unknown = [], []
    for cell in header:
        key = cell.strip()
        target = mapping[key] if key in mapping else column_for(key)
        if target is None and key not in mapping:
            unknown.append(cell)
        columns.append(target)
    if unknown:
        raise KozhError(f"{name}: line 1: unknown column(s) {', '.join(map(repr, unknown))}: name them ko, zh-Hans, "
                        "zh-Hant, zh, en, pinyin, id, kind, note or <lang>_status, or pass a mapping "
                        "such as {'Korean': 'ko', 'Remarks': None}")
    seen: dict[str, str] = {}
    for cell, target in zip(header, columns):
        if target is None:
            continue
        if target in seen:
            raise KozhError(f"{name}: line 1: columns {seen[target]!r} and {cell!r} are both {target}")
        seen[target] = cell
    if not any(c in (*LANGS, "zh") for c in columns):
        raise KozhError(f"{name}: line 1: no language column (ko, zh-Hans, zh-Hant, zh, en, pinyin) in header "
                        f"{', '.join(map(repr, header))}")
    return columns


def read_table(text: str, name: str, *, delimiter: str, mapping: dict | None = None,
               warnings: list[str] | None = None) -> list[Entry]:
    reader = csv.reader(io.StringIO(text), delimiter=delimiter, strict=True)
    entries: list[Entry] = []
    try:
        header = next(reader, None)
        if header is None:
            raise KozhError(f"{name}: empty file")
        columns = _columns(header, name, mapping)
        start = reader.line_num + 1
        for row in reader:
            line, start = start, reader.line_num + 1
            if not any(cell.strip() for cell in row):
                continue
            if len(row) != len(columns):
                raise KozhError(f"{name}: line {line}: expected {len(columns)} fields like the header, got {len(row)}")
            entry = _row_entry(dict(zip(columns, map(unescape_formula, row))), name, line)
            if entry.terms:
                entries.append(entry)
    except csv.Error as e:
        raise KozhError(f"{name}: line {reader.line_num}: bad {'CSV' if delimiter == ',' else 'TSV'}: {e}") from None
    return entries


def _row_entry(row: dict, name: str, line: int) -> Entry:
    entry = Entry([], id=clean(row.get("id") or ""), kind=clean(row.get("kind") or ""),
                  note=clean(row.get("note") or ""), line=line)
    for lang in (*LANGS, "zh"):
        cell = row.get(lang)
        if not cell:
            continue
        texts = split_cell(cell)
        raw = (row.get(f"{lang}_status") or "").strip()
        if raw:
            values = [v.strip() for v in raw.split(";")]
            if len(values) != len(texts):
                raise KozhError(f"{name}: line {line}: {lang}_status lists {len(values)} statuses for "
                                f"{len(texts)} {lang} forms")
            try:
                statuses = [status_for(v) or "admitted" for v in values]
            except ValueError as e:
                raise KozhError(f"{name}: line {line}: unknown status {e.args[0]!r} "
                                f"(use {', '.join(STATUSES)})") from None
        else:  # first form of each (resolved) language preferred
            statuses, firsts = [], set()
            for text in texts:
                resolved = term_lang(lang, text)
                statuses.append("admitted" if resolved in firsts else "preferred")
                firsts.add(resolved)
        entry.terms += [Term(text, term_lang(lang, text), status, line=line) for text, status in zip(texts, statuses)]
    _note_terms(entry, line)
    return entry


def _note_terms(entry: Entry, line: int) -> None:
    """The memoq / trados layouts' note: "pinyin: ... | do not use (ko): ..." back to terms."""
    if not entry.note:
        return
    parts = entry.note.split(" | ")
    found, admitted_only = [], set()
    for part in parts:
        if m := _NOTE_NO_PREFERRED.fullmatch(part):
            admitted_only.add(m.group(1))
        elif m := _NOTE_PINYIN.fullmatch(part):
            found += [Term(t, "pinyin", "preferred" if i == 0 else "admitted", line=line)
                      for i, t in enumerate(split_cell(m.group(1)))]
        elif (m := _NOTE_DEPRECATED.fullmatch(part)) and m.group(1) in LANGS:
            found += [Term(t, m.group(1), "deprecated", line=line) for t in split_cell(m.group(2))]
        else:
            return  # a note of the file's own: kept as it is, nothing read from it
    for t in entry.terms:
        if t.lang in admitted_only:
            t.status = "admitted"
    entry.terms += found
    entry.note = None


# ---------------------------------------------------------------- JSON lines


def write_jsonl(entries: list[Entry]) -> str:
    lines = []
    for e in entries:
        record = {"id": e.id, "kind": e.kind, **e.names,
                  "aliases": [{"text": t.text, "lang": t.lang, "status": t.status, "origin": t.origin,
                               "count": t.count} for t in e.terms]}
        lines.append(json.dumps(record, ensure_ascii=False) + "\n")
    return "".join(lines)


def read_jsonl(text: str, name: str, ignored: dict[str, int]) -> list[Entry]:
    entries = []
    for number, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as e:
            raise KozhError(f"{name}: line {number}: not JSON: {e.msg} (column {e.colno})") from None
        if not isinstance(record, dict) or not isinstance(record.get("aliases"), list):
            raise KozhError(f"{name}: line {number}: expected an object with an \"aliases\" list")
        entry = Entry([], id=_str(record.get("id")), kind=_str(record.get("kind")), line=number)
        for alias in record["aliases"]:
            if not isinstance(alias, dict) or not isinstance(alias.get("text"), str) \
                    or not isinstance(alias.get("lang"), str):
                raise KozhError(f"{name}: line {number}: every alias needs a text and a lang")
            text = clean(alias["text"])
            lang = alias["lang"] if alias["lang"] in LANGS else lang_for_tag(alias["lang"])
            if lang is None:
                ignored[alias["lang"]] = ignored.get(alias["lang"], 0) + 1
                continue
            status = alias.get("status")
            if status is not None and status not in STATUSES:
                raise KozhError(f"{name}: line {number}: unknown status {status!r} (use {', '.join(STATUSES)})")
            if text:
                entry.terms.append(Term(text, term_lang(lang, text), status, line=number))
        entries.append(entry)
    return entries


def _str(value) -> str | None:
    return clean(str(value)) if value is not None else None


# ---------------------------------------------------------------- OmegaT


def write_omegat(entries: list[Entry], direction: str) -> str:
    source_langs, target_langs = (("ko",), ("zh-Hans", "zh-Hant")) if direction == "ko-zh" else \
        (("zh-Hans", "zh-Hant"), ("ko",))
    lines = []
    for e in entries:
        usable = [t for t in e.terms if t.status != "deprecated"]
        targets = [t for t in usable if t.lang in target_langs]
        if not targets:
            continue
        # terms come by language, preferred first: zh-Hans preferred beats zh-Hant preferred
        target = next((t for t in targets if t.status == "preferred"), targets[0]).text
        for source in (t for t in usable if t.lang in source_langs):
            lines.append(f"{source.text}\t{target}\t{e.kind} {e.id}\n")
    return "".join(lines)


def read_omegat(text: str, name: str) -> list[Entry]:
    by_id: dict[str, Entry] = {}
    entries: list[Entry] = []
    for number, line in enumerate(text.split("\n"), start=1):
        if not line.strip() or line.startswith("#"):
            continue
        fields = line.split("\t")
        if len(fields) not in (2, 3) or not fields[0].strip() or not fields[1].strip():
            raise KozhError(f"{name}: line {number}: expected source<TAB>target<TAB>comment, got {len(fields)} field(s)")
        source, target = clean(fields[0]), clean(fields[1])
        comment = fields[2].strip() if len(fields) == 3 else ""
        terms = [Term(source, lang_of(source), line=number), Term(target, lang_of(target), line=number)]
        m = _OMEGAT_COMMENT.fullmatch(comment)
        if m and m.group(2) in by_id:
            by_id[m.group(2)].terms += terms
            continue
        entry = Entry(terms, id=m.group(2) if m else None, kind=m.group(1) if m else None,
                      note=comment or None, line=number)
        if m:
            by_id[m.group(2)] = entry
        entries.append(entry)
    return entries
