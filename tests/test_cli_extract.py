"""`kozh extract`: the JSON contract, stdin, and bad input next to good input."""
import json
import subprocess
import sys

from click.testing import CliRunner

from cli import main

TEXT = "닝더스다이(宁德时代)는\n상하이시민항구(闵行区)인민정부와 CATL(宁德时代)\n"


def run(*args, input=None):
    return CliRunner().invoke(main, list(args), input=input)


def test_json_contract(tmp_path):
    f = tmp_path / "a.txt"
    f.write_text(TEXT, encoding="utf-8")
    result = run("extract", "--json", str(f))
    assert result.exit_code == 0
    rows = [json.loads(line) for line in result.output.splitlines()]
    assert [(r["line"], r["col"], r["ko"], r["zh"], r["en"]) for r in rows] == [
        (1, 6, "닝더스다이", "宁德时代", None), (2, 8, "민항구", "闵行区", None), (2, 23, "CATL", "宁德时代", "CATL")]
    assert all(r["file"] == str(f) for r in rows)
    assert {"file", "line", "col", "ko", "zh", "en", "kind", "score"} <= set(rows[0])
    assert rows[1]["suffix_after"] == "인민정부"


def test_stdin_and_readable_table():
    result = run("extract", "-", input=TEXT.encode("utf-8"))
    assert result.exit_code == 0
    assert result.output.splitlines()[0].split("\t")[:3] == ["-:1:6", "닝더스다이", "宁德时代"]


def test_legacy_encodings(tmp_path):
    f = tmp_path / "euckr.txt"
    f.write_bytes("지아딩(嘉定)과 북경(北京)".encode("cp949"))
    g = tmp_path / "gb.txt"
    g.write_bytes("宁德时代新能源科技股份有限公司位于福建省宁德市。닝더(宁德)".encode("gb18030"))
    result = run("extract", "--json", str(f), str(g))
    assert result.exit_code == 0
    assert [json.loads(x)["zh"] for x in result.output.splitlines()] == ["嘉定", "北京", "宁德"]


def test_binary_file_is_an_error_but_other_files_are_still_processed(tmp_path):
    bad = tmp_path / "image.png"
    bad.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    good = tmp_path / "good.txt"
    good.write_text(TEXT, encoding="utf-8")
    proc = subprocess.run([sys.executable, "-m", "cli", "extract", "--json", str(bad), str(good)],
                          capture_output=True, text=True)
    assert proc.returncode == 2
    assert proc.stderr.startswith(f"kozh: error: {bad}: binary file")
    assert "Traceback" not in proc.stderr
    assert len(proc.stdout.splitlines()) == 3


def test_missing_file_and_directory(tmp_path):
    result = CliRunner().invoke(main, ["extract", str(tmp_path / "nope.txt"), str(tmp_path)])
    assert result.exit_code == 2
    assert "kozh: error:" in result.output and "no such file" in result.output and "is a directory" in result.output


def test_empty_file_gives_nothing(tmp_path):
    f = tmp_path / "empty.txt"
    f.write_bytes(b"")
    result = run("extract", "--json", str(f))
    assert result.exit_code == 0 and result.output == ""


def test_usage_errors_use_the_house_format():
    proc = subprocess.run([sys.executable, "-m", "cli", "extract"], capture_output=True, text=True)
    assert proc.returncode == 2
    assert proc.stderr.startswith("kozh: error: Missing argument") and "kozh extract --help" in proc.stderr
    proc = subprocess.run([sys.executable, "-m", "cli", "nosuch"], capture_output=True, text=True)
    assert proc.returncode == 2 and proc.stderr.startswith("kozh: error: No such command")
