"""build(): incremental, per-document transactions, parallel extraction, determinism, curated CSVs."""
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from glossary.build import build, expand_paths, read_curated, snippet
from glossary.errors import KozhError

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"
TABLES = ("meta", "entities", "aliases", "documents", "mentions", "redirects", "curation")


def needs_extractor():
    try:
        from glossary.pairs import extract_pairs  # noqa: F401
        from glossary.text import read_text  # noqa: F401
    except ImportError as e:
        pytest.skip(f"extractor not available yet ({e})")


@pytest.fixture
def corpus(tmp_path):
    needs_extractor()
    if not CORPUS.is_dir():
        pytest.skip(f"corpus not found at {CORPUS}")
    folder = tmp_path / "corpus"
    shutil.copytree(CORPUS, folder)
    return folder


def dump(db_path):
    """Every row of every table, sorted: what 'byte-identical content' means here."""
    conn = sqlite3.connect(db_path)
    try:
        return {t: sorted(conn.execute(f"SELECT * FROM {t}"), key=repr) for t in TABLES}
    finally:
        conn.close()


def rows(db_path, sql, *params):
    conn = sqlite3.connect(db_path)
    try:
        return conn.execute(sql, params).fetchall()
    finally:
        conn.close()


# ---------------------------------------------------------------- without the extractor


def test_expand_paths_sorted_text_only_hidden_skipped(tmp_path):
    (tmp_path / "b").mkdir()
    (tmp_path / ".git").mkdir()
    (tmp_path / "b" / "z.txt").write_text("x")
    (tmp_path / "b" / "a.md").write_text("x")
    (tmp_path / "notes").write_text("plain text without extension")
    (tmp_path / "image.png").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00")
    (tmp_path / "utf16.txt").write_bytes("안녕".encode("utf-16"))
    (tmp_path / ".hidden.txt").write_text("x")
    (tmp_path / ".git" / "config.txt").write_text("x")
    found = expand_paths([tmp_path, tmp_path / "b" / "z.txt", "missing.txt"])
    assert [os.path.relpath(p, tmp_path) for p in found[:4]] == ["b/a.md", "b/z.txt", "notes", "utf16.txt"]
    assert found[4:] == ["missing.txt"]  # named files are kept as given; reading them reports problems


def test_snippet_is_one_line_of_at_most_100_chars():
    text = "앞" * 300 + "\n상하이 지아딩(嘉定)\t구 " + "뒤" * 300
    start, end = text.index("상하이"), text.index(")") + 1
    s = snippet(text, start, end)
    assert len(s) == 100 and "\n" not in s and "\t" not in s and "상하이 지아딩(嘉定) 구" in s
    assert snippet("가(加)", 0, 4) == "가(加)"
    assert snippet("x" * 500, 0, 500) == "x" * 100


def write_csv(path, text):
    path.write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")
    return path


def test_read_curated(tmp_path):
    path = write_csv(tmp_path / "places.csv", """
        kind,zh,zh_other,ko,ko_other,en,note
        place,成都市,成都,청두시,청두;성도,Chengdu,capital of Sichuan

        org,中兴通讯,中兴；中興通訊,중싱통신,,ZTE,
    """)
    first, second = read_curated([path])
    assert (first.kind, first.zh, first.zh_other, first.ko, first.ko_other, first.en) == (
        "place", "成都市", ("成都",), "청두시", ("청두", "성도"), ("Chengdu",))
    assert first.source == f"{path}:2"
    assert (second.zh_other, second.ko_other, second.source) == (("中兴", "中興通訊"), (), f"{path}:4")


@pytest.mark.parametrize("content, message", [
    ("kind,zh,ko,en\nplace,成都,청두,Chengdu\n", r"line 1: header must be .*missing column\(s\): zh_other, ko_other, note"),
    ("zh,kind,zh_other,ko,ko_other,en,note\n", "line 1: header must be"),
    ("", r"line 1: .*\(empty file\)"),
    ("kind,zh,zh_other,ko,ko_other,en,note\nplace,成都市,,청두\n", "line 2: expected 7 fields, got 4"),
    ("kind,zh,zh_other,ko,ko_other,en,note\ncity,成都市,,청두,,,\n", "line 2: unknown kind 'city'"),
    ("kind,zh,zh_other,ko,ko_other,en,note\nplace,,,청두,,,\n", "line 2: zh '' has no Chinese"),
])
def test_bad_curated_csv_names_file_and_line(tmp_path, content, message):
    path = tmp_path / "bad.csv"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(KozhError, match=f"bad.csv: {message}"):
        read_curated([path])
    with pytest.raises(KozhError, match="bad.csv"):
        build(tmp_path / "g.sqlite", [], curated=[path])
    assert not (tmp_path / "g.sqlite").exists()  # nothing written for a bad input


def test_curated_only_build(tmp_path):
    path = write_csv(tmp_path / "places.csv", """
        kind,zh,zh_other,ko,ko_other,en,note
        place,成都市,成都,청두시,청두;성도,Chengdu,
    """)
    report = build(tmp_path / "g.sqlite", [], curated=[path])
    assert report.relinked and report.entities == 1 and report.files == 0
    ((entity_id, kind, ko, zh, en),) = rows(tmp_path / "g.sqlite", "SELECT * FROM entities")
    assert (kind, ko, zh, en) == ("place", "청두시", "成都市", "Chengdu")
    assert rows(tmp_path / "g.sqlite", "SELECT lang, text, status, origin FROM aliases ORDER BY id") == [
        ("ko", "성도", "admitted", "curated"), ("ko", "청두", "admitted", "curated"),
        ("ko", "청두시", "preferred", "curated"), ("zh-Hans", "成都", "admitted", "curated"),
        ("zh-Hans", "成都市", "preferred", "curated"), ("en", "Chengdu", "admitted", "curated"),
        ("pinyin", "chéng dū shì", "preferred", "generated")]


# ---------------------------------------------------------------- with the extractor


def test_build_corpus_then_rebuild_is_a_no_op(tmp_path, corpus):
    db = tmp_path / "g.sqlite"
    seen = []
    report = build(db, [corpus], jobs=2, curated=[], progress=lambda done, total, path: seen.append((done, total)))
    assert (report.files, report.added, report.updated, report.unchanged, report.failed) == (3, 3, 0, 0, [])
    assert seen == [(1, 3), (2, 3), (3, 3)]
    docs = rows(db, "SELECT path, size, pairs FROM documents ORDER BY path")
    assert [Path(p).name for p, _, _ in docs] == sorted(p.name for p in CORPUS.iterdir())
    assert [size for _, size, _ in docs] == [p.stat().st_size for p in sorted(CORPUS.iterdir())]
    assert sum(n for _, _, n in docs) == report.mentions == rows(db, "SELECT count(*) FROM mentions")[0][0]
    assert report.mentions > 100 and report.entities > 50
    # every mention is linked through its zh alias; snippets are short
    assert rows(db, "SELECT count(*) FROM mentions WHERE zh_alias_id IS NULL") == [(0,)]
    assert rows(db, "SELECT max(length(snippet)) FROM mentions")[0][0] <= 100
    print(f"\ncorpus build: {report}")

    before = dump(db)
    again = build(db, [corpus], jobs=2, curated=[])
    assert (again.unchanged, again.added, again.relinked) == (3, 0, False)
    forced = build(db, [corpus], jobs=2, curated=[], relink_always=True)
    assert forced.relinked and dump(db) == before


def test_same_inputs_give_identical_tables(tmp_path, corpus):
    a, b = tmp_path / "a.sqlite", tmp_path / "b.sqlite"
    build(a, [corpus], jobs=2, curated=[])
    build(b, sorted(corpus.iterdir(), reverse=True), jobs=1, curated=[])  # other order, no worker pool
    da, db_ = dump(a), dump(b)
    # the document rows hold the paths as given, which are the same files here
    assert da == db_


def test_changed_file_replaces_only_its_mentions(tmp_path, corpus):
    db = tmp_path / "g.sqlite"
    build(db, [corpus], curated=[])
    first, *others = sorted(corpus.iterdir())
    untouched = rows(db, "SELECT m.* FROM mentions m JOIN documents d ON d.id = m.document_id "
                         "WHERE d.path != ? ORDER BY m.document_id, m.seq", str(first))
    first.write_text("새 문서: 닝더스다이(宁德时代)와 CATL(宁德时代).\n", encoding="utf-8")
    report = build(db, [corpus], curated=[])
    assert (report.updated, report.unchanged, report.added) == (1, 2, 0)
    assert rows(db, "SELECT ko, zh FROM mentions m JOIN documents d ON d.id = m.document_id WHERE d.path = ? "
                    "ORDER BY seq", str(first)) == [("닝더스다이", "宁德时代"), ("CATL", "宁德时代")]
    after = rows(db, "SELECT m.* FROM mentions m JOIN documents d ON d.id = m.document_id "
                     "WHERE d.path != ? ORDER BY m.document_id, m.seq", str(first))
    # same mentions; only alias ids may move because entities were relinked
    assert [r[:12] + r[15:] for r in after] == [r[:12] + r[15:] for r in untouched]


def test_unreadable_files_are_reported_and_skipped(tmp_path, corpus):
    bad = tmp_path / "binary.txt"
    bad.write_bytes(bytes(range(256)) * 8)
    db = tmp_path / "g.sqlite"
    report = build(db, [corpus, bad, tmp_path / "missing.txt"], curated=[])
    assert report.added == 3
    assert [Path(p).name for p, _ in report.failed] == ["binary.txt", "missing.txt"]
    assert all(message for _, message in report.failed)
    assert rows(db, "SELECT count(*) FROM documents") == [(3,)]


def test_curated_entries_join_corpus_pairs(tmp_path, corpus):
    csv_path = write_csv(tmp_path / "places.csv", """
        kind,zh,zh_other,ko,ko_other,en,note
        place,成都市,成都,청두,성도,Chengdu,
    """)
    db = tmp_path / "g.sqlite"
    build(db, [corpus], curated=[csv_path])
    ((entity_id, ko, zh),) = rows(db, "SELECT id, ko, zh FROM entities WHERE zh = '成都市'")
    assert ko == "청두"
    # the corpus mention 청두(成都) is linked to the curated entity through the zh_other alias
    linked = rows(db, "SELECT a.entity_id, a.text, a.origin, a.count FROM mentions m "
                      "JOIN aliases a ON a.id = m.zh_alias_id WHERE m.zh = '成都'")
    assert linked and all(r[:3] == (entity_id, "成都", "curated") for r in linked)


KILLED_BUILD = """
import sys, time
from glossary.build import build

def progress(done, total, path):
    print(done, flush=True)
    time.sleep(0.05)

build(sys.argv[1], [sys.argv[2]], jobs=2, curated=[], progress=progress)
print("finished", flush=True)
"""


def test_killed_build_leaves_a_valid_resumable_database(tmp_path, corpus):
    many = tmp_path / "many"
    many.mkdir()
    for n in range(4):
        for f in sorted(corpus.iterdir()):
            shutil.copy(f, many / f"{n}_{f.name}")
    total = len(list(many.iterdir()))
    db = tmp_path / "killed.sqlite"
    script = tmp_path / "run.py"
    script.write_text(KILLED_BUILD)
    proc = subprocess.Popen([sys.executable, str(script), str(db), str(many)], stdout=subprocess.PIPE,
                            text=True, start_new_session=True)
    try:
        for line in proc.stdout:
            if line.strip() == "4":
                break
        os.killpg(proc.pid, signal.SIGKILL)  # the build and its extraction workers, mid-build
    finally:
        proc.wait(timeout=60)
    assert proc.returncode == -signal.SIGKILL

    conn = sqlite3.connect(db)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        done = conn.execute("SELECT count(*) FROM documents").fetchone()[0]
        assert 4 <= done < total
        # no document is half written
        assert conn.execute("SELECT count(*) FROM documents d WHERE pairs != "
                            "(SELECT count(*) FROM mentions m WHERE m.document_id = d.id)").fetchone() == (0,)
    finally:
        conn.close()

    report = build(db, [many], curated=[])
    assert report.unchanged == done and report.added == total - done
    fresh = tmp_path / "fresh.sqlite"
    build(fresh, [many], curated=[])
    assert dump(db) == dump(fresh)


def test_documents_extracted_by_other_code_are_extracted_again(tmp_path, corpus, monkeypatch):
    from glossary import build as build_module

    db = tmp_path / "g.sqlite"
    first = build(db, [corpus], curated=[])
    assert first.added == 3
    assert build(db, [corpus], curated=[]).unchanged == 3
    build_module.code_fingerprint.cache_clear()
    monkeypatch.setattr(build_module, "code_fingerprint", lambda: "an improved extractor")
    again = build(db, [corpus], curated=[])
    assert (again.unchanged, again.updated) == (0, 3)
    assert build(db, [corpus], curated=[]).unchanged == 3
