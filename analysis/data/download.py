"""Fill the ``data/raw`` cache with verified upstream files; the ``fetch`` command.

Where a file comes from, in order: an explicit ``mirror`` directory, else ``SWEAUDIT_MIRROR``,
else its upstream URL (pinned to a commit). Every file is written to a temporary file in the
cache folder, checked against the registry's sha256 (and the announced Content-Length), and
only then moved over the cached copy with :func:`os.replace`, so a failed, partial or corrupt
download never replaces a good cached file.

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
import socket
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from tqdm.auto import tqdm

from analysis.data.sources import SOURCES, VERIFIED_COLUMNS, Source, SourceFile, get_source
from analysis.errors import DownloadError
from analysis.paths import mirror_dir, raw_dir

CHUNK_SIZE = 1 << 16
USER_AGENT = "swe-audit (+https://github.com/; reproducible benchmark audit)"

VERIFIED_ROWS = 500

OFFLINE_ADVICE = (
    "no network and no mirror configured. Either point at a local copy of the upstream "
    "files (set SWEAUDIT_MIRROR=DIR, or run `python -m analysis fetch --mirror DIR`), "
    "or connect to the internet and run the command again."
)

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
    ``ok`` is false; ``notes`` carry non-fatal facts (e.g. a rebuilt file's differing sha256).
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
    stat = path.stat()
    key = (str(path.resolve()), stat.st_mtime_ns, stat.st_size)
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
    """True when the cached copy of ``item`` exists and has an accepted sha256."""
    path = cache / item.path
    if not path.is_file():
        return False
    actual = _memo_sha256(path)
    if actual == item.sha256:
        return True
    record = _hub_record(source, path)
    return record is not None and record.get("sha256") == actual


def _resolve(name: str | Source, sources: Mapping[str, Source] | None) -> Source:
    return name if isinstance(name, Source) else get_source(name, sources)


def _resolve_mirror(mirror: Path | str | None) -> Path | None:
    chosen = Path(mirror).expanduser().resolve() if mirror is not None else mirror_dir()
    if chosen is not None and not chosen.is_dir():
        raise DownloadError(chosen, "mirror directory does not exist")
    return chosen


def ensure(
    name: str | Source,
    mirror: Path | str | None = None,
    sources: Mapping[str, Source] | None = None,
) -> Path:
    """Cached local path of a source, fetched first if any file is missing or corrupt.

    Returns the file for single-file sources and the folder for multi-file sources
    (``pro_results``, ``acr_runs``). Raises :class:`DownloadError` if it cannot be fetched.
    """
    source = _resolve(name, sources)
    cache = raw_dir()
    if all(_is_cached(source, item, cache) for item in source.files):
        return cache / source.relative_path
    (result,) = fetch([source], mirror=mirror, progress=False)
    if result.error is not None:
        raise result.error
    return result.path


def fetch(
    names: Iterable[str | Source] | None = None,
    mirror: Path | str | None = None,
    force: bool = False,
    progress: bool = True,
    timeout: float = 30,
    retries: int = 3,
    sources: Mapping[str, Source] | None = None,
    backoff: float = 1.0,
) -> list[FetchResult]:
    """Fetch sources into the cache and report one :class:`FetchResult` per source.

    ``names`` defaults to every source in ``sources`` (default: the registry). Files already
    cached with the right sha256 are kept unless ``force``; even then a failed re-fetch
    keeps the old file. Each upstream file gets up to ``retries`` attempts on transient
    failures (timeouts, HTTP 5xx/429, truncated bodies, hang-ups), sleeping
    ``backoff * 2**(attempt - 1)`` seconds before attempt ``attempt`` (0-based). Per-source
    failures are reported in the results; a host that cannot be reached at all (refused
    connection, unknown host) with no mirror raises :class:`OfflineError` at once, since every
    further source would fail the same way.
    """
    registry = SOURCES if sources is None else sources
    chosen = [_resolve(n, registry) for n in (registry if names is None else names)]
    mirror_path = _resolve_mirror(mirror)
    cache = raw_dir()
    options = _Options(timeout=timeout, retries=max(1, retries), backoff=backoff, progress=progress)
    return [_fetch_source(source, cache, mirror_path, force, options) for source in chosen]


@dataclass(frozen=True)
class _Options:
    timeout: float
    retries: int
    backoff: float
    progress: bool


def _fetch_source(
    source: Source, cache: Path, mirror: Path | None, force: bool, options: _Options
) -> FetchResult:
    target = cache / source.relative_path
    pending = [f for f in source.files if force or not _is_cached(source, f, cache)]
    if not pending:
        return FetchResult(source.name, "cache", target, ok=True)
    notes: list[str] = []
    try:
        if mirror is not None:
            origin = "mirror"
            for item in pending:
                _copy_from_mirror(item, mirror / item.path, cache / item.path, options)
        elif source.hf_dataset is not None:
            origin = "huggingface"
            for item in pending:
                notes += _fetch_from_hub(source, item, cache / item.path)
        else:
            origin = "upstream"
            for item in pending:
                _download(item, cache / item.path, options)
    except OfflineError:
        raise
    except DownloadError as error:
        return FetchResult(source.name, origin, target, ok=False, error=error)
    return FetchResult(source.name, origin, target, ok=True, notes=tuple(notes))


@contextlib.contextmanager
def _staging(destination: Path) -> Iterator[tuple[IO[bytes], Path]]:
    """A temporary file next to ``destination``, removed unless it was moved into place."""
    destination.parent.mkdir(parents=True, exist_ok=True)
    handle = tempfile.NamedTemporaryFile(  # noqa: SIM115 (closed below, moved or removed)
        dir=destination.parent, prefix=f".{destination.name}.", suffix=".part", delete=False
    )
    temporary = Path(handle.name)
    # NamedTemporaryFile creates mode 0600; cached data should get the usual umask-based mode.
    os.chmod(temporary, 0o666 & ~_UMASK)
    try:
        yield handle, temporary
    finally:
        handle.close()
        temporary.unlink(missing_ok=True)


def _commit(handle: IO[bytes], temporary: Path, destination: Path) -> None:
    handle.flush()
    os.fsync(handle.fileno())
    handle.close()
    os.replace(temporary, destination)


def _check_sha(where: str | Path, expected: str, actual: str) -> None:
    if actual != expected:
        raise DownloadError(where, f"sha256 mismatch: expected {expected}, got {actual}")


def _copy_from_mirror(item: SourceFile, origin: Path, destination: Path, options: _Options) -> None:
    if not origin.is_file():
        raise DownloadError(origin, "missing from the mirror")
    digest = hashlib.sha256()
    with (
        _staging(destination) as (handle, temporary),
        origin.open("rb") as source,
        _bar(origin.name, origin.stat().st_size, options.progress) as bar,
    ):
        for chunk in iter(lambda: source.read(CHUNK_SIZE), b""):
            digest.update(chunk)
            handle.write(chunk)
            bar.update(len(chunk))
        _check_sha(origin, item.sha256, digest.hexdigest())
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
    """Download ``item.url`` to ``destination`` with retries; see :func:`fetch`."""
    last: _Transient | None = None
    for attempt in range(options.retries):
        if attempt:
            time.sleep(options.backoff * 2 ** (attempt - 1))
        try:
            _download_once(item, destination, options)
            return
        except _Transient as transient:
            last = transient
    assert last is not None
    raise last.error


def _download_once(item: SourceFile, destination: Path, options: _Options) -> None:
    url = item.url
    request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT})
    try:
        response = urllib.request.urlopen(request, timeout=options.timeout)
    except urllib.error.HTTPError as error:
        problem = f"HTTP {error.code} {error.reason}"
        if error.code >= 500 or error.code == 429:
            raise _Transient(DownloadError(url, problem)) from None
        raise DownloadError(url, problem) from None
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
        announced = response.headers.get("Content-Length")
        expected_size = int(announced) if announced and announced.isdigit() else None
        digest = hashlib.sha256()
        received = 0
        with (
            _staging(destination) as (handle, temporary),
            _bar(destination.name, expected_size, options.progress) as bar,
        ):
            try:
                for chunk in iter(lambda: response.read(CHUNK_SIZE), b""):
                    digest.update(chunk)
                    handle.write(chunk)
                    received += len(chunk)
                    bar.update(len(chunk))
            except TimeoutError:
                raise _Transient(_timeout_error(url, options.timeout)) from None
            except (http.client.IncompleteRead, ConnectionError) as error:
                problem = f"connection lost after {received} bytes ({error!r})"
                raise _Transient(DownloadError(url, problem)) from None
            if expected_size is not None and received != expected_size:
                problem = f"truncated: got {received} of {expected_size} bytes"
                raise _Transient(DownloadError(url, problem))
            _check_sha(url, item.sha256, digest.hexdigest())
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
    """Options of ``python -m analysis fetch``."""
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
        help="fetch again even if the cached copy is good (a failure keeps the old copy)",
    )
    parser.add_argument(
        "--only",
        metavar="NAME",
        action="append",
        default=None,
        help=f"fetch only this source (repeatable); one of: {', '.join(SOURCES)}",
    )
    parser.add_argument(
        "--quiet", action="store_true", help="no progress bars; print only failures and notes"
    )


def run_cli(args: argparse.Namespace) -> int:
    """Fetch, print one line per source (name, origin, path, ok/FAILED); 1 on any failure."""
    try:
        results = fetch(args.only, mirror=args.mirror, force=args.force, progress=not args.quiet)
    except OfflineError as error:
        print(f"fetch failed: {error}", file=sys.stderr)
        return 1
    width = max(len(result.name) for result in results) if results else 0
    for result in results:
        status = "ok" if result.ok else f"FAILED: {result.error}"
        if not (args.quiet and result.ok and not result.notes):
            print(f"{result.name:<{width}}  {result.origin:<11}  {result.path}  {status}")
        for note in result.notes:
            print(f"{'':<{width}}  note: {note}")
    failed = [result.name for result in results if not result.ok]
    if failed:
        print(f"{len(failed)} of {len(results)} sources failed: {', '.join(failed)}")
    return 1 if failed else 0
