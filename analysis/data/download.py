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

One module per concern: :mod:`analysis.data.staging` (the ``.part`` file, its sweep),
:mod:`analysis.data.http_transfer` (the bounded HTTP download), :mod:`analysis.data.mirror`
(the mirror copy), :mod:`analysis.data.hub` (``verified_tasks`` rebuilt from the pinned
Hugging Face revision, whose sha256 may legitimately differ: recorded next to the file and
accepted by :func:`ensure`); this module decides what to fetch and runs the command.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from analysis.data.http_transfer import (
    DEFAULT_DEADLINE,
    DEFAULT_TIMEOUT,
    OfflineError,
    TransferOptions,
    download_file,
)
from analysis.data.hub import VERIFIED_ROWS, fetch_from_hub, hub_record, verified_tasks_jsonl
from analysis.data.mirror import copy_from_mirror, resolve_mirror
from analysis.data.sources import Source, SourceFile, get_source, registry
from analysis.data.staging import PART_NAME, STALE_PART_SECONDS, sha256_of, sweep_stale_parts
from analysis.errors import DownloadError, clean_for_terminal, describe_os_error, sigterm_raises
from analysis.paths import raw_dir

#: Re-exported: callers and tests import these from here.
__all__ = [
    "DEFAULT_DEADLINE",
    "DEFAULT_TIMEOUT",
    "STALE_PART_SECONDS",
    "VERIFIED_ROWS",
    "FetchResult",
    "OfflineError",
    "configure_parser",
    "ensure",
    "fetch",
    "pinned_paths",
    "run_cli",
    "sha256_of",
    "stray_files",
    "sweep_stale_parts",
    "verified_tasks_jsonl",
]

# In-process memo of verified checksums, keyed by (path, mtime_ns, size): ensure() is called
# by every loader, and rehashing an 8 MB file each time is wasted work.
_SHA_MEMO: dict[tuple[str, int, int], str] = {}


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


def _memo_sha256(path: Path) -> str:
    info = path.stat()
    key = (str(path.resolve()), info.st_mtime_ns, info.st_size)
    if key not in _SHA_MEMO:
        _SHA_MEMO[key] = sha256_of(path)
    return _SHA_MEMO[key]


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
    record = hub_record(source, path)
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
            if path not in pinned and not PART_NAME.match(entry):
                strays.append(path)
    return sorted(strays)


def pinned_under(
    path: Path | str, sources: Mapping[str, Source] | None = None
) -> list[Path] | None:
    """The verified pinned files under ``path`` when it is (inside) the cache folder of a
    registered multi-file source, else ``None``.

    Readers that list a folder call this first: in the cache only pinned files are data (a
    stray file there is never read), while a folder the user points at elsewhere is read as
    given. Fetches first like :func:`ensure` (a corrupt pinned file is replaced, never read).
    """
    where = Path(path).resolve()
    cache = raw_dir().resolve()
    if not where.is_relative_to(cache):
        return None
    chosen = registry() if sources is None else sources
    for source in chosen.values():
        folder = (cache / source.relative_path).resolve()
        if source.is_directory and where.is_relative_to(folder):
            pinned = [p.resolve() for p in pinned_paths(source, sources=chosen)]
            return [p for p in pinned if p.is_relative_to(where)]
    return None


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


def brief_listing(paths: list[Path], folder: Path, limit: int = 3) -> str:
    """The first ``limit`` paths relative to ``folder``, then "and N more" (for messages)."""
    names = [path.relative_to(folder).as_posix() for path in paths]
    shown = ", ".join(names[:limit])
    return shown + (f" and {len(names) - limit} more" if len(names) > limit else "")


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
    mirror_path = resolve_mirror(mirror)
    cache = raw_dir()
    options = TransferOptions(
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


def _fetch_source(
    source: Source, cache: Path, mirror: Path | None, force: bool, options: TransferOptions
) -> FetchResult:
    target = cache / source.relative_path
    notes: list[str] = []
    try:
        strays = stray_files(source) if source.is_directory else []
        counted = f"{len(strays)} unpinned file{'s' if len(strays) > 1 else ''}"
        if strays and force:
            _remove_strays(source, strays)
            notes.append(f"removed {counted} from {target}: {brief_listing(strays, target)}")
        elif strays:
            notes.append(
                f"{counted} in {target} ignored (never read as data; `fetch --force` removes"
                f" them): {brief_listing(strays, target)}"
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
                    copy_from_mirror(item, mirror / item.path, destination, options)
                elif source.hf_dataset is not None:
                    notes += fetch_from_hub(source, item, destination)
                else:
                    download_file(item, destination, options)
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
    where = named if named and not PART_NAME.match(Path(str(named)).name) else destination
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
        valid = ", ".join(sorted(known))
        print(
            clean_for_terminal(f"error: unknown source {unknown[0]!r}; valid names: {valid}"),
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
        print(clean_for_terminal(f"fetch failed: {error}"), file=sys.stderr)
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
        listed = ", ".join(failed)
        print(clean_for_terminal(f"{len(failed)} of {len(results)} sources failed: {listed}"))
    return 1 if failed else 0
