"""The registry of upstream sources, read from ``data/sources.toml``.

Each :class:`Source` is pinned to one upstream commit; each of its :class:`SourceFile` has a
path relative to the cache (``analysis.paths.raw_dir()``) and to a mirror, a raw URL at that
commit, the sha256 its bytes must have and its size in bytes (which bounds a download).

A source lists its files either inline (``[[sources.NAME.files]]`` tables) or, for large
trees, as ``folder`` + ``manifest``: a file under ``data/`` with one ``SHA256 SIZE PATH`` line
per file (PATH relative to the upstream repository's root, stored in the cache under
``folder``; its raw URL is ``https://raw.githubusercontent.com/REPO/COMMIT/PATH`` with the
path percent-encoded, so ``:``, ``@`` and spaces survive).

The registry is parsed lazily, on first use (:func:`registry`, or the module attribute
``SOURCES``), so a broken ``sources.toml`` is a :class:`DataError` naming the file where it is
needed, not an import-time crash of every command. ``SWEAUDIT_SOURCES`` points at another
registry file (tests use it).
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import quote

from analysis.errors import DataError
from analysis.paths import data_dir

#: The 13 columns of SWE-bench Verified, in the hub's order (also the JSONL key order).
VERIFIED_COLUMNS: tuple[str, ...] = (
    "repo",
    "instance_id",
    "base_commit",
    "patch",
    "test_patch",
    "problem_statement",
    "hints_text",
    "created_at",
    "version",
    "FAIL_TO_PASS",
    "PASS_TO_PASS",
    "environment_setup_commit",
    "difficulty",
)

#: The committed registry file (``SWEAUDIT_SOURCES`` overrides, see :func:`registry_path`).
REGISTRY_PATH = data_dir() / "sources.toml"

#: Raw URL of a file at a commit on GitHub; ``{path}`` is percent-encoded.
RAW_URL = "https://raw.githubusercontent.com/{repo}/{commit}/{path}"

_SOURCE_KEYS = {"description", "licence", "repo", "commit"}
_OPTIONAL_KEYS = {"hf_dataset", "hf_revision", "hf_split", "files", "folder", "manifest"}
_FILE_KEYS = {"path", "url", "sha256", "size"}
_SHA256 = re.compile(r"[0-9a-f]{64}")
# Plain http only for a server on this machine (the tests' local server).
_URL_SCHEMES = ("https://", "http://127.0.0.1:", "http://localhost:")


@dataclass(frozen=True)
class SourceFile:
    """One upstream file: cache-relative POSIX path, raw URL pinned to a commit, sha256 (hex)
    and size in bytes (``None`` only for hand-built sources: then no size bound applies)."""

    path: str
    url: str
    sha256: str
    size: int | None = None


@dataclass(frozen=True)
class Source:
    """One upstream source: a single file, or a folder of files from one repo and commit.

    ``hf_*`` are set only for sources that can also be rebuilt from a Hugging Face dataset.
    """

    name: str
    description: str
    licence: str
    repo: str
    commit: str
    files: tuple[SourceFile, ...]
    hf_dataset: str | None = None
    hf_revision: str | None = None
    hf_split: str | None = None

    @property
    def is_directory(self) -> bool:
        """True when the source is several files that live under one folder."""
        return len(self.files) > 1

    @property
    def relative_path(self) -> str:
        """What ``ensure`` returns, relative to the cache: the file, or the files' top folder."""
        if not self.is_directory:
            return self.files[0].path
        return PurePosixPath(self.files[0].path).parts[0]


def raw_url(repo: str, commit: str, path: str) -> str:
    """The raw GitHub URL of ``path`` at ``commit``, the path percent-encoded (``/`` kept)."""
    return RAW_URL.format(repo=repo, commit=commit, path=quote(path, safe="/"))


def _safe_path(name: str, path: str, where: Path) -> str:
    parts = PurePosixPath(path)
    # Paths are joined onto the cache and the mirror: refuse anything that could escape them.
    if not path or parts.is_absolute() or ".." in parts.parts or "\\" in path or "\0" in path:
        raise DataError(
            where,
            f"source {name!r}: unsafe file path {path!r}; fix the entry (paths are "
            "relative and stay inside the cache)",
        )
    return path


def _check_file(name: str, item: SourceFile, where: Path) -> SourceFile:
    _safe_path(name, item.path, where)
    if not isinstance(item.sha256, str) or not _SHA256.fullmatch(item.sha256):
        raise DataError(where, f"source {name!r}: {item.path} has a malformed sha256")
    if not isinstance(item.size, int) or isinstance(item.size, bool) or item.size < 0:
        raise DataError(where, f"source {name!r}: {item.path} needs a size in bytes (>= 0)")
    if not isinstance(item.url, str) or not item.url.startswith(_URL_SCHEMES):
        raise DataError(where, f"source {name!r}: {item.path} needs an https:// url")
    return item


def _inline_files(name: str, entries: Any, where: Path) -> list[SourceFile]:
    if not isinstance(entries, list):
        raise DataError(where, f"source {name!r}: `files` must be a list of tables")
    files = []
    for index, entry in enumerate(entries):
        if not isinstance(entry, dict) or set(entry) != _FILE_KEYS:
            keys = sorted(entry) if isinstance(entry, dict) else type(entry).__name__
            raise DataError(
                where, f"source {name!r}, file #{index + 1}: keys {keys}, need {sorted(_FILE_KEYS)}"
            )
        files.append(_check_file(name, SourceFile(**entry), where))
    return files


def _manifest_files(name: str, entry: dict[str, Any], where: Path) -> list[SourceFile]:
    """The files a ``manifest`` lists (``SHA256 SIZE PATH`` lines), cached under ``folder``."""
    folder = _safe_path(name, str(entry["folder"]), where)
    if len(PurePosixPath(folder).parts) != 1:
        raise DataError(where, f"source {name!r}: folder {folder!r} must be one plain name")
    manifest = where.parent / _safe_path(name, str(entry["manifest"]), where)
    try:
        text = manifest.read_text(encoding="utf-8")
    except OSError as error:
        raise DataError(manifest, f"cannot read the manifest of source {name!r}: {error}") from None
    except UnicodeDecodeError:
        raise DataError(manifest, "not UTF-8 text") from None
    files = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip() or line.startswith("#"):
            continue
        fields = line.split(maxsplit=2)
        if len(fields) != 3 or not fields[1].isdigit():
            raise DataError(manifest, f"line {number}: expected `SHA256 SIZE PATH`, got {line!r}")
        sha, size, path = fields[0], int(fields[1]), fields[2]
        _safe_path(name, path, manifest)
        url = raw_url(entry["repo"], entry["commit"], path)
        files.append(_check_file(name, SourceFile(f"{folder}/{path}", url, sha, size), manifest))
    return files


def _parse_source(name: str, entry: Any, where: Path) -> Source:
    if not isinstance(entry, dict):
        raise DataError(where, f"source {name!r} is not a table")
    missing = _SOURCE_KEYS - entry.keys()
    unknown = entry.keys() - _SOURCE_KEYS - _OPTIONAL_KEYS
    if missing or unknown:
        raise DataError(
            where,
            f"source {name!r}: missing keys {sorted(missing)}, unknown keys {sorted(unknown)}",
        )
    if ("files" in entry) == ("manifest" in entry) or ("manifest" in entry) != ("folder" in entry):
        raise DataError(where, f"source {name!r}: give either `files` or `folder` + `manifest`")
    if "files" in entry:
        files = _inline_files(name, entry["files"], where)
    else:
        files = _manifest_files(name, entry, where)
    if not files:
        raise DataError(where, f"source {name!r} lists no files")
    paths = [item.path for item in files]
    if len(set(paths)) != len(paths):
        raise DataError(where, f"source {name!r} lists a file twice")
    tops = {PurePosixPath(path).parts[0] for path in paths}
    if len(files) > 1 and (len(tops) != 1 or any(len(PurePosixPath(p).parts) < 2 for p in paths)):
        raise DataError(where, f"source {name!r}: files of a multi-file source share no folder")
    return Source(
        name=name,
        description=entry["description"],
        licence=entry["licence"],
        repo=entry["repo"],
        commit=entry["commit"],
        files=tuple(files),
        hf_dataset=entry.get("hf_dataset"),
        hf_revision=entry.get("hf_revision"),
        hf_split=entry.get("hf_split"),
    )


def load_registry(path: Path = REGISTRY_PATH) -> dict[str, Source]:
    """Read a registry TOML: ``[sources.NAME]`` tables with ``files`` or ``folder``+``manifest``."""
    try:
        with path.open("rb") as handle:
            document = tomllib.load(handle)
    except FileNotFoundError:
        raise DataError(
            path,
            "source registry not found; restore data/sources.toml with git, or point "
            "SWEAUDIT_SOURCES at an existing registry",
        ) from None
    except OSError as error:
        raise DataError(path, f"cannot read the source registry: {error.strerror}") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise DataError(
            path, f"not valid TOML: {error}; fix the file or restore it with git"
        ) from None
    table = document.get("sources")
    if not isinstance(table, dict) or not table:
        raise DataError(path, "no [sources.NAME] tables")
    sources = {name: _parse_source(name, entry, path) for name, entry in table.items()}
    claimed: dict[str, str] = {}
    for name, source in sources.items():
        for item in source.files:
            other = claimed.setdefault(item.path, name)
            if other != name:
                raise DataError(path, f"sources {other!r} and {name!r} both claim {item.path}")
    return sources


def registry_path() -> Path:
    """The registry file in use: ``SWEAUDIT_SOURCES`` if set, else :data:`REGISTRY_PATH`."""
    value = os.environ.get("SWEAUDIT_SOURCES")
    return Path(value).expanduser().resolve() if value else REGISTRY_PATH


_CACHE: dict[str, tuple[tuple[int, int], dict[str, Source]]] = {}


def registry() -> dict[str, Source]:
    """Every upstream source by name, parsed on first use (and again if the file changes).

    The same dict is returned while the file is unchanged. Raises :class:`DataError` naming
    the registry file (or a manifest) when it is broken.
    """
    path = registry_path()
    try:
        info = path.stat()
        stamp = (info.st_mtime_ns, info.st_size)
    except OSError:
        stamp = (-1, -1)  # load_registry names the problem
    cached = _CACHE.get(str(path))
    if cached is None or cached[0] != stamp:
        _CACHE[str(path)] = (stamp, load_registry(path))
    return _CACHE[str(path)][1]


def __getattr__(name: str) -> Any:
    # ``SOURCES`` stays importable (``from analysis.data.sources import SOURCES``) but is parsed
    # only when first asked for (PEP 562).
    if name == "SOURCES":
        return registry()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def get_source(name: str, sources: Mapping[str, Source] | None = None) -> Source:
    """The source called ``name``; a :class:`DataError` listing the valid names otherwise."""
    chosen = registry() if sources is None else sources
    try:
        return chosen[name]
    except KeyError:
        valid = ", ".join(sorted(chosen))
        raise DataError(registry_path(), f"unknown source {name!r}; valid names: {valid}") from None
