"""What an edit costs and what it leaves: a curation op on a copy of the shipped glossary (keys refreshed in
the same transaction), and `kozh lookup` in a new process before and after it (median of --runs).

    python3 bench/edit_cost.py --runs 5
"""
from __future__ import annotations

import argparse
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from glossary import curation  # noqa: E402
from glossary.shipped import shipped_db_path  # noqa: E402


def lookup_seconds(db: Path, runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-m", "cli", "lookup", "--db", str(db), "CATL"], cwd=ROOT, check=True,
                       capture_output=True)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "aliases.sqlite"
        source, target = sqlite3.connect(shipped_db_path()), sqlite3.connect(db)
        source.backup(target)
        source.close()
        target.close()
        before = lookup_seconds(db, args.runs)
        ops = []
        for i, text in enumerate(["닝더타임스", "닝더배터리", "영덕배터리"]):
            start = time.perf_counter()
            curation.alias_add(str(db), "宁德时代", text)
            ops.append(time.perf_counter() - start)
        after = lookup_seconds(db, args.runs)
        aliases = sqlite3.connect(db).execute("SELECT count(*) FROM aliases").fetchone()[0]
    print(f"aliases {aliases}; alias add (median of 3, incl. open): {statistics.median(ops) * 1000:.0f} ms; "
          f"lookup before {before:.2f} s, after {after:.2f} s (ratio {after / before:.2f})")


if __name__ == "__main__":
    main()
