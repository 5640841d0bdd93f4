"""The obvious tool: one regular expression, a Korean/Latin word right before a bracket of Han, written in
`kozh extract --json`'s format so the same scorer grades both.

usage: python3 bench/naive_extract.py FILE... > pred.jsonl
"""
import json
import re
import sys

PAIR = re.compile(r"([가-힣A-Za-z0-9]+)\(([\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+)\)")

for path in sys.argv[1:]:
    with open(path, encoding="utf-8") as f:
        for number, line in enumerate(f, 1):
            for m in PAIR.finditer(line):
                print(json.dumps({"file": path, "line": number, "col": m.start(2), "ko": m.group(1),
                                  "zh": m.group(2), "kind": "other"}, ensure_ascii=False))
