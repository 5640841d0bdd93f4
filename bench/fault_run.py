"""The long reliability run: the fuzz properties and the kill -9 loop of tests/test_hostile.py with many
more cases than CI runs.

    python3 bench/fault_run.py --examples 2000 --kills 30

Prints pytest's summary; every property must pass (failures: 0)."""
import argparse
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

ap = argparse.ArgumentParser()
ap.add_argument("--examples", type=int, default=2000, help="hypothesis cases per fuzz property")
ap.add_argument("--kills", type=int, default=30, help="kill -9 rounds over build and import")
a = ap.parse_args()
env = {**os.environ, "PYTHONPATH": str(ROOT), "HYPOTHESIS_EXAMPLES": str(a.examples), "KOZH_KILL_ROUNDS": str(a.kills)}
sys.exit(subprocess.call([sys.executable, "-m", "pytest", "-q", "tests/test_hostile.py", "-k", "fuzz or windowed or pieces or kill"],
                         cwd=ROOT, env=env))
