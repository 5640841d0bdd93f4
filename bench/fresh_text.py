"""Fresh Korean text with brackets for benchmarks: the dev corpora's lines shuffled, every pair's names new.

usage: python bench/fresh_text.py --mb 5 --seed 1 -o fresh.txt [CORPUS_DIR ...]

Repeating a corpus measures caches, not an extractor: the same brackets come back and every per-bracket
cache hits. Here every line of the corpora (default ../shared/corpus and ../shared/corpus-news) is drawn in
random order, and every pair kozh finds in it gets a new Chinese name of the same length (random frequent
characters). The Korean before the bracket becomes the new name written the way the old one was: its
standard transliteration where the old Korean was the standard one, its Sino-Korean reading where that was
the old Korean, a non-standard spelling (split into the old number of words, one vowel moved to a near one)
where the old Korean spelled the Chinese otherwise, and the old Korean kept where it was a translation. So the text keeps the corpus's
shapes (tables, prose, bracket kinds, the share of standard and informal spellings) while no name repeats
more than chance allows.
"""
from __future__ import annotations

import argparse
import random
import sys
from pathlib import Path

SHARED = Path(__file__).resolve().parents[1].parent / "shared"


def _lines(dirs: list[Path]) -> list[str]:
    lines = []
    for d in dirs:
        for path in sorted(d.glob("*.txt")):
            lines.extend(line for line in path.read_text(encoding="utf-8").splitlines() if line.strip())
    return lines


def _han_pool() -> str:
    from importlib.resources import files

    text = files("glossary").joinpath("data/common_chars.txt").read_text("utf-8")
    return next(line for line in text.splitlines() if line and not line.startswith("#"))[:1000]


_NEAR_VOWEL = {"ㅓ": "ㅗ", "ㅗ": "ㅓ", "ㅜ": "ㅡ", "ㅡ": "ㅜ", "ㅐ": "ㅔ", "ㅔ": "ㅐ", "ㅕ": "ㅛ", "ㅛ": "ㅕ"}


def _informal(standard: str, words: int, rng: random.Random) -> str:
    """A spelling of the name that is not the standard one, the way the old Korean was not: split into the
    old number of words (상하이 지아딩), and one syllable's vowel moved to a near one (펑 -> 퐁), as slips and
    dialect spellings do. The extractor has to align these by sound, as it did the old name."""
    from glossary.phonetics import compose, decompose

    chars = list(standard)
    options = [i for i, ch in enumerate(chars) if decompose(ch)[1] in _NEAR_VOWEL]
    if options:
        i = rng.choice(options)
        lead, vowel, tail = decompose(chars[i])
        chars[i] = compose(lead, _NEAR_VOWEL[vowel], tail)
    if words > 1 and len(chars) >= words:
        cuts = sorted(rng.sample(range(1, len(chars)), words - 1))
        for k, cut in enumerate(cuts):
            chars.insert(cut + k, " ")
    return "".join(chars)


def renamer(rng: random.Random):
    """A function line -> line with every pair's Korean and Chinese replaced by a new name."""
    from glossary import phonetics
    from glossary.pairs import extract_pairs
    from glossary.scripts import is_han

    pool = _han_pool()

    def rename(line: str) -> str:
        out, last = [], 0
        for p in extract_pairs(line):
            han = sum(1 for c in p.zh if is_han(c))
            if not han or not p.ko or p.start < last:
                continue
            old_zh = "".join(c for c in p.zh if is_han(c))
            zh = "".join(rng.choice(pool) for _ in range(han))
            if p.ko == phonetics.transliterate(old_zh):
                ko = phonetics.transliterate(zh)
            elif p.ko == phonetics.sino_korean(old_zh):
                ko = phonetics.sino_korean(zh)
            elif p.score >= 0.75:  # mostly explained by the sound: spelled otherwise
                ko = _informal(phonetics.transliterate(zh), len(p.ko.split()), rng)
            else:
                ko = p.ko
            ko = ko or p.ko
            zh_at = line.index(p.zh, p.bracket)
            out.append(line[last:p.start] + ko + line[p.start + len(p.ko):zh_at] + zh)
            last = zh_at + len(p.zh)
        out.append(line[last:])
        return "".join(out)

    return rename


def fresh_text(mb: float, seed: int = 1, dirs: list[Path] | None = None) -> str:
    dirs = dirs or [d for d in (SHARED / "corpus", SHARED / "corpus-news") if d.is_dir()]
    lines = _lines(dirs)
    if not lines:
        sys.exit("no corpus lines: pass CORPUS_DIR or put ../shared beside the checkout")
    rng = random.Random(seed)
    rename = renamer(rng)
    target = int(mb * 1e6)
    parts, size = [], 0
    while size < target:
        line = rename(rng.choice(lines))
        parts.append(line)
        size += len(line.encode("utf-8")) + 1
    return "\n".join(parts) + "\n"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("dirs", nargs="*", type=Path)
    ap.add_argument("--mb", type=float, default=5)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("-o", "--output", required=True)
    args = ap.parse_args()
    Path(args.output).write_text(fresh_text(args.mb, args.seed, args.dirs or None), encoding="utf-8")


if __name__ == "__main__":
    main()
