"""Resolver latency on synthetic glossaries of 10k / 100k / 1M aliases, side by side with a full scan.

Each synthetic entity has a Chinese name of 2-5 frequent Han characters (glossary/data/common_chars.txt)
and its Korean form by glossary.phonetics.transliterate, so keys, collisions and blocking behave as they
do on real names. Queries:
  exact   an alias as written (half Korean, half Chinese)
  fuzzy   a Korean alias of >= 5 syllables with one syllable replaced (stage 1 misses, stage 2 blocks)
The full scan is rapidfuzz.process.extractOne(query, all_alias_texts) on the same queries.

usage: python3 bench/resolve_speed.py [--sizes 10000,100000,1000000] [--queries 300] [--scan-queries 30]
Prints a markdown table. Takes about 5 minutes with the 1M case on a 2-core machine.
"""
from __future__ import annotations

import argparse
import gc
import random
import sys
import time
from importlib.resources import files
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from glossary import phonetics  # noqa: E402
from resolver import Resolver  # noqa: E402


def rss_mb() -> float:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def common_chars() -> str:
    line = files("glossary").joinpath("data/common_chars.txt").read_text("utf-8").splitlines()
    han = [ln for ln in line if ln and not ln.startswith("#")][0]
    return "".join(dict.fromkeys(c for c in han if "\u4e00" <= c <= "\u9fff"))


def synthetic(n_aliases: int, seed: int = 7) -> list[tuple]:
    rng = random.Random(seed)
    chars = common_chars()
    weights = [0.2, 0.35, 0.35, 0.1]
    rows, seen = [], set()
    n_entities = n_aliases // 2
    translit_cache: dict[str, str] = {}

    def ko_of(zh: str) -> str:
        # per-character default readings: pypinyin's phrase pass is the slow part and adds nothing here
        out = []
        for c in zh:
            h = translit_cache.get(c)
            if h is None:
                h = translit_cache[c] = phonetics.pinyin_to_hangul(phonetics.char_pinyin(c)[0]) or ""
            out.append(h)
        return "".join(out)

    e = 0
    while e < n_entities:
        length = rng.choices((2, 3, 4, 5), weights)[0]
        zh = "".join(rng.choice(chars) for _ in range(length))
        if zh in seen:
            continue
        seen.add(zh)
        eid = f"e{e}"
        rows.append((eid, zh, "zh-Hans", "preferred", rng.randint(1, 20)))
        rows.append((eid, ko_of(zh), "ko", "admitted", rng.randint(0, 20)))
        e += 1
    return rows


def typo(ko: str, rng: random.Random) -> str:
    i = rng.randrange(len(ko))
    lead, vowel, tail = phonetics.decompose(ko[i])
    vowels = "ㅏㅓㅗㅜㅡㅣㅐㅔ"
    new = phonetics.compose(lead, rng.choice([v for v in vowels if v != vowel]), tail)
    return ko[:i] + new + ko[i + 1:]


def timed(fn, queries) -> list[float]:
    out = []
    for q in queries:
        t = time.perf_counter()
        fn(q)
        out.append((time.perf_counter() - t) * 1000)
    return out


def pct(xs: list[float], p: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(p * len(xs)))]


def run(size: int, n_queries: int, n_scan: int) -> list[dict]:
    from rapidfuzz import fuzz, process

    rng = random.Random(size)
    gc.collect()
    base = rss_mb()
    t = time.perf_counter()
    rows = synthetic(size)
    gen_s = time.perf_counter() - t
    t = time.perf_counter()
    resolver = Resolver.from_aliases(rows)
    build_s = time.perf_counter() - t
    mem = rss_mb() - base
    texts = [r[1] for r in rows]
    exact = [rng.choice(texts) for _ in range(n_queries)]
    long_ko = [(r[0], r[1]) for r in rows if r[2] == "ko" and len(r[1]) >= 5]
    sources = [rng.choice(long_ko) for _ in range(n_queries)]
    fuzzy = [typo(ko, rng) for _, ko in sources]
    # warms caches; counts typos whose confident match is the entity they were made from
    found = 0
    for (eid, _), q in zip(sources, fuzzy):
        m = resolver.resolve(q, limit=1)
        found += bool(m and m[0].confident and m[0].entity_id == eid)
    out = []
    for label, queries in (("exact", exact), ("fuzzy", fuzzy)):
        ours = timed(lambda q: resolver.resolve(q, limit=5), queries)
        scan = timed(lambda q: process.extractOne(q, texts, scorer=fuzz.ratio), queries[:n_scan])
        out.append({"size": size, "query": label, "p50": pct(ours, 0.5), "p99": pct(ours, 0.99),
                    "scan_p50": pct(scan, 0.5), "speedup": pct(scan, 0.5) / max(pct(ours, 0.5), 1e-9),
                    "build_s": build_s, "gen_s": gen_s, "mem_mb": mem, "keys": resolver.index.key_count,
                    "recall": found / len(fuzzy) if label == "fuzzy" else None})
    del resolver, rows, texts
    gc.collect()
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="10000,100000,1000000")
    ap.add_argument("--queries", type=int, default=300)
    ap.add_argument("--scan-queries", type=int, default=30)
    args = ap.parse_args()
    results = []
    for size in (int(s) for s in args.sizes.split(",")):
        results += run(size, args.queries, args.scan_queries)
        print(f"# {size} aliases done", file=sys.stderr, flush=True)
    print("| aliases | query | resolve p50 ms | resolve p99 ms | extractOne p50 ms | speed-up | typo → right entity "
          "| keys | build s | index MB |")
    print("|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in results:
        recall = f"{r['recall']:.2f}" if r["recall"] is not None else ""
        print(f"| {r['size']:,} | {r['query']} | {r['p50']:.3f} | {r['p99']:.3f} | {r['scan_p50']:.1f} | "
              f"{r['speedup']:.0f}x | {recall} | {r['keys']:,} | {r['build_s']:.0f} | {r['mem_mb']:.0f} |")


if __name__ == "__main__":
    main()
