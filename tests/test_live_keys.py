"""Edits take effect at once: every write leaves alias_keys equal to a full rebuild's, readers use the
stored keys after an edit, and the one opener never drops this process's locks."""
from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

import cli
from glossary import curation
from glossary.errors import CurationError, DatabaseError, KozhError
from glossary.store import connect, open_db, transaction
from resolver import Resolver, refresh
from resolver.index import SqliteIndex


def run(*args: str) -> str:
    result = CliRunner().invoke(cli.main, list(args), catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


def resolve_json(db: Path, name: str) -> dict:
    return json.loads(run("resolve", "--db", str(db), "--json", name))


def key_rows(db: Path) -> list[tuple]:
    conn = sqlite3.connect(db)
    try:
        return sorted(conn.execute("SELECT alias_id, entity_id, kind, key FROM alias_keys"))
    finally:
        conn.close()


def test_removing_the_highest_id_alias_and_adding_another_resolves_both_rightly(glossary_copy):
    conn = sqlite3.connect(glossary_copy)
    alias_id, text, liaocheng = conn.execute(
        "SELECT id, text, entity_id FROM aliases ORDER BY id DESC LIMIT 1").fetchone()
    conn.close()
    assert text == "liáo chéng shì"  # the fixture's last alias: the pinyin of 聊城市
    catl = resolve_json(glossary_copy, "CATL")["match"]["entity_id"]

    run("alias", "remove", "--db", str(glossary_copy), liaocheng, text)
    run("alias", "add", "--db", str(glossary_copy), catl, "닝더타임스")  # SQLite hands out the freed id again
    conn = sqlite3.connect(glossary_copy)
    assert conn.execute("SELECT entity_id, text FROM aliases WHERE id = ?", (alias_id,)).fetchone() == \
        (catl, "닝더타임스")
    conn.close()

    removed = resolve_json(glossary_copy, text)["match"]
    assert removed["entity_id"] == liaocheng  # still 聊城市, now through its pinyin, not as an alias
    assert (removed["method"], removed["alias"]) == ("romanization", "聊城市")
    added = resolve_json(glossary_copy, "닝더타임스")["match"]
    assert (added["entity_id"], added["method"], added["score"]) == (catl, "exact", 1.0)
    assert isinstance(Resolver(glossary_copy).index, SqliteIndex)  # the stored keys, not a rebuild in memory


def test_keys_after_many_edits_equal_a_full_rebuild(glossary_copy):
    db = str(glossary_copy)
    byd = curation.alias_add(db, "比亚迪", "비아디")
    curation.alias_add(db, "比亚迪", "比亞迪股份", lang="zh-Hant")
    curation.alias_remove(db, "比亚迪", "비아디")
    curation.prefer(db, "宁德时代", "CATL")
    curation.deprecate(db, "新京报", "신경보")
    weifang = curation.add(db, "place", "潍坊市", ko="웨이팡시", en="Weifang")  # a new place name: context changes
    curation.alias_add(db, weifang, "웨이팡")
    xiaomi = curation.add(db, "org", "小米汽车", ko="샤오미자동차")
    curation.merge(db, byd, xiaomi)
    curation.split(db, byd, ["小米汽车"])
    incremental = key_rows(glossary_copy)
    assert any(kind == "norm" and key == "웨이팡" for _, _, kind, key in incremental)

    refresh(glossary_copy)
    assert key_rows(glossary_copy) == incremental


def test_an_edit_behind_kozhs_back_is_not_served_from_stale_keys(glossary_copy):
    conn = sqlite3.connect(glossary_copy)
    entity = conn.execute("SELECT entity_id FROM aliases WHERE text = '比亚迪'").fetchone()[0]
    conn.execute("INSERT INTO aliases (entity_id, text, lang, status, origin) "
                 "VALUES (?, '우퉁', 'ko', 'admitted', 'curated')", (entity,))
    conn.commit()
    conn.close()
    resolver = Resolver(glossary_copy)
    assert not isinstance(resolver.index, SqliteIndex)  # keys_dirty says the keys lag: built in memory
    assert resolver.resolve("우퉁")[0].entity_id == entity
    refresh(glossary_copy)
    assert isinstance(Resolver(glossary_copy).index, SqliteIndex)


def test_a_failed_edit_leaves_aliases_and_keys_as_they_were(glossary_copy):
    before = key_rows(glossary_copy)
    with pytest.raises(CurationError, match="no entity or alias"):
        curation.alias_add(str(glossary_copy), "没有这个", "없는이름")
    assert key_rows(glossary_copy) == before


def test_errors_have_their_own_classes(tmp_path):
    not_db = tmp_path / "notes.sqlite"
    not_db.write_text("just some notes, not a database\n" * 20)
    with pytest.raises(DatabaseError, match="not a SQLite database"):
        connect(not_db)
    with pytest.raises(DatabaseError, match="no database at"):
        connect(tmp_path / "missing.sqlite")
    with pytest.raises(DatabaseError, match="is a directory"):
        connect(tmp_path)
    assert issubclass(DatabaseError, KozhError)


def test_check_reports_a_bad_database_as_a_cli_error(tmp_path):
    not_db = tmp_path / "notes.sqlite"
    not_db.write_text("just some notes, not a database\n" * 20)
    text = tmp_path / "a.txt"
    text.write_text("닝더스다이(宁德时代)\n", encoding="utf-8")
    result = CliRunner().invoke(cli.main, ["check", "--db", str(not_db), str(text)])
    assert result.exit_code == 2
    assert "not a SQLite database" in result.output and "Traceback" not in result.output


LOCK_PROBE = """
import sqlite3, sys
conn = sqlite3.connect(sys.argv[1], timeout=0, isolation_level=None)
try:
    conn.execute("BEGIN IMMEDIATE")
    print("got the lock")
except sqlite3.OperationalError as e:
    print(e)
"""


def test_reading_while_this_process_writes_keeps_its_lock(glossary_copy):
    """Closing any descriptor of a file drops every POSIX lock the process holds on it: the opener must not
    open() the file while another connection of this process holds its write lock."""
    db = open_db(glossary_copy, write=True)
    try:
        with transaction(db):
            connect(glossary_copy).close()
            Resolver(glossary_copy).resolve("CATL")
            probe = subprocess.run([sys.executable, "-c", LOCK_PROBE, str(glossary_copy)],
                                   capture_output=True, text=True, timeout=60)
            assert probe.stdout.strip() == "database is locked"
    finally:
        db.close()
