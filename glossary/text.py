"""Reading text files: encodings, NFC, positions, and the limits that keep hostile input harmless.

`open_input(path)` and `open_stream(binary_stream)` vet an input before any text is handed out: only
regular files are opened by name (a FIFO or a device is refused at once, a stream is read through '-'),
the first block is sniffed before anything more is read (a NUL stream is refused after one block), the
size is capped by `input_limit()` (KOZH_MAX_INPUT_MB, default 256 MB), and the encoding is decided over
the whole input in one bounded-memory pass. `Input.pieces()` then yields the text in pieces of about
CHUNK bytes, so a caller can work through a 100 MB line without holding it.

`decode` turns bytes into NFC text with `\\n` line endings, or raises `TextError`; it never guesses
silently into mojibake. `read_text` is the same for a path. `LineIndex` maps character offsets of that
text to 1-based line/column and cuts one-line context snippets for mentions.
"""

from __future__ import annotations

import codecs
import os
import re
import stat
import unicodedata
from bisect import bisect_right
from collections import Counter
from functools import lru_cache
from importlib.resources import files
from typing import BinaryIO, Callable, Iterator

__all__ = ["TextError", "Input", "open_regular", "open_input", "open_stream", "input_limit", "decode", "read_text", "LineIndex"]


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
_CONTROL_VALUES = bytes(b for b in range(32) if b not in (9, 10, 12, 13))
_CONTROL_SHARE = 0.10  # random binary has ~11 %; text (even with ANSI colours) far less

_NEWLINE = re.compile("\n")

_UNDECODABLE = "cannot decode: not UTF-8, UTF-16, CP949/EUC-KR or GB18030"

CHUNK = 1 << 20  # bytes read (and decoded) at a time
SNIFF_BYTES = 1 << 16  # the first block of a stream, judged before anything more is read
DEFAULT_LIMIT_MB = 256  # per input; KOZH_MAX_INPUT_MB overrides it
_CUT_SEARCH = 4096  # characters searched back for a place to split decoded text

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


def _finish(text: str) -> str:
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return unicodedata.normalize("NFC", text)


def _check_binary(head: bytes, total: int, nul: int, controls: int) -> None:
    """Refuse binary input: a NUL byte at offset `nul` (-1: none), or more than 10 % C0 controls."""
    if nul >= 0:
        pairs = len(head) // 2
        odd, even = head[1::2].count(0), head[0::2].count(0)
        if pairs >= 8 and (odd >= 0.3 * pairs or even >= 0.3 * pairs) and min(odd, even) <= 0.02 * pairs:
            raise TextError(f"binary file (NUL bytes at offset {nul}; UTF-16 without a byte-order mark?)")
        raise TextError(f"binary file (NUL bytes at offset {nul})")
    if controls > _CONTROL_SHARE * total:
        raise TextError(f"binary file ({controls} of {total} bytes are control characters)")


def _controls(data: bytes) -> int:
    # count() per byte value: translate() would copy the whole block
    return sum(data.count(b) for b in _CONTROL_VALUES)


def _sniff(first: bytes) -> None:
    """Judge the first block alone, before reading further: /dev/zero is refused after one block."""
    if not any(first.startswith(bom) for bom, _ in _BOMS):
        _check_binary(first[:4096], len(first), first.find(b"\x00"), _controls(first))


Chunks = Callable[[], Iterator[bytes]]  # a fresh pass over the input's bytes, CHUNK at a time


def _bom_encoding(chunks: Chunks) -> str | None:
    first = next(chunks(), b"")
    return next((name for bom, name in _BOMS if first.startswith(bom)), None)


def _passes(chunks: Chunks, encoding: str, errors: str = "strict") -> Iterator[str]:
    """Decoded text of one pass, piece by piece; a UnicodeDecodeError carries the absolute byte offset."""
    decoder = codecs.getincrementaldecoder(encoding)(errors)
    offset = 0
    for chunk in chunks():
        pending = len(decoder.getstate()[0])
        try:
            yield decoder.decode(chunk)
        except UnicodeDecodeError as e:
            e.start += offset - pending
            raise
        offset += len(chunk)
    try:
        yield decoder.decode(b"", final=True)
    except UnicodeDecodeError as e:
        e.start += offset - len(decoder.getstate()[0])
        raise


def _detect(chunks: Chunks) -> str:
    """The encoding of the whole input, judged in bounded memory (one pass, more only for legacy text).

    Order: byte-order mark (utf-8-sig, utf-16, utf-32); refuse binary (NUL bytes or >10 % C0
    controls); strict UTF-8 ('utf-8'), refusing UTF-8 with a few damaged bytes rather than reading it
    as a legacy encoding; strict CP949 ('cp949', a superset of EUC-KR) and GB18030 ('gb18030'),
    choosing by plausibility when both decode. Raises TextError when no reading is plausible.
    """
    bom = _bom_encoding(chunks)
    if bom is not None:
        seen = 0
        try:
            for piece in _passes(chunks, bom):
                nul = piece.find("\x00")
                if nul >= 0:
                    raise TextError(f"binary file (NUL character at character {seen + nul} after the byte-order mark)")
                seen += len(piece)
        except UnicodeDecodeError as e:
            label = "UTF-8" if bom == "utf-8-sig" else bom.upper()
            raise TextError(f"cannot decode: invalid {label} after the byte-order mark (byte {e.start})") from None
        return bom
    head, total, nul, controls = b"", 0, -1, 0
    utf8 = codecs.getincrementaldecoder("utf-8")("strict")
    utf8_error: int | None = None
    for chunk in chunks():
        if not total:
            head = chunk[:4096]
            _sniff(chunk)
        if nul < 0 and (at := chunk.find(b"\x00")) >= 0:
            nul = total + at
        controls += _controls(chunk)
        if utf8_error is None:
            pending = len(utf8.getstate()[0])
            try:
                utf8.decode(chunk)
            except UnicodeDecodeError as e:
                utf8_error = total - pending + e.start
        total += len(chunk)
    _check_binary(head, total, nul, controls)
    if utf8_error is None:
        try:
            utf8.decode(b"", final=True)
            return "utf-8"
        except UnicodeDecodeError as e:
            utf8_error = total - len(utf8.getstate()[0]) + e.start
    if _mostly_utf8(chunks):  # damaged UTF-8: say where, rather than read it as mojibake
        raise TextError(f"cannot decode: invalid UTF-8 at byte {utf8_error}")
    scored = []
    for name in ("cp949", "gb18030"):
        sample: list[str] = []
        kept = 0
        try:
            for piece in _passes(chunks, name):
                if kept < _SAMPLE_CHARS:
                    sample.append(piece[:_SAMPLE_CHARS - kept])
                    kept += len(sample[-1])
        except UnicodeDecodeError:
            continue
        score, letters = _plausibility("".join(sample))
        scored.append((score, name, letters))
    if not scored:
        raise TextError(_UNDECODABLE)
    # max() keeps the first of equal scores: ties go to cp949.
    score, name, letters = max(scored, key=lambda s: s[0])
    if letters >= _MIN_LETTERS and score < _MIN_PLAUSIBLE:
        raise TextError(_UNDECODABLE)
    return name


def _mostly_utf8(chunks: Chunks) -> bool:
    """True if the input is UTF-8 with a few damaged spots rather than another encoding."""
    bad = wide = 0
    for piece in _passes(chunks, "utf-8", "replace"):
        damaged = piece.count("\ufffd")
        bad += damaged
        wide += len(piece) - len(piece.encode("ascii", errors="ignore")) - damaged
    return wide > 0 and bad * 100 <= wide


def _safe_cut(text: str) -> int:
    """An offset where the text can be split without changing its NFC form or a CR LF pair: before an
    ASCII character, a Hangul syllable or a Han character (none of them combines with what precedes),
    never between CR and LF. 0 when the last _CUT_SEARCH characters hold no such place."""
    for k in range(len(text) - 1, max(0, len(text) - _CUT_SEARCH), -1):
        ch = text[k]
        if (ch < "\x80" or "\uac00" <= ch <= "\ud7a3" or "\u4e00" <= ch <= "\u9fff") and text[k - 1] != "\r":
            return k
    return 0


def _text_pieces(chunks: Chunks, encoding: str) -> Iterator[str]:
    """The decoded text (NFC, \\n line endings) in pieces of about CHUNK bytes each."""
    carry = ""
    try:
        for piece in _passes(chunks, encoding):
            piece = carry + piece
            cut = _safe_cut(piece)
            carry = piece[cut:]
            if cut:
                yield _finish(piece[:cut])
    except UnicodeDecodeError as e:  # the first pass decoded it: the input changed while being read
        raise TextError(f"changed while being read (cannot decode byte {e.start} any more)") from None
    if carry:
        yield _finish(carry)


def input_limit() -> int:
    """Bytes one input may hold: $KOZH_MAX_INPUT_MB megabytes, default DEFAULT_LIMIT_MB."""
    value = os.environ.get("KOZH_MAX_INPUT_MB", "").strip()
    if not value:
        return DEFAULT_LIMIT_MB * 1_000_000
    try:
        mb = float(value)
    except ValueError:
        mb = -1.0
    if not mb > 0:
        raise TextError(f"KOZH_MAX_INPUT_MB={value!r}: expected a positive number of megabytes")
    return int(mb * 1_000_000)


def _too_big(limit: int, size: int | None = None) -> TextError:
    what = f"{size} bytes" if size is not None else "more"
    return TextError(f"{what} is above the input limit of {limit / 1_000_000:g} MB (raise KOZH_MAX_INPUT_MB to read it)")


class Input:
    """A vetted input whose encoding is known; `pieces()` and `text()` decode it (again) on demand."""

    def __init__(self, chunks: Chunks, close: Callable[[], None] = lambda: None) -> None:
        self._chunks = chunks
        self._close = close
        try:
            self.encoding = _detect(chunks) if next(chunks(), b"") else "utf-8"
        except BaseException:
            close()
            raise

    def pieces(self) -> Iterator[str]:
        """The text in bounded pieces; joined they are exactly `text()`."""
        return _text_pieces(self._chunks, self.encoding)

    def text(self) -> str:
        return "".join(self.pieces())

    def close(self) -> None:
        self._close()

    def __enter__(self) -> "Input":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def _memory_chunks(data: bytes | bytearray) -> Chunks:
    view = memoryview(data)
    return lambda: (bytes(view[i:i + CHUNK]) for i in range(0, len(data), CHUNK))


def _os_reason(e: OSError) -> str:
    if isinstance(e, FileNotFoundError):
        return "no such file"
    if isinstance(e, IsADirectoryError):
        return "is a directory"
    if isinstance(e, PermissionError):
        return "permission denied"
    return e.strerror or str(e)


_KINDS = ((stat.S_ISFIFO, "a FIFO (named pipe)"), (stat.S_ISCHR, "a character device"),
          (stat.S_ISBLK, "a block device"), (stat.S_ISSOCK, "a socket"))


def special_kind(mode: int) -> str | None:
    """'a FIFO (named pipe)', 'a character device', ... for a non-regular, non-directory st_mode."""
    return next((kind for test, kind in _KINDS if test(mode)), None if stat.S_ISREG(mode) else "not a regular file")


def open_regular(path: str | os.PathLike[str], *, limit: int | None = None) -> BinaryIO:
    """Open a regular file for reading bytes, unbuffered; TextError for anything else. A FIFO or device
    is refused without blocking on it (read a stream through '-'); a file above `limit` is refused."""
    try:
        # O_NONBLOCK: opening a FIFO must not wait for a writer; it has no effect on regular files
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except OSError as e:
        raise TextError(_os_reason(e)) from None
    try:
        st = os.fstat(fd)
        if stat.S_ISDIR(st.st_mode):
            raise TextError("is a directory")
        kind = special_kind(st.st_mode)
        if kind:
            raise TextError(f"not a regular file ({kind}); to read a stream, pipe it to '-'")
        if limit is not None and st.st_size > limit:
            raise _too_big(limit, st.st_size)
        return os.fdopen(fd, "rb", buffering=0)
    except BaseException:
        os.close(fd)
        raise


def open_input(path: str | os.PathLike[str], *, limit: int | None = None) -> Input:
    """Open a regular file as text input (see `open_regular`); the encoding is decided before it returns."""
    limit = input_limit() if limit is None else limit
    f = open_regular(path, limit=limit)

    def chunks() -> Iterator[bytes]:
        f.seek(0)
        read = 0
        while chunk := f.read(CHUNK):
            read += len(chunk)
            if read > limit:  # it grew, or its size lied (/proc)
                raise _too_big(limit)
            yield chunk

    try:
        return Input(chunks, f.close)
    except OSError as e:
        raise TextError(_os_reason(e)) from None


def open_stream(stream: BinaryIO | None, *, limit: int | None = None) -> Input:
    """Read a binary stream (standard input) into memory, at most `limit` bytes, sniffing the first
    block before reading on: an endless NUL stream is refused after one block."""
    limit = input_limit() if limit is None else limit
    if stream is None:
        raise TextError("standard input is closed")
    data = bytearray()
    try:
        while len(data) < SNIFF_BYTES and (block := stream.read(SNIFF_BYTES - len(data))):
            data += block
        _sniff(bytes(data))
        while len(data) <= limit and (block := stream.read(CHUNK)):
            data += block
        if len(data) > limit:
            raise _too_big(limit)
    except OSError as e:
        raise TextError(_os_reason(e)) from None
    return Input(_memory_chunks(data))


def decode(data: bytes) -> tuple[str, str]:
    """Decode file bytes to (NFC text with \\n line endings, encoding name); see `_detect` for the order.
    Raises TextError when no reading is plausible (>= 20 letters, < 25 % common)."""
    source = Input(_memory_chunks(data))
    return source.text(), source.encoding


def read_text(path: str | os.PathLike[str], *, limit: int | None = None) -> str:
    """Read and decode the regular file at path; every failure is a TextError."""
    with open_input(path, limit=limit) as source:
        try:
            return source.text()
        except OSError as e:
            raise TextError(_os_reason(e)) from None


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
