"""Extraction throughput and peak memory: kozh's extractor beside the naive regex, same input, same run.

usage: python bench/extract_speed.py [--mb 20] [--runs 3] [CORPUS_DIR]

The corpus (default ../shared/corpus) is repeated to --mb megabytes (UTF-8) and written to a temporary
file. Each tool runs in a fresh process per run, on one core; the table shows the median wall time
of the extraction itself (models loaded before the clock starts, load time shown apart), MB/s and
the process's peak RSS.
"""
from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

CHILD = r"""
import json, resource, sys, time
path, tool = sys.argv[1], sys.argv[2]
t0 = time.perf_counter()
if tool == "kozh":
    from glossary.text import read_text
    from glossary.pairs import extract_pairs
    from glossary import morph, phonetics
    morph.kiwi(); phonetics.char_pinyin("中"); phonetics.char_sino("中")  # load models before timing
    text = read_text(path)
    t1 = time.perf_counter()
    n = len(extract_pairs(text))
else:
    import re  # \p{Han} spelled out as code point ranges, so the stdlib re module serves
    text = open(path, encoding="utf-8").read()
    t1 = time.perf_counter()
    n = len(re.findall(r"[가-힣A-Za-z0-9]+\(([\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+)\)", text))
t2 = time.perf_counter()
print(json.dumps({"load": t1 - t0, "seconds": t2 - t1, "pairs": n,
                  "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("corpus", nargs="?", default=str(Path(__file__).resolve().parents[1] / ".." / "shared" / "corpus"))
    ap.add_argument("--mb", type=float, default=20)
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    parts = [p.read_text(encoding="utf-8") for p in sorted(Path(args.corpus).glob("*.txt"))]
    if not parts:
        sys.exit(f"no .txt files in {args.corpus}")
    unit = "\n".join(parts)
    reps = max(1, int(args.mb * 1e6 // len(unit.encode("utf-8"))) + 1)
    with tempfile.NamedTemporaryFile("w", suffix=".txt", encoding="utf-8", delete=False) as f:
        f.write("\n".join([unit] * reps))
        path = f.name
    size_mb = Path(path).stat().st_size / 1e6
    print(f"input: {Path(args.corpus).name} repeated {reps}x = {size_mb:.1f} MB, {args.runs} runs each, one core\n")
    print("| tool | pairs | load s | extract s (median) | MB/s | peak RSS MB |")
    print("|---|---|---|---|---|---|")
    for tool, label in (("regex", "naive regex `[가-힣A-Za-z0-9]+\\(([\\p{Han}]+)\\)`"), ("kozh", "kozh extract_pairs")):
        rows = []
        for _ in range(args.runs):
            out = subprocess.run([sys.executable, "-c", CHILD, path, tool], capture_output=True, text=True,
                                 check=True)
            rows.append(json.loads(out.stdout))
        secs = statistics.median(r["seconds"] for r in rows)
        print(f"| {label} | {rows[0]['pairs']} | {statistics.median(r['load'] for r in rows):.2f} | {secs:.2f} "
              f"| {size_mb / secs:.2f} | {max(r['rss_mb'] for r in rows):.0f} |")
    Path(path).unlink()


if __name__ == "__main__":
    main()
