"""Exact key tables over the glossary's aliases, and the thin database layer.

Two stores answer the same questions (which aliases have key K of kind T; what is alias N):
  MemoryIndex  built from any iterable of alias rows (`Index.from_aliases`): keys hashed into one sorted
               numpy array, so a million aliases take about 12 bytes per key, and a lookup is a binary search.
  SqliteIndex  reads the `alias_keys` table that `refresh(db_path)` wrote after `kozh build`: nothing is
               loaded at open, each query costs a few indexed SELECTs - `kozh lookup` in a new process
               does no pinyin, OpenCC or hanja work at all.
Fuzzy matching never scans: it looks up deletion-neighbourhood keys (keys.py), which block candidates.
"""
from __future__ import annotations

import os
import sqlite3
import threading
from array import array
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Mapping, Sequence

from glossary.errors import DatabaseError

from . import keys as K

KEYS_VERSION = "3"
LANG_ORDER = {"ko": 0, "zh-Hans": 1, "zh-Hant": 2, "en": 3, "pinyin": 4}
STATUS_RANK = {"preferred": 0, "admitted": 1, "deprecated": 2}
# kinds holding context rows (translated parts, place prefixes) rather than an alias's keys
CONTEXT_KINDS = ("part", "zpfx", "kpfx", "zplace")


@dataclass(frozen=True)
class AliasRow:
    id: int
    entity_id: str
    text: str
    lang: str
    status: str = "admitted"
    count: int = 0
    origin: str = "attested"


@dataclass(frozen=True)
class EntityRow:
    id: str
    kind: str | None
    ko: str | None
    zh: str | None
    en: str | None


class Index:
    """What the resolver asks of a glossary. Subclasses: MemoryIndex, SqliteIndex."""

    ctx: K.KeyContext

    @staticmethod
    def from_aliases(rows: Iterable[Sequence], *, kinds: Mapping[str, str] | None = None,
                     parts: K.Parts | None = None) -> "MemoryIndex":
        """Build an in-memory index from (entity_id, alias_text, lang, status, count[, origin]) rows.
        kinds maps entity_id -> entity kind (place affixes are only taken off places)."""
        return MemoryIndex(rows, kinds=kinds, parts=parts)

    def lookup(self, kind: str, keys: Iterable[str]) -> dict[str, list[int]]:
        raise NotImplementedError

    def aliases(self, ids: Iterable[int]) -> dict[int, AliasRow]:
        raise NotImplementedError

    def entities(self, ids: Iterable[str]) -> dict[str, EntityRow]:
        raise NotImplementedError

    def entity_aliases(self, entity_id: str) -> list[AliasRow]:
        raise NotImplementedError

    def live_id(self, entity_id: str) -> str | None:
        return entity_id if self.entities([entity_id]) else None

    def simplified(self, alias: AliasRow) -> str:
        """The zh key of a Chinese alias (騰訊 -> 腾讯)."""
        return K.fold_han(alias.text)

    def lattice(self, alias: AliasRow) -> K.Lattice:
        return K.lattice(self.simplified(alias))

    def tone(self, alias: AliasRow) -> str:
        return K.tone_pinyin(K.fold_han(alias.text))

    def standard_hangul(self, alias: AliasRow) -> str | None:
        """The 외래어 표기법 form of a Chinese alias (宁德时代 -> 닝더스다이)."""
        return K.hangul_of(K.han_pinyin(K.fold_han(alias.text)) or []) or None

    def __len__(self) -> int:
        raise NotImplementedError


# ---------------------------------------------------------------- building


def _display(aliases: Sequence[AliasRow]) -> tuple[str | None, str | None, str | None]:
    def pick(langs: tuple[str, ...]) -> str | None:
        cands = [a for a in aliases if a.lang in langs]
        if not cands:
            return None
        return min(cands, key=lambda a: (STATUS_RANK.get(a.status, 1), -a.count, LANG_ORDER.get(a.lang, 9),
                                         -len(a.text), a.text)).text
    return pick(("ko",)), pick(("zh-Hans", "zh-Hant")), pick(("en", "pinyin"))


def entity_evidence(aliases: Sequence[AliasRow], kind: str | None) -> list[tuple[str, str]]:
    """What one entity contributes to the key context, as (kind, key) rows: the translated parts its attested
    (ko, zh) pairs show ('obs') and, for a place, its names ('plc'). Stored per entity in alias_keys, so an
    edit recomputes only the edited entity's share."""
    kos = [a.text for a in aliases if a.lang == "ko" and a.origin != "generated"][:6]
    zhs = [a.text for a in aliases if _is_han_alias(a) and a.origin != "generated"][:6]
    rows = [("obs", f"{tail}\t{rendering}") for tail, rendering in
            sorted(K.observe_parts((k, z) for k in kos for z in zhs))]
    if kind == "place":
        rows += [("plc", f"{a.lang}\t{a.text}") for a in aliases if a.lang == "ko" or _is_han_alias(a)]
    return rows


def context_of(evidence: Iterable[tuple[str, str]], parts: K.Parts | None = None) -> K.KeyContext:
    """The key context from every entity's evidence rows: a part counts once per entity that shows it."""
    attested: Counter[tuple[str, str]] = Counter()
    places = []
    for kind, key in evidence:
        first, second = key.split("\t", 1)
        if kind == "obs":
            attested[(first, second)] += 1
        else:
            places.append((first, second))
    return K.KeyContext.build(K.parts_from(attested) if parts is None else parts, places)


def build_context(aliases: Sequence[AliasRow], kinds: Mapping[str, str] | None,
                  parts: K.Parts | None = None) -> K.KeyContext:
    """Learn translated parts from attested (ko, zh) pairs of one entity; collect place names."""
    by_entity: dict[str, list[AliasRow]] = defaultdict(list)
    for a in aliases:
        by_entity[a.entity_id].append(a)
    kinds = kinds or {}
    return context_of((row for eid, items in by_entity.items() for row in entity_evidence(items, kinds.get(eid))),
                      parts)


def _is_han_alias(a: AliasRow) -> bool:
    return a.lang.startswith("zh")


class MemoryIndex(Index):
    def __init__(self, rows: Iterable[Sequence], *, kinds: Mapping[str, str] | None = None,
                 parts: K.Parts | None = None):
        import numpy as np

        self._aliases: list[AliasRow] = []
        for i, row in enumerate(rows):
            entity_id, text, lang, status, count = row[:5]
            origin = row[5] if len(row) > 5 else "attested"
            self._aliases.append(AliasRow(i, str(entity_id), text, lang, status, int(count or 0), origin))
        self._kinds = dict(kinds or {})
        by_entity: dict[str, list[AliasRow]] = defaultdict(list)
        for a in self._aliases:
            by_entity[a.entity_id].append(a)
        self._by_entity = dict(by_entity)
        self.ctx = build_context(self._aliases, self._kinds, parts)
        hashes, ids = array("q"), array("q")
        for a in self._aliases:
            for kind, key in K.alias_keys(a.text, a.lang, self.ctx, kind=self._kinds.get(a.entity_id)):
                hashes.append(hash(kind + "\x1f" + key))
                ids.append(a.id)
        h = np.frombuffer(hashes, dtype=np.int64)
        order = np.argsort(h, kind="stable")
        self._hashes = h[order]
        self._ids = np.frombuffer(ids, dtype=np.int64)[order].astype(np.int32)
        self._np = np
        self._entities: dict[str, EntityRow] = {}

    def __len__(self) -> int:
        return len(self._aliases)

    @property
    def key_count(self) -> int:
        return len(self._hashes)

    def lookup(self, kind: str, keys: Iterable[str]) -> dict[str, list[int]]:
        keys = list(dict.fromkeys(keys))
        if not keys:
            return {}
        np = self._np
        q = np.fromiter((hash(kind + "\x1f" + k) for k in keys), dtype=np.int64, count=len(keys))
        lo = np.searchsorted(self._hashes, q, "left")
        hi = np.searchsorted(self._hashes, q, "right")
        out = {}
        for k, a, b in zip(keys, lo.tolist(), hi.tolist()):
            if b > a:
                out[k] = self._ids[a:b].tolist()
        return out

    def aliases(self, ids: Iterable[int]) -> dict[int, AliasRow]:
        return {i: self._aliases[i] for i in ids}

    def entities(self, ids: Iterable[str]) -> dict[str, EntityRow]:
        out = {}
        for eid in ids:
            row = self._entities.get(eid)
            if row is None and eid in self._by_entity:
                ko, zh, en = _display(self._by_entity[eid])
                row = self._entities[eid] = EntityRow(eid, self._kinds.get(eid), ko, zh, en)
            if row is not None:
                out[eid] = row
        return out

    def entity_aliases(self, entity_id: str) -> list[AliasRow]:
        return list(self._by_entity.get(entity_id, ()))


# ---------------------------------------------------------------- the database


def connect_ro(path: str | os.PathLike[str]) -> sqlite3.Connection:
    """A read-only connection through the one opener (glossary.store.connect); usable from any thread,
    one user at a time."""
    from glossary.store import connect

    return connect(path, threads=True)


def _tables(conn: sqlite3.Connection) -> set[str]:
    try:
        return {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    except sqlite3.DatabaseError as e:
        raise DatabaseError(f"not a SQLite database (or corrupt): {e}") from None


def _read_aliases(conn: sqlite3.Connection) -> tuple[list[AliasRow], dict[str, str]]:
    tables = _tables(conn)
    if "aliases" not in tables:
        raise DatabaseError("not a kozh glossary database (no aliases table)")
    cols = {r[1] for r in conn.execute("PRAGMA table_info(aliases)")}
    origin = "origin" if "origin" in cols else "'attested'"
    rows = [AliasRow(r[0], r[1], r[2], r[3], r[4], r[5] or 0, r[6]) for r in conn.execute(
        f"SELECT id, entity_id, text, lang, status, count, {origin} FROM aliases ORDER BY id")]
    kinds = dict(conn.execute("SELECT id, kind FROM entities")) if "entities" in tables else {}
    return rows, kinds


def load_aliases(db_path: str | os.PathLike[str]) -> list[tuple[str, str, str, str, int, str]]:
    """(entity_id, text, lang, status, count, origin) of every alias, for Index.from_aliases."""
    conn = connect_ro(db_path)
    try:
        rows, _ = _read_aliases(conn)
    finally:
        conn.close()
    return [(a.entity_id, a.text, a.lang, a.status, a.count, a.origin) for a in rows]


def _key_rows(a: AliasRow, ctx: K.KeyContext, kind: str | None) -> list[tuple[int, str, str, str]]:
    rows = [(a.id, a.entity_id, k, key) for k, key in K.alias_keys(a.text, a.lang, ctx, kind=kind)]
    if _is_han_alias(a):
        z = K.fold_han(a.text)
        rows.append((a.id, a.entity_id, "lat", K.encode_lattice(K.lattice(z))))
        rows.append((a.id, a.entity_id, "tone", K.tone_pinyin(z)))
        std = K.hangul_of(K.han_pinyin(z) or [])
        if std:
            rows.append((a.id, a.entity_id, "trh", std))
    return rows


_ALIAS_COLUMNS = "id, entity_id, text, lang, status, count, origin"


def _entity_rows(conn: sqlite3.Connection, entity_ids: Sequence[str] | None) -> dict[str, tuple[str, list[AliasRow]]]:
    """entity id -> (kind, aliases in id order), for the given entities (None: all)."""
    out: dict[str, tuple[str, list[AliasRow]]] = {}
    if entity_ids is None:
        for eid, kind in conn.execute("SELECT id, kind FROM entities"):
            out[eid] = (kind, [])
        for r in conn.execute(f"SELECT {_ALIAS_COLUMNS} FROM aliases ORDER BY id"):
            if r[1] in out:
                out[r[1]][1].append(AliasRow(*r))
        return out
    for i in range(0, len(entity_ids), 500):
        chunk = list(entity_ids[i:i + 500])
        marks = ",".join("?" * len(chunk))
        for eid, kind in conn.execute(f"SELECT id, kind FROM entities WHERE id IN ({marks})", chunk):
            out[eid] = (kind, [])
        for r in conn.execute(f"SELECT {_ALIAS_COLUMNS} FROM aliases WHERE entity_id IN ({marks}) ORDER BY id",
                              chunk):
            if r[1] in out:
                out[r[1]][1].append(AliasRow(*r))
    return out


def refresh_keys(conn: sqlite3.Connection, *, full: bool = False) -> int:
    """Bring alias_keys in line with the aliases inside the caller's write transaction; returns the number
    of key rows written. Only the entities listed in keys_dirty are redone, unless `full`, the key code
    changed, or the edit changed the shared key context (a new learned part or place name: then every
    alias's keys may differ). Either way the result equals a full rebuild's."""
    from glossary.store import get_meta, set_meta

    full = full or get_meta(conn, "keys_version") != KEYS_VERSION
    if full:
        conn.execute("DELETE FROM alias_keys")
        entities = _entity_rows(conn, None)
    else:
        dirty = [r[0] for r in conn.execute("SELECT entity_id FROM keys_dirty")]
        conn.execute("DELETE FROM alias_keys WHERE entity_id IN (SELECT entity_id FROM keys_dirty)")
        entities = _entity_rows(conn, dirty)
    conn.executemany("INSERT INTO alias_keys VALUES (0, ?, ?, ?)",
                     [(eid, kind, key) for eid, (entity_kind, aliases) in entities.items()
                      for kind, key in entity_evidence(aliases, entity_kind)])
    ctx = context_of(conn.execute(f"SELECT kind, key FROM alias_keys WHERE kind IN ('obs', 'plc') "
                                  f"ORDER BY entity_id, kind, key"))
    context_rows = ctx.to_rows()
    stored = conn.execute(f"SELECT kind, key FROM alias_keys WHERE entity_id = '' ORDER BY rowid").fetchall()
    if context_rows != [tuple(r) for r in stored]:
        conn.execute("DELETE FROM alias_keys WHERE entity_id = ''")
        conn.executemany("INSERT INTO alias_keys VALUES (0, '', ?, ?)", context_rows)
        if not full:  # the context every alias's keys were made with has changed
            conn.execute(f"DELETE FROM alias_keys WHERE entity_id != '' AND kind NOT IN ('obs', 'plc')")
            entities = _entity_rows(conn, None)
    written = 0
    for eid, (kind, aliases) in entities.items():
        rows = [row for a in aliases for row in _key_rows(a, ctx, kind)]
        conn.executemany("INSERT INTO alias_keys VALUES (?, ?, ?, ?)", rows)
        written += len(rows)
    conn.execute("DELETE FROM keys_dirty")
    set_meta(conn, "keys_version", KEYS_VERSION)
    return written


def refresh(db_path: str | os.PathLike[str]) -> int:
    """Recompute every key of the glossary at db_path from scratch, in one transaction; returns the number
    of key rows written. Writes keep the keys current by themselves: this is for a glossary changed behind
    kozh's back."""
    from glossary.store import open_db, transaction

    db = open_db(db_path, write=True)
    try:
        with transaction(db) as conn:
            return refresh_keys(conn, full=True)
    finally:
        db.close()


class SqliteIndex(Index):
    """Lookups straight from alias_keys; one read-only connection per thread."""

    def __init__(self, path: str | os.PathLike[str]):
        self.path = Path(path)
        self._local = threading.local()
        conn = self._conn()
        tables = _tables(conn)
        if "aliases" not in tables:
            raise DatabaseError(f"{self.path} is not a kozh glossary database (no aliases table)")
        if "alias_keys" not in tables or "keys_dirty" not in tables or "meta" not in tables:
            raise StaleKeys("no alias_keys table")
        row = conn.execute("SELECT value FROM meta WHERE key = 'keys_version'").fetchone()
        if row is None or row[0] != KEYS_VERSION:
            raise StaleKeys("alias_keys was made by another version of the key code")
        if conn.execute("SELECT 1 FROM keys_dirty LIMIT 1").fetchone():
            raise StaleKeys("aliases changed after their keys were made")
        self.ctx = K.KeyContext.from_rows(conn.execute(
            "SELECT kind, key FROM alias_keys WHERE entity_id = '' ORDER BY rowid"))
        self._has_redirects = "redirects" in tables

    def _conn(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = self._local.conn = connect_ro(self.path)
        return conn

    def __len__(self) -> int:
        return self._conn().execute("SELECT count(*) FROM aliases").fetchone()[0]

    def lookup(self, kind: str, keys: Iterable[str]) -> dict[str, list[int]]:
        keys = list(dict.fromkeys(keys))
        out: dict[str, list[int]] = defaultdict(list)
        for i in range(0, len(keys), 500):
            chunk = keys[i:i + 500]
            sql = (f"SELECT key, alias_id FROM alias_keys WHERE kind = ? AND key IN ({','.join('?' * len(chunk))})")
            for key, alias_id in self._conn().execute(sql, (kind, *chunk)):
                out[key].append(alias_id)
        return dict(out)

    def aliases(self, ids: Iterable[int]) -> dict[int, AliasRow]:
        ids = list(dict.fromkeys(ids))
        out = {}
        for i in range(0, len(ids), 500):
            chunk = ids[i:i + 500]
            for r in self._conn().execute(
                    f"SELECT id, entity_id, text, lang, status, count, origin FROM aliases "
                    f"WHERE id IN ({','.join('?' * len(chunk))})", chunk):
                out[r[0]] = AliasRow(*r)
        return out

    def entities(self, ids: Iterable[str]) -> dict[str, EntityRow]:
        ids = list(dict.fromkeys(ids))
        out = {}
        for i in range(0, len(ids), 500):
            chunk = ids[i:i + 500]
            for r in self._conn().execute(
                    f"SELECT id, kind, ko, zh, en FROM entities WHERE id IN ({','.join('?' * len(chunk))})", chunk):
                out[r[0]] = EntityRow(*r)
        return out

    def entity_aliases(self, entity_id: str) -> list[AliasRow]:
        return [AliasRow(*r) for r in self._conn().execute(
            "SELECT id, entity_id, text, lang, status, count, origin FROM aliases WHERE entity_id = ? "
            "ORDER BY lang, text", (entity_id,))]

    def live_id(self, entity_id: str) -> str | None:
        seen = set()
        conn = self._conn()
        while entity_id not in seen:
            seen.add(entity_id)
            if conn.execute("SELECT 1 FROM entities WHERE id = ?", (entity_id,)).fetchone():
                return entity_id
            if not self._has_redirects:
                return None
            row = conn.execute("SELECT new_id FROM redirects WHERE old_id = ?", (entity_id,)).fetchone()
            if row is None:
                return None
            entity_id = row[0]
        return None

    def _extra(self, alias_id: int, kind: str) -> str | None:
        row = self._conn().execute("SELECT key FROM alias_keys WHERE alias_id = ? AND kind = ?",
                                   (alias_id, kind)).fetchone()
        return row[0] if row else None

    def simplified(self, alias: AliasRow) -> str:
        stored = self._extra(alias.id, "zh")  # stored, so a query needs no OpenCC
        return stored if stored is not None else super().simplified(alias)

    def lattice(self, alias: AliasRow) -> K.Lattice:
        stored = self._extra(alias.id, "lat")
        return K.decode_lattice(stored) if stored is not None else super().lattice(alias)

    def tone(self, alias: AliasRow) -> str:
        stored = self._extra(alias.id, "tone")
        return stored if stored is not None else super().tone(alias)

    def standard_hangul(self, alias: AliasRow) -> str | None:
        return self._extra(alias.id, "trh")


class StaleKeys(Exception):
    """alias_keys is missing or older than the aliases: the caller builds keys in memory instead."""


def open_index(db_path: str | os.PathLike[str]) -> Index:
    """The stored keys when they are current; otherwise an in-memory index built from the aliases."""
    try:
        return SqliteIndex(db_path)
    except StaleKeys:
        conn = connect_ro(db_path)
        try:
            aliases, kinds = _read_aliases(conn)
        finally:
            conn.close()
        index = MemoryIndex([(a.entity_id, a.text, a.lang, a.status, a.count, a.origin) for a in aliases],
                            kinds=kinds)
        return _DbMemoryIndex(index, db_path, aliases)


class _DbMemoryIndex(Index):
    """A MemoryIndex over a database whose keys are stale: alias ids are the database's."""

    def __init__(self, inner: MemoryIndex, path, aliases: list[AliasRow]):
        self._inner = inner
        self._rows = aliases  # position i in inner is aliases[i]
        self._db = SqliteIndex.__new__(SqliteIndex)
        self._db.path = Path(path)
        self._db._local = threading.local()
        self._db._has_redirects = "redirects" in _tables(self._db._conn())
        self.ctx = inner.ctx

    def __len__(self) -> int:
        return len(self._rows)

    def lookup(self, kind, keys):
        return {k: [self._rows[i].id for i in v] for k, v in self._inner.lookup(kind, keys).items()}

    def aliases(self, ids):
        return self._db.aliases(ids)

    def entities(self, ids):
        return self._db.entities(ids)

    def entity_aliases(self, entity_id):
        return self._db.entity_aliases(entity_id)

    def live_id(self, entity_id):
        return self._db.live_id(entity_id)
