#!/usr/bin/env python3
"""Kind accuracy of `kozh extract --json` output against a gold JSONL (ANNOTATION.md format).

usage: python3 bench/score_kind.py GOLD.jsonl PRED.jsonl [--show N]
Pairs are matched as score_pairs.py matches them (file, line of the bracket, Chinese side); accuracy is the
share of matched pairs whose kind equals the gold kind. Prints a confusion table (gold -> predicted).
"""
import collections
import json
import sys


def load(path):
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def main() -> None:
    gold_path, pred_path = sys.argv[1], sys.argv[2]
    show = int(sys.argv[sys.argv.index("--show") + 1]) if "--show" in sys.argv else 0
    gold = collections.defaultdict(list)
    for g in load(gold_path):
        if g.get("label") == "pair" and g.get("zh"):
            gold[(g["file"], g["line"], g["zh"].replace(" ", ""))].append(g)
    confusion = collections.Counter()
    wrong = []
    for p in load(pred_path):
        key = (p["file"].rsplit("/", 1)[-1], p["line"], (p.get("zh") or "").replace(" ", ""))
        if gold.get(key):
            g = gold[key].pop(0)
            confusion[(g["kind"], p["kind"])] += 1
            if g["kind"] != p["kind"]:
                wrong.append((g, p))
    total = sum(confusion.values())
    right = sum(n for (a, b), n in confusion.items() if a == b)
    print(f"kind accuracy {right}/{total} = {right / total:.3f}")
    for (a, b), n in sorted(confusion.items(), key=lambda kv: -kv[1]):
        if a != b:
            print(f"  {a:8} -> {b:8} {n}")
    for g, p in wrong[:show]:
        print(f"  {g['file']}:{g['line']} {g.get('ko')}({g['zh']}) gold {g['kind']}, predicted {p['kind']}")


main()
