"""Mention scanning and whole-document checking: kozh beside flashtext and the raw Aho-Corasick libraries.

usage: python bench/check_speed.py [--mb 1] [--aliases 100000] [--runs 3] [CORPUS_DIR]

Inputs, the same for every tool in one run:
  document  the corpus newsletters (default ../shared/corpus) repeated to --mb megabytes of UTF-8
  glossary  the corpus's own pairs (one entity per simplified Chinese form) plus synthetic entities:
            random strings of 2-5 frequent Han characters with their standard transliteration
            (glossary.phonetics.transliterate) as the Korean alias, to --aliases aliases in all
  probes    sentences with the mentions they contain, for boundary correctness: 중관촌에서 must be found,
            시안 inside 디자인시안 must not, CATL inside CATLX must not.
Each tool builds and scans in a fresh process. Memory is the growth of the process's resident set over
the build (Rust and C allocations included, which tracemalloc would miss); for kozh the language data
every kozh command loads anyway is loaded first and reported apart. Scan time is the median of
--runs scans; for kozh the scan includes the Korean boundary rules and bracket reading, and "check" is
the whole Checker.check_text (every default rule), first call (cold: lazy tables and models) and warm.
flashtext runs twice: as shipped (every Hangul or Han character is a word boundary, so 시안 is found
inside 디자인시안) and with Hangul and Han as word characters (then 중관촌 is not found in 중관촌에서).
flashtext, pyahocorasick and ahocorasick_rs are measured here, not dependencies: pip install them.
"""
from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
import tempfile
from pathlib import Path

PROBES = [  # (sentence, mentions expected, spans that must not be matched)
    ("베이징 중관촌에서 열린 포럼", ["중관촌"], []),
    ("닝더스다이는 배터리 1위다", ["닝더스다이"], []),
    ("시안성에서 만났다", ["시안"], []),
    ("디자인시안을 제출했다", [], ["시안"]),
    ("쥐량수안슈(巨量算数)가 발표한 보고서", ["쥐량수안슈"], []),
    ("CATL과 BYD가 경쟁한다", ["CATL"], []),
    ("CATLX 모델", [], ["CATL"]),
    ("지아딩에서 자딩까지", ["지아딩"], []),
    ("중관촌과학기술단지 관리위원회", ["중관촌"], []),
    ("그는 닝더스다이의 창업자다", ["닝더스다이"], []),
]
PROBE_ALIASES = [("probe-zgc", "중관촌", "ko"), ("probe-catl", "닝더스다이", "ko"), ("probe-catl", "CATL", "en"),
                 ("probe-xian", "시안", "ko"), ("probe-jl", "쥐량수안슈", "ko"), ("probe-jd", "지아딩", "ko")]

CHILD = r"""
import gc, json, statistics, sys, time
inputs = json.load(open(sys.argv[1], encoding="utf-8"))
tool, runs = sys.argv[2], int(sys.argv[3])
text = open(inputs["document"], encoding="utf-8").read()
rows = [tuple(r) for r in inputs["rows"]]
patterns = sorted({r[1] for r in rows})

def rss():
    for line in open("/proc/self/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024

def timed(fn):
    t = time.perf_counter(); out = fn(); return time.perf_counter() - t, out

out = {"tool": tool}
if tool == "kozh":   # language data any kozh command loads (pypinyin, hanja, OpenCC): counted apart
    start = rss()
    from glossary.phonetics import char_sino, sino_korean, transliterate
    from glossary.variants import to_simplified
    transliterate("中国"); char_sino("中"); sino_korean("中国"); to_simplified("騰訊")
    out["data_mb"] = rss() - start
gc.collect(); before = rss()
if tool.startswith("flashtext"):
    from flashtext import KeywordProcessor
    def build():
        kp = KeywordProcessor(case_sensitive=True)
        if tool == "flashtext-words":   # Hangul and Han as word characters, as for a spaced language
            kp.set_non_word_boundaries(kp.non_word_boundaries | {chr(c) for c in range(0xAC00, 0xD7A4)}
                                       | {chr(c) for c in range(0x4E00, 0xA000)})
        for p in patterns:
            kp.add_keyword(p)
        return kp
    out["build"], kp = timed(build)
    scan = lambda s: [(a, b) for _, a, b in kp.extract_keywords(s, span_info=True)]
elif tool == "pyahocorasick":
    import ahocorasick
    def build():
        a = ahocorasick.Automaton()
        for p in patterns:
            a.add_word(p, len(p))
        a.make_automaton()
        return a
    out["build"], a = timed(build)
    scan = lambda s: [(end - n + 1, end + 1) for end, n in a.iter_long(s)]
elif tool == "ahocorasick_rs":
    import ahocorasick_rs
    out["build"], a = timed(lambda: ahocorasick_rs.AhoCorasick(patterns, matchkind=ahocorasick_rs.MATCHKIND_LEFTMOST_LONGEST))
    scan = lambda s: [(b, e) for _, b, e in a.find_matches_as_indexes(s)]
elif tool == "kozh":
    from resolver.check import Checker
    out["build"], checker = timed(lambda: Checker(rows))
    finder = checker.finder
    scan = lambda s: [(m.start, m.end) for m in finder.find(s).mentions]
out["build_mb"] = rss() - before
times = []
for _ in range(runs):
    t, found = timed(lambda: scan(text))
    times.append(t)
out["scan"] = statistics.median(times)
out["matches"] = len(found)
passed = 0
for sentence, expected, forbidden in inputs["probes"]:
    spans = set(scan(sentence))
    ok = all((sentence.index(e), sentence.index(e) + len(e)) in spans for e in expected)
    ok = ok and not any((sentence.index(f), sentence.index(f) + len(f)) in spans for f in forbidden)
    passed += ok
out["probes"] = f"{passed}/{len(inputs['probes'])}"
if tool == "kozh":
    out["check_cold"], findings = timed(lambda: checker.check_text(text))
    out["check_warm"], findings = timed(lambda: checker.check_text(text))
    out["findings"] = len(findings)
    out["check_mb"] = rss() - before
print(json.dumps(out))
"""


def synthetic_rows(n_aliases: int, seed: int, start_rows: list[tuple]) -> list[tuple]:
    from importlib.resources import files

    from glossary.phonetics import transliterate
    from glossary.scripts import is_han

    lines = [line for line in files("glossary").joinpath("data/common_chars.txt").read_text("utf-8").splitlines()
             if line and not line.startswith("#")]
    han = [c for c in lines[0] if is_han(c)][:1000]
    rng = random.Random(seed)
    rows = list(start_rows)
    seen = {r[1] for r in rows}
    i = 0
    while len(rows) < n_aliases:
        zh = "".join(rng.choice(han) for _ in range(rng.choice((2, 3, 3, 4, 4, 5))))
        ko = transliterate(zh)
        if zh in seen or not ko or ko in seen:
            continue
        seen.update((zh, ko))
        i += 1
        rows += [(f"s{i}", zh, "zh-Hans", "preferred", 1), (f"s{i}", ko, "ko", "preferred", 1)]
    return rows


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("corpus", nargs="?", default=str(Path(__file__).resolve().parents[2] / "shared" / "corpus"))
    ap.add_argument("--mb", type=float, default=1.0)
    ap.add_argument("--aliases", type=int, default=100_000)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--tools", default="flashtext,flashtext-words,pyahocorasick,ahocorasick_rs,kozh")
    args = ap.parse_args()

    from glossary.pairs import extract_pairs
    from glossary.text import read_text
    from resolver.mentions import Glossary

    paths = sorted(Path(args.corpus).glob("*.txt"))
    if not paths:
        sys.exit(f"no .txt files in {args.corpus}")
    texts = [read_text(p) for p in paths]
    pairs = [p for t in texts for p in extract_pairs(t)]
    corpus = Glossary.from_pairs(pairs)
    corpus_rows = [(e.id, text, lang, status, 1) for e in corpus.entries.values()
                   for lang, forms in (("ko", e.ko), ("zh-Hans", e.zh), ("en", e.en)) for text, status in forms.items()]
    corpus_rows += [(eid, text, lang, "preferred", 1) for eid, text, lang in PROBE_ALIASES]
    rows = synthetic_rows(args.aliases, args.seed, corpus_rows)

    unit = "\n".join(texts)
    target = int(args.mb * 1_000_000)
    reps = target // len(unit.encode("utf-8")) + 1
    document = "\n".join([unit] * reps)
    document = document.encode("utf-8")[:target].decode("utf-8", errors="ignore")
    with tempfile.TemporaryDirectory(prefix="kozh-check-bench-") as folder:
        run(Path(folder), document, rows, corpus_rows, paths, args)


def run(tmp: Path, document: str, rows: list, corpus_rows: list, paths: list, args) -> None:
    (tmp / "doc.txt").write_text(document, encoding="utf-8")
    inputs = tmp / "inputs.json"
    inputs.write_text(json.dumps({"document": str(tmp / "doc.txt"), "rows": rows, "probes": PROBES},
                                 ensure_ascii=False), encoding="utf-8")
    size = len(document.encode("utf-8")) / 1e6
    print(f"document: {len(paths)} newsletters repeated to {size:.2f} MB ({len(document):,} characters); "
          f"glossary: {len(rows):,} aliases ({len(corpus_rows):,} from the corpus pairs, the rest synthetic); "
          f"{len(PROBES)} boundary probes; scan = median of {args.runs}\n")
    results = []
    for tool in args.tools.split(","):
        proc = subprocess.run([sys.executable, "-c", CHILD, str(inputs), tool, str(args.runs)],
                              capture_output=True, text=True)
        if proc.returncode != 0:
            print(f"{tool}: failed ({proc.stderr.strip().splitlines()[-1] if proc.stderr.strip() else proc.returncode})",
                  file=sys.stderr)
            continue
        results.append(json.loads(proc.stdout.strip().splitlines()[-1]))
    print("| tool | build s | build MB | scan s | MB/s | matches | boundary probes |")
    print("|---|---|---|---|---|---|---|")
    for r in results:
        print(f"| {r['tool']} | {r['build']:.2f} | {r['build_mb']:.0f} | {r['scan']:.3f} | {size / r['scan']:.1f} "
              f"| {r['matches']:,} | {r['probes']} |")
    for r in results:
        if "check_cold" in r:
            print(f"\nkozh whole check of {size:.2f} MB (all default rules): first call {r['check_cold']:.2f} s, "
                  f"again {r['check_warm']:.2f} s, {r['findings']} findings; memory: {r['build_mb']:.0f} MB for the "
                  f"compiled glossary, {r['check_mb']:.0f} MB with the check done, plus {r['data_mb']:.0f} MB of "
                  f"language data (pypinyin, hanja, OpenCC) loaded by any kozh command")


if __name__ == "__main__":
    main()
