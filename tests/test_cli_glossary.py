"""`kozh build`, `stats`, curation, `resolve` and `lookup` through the command line."""
import json
import os
import subprocess
import sys

import pytest
from click.testing import CliRunner

from cli import main

ARTICLE = "중국 최대 배터리 업체 닝더스다이(宁德时代)는 푸젠(福建)성에 있다. 비야디(比亚迪)와 경쟁한다.\n"


def kozh(*args, input=None, env=None):
    """Run kozh in a fresh process, as a user would."""
    return subprocess.run([sys.executable, "-m", "cli", *args], input=input, capture_output=True, text=True,
                          env={**os.environ, **(env or {})})


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    folder = tmp_path_factory.mktemp("glossary")
    (folder / "article.txt").write_text(ARTICLE, encoding="utf-8")
    path = folder / "g.sqlite"
    proc = kozh("build", "--db", str(path), str(folder / "article.txt"))
    assert proc.returncode == 0, proc.stderr
    assert "1 files (1 added" in proc.stderr and "3 pairs" in proc.stderr
    return path


def test_build_is_idempotent_and_reports_bad_files(db, tmp_path):
    bad = tmp_path / "bad.bin"
    bad.write_bytes(b"\x00\x01\x02" * 100)
    proc = kozh("build", "--db", str(db), str(bad))
    assert proc.returncode == 2
    assert f"kozh: error: {bad}: binary file" in proc.stderr and "Traceback" not in proc.stderr
    stats = json.loads(kozh("stats", "--db", str(db), "--json").stdout)
    assert stats["documents"] == 1 and stats["mentions"] == 3


def test_resolve_json_contract_in_input_order(db):
    proc = kozh("resolve", "--db", str(db), "--json", "-", input="寧德時代\n비아적\n\nHooli Dynamics\n")
    assert proc.returncode == 0, proc.stderr
    rows = [json.loads(line) for line in proc.stdout.splitlines()]
    assert [r["query"] for r in rows] == ["寧德時代", "비아적", "Hooli Dynamics"]
    assert rows[0]["match"]["zh"] == "宁德时代" and rows[0]["match"]["method"] in ("exact", "script-variant")
    assert rows[1]["match"]["zh"] == "比亚迪" and rows[1]["match"]["method"] in ("exact", "sino-korean")
    assert rows[2]["match"] is None
    assert set(rows[0]["match"]) == {"entity_id", "zh", "ko", "en", "alias", "method", "score", "why"}
    assert isinstance(rows[0]["candidates"], list)


def test_lookup_card_and_unknown_name(db):
    proc = kozh("lookup", "--db", str(db), "닝더스다이")
    assert proc.returncode == 0
    assert "宁德时代" in proc.stdout and "寧德時代" in proc.stdout and "níng dé shí dài" in proc.stdout
    assert "article.txt:1:" in proc.stdout
    card = json.loads(kozh("lookup", "--db", str(db), "--json", "Ningde Shidai").stdout)
    assert card["zh"] == "宁德时代" and card["sources"][0]["line"] == 1
    assert kozh("lookup", "--db", str(db), "샤오윈커지").returncode == 1


def test_curation_through_the_cli_survives_rebuild(db, tmp_path):
    assert kozh("alias", "add", "--db", str(db), "닝더스다이", "CATL").returncode == 0
    assert kozh("prefer", "--db", str(db), "宁德时代", "CATL").returncode == 0
    proc = kozh("build", "--db", str(db), "--relink", str(db.parent / "article.txt"))
    assert proc.returncode == 0, proc.stderr
    card = json.loads(kozh("lookup", "--db", str(db), "--json", "CATL").stdout)
    assert card["en"] == "CATL"


@pytest.mark.parametrize("args,message", [
    (["resolve", "--json", ""], "empty"),
    (["resolve", "a\x07b"], "control"),
    (["resolve", "x" * 5000], "long"),
    (["prefer", "宁德时代", "없는이름"], "no alias"),
])
def test_bad_input_is_a_clear_error(db, args, message):
    proc = kozh(*args[:1], "--db", str(db), *args[1:]) if args[0] != "prefer" else kozh("prefer", "--db", str(db), *args[1:])
    assert proc.returncode == 2
    assert proc.stderr.startswith("kozh: error:") and message in proc.stderr.lower() and "Traceback" not in proc.stderr


def test_missing_and_corrupt_database(tmp_path):
    proc = kozh("resolve", "--db", str(tmp_path / "none.sqlite"), "CATL")
    assert proc.returncode == 2 and proc.stderr.startswith("kozh: error:")
    junk = tmp_path / "junk.sqlite"
    junk.write_bytes(os.urandom(4096))
    for args in (["stats"], ["resolve", "CATL"], ["lookup", "CATL"]):
        proc = kozh(args[0], "--db", str(junk), *args[1:])
        assert proc.returncode == 2 and proc.stderr.startswith("kozh: error:"), (args, proc.stderr)


def test_kozh_db_environment_variable(db):
    proc = kozh("resolve", "--json", "比亞迪", env={"KOZH_DB": str(db)})
    assert json.loads(proc.stdout)["match"]["zh"] == "比亚迪"


def test_default_is_the_shipped_glossary():
    result = CliRunner().invoke(main, ["resolve", "--json", "화중과기대학"], env={"KOZH_DB": ""})
    assert json.loads(result.output)["match"]["zh"] == "华中科技大学"


def test_export_import_round_trip_through_the_cli(db, tmp_path):
    tbx = tmp_path / "g.tbx"
    assert kozh("export", "--db", str(db), "--format", "tbx", "-o", str(tbx)).returncode == 0
    fresh = tmp_path / "fresh.sqlite"
    empty = tmp_path / "empty.txt"
    empty.write_text("", encoding="utf-8")
    assert kozh("build", "--db", str(fresh), str(empty)).returncode == 0
    proc = kozh("import", "--db", str(fresh), str(tbx))
    assert proc.returncode == 0, proc.stderr
    again = kozh("import", "--db", str(fresh), str(tbx))
    assert "(0 new, 0 merged" in again.stderr  # idempotent
    row = json.loads(kozh("resolve", "--db", str(fresh), "--json", "닝더스다이").stdout)
    assert row["match"]["zh"] == "宁德时代"


def test_import_of_malformed_xml_is_a_clear_error(db, tmp_path):
    bad = tmp_path / "bad.tbx"
    bad.write_text("<tbx><text><body><conceptEntry>", encoding="utf-8")
    proc = kozh("import", "--db", str(db), str(bad))
    assert proc.returncode == 2 and proc.stderr.startswith("kozh: error:") and "Traceback" not in proc.stderr


def test_check_exit_codes_json_and_html(db, tmp_path):
    clean = tmp_path / "clean.txt"
    clean.write_text("닝더스다이(宁德时代)는 닝더스다이다운 회사다.\n", encoding="utf-8")
    assert kozh("check", "--db", str(db), str(clean)).returncode == 0
    drift = tmp_path / "drift.txt"
    drift.write_text("비야디(比亚迪)는 비아적으로도 쓴다. 닝더스다이(比亚迪)는 틀렸다.\n", encoding="utf-8")
    html = tmp_path / "report.html"
    proc = kozh("check", "--db", str(db), "--json", "--html", str(html), str(drift))
    assert proc.returncode == 1, proc.stderr
    rows = [json.loads(line) for line in proc.stdout.splitlines()]
    assert all(set(r) == {"file", "line", "col", "rule", "text", "entity_id", "suggestion", "message"} for r in rows)
    rules = {r["rule"] for r in rows}
    assert "variant" in rules and "bracket-conflict" in rules
    assert "<html" in html.read_text(encoding="utf-8").lower()
    binary = tmp_path / "b.bin"
    binary.write_bytes(b"\x00" * 64)
    proc = kozh("check", "--db", str(db), str(binary), str(clean))
    assert proc.returncode == 2 and f"kozh: error: {binary}:" in proc.stderr


def test_check_unknown_rule_is_an_error(db, tmp_path):
    f = tmp_path / "a.txt"
    f.write_text("텍스트\n", encoding="utf-8")
    proc = kozh("check", "--db", str(db), "--rules", "spelling", str(f))
    assert proc.returncode == 2 and proc.stderr.startswith("kozh: error:")


def test_check_a_50_mb_single_line_file(db, tmp_path):
    big = tmp_path / "one-line.txt"
    filler = "배터리 시장은 올해도 크게 성장했다. "
    with big.open("w", encoding="utf-8") as f:
        f.write("비야디(比亚迪)는 ")
        f.write(filler * (50_000_000 // len(filler.encode("utf-8")) + 1))
        f.write("비아적과 경쟁한다.")
    proc = kozh("check", "--db", str(db), "--json", "--rules", "variant", str(big))
    assert proc.returncode == 1, proc.stderr[-500:]
    first = json.loads(proc.stdout.split("\n", 1)[0])
    assert first["rule"] == "variant" and first["line"] == 1
