"""Which glossary a command uses when none is named: the shipped reference glossary or the user's own.

The shipped glossary (data/aliases.sqlite and data/curated/*.csv, installed as package `kozh_data`) is
read-only reference data: kozh reads it immutable and never writes it. The first edit without --db or
$KOZH_DB creates the user glossary, a copy of the shipped one in the platform's user data folder
(platformdirs: ~/.local/share/kozh on Linux), and every later command uses that copy. When an upgrade of
kozh ships a different glossary, the next command brings the new reference into the user glossary: the
shipped documents' mentions and curated files are taken over and entities relinked, which replays the
user's curation log, so the user's edits stay on top of the new reference.
"""
from __future__ import annotations

import os
import sqlite3
import sys
from importlib.resources import files
from pathlib import Path

# the user glossary remembers which shipped glossary it carries (the shipped linked_state)
SHIPPED_STATE = "shipped_state"


def data_dir() -> Path:
    """The data/ folder of this checkout when running from one, else that of the installed package."""
    checkout = Path(__file__).resolve().parents[1]
    if (checkout / "pyproject.toml").is_file() and (checkout / "data" / "aliases.sqlite").is_file():
        return checkout / "data"
    return Path(str(files("kozh_data")))


def shipped_db_path() -> Path:
    return data_dir() / "aliases.sqlite"


def user_db_path() -> Path:
    """The user's own glossary: $KOZH_HOME/aliases.sqlite if set, else in the platform's user data folder."""
    home = os.environ.get("KOZH_HOME")
    if home:
        return Path(home) / "aliases.sqlite"
    import platformdirs

    return platformdirs.user_data_path("kozh", appauthor=False) / "aliases.sqlite"


def curated_files() -> list[Path]:
    return sorted((data_dir() / "curated").glob("*.csv"))


def default_db_path(*, write: bool = False) -> Path:
    """$KOZH_DB if set; else the user glossary if it exists (brought up to the shipped reference first);
    else, for a write, the user glossary created from the shipped one; else the shipped glossary."""
    env = os.environ.get("KOZH_DB")
    if env:
        return Path(env)
    user = user_db_path()
    if user.exists():
        update_user_db(user)
        return user
    if write:
        create_user_db(user)
        return user
    return shipped_db_path()


def _shipped_state() -> str | None:
    from glossary.store import connect, get_meta

    conn = connect(shipped_db_path())
    try:
        return get_meta(conn, "linked_state")
    finally:
        conn.close()


def create_user_db(user: Path) -> None:
    """Copy the shipped glossary to `user` (SQLite's backup API, then an atomic rename: never half-written)."""
    from glossary.errors import DatabaseError
    from glossary.store import connect, open_db, set_meta, transaction

    try:
        user.parent.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise DatabaseError(f"cannot create the user glossary folder {user.parent}: {e.strerror}") from None
    partial = user.with_name(user.name + ".partial")
    partial.unlink(missing_ok=True)
    source = connect(shipped_db_path())
    try:
        target = sqlite3.connect(partial)
        try:
            source.backup(target)
        finally:
            target.close()
    except sqlite3.Error as e:
        partial.unlink(missing_ok=True)
        raise DatabaseError(f"cannot create the user glossary {user}: {e}") from None
    finally:
        source.close()
    db = open_db(partial, write=True)  # migrates the copy to this kozh's schema and keys
    try:
        with transaction(db) as conn:
            set_meta(conn, SHIPPED_STATE, _shipped_state() or "")
    finally:
        db.close()
    os.replace(partial, user)


def update_user_db(user: Path) -> list[str]:
    """Bring a newer shipped glossary into the user glossary, keeping the user's edits; returns the curation
    ops that no longer apply (also printed on stderr). Nothing happens when the user glossary already carries
    the shipped one."""
    from glossary.build import default_curated, read_curated, relink
    from glossary.store import MENTION_COLUMNS, connect, document_hashes, get_meta, open_db, replace_document, \
        set_meta, transaction

    state = _shipped_state() or ""
    conn = connect(user)
    try:
        carried = get_meta(conn, SHIPPED_STATE) if conn.execute(
            "SELECT 1 FROM sqlite_master WHERE name = 'meta'").fetchone() else None
    finally:
        conn.close()
    if carried is None or carried == state:
        return []  # not a glossary made from the shipped one, or already current
    entries = read_curated(default_curated())
    source = connect(shipped_db_path())
    db = open_db(user, write=True)
    try:
        with transaction(db) as conn:
            have = document_hashes(conn)
            columns = ", ".join(MENTION_COLUMNS)
            for doc_id, path, sha256, size in source.execute("SELECT id, path, sha256, size FROM documents"):
                if have.get(path) != sha256:
                    rows = source.execute(f"SELECT {columns} FROM mentions WHERE document_id = ? ORDER BY seq",
                                          (doc_id,)).fetchall()
                    replace_document(conn, path, sha256, size, [dict(zip(MENTION_COLUMNS, r)) for r in rows])
            _, problems = relink(conn, entries)
            set_meta(conn, SHIPPED_STATE, state)
    finally:
        db.close()
        source.close()
    for problem in problems:
        print(f"kozh: {user}: curation no longer applies after the glossary update: {problem}", file=sys.stderr)
    return problems
