"""Hostile and huge input: special files, endless streams, size limits, windowed work over long lines,
output that cannot be written, a full disk, kills at random moments, and fuzzing with arbitrary text.

The fuzz cases per property are HYPOTHESIS_EXAMPLES (default 40, fast enough for CI);
bench/fault_run.py runs the same properties and the kill loop much longer."""
import errno
import os
import random
import resource
import signal
import sqlite3
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import glossary.text as text_module
from glossary.errors import KozhError
from glossary.output import OutputError, atomic_file, database_error
from glossary.pairs import extract_pairs
from glossary.stream import WindowedCheck, iter_pairs
from glossary.text import LineIndex, TextError, decode, open_input, open_stream, read_text
from resolver.check import Checker

ROOT = Path(__file__).resolve().parents[1]
CORPORA = [ROOT.parent / "shared" / "corpus", ROOT.parent / "shared" / "corpus-news"]
ARTICLE = "중국 최대 배터리 업체 닝더스다이(宁德时代)는 푸젠(福建)성에 있다. 비야디(比亚迪)와 경쟁한다.\n"
EXAMPLES = int(os.environ.get("HYPOTHESIS_EXAMPLES", "40"))
FUZZ = settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)


def kozh(*args, input=None, env=None, **kw):
    """Run kozh in a fresh process, as a user would (the timeout is a safety net against a hang)."""
    kw.setdefault("stdout", subprocess.PIPE)
    kw.setdefault("stderr", subprocess.PIPE)
    return subprocess.run([sys.executable, "-m", "cli", *args], input=input,
                          env={**os.environ, "PYTHONPATH": str(ROOT), **(env or {})}, cwd=ROOT, timeout=300, **kw)


def err(proc) -> str:
    return proc.stderr.decode("utf-8")


# ---------------------------------------------------------------- special files and endless streams


@pytest.mark.parametrize("command", ["extract", "check"])
def test_dev_zero_is_refused_without_reading_it(command):
    proc = kozh(command, "/dev/zero")
    assert proc.returncode == 2
    assert err(proc) == ("kozh: error: /dev/zero: not a regular file (a character device); "
                         "to read a stream, pipe it to '-'\n")


@pytest.mark.parametrize("command", ["extract", "check"])
def test_endless_nul_stream_on_stdin_is_refused_after_one_block(command):
    with open("/dev/zero", "rb") as zero:
        proc = kozh(command, "-", stdin=zero)
    assert proc.returncode == 2
    assert err(proc) == "kozh: error: -: binary file (NUL bytes at offset 0)\n"


def test_open_stream_reads_no_further_than_the_first_block():
    class Endless:
        reads = 0

        def read(self, n):
            self.reads += 1
            return b"\0" * n

    stream = Endless()
    with pytest.raises(TextError, match=r"^binary file \(NUL bytes at offset 0\)$"):
        open_stream(stream)
    assert stream.reads == 1


def test_fifo_given_by_name_is_refused_not_waited_on(tmp_path):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    with pytest.raises(TextError) as exc:
        read_text(fifo)
    assert str(exc.value) == "not a regular file (a FIFO (named pipe)); to read a stream, pipe it to '-'"
    proc = kozh("extract", str(fifo), str(tmp_path / "missing.txt"))
    assert proc.returncode == 2
    assert err(proc) == (f"kozh: error: {fifo}: not a regular file (a FIFO (named pipe)); to read a stream, "
                         f"pipe it to '-'\nkozh: error: {tmp_path / 'missing.txt'}: no such file\n")


def test_a_text_stream_on_stdin_is_read():
    proc = kozh("extract", "-", input=ARTICLE.encode("utf-8"))
    assert proc.returncode == 0
    assert proc.stdout.decode("utf-8").splitlines()[0] == "-:1:19\t닝더스다이\t宁德时代\torg\t1.00"


def test_size_limit_refuses_before_reading(tmp_path, monkeypatch):
    big = tmp_path / "big.txt"
    big.write_text(ARTICLE * 40, encoding="utf-8")  # 5.6 kB
    monkeypatch.setenv("KOZH_MAX_INPUT_MB", "0.001")
    with pytest.raises(TextError) as exc:
        read_text(big)
    assert str(exc.value) == "5240 bytes is above the input limit of 0.001 MB (raise KOZH_MAX_INPUT_MB to read it)"
    with pytest.raises(TextError, match=r"^more is above the input limit of 0.001 MB"):
        open_stream(__import__("io").BytesIO(ARTICLE.encode() * 40))
    monkeypatch.setenv("KOZH_MAX_INPUT_MB", "lots")
    with pytest.raises(TextError, match=r"KOZH_MAX_INPUT_MB='lots': expected a positive number"):
        read_text(big)


def test_build_walks_a_folder_skipping_fifo_device_link_and_links_out(tmp_path):
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "a.txt").write_text(ARTICLE, encoding="utf-8")
    os.mkfifo(folder / "pipe")
    os.symlink("/dev/zero", folder / "zero")
    outside = tmp_path / "outside.txt"
    outside.write_text(ARTICLE, encoding="utf-8")
    os.symlink(outside, folder / "out.txt")
    os.symlink(folder / "a.txt", folder / "same.txt")  # inside the folder: read
    db = tmp_path / "g.sqlite"
    proc = kozh("build", "--db", str(db), str(folder))
    assert proc.returncode == 0, err(proc)
    lines = err(proc).splitlines()
    assert lines[:3] == [
        f"kozh: skipped {folder / 'out.txt'}: symbolic link out of the folder (to {outside})",
        f"kozh: skipped {folder / 'pipe'}: not a regular file (a FIFO (named pipe))",
        f"kozh: skipped {folder / 'zero'}: symbolic link out of the folder (to /dev/zero)",
    ]
    assert lines[3].startswith(f"{db}: 2 files (2 added, 0 updated, 0 unchanged), 6 pairs")


def test_build_refuses_special_files_given_by_name(tmp_path):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    proc = kozh("build", "--db", str(tmp_path / "g.sqlite"), str(fifo), "/dev/zero")
    assert proc.returncode == 2
    assert err(proc).splitlines()[:2] == [
        "kozh: error: /dev/zero: not a regular file (a character device); to read a stream, pipe it to '-'",
        f"kozh: error: {fifo}: not a regular file (a FIFO (named pipe)); to read a stream, pipe it to '-'",
    ]


# ---------------------------------------------------------------- pieces and windows


def _corpus_texts() -> list[str]:
    return [read_text(p) for folder in CORPORA if folder.exists() for p in sorted(folder.glob("*.txt"))]


@FUZZ
@given(st.text(), st.integers(1, 9))
def test_pieces_join_to_the_whole_decode(text, chunk):
    data = text.replace("\x00", "").encode("utf-8")
    try:
        whole = decode(data)
    except TextError:
        return
    source = text_module.Input(text_module._memory_chunks(data))
    old = text_module.CHUNK
    text_module.CHUNK = chunk  # pieces cut inside characters, CR LF pairs and combining sequences
    try:
        pieces = list(source.pieces())
    finally:
        text_module.CHUNK = old
    assert ("".join(pieces), source.encoding) == whole


_BRACKETY = st.text(alphabet=st.sampled_from(list("닝더스다이지아딩푸젠 宁德时代嘉定福建()（）[]【】,、\n\t·CATL")),
                    max_size=400)


@FUZZ
@given(_BRACKETY, st.integers(40, 300))
def test_windowed_pairs_equal_one_call(text, core):
    expected = extract_pairs(text)
    index = LineIndex(text)
    pieces = [text[i:i + 37] for i in range(0, len(text), 37)]
    got = list(iter_pairs(pieces, core=core))
    assert [g[0] for g in got] == expected
    assert [g[1:] for g in got] == [index.line_col(p.bracket) for p in expected]


def test_windowed_pairs_equal_one_call_on_a_long_line():
    text = (ARTICLE.replace("\n", " ") + "   " * 300 + "지아딩(嘉定)   " + "가" * 900) * 30
    expected = extract_pairs(text)
    assert len(expected) == 120
    assert [p for p, _, _ in iter_pairs(text, core=1000)] == expected


@pytest.mark.skipif(not CORPORA[0].exists(), reason="needs ../shared/corpus")
def test_windowed_pairs_equal_one_call_on_the_corpus():
    for text in _corpus_texts():
        expected = extract_pairs(text)
        for variant in (text, text.replace("\n", " ")):
            expected = extract_pairs(variant)
            assert [p for p, _, _ in iter_pairs(variant, core=2000)] == expected


ROWS = [
    ("catl", "닝더스다이", "ko", "preferred"), ("catl", "영덕시대", "ko", "deprecated"),
    ("catl", "宁德时代", "zh-Hans", "preferred"), ("catl", "CATL", "en", "preferred"),
    ("byd", "비야디", "ko", "preferred"), ("byd", "比亚迪", "zh-Hans", "preferred"),
    ("jd", "지아딩", "ko", "preferred"), ("jd", "자딩", "ko", "admitted"), ("jd", "嘉定", "zh-Hans", "preferred"),
]


@pytest.fixture(scope="module")
def checker():
    return Checker(ROWS)


def test_windowed_check_is_check_documents_when_a_window_holds_the_text(checker):
    text = "지아딩(嘉定)은 크다.\n자딩에 간다. 영덕시대 공장\n"
    check = WindowedCheck(checker)
    check.add("a.txt", iter([text[:7], text[7:]]))
    assert check.findings() == checker.check_documents([("a.txt", text)])


def test_windowed_check_keeps_file_positions_and_variants_across_windows(checker):
    filler = "배터리 시장은 올해도 크게 성장했다. " * 40
    text = "지아딩(嘉定)은 크다.\n" + filler + "\n" + filler + "자딩에 간다. 영덕시대 공장\n"
    check = WindowedCheck(checker, window=300)
    check.add("a.txt", text)
    assert len(check.documents) > 4
    found = [(f.rule, f.text, f.line, f.col, text[f.start:f.end]) for f in check.findings()]
    where = text.index("자딩에")
    line = text.count("\n", 0, where) + 1
    col = where - text.rindex("\n", 0, where)
    assert ("variant", "자딩", line, col, "자딩") in found
    assert ("deprecated", "영덕시대", line, col + 8, "영덕시대") in found
    assert all("\x00" not in f.message for f in check.findings())
    assert check.texts() == [("a.txt", text)]


# ---------------------------------------------------------------- output


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full")
@pytest.mark.parametrize("args", [["resolve", "--json", "CATL"], ["export", "--format", "tbx"],
                                  ["extract", "-"]])
def test_full_output_device_is_a_clear_error(args):
    with open("/dev/full", "wb") as full:
        proc = kozh(*args, input=None if args[-1] != "-" else ARTICLE.encode(), stdout=full)
    assert proc.returncode == 2
    assert err(proc) == "kozh: error: cannot write output: no space left on device\n"


@pytest.mark.parametrize("args", [["resolve", "--json", "CATL"], ["export", "--format", "csv"]])
def test_closed_stdout_is_a_clear_error(args):
    proc = subprocess.run([sys.executable, "-m", "cli", *args], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                          cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)}, timeout=300,
                          preexec_fn=lambda: os.close(1))
    assert proc.returncode == 2
    assert err(proc) == "kozh: error: cannot write output: standard output is closed\n"


def test_reader_going_away_is_a_quiet_exit():
    proc = subprocess.Popen([sys.executable, "-m", "cli", "export", "--format", "tbx"], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert proc.stdout.read(10) == b"<?xml vers"
    proc.stdout.close()  # like head -c 10
    assert proc.wait(timeout=300) == 0
    assert proc.stderr.read() == b""


def test_output_file_is_replaced_only_when_complete(tmp_path):
    target = tmp_path / "glossary.tbx"
    target.write_text("old", encoding="utf-8")
    with pytest.raises(OutputError) as exc:
        with atomic_file(target) as tmp:
            Path(tmp).write_text("half", encoding="utf-8")
            raise OSError(errno.ENOSPC, "No space left on device")
    assert str(exc.value) == f"cannot write output: {target}: no space left on device"
    assert target.read_text(encoding="utf-8") == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["glossary.tbx"]
    with atomic_file(target) as tmp:
        Path(tmp).write_text("new", encoding="utf-8")
    assert target.read_text(encoding="utf-8") == "new"


def test_database_errors_are_named():
    assert str(database_error("g.sqlite", sqlite3.OperationalError("database or disk is full"))) == \
        "g.sqlite: disk full — nothing was written"
    assert str(database_error("g.sqlite", sqlite3.OperationalError("attempt to write a readonly database"))) == \
        "g.sqlite: database is read-only — nothing was written"
    assert database_error("g.sqlite", sqlite3.OperationalError("no such table: x")) is None


# ---------------------------------------------------------------- a full disk


@pytest.fixture()
def built(tmp_path):
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "a.txt").write_text(ARTICLE, encoding="utf-8")
    db = tmp_path / "g.sqlite"
    proc = kozh("build", "--db", str(db), str(folder / "a.txt"))
    assert proc.returncode == 0, err(proc)
    proc = kozh("add", "--db", str(db), "--kind", "org", "--ko", "란써싱추", "--en", "Blue Planet", "蓝色星球科技")
    assert proc.returncode == 0, err(proc)
    return db, folder


def _state(db) -> tuple:
    conn = sqlite3.connect(db)
    try:
        return (conn.execute("PRAGMA integrity_check").fetchone()[0],
                conn.execute("SELECT count(*) FROM curation").fetchone()[0],
                conn.execute("SELECT count(*) FROM documents").fetchone()[0])
    finally:
        conn.close()


def _limit_file_size(limit: int):
    def apply():
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails with EFBIG instead
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
    return apply


def test_full_disk_during_add_and_build_writes_nothing(built, tmp_path):
    db, folder = built
    before = _state(db)
    assert before[0] == "ok" and before[1] == 1
    (folder / "b.txt").write_text(ARTICLE.replace("닝더스다이", "CATL") * 200, encoding="utf-8")
    limit = 8192  # the database may not grow, and its write-ahead log holds one page at most
    for args in (["add", "--db", str(db), "--kind", "org", "--ko", "화웨이" * 3000, "华为" * 3000],
                 ["build", "--db", str(db), str(folder)]):
        proc = kozh(*args, preexec_fn=_limit_file_size(limit))
        assert proc.returncode == 2, err(proc)
        # a clean error naming the database (which words depends on where SQLite hit the limit:
        # opening, the log, or the commit), never an internal error
        last = err(proc).splitlines()[-1]
        assert last.startswith(f"kozh: error: {db}") and "internal error" not in last, err(proc)
        assert _state(db) == before
    proc = kozh("build", "--db", str(db), str(folder))  # room again: the build completes
    assert proc.returncode == 0, err(proc)
    assert _state(db) == ("ok", 1, 2)


def test_read_only_database_is_refused_with_its_name(built):
    db, _ = built
    before = _state(db)
    db.chmod(0o444)
    try:
        proc = kozh("add", "--db", str(db), "--kind", "org", "华为")
    finally:
        db.chmod(0o644)
    assert proc.returncode == 2
    assert err(proc).startswith("kozh: error:") and "read-only" in err(proc)
    assert _state(db) == before


# ---------------------------------------------------------------- kills at random moments


def _kill_at_random(args, rng, low=0.5, high=6.0) -> int:
    proc = subprocess.Popen([sys.executable, "-m", "cli", *args], stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)},
                            start_new_session=True)
    try:
        proc.wait(timeout=rng.uniform(low, high))
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)  # the build and its extraction workers
        proc.wait()
    return proc.returncode


def test_kill_9_during_build_and_import_leaves_a_valid_database(built, tmp_path):
    db, folder = built
    for i in range(4):
        (folder / f"doc{i}.txt").write_text(ARTICLE.replace("비야디", f"비야디{i}") * 50, encoding="utf-8")
    terms = tmp_path / "terms.csv"
    terms.write_text("ko,zh-Hans,en\n" + "".join(f"테스트{i},测试{i},Test{i}\n" for i in range(300)), encoding="utf-8")
    rng = random.Random(17)
    for _ in range(int(os.environ.get("KOZH_KILL_ROUNDS", "3"))):
        _kill_at_random(["build", "--db", str(db), str(folder)], rng)
        assert _state(db)[0] == "ok"
        _kill_at_random(["import", "--db", str(db), str(terms)], rng)
        integrity, ops, _ = _state(db)
        assert integrity == "ok" and ops >= 1  # the earlier curation is never lost
    assert kozh("build", "--db", str(db), str(folder)).returncode == 0
    assert kozh("import", "--db", str(db), str(terms)).returncode == 0
    integrity, ops, documents = _state(db)
    assert (integrity, documents) == ("ok", 5)
    assert kozh("lookup", "--db", str(db), "蓝色星球科技").returncode == 0  # the curation survived every kill
    assert kozh("lookup", "--db", str(db), "测试299").returncode == 0


# ---------------------------------------------------------------- fuzzing: nothing but KozhError


@FUZZ
@given(st.text(max_size=300))
def test_fuzz_extract_pairs(text):
    for pair in extract_pairs(text):
        assert 0 <= pair.start <= pair.bracket < pair.end <= len(text)


@FUZZ
@given(st.text(max_size=300))
def test_fuzz_check_text(checker, text):
    for finding in checker.check_text(text):
        assert text[finding.start:finding.end] == finding.text or finding.rule in ("unknown-pair",)


@pytest.fixture(scope="module")
def fuzz_db(tmp_path_factory):
    folder = tmp_path_factory.mktemp("fuzz")
    (folder / "a.txt").write_text(ARTICLE, encoding="utf-8")
    from glossary.build import build

    build(folder / "g.sqlite", [folder / "a.txt"], jobs=1)
    return folder / "g.sqlite"


_XMLISH = st.text(alphabet=st.sampled_from(list("<>/=\"' &;!?[]-abtermlangxm:Ldigcoz닝宁\n\x00\ufffe")), max_size=200)


@FUZZ
@given(st.one_of(st.text(max_size=200), _XMLISH), st.sampled_from(["tbx", "csv", "tsv", "jsonl"]))
def test_fuzz_importers(fuzz_db, tmp_path_factory, body, fmt):
    from glossary.interchange import import_file

    path = tmp_path_factory.mktemp("in") / f"terms.{fmt}"
    prefix = {"tbx": '<?xml version="1.0"?><tbx type="TBX-Basic"><text><body>', "csv": "ko,zh-Hans\n",
              "tsv": "ko\tzh-Hans\n", "jsonl": ""}[fmt]
    path.write_bytes((prefix + body).encode("utf-8", "surrogatepass"))
    try:
        import_file(fuzz_db, path, fmt=fmt)
    except KozhError:
        pass
    assert _integrity(fuzz_db) == "ok"


def _integrity(db) -> str:
    conn = sqlite3.connect(db)
    try:
        return conn.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        conn.close()


@pytest.fixture(scope="module")
def fuzz_resolver(fuzz_db):
    from resolver import Resolver

    return Resolver(str(fuzz_db))


@FUZZ
@given(st.text(max_size=200))
def test_fuzz_resolve(fuzz_resolver, name):
    try:
        matches = fuzz_resolver.resolve(name)
    except KozhError:
        return
    assert all(0.0 <= m.score <= 1.0 for m in matches)


@pytest.fixture()
def tiny_tmpfs(tmp_path):
    """A 100 MB tmpfs (needs root and a mount that works here; skipped elsewhere)."""
    mnt = tmp_path / "mnt"
    mnt.mkdir()
    if os.geteuid() != 0 or subprocess.run(["mount", "-t", "tmpfs", "-o", "size=100m", "tmpfs", str(mnt)],
                                           capture_output=True).returncode != 0:
        pytest.skip("cannot mount a tmpfs here")
    try:
        yield mnt
    finally:
        subprocess.run(["umount", str(mnt)], check=True)


def test_disk_full_during_build_on_a_real_file_system(tiny_tmpfs, tmp_path):
    db = tiny_tmpfs / "g.sqlite"
    (tmp_path / "a.txt").write_text(ARTICLE, encoding="utf-8")
    assert kozh("build", "--db", str(db), str(tmp_path / "a.txt")).returncode == 0
    assert kozh("add", "--db", str(db), "--kind", "org", "--ko", "란써싱추", "蓝色星球科技").returncode == 0
    big = tmp_path / "big"
    big.mkdir()
    for i in range(3):
        (big / f"{i}.txt").write_text(ARTICLE * 2000, encoding="utf-8")
    free = os.statvfs(tiny_tmpfs).f_bavail * os.statvfs(tiny_tmpfs).f_frsize
    with open(tiny_tmpfs / "fill", "wb") as fill:
        os.posix_fallocate(fill.fileno(), 0, free - 300_000)
    before = _state(db)
    proc = kozh("build", "--db", str(db), str(big))
    assert proc.returncode == 2
    assert err(proc).splitlines()[-1] == f"kozh: error: {db}: disk full — nothing was written"
    assert _state(db) == before == ("ok", 1, 1)
    os.unlink(tiny_tmpfs / "fill")
    assert kozh("build", "--db", str(db), str(big)).returncode == 0
    assert _state(db) == ("ok", 1, 4)


def test_server_with_concurrent_writers_and_readers_keeps_every_acknowledged_write(built):
    httpx = pytest.importorskip("httpx")
    pytest.importorskip("uvicorn")
    import socket
    import threading

    db, _ = built
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = subprocess.Popen([sys.executable, "-m", "cli", "serve", "--db", str(db), "--port", str(port),
                               "--allow-write", "--token", "t0ken"], stdout=subprocess.DEVNULL,
                              stderr=subprocess.PIPE, cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)})
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(600):  # wait for it to listen (a safety bound, not a timing assertion)
            assert server.poll() is None, server.stderr.read().decode()[-2000:]
            try:
                if httpx.get(base + "/health", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.1)
        entity = httpx.get(base + "/resolve", params={"q": "宁德时代"}).json()["match"]["entity_id"]
        acknowledged, failures = [], []
        lock = threading.Lock()

        def writer(w):
            with httpx.Client(base_url=base, timeout=60) as http:
                for i in range(2):  # each write refreshes the server's index: a few are enough here
                    text = f"닝더시대배터리{w}호{i}"
                    r = http.post(f"/entity/{entity}/alias", json={"text": text, "lang": "ko"},
                                  headers={"Authorization": "Bearer t0ken"})
                    with lock:
                        (acknowledged if r.status_code == 200 else failures).append((text, r.status_code))

        def reader():
            with httpx.Client(base_url=base, timeout=60) as http:
                for _ in range(10):
                    r = http.get("/resolve", params={"q": "닝더스다이"})
                    with lock:
                        if r.status_code != 200 or r.json()["match"]["entity_id"] != entity:
                            failures.append(("read", r.status_code))

        threads = [threading.Thread(target=writer, args=(w,)) for w in range(3)]
        threads += [threading.Thread(target=reader) for _ in range(3)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    finally:
        server.terminate()
        server.wait(timeout=60)
    assert failures == []
    assert len(acknowledged) == 6
    conn = sqlite3.connect(db)
    try:
        stored = {row[0] for row in conn.execute("SELECT text FROM aliases")}
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    finally:
        conn.close()
    assert {text for text, _ in acknowledged} <= stored
