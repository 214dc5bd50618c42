"""Exceptions raised for bad input: each names the file (or URL) and the problem.

Also the helpers that turn any failure into one safe terminal line: :func:`clean_for_terminal`
(control characters from data made visible, never interpreted) and :func:`describe_os_error`
(what the operating system refused, and what to do about it).
"""

from __future__ import annotations

import contextlib
import errno
import re
import signal
import threading
from collections.abc import Iterator
from pathlib import Path

# C0 controls (but not tab), DEL, C1 controls, and the Unicode bidi/isolate overrides that can
# reorder what a terminal shows (CVE-2021-42574 "Trojan Source").
_UNSAFE = re.compile("[\x00-\x08\x0a-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def clean_for_terminal(text: object, max_length: int | None = None) -> str:
    """``str(text)`` safe to print: control and bidi characters shown as escapes (``\\n``,
    ``\\xNN``, ``\\uNNNN``), so an ESC cannot recolour the terminal and a newline cannot fake a
    second line; with ``max_length``, cut to that many characters, ending in ``…`` and the
    full length."""

    def escape(match: re.Match[str]) -> str:
        code = ord(match.group())
        if match.group() in "\n\r":
            return repr(match.group())[1:-1]
        return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"

    cleaned = _UNSAFE.sub(escape, str(text))
    if max_length is not None and len(cleaned) > max_length:
        note = f"… ({len(cleaned)} chars)"
        cleaned = cleaned[: max(0, max_length - len(note))] + note
    return cleaned


class DataError(Exception):
    """Input data is missing, corrupt or inconsistent.

    The message always starts with the offending file or URL so a user knows where to look;
    ``where`` and ``problem`` keep the raw text, ``str(error)`` is safe to print.
    """

    def __init__(self, where: str | Path, problem: str) -> None:
        self.where = str(where)
        self.problem = problem
        super().__init__(clean_for_terminal(f"{self.where}: {problem}"))


class DownloadError(DataError):
    """A download failed (HTTP error, timeout, truncated body, checksum mismatch)."""


class Terminated(BaseException):
    """SIGTERM arrived; raised by a handler so ``finally`` blocks clean up (``.part`` files).

    A ``BaseException`` like :class:`KeyboardInterrupt`, so ``except Exception`` never
    swallows it.
    """

    def __init__(self, signum: int) -> None:
        super().__init__(f"terminated by signal {signum}")
        self.signum = signum


@contextlib.contextmanager
def sigterm_raises() -> Iterator[None]:
    """Within this block SIGTERM raises :class:`Terminated`, so ``finally`` blocks (which
    remove ``.part`` files) run instead of the process dying mid-write.

    Signal handlers can only be set from the main thread; elsewhere this does nothing.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def handler(signum: int, frame: object) -> None:
        raise Terminated(signum)

    previous = signal.signal(signal.SIGTERM, handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


#: What to do about the file-system failures users meet, by errno.
_OS_ADVICE = {
    errno.EACCES: "check its permissions, or set SWEAUDIT_CACHE to a directory you can write",
    errno.EPERM: "check its permissions, or set SWEAUDIT_CACHE to a directory you can write",
    errno.EROFS: "the file system is read-only: set SWEAUDIT_CACHE to a writable directory",
    errno.ENOSPC: "the disk is full: free some space (or set SWEAUDIT_CACHE elsewhere) and retry",
    errno.EDQUOT: "the disk quota is exhausted: free some space and retry",
    errno.EISDIR: "a directory is where a file should be: move or remove that directory",
    errno.ENOTDIR: "a file is where a directory should be: move or remove that file",
    errno.ENOENT: "it does not exist: check the path",
    errno.EEXIST: "something else is in the way (a file where a folder should be?): move it",
}


def describe_os_error(error: OSError, where: str | Path | None = None) -> DataError:
    """One :class:`DataError` for an ``OSError``: the path, what failed, what to do."""
    path = where if where is not None else (error.filename or "(file system)")
    reason = error.strerror or type(error).__name__
    advice = _OS_ADVICE.get(error.errno or -1, "")
    return DataError(path, f"{reason}" + (f"; {advice}" if advice else ""))
