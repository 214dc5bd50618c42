"""Fill the ``data/raw`` cache with verified upstream files; the ``fetch`` command.

Where a file comes from, in order: an explicit ``mirror`` directory, else ``SWEAUDIT_MIRROR``,
else its upstream URL (pinned to a commit). Every file is written to a hidden temporary
``.NAME.PID.XXXX.part`` file in the cache folder, checked against the registry's sha256 and
size, and only then moved over the cached copy with :func:`os.replace`, so a failed, partial,
oversized or corrupt download never replaces a good cached file. Like pip's hash-checking
mode, nothing unpinned is trusted:

- a download is bounded in time (``deadline`` seconds per file over all attempts, on top of
  the per-read ``timeout``) and in size (the registry's size: a body that grows past it is
  aborted before the excess is written);
- SIGTERM and SIGINT during ``fetch`` unwind normally, so the ``.part`` file is removed;
  ``.part`` files left by a killed process (its PID no longer runs, or older than
  :data:`STALE_PART_SECONDS`) are swept at the next ``fetch``;
- only pinned files count: :func:`pinned_paths` lists them for loaders, :func:`stray_files`
  lists anything else in a multi-file source's folder, which ``fetch --force`` removes;
- every file-system or network failure is one :class:`DownloadError` naming the file and
  saying what to do, and ``fetch`` carries on with the remaining sources.

``verified_tasks`` has no single raw URL upstream: without a mirror it is rebuilt from the
pinned Hugging Face dataset revision into the same JSONL layout (rows sorted by
``instance_id``, one ``json.dumps`` object per line). Serialisation details of the hub's
copy may differ from the mirror's, so that file's sha256 can legitimately differ from the
registry's; the rebuilt file's sha256 and revision are recorded next to it
(``<file>.origin.json``), reported, and accepted by :func:`ensure` instead of failing.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import http.client
import json
import os
import re
import socket
import stat
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from tqdm.auto import tqdm

from analysis.data.sources import VERIFIED_COLUMNS, Source, SourceFile, get_source, registry
from analysis.errors import (
    DownloadError,
    clean_for_terminal,
    describe_os_error,
    sigterm_raises,
)
from analysis.paths import mirror_dir, raw_dir

CHUNK_SIZE = 1 << 16
USER_AGENT = "swe-audit (+https://github.com/; reproducible benchmark audit)"

VERIFIED_ROWS = 500

#: A ``.part`` file untouched for this long belongs to no live download (each has a deadline).
STALE_PART_SECONDS = 3600.0

#: Default per-read timeout and overall time limit per file, in seconds.
DEFAULT_TIMEOUT = 30.0
DEFAULT_DEADLINE = 300.0

OFFLINE_ADVICE = (
    "no network and no mirror configured. Either point at a local copy of the upstream "
    "files (set SWEAUDIT_MIRROR=DIR, or run `python -m analysis fetch --mirror DIR`), "
    "or connect to the internet and run the command again."
)
MIRROR_INSTEAD = "use a local copy of the upstream files (--mirror DIR)"
RETRY_ADVICE = f"retry later, or {MIRROR_INSTEAD}"
MIRROR_ADVICE = "the mirror must hold the pinned upstream files in the layout of its PROVENANCE.md"

# Our staging files: ".<name>.<pid>.<random>.part" (older versions wrote no pid).
_PART = re.compile(r"^\..+?(?:\.(?P<pid>\d+))?\.[^.]+\.part$")

# The process umask can only be read by setting it; restore it at once.
_UMASK = os.umask(0)
os.umask(_UMASK)

# In-process memo of verified checksums, keyed by (path, mtime_ns, size): ensure() is called
# by every loader, and rehashing an 8 MB file each time is wasted work.
_SHA_MEMO: dict[tuple[str, int, int], str] = {}


class OfflineError(DownloadError):
    """Upstream is unreachable and no mirror is configured: one message says what to do."""


@dataclass(frozen=True)
class FetchResult:
    """Outcome of fetching one source.

    ``origin`` is where the bytes came from: ``"cache"`` (already present and verified),
    ``"mirror"``, ``"upstream"`` (raw URLs) or ``"huggingface"``. ``error`` is set iff
    ``ok`` is false; ``notes`` carry non-fatal facts (e.g. a rebuilt file's differing sha256,
    unpinned files found or removed).
    """

    name: str
    origin: str
    path: Path
    ok: bool
    error: DownloadError | None = None
    notes: tuple[str, ...] = field(default_factory=tuple)


def sha256_of(path: Path | str) -> str:
    """Hex SHA-256 of a file's bytes (FIPS 180-4), read in chunks."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(CHUNK_SIZE), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _memo_sha256(path: Path) -> str:
    info = path.stat()
    key = (str(path.resolve()), info.st_mtime_ns, info.st_size)
    if key not in _SHA_MEMO:
        _SHA_MEMO[key] = sha256_of(path)
    return _SHA_MEMO[key]


def _origin_record_path(path: Path) -> Path:
    return path.with_name(path.name + ".origin.json")


def _hub_record(source: Source, path: Path) -> dict[str, Any] | None:
    """The sidecar written when ``path`` was rebuilt from the hub, if it is valid for ``source``."""
    record_path = _origin_record_path(path)
    if source.hf_dataset is None or not record_path.is_file():
        return None
    try:
        record = json.loads(record_path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if (
        not isinstance(record, dict)
        or record.get("hf_dataset") != source.hf_dataset
        or record.get("hf_revision") != source.hf_revision
    ):
        return None
    return record


def _is_cached(source: Source, item: SourceFile, cache: Path) -> bool:
    """True when the cached copy of ``item`` is a regular file with an accepted sha256.

    Only pinned files are looked at; an unreadable copy counts as not cached (it is fetched
    again, and a failure to replace it is reported then).
    """
    path = cache / item.path
    try:
        if not path.is_file():
            return False
        actual = _memo_sha256(path)
    except OSError:
        return False
    if actual == item.sha256:
        return True
    record = _hub_record(source, path)
    return record is not None and record.get("sha256") == actual


def _rejected(source: Source, items: Iterable[SourceFile], cache: Path) -> list[Path]:
    """Cached copies that exist but failed the check (so a failure must mention them)."""
    return [
        cache / item.path
        for item in items
        if (cache / item.path).is_file() and not _is_cached(source, item, cache)
    ]


def _resolve(name: str | Source, sources: Mapping[str, Source] | None) -> Source:
    return name if isinstance(name, Source) else get_source(name, sources)


def _resolve_mirror(mirror: Path | str | None) -> Path | None:
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


def ensure(
    name: str | Source,
    mirror: Path | str | None = None,
    sources: Mapping[str, Source] | None = None,
) -> Path:
    """Cached local path of a source, fetched first if any pinned file is missing or corrupt.

    Returns the file for single-file sources and the folder for multi-file sources
    (``pro_results``, ``acr_runs``, ``openhands_index``, ``terminal_bench``): read the files
    listed by :func:`pinned_paths`, never a glob of that folder. Raises
    :class:`DownloadError` if it cannot be fetched.
    """
    source = _resolve(name, sources)
    cache = raw_dir()
    if all(_is_cached(source, item, cache) for item in source.files):
        return cache / source.relative_path
    (result,) = fetch([source], mirror=mirror, progress=False)
    if result.error is not None:
        raise result.error
    return result.path


def pinned_paths(
    name: str | Source,
    mirror: Path | str | None = None,
    sources: Mapping[str, Source] | None = None,
) -> list[Path]:
    """The verified cached paths of every pinned file of a source, in registry order.

    Fetches first like :func:`ensure`. Loaders of multi-file sources read exactly these
    files; anything else in the folder is a stray (:func:`stray_files`) and is never data.
    """
    source = _resolve(name, sources)
    ensure(source, mirror=mirror)
    cache = raw_dir()
    return [cache / item.path for item in source.files]


def stray_files(name: str | Source, sources: Mapping[str, Source] | None = None) -> list[Path]:
    """Files in a multi-file source's cache folder that the registry does not pin (sorted).

    Symlinks and special files count as strays; our own in-progress ``.part`` files do not.
    Empty for single-file sources (they share the cache root) and for a missing folder.
    """
    source = _resolve(name, sources)
    if not source.is_directory:
        return []
    cache = raw_dir()
    folder = cache / source.relative_path
    pinned = {cache / item.path for item in source.files}
    strays = []
    for root, directories, files in os.walk(folder):  # does not follow symlinked folders
        base = Path(root)
        linked = [d for d in directories if (base / d).is_symlink()]
        for entry in [*files, *linked]:
            path = base / entry
            if path not in pinned and not _PART.match(entry):
                strays.append(path)
    return sorted(strays)


def _remove_strays(source: Source, strays: list[Path]) -> None:
    """Delete ``strays`` and any folder they leave empty, never a folder of a pinned file."""
    cache = raw_dir()
    keep = {parent for item in source.files for parent in (cache / item.path).parents}
    for path in strays:
        path.unlink()
        for parent in path.parents:
            if parent in keep or not parent.is_relative_to(cache) or any(parent.iterdir()):
                break
            parent.rmdir()


def _listing(paths: list[Path], folder: Path, limit: int = 3) -> str:
    names = [path.relative_to(folder).as_posix() for path in paths]
    shown = ", ".join(names[:limit])
    return shown + (f" and {len(names) - limit} more" if len(names) > limit else "")


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
            match = _PART.match(path.name)
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


def fetch(
    names: Iterable[str | Source] | None = None,
    mirror: Path | str | None = None,
    force: bool = False,
    progress: bool = True,
    timeout: float = DEFAULT_TIMEOUT,
    retries: int = 3,
    sources: Mapping[str, Source] | None = None,
    backoff: float = 1.0,
    deadline: float = DEFAULT_DEADLINE,
) -> list[FetchResult]:
    """Fetch sources into the cache and report one :class:`FetchResult` per source.

    ``names`` defaults to every source in ``sources`` (default: the registry). Files already
    cached with the right sha256 are kept unless ``force``; even then a failed re-fetch
    keeps the old file. ``force`` also removes unpinned files from a multi-file source's
    folder (without it they are reported in ``notes``). Each upstream file gets up to
    ``retries`` attempts on transient failures (timeouts, HTTP 5xx/429, truncated bodies,
    hang-ups), sleeping ``backoff * 2**(attempt - 1)`` seconds before attempt ``attempt``
    (0-based), all within ``deadline`` seconds; ``timeout`` bounds each read. Per-source
    failures (network, mirror, file system) are reported in the results and the remaining
    sources are still fetched; a host that cannot be reached at all (refused connection,
    unknown host) with no mirror raises :class:`OfflineError` at once, since every further
    source would fail the same way. SIGTERM raises :class:`analysis.errors.Terminated` (after
    removing the ``.part`` file), SIGINT :class:`KeyboardInterrupt`.
    """
    chosen_registry = registry() if sources is None else sources
    chosen = [_resolve(n, chosen_registry) for n in (chosen_registry if names is None else names)]
    mirror_path = _resolve_mirror(mirror)
    cache = raw_dir()
    options = _Options(
        timeout=timeout,
        deadline=deadline,
        retries=max(1, retries),
        backoff=backoff,
        progress=progress,
    )
    folders = {cache} | {(cache / f.path).parent for s in chosen for f in s.files}
    with sigterm_raises():
        sweep_stale_parts(sorted(folders))
        return [_fetch_source(source, cache, mirror_path, force, options) for source in chosen]


@dataclass(frozen=True)
class _Options:
    timeout: float
    deadline: float
    retries: int
    backoff: float
    progress: bool


def _fetch_source(
    source: Source, cache: Path, mirror: Path | None, force: bool, options: _Options
) -> FetchResult:
    target = cache / source.relative_path
    notes: list[str] = []
    try:
        strays = stray_files(source) if source.is_directory else []
        counted = f"{len(strays)} unpinned file{'s' if len(strays) > 1 else ''}"
        if strays and force:
            _remove_strays(source, strays)
            notes.append(f"removed {counted} from {target}: {_listing(strays, target)}")
        elif strays:
            notes.append(
                f"{counted} in {target} ignored (never read as data; `fetch --force` removes"
                f" them): {_listing(strays, target)}"
            )
    except OSError as error:
        return FetchResult(source.name, "cache", target, False, _os_failure(error, target))
    pending = [f for f in source.files if force or not _is_cached(source, f, cache)]
    if not pending:
        return FetchResult(source.name, "cache", target, ok=True, notes=tuple(notes))
    rejected = _rejected(source, pending, cache)
    origin = "mirror" if mirror is not None else "huggingface" if source.hf_dataset else "upstream"
    try:
        for item in pending:
            destination = cache / item.path
            try:
                if destination.is_dir() and not destination.is_symlink():
                    raise DownloadError(
                        destination,
                        "a directory is where this cached file should be; move or remove "
                        "that directory, then run fetch again",
                    )
                if mirror is not None:
                    _copy_from_mirror(item, mirror / item.path, destination, options)
                elif source.hf_dataset is not None:
                    notes += _fetch_from_hub(source, item, destination)
                else:
                    _download(item, destination, options)
            except OSError as error:
                raise _os_failure(error, destination) from None
    except OfflineError as error:
        raise _mention_rejected(error, rejected) from None
    except DownloadError as error:
        error = _mention_rejected(error, rejected)
        return FetchResult(source.name, origin, target, ok=False, error=error, notes=tuple(notes))
    return FetchResult(source.name, origin, target, ok=True, notes=tuple(notes))


def _os_failure(error: OSError, destination: Path) -> DownloadError:
    """An OSError as one DownloadError naming the file it concerns (not our ``.part`` file)."""
    named = error.filename
    where = named if named and not _PART.match(Path(str(named)).name) else destination
    described = describe_os_error(error, where)
    return DownloadError(described.where, described.problem)


def _mention_rejected(error: DownloadError, rejected: list[Path]) -> DownloadError:
    if not rejected:
        return error
    listed = ", ".join(str(path) for path in rejected[:3])
    more = f" and {len(rejected) - 3} more" if len(rejected) > 3 else ""
    problem = (
        f"{error.problem} (the cached {listed}{more} failed the sha256 check and could not be "
        "replaced; it is left as is and never read as data)"
    )
    return type(error)(error.where, problem)


@contextlib.contextmanager
def _staging(destination: Path) -> Iterator[tuple[IO[bytes], Path]]:
    """A hidden ``.part`` file next to ``destination``, removed unless moved into place.

    Its name carries our PID so :func:`sweep_stale_parts` can tell a dead download's file
    from a live one.
    """
    destination.parent.mkdir(parents=True, exist_ok=True)
    handle = _open_part(destination)
    temporary = Path(handle.name)
    try:
        # NamedTemporaryFile creates mode 0600; cached data should get the usual umask mode.
        os.chmod(temporary, 0o666 & ~_UMASK)
        yield handle, temporary
    finally:
        handle.close()
        temporary.unlink(missing_ok=True)


def _open_part(destination: Path) -> IO[bytes]:
    """Create the ``.part`` file for ``destination`` (a seam: tests make it fail)."""
    return tempfile.NamedTemporaryFile(  # closed by _staging, then moved or removed
        dir=destination.parent,
        prefix=f".{destination.name}.{os.getpid()}.",
        suffix=".part",
        delete=False,
    )


def _write(handle: IO[bytes], chunk: bytes) -> None:
    """Write one chunk to a ``.part`` file (a seam: tests make it fail with ENOSPC)."""
    handle.write(chunk)


def _commit(handle: IO[bytes], temporary: Path, destination: Path) -> None:
    handle.flush()
    os.fsync(handle.fileno())
    handle.close()
    os.replace(temporary, destination)


def _check_sha(where: str | Path, expected: str, actual: str, advice: str) -> None:
    if actual != expected:
        raise DownloadError(where, f"sha256 mismatch: expected {expected}, got {actual}; {advice}")


def _copy_from_mirror(item: SourceFile, origin: Path, destination: Path, options: _Options) -> None:
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
        _staging(destination) as (handle, temporary),
        origin.open("rb") as source,
        _bar(origin.name, info.st_size, options.progress) as bar,
    ):
        copied = 0
        for chunk in iter(lambda: source.read(CHUNK_SIZE), b""):
            copied += len(chunk)
            if copied > info.st_size:  # it grows while we copy: never write past its size
                raise DownloadError(origin, "changed while being copied; run fetch again")
            digest.update(chunk)
            _write(handle, chunk)
            bar.update(len(chunk))
        advice = "the mirror copy differs from the pinned upstream file: replace it"
        _check_sha(origin, item.sha256, digest.hexdigest(), advice)
        _commit(handle, temporary, destination)


def _bar(label: str, total: int | None, enabled: bool) -> Any:
    return tqdm(
        total=total,
        desc=label,
        unit="B",
        unit_scale=True,
        unit_divisor=1024,
        disable=not enabled,
        leave=False,
    )


class _Transient(Exception):
    """A failure worth retrying; carries the DownloadError to raise if retries run out."""

    def __init__(self, error: DownloadError) -> None:
        super().__init__(str(error))
        self.error = error


def _download(item: SourceFile, destination: Path, options: _Options) -> None:
    """Download ``item.url`` to ``destination`` with retries, all within ``options.deadline``."""
    deadline = time.monotonic() + options.deadline
    last: _Transient | None = None
    for attempt in range(options.retries):
        if attempt:
            pause = options.backoff * 2 ** (attempt - 1)
            if time.monotonic() + pause >= deadline:
                break
            time.sleep(pause)
        try:
            _download_once(item, destination, options, deadline)
            return
        except _Transient as transient:
            last = transient
    assert last is not None
    error = last.error
    raise DownloadError(error.where, f"{error.problem}; {RETRY_ADVICE}")


def _over_time(url: str, options: _Options, received: int, size: int | None) -> DownloadError:
    of = f" of {size}" if size is not None else ""
    return DownloadError(
        url,
        f"took longer than the overall limit of {options.deadline:g} s (got {received}{of}"
        f" bytes); the server is too slow: {RETRY_ADVICE}, or raise --deadline",
    )


def _remaining(url: str, deadline: float, options: _Options, received: int, size: int | None):
    """Seconds the next read may wait: the per-read timeout, cut short by the deadline."""
    left = deadline - time.monotonic()
    if left <= 0:
        raise _over_time(url, options, received, size)
    return min(options.timeout, left)


def _socket_of(response: Any) -> socket.socket | None:
    # http.client keeps the socket behind its buffered reader; setting its timeout before
    # each read is how a read is bounded by the overall deadline, not just by `timeout`.
    raw = getattr(getattr(response, "fp", None), "raw", None)
    sock = getattr(raw, "_sock", None)
    return sock if isinstance(sock, socket.socket) else None


class _HttpOnlyRedirects(urllib.request.HTTPRedirectHandler):
    """Follow redirects to http(s) URLs only (urllib would also follow one to ftp://)."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        if urllib.parse.urlsplit(newurl).scheme not in ("http", "https"):
            raise urllib.error.HTTPError(
                newurl, code, f"redirect to a non-HTTP URL refused: {newurl}", headers, fp
            )
        return super().redirect_request(req, fp, code, msg, headers, newurl)


_OPENER = urllib.request.build_opener(_HttpOnlyRedirects)


def _download_once(item: SourceFile, destination: Path, options: _Options, deadline: float) -> None:
    url = item.url
    request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT})
    wait = _remaining(url, deadline, options, 0, item.size)
    try:
        response = _OPENER.open(request, timeout=wait)
    except urllib.error.HTTPError as error:
        problem = f"HTTP {error.code} {error.reason}"
        error.close()
        if error.code >= 500 or error.code == 429:
            raise _Transient(DownloadError(url, problem)) from None
        raise DownloadError(
            url,
            f"{problem}; the pinned URL does not serve the file: check data/sources.toml, "
            "or use a local copy of the upstream files (--mirror DIR)",
        ) from None
    except urllib.error.URLError as error:
        if isinstance(error.reason, TimeoutError | socket.timeout):
            raise _Transient(_timeout_error(url, options.timeout)) from None
        # Refused connection, unknown host, no route: nothing upstream is reachable.
        raise OfflineError(url, f"cannot connect ({error.reason}); {OFFLINE_ADVICE}") from None
    except TimeoutError:
        raise _Transient(_timeout_error(url, options.timeout)) from None
    except (http.client.HTTPException, ConnectionError) as error:
        # Raised by getresponse() unwrapped, e.g. the server closed without answering.
        problem = f"no valid response ({type(error).__name__}: {error})"
        raise _Transient(DownloadError(url, problem)) from None
    with response:
        final = response.geturl()
        via = f" (redirected to {final})" if final != url else ""
        announced = response.headers.get("Content-Length")
        expected_size = int(announced) if announced and announced.isdigit() else None
        if item.size is not None and expected_size is not None and expected_size > item.size:
            raise DownloadError(
                url,
                f"the server announces {expected_size} bytes{via}, the pinned file has "
                f"{item.size}: refused before downloading; upstream changed or the URL is wrong:"
                f" check it, or {MIRROR_INSTEAD}",
            )
        sock = _socket_of(response)
        digest = hashlib.sha256()
        received = 0
        with (
            _staging(destination) as (handle, temporary),
            _bar(destination.name, expected_size or item.size, options.progress) as bar,
        ):
            try:
                while True:
                    wait = _remaining(url, deadline, options, received, item.size)
                    if sock is not None:
                        sock.settimeout(wait)
                    chunk = response.read1(CHUNK_SIZE)
                    if not chunk:
                        break
                    if item.size is not None and received + len(chunk) > item.size:
                        raise DownloadError(
                            url,
                            f"the body grew past the pinned size of {item.size} bytes{via}: "
                            "aborted without writing the excess; upstream changed or the "
                            f"server is misbehaving: check the URL, or {MIRROR_INSTEAD}",
                        )
                    digest.update(chunk)
                    _write(handle, chunk)
                    received += len(chunk)
                    bar.update(len(chunk))
            except TimeoutError:
                if time.monotonic() >= deadline:
                    raise _over_time(url, options, received, item.size) from None
                raise _Transient(_timeout_error(url, options.timeout)) from None
            except (http.client.IncompleteRead, ConnectionError) as error:
                problem = f"connection lost after {received} bytes ({type(error).__name__})"
                raise _Transient(DownloadError(url, problem)) from None
            if expected_size is not None and received != expected_size:
                problem = f"truncated: got {received} of {expected_size} bytes"
                raise _Transient(DownloadError(url, problem))
            actual = digest.hexdigest()
            content_type = response.headers.get("Content-Type", "")
            if actual != item.sha256 and content_type.startswith("text/html"):
                raise DownloadError(
                    url,
                    f"got an HTML page{via} instead of the pinned file (sha256 {actual}, expected"
                    f" {item.sha256}); the URL may have moved or need a login: check it",
                )
            advice = f"the server{via} sent other bytes than the pinned file; {RETRY_ADVICE}"
            _check_sha(url, item.sha256, actual, advice)
            _commit(handle, temporary, destination)


def _timeout_error(url: str, timeout: float) -> DownloadError:
    return DownloadError(url, f"timed out (no data for {timeout:g} s)")


# --- verified_tasks from the Hugging Face hub ---------------------------------------------


def verified_tasks_jsonl(
    rows: Iterable[Mapping[str, Any]],
    where: str = "verified_tasks",
    expected_rows: int = VERIFIED_ROWS,
    columns: tuple[str, ...] = VERIFIED_COLUMNS,
) -> bytes:
    """Serialise Verified rows (e.g. a ``datasets.Dataset``) as the mirror's JSONL bytes.

    Checks there are ``expected_rows`` rows, unique ``instance_id`` values and exactly the
    ``columns``; writes one ``json.dumps`` object per line (keys in ``columns`` order),
    sorted by ``instance_id``, each line ending in a newline.
    """
    records = [dict(row) for row in rows]
    if len(records) != expected_rows:
        raise DownloadError(where, f"expected {expected_rows} rows, got {len(records)}")
    for index, record in enumerate(records):
        if set(record) != set(columns):
            missing = sorted(set(columns) - set(record))
            extra = sorted(set(record) - set(columns))
            raise DownloadError(
                where, f"row {index}: columns differ (missing {missing}, unexpected {extra})"
            )
    ids = [record["instance_id"] for record in records]
    if len(set(ids)) != len(ids):
        repeated = sorted({i for i in ids if ids.count(i) > 1})[:5]
        raise DownloadError(where, f"duplicate instance_id values, e.g. {repeated}")
    records.sort(key=lambda record: record["instance_id"])
    lines = (json.dumps({column: record[column] for column in columns}) for record in records)
    return "".join(line + "\n" for line in lines).encode("utf-8")


def _load_hub_dataset(source: Source) -> Any:
    import datasets  # heavy import, only needed on this path

    return datasets.load_dataset(
        source.hf_dataset, split=source.hf_split, revision=source.hf_revision
    )


#: Replaceable in tests; loads the hub dataset named by a Source.
hub_loader: Callable[[Source], Any] = _load_hub_dataset


def _fetch_from_hub(source: Source, item: SourceFile, destination: Path) -> list[str]:
    """Rebuild ``item`` from the pinned hub revision; return notes on a differing sha256."""
    where = f"hf://datasets/{source.hf_dataset}@{source.hf_revision} (split {source.hf_split})"
    try:
        dataset = hub_loader(source)
    except (ConnectionError, OSError, TimeoutError) as error:
        raise OfflineError(where, f"cannot load ({error}); {OFFLINE_ADVICE}") from None
    except Exception as error:  # datasets raises many types; name the dataset and the cause
        raise DownloadError(where, f"cannot load: {type(error).__name__}: {error}") from None
    payload = verified_tasks_jsonl(dataset, where=where, expected_rows=VERIFIED_ROWS)
    actual = hashlib.sha256(payload).hexdigest()
    with _staging(destination) as (handle, temporary):
        handle.write(payload)
        _commit(handle, temporary, destination)
    record_path = _origin_record_path(destination)
    notes = []
    if actual != item.sha256:
        record = {
            "hf_dataset": source.hf_dataset,
            "hf_revision": source.hf_revision,
            "hf_split": source.hf_split,
            "sha256": actual,
            "registry_sha256": item.sha256,
        }
        record_path.write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")
        notes.append(
            f"rebuilt from {where}: sha256 {actual} differs from the mirror's {item.sha256}"
            " (serialisation may differ; rows, ids and columns were checked)"
        )
    else:
        record_path.unlink(missing_ok=True)
    return notes


# --- command line -------------------------------------------------------------------------


def configure_parser(parser: argparse.ArgumentParser) -> None:
    """Options of ``python -m analysis fetch`` (needs no registry: a broken one is reported
    when the command runs, as one line)."""
    parser.add_argument(
        "--mirror",
        metavar="DIR",
        type=Path,
        default=None,
        help="read files from this local copy of the upstream files (default: $SWEAUDIT_MIRROR,"
        " else download from the pinned upstream URLs)",
    )
    parser.add_argument(
        "--force",
        action="store_true",
        help="fetch again even if the cached copy is good (a failure keeps the old copy) and"
        " remove unpinned files from the sources' folders",
    )
    parser.add_argument(
        "--only",
        metavar="NAME",
        action="append",
        default=None,
        help="fetch only this source (repeatable); names are in data/sources.toml",
    )
    parser.add_argument(
        "--timeout",
        metavar="SECONDS",
        type=_positive_seconds,
        default=DEFAULT_TIMEOUT,
        help=f"give up on a read after this long without data (default {DEFAULT_TIMEOUT:g})",
    )
    parser.add_argument(
        "--deadline",
        metavar="SECONDS",
        type=_positive_seconds,
        default=DEFAULT_DEADLINE,
        help=f"overall time limit per file, retries included (default {DEFAULT_DEADLINE:g})",
    )
    parser.add_argument(
        "--retries", metavar="N", type=int, default=3, help="attempts per file (default 3)"
    )
    parser.add_argument(
        "--quiet", action="store_true", help="no progress bars; print only failures and notes"
    )


def _positive_seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = float("nan")
    if not value > 0 or value == float("inf"):
        raise argparse.ArgumentTypeError(f"expected a positive number of seconds, got {text!r}")
    return value


def run_cli(args: argparse.Namespace) -> int:
    """Fetch, print one line per source (name, origin, path, ok/FAILED) and its notes.

    Returns 0, 1 when any source failed, 2 for an unknown ``--only`` name. A broken registry
    or mirror raises :class:`DataError` (``analysis.cli`` prints it as one line, exit 1).
    """
    known = registry()
    unknown = [name for name in args.only or () if name not in known]
    if unknown:
        print(
            f"error: unknown source {unknown[0]!r}; valid names: {', '.join(sorted(known))}",
            file=sys.stderr,
        )
        return 2
    try:
        results = fetch(
            args.only,
            mirror=args.mirror,
            force=args.force,
            progress=not args.quiet,
            timeout=args.timeout,
            deadline=args.deadline,
            retries=args.retries,
        )
    except OfflineError as error:
        print(f"fetch failed: {error}", file=sys.stderr)
        return 1
    width = max(len(result.name) for result in results) if results else 0
    for result in results:
        status = "ok" if result.ok else f"FAILED: {result.error}"
        if not (args.quiet and result.ok and not result.notes):
            print(
                clean_for_terminal(
                    f"{result.name:<{width}}  {result.origin:<11}  {result.path}  {status}"
                )
            )
        for note in result.notes:
            print(clean_for_terminal(f"{'':<{width}}  note: {note}"))
    failed = [result.name for result in results if not result.ok]
    if failed:
        print(f"{len(failed)} of {len(results)} sources failed: {', '.join(failed)}")
    return 1 if failed else 0
