"""The registry of upstream sources, read from ``data/sources.toml``.

Each :class:`Source` is pinned to one upstream commit; each of its :class:`SourceFile` has a
path relative to the cache (``analysis.paths.raw_dir()``) and to a mirror, a raw URL at that
commit and the sha256 its bytes must have.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

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

#: The committed registry file.
REGISTRY_PATH = data_dir() / "sources.toml"

_SOURCE_KEYS = {"description", "licence", "repo", "commit", "files"}
_OPTIONAL_KEYS = {"hf_dataset", "hf_revision", "hf_split"}


@dataclass(frozen=True)
class SourceFile:
    """One upstream file: cache-relative POSIX path, raw URL pinned to a commit, sha256 (hex)."""

    path: str
    url: str
    sha256: str


@dataclass(frozen=True)
class Source:
    """One upstream source: a single file, or a directory of files from one repo and commit.

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
        """True when the source is several files that live in one folder."""
        return len(self.files) > 1

    @property
    def relative_path(self) -> str:
        """What ``ensure`` returns, relative to the cache: the file, or the files' folder."""
        if not self.is_directory:
            return self.files[0].path
        return str(PurePosixPath(self.files[0].path).parent)


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
    files = []
    for index, item in enumerate(entry["files"]):
        try:
            files.append(SourceFile(path=item["path"], url=item["url"], sha256=item["sha256"]))
        except (KeyError, TypeError) as error:
            raise DataError(where, f"source {name!r}, file #{index + 1}: {error!r}") from None
    if not files:
        raise DataError(where, f"source {name!r} lists no files")
    for item in files:
        path = PurePosixPath(item.path)
        # Paths are joined onto the cache and the mirror: refuse anything that could escape them.
        if path.is_absolute() or ".." in path.parts:
            raise DataError(where, f"source {name!r}: unsafe file path {item.path!r}")
        if len(item.sha256) != 64 or any(c not in "0123456789abcdef" for c in item.sha256):
            raise DataError(where, f"source {name!r}: {item.path} has a malformed sha256")
    if len(files) > 1 and len({PurePosixPath(f.path).parent for f in files}) != 1:
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
    """Read a registry TOML (``[sources.NAME]`` tables with ``[[sources.NAME.files]]``)."""
    try:
        with path.open("rb") as handle:
            document = tomllib.load(handle)
    except FileNotFoundError:
        raise DataError(path, "source registry not found") from None
    except tomllib.TOMLDecodeError as error:
        raise DataError(path, f"not valid TOML: {error}") from None
    table = document.get("sources")
    if not isinstance(table, dict) or not table:
        raise DataError(path, "no [sources.NAME] tables")
    return {name: _parse_source(name, entry, path) for name, entry in table.items()}


#: Every upstream source, by name (``leaderboards``, ``verified_tasks``, ...).
SOURCES: dict[str, Source] = load_registry()


def get_source(name: str, sources: Mapping[str, Source] | None = None) -> Source:
    """The source called ``name``; a :class:`DataError` listing the valid names otherwise."""
    registry = SOURCES if sources is None else sources
    try:
        return registry[name]
    except KeyError:
        valid = ", ".join(sorted(registry))
        raise DataError(REGISTRY_PATH, f"unknown source {name!r}; valid names: {valid}") from None
