"""pyproject.toml (dependencies + test extra) and environment.yml list the same packages."""

from __future__ import annotations

import re
import tomllib

import pytest

from analysis.paths import PROJECT_ROOT

#: Entries of environment.yml that are not project dependencies.
CONDA_ONLY = {"python", "pip"}


def normalise(name: str) -> str:
    """PEP 503 normalised name: lower case, runs of ``-``, ``_`` and ``.`` become one ``-``."""
    return re.sub(r"[-_.]+", "-", name).lower()


def requirement_name(spec: str) -> str:
    """Package name of a requirement such as ``pandas>=2.1`` or ``nbval[x] ; python<4``."""
    match = re.match(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)", spec)
    if match is None:
        raise ValueError(f"no package name in {spec!r}")
    return normalise(match.group(1))


def environment_entries(text: str) -> tuple[list[str], list[str]]:
    """Conda and pip entries of an environment.yml ``dependencies:`` list.

    A deliberately small parser (the file is a flat list plus one nested ``- pip:`` list), so
    the test needs no YAML library.
    """
    conda: list[str] = []
    pip: list[str] = []
    in_dependencies = False
    pip_indent: int | None = None
    for raw in text.splitlines():
        line = raw.split("#", 1)[0].rstrip()
        if not line.strip():
            continue
        indent = len(line) - len(line.lstrip())
        if indent == 0:
            in_dependencies = line.startswith("dependencies:")
            continue
        if not in_dependencies:
            continue
        item = re.match(r"\s*-\s+(.*)$", line)
        if item is None:
            raise ValueError(f"unexpected environment.yml line: {raw!r}")
        value = item.group(1).strip()
        if pip_indent is not None and indent > pip_indent:
            pip.append(value)
            continue
        pip_indent = None
        if value == "pip:":
            pip_indent = indent
        else:
            conda.append(value)
    return conda, pip


def test_parser_reads_nested_pip_list() -> None:
    text = "name: x\ndependencies:\n  - python>=3.11\n  - numpy>=1\n  - pip:\n      - -e .\n"
    text += "  - scipy  # trailing comment\n"
    assert environment_entries(text) == (["python>=3.11", "numpy>=1", "scipy"], ["-e ."])
    assert requirement_name("Jupyter_Server[all]>=2 ; python_version>'3'") == "jupyter-server"


def test_pyproject_and_environment_agree() -> None:
    pyproject = tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    project = pyproject["project"]
    declared = {requirement_name(spec) for spec in project["dependencies"]}
    declared |= {requirement_name(spec) for spec in project["optional-dependencies"]["test"]}

    environment = PROJECT_ROOT / "environment.yml"
    if not environment.is_file():
        pytest.fail("environment.yml is missing")
    conda, pip = environment_entries(environment.read_text(encoding="utf-8"))
    listed = {requirement_name(spec) for spec in conda} - CONDA_ONLY
    # The editable install of the project itself is not a dependency.
    listed |= {requirement_name(spec) for spec in pip if not spec.startswith("-e")}

    assert "python" in {requirement_name(spec) for spec in conda}
    assert sorted(declared - listed) == [], "in pyproject.toml but not environment.yml"
    assert sorted(listed - declared) == [], "in environment.yml but not pyproject.toml"
