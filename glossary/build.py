"""Corpus -> pairs -> linked entities in the store.

    build(db_path, paths) reads every file (folders expanded, sorted), skips files whose bytes did not
    change, extracts pairs in worker processes, writes each document in its own transaction (so a
    killed build leaves a valid database the next build resumes), then relinks all entities from all
    mentions plus the curated reference CSVs, and replays the curation log.
"""
from __future__ import annotations

import csv
import hashlib
import json
import os
import re
import stat
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Callable, Iterable, Iterator, Sequence

from glossary import curation
from glossary.errors import KozhError
from glossary.link import KINDS, CuratedEntry, assign_ids, forms_of, link
from glossary.pairs import Pair
from glossary.scripts import has_han
from glossary.text import TextError
from glossary.store import (
    add_redirect, all_mentions, document_hashes, get_meta, open_db, previous_entities, put_alias,
    replace_document, set_meta, transaction,
)

# Bump when linking rules change: the next build relinks even if no document changed.
LINK_VERSION = "1"
CURATED_HEADER = ["kind", "zh", "zh_other", "ko", "ko_other", "en", "note"]
TEXT_SUFFIXES = {".txt", ".md"}
SNIPPET = 100
_SPACES = re.compile(r"\s+")


@dataclass
class BuildReport:
    files: int = 0                 # files considered
    added: int = 0                 # documents new to the database
    updated: int = 0               # documents whose content changed
    unchanged: int = 0             # skipped: same sha256 as stored
    mentions: int = 0              # pairs written by this build
    failed: list[tuple[str, str]] = field(default_factory=list)  # (path, message), skipped
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (path, why): in a folder, not a text file
    relinked: bool = False
    entities: int = 0
    curation_problems: list[str] = field(default_factory=list)   # ops that no longer apply


Progress = Callable[[int, int, str], None]  # (files done, files total, path just done)


# ---------------------------------------------------------------- inputs


def default_curated() -> list[Path]:
    """The shipped data/curated/*.csv."""
    from glossary.shipped import curated_files

    return curated_files()


def _split_cell(cell: str) -> tuple[str, ...]:
    return tuple(x.strip() for x in cell.replace("；", ";").split(";") if x.strip())


def read_curated(paths: Iterable[str | os.PathLike[str]]) -> list[CuratedEntry]:
    """Rows of the curated CSVs (header kind,zh,zh_other,ko,ko_other,en,note) as entries, in file order."""
    entries = []
    for path in paths:
        try:
            with open(path, encoding="utf-8-sig", newline="") as f:
                rows = list(enumerate(csv.reader(f), start=1))
        except OSError as e:
            raise KozhError(f"{path}: cannot read curated file: {e.strerror}") from None
        except UnicodeDecodeError:
            raise KozhError(f"{path}: curated file is not UTF-8") from None
        except csv.Error as e:
            raise KozhError(f"{path}: bad CSV: {e}") from None
        if not rows or [h.strip() for h in rows[0][1]] != CURATED_HEADER:
            got = ",".join(rows[0][1]) if rows else "(empty file)"
            missing = [c for c in CURATED_HEADER if not rows or c not in [h.strip() for h in rows[0][1]]]
            hint = f"; missing column(s): {', '.join(missing)}" if missing else ""
            raise KozhError(f"{path}: line 1: header must be {','.join(CURATED_HEADER)}, got {got}{hint}")
        for number, row in rows[1:]:
            if not any(cell.strip() for cell in row):
                continue
            if len(row) != len(CURATED_HEADER):
                raise KozhError(f"{path}: line {number}: expected {len(CURATED_HEADER)} fields, got {len(row)}")
            kind, zh, zh_other, ko, ko_other, en, _note = (cell.strip() for cell in row)
            if kind not in KINDS:
                raise KozhError(f"{path}: line {number}: unknown kind {kind!r} (use one of {', '.join(KINDS)})")
            if not has_han(zh):
                raise KozhError(f"{path}: line {number}: zh {zh!r} has no Chinese characters")
            entries.append(CuratedEntry(kind=kind, zh=zh, ko=ko or None, zh_other=_split_cell(zh_other),
                                        ko_other=_split_cell(ko_other), en=_split_cell(en),
                                        source=f"{path}:{number}"))
    return entries


def _looks_like_text(path: str) -> bool:
    if Path(path).suffix.lower() in TEXT_SUFFIXES:
        return True
    try:
        with open(path, "rb") as f:
            head = f.read(8192)
    except OSError:
        return True  # let the reader report why it cannot be read
    # UTF-16/32 carry NULs but announce themselves with a byte order mark.
    return b"\x00" not in head or head[:2] in (b"\xff\xfe", b"\xfe\xff")


def _walk_entry(root: str, path: str) -> str | None:
    """Why a folder entry is not read (None: it is read). Only regular files are; a symlink is
    followed only to a regular file inside the folder, so a link to /dev/zero or out of the tree is
    skipped, never opened."""
    from glossary.text import special_kind

    try:
        st = os.lstat(path)
        if stat.S_ISLNK(st.st_mode):
            target = os.path.realpath(path)
            if os.path.commonpath([root, target]) != root:
                return f"symbolic link out of the folder (to {target})"
            st = os.stat(path)
    except (OSError, ValueError) as e:
        return (getattr(e, "strerror", None) or str(e)).lower()
    kind = special_kind(st.st_mode)
    if kind:
        return f"not a regular file ({kind})"
    return None if _looks_like_text(path) else "binary file"


def expand_paths(paths: Iterable[str | os.PathLike[str]],
                 skipped: list[tuple[str, str]] | None = None) -> list[str]:
    """Files as given, folders walked in sorted order (hidden entries skipped), duplicates once. In a
    folder only regular text files are taken; the others go to `skipped` as (path, why)."""
    out: list[str] = []
    for given in paths:
        given = os.fspath(given)
        if os.path.isdir(given):
            root = os.path.realpath(given)
            found = []
            for folder, dirs, names in os.walk(given):  # does not descend into symlinked folders
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                for d in dirs:
                    if os.path.islink(os.path.join(folder, d)):
                        found.append(os.path.join(folder, d))
                found += [os.path.join(folder, n) for n in names if not n.startswith(".")]
            for path in sorted(found):
                why = "symbolic link to a folder" if os.path.isdir(path) else _walk_entry(root, path)
                if why is None:
                    out.append(path)
                elif why != "binary file" and skipped is not None:
                    skipped.append((path, why))
        else:
            out.append(given)
    return list(dict.fromkeys(out))


# ---------------------------------------------------------------- extraction (worker side)


def _squash(text: str) -> str:
    return _SPACES.sub(" ", text)


def snippet(text: str, start: int, end: int, width: int = SNIPPET) -> str:
    """The pair with as much context on each side as fits in width characters, on one line."""
    body = _squash(text[start:end]).strip()
    if len(body) >= width:
        return body[:width]
    room = width - len(body)
    before = _squash(text[max(0, start - room):start]).lstrip()
    after = _squash(text[end:end + room]).rstrip()
    keep_before = min(len(before), max(room // 2, room - len(after)))
    before = before[len(before) - keep_before:]
    return (before + body + after[: room - len(before)]).strip()


def mention_rows(text: str, pairs: Sequence[Pair]) -> list[dict]:
    """Pairs of one text as mention rows; line/col are 1-based, of the opening bracket."""
    from glossary.text import LineIndex

    index = LineIndex(text)
    rows = []
    for seq, p in enumerate(sorted(pairs, key=lambda p: (p.bracket, p.start, p.end))):
        line, col = index.line_col(p.bracket)
        rows.append({
            "seq": seq, "line": line, "col": col, "ko": p.ko, "zh": p.zh, "en": p.en, "kind": p.kind,
            "score": float(p.score), "suffix_after": p.suffix_after, "title": p.title,
            "other_forms": list(p.other_forms or []),
            "snippet": snippet(text, min(p.start, p.bracket), p.end),
        })
    return rows


def _extract_file(path: str) -> tuple[list[dict] | None, str | None]:
    """Worker: read and extract one file. Errors come back as messages so one bad file cannot stop
    the build. Imports are here so workers load the extractor's models once, lazily."""
    from glossary.pairs import extract_pairs
    from glossary.text import TextError, read_text

    try:
        text = read_text(path)
    except TextError as e:
        return None, str(e)
    except OSError as e:
        return None, (e.strerror or str(e)).lower()
    try:
        return mention_rows(text, extract_pairs(text)), None
    except Exception as e:  # an extractor bug on one file should not lose the other files
        return None, f"extraction failed: {type(e).__name__}: {e}"


def _extract_all(paths: list[str], jobs: int) -> Iterator[tuple[list[dict] | None, str | None]]:
    """Results in input order; the caller (the only writer) stores each as it arrives."""
    if jobs <= 1 or len(paths) <= 1:
        yield from map(_extract_file, paths)
        return
    with ProcessPoolExecutor(max_workers=min(jobs, len(paths))) as pool:
        try:
            yield from pool.map(_extract_file, paths, chunksize=1)
        except BrokenProcessPool:
            raise KozhError("an extraction worker died (out of memory?); documents stored so far are kept, "
                            "run the build again to continue") from None


def _file_digest(path: str) -> tuple[str, int]:
    from glossary.text import input_limit, open_regular

    h = hashlib.sha256()
    size = 0
    with open_regular(path, limit=input_limit()) as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
            size += len(chunk)
    return h.hexdigest(), size


# ---------------------------------------------------------------- relinking


@lru_cache(maxsize=1)
def code_fingerprint() -> str:
    """A hash of the glossary package's code and data: what extraction and linking depend on.

    A build made by other code re-extracts every document, so an improved extractor never leaves
    stale pairs behind an unchanged file hash."""
    from importlib.resources import files

    h = hashlib.sha256()
    root = files("glossary")
    for name in sorted(("", "data")):
        folder = root.joinpath(name) if name else root
        for item in sorted(folder.iterdir(), key=lambda f: f.name):
            if item.is_file() and (item.name.endswith(".py") or name == "data"):
                h.update(item.name.encode("utf-8") + b"\0" + item.read_bytes())
    return h.hexdigest()


def _linked_state(conn, entries: Sequence[CuratedEntry]) -> str:
    """What the entities were computed from; unchanged state means relinking would be a no-op."""
    docs = sorted(document_hashes(conn).items())
    data = json.dumps([LINK_VERSION, code_fingerprint(), docs, [repr(e) for e in entries]], ensure_ascii=False)
    return hashlib.sha256(data.encode("utf-8")).hexdigest()


def relink(conn, entries: Sequence[CuratedEntry]) -> tuple[int, list[str]]:
    """Recompute every entity from all mentions and the curated entries, keep ids, replay curation.
    Runs inside the caller's transaction. Returns (entity count, curation problems)."""
    rows = all_mentions(conn)
    pairs = [Pair(ko=r["ko"], zh=r["zh"], en=r["en"], kind=r["kind"], suffix_after=r["suffix_after"],
                  other_forms=json.loads(r["other_forms"]) if r["other_forms"] else []) for r in rows]
    entities = link(pairs, entries)
    reserved = curation.created_ids(conn)
    ids, absorbed = assign_ids(entities, previous_entities(conn, exclude=reserved), taken=reserved)

    conn.execute("UPDATE mentions SET ko_alias_id = NULL, zh_alias_id = NULL, en_alias_id = NULL")
    conn.execute("DELETE FROM aliases")
    conn.execute("DELETE FROM entities")
    alias_ids: dict[tuple[str, str, str], int] = {}
    mention_entity: dict[int, str] = {}
    for entity_id, e in sorted(zip(ids, entities)):
        conn.execute("INSERT INTO entities (id, kind, ko, zh, en) VALUES (?, ?, ?, ?, ?)",
                     (entity_id, e.kind, e.ko, e.zh, e.en))
        for a in e.aliases:
            alias_ids[(entity_id, a.lang, a.text)] = put_alias(conn, entity_id, a)
        mention_entity.update((i, entity_id) for i in e.mentions)

    updates = []
    for i, row in enumerate(rows):
        entity_id = mention_entity.get(i)
        if entity_id is None:
            continue
        f = forms_of(pairs[i])
        ko, zh, en = (alias_ids.get((entity_id, *ref)) if ref else None for ref in (f.ko, f.zh, f.en))
        updates.append((ko, zh, en, row["document_id"], row["seq"]))
    conn.executemany("UPDATE mentions SET ko_alias_id = ?, zh_alias_id = ?, en_alias_id = ? "
                     "WHERE document_id = ? AND seq = ?", updates)

    for old, new in sorted(absorbed.items()):
        add_redirect(conn, old, new)
    problems = curation.replay(conn)
    # An id alive again (a cluster got its old id back) must not also redirect elsewhere.
    conn.execute("DELETE FROM redirects WHERE old_id IN (SELECT id FROM entities)")
    set_meta(conn, "linked_state", _linked_state(conn, entries))
    return conn.execute("SELECT count(*) FROM entities").fetchone()[0], problems


# ---------------------------------------------------------------- build


def build(db_path: str | os.PathLike[str], paths: Iterable[str | os.PathLike[str]], *, jobs: int = 2,
          progress: Progress | None = None, curated: Iterable[str | os.PathLike[str]] | None = None,
          relink_always: bool = False) -> BuildReport:
    """Add or refresh the given files in the glossary at db_path (created if missing)."""
    entries = read_curated(default_curated() if curated is None else curated)  # bad CSV: fail before writing
    if isinstance(paths, (str, os.PathLike)):
        paths = [paths]  # one path, not its characters
    report = BuildReport()
    db = open_db(db_path, write=True, create=True)
    try:
        files = expand_paths(paths, report.skipped)
        report.files = len(files)
        stored = document_hashes(db.conn)
        # documents extracted by other code count as changed
        current_code = get_meta(db.conn, "extractor") == code_fingerprint()
        if not stored and not current_code:
            with transaction(db) as conn:  # an empty glossary holds nothing stale: a killed build resumes
                set_meta(conn, "extractor", code_fingerprint())
            current_code = True
        known = stored if current_code else {}
        todo: list[tuple[str, str, int]] = []
        done = 0
        for path in files:
            try:
                digest, size = _file_digest(path)
            except TextError as e:
                report.failed.append((path, str(e)))
            except OSError as e:
                report.failed.append((path, (e.strerror or str(e)).lower()))
            else:
                if known.get(path) == digest:
                    report.unchanged += 1
                else:
                    todo.append((path, digest, size))
                    continue
            done += 1
            if progress:
                progress(done, len(files), path)

        for (path, digest, size), (rows, error) in zip(todo, _extract_all([t[0] for t in todo], jobs)):
            if error is not None:
                report.failed.append((path, error))
            else:
                with transaction(db) as conn:
                    replace_document(conn, path, digest, size, rows)
                report.mentions += len(rows)
                report.updated += path in stored
                report.added += path not in stored
            done += 1
            if progress:
                progress(done, len(files), path)

        with transaction(db) as conn:
            extracted = {path for path, _, _ in todo} - {path for path, _ in report.failed}
            if current_code or set(document_hashes(conn)) <= extracted:
                set_meta(conn, "extractor", code_fingerprint())  # every stored document is this code's work
            if relink_always or get_meta(conn, "linked_state") != _linked_state(conn, entries):
                report.entities, report.curation_problems = relink(conn, entries)
                report.relinked = True
            else:
                report.entities = conn.execute("SELECT count(*) FROM entities").fetchone()[0]
        report.failed.sort()
        return report
    finally:
        db.close()
