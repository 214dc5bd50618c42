"""The compute cache (analysis.data.cache): never stale, never trusted when damaged, and the
same results with and without it."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import math
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analysis.data import cache

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def store(tmp_path, monkeypatch) -> Path:
    """A private, empty cache directory, with the cache switched on for this test."""
    directory = tmp_path / "compute-cache"
    monkeypatch.setenv(cache.CACHE_DIR_VARIABLE, str(directory))
    monkeypatch.setenv(cache.DISABLE_VARIABLE, "0")
    return directory


def counted(sources=()):
    """A cached function of ``n`` that counts how often it really runs."""
    calls = []

    @cache.cached(sources=sources)
    def square_table(n: int, scale: float = 1.0, progress: bool = False) -> pd.DataFrame:
        calls.append(n)
        frame = pd.DataFrame({"x": np.arange(n), "y": scale * np.arange(n) ** 2})
        frame.attrs["n"] = n
        return frame

    return square_table, calls


def entries(directory: Path) -> list[Path]:
    return sorted(directory.rglob("*.pickle"))


def test_second_call_is_read_from_disk_and_equal(store) -> None:
    square_table, calls = counted()
    first = square_table(5)
    second = square_table(5)
    assert calls == [5]
    pd.testing.assert_frame_equal(first, second)
    assert second.attrs == {"n": 5}
    assert len(entries(store)) == 1
    assert not [p for p in store.rglob("*") if p.is_file() and p.suffix != ".pickle"]


def test_arguments_are_part_of_the_key_but_progress_is_not(store) -> None:
    square_table, calls = counted()
    square_table(5)
    square_table(5, scale=2.0)
    square_table(n=5, scale=1.0)  # same binding as the first call, defaults applied
    square_table(5, progress=True)
    assert calls == [5, 5]


def test_dataframe_arguments_are_hashed_by_content(store) -> None:
    calls = []

    @cache.cached()
    def column_sums(matrix: pd.DataFrame) -> pd.Series:
        calls.append(1)
        return matrix.sum()

    matrix = pd.DataFrame([[0, 1], [1, 1]], columns=["a", "b"])
    column_sums(matrix)
    column_sums(matrix.copy())
    changed = matrix.copy()
    changed.iloc[0, 0] = 1
    assert column_sums(changed)["a"] == 2
    assert len(calls) == 2


def test_a_new_code_version_recomputes(store, monkeypatch) -> None:
    square_table, calls = counted()
    square_table(3)
    monkeypatch.setattr(cache, "code_version", lambda: "another version of the code")
    square_table(3)
    assert calls == [3, 3]


def test_code_version_covers_every_module_and_the_project_data(tmp_path) -> None:
    """Editing any package file (or a committed data file) changes the code version."""
    shutil.copytree(
        ROOT / "analysis", tmp_path / "analysis", ignore=shutil.ignore_patterns("__pycache__")
    )
    shutil.copytree(ROOT / "data", tmp_path / "data", ignore=shutil.ignore_patterns("raw", "cache"))

    def version() -> str:
        code = "from analysis.data.cache import code_version; print(code_version())"
        environment = {**os.environ, "PYTHONPATH": str(tmp_path)}
        result = subprocess.run(
            [sys.executable, "-c", code],
            env=environment,
            cwd=tmp_path,  # the copy, not the checkout, on sys.path[0]
            capture_output=True,
            text=True,
            check=True,
        )
        return result.stdout.strip()

    original = version()
    assert version() == original  # deterministic
    module = tmp_path / "analysis" / "stats" / "irt.py"
    module.write_text(module.read_text() + "\n# an edit\n")
    edited = version()
    assert edited != original
    registry = tmp_path / "data" / "sources.toml"
    registry.write_text(registry.read_text() + "\n# an edit\n")
    assert version() not in (original, edited)


def _registry(directory: Path, payload: bytes) -> Path:
    """A one-file registry pinning ``payload``, and the file itself in the raw cache."""
    (directory / "raw").mkdir(parents=True, exist_ok=True)
    (directory / "raw" / "numbers.txt").write_bytes(payload)
    sha = hashlib.sha256(payload).hexdigest()
    registry = directory / "sources.toml"
    registry.write_text(
        textwrap.dedent(f"""\
        [sources.numbers]
        description = "test numbers"
        licence = "CC0"
        repo = "example/numbers"
        commit = "0123456789abcdef0123456789abcdef01234567"
        [[sources.numbers.files]]
        path = "numbers.txt"
        url = "https://example.invalid/numbers.txt"
        sha256 = "{sha}"
        size = {len(payload)}
        """)
    )
    return registry


def test_a_new_input_pin_recomputes(store, tmp_path, monkeypatch) -> None:
    """Changing the pinned sha256 of a declared source (and its file) is a new key."""
    from analysis import paths

    calls = []

    @cache.cached(sources=("numbers",))
    def total() -> int:
        calls.append(1)
        return sum(int(x) for x in (paths.raw_dir() / "numbers.txt").read_text().split())

    monkeypatch.setenv("SWEAUDIT_CACHE", str(tmp_path / "raw"))
    monkeypatch.setenv("SWEAUDIT_SOURCES", str(_registry(tmp_path, b"1 2 3\n")))
    assert total() == 6
    assert total() == 6
    assert len(calls) == 1
    monkeypatch.setenv("SWEAUDIT_SOURCES", str(_registry(tmp_path, b"1 2 3 4\n")))
    assert total() == 10
    assert len(calls) == 2


def test_a_file_that_fails_its_pin_is_never_served_from_the_cache(store, tmp_path, monkeypatch):
    """A hit still goes through download.ensure: a damaged input file is an error, as
    without the cache (no mirror, no network: the re-fetch fails)."""
    from analysis.errors import DataError

    @cache.cached(sources=("numbers",))
    def size() -> int:
        return (tmp_path / "raw" / "numbers.txt").stat().st_size

    monkeypatch.delenv("SWEAUDIT_MIRROR", raising=False)
    monkeypatch.setenv("SWEAUDIT_CACHE", str(tmp_path / "raw"))
    monkeypatch.setenv("SWEAUDIT_SOURCES", str(_registry(tmp_path, b"1 2 3\n")))
    assert size() == 6
    (tmp_path / "raw" / "numbers.txt").write_bytes(b"9 9 9\n")
    with pytest.raises(DataError):
        size()


@pytest.mark.parametrize(
    "damage",
    [
        pytest.param(lambda blob: blob[: len(blob) // 2], id="truncated"),
        pytest.param(lambda blob: blob[:-3] + b"xyz", id="payload-changed"),
        pytest.param(lambda blob: b"", id="empty"),
        pytest.param(lambda blob: b"not a cache entry at all", id="garbage"),
    ],
)
def test_a_damaged_entry_is_recomputed_and_replaced(store, damage) -> None:
    square_table, calls = counted()
    square_table(4)
    (path,) = entries(store)
    path.write_bytes(damage(path.read_bytes()))
    pd.testing.assert_frame_equal(square_table(4), square_table(4))
    assert calls == [4, 4]
    assert cache.read_entry(path, path.stem)[0]  # replaced by a sound entry


def test_an_entry_written_for_another_key_is_not_used(store) -> None:
    square_table, calls = counted()
    square_table(2)
    (two,) = entries(store)
    square_table(3)
    (three,) = set(entries(store)) - {two}
    shutil.copyfile(two, three)  # the file for n=2 placed under n=3's name
    assert len(square_table(3)) == 3
    assert calls == [2, 3, 3]


def test_a_checksummed_payload_that_fails_to_unpickle_is_recomputed(store) -> None:
    square_table, calls = counted()
    square_table(2)
    (path,) = entries(store)
    payload = b"\x80\x05garbage."
    header = (
        cache._MAGIC
        + path.stem.encode()
        + b"\n"
        + hashlib.sha256(payload).hexdigest().encode()
        + b"\n"
    )
    path.write_bytes(header + payload)
    assert len(square_table(2)) == 2
    assert calls == [2, 2]


def test_exceptions_are_not_cached(store) -> None:
    calls = []

    @cache.cached()
    def fails(n: int) -> int:
        calls.append(n)
        raise ValueError("no")

    for _ in range(2):
        with pytest.raises(ValueError):
            fails(1)
    assert calls == [1, 1]
    assert entries(store) == []


def test_switched_off_computes_every_time_and_writes_nothing(store, monkeypatch) -> None:
    monkeypatch.setenv(cache.DISABLE_VARIABLE, "1")
    square_table, calls = counted()
    square_table(2)
    square_table(2)
    assert calls == [2, 2]
    assert not store.exists()


@pytest.mark.skipif(not hasattr(os, "getuid"), reason="POSIX permissions")
def test_a_directory_others_can_write_is_not_used(store) -> None:
    store.mkdir(mode=0o700)
    store.chmod(0o777)
    square_table, calls = counted()
    with pytest.warns(UserWarning, match="not used"):
        square_table(2)
    square_table(2)
    assert calls == [2, 2]
    assert entries(store) == []


def test_writes_are_atomic_and_leave_no_temporary_files(store) -> None:
    square_table, _ = counted()
    for n in range(5):
        square_table(n)
    files = [path for path in store.rglob("*") if path.is_file()]
    assert len(files) == 5
    assert all(path.suffix == ".pickle" and not path.name.startswith(".") for path in files)


def test_memo_keeps_results_in_memory_on_top_of_the_disk(store) -> None:
    calls = []

    @cache.cached(memo=2)
    def double(n: int) -> int:
        calls.append(n)
        return 2 * n

    assert double(1) == double(1) == 2
    assert len(calls) == 1 and len(entries(store)) == 1
    double.cache_clear()
    assert double(1) == 2 and len(calls) == 1  # from disk
    assert double.__wrapped__.__wrapped_sources__ == ()


def test_an_unpicklable_result_is_returned_but_not_stored(store) -> None:
    @cache.cached()
    def make_function(n: int):
        return lambda: n

    assert make_function(3)() == 3
    assert entries(store) == []


# --- the decorated functions on the real data -------------------------------------------------


def assert_same(left, right, where: str = "result") -> None:
    """Exact equality of results: frames (with attrs), arrays, dataclasses, containers."""
    assert type(left) is type(right), where
    if isinstance(left, pd.DataFrame):
        pd.testing.assert_frame_equal(left, right, check_exact=True)
        assert_same(left.attrs, right.attrs, f"{where}.attrs")
    elif isinstance(left, pd.Series | pd.Index):
        assert left.equals(right) and left.dtype == right.dtype, where
    elif isinstance(left, np.ndarray):
        np.testing.assert_array_equal(left, right, err_msg=where)
    elif dataclasses.is_dataclass(left):
        for field in dataclasses.fields(left):
            name = field.name
            assert_same(getattr(left, name), getattr(right, name), f"{where}.{name}")
    elif isinstance(left, dict):
        assert list(left) == list(right), where
        for key in left:
            assert_same(left[key], right[key], f"{where}[{key!r}]")
    elif isinstance(left, list | tuple):
        assert len(left) == len(right), where
        for index, (a, b) in enumerate(zip(left, right, strict=True)):
            assert_same(a, b, f"{where}[{index}]")
    elif isinstance(left, float) and math.isnan(left):
        assert math.isnan(right), where
    else:
        assert left == right, where


def _real_calls():
    """(name, function, build) for every decorated function: ``build()`` returns the
    arguments, with reduced sizes where the function has them."""
    from analysis import frames
    from analysis.analyses import contamination, defects, leaderboard, noise

    def matrices():
        return defects.verified_matrices()

    def none(**kwargs):
        return lambda: ((), kwargs)

    def unwrap(function):  # below functools.cache / lru_cache: the disk-cached function
        return function.__wrapped__

    return [
        ("frames.verified_tasks", unwrap(frames.verified_tasks), none()),
        ("frames.leaderboard", unwrap(frames.leaderboard), none()),
        ("frames.bash_only_results", unwrap(frames.bash_only_results), none()),
        ("frames.moatless_results", unwrap(frames.moatless_results), none()),
        ("leaderboard.task_repos", unwrap(leaderboard.task_repos), none()),
        ("noise.acr_noise", unwrap(noise.acr_noise), none()),
        ("leaderboard.saturation_fit", unwrap(leaderboard.saturation_fit), none(n_boot=20)),
        (
            "noise.bash_only_bootstrap",
            unwrap(noise.bash_only_bootstrap),
            none(n_resamples=200),
        ),
        ("noise.all_pairs", unwrap(noise.all_pairs), none()),
        ("noise.tier_table", unwrap(noise.tier_table), none()),
        (
            "noise.bash_only_ranking_stability",
            unwrap(noise.bash_only_ranking_stability),
            none(n_splits=20),
        ),
        ("defects.verified_matrices", unwrap(defects.verified_matrices), none()),
        (
            "defects.irt_flags",
            defects.irt_flags,
            lambda: ((matrices().bash_only,), {"model": "rasch"}),
        ),
        (
            "defects.annotation_relation",
            defects.annotation_relation,
            lambda: (
                (frames.annotations(), matrices().combined.mean(axis=0), "underspecified"),
                {"n_resamples": 200},
            ),
        ),
        (
            "defects.grader_aware_scores",
            defects.grader_aware_scores,
            lambda: (
                (matrices().bash_only, defects.hard_tasks(matrices().bash_only)),
                {"n_simulations": 100},
            ),
        ),
        (
            "contamination.bash_only_age_analysis",
            unwrap(contamination.bash_only_age_analysis),
            none(),
        ),
        (
            "contamination.all_systems_age_analysis",
            unwrap(contamination.all_systems_age_analysis),
            none(),
        ),
    ]


@pytest.mark.mirror
@pytest.mark.slow
def test_results_from_the_cache_equal_the_computed_ones(mirror, store) -> None:
    """Each decorated function: the value read back from disk equals the value computed
    (the first call computes and returns the function's own value; the second reads)."""
    for name, function, build in _real_calls():
        args, kwargs = build()
        before = len(entries(store))
        computed = function(*args, **kwargs)
        assert len(entries(store)) > before, f"{name} stored nothing"
        assert_same(computed, function(*args, **kwargs), name)


_DECLARATIONS_SCRIPT = """
import json, os, sys
opened = set()
recording = [False]
def hook(event, args):
    if recording[0] and event == "open" and args and isinstance(args[0], (str, os.PathLike)):
        opened.add(os.path.abspath(os.fsdecode(args[0])))
sys.addaudithook(hook)
import analysis, tests.test_cache as t
from analysis import paths
from analysis.data.sources import registry
def clear():
    for name, module in list(sys.modules.items()):
        if name.startswith("analysis"):
            for value in list(vars(module).values()):
                for layer in (value, getattr(value, "__wrapped__", None)):
                    if hasattr(layer, "cache_clear"):
                        layer.cache_clear()
owner = {}
for name, source in registry().items():
    for item in source.files:
        owner[str(paths.raw_dir() / item.path)] = name
        if paths.mirror_dir():
            owner[str(paths.mirror_dir() / item.path)] = name
report = {}
for name, function, build in t._real_calls():
    clear()
    args, kwargs = build()
    opened.clear()
    recording[0] = True
    function(*args, **kwargs)
    recording[0] = False
    report[name] = sorted({owner[path] for path in opened if path in owner})
print(json.dumps(report))
"""


@pytest.mark.mirror
@pytest.mark.slow
def test_every_decorated_function_declares_the_sources_it_reads(mirror, tmp_path) -> None:
    """With every in-process cache cleared and the compute cache off, each decorated function
    opens only files of the sources it (or a decorated function it calls) declares: an
    undeclared source would leave its pin out of the key."""
    from analysis import frames
    from analysis.analyses import contamination, defects, leaderboard, noise

    declared = {}
    for module in (frames, leaderboard, noise, defects, contamination):
        short = module.__name__.rsplit(".", 1)[-1]
        for name, value in vars(module).items():
            if hasattr(value, "__wrapped_sources__"):
                declared[f"{short}.{name}"] = set(value.__wrapped_sources__)
    assert set(declared) == {name for name, _, _ in _real_calls()}
    environment = {**os.environ, cache.DISABLE_VARIABLE: "1", "PYTHONPATH": str(ROOT)}
    result = subprocess.run(
        [sys.executable, "-c", _DECLARATIONS_SCRIPT],
        env=environment,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    read = json.loads(result.stdout.strip().splitlines()[-1])
    for name, sources in read.items():
        assert set(sources) == declared[name], f"{name} reads {sources}, declares {declared[name]}"


# --- notebooks two at a time ------------------------------------------------------------------


def _notebook(path: Path, *cells: str) -> Path:
    import nbformat

    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_code_cell(source) for source in cells]
    nbformat.write(notebook, path)
    return path


@pytest.mark.slow
def test_notebooks_run_two_at_a_time_in_order(tmp_path) -> None:
    """With two jobs, two kernels run at once (each waits to see the other's file), the
    executed copies come back in reading order, and the first failure is raised."""
    import nbformat

    from analysis.report.execute import NotebookError, execute_notebooks

    meet = (
        "import pathlib, time\n"
        f"folder = pathlib.Path({str(tmp_path)!r})\n"
        "(folder / '{me}.here').touch()\n"
        "deadline = time.monotonic() + 60\n"
        "while not (folder / '{other}.here').exists() and time.monotonic() < deadline:\n"
        "    time.sleep(0.05)\n"
        "print((folder / '{other}.here').exists())"
    )
    first = _notebook(tmp_path / "01_a.ipynb", meet.format(me="a", other="b"))
    second = _notebook(tmp_path / "02_b.ipynb", meet.format(me="b", other="a"))
    out = tmp_path / "build"
    executed = execute_notebooks([first, second], out, timeout=120, progress=False, jobs=2)
    assert executed == [out / "01_a.ipynb", out / "02_b.ipynb"]
    for path in executed:
        assert nbformat.read(path, as_version=4).cells[0].outputs[0]["text"] == "True\n"
    broken = _notebook(tmp_path / "03_c.ipynb", "1 / 0")
    with pytest.raises(NotebookError, match=r"03_c\.ipynb.*ZeroDivisionError"):
        execute_notebooks([broken, first], out, timeout=60, progress=False, jobs=2)
