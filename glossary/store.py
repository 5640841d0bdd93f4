"""The glossary database: schema, migrations, opening with clear errors, and the shared write helpers.

Tables (TBX-shaped: one concept = one entity, terms = aliases with a status):
  meta       key/value: schema_version, linked_state
  entities   id (stable), kind, preferred ko / zh / en copied from aliases for fast reads
  aliases    every written form of an entity: lang, status, origin, count of mentions naming it
  documents  one row per input file (path as given, sha256 of its bytes)
  mentions   one row per extracted pair: position, forms, the alias ids they resolved to, a snippet
  redirects  ids that stopped existing (merged) -> the id that absorbed them
  curation   the ordered log of hand edits, replayed after every build
Writes go through `transaction()`: all of it or nothing.
"""
from __future__ import annotations

import contextlib
import hashlib
import json
import os
import sqlite3
from pathlib import Path
from typing import Callable, Iterable, Iterator

import sqlite_utils

from glossary.errors import CurationError, DatabaseError, KozhError
from glossary.link import Alias, Previous, denormalize, fold

LOCKED = "database is locked by another process (another build running?)"


# ---------------------------------------------------------------- schema


def _v1_tables(conn: sqlite3.Connection) -> None:
    # Value lists are spelled out, not imported: a released migration must not change under us.
    statements = [
        "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
        """CREATE TABLE entities (
            id TEXT PRIMARY KEY,
            kind TEXT NOT NULL,
            ko TEXT, zh TEXT, en TEXT)""",
        """CREATE TABLE aliases (
            id INTEGER PRIMARY KEY,
            entity_id TEXT NOT NULL REFERENCES entities(id) ON DELETE CASCADE,
            text TEXT NOT NULL,
            lang TEXT NOT NULL CHECK (lang IN ('ko', 'zh-Hans', 'zh-Hant', 'en', 'pinyin')),
            status TEXT NOT NULL CHECK (status IN ('preferred', 'admitted', 'deprecated')),
            origin TEXT NOT NULL CHECK (origin IN ('attested', 'curated', 'generated')),
            count INTEGER NOT NULL DEFAULT 0,
            UNIQUE (entity_id, lang, text))""",
        """CREATE TABLE documents (
            id TEXT PRIMARY KEY,
            path TEXT NOT NULL UNIQUE,
            sha256 TEXT NOT NULL,
            size INTEGER NOT NULL,
            pairs INTEGER NOT NULL)""",
        """CREATE TABLE mentions (
            document_id TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
            seq INTEGER NOT NULL,
            line INTEGER NOT NULL,
            col INTEGER NOT NULL,
            ko TEXT, zh TEXT NOT NULL, en TEXT,
            kind TEXT NOT NULL,
            score REAL NOT NULL,
            suffix_after TEXT, title TEXT, other_forms TEXT,
            ko_alias_id INTEGER REFERENCES aliases(id) ON DELETE SET NULL,
            zh_alias_id INTEGER REFERENCES aliases(id) ON DELETE SET NULL,
            en_alias_id INTEGER REFERENCES aliases(id) ON DELETE SET NULL,
            snippet TEXT NOT NULL CHECK (length(snippet) <= 100),
            PRIMARY KEY (document_id, seq))""",
        "CREATE TABLE redirects (old_id TEXT PRIMARY KEY, new_id TEXT NOT NULL)",
        "CREATE TABLE curation (seq INTEGER PRIMARY KEY, op TEXT NOT NULL, args TEXT NOT NULL)",
        "CREATE INDEX aliases_text ON aliases(text)",
        "CREATE INDEX aliases_entity ON aliases(entity_id)",
        "CREATE INDEX mentions_document ON mentions(document_id)",
        "CREATE INDEX mentions_ko_alias ON mentions(ko_alias_id)",
        "CREATE INDEX mentions_zh_alias ON mentions(zh_alias_id)",
        "CREATE INDEX mentions_en_alias ON mentions(en_alias_id)",
        "CREATE INDEX redirects_new ON redirects(new_id)",
        "CREATE INDEX entities_zh ON entities(zh)",
    ]
    for sql in statements:
        conn.execute(sql)


def _v2_folded_aliases(conn: sqlite3.Connection) -> None:
    """Lookups by folded form (騰訊 finds 腾讯, 'saic' finds SAIC) without scanning every alias."""
    conn.execute("ALTER TABLE aliases ADD COLUMN folded TEXT NOT NULL DEFAULT ''")
    rows = conn.execute("SELECT id, text, lang FROM aliases").fetchall()
    conn.executemany("UPDATE aliases SET folded = ? WHERE id = ?", [(fold(t, l), i) for i, t, l in rows])
    conn.execute("CREATE INDEX aliases_folded ON aliases(folded)")


def _v3_live_keys(conn: sqlite3.Connection) -> None:
    """The resolver's keys (alias_keys) become part of the schema, kept current in every write transaction:
    triggers list each entity whose aliases (or kind) changed in keys_dirty, and the commit refreshes the
    keys of exactly those entities (resolver.index.refresh_keys). Every entity starts dirty."""
    statements = [
        "DROP TABLE IF EXISTS alias_keys",
        "CREATE TABLE alias_keys (alias_id INTEGER NOT NULL, entity_id TEXT NOT NULL, kind TEXT NOT NULL, "
        "key TEXT NOT NULL)",
        "CREATE INDEX alias_keys_kind_key ON alias_keys(kind, key)",
        "CREATE INDEX alias_keys_alias ON alias_keys(alias_id)",
        "CREATE INDEX alias_keys_entity ON alias_keys(entity_id)",
        "CREATE TABLE keys_dirty (entity_id TEXT PRIMARY KEY) WITHOUT ROWID",
        """CREATE TRIGGER aliases_keys_insert AFTER INSERT ON aliases BEGIN
               INSERT OR IGNORE INTO keys_dirty VALUES (NEW.entity_id); END""",
        """CREATE TRIGGER aliases_keys_delete AFTER DELETE ON aliases BEGIN
               INSERT OR IGNORE INTO keys_dirty VALUES (OLD.entity_id); END""",
        """CREATE TRIGGER aliases_keys_update AFTER UPDATE OF entity_id, text, lang, origin ON aliases BEGIN
               INSERT OR IGNORE INTO keys_dirty VALUES (OLD.entity_id);
               INSERT OR IGNORE INTO keys_dirty VALUES (NEW.entity_id); END""",
        """CREATE TRIGGER entities_keys_kind AFTER UPDATE OF kind ON entities BEGIN
               INSERT OR IGNORE INTO keys_dirty VALUES (NEW.id); END""",
        """CREATE TRIGGER entities_keys_delete AFTER DELETE ON entities BEGIN
               INSERT OR IGNORE INTO keys_dirty VALUES (OLD.id); END""",
        "INSERT INTO keys_dirty SELECT id FROM entities",
        "DELETE FROM meta WHERE key = 'keys_version'",
    ]
    for sql in statements:
        conn.execute(sql)


# Forward-only: MIGRATIONS[n] takes a database at version n to n + 1. Never edit a released step.
MIGRATIONS: list[Callable[[sqlite3.Connection], None]] = [_v1_tables, _v2_folded_aliases, _v3_live_keys]
SCHEMA_VERSION = len(MIGRATIONS)


def schema_version(conn: sqlite3.Connection) -> int:
    """0 for an empty database; None-like errors surface as sqlite3 errors to the caller."""
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    if not tables:
        return 0
    if "meta" not in tables:
        raise DatabaseError("not a kozh glossary database (it has tables but no meta table)")
    row = conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
    if row is None:
        raise DatabaseError("not a kozh glossary database (no schema_version in meta)")
    return int(row[0])


def migrate(conn: sqlite3.Connection, *, target: int = SCHEMA_VERSION) -> int:
    """Apply the missing steps up to target inside the caller's transaction; returns the new version."""
    version = schema_version(conn)
    for step in range(version, target):
        MIGRATIONS[step](conn)
        conn.execute("INSERT OR REPLACE INTO meta (key, value) VALUES ('schema_version', ?)", (str(step + 1),))
    return max(version, target)


# ---------------------------------------------------------------- opening


def _is_lock(error: sqlite3.Error) -> bool:
    return isinstance(error, sqlite3.OperationalError) and ("locked" in str(error) or "busy" in str(error))


def _read_only_reason(path: Path) -> str | None:
    """Why we may not write here. The mode bits are honoured even for root, who would pass os.access:
    a database someone made 0444 is one they do not want changed."""
    if path.exists():
        if not os.access(path, os.W_OK) or not path.stat().st_mode & 0o222:
            return f"database {path} is read-only"
    directory = path.parent if str(path.parent) else Path(".")
    if not os.access(directory, os.W_OK) or not directory.stat().st_mode & 0o222:
        return f"directory {directory} is read-only (SQLite needs to write its journal next to {path.name})"
    return None


def _is_shipped(path: Path) -> bool:
    from glossary.shipped import shipped_db_path

    try:
        return path.resolve() == shipped_db_path().resolve()
    except OSError:
        return False


def _open_error(path: Path, error: sqlite3.Error) -> DatabaseError:
    message = str(error)
    if _is_lock(error):
        return DatabaseError(LOCKED)
    if "readonly" in message or "read-only" in message:
        return DatabaseError(f"database {path} is read-only")
    if "unable to open" in message:
        return DatabaseError(f"cannot open {path}: {'permission denied' if path.exists() else message}")
    return DatabaseError(f"{path} is not a SQLite database (or is corrupt): {message}")


def connect(path: str | os.PathLike[str], *, write: bool = False, create: bool = False,
            timeout: float = 10.0, threads: bool = False) -> sqlite3.Connection:
    """The one way kozh opens a database file; every failure is a DatabaseError with the reason.

    Reads use mode=ro, and immutable=1 where mode=ro cannot work (a WAL database in a directory we may
    not write has no -shm file) and for the shipped glossary, which is reference data nobody writes: a
    read never leaves -wal/-shm files next to the installed copy. The file itself is never open()ed (the
    connection is asked instead): closing any descriptor of a file drops this process's SQLite locks on it.
    threads=True lets the connection move between threads (one user at a time)."""
    path = Path(path)
    if path.is_dir():
        raise DatabaseError(f"{path} is a directory, not a database file")
    if not path.exists():
        if not (create and write):
            raise DatabaseError(f"no database at {path} (run `kozh build` to create one)")
        if str(path.parent) and not path.parent.is_dir():
            raise DatabaseError(f"cannot create database {path}: directory {path.parent} does not exist")
    if write and (reason := _read_only_reason(path)):
        raise DatabaseError(reason)
    uri = path.resolve().as_uri()
    options = dict(uri=True, timeout=timeout, isolation_level=None, check_same_thread=not threads)
    conn = None
    try:
        if write:
            conn = sqlite3.connect(uri + "?mode=rwc", **options)
        elif _is_shipped(path):
            conn = sqlite3.connect(uri + "?mode=ro&immutable=1", **options)
        else:
            conn = sqlite3.connect(uri + "?mode=ro", **options)
            try:
                conn.execute("SELECT count(*) FROM sqlite_master").fetchall()
            except sqlite3.OperationalError as e:
                if _is_lock(e):
                    raise
                conn.close()
                conn = sqlite3.connect(uri + "?mode=ro&immutable=1", **options)
        conn.execute("SELECT count(*) FROM sqlite_master").fetchall()  # "file is not a database" shows here
    except sqlite3.Error as e:
        if conn is not None:
            conn.close()
        raise _open_error(path, e) from None
    return conn


def open_db(path: str | os.PathLike[str], *, write: bool, create: bool = False,
            timeout: float = 10.0) -> sqlite_utils.Database:
    """Open the glossary; every way this can fail is a DatabaseError with the reason.

    write=True migrates an older schema forward and needs a writable file and directory;
    create=True makes a new database when none exists. `timeout` is how long to wait for a lock."""
    path = Path(path)
    exists = path.exists()
    conn = connect(path, write=write, create=create, timeout=timeout)
    try:
        conn.execute("PRAGMA foreign_keys = ON")
        if write:
            if conn.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
                conn.execute("PRAGMA journal_mode = WAL")
            with _begin(conn):
                version = schema_version(conn)
                if version > SCHEMA_VERSION:
                    raise _too_new(path, version)
                if version == 0 and exists and not create:
                    raise DatabaseError(f"{path} is an empty database, not a kozh glossary")
                migrate(conn)
                _keys_outdated(conn)
        else:
            version = schema_version(conn)
            if version == 0:
                raise DatabaseError(f"{path} is an empty database, not a kozh glossary")
            if version > SCHEMA_VERSION:
                raise _too_new(path, version)
            if version < SCHEMA_VERSION:
                raise DatabaseError(f"database {path} has schema version {version}, this kozh needs "
                                    f"{SCHEMA_VERSION}: run `kozh build` on it to upgrade")
    except KozhError:
        conn.close()
        raise
    except sqlite3.Error as e:
        conn.close()
        raise _open_error(path, e) from None
    return sqlite_utils.Database(conn)


def _keys_outdated(conn: sqlite3.Connection) -> None:
    """Keys written by another version of the key code are all redone at this transaction's commit."""
    from resolver.index import KEYS_VERSION

    if get_meta(conn, "keys_version") != KEYS_VERSION:
        conn.execute("INSERT OR IGNORE INTO keys_dirty SELECT id FROM entities")


def _settle_keys(conn: sqlite3.Connection) -> None:
    """Refresh the keys of the entities this transaction changed, before it commits."""
    if conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'keys_dirty'").fetchone() and \
            conn.execute("SELECT 1 FROM keys_dirty LIMIT 1").fetchone():
        from resolver.index import refresh_keys  # the key code lives with the resolver

        refresh_keys(conn)


def _too_new(path: Path, version: int) -> DatabaseError:
    return DatabaseError(f"database {path} has schema version {version}, newer than this kozh understands "
                     f"({SCHEMA_VERSION}): upgrade kozh")


@contextlib.contextmanager
def _begin(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    # IMMEDIATE takes the write lock up front, so a concurrent build fails here (after the busy
    # timeout) rather than halfway through its work.
    try:
        conn.execute("BEGIN IMMEDIATE")
    except sqlite3.OperationalError as e:
        if _is_lock(e):
            raise DatabaseError(LOCKED) from None
        raise
    try:
        yield conn
        _settle_keys(conn)
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise


@contextlib.contextmanager
def transaction(db: sqlite_utils.Database) -> Iterator[sqlite3.Connection]:
    """One all-or-nothing write. Statements go through the returned connection directly: some
    sqlite-utils versions commit inside their write helpers, which would split the transaction."""
    try:
        with _begin(db.conn) as conn:
            yield conn
    except sqlite3.OperationalError as e:
        if _is_lock(e):
            raise DatabaseError(LOCKED) from None
        raise


@contextlib.contextmanager
def savepoint(conn: sqlite3.Connection, name: str = "kozh_step") -> Iterator[None]:
    """A part of a transaction that can fail alone (one curation op during replay)."""
    conn.execute(f"SAVEPOINT {name}")
    try:
        yield
    except BaseException:
        conn.execute(f"ROLLBACK TO {name}")
        conn.execute(f"RELEASE {name}")
        raise
    conn.execute(f"RELEASE {name}")


def get_meta(conn: sqlite3.Connection, key: str) -> str | None:
    row = conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
    return row[0] if row else None


def set_meta(conn: sqlite3.Connection, key: str, value: str) -> None:
    conn.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (key, value))


# ---------------------------------------------------------------- documents and mentions


MENTION_COLUMNS = ("seq", "line", "col", "ko", "zh", "en", "kind", "score", "suffix_after", "title",
                   "other_forms", "snippet")


def document_id(path: str) -> str:
    """From the path as given, so an incremental build and a fresh one agree on ids."""
    return "d" + hashlib.sha1(path.encode("utf-8")).hexdigest()[:10]


def document_hashes(conn: sqlite3.Connection) -> dict[str, str]:
    return dict(conn.execute("SELECT path, sha256 FROM documents"))


def replace_document(conn: sqlite3.Connection, path: str, sha256: str, size: int,
                     mentions: list[dict]) -> str:
    """Store one document and its mentions, replacing what an older version of it left.
    Alias ids stay NULL until the next relink."""
    doc = document_id(path)
    conn.execute("DELETE FROM mentions WHERE document_id = ?", (doc,))
    conn.execute("INSERT OR REPLACE INTO documents (id, path, sha256, size, pairs) VALUES (?, ?, ?, ?, ?)",
                 (doc, path, sha256, size, len(mentions)))
    columns = ("document_id",) + MENTION_COLUMNS
    rows = []
    for m in mentions:
        row = dict(m, document_id=doc)
        if isinstance(row.get("other_forms"), (list, tuple)):
            row["other_forms"] = json.dumps(list(row["other_forms"]), ensure_ascii=False) if row["other_forms"] else None
        rows.append(tuple(row.get(c) for c in columns))
    conn.executemany(
        f"INSERT INTO mentions ({', '.join(columns)}) VALUES ({', '.join('?' for _ in columns)})", rows)
    return doc


def all_mentions(conn: sqlite3.Connection) -> list[sqlite3.Row]:
    """Every mention in a fixed order (document path, seq): linking input."""
    conn.row_factory = sqlite3.Row
    try:
        return conn.execute(
            "SELECT m.* FROM mentions m JOIN documents d ON d.id = m.document_id ORDER BY d.path, m.seq"
        ).fetchall()
    finally:
        conn.row_factory = None


# ---------------------------------------------------------------- entities and aliases


def previous_entities(conn: sqlite3.Connection, *, exclude: Iterable[str] = ()) -> list:
    """The current entities as id-matching input for the next relink."""
    excluded = set(exclude)
    sigs: dict[str, set] = {}
    for entity_id, lang, text in conn.execute("SELECT entity_id, lang, text FROM aliases ORDER BY id"):
        sigs.setdefault(entity_id, set()).add(("zh" if lang.startswith("zh") else lang, fold(text, lang)))
    out = []
    for entity_id, zh in conn.execute("SELECT id, zh FROM entities ORDER BY id"):
        if entity_id not in excluded:
            out.append(Previous(entity_id, fold(zh, "zh-Hans") if zh else None, frozenset(sigs.get(entity_id, ()))))
    return out


def insert_entity(conn: sqlite3.Connection, entity_id: str, kind: str, aliases: Iterable[Alias]) -> dict:
    """Insert an entity and its aliases; returns {(lang, text): alias id}."""
    conn.execute("INSERT INTO entities (id, kind) VALUES (?, ?)", (entity_id, kind))
    ids = {}
    for a in aliases:
        ids[(a.lang, a.text)] = put_alias(conn, entity_id, a)
    refresh_entity(conn, entity_id)
    return ids


def put_alias(conn: sqlite3.Connection, entity_id: str, a: Alias) -> int:
    # No explicit id: SQLite hands out max(id) + 1, so ids follow insertion order deterministically.
    cur = conn.execute(
        "INSERT INTO aliases (entity_id, text, lang, status, origin, count, folded) VALUES (?, ?, ?, ?, ?, ?, ?)",
        (entity_id, a.text, a.lang, a.status, a.origin, a.count, fold(a.text, a.lang)))
    return cur.lastrowid


def entity_aliases(conn: sqlite3.Connection, entity_id: str) -> list[tuple[int, Alias]]:
    rows = conn.execute("SELECT id, text, lang, status, origin, count FROM aliases WHERE entity_id = ? "
                        "ORDER BY lang, text", (entity_id,))
    return [(r[0], Alias(text=r[1], lang=r[2], status=r[3], origin=r[4], count=r[5])) for r in rows]


def recount(conn: sqlite3.Connection, entity_id: str) -> None:
    """count = mentions that name the alias (a mention whose ko and en are one alias counts once)."""
    conn.execute(
        """UPDATE aliases SET count = (SELECT count(*) FROM (
               SELECT document_id, seq FROM mentions WHERE ko_alias_id = aliases.id
               UNION SELECT document_id, seq FROM mentions WHERE zh_alias_id = aliases.id
               UNION SELECT document_id, seq FROM mentions WHERE en_alias_id = aliases.id))
           WHERE entity_id = ?""", (entity_id,))


def refresh_entity(conn: sqlite3.Connection, entity_id: str) -> None:
    """Copy the preferred forms into the entity row after its aliases changed."""
    ko, zh, en = denormalize(a for _, a in entity_aliases(conn, entity_id))
    conn.execute("UPDATE entities SET ko = ?, zh = ?, en = ? WHERE id = ?", (ko, zh, en, entity_id))


def live_id(conn: sqlite3.Connection, entity_id: str) -> str | None:
    """Follow redirects to an existing entity (chains allowed, cycles cut)."""
    seen = set()
    while entity_id not in seen:
        seen.add(entity_id)
        if conn.execute("SELECT 1 FROM entities WHERE id = ?", (entity_id,)).fetchone():
            return entity_id
        row = conn.execute("SELECT new_id FROM redirects WHERE old_id = ?", (entity_id,)).fetchone()
        if row is None:
            return None
        entity_id = row[0]
    return None


def add_redirect(conn: sqlite3.Connection, old: str, new: str) -> None:
    """old keeps resolving to new; whatever pointed at old now points at new directly."""
    conn.execute("UPDATE redirects SET new_id = ? WHERE new_id = ?", (new, old))
    conn.execute("INSERT OR REPLACE INTO redirects (old_id, new_id) VALUES (?, ?)", (old, new))
    conn.execute("DELETE FROM redirects WHERE old_id = new_id")


def describe(conn: sqlite3.Connection, entity_id: str) -> str:
    row = conn.execute("SELECT kind, zh, ko, en FROM entities WHERE id = ?", (entity_id,)).fetchone()
    if row is None:
        return entity_id
    names = " / ".join(x for x in row[1:] if x)
    return f"{entity_id} ({row[0]}: {names})"


def find_entity(conn: sqlite3.Connection, ref: str) -> str:
    """An entity id, a redirected id, or an alias text naming exactly one entity -> the live id."""
    ref = ref.strip()
    if not ref:
        raise CurationError("empty entity reference")
    if found := live_id(conn, ref):
        return found
    candidates = [r[0] for r in conn.execute(
        "SELECT DISTINCT entity_id FROM aliases WHERE text = ? ORDER BY entity_id", (ref,))]
    if not candidates:
        candidates = [r[0] for r in conn.execute(
            "SELECT DISTINCT entity_id FROM aliases WHERE folded = ? ORDER BY entity_id", (fold(ref),))]
    if len(candidates) == 1:
        return candidates[0]
    if not candidates:
        raise CurationError(f"no entity or alias {ref!r} in the glossary")
    listing = "; ".join(describe(conn, c) for c in candidates)
    raise CurationError(f"{ref!r} is ambiguous, it names {len(candidates)} entities: {listing}")


# ---------------------------------------------------------------- stats


def stats(db_path: str | os.PathLike[str]) -> dict:
    """Counts for `kozh stats`: entities by kind; aliases by lang, status, origin; documents; mentions."""
    db = open_db(db_path, write=False)
    try:
        conn = db.conn

        def grouped(table: str, column: str) -> dict[str, int]:
            return dict(conn.execute(f"SELECT {column}, count(*) FROM {table} GROUP BY {column} ORDER BY {column}"))

        def total(table: str) -> int:
            return conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]

        return {
            "entities": {"total": total("entities"), "by_kind": grouped("entities", "kind")},
            "aliases": {
                "total": total("aliases"),
                "by_lang": grouped("aliases", "lang"),
                "by_status": grouped("aliases", "status"),
                "by_origin": grouped("aliases", "origin"),
            },
            "documents": total("documents"),
            "mentions": total("mentions"),
            "redirects": total("redirects"),
            "curation_ops": total("curation"),
        }
    finally:
        db.close()
