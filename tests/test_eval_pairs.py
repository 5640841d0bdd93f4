"""The dev gold (../shared/eval) scored through the real CLI and the shipped scorer, when present.

These are training figures: the rules were developed on these files. The floors sit just under the
measured figures (newsletters: strict F1 0.994, kind 0.887; news articles: strict F1 0.982, kind 0.831),
so a regression of 0.01 fails.
"""
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
pytestmark = [pytest.mark.dev_gold,
              pytest.mark.skipif(not (SHARED / "eval" / "pairs-dev.jsonl").exists(),
                                 reason="../shared/eval is not beside this checkout")]

SETS = {  # gold file: (corpus folder, strict F1 floor, kind accuracy floor)
    "pairs-dev.jsonl": ("corpus", 0.985, 0.878),
    "pairs-news-dev.jsonl": ("corpus-news", 0.973, 0.822),
}


@pytest.fixture(scope="module", params=sorted(SETS))
def scored(request, tmp_path_factory):
    gold = SHARED / "eval" / request.param
    if not gold.exists():
        pytest.skip(f"{gold} is not there")
    folder, f1_floor, kind_floor = SETS[request.param]
    pred = tmp_path_factory.mktemp("pred") / "pred.jsonl"
    corpus = sorted(str(p) for p in (SHARED / folder).glob("*.txt"))
    with pred.open("w") as out:
        subprocess.run([sys.executable, "-m", "cli", "extract", "--json", *corpus], stdout=out, check=True,
                       cwd=ROOT)
    return gold, pred, f1_floor, kind_floor


def test_strict_f1(scored):
    gold, pred, f1_floor, _ = scored
    score = subprocess.run([sys.executable, str(SHARED / "eval" / "score_pairs.py"), str(gold), str(pred)],
                           capture_output=True, text=True, check=True).stdout
    strict = float(score.strip().splitlines()[-1].split("=")[1])
    print(score)
    assert strict >= f1_floor


def test_kind_accuracy(scored):
    gold, pred, _, kind_floor = scored
    out = subprocess.run([sys.executable, str(ROOT / "bench" / "score_kind.py"), str(gold), str(pred)],
                         capture_output=True, text=True, check=True).stdout
    accuracy = float(out.splitlines()[0].rsplit("=", 1)[1])
    print(out)
    assert accuracy >= kind_floor
