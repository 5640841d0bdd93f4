"""`kozh build` throughput and peak memory on the corpus repeated to --mb megabytes, beside a naive build
(regex pairs inserted with sqlite-utils, no linking) on the same files, in the same run.

usage: python bench/build_speed.py [--mb 50] [--runs 3] [CORPUS_DIR]

The corpus files are copied into a temporary folder as many times as needed, each copy with a distinct
first line so every file is a new document. Each run starts from an empty database in a fresh process;
the table shows the median wall time and the peak RSS of the largest process (workers included).
"""
from __future__ import annotations

import argparse
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

NAIVE = r"""
import re, sys, sqlite_utils
from pathlib import Path
db = sqlite_utils.Database(sys.argv[1])
pattern = re.compile(r"([가-힣A-Za-z0-9]+)\(([\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+)\)")
for path in sorted(Path(sys.argv[2]).glob("*.txt")):
    text = path.read_text(encoding="utf-8")
    rows = [{"file": path.name, "offset": m.start(), "ko": m.group(1), "zh": m.group(2)} for m in pattern.finditer(text)]
    db["pairs"].insert_all(rows)
"""


def run(cmd: list[str]) -> tuple[float, float]:
    """Wall seconds and peak RSS (MB) of the largest process the command started."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    start = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    seconds = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return seconds, max(peak, before) / 1024


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("corpus", nargs="?", default=str(Path(__file__).resolve().parents[1] / ".." / "shared" / "corpus"))
    ap.add_argument("--mb", type=float, default=50)
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    sources = [p.read_text(encoding="utf-8") for p in sorted(Path(args.corpus).glob("*.txt"))]
    if not sources:
        sys.exit(f"no .txt files in {args.corpus}")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "docs"
        folder.mkdir()
        size, n = 0, 0
        while size < args.mb * 1e6:
            text = f"copy {n}\n" + sources[n % len(sources)]
            (folder / f"doc{n:05d}.txt").write_text(text, encoding="utf-8")
            size += len(text.encode("utf-8"))
            n += 1
        print(f"input: {n} files, {size / 1e6:.1f} MB; {args.runs} runs each from an empty database\n")
        print("| tool | wall s (median) | MB/s | peak RSS MB (largest process) |")
        print("|---|---|---|---|")
        tools = {
            "naive: regex + sqlite-utils insert, one process": lambda db: [sys.executable, "-c", NAIVE, db, str(folder)],
            "kozh build --jobs 2": lambda db: [sys.executable, "-m", "cli", "build", "--jobs", "2", "--db", db, str(folder)],
        }
        for label, make in tools.items():
            times, peaks = [], []
            for r in range(args.runs):
                db = str(Path(tmp) / f"{abs(hash(label))}-{r}.sqlite")
                seconds, peak = run(make(db))
                times.append(seconds)
                peaks.append(peak)
            median = statistics.median(times)
            print(f"| {label} | {median:.1f} | {size / 1e6 / median:.2f} | {max(peaks):.0f} |")


if __name__ == "__main__":
    main()
