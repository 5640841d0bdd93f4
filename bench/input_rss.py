"""Peak RSS of `kozh extract` and `kozh check` against input size: one single-line file of 1, 10 and
100 MB (the corpus with its line ends made spaces, repeated), and many small files.

    python3 bench/input_rss.py --mb 1 10 100 --runs 3

Each run is a fresh process; the table shows the median wall time and the median peak RSS
(getrusage of the child). Temporary inputs are removed afterwards."""
from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def corpus_line(corpus: Path) -> bytes:
    return " ".join(p.read_text("utf-8").replace("\n", " ") for p in sorted(corpus.glob("*.txt"))).encode("utf-8")


def measure(args: list[str]) -> tuple[float, float, int]:
    """(wall s, peak RSS MB, exit code) of one fresh kozh process."""
    start = time.perf_counter()
    pid = os.fork()
    if pid == 0:
        os.environ["PYTHONPATH"] = str(ROOT)
        fd = os.open(os.devnull, os.O_WRONLY)
        os.dup2(fd, 1)
        os.execv(sys.executable, [sys.executable, "-m", "cli", *args])
    _, status, usage = os.wait4(pid, 0)
    return time.perf_counter() - start, usage.ru_maxrss / 1024, os.waitstatus_to_exitcode(status)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--mb", type=int, nargs="+", default=[1, 10, 100])
    ap.add_argument("--files", type=int, default=500, help="many-files case: this many copies of the corpus")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--corpus", default=str(ROOT.parent / "shared" / "corpus"))
    a = ap.parse_args()
    line = corpus_line(Path(a.corpus))
    with tempfile.TemporaryDirectory() as tmp:
        cases = []
        for mb in a.mb:
            path = Path(tmp) / f"line{mb}.txt"
            data = (line * (mb * 1_000_000 // len(line) + 1))[: mb * 1_000_000]
            path.write_bytes(data.decode("utf-8", "ignore").encode("utf-8"))
            cases.append((f"{mb} MB, one line", [str(path)]))
        many = Path(tmp) / "many"
        many.mkdir()
        for i in range(a.files):
            (many / f"{i:05}.txt").write_bytes(line[: len(line) // 4].decode("utf-8", "ignore").encode("utf-8"))
        total = sum(p.stat().st_size for p in many.iterdir()) / 1e6
        cases.append((f"{a.files} files, {total:.0f} MB", sorted(str(p) for p in many.iterdir())))
        print("| input | command | wall s (median) | peak RSS MB (median) | exit |")
        print("|---|---|---:|---:|---:|")
        for label, paths in cases:
            for command in ("extract", "check"):
                runs = [measure([command, *paths]) for _ in range(a.runs)]
                wall = statistics.median(r[0] for r in runs)
                rss = statistics.median(r[1] for r in runs)
                print(f"| {label} | kozh {command} | {wall:.1f} | {rss:.0f} | {runs[0][2]} |", flush=True)


if __name__ == "__main__":
    main()
