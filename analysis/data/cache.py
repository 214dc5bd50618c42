"""A disk cache of the expensive shared computations, keyed so that it is never stale.

The notebooks, the report and the tests each run in their own Python process, so the
in-process ``functools.cache`` of :mod:`analysis.frames` does not share the loading, the IRT
fits and the bootstraps between them. :func:`cached` stores a function's result on disk under

    sha256( format, the code version, the function's qualified name,
            the registry entries of the sources it reads, its bound arguments )

- the **code version** (:func:`code_version`) hashes every ``.py`` file of the ``analysis``
  package, the committed project data under ``data/`` (the source registry, manifests,
  claims) and the versions of Python, NumPy, pandas and SciPy: any edit is a new key;
- each declared **source** contributes its registry entry (upstream commit, every file's
  pinned sha256 and size, the hub revision), and is first passed to
  :func:`analysis.data.download.ensure`, which checks the cached files against those pins
  (and fetches them if missing), so a hit is only served for the pinned bytes; that check
  also opens the files, so the report's provenance footer still sees which sources a
  notebook used when the result comes from the cache;
- the **arguments** are bound to the signature (defaults applied) and pickled; their
  sha256 is part of the key (a DataFrame argument is hashed with its index, dtypes and attrs).

Entries are written atomically (a temporary file in the same folder, then ``os.replace``),
carry their key and the sha256 of the payload, and an entry that is truncated, corrupt,
unreadable or written for another key is recomputed and replaced, never used. Exceptions are
never cached.

Trust boundary: entries are pickles, and unpickling runs code, so the cache holds only our
own outputs, written by this module into a directory that must belong to the current user and
be writable by nobody else (checked on use; otherwise caching is off with one warning). The
default is ``reports/cache/`` (git-ignored); ``SWEAUDIT_COMPUTE_CACHE`` moves it (never point
it at a directory someone else can write), ``SWEAUDIT_NO_CACHE=1`` turns the cache off.
"""

from __future__ import annotations

import functools
import hashlib
import importlib.metadata
import inspect
import os
import pickle
import platform
import stat
import sys
import tempfile
import warnings
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, TypeVar

from analysis import paths
from analysis.data.sources import get_source

#: Bump when the entry layout changes.
FORMAT = 1
#: Environment variables: the cache directory, and the switch that turns caching off.
CACHE_DIR_VARIABLE = "SWEAUDIT_COMPUTE_CACHE"
DISABLE_VARIABLE = "SWEAUDIT_NO_CACHE"
_MAGIC = b"swe-audit-cache\n"
_LIBRARIES = ("numpy", "pandas", "scipy")

F = TypeVar("F", bound=Callable[..., Any])


def cache_dir() -> Path:
    """Where entries live: ``SWEAUDIT_COMPUTE_CACHE`` or ``reports/cache/``."""
    value = os.environ.get(CACHE_DIR_VARIABLE)
    return Path(value).expanduser().resolve() if value else paths.reports_dir() / "cache"


def enabled() -> bool:
    """False when ``SWEAUDIT_NO_CACHE`` is set to anything but ``""``/``"0"``."""
    return os.environ.get(DISABLE_VARIABLE, "") in ("", "0")


def _package_files() -> list[Path]:
    package = Path(__file__).resolve().parent.parent
    files = sorted(package.rglob("*.py"))
    data = paths.data_dir()
    # The upstream files (data/raw/) are keyed by their pins, and the cache is not code.
    skipped = (paths.raw_dir().resolve(), cache_dir(), data / "raw")
    for path in sorted(data.rglob("*")) if data.is_dir() else []:
        if path.is_file() and not any(folder in path.resolve().parents for folder in skipped):
            files.append(path)
    return files


@functools.cache
def code_version() -> str:
    """sha256 of the package's sources, the committed project data and the library versions.

    Computed once per process (the code does not change under a running process).
    """
    digest = hashlib.sha256()
    versions = [sys.version, platform.machine()]
    for name in _LIBRARIES:
        try:
            versions.append(f"{name}=={importlib.metadata.version(name)}")
        except importlib.metadata.PackageNotFoundError:
            versions.append(f"{name} missing")
    digest.update("\n".join(versions).encode())
    root = Path(__file__).resolve().parent.parent.parent
    for path in _package_files():
        try:
            relative = path.resolve().relative_to(root)
        except ValueError:
            relative = path
        digest.update(str(relative).encode() + b"\0")
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def sources_fingerprint(names: Iterable[str]) -> str:
    """The registry entries of ``names``, after :func:`~analysis.data.download.ensure` has
    checked (or fetched) their files; raises what ``ensure`` raises."""
    # Imported lazily, as parsing.default_path does: the download layer is heavier.
    from analysis.data.download import ensure

    parts = []
    for name in names:
        ensure(name)
        parts.append(repr(get_source(name)))
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


def entry_key(
    function: Callable[..., Any], sources: Iterable[str], args: tuple, kwargs: dict
) -> str:
    """The cache key of ``function(*args, **kwargs)`` (see the module docstring)."""
    bound = inspect.signature(function).bind(*args, **kwargs)
    bound.apply_defaults()
    # A progress bar does not change the result.
    chosen = {name: value for name, value in bound.arguments.items() if name != "progress"}
    arguments = pickle.dumps(chosen, protocol=5)
    digest = hashlib.sha256()
    for part in (
        f"format {FORMAT}",
        code_version(),
        f"{function.__module__}.{function.__qualname__}",
        sources_fingerprint(sources),
        hashlib.sha256(arguments).hexdigest(),
    ):
        digest.update(part.encode() + b"\0")
    return digest.hexdigest()


_warned: set[str] = set()


def _usable_directory(directory: Path) -> bool:
    """Create ``directory`` (mode 0700) if needed; True when it is ours and private."""
    try:
        directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        info = directory.stat()
    except OSError as error:
        problem = f"cannot create it ({error.strerror or error})"
    else:
        owned = not hasattr(os, "getuid") or info.st_uid == os.getuid()
        if stat.S_ISDIR(info.st_mode) and owned and not info.st_mode & 0o022:
            return True
        problem = "it is not a directory owned by you and writable only by you"
    if str(directory) not in _warned:
        _warned.add(str(directory))
        warnings.warn(
            f"{directory}: compute cache not used: {problem} (set {CACHE_DIR_VARIABLE})",
            stacklevel=3,
        )
    return False


def _entry_path(directory: Path, function: Callable[..., Any], key: str) -> Path:
    return directory / f"{function.__module__}.{function.__qualname__}" / f"{key}.pickle"


def read_entry(path: Path, key: str) -> tuple[bool, Any]:
    """``(True, value)`` for a sound entry written for ``key``; ``(False, None)`` otherwise
    (missing, truncated, corrupt, unreadable or for another key)."""
    try:
        blob = path.read_bytes()
    except OSError:
        return False, None
    header_length = len(_MAGIC) + 64 + 1 + 64 + 1
    header, payload = blob[:header_length], blob[header_length:]
    expected = _MAGIC + key.encode() + b"\n" + hashlib.sha256(payload).hexdigest().encode() + b"\n"
    if header != expected:
        return False, None
    try:
        return True, pickle.loads(payload)
    except Exception:  # a checksummed payload that still fails: recompute, never trust
        return False, None


def write_entry(path: Path, key: str, value: Any) -> bool:
    """Store ``value`` for ``key`` at ``path`` atomically; False if it cannot be stored."""
    try:
        payload = pickle.dumps(value, protocol=5)
    except Exception:  # not picklable: the result is still returned, just not stored
        return False
    header = _MAGIC + key.encode() + b"\n" + hashlib.sha256(payload).hexdigest().encode() + b"\n"
    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(prefix=f".{path.stem[:16]}.", dir=path.parent)
        try:
            with os.fdopen(handle, "wb") as stream:
                stream.write(header + payload)
                stream.flush()
                os.fsync(stream.fileno())
            os.replace(temporary, path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
    except OSError:
        return False
    return True


def cached(sources: Iterable[str] = (), memo: int | None = 0) -> Callable[[F], F]:
    """Decorator: keep ``function``'s result on disk, keyed as the module docstring says.

    ``sources``: the registry names of every upstream source the function reads itself
    (through :mod:`analysis.frames` or a reader); a function that gets its data only from
    its arguments declares none. Use it on deterministic functions whose results are
    picklable and treated as read-only. ``memo``: also keep the last ``memo`` results in
    memory (``functools.lru_cache(maxsize=memo)`` on top; ``None``: unbounded, 0: none).
    """
    names = tuple(sources)

    def decorate(function: F) -> F:
        @functools.wraps(function)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            if not enabled():
                return function(*args, **kwargs)
            directory = cache_dir()
            try:
                key = entry_key(function, names, args, kwargs)
            except (pickle.PicklingError, TypeError, AttributeError):
                return function(*args, **kwargs)  # arguments we cannot hash: no caching
            if not _usable_directory(directory):
                return function(*args, **kwargs)
            path = _entry_path(directory, function, key)
            found, value = read_entry(path, key)
            if found:
                return value
            value = function(*args, **kwargs)
            write_entry(path, key, value)
            return value

        wrapper.__wrapped_sources__ = names  # type: ignore[attr-defined]
        if memo != 0:
            return functools.lru_cache(maxsize=memo)(wrapper)  # type: ignore[return-value]
        return wrapper  # type: ignore[return-value]

    return decorate
