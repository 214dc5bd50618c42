"""The package's layer rules (CONTRIBUTING.md, "Layout and data flow"), derived from the code.

Every rule is computed from the source (``ast``) and from the ``"module:function"`` references
in ``data/claims/*.toml``, which the claims ledger imports at run time; nothing is listed by
hand except the layer of each room and a short allow-list with reasons. Each checker is also
run on a tiny synthetic package that breaks its rule, so none of these tests can pass vacuously.
"""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
import tomllib
from collections.abc import Iterable, Mapping
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "analysis"
CLAIMS_DIR = ROOT / "data" / "claims"
NOTEBOOKS = ROOT / "notebooks"

#: Rooms from the bottom up: a module may import its own layer or a lower one, never a higher
#: one. The longest matching prefix decides a module's layer.
LAYERS: tuple[tuple[str, ...], ...] = (
    ("analysis", "analysis.errors", "analysis.paths"),
    ("analysis.stats",),
    ("analysis.data",),
    ("analysis.frames",),
    ("analysis.claims", "analysis.claims.types", "analysis.claims.entries"),
    ("analysis.analyses",),
    ("analysis.claims.ledger", "analysis.claims.format"),
    ("analysis.figures",),
    ("analysis.report",),
    ("analysis.cli", "analysis.__main__"),
)
MAX_LINES = 600
MAX_NOTEBOOK_BLOCK_LINES = 10
#: Top-level function names that several modules define on purpose.
SHARED_FUNCTION_NAMES: dict[str, str] = {
    "configure_parser": "the CLI protocol: every command module exposes it (analysis/cli.py)",
    "run_cli": "the CLI protocol: every command module exposes it (analysis/cli.py)",
    "__getattr__": "PEP 562: published figures as lazy module constants (no I/O at import)",
    "detect": "the reader protocol: every results reader exposes detect(path) -> bool "
    "(analysis/data/readers/detect.py)",
    "read": "the reader protocol: every results reader exposes read(path, options) -> Results",
}
#: Modules still allowed to read a file when imported, with the reason. They are imported
#: before the spying starts, so every other module is checked.
IMPORT_READS_ALLOWED: dict[str, str] = {}
#: Matplotlib calls that draw; a notebook cell making one is drawing inline.
DRAWING_CALLS = frozenset(
    {
        "annotate", "axhline", "axhspan", "axvline", "axvspan", "bar", "barh", "boxplot",
        "errorbar", "fill_between", "heatmap", "hist", "imshow", "interval_plot",
        "invert_yaxis", "legend", "plot", "scatter", "set_title", "set_xlabel", "set_xlim",
        "set_xscale", "set_xticks", "set_ylabel", "set_ylim", "set_yticks", "step",
        "subplots", "text", "tick_params", "twinx",
    }
)  # fmt: skip


# --- reading the code ------------------------------------------------------------------------


def module_files(package_dir: Path) -> dict[str, Path]:
    """Dotted module name -> file, for every ``.py`` file of the package."""
    modules = {}
    for path in sorted(package_dir.rglob("*.py")):
        parts = path.relative_to(package_dir.parent).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        modules[".".join(parts)] = path
    return modules


def _resolve(name: str, modules: Iterable[str]) -> str | None:
    """The longest prefix of ``name`` that is a module of the package."""
    known = set(modules)
    parts = name.split(".")
    for end in range(len(parts), 0, -1):
        candidate = ".".join(parts[:end])
        if candidate in known:
            return candidate
    return None


def import_edges(modules: Mapping[str, Path]) -> dict[str, set[str]]:
    """Module -> package modules it imports (anywhere in the file, function-level included)."""
    root = next(iter(modules)).split(".")[0]
    edges: dict[str, set[str]] = {name: set() for name in modules}
    for name, path in modules.items():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            targets: list[str] = []
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                targets = [f"{node.module}.{alias.name}" for alias in node.names]
            for target in targets:
                if target.split(".")[0] != root:
                    continue
                resolved = _resolve(target, modules)
                if resolved and resolved != name:
                    edges[name].add(resolved)
    return edges


def claim_edges(claims_dir: Path, modules: Iterable[str], ledger: str) -> dict[str, set[str]]:
    """The ledger -> every module a claims file names in ``measure = "module:function"``."""
    named = set()
    for path in sorted(claims_dir.glob("*.toml")):
        for claim in tomllib.loads(path.read_text(encoding="utf-8")).get("claim", []):
            module = claim["measure"].split(":")[0]
            named.add(_resolve(module, modules) or module)
    return {ledger: named}


def layer_of(module: str, layers: tuple[tuple[str, ...], ...] = LAYERS) -> int:
    best, best_length = -1, -1
    for index, prefixes in enumerate(layers):
        for prefix in prefixes:
            if (module == prefix or module.startswith(prefix + ".")) and len(prefix) > best_length:
                best, best_length = index, len(prefix)
    if best < 0:
        raise AssertionError(f"{module} belongs to no layer: add its room to LAYERS")
    return best


# --- the rules (each returns its violations) --------------------------------------------------


def layer_violations(
    edges: Mapping[str, set[str]], layers: tuple[tuple[str, ...], ...] = LAYERS
) -> list[str]:
    return sorted(
        f"{source} (layer {layer_of(source, layers)}) imports {target} "
        f"(layer {layer_of(target, layers)})"
        for source, targets in edges.items()
        for target in targets
        if layer_of(target, layers) > layer_of(source, layers)
    )


def cycles(edges: Mapping[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in edges.get(node, ()):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(edges):
        if node not in index:
            visit(node)
    return found


def oversized(modules: Mapping[str, Path], limit: int = MAX_LINES) -> list[str]:
    sizes = {
        name: len(path.read_text(encoding="utf-8").splitlines()) for name, path in modules.items()
    }
    return sorted(f"{name}: {size} lines" for name, size in sizes.items() if size > limit)


def private_imports(modules: Mapping[str, Path]) -> list[str]:
    """Imports of a name starting with ``_`` from another module, and imports of a private
    module (a ``_``-prefixed file) from outside the package that holds it."""
    found = []
    for name, path in modules.items():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.ImportFrom) or not node.module or node.level:
                continue
            if node.module.split(".")[0] != name.split(".")[0]:
                continue
            private_parts = [part for part in node.module.split(".") if part.startswith("_")]
            if private_parts:
                owner = node.module.rsplit(".", 1)[0]
                if not (name == owner or name.startswith(owner + ".")):
                    found.append(f"{name} imports the private module {node.module}")
            for alias in node.names:
                if alias.name.startswith("_") and not alias.name.startswith("__"):
                    found.append(f"{name} imports the private name {node.module}.{alias.name}")
    return sorted(found)


def duplicate_functions(
    modules: Mapping[str, Path], allowed: Mapping[str, str] = SHARED_FUNCTION_NAMES
) -> dict[str, list[str]]:
    where: dict[str, list[str]] = {}
    for name, path in modules.items():
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                where.setdefault(node.name, []).append(name)
    return {
        function: owners
        for function, owners in sorted(where.items())
        if len(owners) > 1 and function not in allowed
    }


IMPORT_PROBE = r"""
import builtins, importlib, io, json, os, pathlib, sys, tomllib
root = os.path.realpath(sys.argv[1])
modules = json.loads(sys.argv[2])
third_party = json.loads(sys.argv[3])
for name in third_party + json.loads(sys.argv[4]):  # their start-up reads are not checked
    try:
        importlib.import_module(name)
    except ImportError:
        pass
reads = []

watched_dirs = [str(root)] + [
    os.path.realpath(os.environ[var])
    for var in ("SWEAUDIT_MIRROR", "SWEAUDIT_CACHE")
    if os.environ.get(var)
]

# installed packages (a project-local .venv lies inside the root) are not the project's files
ignored_dirs = [os.path.realpath(prefix) for prefix in (sys.prefix, sys.base_prefix)]

def watched(path):  # os.path only: the spied Path methods must not recurse
    try:
        resolved = os.path.realpath(os.fspath(path))
    except TypeError:
        return False
    if any(resolved.startswith(directory + os.sep) for directory in ignored_dirs):
        return False
    return not resolved.endswith((".py", ".pyc")) and any(
        resolved.startswith(directory + os.sep) for directory in watched_dirs
    )

def spy(function, label):
    def wrapper(target, *args, **kwargs):
        if watched(target):
            reads.append(f"{label}({target})")
        return function(target, *args, **kwargs)
    return wrapper

builtins.open = spy(builtins.open, "open")
io.open = builtins.open
for method in ("open", "read_text", "read_bytes", "iterdir", "glob", "rglob"):
    original = getattr(pathlib.Path, method)
    def bound(self, *args, _original=original, _method=method, **kwargs):
        if watched(self):
            reads.append(f"Path.{_method}({self})")
        return _original(self, *args, **kwargs)
    setattr(pathlib.Path, method, bound)
for module in modules:
    before = len(reads)
    importlib.import_module(module)
    for read in reads[before:]:
        print(f"{module}: {read}")
"""


def io_at_import(
    package_root: Path,
    modules: Iterable[str],
    third_party: Iterable[str],
    allowed: Iterable[str] = (),
) -> list[str]:
    """Files of the project (or the data mirror/cache) read while importing each module, in
    a fresh interpreter with ``open`` and the ``Path`` readers spied on (third-party
    packages and the ``allowed`` modules are imported before the spying starts)."""
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            IMPORT_PROBE,
            str(package_root),
            json.dumps(sorted(modules)),
            json.dumps(sorted(third_party)),
            json.dumps(sorted(allowed)),
        ],
        capture_output=True,
        text=True,
        cwd=package_root,
        env={**os.environ, "PYTHONPATH": str(package_root)},
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    return [line for line in result.stdout.splitlines() if line.strip()]


def third_party_imports(modules: Mapping[str, Path]) -> set[str]:
    found = set()
    for path in modules.values():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                found.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                found.add(node.module.split(".")[0])
    root = next(iter(modules)).split(".")[0]
    return {name for name in found if name != root and name not in sys.stdlib_module_names}


def notebook_violations(notebook: Mapping, name: str) -> list[str]:
    """Drawing calls in a code cell, and compound statements (loops, ifs, withs, defs) longer
    than :data:`MAX_NOTEBOOK_BLOCK_LINES` lines: notebooks hold narrative and calls."""
    found = []
    for number, cell in enumerate(notebook["cells"]):
        if cell["cell_type"] != "code":
            continue
        source = "".join(cell["source"])
        tree = ast.parse(
            "\n".join(line for line in source.splitlines() if not line.startswith("%"))
        )
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute | ast.Name):
                called = node.func.attr if isinstance(node.func, ast.Attribute) else node.func.id
                owner = getattr(node.func, "value", None)
                if isinstance(owner, ast.Name) and owner.id == "figs":
                    continue  # the notebook's figure module draws, not the cell
                if called in DRAWING_CALLS:
                    found.append(f"{name} cell {number}: draws inline ({called})")
            if isinstance(node, ast.For | ast.While | ast.If | ast.With | ast.FunctionDef):
                length = node.end_lineno - node.lineno + 1
                if length > MAX_NOTEBOOK_BLOCK_LINES:
                    found.append(f"{name} cell {number}: a {length}-line block")
    return found


# --- the checks on the real package ----------------------------------------------------------

MODULES = module_files(PACKAGE)
EDGES = import_edges(MODULES)


def _all_edges() -> dict[str, set[str]]:
    edges = {name: set(targets) for name, targets in EDGES.items()}
    for source, targets in claim_edges(CLAIMS_DIR, MODULES, "analysis.claims.ledger").items():
        edges[source] |= targets
    return edges


def test_every_claims_reference_is_a_module_of_the_package() -> None:
    (named,) = claim_edges(CLAIMS_DIR, MODULES, "analysis.claims.ledger").values()
    assert named and named <= set(MODULES), sorted(named - set(MODULES))


def test_layers_only_import_downwards() -> None:
    assert layer_violations(_all_edges()) == []


def test_no_import_cycle_counting_claims_references() -> None:
    assert cycles(_all_edges()) == []


def test_no_module_over_the_size_limit() -> None:
    assert oversized(MODULES) == []


def test_no_private_name_imported_across_modules() -> None:
    assert private_imports(MODULES) == []


def test_no_function_defined_twice() -> None:
    assert duplicate_functions(MODULES) == {}


def test_importing_any_module_reads_no_file() -> None:
    modules = [name for name in MODULES if name != "analysis.__main__"]
    reads = io_at_import(ROOT, modules, third_party_imports(MODULES), IMPORT_READS_ALLOWED)
    assert reads == []


@pytest.mark.parametrize("path", sorted(NOTEBOOKS.glob("*.ipynb")), ids=lambda path: path.name)
def test_notebooks_hold_narrative_and_calls(path: Path) -> None:
    notebook = json.loads(path.read_text(encoding="utf-8"))
    assert notebook_violations(notebook, path.name) == []


# --- each rule can fail: a synthetic package that breaks them all ----------------------------


@pytest.fixture
def broken(tmp_path: Path) -> Path:
    """``toy``: a cycle through a claims reference, an upward import, a private import, a
    duplicate function, an oversized module and a module that reads a file at import."""
    files = {
        "toy/__init__.py": "",
        "toy/low.py": "from toy.high import shown\n\ndef helper():\n    return 1\n",
        "toy/high.py": "from toy.low import helper\nfrom toy._hidden import thing\n"
        "from toy.mid import _secret\n\ndef shown():\n    return helper()\n",
        "toy/mid.py": "from toy.sub._inner import thing\n\n_secret = 1\n\n"
        "def helper():\n    return 2\n",
        "toy/_hidden.py": "thing = 1\n",
        "toy/sub/__init__.py": "",
        "toy/sub/_inner.py": "thing = 1\n",
        "toy/ledger.py": "def run():\n    return 0\n",
        "toy/measures.py": "from toy.ledger import run\n",
        "toy/big.py": "x = 1\n" * (MAX_LINES + 1),
        "toy/reads.py": "from pathlib import Path\n"
        "DATA = (Path(__file__).parent / 'data.txt').read_text()\n",
        "toy/data.txt": "hello\n",
        "claims/toy.toml": '[[claim]]\nmeasure = "toy.measures:claim"\n',
    }
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text, encoding="utf-8")
    return tmp_path


def test_checks_catch_a_broken_package(broken: Path) -> None:
    modules = module_files(broken / "toy")
    edges = import_edges(modules)
    layers = (("toy", "toy._hidden", "toy.mid", "toy.big", "toy.reads", "toy.sub"),
              ("toy.low", "toy.measures"), ("toy.high", "toy.ledger"))  # fmt: skip
    assert "toy.low (layer 1) imports toy.high (layer 2)" in layer_violations(edges, layers)
    assert cycles(edges) == [["toy.high", "toy.low"]]
    with_claims = {name: set(targets) for name, targets in edges.items()}
    with_claims["toy.ledger"] |= claim_edges(broken / "claims", modules, "toy.ledger")["toy.ledger"]
    assert ["toy.ledger", "toy.measures"] in cycles(with_claims)
    assert oversized(modules) == [f"toy.big: {MAX_LINES + 1} lines"]
    private = private_imports(modules)
    assert "toy.high imports the private name toy.mid._secret" in private
    assert "toy.mid imports the private module toy.sub._inner" in private
    assert not any("toy._hidden" in line for line in private)  # private to toy, used in toy
    assert duplicate_functions(modules) == {"helper": ["toy.low", "toy.mid"]}
    assert duplicate_functions(modules, allowed={"helper": "why"}) == {}
    reads = io_at_import(broken, ["toy.reads"], [])
    assert reads and reads[0].startswith("toy.reads: Path.read_text(")
    assert all(read.endswith("data.txt)") for read in reads)


def test_notebook_check_catches_inline_drawing_and_long_blocks() -> None:
    loop = "for i in range(3):\n" + "    x = i\n" * MAX_NOTEBOOK_BLOCK_LINES
    notebook = {
        "cells": [
            {"cell_type": "markdown", "source": ["# title"]},
            {"cell_type": "code", "source": ["fig, ax = plt.subplots()\n", "ax.plot([1, 2])"]},
            {"cell_type": "code", "source": [loop]},
            {"cell_type": "code", "source": ["fig = figs.figure_x(data)\n", "plt.show()"]},
        ]
    }
    found = notebook_violations(notebook, "toy.ipynb")
    assert found == [
        "toy.ipynb cell 1: draws inline (subplots)",
        "toy.ipynb cell 1: draws inline (plot)",
        f"toy.ipynb cell 2: a {MAX_NOTEBOOK_BLOCK_LINES + 1}-line block",
    ]


def test_layer_table_covers_every_module() -> None:
    for name in MODULES:
        layer_of(name)  # raises for a module in no room


#: Runtime dependencies used without an import from the package: the apps and the kernel.
DEPENDENCIES_NOT_IMPORTED: dict[str, str] = {
    "jupyterlab": "the notebook app readers open (README), not imported",
    "ipykernel": "the notebooks' kernel (make setup installs it), not imported",
}


def unused_dependencies(declared: Iterable[str], imported: Iterable[str]) -> list[str]:
    """Declared distributions (``pyproject.toml``) no module imports (names normalised)."""
    used = {name.lower().replace("_", "-") for name in imported}
    return sorted(
        name
        for name in declared
        if name.lower() not in used and name.lower() not in DEPENDENCIES_NOT_IMPORTED
    )


def test_every_declared_dependency_is_imported() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    declared = [spec.split(">")[0].split("=")[0].split("[")[0] for spec in project["dependencies"]]
    assert unused_dependencies(declared, third_party_imports(MODULES)) == []
    assert unused_dependencies(["seaborn", "numpy"], ["numpy"]) == ["seaborn"]  # can fail


def untyped_public_functions(modules: Mapping[str, Path]) -> list[str]:
    """Public functions and methods of public classes lacking a return or parameter type."""
    found = []
    for name, path in modules.items():
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            functions = [node] if isinstance(node, ast.FunctionDef) else []
            if isinstance(node, ast.ClassDef) and not node.name.startswith("_"):
                functions = [item for item in node.body if isinstance(item, ast.FunctionDef)]
            for function in functions:
                if function.name.startswith("_"):
                    continue
                arguments = function.args.args + function.args.kwonlyargs
                arguments += [a for a in (function.args.vararg, function.args.kwarg) if a]
                untyped = [a.arg for a in arguments if a.annotation is None and a.arg != "self"]
                if function.returns is None or untyped:
                    found.append(f"{name}.{function.name}")
    return sorted(found)


def test_every_public_function_is_typed(tmp_path: Path) -> None:
    assert untyped_public_functions(MODULES) == []
    (tmp_path / "toy").mkdir()
    (tmp_path / "toy" / "__init__.py").write_text(
        "def typed(x: int) -> int:\n    return x\n\ndef loose(x):\n    return x\n"
    )
    assert untyped_public_functions(module_files(tmp_path / "toy")) == ["toy.loose"]
