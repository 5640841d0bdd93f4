"""Extraction throughput and peak memory on fresh text: kozh's extractor beside the naive regex, same run.

usage: python bench/extract_speed.py [--mb 5] [--runs 3]

Each run generates its own fresh text (bench/fresh_text.py, a different seed per run: the dev corpora's
lines shuffled, every pair's names new), so per-bracket caches do not flatter the figure. Each tool runs
in a fresh process on that text; the table shows medians over the runs of the load time (models and
tables, before the clock starts), the CPU seconds of the extraction itself, MB/s per core (MB / CPU
seconds), and the largest peak RSS. Needs ../shared (the dev corpora) beside the checkout.
"""
from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from fresh_text import fresh_text  # noqa: E402

REGEX = r"[가-힣A-Za-z0-9]+\(([\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+)\)"

CHILD = r"""
import json, sys, time
path, tool, regex = sys.argv[1], sys.argv[2], sys.argv[3]
t0 = time.perf_counter()
if tool == "kozh":
    from glossary.text import read_text
    from glossary.pairs import extract_pairs
    from glossary import kinds, morph, phonetics
    # load what extraction loads once per process before the clock starts
    morph.kiwi().tokenize("모델을 불러온다"); phonetics.char_pinyin("中"); phonetics.char_sino("中"); kinds.dictionary_tag("中")
    text = read_text(path)
    t1, c1 = time.perf_counter(), time.process_time()
    n = len(extract_pairs(text))
else:
    import re  # \p{Han} spelled out as code point ranges, so the stdlib re module serves
    text = open(path, encoding="utf-8").read()
    t1, c1 = time.perf_counter(), time.process_time()
    n = len(re.findall(regex, text))
cpu = time.process_time() - c1
# VmHWM, not ru_maxrss: Linux carries ru_maxrss over exec from the parent that spawned this process
hwm = next(int(line.split()[1]) for line in open("/proc/self/status") if line.startswith("VmHWM"))
print(json.dumps({"load": t1 - t0, "cpu": cpu, "pairs": n, "rss_mb": hwm / 1024}))
"""


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--mb", type=float, default=5)
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    rows: dict[str, list[dict]] = {"regex": [], "kozh": []}
    sizes = []
    for run in range(args.runs):
        with tempfile.NamedTemporaryFile("w", suffix=".txt", encoding="utf-8", delete=False) as f:
            f.write(fresh_text(args.mb, seed=run + 1))
            path = f.name
        sizes.append(Path(path).stat().st_size / 1e6)
        for tool in rows:
            out = subprocess.run([sys.executable, "-c", CHILD, path, tool, REGEX], capture_output=True, text=True,
                                 check=True)
            rows[tool].append(json.loads(out.stdout))
        Path(path).unlink()
    size = statistics.median(sizes)
    print(f"input: fresh text, {size:.1f} MB per run, {args.runs} runs (seeds 1-{args.runs}), one process each\n")
    print("| tool | pairs (median) | load s | extract CPU s (median) | MB/s per core | CPU vs regex | peak RSS MB |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    regex_cpu = statistics.median(r["cpu"] for r in rows["regex"])
    for tool, label in (("regex", "naive regex `[가-힣A-Za-z0-9]+\\(([\\p{Han}]+)\\)`"), ("kozh", "kozh extract_pairs")):
        cpu = statistics.median(r["cpu"] for r in rows[tool])
        print(f"| {label} | {statistics.median(r['pairs'] for r in rows[tool]):.0f} "
              f"| {statistics.median(r['load'] for r in rows[tool]):.2f} | {cpu:.2f} | {size / cpu:.2f} "
              f"| {cpu / regex_cpu:.0f}x | {max(r['rss_mb'] for r in rows[tool]):.0f} |")


if __name__ == "__main__":
    main()
