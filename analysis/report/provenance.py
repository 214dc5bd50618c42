"""Provenance of the report: the pinned sources, which ones each notebook read, the commit."""

from __future__ import annotations

import subprocess
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from analysis import paths


def sources_for_paths(opened: Iterable[str], sources: Any) -> list[str]:
    """Names of the pinned sources whose files are among ``opened`` (absolute paths)."""
    opened = [str(Path(item).as_posix()) for item in opened]
    names = []
    for name, source in sources.items():
        files = getattr(source, "files", ())
        if any(path.endswith("/" + str(getattr(f, "path", ""))) for f in files for path in opened):
            names.append(str(name))
    return names


def read_sources() -> tuple[Any, str]:
    """``analysis.data.sources.SOURCES`` or ``({}, why not)``; the footer must render regardless."""
    try:
        from analysis.data.sources import SOURCES
    except Exception as error:  # a broken registry should not hide the report
        return {}, f"{type(error).__name__}: {error}"
    return SOURCES, ""


def source_rows(sources: Any) -> list[dict[str, Any]]:
    rows = []
    for name, source in sources.items():
        rows.append(
            {
                "name": str(name),
                "repo": str(getattr(source, "repo", "")),
                "commit": str(getattr(source, "commit", "")),
                "licence": str(getattr(source, "licence", "")),
                "files": [
                    {"path": str(getattr(f, "path", "")), "sha256": str(getattr(f, "sha256", ""))}
                    for f in getattr(source, "files", ())
                ],
            }
        )
    return rows


def project_commit(root: Path | None = None) -> tuple[str, bool]:
    """The project's git commit and whether the working tree has changes (``("", False)``
    outside a git checkout)."""
    root = root or paths.PROJECT_ROOT
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "HEAD"],
            cwd=root,
            capture_output=True,
            text=True,
            timeout=10,
            check=True,
        ).stdout.strip()
        status = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=root,
            capture_output=True,
            text=True,
            timeout=10,
            check=True,
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return "", False
    return commit, bool(status.strip())
