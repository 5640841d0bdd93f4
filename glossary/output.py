"""All output of the command line, and what its failures mean to the user.

- Standard output is written through a guard: a reader that went away (EPIPE: `kozh export | head`)
  raises `OutputGone`, which the CLI turns into a quiet exit; any other write failure (ENOSPC on
  /dev/full, stdout closed with `>&-`) is an `OutputError`: `cannot write output: <reason>`.
- A file named by -o/--html is written to a temporary file beside it and renamed into place only when
  complete: a failed write leaves the old file (or none), never half of a new one.
- `database_error` names a write that SQLite refused (disk full, read-only, I/O error); the store rolls
  the transaction back before the error reaches the CLI, so "nothing was written" is true.
"""
from __future__ import annotations

import contextlib
import errno
import io
import os
import sqlite3
import sys
import tempfile
from typing import Iterator

from .errors import KozhError

__all__ = ["OutputError", "OutputGone", "guard_stdout", "stdout_binary", "finish_stdout", "atomic_file",
           "database_error"]


class OutputError(KozhError):
    """Output could not be written; the message is `cannot write output: <reason>`."""


class OutputGone(Exception):
    """The reader of standard output went away (EPIPE): stop quietly, as `head` expects."""


def _reason(e: OSError) -> str:
    if e.errno == errno.EBADF:
        return "standard output is closed"
    return (e.strerror or str(e)).lower() if e.errno else str(e)


class _GuardedStdout(io.RawIOBase):
    """File descriptor 1, or nothing when it was closed; failures become OutputGone / OutputError."""

    def __init__(self, fd: int | None) -> None:
        self.fd = fd
        self.failed = False  # reported once; later writes (the interpreter's last flush) are dropped

    def writable(self) -> bool:
        return True

    def fileno(self) -> int:
        if self.fd is None:
            raise OSError(errno.EBADF, "standard output is closed")
        return self.fd

    def isatty(self) -> bool:
        return self.fd is not None and os.isatty(self.fd)

    def write(self, data) -> int:
        if self.failed:
            return len(data)
        try:
            if self.fd is None:
                raise OSError(errno.EBADF, "standard output is closed")
            return os.write(self.fd, data)
        except BrokenPipeError:
            self.failed = True
            raise OutputGone() from None
        except OSError as e:
            self.failed = True
            raise OutputError(f"cannot write output: {_reason(e)}") from None


def _fd_open(fd: int) -> bool:
    try:
        os.fstat(fd)
        return True
    except OSError:
        return False


def guard_stdout() -> None:
    """Route the process's standard output through the guard. Closed descriptors 0-2 are first filled
    with /dev/null, so no file the program opens later (a database) can become "standard output".
    Leaves a replaced sys.stdout (a test runner's capture) alone."""
    closed = [fd for fd in (0, 1, 2) if not _fd_open(fd)]
    for fd in closed:
        null = os.open(os.devnull, os.O_RDWR)
        if null != fd:
            os.dup2(null, fd)
            os.close(null)
    if sys.stdout is not None and sys.stdout is not sys.__stdout__:
        return
    original = sys.stdout
    raw = _GuardedStdout(None if 1 in closed or original is None else 1)
    encoding = getattr(original, "encoding", None) or "utf-8"
    errors = getattr(original, "errors", None) or "strict"
    sys.stdout = io.TextIOWrapper(io.BufferedWriter(raw), encoding=encoding, errors=errors,
                                  line_buffering=raw.isatty(), write_through=False)


def stdout_binary():
    """The binary standard output (for exporters that write bytes)."""
    if sys.stdout is None:
        raise OutputError("cannot write output: standard output is closed")
    return sys.stdout.buffer


def finish_stdout() -> None:
    """Flush standard output now, inside the error handling, rather than at interpreter exit."""
    if sys.stdout is not None:
        sys.stdout.flush()


def _cleanup(path: str) -> None:
    with contextlib.suppress(OSError):
        os.unlink(path)


@contextlib.contextmanager
def atomic_file(path: str | os.PathLike[str]) -> Iterator[str]:
    """A temporary path beside `path`; renamed onto it when the block succeeds, removed when it fails.
    Write errors (disk full) become `cannot write output: PATH: <reason>`."""
    target = os.fspath(path)
    folder = os.path.dirname(os.path.abspath(target))
    try:
        fd, tmp = tempfile.mkstemp(prefix=".kozh-", suffix=".tmp", dir=folder)
    except OSError as e:
        raise OutputError(f"cannot write output: {target}: {_reason(e)}") from None
    os.close(fd)
    try:
        yield tmp
        with open(tmp, "rb+") as f:
            os.fsync(f.fileno())
        os.replace(tmp, target)
    except OSError as e:
        _cleanup(tmp)
        raise OutputError(f"cannot write output: {target}: {_reason(e)}") from None
    except BaseException:
        _cleanup(tmp)
        raise


_DISK_FULL = "database or disk is full"        # SQLITE_FULL: ENOSPC, or a short write at a size limit
_IO_ERROR = "disk i/o error"                   # SQLITE_IOERR: the write itself failed (EFBIG, EIO)
_READ_ONLY = "readonly database"               # SQLITE_READONLY: the file or its folder is not writable


def database_error(db: str, error: BaseException) -> KozhError | None:
    """The user-facing error for a refused database write, or None if `error` is something else."""
    if not isinstance(error, sqlite3.DatabaseError):
        return None
    message = str(error).lower()
    if _DISK_FULL in message:
        return KozhError(f"{db}: disk full — nothing was written")
    if _IO_ERROR in message:
        return KozhError(f"{db}: cannot write (disk I/O error: disk full or file size limit?) — nothing was written")
    if _READ_ONLY in message:
        return KozhError(f"{db}: database is read-only — nothing was written")
    return None
