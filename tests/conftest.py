"""Shared fixtures. Tests build their own synthetic data; the `mirror` fixture gives the
real upstream files when a mirror is configured (CI) and skips otherwise.

The test run writes nothing outside the project: :func:`pytest_configure` points HOME and
every per-user profile or cache directory that the tools under test use (IPython, Jupyter,
matplotlib, Chromium via XDG, npm, Hugging Face) at a temporary directory, removed at the end.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pytest

#: Variables pointed into the temporary home, relative to it.
PROFILE_VARIABLES = {
    "HOME": ".",
    "USERPROFILE": ".",
    "XDG_CONFIG_HOME": ".config",  # chromium profile, fontconfig, jupyter platformdirs
    "XDG_CACHE_HOME": ".cache",  # dconf, fontconfig, huggingface
    "XDG_DATA_HOME": ".local/share",
    "XDG_STATE_HOME": ".local/state",
    "IPYTHONDIR": ".ipython",
    "JUPYTER_CONFIG_DIR": ".jupyter",
    "JUPYTER_DATA_DIR": ".local/share/jupyter",
    "JUPYTER_RUNTIME_DIR": ".local/share/jupyter/runtime",
    "MPLCONFIGDIR": ".config/matplotlib",
    "npm_config_cache": ".npm",
    "HF_HOME": ".cache/huggingface",
}
_saved_environment: dict[str, str | None] = {}


def pytest_configure(config: pytest.Config) -> None:
    """Give the whole run (and every subprocess: kernels, JupyterLab, Chromium) a temporary
    HOME and profile directories, so tests never write into the user's home."""
    # Paths given with "~" must keep meaning the real home.
    for name, value in os.environ.items():
        if name.startswith("SWEAUDIT_") and value.startswith("~"):
            os.environ[name] = os.path.expanduser(value)
    real_gitconfig = Path.home() / ".gitconfig"
    home = Path(tempfile.mkdtemp(prefix="swe-audit-test-home-"))
    _saved_environment["_home"] = str(home)
    wanted = {name: home / relative for name, relative in PROFILE_VARIABLES.items()}
    if real_gitconfig.is_file() and "GIT_CONFIG_GLOBAL" not in os.environ:
        wanted["GIT_CONFIG_GLOBAL"] = real_gitconfig  # read-only: identity, safe.directory
    for name, path in wanted.items():
        _saved_environment[name] = os.environ.get(name)
        os.environ[name] = str(path)
    _share_compute_cache()
    _one_blas_thread_per_process()


def _share_compute_cache() -> None:
    """One fresh compute cache (analysis.data.cache) for the whole run: the tests, the xdist
    workers and the nbval kernels inherit it, so shared work is computed once per run, and
    at least once (every run exercises the computations; a cache left by an earlier run is
    not used). An explicit ``SWEAUDIT_COMPUTE_CACHE`` is kept (the workers see the
    controller's)."""
    if os.environ.get("SWEAUDIT_COMPUTE_CACHE"):
        return
    directory = tempfile.mkdtemp(prefix="swe-audit-test-compute-cache-")
    _saved_environment["_compute_cache"] = directory
    _saved_environment["SWEAUDIT_COMPUTE_CACHE"] = None
    os.environ["SWEAUDIT_COMPUTE_CACHE"] = directory


def _one_blas_thread_per_process() -> None:
    """OpenBLAS on one thread in every test process and kernel (unless
    ``OPENBLAS_NUM_THREADS`` is set): the test processes already keep the cores busy, and a
    second BLAS thread only contends with them; it spins while it waits, so under load small
    products stall (the IRT tests took 30 s instead of 3). Results do not depend on it."""
    if "OPENBLAS_NUM_THREADS" in os.environ:
        return
    _saved_environment["OPENBLAS_NUM_THREADS"] = None
    os.environ["OPENBLAS_NUM_THREADS"] = "1"


def pytest_unconfigure(config: pytest.Config) -> None:
    home = _saved_environment.pop("_home", None)
    compute_cache = _saved_environment.pop("_compute_cache", None)
    for name, value in _saved_environment.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value
    _saved_environment.clear()
    if home:
        shutil.rmtree(home, ignore_errors=True)
    if compute_cache:
        shutil.rmtree(compute_cache, ignore_errors=True)


#: Test files and notebooks that take longest, longest first (``--durations`` of whole runs
#: on the shared 2-core machine). They are collected first, every other file after them in
#: the usual order, and ``--dist loadfile`` hands files out in that order (see
#: :func:`pytest_xdist_make_scheduler`): the short files fill the end of the run, so neither
#: process waits idle for the other's last long file. Only the order changes; a file not
#: listed here runs in the usual order.
LONGEST_FIRST = (
    "test_browser.py",
    "test_report.py",
    "test_cache.py",
    "test_stats_clustered.py",
    "04_defects.ipynb",
    "test_audit.py",
    "test_trust_boundaries.py",
    "02_saturation.ipynb",
    "07_swebench_pro.ipynb",
    "test_jupyterlab.py",
    "08_after_verified.ipynb",
    "test_download.py",
    "test_architecture.py",
    "00_claims_ledger.ipynb",
    "10_your_leaderboard.ipynb",
    "03_noise.ipynb",
    "test_calibration.py",
    "test_stats_saturation.py",
    "09_repeated_runs.ipynb",
    "01_dataset_audit.ipynb",
    "05_contamination.ipynb",
    "test_stats_intervals.py",
    "06_distillation.ipynb",
    "test_plots.py",
    "test_stats_comparisons.py",
    "test_stats_irt.py",
)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """The files of :data:`LONGEST_FIRST` first, longest first (a stable sort: the tests of
    a file, and a notebook's cells, keep their order)."""
    rank = {name: place for place, name in enumerate(LONGEST_FIRST)}
    items.sort(key=lambda item: rank.get(item.path.name, len(rank)))


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config: pytest.Config, log):
    """``--dist loadfile`` (a file, or a notebook, stays in one process) in the collected
    order: pytest-xdist would otherwise hand out the files with the most tests first."""
    if config.getvalue("dist") != "loadfile":
        return None
    from xdist.scheduler import LoadFileScheduling

    config.option.loadscopereorder = False
    return LoadFileScheduling(config, log)


@pytest.fixture(autouse=True)
def _compute_cache_off_when_patching(request: pytest.FixtureRequest):
    """A test that monkeypatches may replace what a cached function reads or calls: it runs
    with the compute cache off, so a patched result is never stored under the real key nor
    a real result served past the patch. (Tests of the cache switch it back on themselves.)"""
    if "monkeypatch" not in request.fixturenames:
        yield
        return
    saved = os.environ.get("SWEAUDIT_NO_CACHE")
    os.environ["SWEAUDIT_NO_CACHE"] = "1"
    yield
    if saved is None:
        os.environ.pop("SWEAUDIT_NO_CACHE", None)
    else:
        os.environ["SWEAUDIT_NO_CACHE"] = saved


def _require_mirror() -> bool:
    return os.environ.get("SWEAUDIT_REQUIRE_MIRROR", "") not in ("", "0")


@pytest.fixture(scope="session")
def mirror() -> Path:
    """The read-only upstream mirror (``SWEAUDIT_MIRROR``); skip, or fail in CI, without it."""
    value = os.environ.get("SWEAUDIT_MIRROR")
    if not value or not Path(value).is_dir():
        message = "no upstream data mirror: set SWEAUDIT_MIRROR to a copy of shared/data"
        if _require_mirror():
            pytest.fail(message + " (required because SWEAUDIT_REQUIRE_MIRROR=1)")
        pytest.skip(message)
    return Path(value).resolve()


#: Columns of ``analysis.claims.ledger.ledger()`` that hand-made ledger rows may leave out.
_LEDGER_ROW_DEFAULTS = {
    "primary_source": "",
    "denominator": "",
    "claimed_low": float("nan"),
    "claimed_high": float("nan"),
    "comparison": "equal",
    "tolerance": 0.0,
    "detail": "",
    "reason": "",
    "data_sources": "",
    "measure": "m:f",
    "extra": {},
    "unit": "%",
    "source": "000",
    "notebook": "01_hostile",
    "rule": "",
    "caveat": "",
    "interval_kind": "",
}


@pytest.fixture(scope="session")
def make_ledger():
    """Factory: a ledger DataFrame (the columns ``claims.ledger()`` returns) from partial rows."""
    import pandas as pd

    def make(rows: list[dict]) -> pd.DataFrame:
        return pd.DataFrame([{**_LEDGER_ROW_DEFAULTS, **row} for row in rows])

    return make
