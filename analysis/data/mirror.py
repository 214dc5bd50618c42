"""Copy a pinned file from a local mirror of the upstream files into the cache.

The mirror is ``--mirror DIR`` or ``SWEAUDIT_MIRROR``; each copy is checked for type, size
and sha256 before it replaces the cached file (through :mod:`analysis.data.staging`).
"""

from __future__ import annotations

import hashlib
import stat
from pathlib import Path

from analysis.data import staging
from analysis.data.http_transfer import TransferOptions
from analysis.data.sources import SourceFile
from analysis.data.staging import (
    CHUNK_SIZE,
    check_sha256,
    commit_part,
    progress_bar,
    staging_file,
)
from analysis.errors import DownloadError
from analysis.paths import mirror_dir

MIRROR_ADVICE = "the mirror must hold the pinned upstream files in the layout of its PROVENANCE.md"


def resolve_mirror(mirror: Path | str | None) -> Path | None:
    given = "--mirror" if mirror is not None else "SWEAUDIT_MIRROR"
    chosen = Path(mirror).expanduser().resolve() if mirror is not None else mirror_dir()
    if chosen is None:
        return None
    if not chosen.exists():
        raise DownloadError(
            chosen,
            f"mirror directory does not exist ({given}); point {given} at the folder holding "
            "the upstream files, or unset it to download from upstream",
        )
    if not chosen.is_dir():
        raise DownloadError(
            chosen,
            f"the mirror ({given}) is a file, not a directory; give the folder holding the "
            "upstream files (the one with PROVENANCE.md), not a file inside it",
        )
    return chosen


def copy_from_mirror(
    item: SourceFile, origin: Path, destination: Path, options: TransferOptions
) -> None:
    try:
        info = origin.stat()
    except FileNotFoundError:
        raise DownloadError(
            origin, f"missing from the mirror; copy the pinned file there ({MIRROR_ADVICE})"
        ) from None
    if stat.S_ISDIR(info.st_mode):
        raise DownloadError(
            origin,
            f"is a directory in the mirror, where the file {item.path} should be; "
            f"replace it with that file ({MIRROR_ADVICE})",
        )
    if not stat.S_ISREG(info.st_mode):  # a FIFO or device would block or never end
        raise DownloadError(
            origin, f"is not a regular file; replace it with the pinned file ({MIRROR_ADVICE})"
        )
    if info.st_size == 0 and item.size:
        raise DownloadError(
            origin,
            f"is empty (0 bytes; the pinned file has {item.size}): the mirror copy is truncated"
            " or a placeholder; replace it with the upstream file",
        )
    if item.size is not None and info.st_size != item.size:
        raise DownloadError(
            origin,
            f"has {info.st_size} bytes, the pinned file has {item.size}: the mirror copy is "
            "truncated or another version; replace it with the pinned upstream file",
        )
    digest = hashlib.sha256()
    with (
        staging_file(destination) as (handle, temporary),
        origin.open("rb") as source,
        progress_bar(origin.name, info.st_size, options.progress) as bar,
    ):
        copied = 0
        for chunk in iter(lambda: source.read(CHUNK_SIZE), b""):
            copied += len(chunk)
            if copied > info.st_size:  # it grows while we copy: never write past its size
                raise DownloadError(origin, "changed while being copied; run fetch again")
            digest.update(chunk)
            staging.write_chunk(handle, chunk)
            bar.update(len(chunk))
        advice = "the mirror copy differs from the pinned upstream file: replace it"
        check_sha256(origin, item.sha256, digest.hexdigest(), advice)
        commit_part(handle, temporary, destination)
