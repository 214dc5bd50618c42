"""Write a cached file safely: a hidden ``.part`` file next to it, checked, then renamed.

A file is written to ``.NAME.PID.XXXX.part`` in the cache folder and moved over the cached
copy with :func:`os.replace` only once its sha256 matched (:func:`commit_part`), so a failed,
partial or corrupt transfer never replaces a good file. ``.part`` files of killed processes
are swept by :func:`sweep_stale_parts`. Used by the mirror copy, the HTTP download and the
Hugging Face rebuild alike.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import stat
import tempfile
import time
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO, Any

from tqdm.auto import tqdm

from analysis.errors import DownloadError

CHUNK_SIZE = 1 << 16

#: A ``.part`` file untouched for this long belongs to no live download (each has a deadline).
STALE_PART_SECONDS = 3600.0

#: Our staging files: ".<name>.<pid>.<random>.part" (older versions wrote no pid).
PART_NAME = re.compile(r"^\..+?(?:\.(?P<pid>\d+))?\.[^.]+\.part$")

# The process umask can only be read by setting it; restore it at once.
_UMASK = os.umask(0)
os.umask(_UMASK)


def sha256_of(path: Path | str) -> str:
    """Hex SHA-256 of a file's bytes (FIPS 180-4), read in chunks."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(CHUNK_SIZE), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _pid_running(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True  # exists, owned by someone else
    return True


def sweep_stale_parts(directories: Iterable[Path], now: float | None = None) -> list[Path]:
    """Remove ``.part`` files left in ``directories`` by downloads that died; return them.

    A ``.part`` is stale when the PID in its name no longer runs, or (names without a PID,
    or a reused PID) when it has not been written for :data:`STALE_PART_SECONDS`. Live
    downloads of concurrent ``fetch`` runs are left alone.
    """
    now = time.time() if now is None else now
    removed = []
    for directory in directories:
        try:
            entries = list(directory.iterdir())
        except OSError:
            continue  # absent or unreadable: nothing of ours to sweep
        for path in entries:
            match = PART_NAME.match(path.name)
            if match is None:
                continue
            try:
                info = path.lstat()
                if not stat.S_ISREG(info.st_mode):
                    continue
                pid = match.group("pid")
                old = now - info.st_mtime > STALE_PART_SECONDS
                if old or (pid is not None and not _pid_running(int(pid))):
                    path.unlink()
                    removed.append(path)
            except OSError:
                continue  # raced with its owner, or not ours to remove
    return removed


@contextlib.contextmanager
def staging_file(destination: Path) -> Iterator[tuple[IO[bytes], Path]]:
    """A hidden ``.part`` file next to ``destination``, removed unless moved into place.

    Its name carries our PID so :func:`sweep_stale_parts` can tell a dead download's file
    from a live one.
    """
    destination.parent.mkdir(parents=True, exist_ok=True)
    handle = open_part(destination)
    temporary = Path(handle.name)
    try:
        # NamedTemporaryFile creates mode 0600; cached data should get the usual umask mode.
        os.chmod(temporary, 0o666 & ~_UMASK)
        yield handle, temporary
    finally:
        handle.close()
        temporary.unlink(missing_ok=True)


def open_part(destination: Path) -> IO[bytes]:
    """Create the ``.part`` file for ``destination`` (a seam: tests make it fail)."""
    return tempfile.NamedTemporaryFile(  # closed by staging_file, then moved or removed
        dir=destination.parent,
        prefix=f".{destination.name}.{os.getpid()}.",
        suffix=".part",
        delete=False,
    )


def write_chunk(handle: IO[bytes], chunk: bytes) -> None:
    """Write one chunk to a ``.part`` file (a seam: tests make it fail with ENOSPC)."""
    handle.write(chunk)


def commit_part(handle: IO[bytes], temporary: Path, destination: Path) -> None:
    handle.flush()
    os.fsync(handle.fileno())
    handle.close()
    os.replace(temporary, destination)


def check_sha256(where: str | Path, expected: str, actual: str, advice: str) -> None:
    if actual != expected:
        raise DownloadError(where, f"sha256 mismatch: expected {expected}, got {actual}; {advice}")


def progress_bar(label: str, total: int | None, enabled: bool) -> Any:
    return tqdm(
        total=total,
        desc=label,
        unit="B",
        unit_scale=True,
        unit_divisor=1024,
        disable=not enabled,
        leave=False,
    )
