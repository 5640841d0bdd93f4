"""Schema, migrations, and every way opening a database can fail."""
import os
import shutil
import sqlite3

import pytest

from glossary.errors import KozhError
from glossary.link import Alias
from glossary.store import (
    LOCKED, MIGRATIONS, SCHEMA_VERSION, find_entity, insert_entity, migrate, open_db, stats, transaction,
)


@pytest.fixture
def db_path(tmp_path):
    path = tmp_path / "g.sqlite"
    open_db(path, write=True, create=True).close()
    return path


def test_create_makes_the_schema(db_path):
    db = open_db(db_path, write=False)
    try:
        assert set(db.table_names()) == {"meta", "entities", "aliases", "mentions", "documents", "redirects",
                                         "curation", "alias_keys", "keys_dirty"}
        assert db.conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone() == (str(SCHEMA_VERSION),)
        assert db.conn.execute("PRAGMA journal_mode").fetchone() == ("wal",)
        assert db.conn.execute("PRAGMA foreign_keys").fetchone() == (1,)
        indexes = {r[0] for r in db.conn.execute("SELECT name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL")}
        assert {"aliases_text", "aliases_entity", "aliases_folded", "mentions_document", "mentions_ko_alias",
                "mentions_zh_alias", "mentions_en_alias", "redirects_new"} <= indexes
        assert db["aliases"].columns_dict == {"id": int, "entity_id": str, "text": str, "lang": str, "status": str,
                                              "origin": str, "count": int, "folded": str}
    finally:
        db.close()


def test_schema_rejects_bad_values(db_path):
    db = open_db(db_path, write=True)
    try:
        with pytest.raises(sqlite3.IntegrityError):
            with transaction(db) as conn:
                insert_entity(conn, "e1", "org", [Alias("x", "klingon", "preferred", "curated")])
        with pytest.raises(sqlite3.IntegrityError):  # foreign keys are on
            with transaction(db) as conn:
                conn.execute("INSERT INTO aliases (entity_id, text, lang, status, origin) "
                             "VALUES ('nobody', 'x', 'ko', 'admitted', 'curated')")
        assert db["entities"].count == 0  # both transactions rolled back whole
    finally:
        db.close()


def test_migration_from_version_1(tmp_path):
    path = tmp_path / "old.sqlite"
    conn = sqlite3.connect(path)
    MIGRATIONS[0](conn)
    conn.execute("INSERT INTO meta VALUES ('schema_version', '1')")
    conn.execute("INSERT INTO entities (id, kind, zh) VALUES ('e1', 'org', '腾讯新闻')")
    conn.execute("INSERT INTO aliases (entity_id, text, lang, status, origin) "
                 "VALUES ('e1', '騰訊新聞', 'zh-Hant', 'admitted', 'attested'), "
                 "('e1', 'Tencent News', 'en', 'preferred', 'attested')")
    conn.commit()
    conn.close()

    with pytest.raises(KozhError, match="schema version 1.*kozh build"):
        open_db(path, write=False)  # reading never upgrades behind the user's back
    open_db(path, write=True).close()
    db = open_db(path, write=False)
    try:
        assert db.conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone() == (str(SCHEMA_VERSION),)
        assert list(db.conn.execute("SELECT text, folded FROM aliases ORDER BY id")) == [
            ("騰訊新聞", "腾讯新闻"), ("Tencent News", "tencentnews")]
        assert find_entity(db.conn, "腾讯新闻") == "e1"  # found through the new folded column
    finally:
        db.close()


def test_migrate_is_idempotent_and_stepwise(tmp_path):
    conn = sqlite3.connect(tmp_path / "x.sqlite")
    assert migrate(conn, target=1) == 1
    assert migrate(conn) == SCHEMA_VERSION
    assert migrate(conn) == SCHEMA_VERSION


def test_missing_file(tmp_path):
    with pytest.raises(KozhError, match="no database at .*nope.sqlite"):
        open_db(tmp_path / "nope.sqlite", write=False)
    with pytest.raises(KozhError, match="no database"):
        open_db(tmp_path / "nope.sqlite", write=True)
    assert not (tmp_path / "nope.sqlite").exists()


def test_missing_directory_on_create(tmp_path):
    with pytest.raises(KozhError, match="does not exist"):
        open_db(tmp_path / "no" / "such.sqlite", write=True, create=True)


def test_directory(tmp_path):
    with pytest.raises(KozhError, match="is a directory"):
        open_db(tmp_path, write=False)


def test_random_bytes(tmp_path):
    path = tmp_path / "junk.sqlite"
    path.write_bytes(os.urandom(4096))
    for write in (False, True):
        with pytest.raises(KozhError, match="not a SQLite database"):
            open_db(path, write=write)


def test_corrupt_after_header(tmp_path, db_path):
    data = bytearray(db_path.read_bytes())
    data[16:] = os.urandom(len(data) - 16)
    path = tmp_path / "corrupt.sqlite"
    path.write_bytes(bytes(data))
    with pytest.raises(KozhError, match="not a SQLite database|corrupt"):
        open_db(path, write=False)


def test_foreign_sqlite_database(tmp_path):
    path = tmp_path / "other.sqlite"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE things (x)")
    conn.commit()
    conn.close()
    with pytest.raises(KozhError, match="not a kozh glossary"):
        open_db(path, write=True, create=True)


def test_empty_file_is_not_a_glossary(tmp_path):
    path = tmp_path / "empty.sqlite"
    path.write_bytes(b"")
    with pytest.raises(KozhError, match="empty database"):
        open_db(path, write=False)
    open_db(path, write=True, create=True).close()  # but build may initialise it
    open_db(path, write=False).close()


def test_newer_schema(db_path):
    conn = sqlite3.connect(db_path)
    conn.execute("UPDATE meta SET value = '999' WHERE key = 'schema_version'")
    conn.commit()
    conn.close()
    for write in (False, True):
        with pytest.raises(KozhError, match="schema version 999, newer than this kozh"):
            open_db(db_path, write=write)


def test_read_only_file(tmp_path, db_path):
    copy = tmp_path / "ro.sqlite"
    shutil.copy(db_path, copy)
    os.chmod(copy, 0o444)
    try:
        # Root passes os.access, so open_db also honours the mode bits: this runs as any user.
        with pytest.raises(KozhError, match="read-only"):
            open_db(copy, write=True)
        open_db(copy, write=False).close()  # reading is fine
    finally:
        os.chmod(copy, 0o644)


def test_read_only_directory(tmp_path, db_path):
    folder = tmp_path / "shipped"
    folder.mkdir()
    shutil.copy(db_path, folder / "g.sqlite")
    os.chmod(folder, 0o555)
    try:
        with pytest.raises(KozhError, match="directory .* is read-only"):
            open_db(folder / "g.sqlite", write=True)
        with pytest.raises(KozhError, match="read-only"):
            open_db(folder / "new.sqlite", write=True, create=True)
        db = open_db(folder / "g.sqlite", write=False)  # an installed, read-only glossary still reads
        assert db["entities"].count == 0
        db.close()
    finally:
        os.chmod(folder, 0o755)


def test_sqlite_itself_refuses_writes_through_a_read_only_connection(db_path):
    # What the mode-bit check stands in for when not root: the read connection cannot write.
    db = open_db(db_path, write=False)
    try:
        with pytest.raises(sqlite3.OperationalError, match="readonly"):
            db.conn.execute("INSERT INTO meta VALUES ('x', 'y')")
    finally:
        db.close()


def test_locked_database(db_path):
    holder = sqlite3.connect(db_path, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        with pytest.raises(KozhError) as caught:
            open_db(db_path, write=True, timeout=0.2)
        assert str(caught.value) == LOCKED == "database is locked by another process (another build running?)"
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    open_db(db_path, write=True, timeout=0.2).close()


def test_lock_taken_after_opening_is_reported_on_write(db_path):
    db = open_db(db_path, write=True, timeout=0.2)
    holder = sqlite3.connect(db_path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        with pytest.raises(KozhError, match="locked by another process"):
            with transaction(db) as conn:
                conn.execute("INSERT INTO meta VALUES ('x', 'y')")
    finally:
        holder.execute("ROLLBACK")
        holder.close()
        db.close()


def test_transaction_is_all_or_nothing(db_path):
    db = open_db(db_path, write=True)
    try:
        with pytest.raises(RuntimeError):
            with transaction(db) as conn:
                insert_entity(conn, "e1", "org", [Alias("甲", "zh-Hans", "preferred", "curated")])
                raise RuntimeError("interrupted")
        assert db["entities"].count == 0 and db["aliases"].count == 0
    finally:
        db.close()


def test_find_entity_by_id_redirect_alias_and_ambiguity(db_path):
    db = open_db(db_path, write=True)
    try:
        with transaction(db) as conn:
            insert_entity(conn, "e1", "place", [Alias("陕西", "zh-Hans", "preferred", "curated"),
                                                Alias("산시", "ko", "preferred", "curated")])
            insert_entity(conn, "e2", "place", [Alias("山西", "zh-Hans", "preferred", "curated"),
                                                Alias("산시", "ko", "preferred", "curated")])
            conn.execute("INSERT INTO redirects VALUES ('e0', 'e1')")
        conn = db.conn
        assert find_entity(conn, "e1") == "e1"
        assert find_entity(conn, "e0") == "e1"
        assert find_entity(conn, "陝西") == "e1"  # folded: traditional finds simplified
        with pytest.raises(KozhError) as caught:
            find_entity(conn, "산시")
        assert str(caught.value) == ("'산시' is ambiguous, it names 2 entities: e1 (place: 陕西 / 산시); "
                                     "e2 (place: 山西 / 산시)")
        with pytest.raises(KozhError, match="no entity or alias"):
            find_entity(conn, "湖北")
        assert conn.execute("SELECT zh, ko, en FROM entities WHERE id = 'e1'").fetchone() == ("陕西", "산시", None)
    finally:
        db.close()


def test_stats(db_path):
    db = open_db(db_path, write=True)
    with transaction(db) as conn:
        insert_entity(conn, "e1", "place", [Alias("陕西", "zh-Hans", "preferred", "curated"),
                                            Alias("陝西", "zh-Hant", "preferred", "generated"),
                                            Alias("산시", "ko", "admitted", "attested")])
    db.close()
    assert stats(db_path) == {
        "entities": {"total": 1, "by_kind": {"place": 1}},
        "aliases": {"total": 3, "by_lang": {"ko": 1, "zh-Hans": 1, "zh-Hant": 1},
                    "by_status": {"admitted": 1, "preferred": 2},
                    "by_origin": {"attested": 1, "curated": 1, "generated": 1}},
        "documents": 0, "mentions": 0, "redirects": 0, "curation_ops": 0,
    }
