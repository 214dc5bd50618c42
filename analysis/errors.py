"""Exceptions raised for bad input: each names the file (or URL) and the problem."""

from __future__ import annotations

from pathlib import Path


class DataError(Exception):
    """Input data is missing, corrupt or inconsistent.

    The message always starts with the offending file or URL so a user knows where to look.
    """

    def __init__(self, where: str | Path, problem: str) -> None:
        self.where = str(where)
        self.problem = problem
        super().__init__(f"{self.where}: {problem}")


class DownloadError(DataError):
    """A download failed (HTTP error, timeout, truncated body, checksum mismatch)."""
