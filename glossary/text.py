"""Reading text files: encodings, NFC, and positions.

`decode` turns bytes into NFC text with `\\n` line endings, or raises `TextError`;
it never guesses silently into mojibake. `read_text` is the same for a path.
`LineIndex` maps character offsets of that text to 1-based line/column and
cuts one-line context snippets for mentions.
"""

from __future__ import annotations

import codecs
import os
import re
import unicodedata
from bisect import bisect_right
from collections import Counter
from functools import lru_cache
from importlib.resources import files

__all__ = ["TextError", "decode", "read_text", "LineIndex"]


class TextError(ValueError):
    """A file cannot be read as text. The message is a short sentence without the file name."""


_BOMS = (  # UTF-32 first: its LE mark starts with the UTF-16 LE one.
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)

# C0 controls that do not occur in text; tab, LF, CR and form feed do.
_CONTROL_BYTES = bytes(b for b in range(32) if b not in (9, 10, 12, 13))
_CONTROL_SHARE = 0.10  # random binary has ~11 %; text (even with ANSI colours) far less

_NEWLINE = re.compile("\n")

_UNDECODABLE = "cannot decode: not UTF-8, UTF-16, CP949/EUC-KR or GB18030"

_SAMPLE_CHARS = 65536  # plausibility is judged on this many leading characters
_MIN_LETTERS = 20  # below this many letters the floor below is not applied
_MIN_PLAUSIBLE = 0.25  # real Korean/Chinese text scores ~0.6-0.9; mojibake ~0.1


@lru_cache(maxsize=1)
def _common_letters() -> frozenset[str]:
    """Frequent Han and Hangul letters (data/common_chars.txt): mojibake is made of rare ones.

    GB2312 level 1 and KS X 1001 Hangul occupy the same byte rows (B0-C8), so "is it in the
    standard set" cannot tell the two encodings apart; frequency can: Korean read as GB18030
    gives arbitrary level-1 Han, Chinese read as CP949 gives arbitrary syllables.
    """
    lines = files("glossary").joinpath("data/common_chars.txt").read_text("utf-8").splitlines()
    return frozenset("".join(line for line in lines if line and not line.startswith("#")))


def _plausibility(text: str) -> tuple[float, int]:
    """(share of letters that are common Hangul syllables or common Han, number of letters).

    Letters are non-ASCII characters other than punctuation, symbols, spaces, digits
    and full-width ASCII (identical in both encodings), so Japanese kana, private-use
    characters and rare Han all count against a reading.
    """
    letters = good = 0
    common = _common_letters()
    for ch, n in Counter(text[:_SAMPLE_CHARS]).items():
        if ch < "\x80" or "\uff01" <= ch <= "\uff5e" or unicodedata.category(ch)[0] in "NPSZ":
            continue
        letters += n
        if ch in common:
            good += n
    return (good / letters if letters else 0.0), letters


def _strict(data: bytes, encoding: str) -> str | None:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError:
        return None


def _finish(text: str) -> str:
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return unicodedata.normalize("NFC", text)


def _check_binary(data: bytes) -> None:
    nul = data.find(b"\x00")
    if nul >= 0:
        head = data[:4096]
        pairs = len(head) // 2
        odd, even = head[1::2].count(0), head[0::2].count(0)
        if pairs >= 8 and (odd >= 0.3 * pairs or even >= 0.3 * pairs) and min(odd, even) <= 0.02 * pairs:
            raise TextError(f"binary file (NUL bytes at offset {nul}; UTF-16 without a byte-order mark?)")
        raise TextError(f"binary file (NUL bytes at offset {nul})")
    controls = len(data) - len(data.translate(None, _CONTROL_BYTES))
    if controls > _CONTROL_SHARE * len(data):
        raise TextError(f"binary file ({controls} of {len(data)} bytes are control characters)")


def _mostly_utf8(data: bytes) -> bool:
    """True if data is UTF-8 with a few damaged spots rather than another encoding."""
    loose = data.decode("utf-8", errors="replace")
    bad = loose.count("\ufffd")
    wide = len(loose) - len(loose.encode("ascii", errors="ignore")) - bad
    return wide > 0 and bad * 100 <= wide


def decode(data: bytes) -> tuple[str, str]:
    """Decode file bytes to (NFC text with \\n line endings, encoding name).

    Order: byte-order mark (utf-8-sig, utf-16, utf-32); refuse binary (NUL bytes or
    >10 % C0 controls); strict UTF-8 ('utf-8'), refusing UTF-8 with a few damaged
    bytes rather than reading it as a legacy encoding; strict CP949 ('cp949', a superset of
    EUC-KR) and GB18030 ('gb18030'), choosing by plausibility when both decode.
    Raises TextError when no reading is plausible (>= 20 letters, < 25 % common).
    """
    if not data:
        return "", "utf-8"
    for bom, name in _BOMS:
        if data.startswith(bom):
            try:
                text = data.decode(name)
            except UnicodeDecodeError as e:
                label = "UTF-8" if name == "utf-8-sig" else name.upper()
                raise TextError(f"cannot decode: invalid {label} after the byte-order mark (byte {e.start})") from None
            nul = text.find("\x00")
            if nul >= 0:
                raise TextError(f"binary file (NUL character at character {nul} after the byte-order mark)")
            return _finish(text), name
    _check_binary(data)
    try:
        return _finish(data.decode("utf-8")), "utf-8"
    except UnicodeDecodeError as e:
        if _mostly_utf8(data):  # damaged UTF-8: say where, rather than read it as mojibake
            raise TextError(f"cannot decode: invalid UTF-8 at byte {e.start}") from None
    readings = [(name, text) for name in ("cp949", "gb18030") if (text := _strict(data, name)) is not None]
    if not readings:
        raise TextError(_UNDECODABLE)
    scored = []
    for name, text in readings:
        score, letters = _plausibility(text)
        scored.append((score, name, text, letters))
    # max() keeps the first of equal scores: ties go to cp949.
    score, name, text, letters = max(scored, key=lambda s: s[0])
    if letters >= _MIN_LETTERS and score < _MIN_PLAUSIBLE:
        raise TextError(_UNDECODABLE)
    return _finish(text), name


def read_text(path: str | os.PathLike[str]) -> str:
    """Read and decode the file at path; every failure is a TextError."""
    try:
        with open(path, "rb") as f:
            data = f.read()
    except FileNotFoundError:
        raise TextError("no such file") from None
    except IsADirectoryError:
        raise TextError("is a directory") from None
    except PermissionError:
        raise TextError("permission denied") from None
    except OSError as e:
        raise TextError(e.strerror or str(e)) from None
    return decode(data)[0]


class LineIndex:
    """Character offsets of a (decoded, \\n-only) text to 1-based lines and columns."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.starts = [0, *(m.end() for m in _NEWLINE.finditer(text))]

    @property
    def line_count(self) -> int:
        return len(self.starts)

    def line_col(self, offset: int) -> tuple[int, int]:
        """1-based (line, column) of offset; column counts characters. offset may equal len(text)."""
        if not 0 <= offset <= len(self.text):
            raise ValueError(f"offset {offset} outside text of length {len(self.text)}")
        line = bisect_right(self.starts, offset)
        return line, offset - self.starts[line - 1] + 1

    def line_text(self, line: int) -> str:
        """The 1-based line without its newline."""
        if not 1 <= line <= len(self.starts):
            raise ValueError(f"line {line} outside 1..{len(self.starts)}")
        start = self.starts[line - 1]
        end = self.starts[line] - 1 if line < len(self.starts) else len(self.text)
        return self.text[start:end]

    def context(self, start: int, end: int, width: int = 40) -> str:
        """Up to width characters before start, text[start:end], up to width after; newlines become spaces."""
        n = len(self.text)
        start = max(0, min(start, n))
        end = max(start, min(end, n))
        snippet = self.text[max(0, start - width) : end + width]
        return snippet.replace("\n", " ")
