"""Extraction and checking over text of any length in bounded memory: the text is worked through in
windows, each handed to `glossary.extract_pairs` or a `Checker`, and offsets are shifted back.

`iter_pairs(pieces)` yields exactly the pairs `extract_pairs(text)` finds on the whole text, in the same
order, with the same offsets, while holding only a window of CORE characters plus margins. Why the
margins suffice (every bound below is a constant of pairs.py or alignment.py):

- a bracket is at most MAX_BRACKET characters long, so one whose opening bracket lies in the window's
  core closes within RIGHT of the core's end, and the Korean after it that the pair reads (a name
  suffix, a table cell) lies within a few dozen characters more;
- every bracket enclosing it (its parent, whose Chinese form may swallow it) opens at most MAX_BRACKET
  before it; bracket matching started later than those openers finds the same brackets from there on;
- the name before it is looked for in alignment.WINDOW characters left of the bracket once spaces
  are skipped; a core never starts right after a space, so that skip cannot run out of the window.

`iter_findings(checker, pieces)` checks a long text window by window (CHECK_WINDOW characters, cut at a
line end where there is one). A text that fits in one window gets exactly `check_text`'s findings;
in a longer one the rules that compare mentions (variant, first-mention) compare within each window.
"""
from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Iterable, Iterator

from . import alignment
from .pairs import MAX_BRACKET, Pair, extract_pairs

if TYPE_CHECKING:
    from resolver.check import Checker, Finding

__all__ = ["CORE", "CHECK_WINDOW", "iter_pairs", "iter_findings"]

CORE = 1 << 16                                # characters whose pairs one window reports
LEFT = MAX_BRACKET + alignment.WINDOW + 64    # context kept before the core
RIGHT = MAX_BRACKET + 1 + 128                 # context read after it: the closing bracket, then 30/80 more
CHECK_WINDOW = 1 << 22                        # characters checked at once (4M: about 10 MB of Korean)
_SPACES = " \u3000"                           # what alignment skips between a name and its bracket


class _Cursor:
    """1-based line and column of increasing offsets into text seen through a sliding buffer."""

    def __init__(self) -> None:
        self.pos, self.line, self.line_start = 0, 1, 0

    def advance(self, buf: str, base: int, offset: int) -> tuple[int, int]:
        """Move to offset (>= the current one); buf holds the text from global offset base on."""
        seg_start, seg_end = self.pos - base, offset - base
        n = buf.count("\n", seg_start, seg_end)
        if n:
            self.line += n
            self.line_start = base + buf.rindex("\n", seg_start, seg_end) + 1
        self.pos = offset
        return self.line, offset - self.line_start + 1


def _as_pieces(text: str | Iterable[str]) -> Iterable[str]:
    return (text,) if isinstance(text, str) else text


def _core_end(buf: str, lo: int, target: int, hi: int) -> int | None:
    """A core end in (lo, hi], as close to target as possible, not right after a space."""
    for b in range(target, lo, -1):
        if buf[b - 1] not in _SPACES:
            return b
    for b in range(target + 1, hi + 1):
        if buf[b - 1] not in _SPACES:
            return b
    return None


def _shifted(pair: Pair, by: int) -> Pair:
    return replace(pair, start=pair.start + by, bracket=pair.bracket + by, end=pair.end + by)


def iter_pairs(text: str | Iterable[str], *, core: int = CORE) -> Iterator[tuple[Pair, int, int]]:
    """(pair, line, col) for every pair of the text given whole or as pieces (`Input.pieces()`), in text
    order; line and col are 1-based, of the opening bracket. Same pairs as `extract_pairs` on the whole."""
    buf, base, core_start = "", 0, 0   # buf holds the text from global offset base; pairs before core_start are out
    cursor = _Cursor()

    def window(end: int, last: bool) -> Iterator[tuple[Pair, int, int]]:
        start = max(base, core_start - LEFT)
        stop = len(buf) + base if last else end + RIGHT
        for pair in extract_pairs(buf[start - base:stop - base]):
            pair = _shifted(pair, start)
            if core_start <= pair.bracket < end:
                yield (pair, *cursor.advance(buf, base, pair.bracket))

    for piece in _as_pieces(text):
        buf += piece
        while len(buf) + base - core_start >= core + RIGHT:
            lo, hi = core_start - base, len(buf) - RIGHT
            end = _core_end(buf, lo, lo + core, hi)
            if end is None:  # nothing but spaces: wait for a place to cut
                break
            yield from window(end + base, last=False)
            core_start = end + base
            keep = core_start - LEFT - base
            if keep > 0:
                cursor.advance(buf, base, max(cursor.pos, base + keep))
                buf, base = buf[keep:], base + keep
    yield from window(len(buf) + base, last=True)


def _check_cut(buf: str, size: int) -> int:
    """Where to end a check window of at most size characters: after a line end in its second half,
    else after a space, else at size."""
    for sep in ("\n", " "):
        k = buf.rfind(sep, size // 2, size)
        if k >= 0:
            return k + 1
    return size


def iter_findings(checker: "Checker", text: str | Iterable[str], *, file: str = "<text>",
                  window: int = CHECK_WINDOW, rules=None) -> Iterator["Finding"]:
    """Findings of the text given whole or as pieces, window by window, with file positions. Each
    window is checked as the text that starts with as many empty lines as precede it, so line numbers
    (in messages too) are those of the file."""
    buf, base = "", 0
    cursor = _Cursor()

    def check(chunk: str) -> list["Finding"]:
        line, _ = cursor.advance(buf, base, base)
        pad = line - 1
        out = []
        for f in checker.check_text("\n" * pad + chunk, file=file, rules=rules):
            start = f.start - pad + base
            col = f.col + (base - cursor.line_start if f.line == line else 0)
            out.append(replace(f, col=col, start=start, end=f.end - pad + base))
        return out

    for piece in _as_pieces(text):
        buf += piece
        while len(buf) > window:
            cut = _check_cut(buf, window)
            yield from check(buf[:cut])
            cursor.advance(buf, base, base + cut)
            buf, base = buf[cut:], base + cut
    if buf or not base:
        yield from check(buf)
