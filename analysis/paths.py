"""Where the project keeps things. Every location can be overridden by an environment variable."""

from __future__ import annotations

import os
from pathlib import Path

#: The repository root (the package is installed in editable mode, see environment.yml).
PROJECT_ROOT = Path(__file__).resolve().parent.parent


def _env_path(name: str, default: Path) -> Path:
    value = os.environ.get(name)
    return Path(value).expanduser().resolve() if value else default


def data_dir() -> Path:
    """Committed, project-authored data: datasheet, source registry, published claims."""
    return PROJECT_ROOT / "data"


def raw_dir() -> Path:
    """Git-ignored cache of upstream files (``SWEAUDIT_CACHE`` overrides)."""
    return _env_path("SWEAUDIT_CACHE", PROJECT_ROOT / "data" / "raw")


def mirror_dir() -> Path | None:
    """A read-only directory holding the upstream files (``SWEAUDIT_MIRROR``), if set."""
    value = os.environ.get("SWEAUDIT_MIRROR")
    return Path(value).expanduser().resolve() if value else None


def reports_dir() -> Path:
    """Generated report output (``SWEAUDIT_REPORTS`` overrides)."""
    return _env_path("SWEAUDIT_REPORTS", PROJECT_ROOT / "reports")


def figures_dir() -> Path:
    """Every figure, as SVG and PNG (``SWEAUDIT_FIGURES`` overrides)."""
    return _env_path("SWEAUDIT_FIGURES", reports_dir() / "figures")


def notebooks_dir() -> Path:
    return PROJECT_ROOT / "notebooks"
