"""Load on the HTTP service: GET /resolve over loopback with a mix of names, from concurrent clients.

The server runs as `python3 -c "...serve(...)"` in its own process (one uvicorn worker, as `kozh serve`
runs it), so the clients' threads do not share its interpreter. Names, drawn once with a fixed seed:
  exact    aliases of the glossary as written (Korean, Chinese, English)
  variant  Chinese aliases in traditional script (a folded key, not the written one)
  unknown  made-up Hangul names (stage 1 misses, fuzzy stage 2 runs and finds nothing)
Each client thread keeps one keep-alive connection.

usage: python3 bench/serve_load.py [--db PATH] [--requests 2000] [--concurrency 8]
Prints a markdown table (requests/s, p50/p99 latency per kind of name and overall).
"""
from __future__ import annotations

import argparse
import random
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import httpx  # noqa: E402

from glossary.shipped import default_db_path  # noqa: E402
from glossary.variants import to_traditional  # noqa: E402


def sample_names(db: Path, n: int, seed: int = 7) -> list[tuple[str, str]]:
    """(kind, name) pairs, about 60% exact / 20% variant / 20% unknown, shuffled."""
    rng = random.Random(seed)
    conn = sqlite3.connect(db.resolve().as_uri() + "?mode=ro", uri=True)
    try:
        rows = conn.execute("SELECT text, lang FROM aliases WHERE lang IN ('ko', 'zh-Hans', 'en') "
                            "ORDER BY id").fetchall()
    finally:
        conn.close()
    zh = [t for t, lang in rows if lang == "zh-Hans"]
    syllables = "가나다라마바사아자차카타파하거너더러머버서어저처커터퍼허"
    out = []
    for i in range(n):
        r = i % 10
        if r < 6:
            out.append(("exact", rng.choice(rows)[0]))
        elif r < 8:
            out.append(("variant", to_traditional(rng.choice(zh))))
        else:
            out.append(("unknown", "".join(rng.choice(syllables) for _ in range(rng.randint(3, 7)))))
    rng.shuffle(out)
    return out


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(db: Path, port: int) -> subprocess.Popen:
    code = f"from resolver.serve import serve; serve({str(db)!r}, port={port})"
    proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            cwd=Path(__file__).resolve().parent.parent)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"server exited: {proc.stderr.read().decode()[-2000:]}")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/health", timeout=1).status_code == 200:
                return proc
        except httpx.HTTPError:
            time.sleep(0.1)
    proc.terminate()
    raise SystemExit("server did not start within 60 s")


def run(base: str, work: list[tuple[str, str]], concurrency: int) -> tuple[float, list[tuple[str, float]], int]:
    """Send every request; returns (wall seconds, [(kind, latency s)], errors)."""
    lock = threading.Lock()
    queue = list(reversed(work))
    results: list[tuple[str, float]] = []
    errors = 0

    def client():
        nonlocal errors
        with httpx.Client(base_url=base, timeout=30) as http:
            while True:
                with lock:
                    if not queue:
                        return
                    kind, name = queue.pop()
                t = time.perf_counter()
                status = http.get("/resolve", params={"q": name}).status_code
                dt = time.perf_counter() - t
                with lock:
                    results.append((kind, dt))
                    errors += status != 200

    threads = [threading.Thread(target=client) for _ in range(concurrency)]
    t0 = time.perf_counter()
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    return time.perf_counter() - t0, results, errors


def pct(values: list[float], p: float) -> float:
    s = sorted(values)
    return s[min(len(s) - 1, int(round(p / 100 * (len(s) - 1))))]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--db", type=Path, default=default_db_path())
    ap.add_argument("--requests", type=int, default=2000)
    ap.add_argument("--concurrency", type=int, default=8)
    args = ap.parse_args()

    work = sample_names(args.db, args.requests)
    port = free_port()
    proc = start_server(args.db, port)
    try:
        base = f"http://127.0.0.1:{port}"
        run(base, work[:100], args.concurrency)               # warm-up: connections, caches
        wall, results, errors = run(base, work, args.concurrency)
    finally:
        proc.terminate()
        proc.wait(timeout=10)

    print(f"{args.requests} GET /resolve, concurrency {args.concurrency}, one uvicorn worker, "
          f"{errors} non-200\n")
    print("| names | requests | requests/s | p50 ms | p99 ms |")
    print("|---|---:|---:|---:|---:|")
    for kind in ("exact", "variant", "unknown"):
        lat = [dt for k, dt in results if k == kind]
        if lat:
            print(f"| {kind} | {len(lat)} | | {pct(lat, 50) * 1000:.1f} | {pct(lat, 99) * 1000:.1f} |")
    lat = [dt for _, dt in results]
    print(f"| **all** | {len(lat)} | {len(lat) / wall:.0f} | {pct(lat, 50) * 1000:.1f} | {pct(lat, 99) * 1000:.1f} |")


if __name__ == "__main__":
    main()
