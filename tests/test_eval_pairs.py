"""The dev gold (../shared/eval) scored through the real CLI and the shipped scorer, when present."""
import subprocess
import sys
from pathlib import Path

import pytest

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
needs_shared = pytest.mark.skipif(not (SHARED / "eval" / "pairs-dev.jsonl").exists(),
                                  reason="../shared/eval is not beside this checkout")


@needs_shared
def test_strict_f1_on_dev_gold(tmp_path):
    pred = tmp_path / "pred.jsonl"
    corpus = sorted(str(p) for p in (SHARED / "corpus").glob("*.txt"))
    with pred.open("w") as out:
        subprocess.run([sys.executable, "-m", "cli", "extract", "--json", *corpus], stdout=out, check=True)
    score = subprocess.run([sys.executable, str(SHARED / "eval" / "score_pairs.py"),
                            str(SHARED / "eval" / "pairs-dev.jsonl"), str(pred)],
                           capture_output=True, text=True, check=True).stdout
    strict = float(score.strip().splitlines()[-1].split("=")[1])
    print(score)
    assert strict >= 0.95
