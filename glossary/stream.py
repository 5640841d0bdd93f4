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

`WindowedCheck` checks inputs together, each cut into windows of CHECK_WINDOW characters (at a line end
where there is one) that are scanned one at a time, so the scan's working memory is a window's. An
input that fits in one window gets exactly `check_documents`'s findings; a longer one is checked as
consecutive documents: a variant still spans them, the first-mention rule looks at each window.
"""
from __future__ import annotations

import re
from dataclasses import replace
from typing import TYPE_CHECKING, Iterable, Iterator

from . import alignment
from .brackets import MAX_BRACKET
from .pairs import Pair, extract_pairs

if TYPE_CHECKING:
    from resolver.check import Checker, Finding

__all__ = ["CORE", "CHECK_WINDOW", "iter_pairs", "WindowedCheck"]

CORE = 1 << 16                                # characters whose pairs one window reports
LEFT = MAX_BRACKET + alignment.WINDOW + 64    # context kept before the core
RIGHT = MAX_BRACKET + 1 + 128                 # context read after it: the closing bracket, then 30/80 more
CHECK_WINDOW = 1 << 20                        # characters scanned for mentions at once (about 2.5 MB of Korean)
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


_WINDOW_MARK = re.compile("\x00[0-9]+")  # a window's name is its file's + NUL + number: no path has a NUL


class WindowedCheck:
    """Inputs checked together (a variant spans them all), each cut into windows of at most `window`
    characters so the mention scan runs on one window at a time. An input that fits in one window
    is checked exactly as `Checker.check_documents` checks it; a longer one is checked as consecutive
    documents, each starting with as many empty lines as precede it, so every line number (in
    messages too) is the file's."""

    def __init__(self, checker: "Checker", *, window: int = CHECK_WINDOW) -> None:
        self.checker, self.window = checker, window
        self.documents: list[tuple[str, str]] = []
        self._origin: dict[str, tuple[str, int, int, int, int]] = {}  # window -> file, base, pad, line, line start

    def add(self, file: str, text: str | Iterable[str]) -> None:
        buf, base, windows = "", 0, []
        cursor = _Cursor()
        for piece in _as_pieces(text):
            buf += piece
            while len(buf) > self.window:
                cut = _check_cut(buf, self.window)
                windows.append((buf[:cut], base, cursor.line, cursor.line_start))
                cursor.advance(buf, base, base + cut)
                buf, base = buf[cut:], base + cut
        windows.append((buf, base, cursor.line, cursor.line_start))
        if len(windows) == 1:
            self.documents.append((file, buf))
            return
        for i, (chunk, start, line, line_start) in enumerate(windows):
            name = f"{file}\x00{i}"
            self._origin[name] = (file, start, line - 1, line, line_start)
            self.documents.append((name, "\n" * (line - 1) + chunk))

    def findings(self, rules=None) -> list["Finding"]:
        out = []
        for f in self.checker.check_documents(self.documents, rules=rules):
            origin = self._origin.get(f.file)
            if origin is not None:
                file, base, pad, line, line_start = origin
                f = replace(f, file=file, start=f.start - pad + base, end=f.end - pad + base,
                            col=f.col + (base - line_start if f.line == line else 0))
            if "\x00" in f.message:
                f = replace(f, message=_WINDOW_MARK.sub("", f.message))
            out.append(f)
        return out

    def texts(self) -> list[tuple[str, str]]:
        """(file, text) per input, windows joined again (for the HTML report)."""
        joined: dict[str, list[str]] = {}
        for name, text in self.documents:
            origin = self._origin.get(name)
            joined.setdefault(origin[0] if origin else name, []).append(text[origin[2]:] if origin else text)
        return [(file, "".join(parts)) for file, parts in joined.items()]
