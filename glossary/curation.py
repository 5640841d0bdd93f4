"""Hand edits of the glossary, kept as an ordered log and replayed after every build.

Each public op opens the database, resolves its entity arguments (an id, a redirected id, or an alias
naming exactly one entity), applies itself and appends itself to the `curation` table, all in one
transaction. The log stores resolved ids, never alias texts, so a replay cannot pick a different
entity than the curator did. A build rebuilds entities from the corpus and then replays the log in
order; an op that no longer applies is reported, not fatal.
"""
from __future__ import annotations

import json
import os
import sqlite3
from typing import Callable, Iterable

from glossary.errors import KozhError
from glossary.link import KINDS, LANGS, STATUSES, Alias, best, entity_id_for, fold, fold_zh, lang_of
from glossary.scripts import has_han
from glossary.store import (
    add_redirect, entity_aliases, find_entity, insert_entity, live_id, open_db, put_alias, recount,
    refresh_entity, savepoint, transaction,
)
from glossary.variants import to_simplified, to_traditional

_ORIGIN_RANK = {"curated": 0, "attested": 1, "generated": 2}
_APPLY: dict[str, Callable[[sqlite3.Connection, dict, bool], str]] = {}


def _op(fn):
    _APPLY[fn.__name__.removeprefix("_apply_")] = fn
    return fn


def apply(conn: sqlite3.Connection, op: str, args: dict) -> str:
    """Apply one op inside the caller's transaction and append it to the log (imports batch many)."""
    result = _APPLY[op](conn, args, False)
    conn.execute("INSERT INTO curation (op, args) VALUES (?, ?)",
                 (op, json.dumps(args, ensure_ascii=False, sort_keys=True)))
    return result


def _run(db_path: str | os.PathLike[str], op: str, prepare: Callable[[sqlite3.Connection], dict]) -> str:
    db = open_db(db_path, write=True)
    try:
        with transaction(db) as conn:
            return apply(conn, op, prepare(conn))
    finally:
        db.close()


# ---------------------------------------------------------------- public ops


def add(db_path, kind: str, zh: str, ko: str | None = None, en: str | None = None) -> str:
    """A new entity from a curator; returns its id."""
    if kind not in KINDS:
        raise KozhError(f"unknown kind {kind!r}: use one of {', '.join(KINDS)}")
    if not zh or not has_han(zh):
        raise KozhError(f"zh {zh!r} has no Chinese characters")

    def prepare(conn):
        return {"id": _fresh_id(conn, fold_zh(zh)), "kind": kind, "zh": zh.strip(),
                "ko": (ko or "").strip() or None, "en": (en or "").strip() or None}
    return _run(db_path, "add", prepare)


def alias_add(db_path, entity: str, text: str, lang: str | None = None, status: str = "admitted") -> str:
    """Give an entity another form (lang guessed from the script when None); returns the entity id."""
    text = " ".join((text or "").split())
    if not text:
        raise KozhError("empty alias text")
    lang = lang or lang_of(text)
    if lang not in LANGS:
        raise KozhError(f"unknown language {lang!r}: use one of {', '.join(LANGS)}")
    if status not in STATUSES:
        raise KozhError(f"unknown status {status!r}: use one of {', '.join(STATUSES)}")
    return _run(db_path, "alias_add", lambda conn: {
        "entity": find_entity(conn, entity), "text": text, "lang": lang, "status": status})


def alias_remove(db_path, entity: str, text: str) -> str:
    return _run(db_path, "alias_remove", lambda conn: {"entity": find_entity(conn, entity), "text": text.strip()})


def merge(db_path, a: str, b: str) -> str:
    """b's aliases and mentions move into a; b's id redirects to a. Returns a's id."""
    def prepare(conn):
        a_id, b_id = find_entity(conn, a), find_entity(conn, b)
        if a_id == b_id:
            raise KozhError(f"{a!r} and {b!r} are the same entity {a_id}")
        # b's forms let a replay find b again if the next build gives b's cluster another id.
        forms = sorted([al.lang, al.text] for _, al in entity_aliases(conn, b_id))
        return {"a": a_id, "b": b_id, "b_aliases": forms}
    return _run(db_path, "merge", prepare)


def split(db_path, entity: str, aliases: Iterable[str]) -> str:
    """Move the named aliases of an entity to a new entity; returns the new id."""
    texts = sorted({t.strip() for t in aliases if t and t.strip()})
    if not texts:
        raise KozhError("split needs at least one alias to move")

    def prepare(conn):
        source = find_entity(conn, entity)
        moving = _matching(conn, source, texts)
        present = {a.text for _, a in moving}
        missing = [t for t in texts if t not in present and not any(fold(t) == fold(p) for p in present)]
        if missing:
            raise KozhError(f"{source} has no alias {', '.join(map(repr, missing))}")
        zh = [a.text for _, a in moving if a.lang.startswith("zh")]
        key = fold_zh(zh[0]) if zh else fold(texts[0])
        return {"entity": source, "aliases": texts, "new_id": _fresh_id(conn, key)}
    return _run(db_path, "split", prepare)


def prefer(db_path, entity: str, form: str) -> str:
    """Make form the preferred alias of its language; the previous one becomes admitted."""
    return _run(db_path, "prefer", lambda conn: {"entity": find_entity(conn, entity), "form": form.strip()})


def deprecate(db_path, entity: str, form: str) -> str:
    return _run(db_path, "deprecate", lambda conn: {"entity": find_entity(conn, entity), "form": form.strip()})


def history(db_path) -> list[dict]:
    """The curation log, oldest first."""
    db = open_db(db_path, write=False)
    try:
        return [{"seq": s, "op": op, "args": json.loads(a)}
                for s, op, a in db.conn.execute("SELECT seq, op, args FROM curation ORDER BY seq")]
    finally:
        db.close()


# ---------------------------------------------------------------- replay (called by build)


def replay(conn: sqlite3.Connection) -> list[str]:
    """Re-apply the whole log inside the caller's transaction; returns one line per op that no longer applies."""
    problems = []
    for seq, op, raw in conn.execute("SELECT seq, op, args FROM curation ORDER BY seq").fetchall():
        args = json.loads(raw)
        try:
            with savepoint(conn, "kozh_curation"):
                _APPLY[op](conn, args, True)
        except KozhError as e:
            problems.append(f"curation #{seq} {op}: {e}")
    return problems


def created_ids(conn: sqlite3.Connection) -> set[str]:
    """Ids the log creates (add, split): the next relink must leave them to the replay."""
    ids = set()
    for op, raw in conn.execute("SELECT op, args FROM curation WHERE op IN ('add', 'split')"):
        args = json.loads(raw)
        ids.add(args["id"] if op == "add" else args["new_id"])
    return ids


# ---------------------------------------------------------------- applying


def _fresh_id(conn: sqlite3.Connection, key: str) -> str:
    taken = created_ids(conn)
    salt = 0
    while True:
        candidate = entity_id_for(key, salt)
        if candidate not in taken and not conn.execute(
            "SELECT 1 FROM entities WHERE id = ? UNION SELECT 1 FROM redirects WHERE old_id = ?",
            (candidate, candidate),
        ).fetchone():
            return candidate
        salt += 1


def _live(conn: sqlite3.Connection, entity_id: str) -> str:
    found = live_id(conn, entity_id)
    if found is None:
        raise KozhError(f"entity {entity_id} no longer exists")
    return found


def _matching(conn: sqlite3.Connection, entity_id: str, texts: Iterable[str]) -> list[tuple[int, Alias]]:
    """Aliases of entity_id written as one of texts; a Chinese text also takes its script variants,
    so splitting off 陕西 takes 陝西 with it."""
    texts = set(texts)
    zh_keys = {fold_zh(t) for t in texts if has_han(t)}
    return [(i, a) for i, a in entity_aliases(conn, entity_id)
            if a.text in texts or (a.lang.startswith("zh") and fold_zh(a.text) in zh_keys)]


def _set_status(conn: sqlite3.Connection, entity_id: str, alias_id: int, lang: str, status: str) -> None:
    if status == "preferred":  # TBX: one preferred term per language
        conn.execute("UPDATE aliases SET status = 'admitted' WHERE entity_id = ? AND lang = ? "
                     "AND status = 'preferred' AND id != ?", (entity_id, lang, alias_id))
    conn.execute("UPDATE aliases SET status = ? WHERE id = ?", (status, alias_id))


def _ensure_preferred(conn: sqlite3.Connection, entity_id: str, langs: Iterable[str]) -> None:
    """A language that lost its preferred alias (moved away by a split) gets the most used one left."""
    aliases = entity_aliases(conn, entity_id)
    for lang in langs:
        usable = {a.text: a.count for _, a in aliases if a.lang == lang and a.status != "deprecated"}
        if usable and not any(a.lang == lang and a.status == "preferred" for _, a in aliases):
            choice = best(usable)
            alias_id = next(i for i, a in aliases if a.lang == lang and a.text == choice)
            _set_status(conn, entity_id, alias_id, lang, "preferred")


def _merge_into(conn: sqlite3.Connection, a: str, b: str) -> None:
    mine = {(al.lang, al.text): (i, al) for i, al in entity_aliases(conn, a)}
    for b_alias_id, al in entity_aliases(conn, b):
        if (al.lang, al.text) in mine:
            a_alias_id, own = mine[(al.lang, al.text)]
            for column in ("ko_alias_id", "zh_alias_id", "en_alias_id"):
                conn.execute(f"UPDATE mentions SET {column} = ? WHERE {column} = ?", (a_alias_id, b_alias_id))
            origin = min(own.origin, al.origin, key=_ORIGIN_RANK.__getitem__)
            conn.execute("UPDATE aliases SET origin = ? WHERE id = ?", (origin, a_alias_id))
            conn.execute("DELETE FROM aliases WHERE id = ?", (b_alias_id,))
        else:
            has_preferred = conn.execute(
                "SELECT 1 FROM aliases WHERE entity_id = ? AND lang = ? AND status = 'preferred'",
                (a, al.lang)).fetchone()
            status = "admitted" if al.status == "preferred" and has_preferred else al.status
            conn.execute("UPDATE aliases SET entity_id = ?, status = ? WHERE id = ?", (a, status, b_alias_id))
    conn.execute("DELETE FROM entities WHERE id = ?", (b,))
    add_redirect(conn, b, a)
    recount(conn, a)
    refresh_entity(conn, a)


def _add_aliases(args: dict) -> list[Alias]:
    zh = args["zh"]
    simplified = to_simplified(zh)
    out = [Alias(simplified, "zh-Hans", "preferred", "curated")]
    if zh != simplified:
        out.append(Alias(zh, lang_of(zh), "admitted", "curated"))
    traditional = to_traditional(simplified)
    if traditional != simplified and traditional != zh:
        out.append(Alias(traditional, "zh-Hant", "preferred", "generated"))
    elif zh != simplified:
        out[-1].status = "preferred"
    for field in ("ko", "en"):
        if args.get(field):
            out.append(Alias(args[field], lang_of(args[field]), "preferred", "curated"))
    return out


@_op
def _apply_add(conn: sqlite3.Connection, args: dict, replay: bool) -> str:
    key = fold_zh(args["zh"])
    holders = [r[0] for r in conn.execute(
        "SELECT DISTINCT entity_id FROM aliases WHERE folded = ? AND lang IN ('zh-Hans', 'zh-Hant') "
        "AND entity_id != ? ORDER BY entity_id", (key, args["id"]))]
    if holders and not replay:
        raise KozhError(f"{args['zh']} is already in the glossary as {', '.join(holders)}: "
                        "use alias_add or merge instead")
    new = args["id"]
    if live_id(conn, new) == new:
        existing = {(a.lang, a.text) for _, a in entity_aliases(conn, new)}
        for alias in _add_aliases(args):
            if (alias.lang, alias.text) not in existing:
                put_alias(conn, new, alias)
    else:
        conn.execute("DELETE FROM redirects WHERE old_id = ?", (new,))
        insert_entity(conn, new, args["kind"], _add_aliases(args))
    # Replay: the corpus has since attested this name; the curated entry is its home.
    for holder in holders:
        if live_id(conn, holder) == holder:
            _merge_into(conn, new, holder)
    refresh_entity(conn, new)
    return new


@_op
def _apply_alias_add(conn: sqlite3.Connection, args: dict, replay: bool) -> str:
    entity = _live(conn, args["entity"])
    row = conn.execute("SELECT id FROM aliases WHERE entity_id = ? AND lang = ? AND text = ?",
                       (entity, args["lang"], args["text"])).fetchone()
    alias_id = row[0] if row else put_alias(conn, entity, Alias(args["text"], args["lang"], "admitted", "curated"))
    _set_status(conn, entity, alias_id, args["lang"], args["status"])
    refresh_entity(conn, entity)
    return entity


@_op
def _apply_alias_remove(conn: sqlite3.Connection, args: dict, replay: bool) -> str:
    entity = _live(conn, args["entity"])
    cur = conn.execute("DELETE FROM aliases WHERE entity_id = ? AND text = ?", (entity, args["text"]))
    if cur.rowcount == 0:
        raise KozhError(f"{entity} has no alias {args['text']!r}")
    refresh_entity(conn, entity)
    return entity


@_op
def _apply_merge(conn: sqlite3.Connection, args: dict, replay: bool) -> str:
    a = _live(conn, args["a"])
    b = live_id(conn, args["b"])
    if b is not None and b != a:
        _merge_into(conn, a, b)
        return a
    if not replay:
        raise KozhError(f"{args['b']} is already part of {a}")
    # The rebuilt b may carry a new id: find it by the forms b had, Chinese forms first since a
    # shared Korean reading (산시) alone does not make two entities one.
    forms = [tuple(f) for f in args["b_aliases"]]
    zh_forms = [f for f in forms if f[0].startswith("zh")] or forms
    overlap: dict[str, int] = {}
    for lang, text in zh_forms:
        for (holder,) in conn.execute("SELECT entity_id FROM aliases WHERE lang = ? AND text = ? AND entity_id != ?",
                                      (lang, text, a)):
            overlap[holder] = overlap.get(holder, 0) + 1
    if overlap:
        holder = min(overlap, key=lambda h: (-overlap[h], h))
        _merge_into(conn, a, holder)
        add_redirect(conn, args["b"], a)
    elif b is None:
        raise KozhError(f"entity {args['b']} no longer exists")
    return a


@_op
def _apply_split(conn: sqlite3.Connection, args: dict, replay: bool) -> str:
    source = _live(conn, args["entity"])
    moving = _matching(conn, source, args["aliases"])
    if not moving:
        raise KozhError(f"{source} has none of the aliases {', '.join(map(repr, args['aliases']))}")
    if len(moving) == len(entity_aliases(conn, source)):
        raise KozhError(f"splitting {', '.join(map(repr, args['aliases']))} off would leave {source} empty")
    new = args["new_id"]
    had_preferred = {a.lang for _, a in entity_aliases(conn, source) if a.status == "preferred"}
    kind = conn.execute("SELECT kind FROM entities WHERE id = ?", (source,)).fetchone()[0]
    if live_id(conn, new) != new:
        conn.execute("DELETE FROM redirects WHERE old_id = ?", (new,))
        insert_entity(conn, new, kind, [])
    moved_langs = set()
    for alias_id, a in moving:
        conn.execute("UPDATE aliases SET entity_id = ? WHERE id = ?", (new, alias_id))
        moved_langs.add(a.lang)
    _ensure_preferred(conn, source, had_preferred)
    _ensure_preferred(conn, new, moved_langs & {"ko", "zh-Hans", "zh-Hant", "en"})
    for entity in (source, new):
        recount(conn, entity)
        refresh_entity(conn, entity)
    return new


def _aliases_named(conn: sqlite3.Connection, entity: str, form: str) -> list[tuple[int, Alias]]:
    found = [(i, a) for i, a in entity_aliases(conn, entity) if a.text == form]
    if not found:
        raise KozhError(f"{entity} has no alias {form!r}")
    return found


def _set_form_status(conn: sqlite3.Connection, args: dict, status: str) -> str:
    entity = _live(conn, args["entity"])
    for alias_id, a in _aliases_named(conn, entity, args["form"]):
        _set_status(conn, entity, alias_id, a.lang, status)
    refresh_entity(conn, entity)
    return entity


@_op
def _apply_prefer(conn: sqlite3.Connection, args: dict, replay: bool) -> str:
    return _set_form_status(conn, args, "preferred")


@_op
def _apply_deprecate(conn: sqlite3.Connection, args: dict, replay: bool) -> str:
    return _set_form_status(conn, args, "deprecated")
