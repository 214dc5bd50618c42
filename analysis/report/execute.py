"""Execute the notebooks (step 1 of ``python -m analysis report``).

:func:`execute_notebooks` runs ``notebooks/NN_*.ipynb`` with nbclient, two at a time (each in
its own kernel of the current Python environment), with a tqdm progress bar and a time limit
per notebook, and writes the executed copies to ``reports/build/`` (the committed notebooks
are not modified).
A failing cell raises :class:`NotebookError` naming notebook and cell. The kernel records which
data files each notebook opened (:mod:`analysis.report.provenance` maps them to sources).
"""

from __future__ import annotations

import ast
import json
import os
import re
import time
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import nbformat

from analysis import paths
from analysis.errors import DataError

#: Notebook files the report runs, in reading order.
NOTEBOOK_PATTERN = re.compile(r"^(?P<number>[0-9]{2})_(?P<topic>[A-Za-z0-9_]+)\.ipynb$")


class NotebookError(DataError):
    """A notebook failed to execute: names the notebook, the cell and the error."""


def notebook_paths(directory: Path | None = None, only: Iterable[str] | None = None) -> list[Path]:
    """The report's notebooks ``NN_topic.ipynb`` in ``directory``, in reading order.

    ``only`` keeps the notebooks whose number ``NN`` (or full stem) is listed; an entry that
    matches nothing raises :class:`DataError`.
    """
    directory = directory or paths.notebooks_dir()
    found = sorted(path for path in directory.glob("*.ipynb") if NOTEBOOK_PATTERN.match(path.name))
    if only is None:
        return found
    wanted = [str(item).strip() for item in only if str(item).strip()]
    selected = [path for path in found if path.name[:2] in wanted or path.stem in wanted]
    matched = {path.name[:2] for path in selected} | {path.stem for path in selected}
    unknown = [item for item in wanted if item not in matched]
    if unknown:
        raise DataError(directory, f"no notebook numbered {', '.join(unknown)}")
    return selected


def _source_tracking_code(prefixes: Sequence[str]) -> str:
    """Kernel code recording which files under the data cache/mirror get opened.

    Uses a :func:`sys.addaudithook` ``open`` hook (PEP 578), so it sees every Python-level
    open, whichever loader does it; the report maps those paths back to pinned sources.
    """
    return (
        "import os as _sa_os, sys as _sa_sys\n"
        f"_sa_prefixes = tuple({list(prefixes)!r})\n"
        "_sa_opened = set()\n"
        "def _sa_audit(event, args):\n"
        "    if event == 'open' and args and isinstance(args[0], (str, bytes, _sa_os.PathLike)):\n"
        "        try:\n"
        "            _sa_path = _sa_os.path.abspath(_sa_os.fsdecode(args[0]))\n"
        "        except Exception:\n"
        "            return\n"
        "        if _sa_path.startswith(_sa_prefixes):\n"
        "            _sa_opened.add(_sa_path)\n"
        "_sa_sys.addaudithook(_sa_audit)\n"
    )


def _data_prefixes() -> list[str]:
    prefixes = [str(paths.raw_dir()) + os.sep]
    mirror = paths.mirror_dir()
    if mirror is not None:
        prefixes.append(str(mirror) + os.sep)
    return prefixes


def _cell_label(cell: Any, index: int) -> str:
    first_line = next((line for line in cell.source.splitlines() if line.strip()), "")
    if len(first_line) > 60:
        first_line = first_line[:57] + "..."
    return f"cell {index + 1} ({first_line.strip()!r})" if first_line else f"cell {index + 1}"


def execute_notebook(
    path: Path,
    out_path: Path,
    timeout: float = 600,
    kernel_name: str = "python3",
    progress: bool = True,
    track_sources: bool = True,
    blas_threads: int | None = None,
) -> Path:
    """Execute one notebook top to bottom and write the executed copy to ``out_path``.

    ``timeout`` (seconds) bounds the whole notebook: each cell may use what is left of it.
    The kernel starts in the notebook's folder, as JupyterLab would. ``kernel_name="python3"``
    resolves to the Python running this function (jupyter_client substitutes
    ``sys.executable``), so the report runs in the current environment. With
    ``track_sources`` the data files the notebook opened are stored in the executed
    notebook's metadata (``swe_audit.opened``) for the provenance footer. ``blas_threads``
    caps the kernel's OpenBLAS threads (``OPENBLAS_NUM_THREADS``, unless already set).
    Raises :class:`NotebookError` naming the notebook and the cell on failure or timeout;
    the partial notebook is still written for inspection.
    """
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError
    from tqdm.auto import tqdm

    from analysis.figures.style import WRITE_FIGURES_ENV

    path = Path(path)
    try:
        notebook = nbformat.read(path, as_version=4)
    except (OSError, ValueError) as error:
        raise DataError(path, f"cannot read notebook: {error}") from error
    deadline = time.monotonic() + timeout

    def remaining(_cell: Any = None) -> int:
        return max(1, int(deadline - time.monotonic() + 0.999))

    client = NotebookClient(
        notebook,
        timeout=int(timeout),
        timeout_func=remaining,
        kernel_name=kernel_name,
        resources={"metadata": {"path": str(path.parent)}},
        record_timing=True,
    )
    code_cells = [index for index, cell in enumerate(notebook.cells) if cell.cell_type == "code"]
    bar = tqdm(
        total=len(code_cells), desc=f"  {path.stem}", unit="cell", leave=False, disable=not progress
    )
    opened: list[str] = []
    current = None
    try:
        environment = dict(os.environ)
        if blas_threads is not None:
            environment.setdefault("OPENBLAS_NUM_THREADS", str(blas_threads))
        with client.setup_kernel(cwd=str(path.parent), env=environment):
            assert client.kc is not None
            info = client.wait_for_reply(client.kc.kernel_info())
            if info is not None and "language_info" in info["content"]:
                notebook.metadata["language_info"] = info["content"]["language_info"]
            # only the report build writes figures (save_figure checks this variable)
            _run_hidden(client, f"__import__('os').environ[{WRITE_FIGURES_ENV!r}] = '1'")
            if track_sources:
                _run_hidden(client, _source_tracking_code(_data_prefixes()))
            for index in code_cells:
                current = index
                if time.monotonic() > deadline:
                    raise CellTimeoutError.error_from_timeout_and_cell(
                        "notebook time limit reached", int(timeout), notebook.cells[index]
                    )
                client.execute_cell(
                    notebook.cells[index], index, execution_count=client.code_cells_executed + 1
                )
                bar.update(1)
            current = None
            if track_sources:
                opened = _opened_files(client)
            client.set_widgets_metadata()
    except (CellExecutionError, CellTimeoutError, DeadKernelError, RuntimeError) as error:
        out_path.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(notebook, out_path)
        where = "" if current is None else _cell_label(notebook.cells[current], current) + ": "
        if isinstance(error, CellTimeoutError):
            problem = f"{where}exceeded the notebook time limit of {timeout:g} s"
        elif isinstance(error, CellExecutionError):
            problem = f"{where}{error.ename}: {error.evalue}"
        else:
            problem = f"{where}{type(error).__name__}: {error}"
        raise NotebookError(path, f"{problem} (partial output in {out_path})") from error
    finally:
        bar.close()
    notebook.metadata.setdefault("swe_audit", {})["opened"] = opened
    out_path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(notebook, out_path)
    return out_path


def _run_hidden(client: Any, code: str) -> dict[str, Any]:
    """Run ``code`` silently in the client's kernel (no outputs, no history)."""
    msg_id = client.kc.execute(code, silent=True, store_history=False)
    reply = client.wait_for_reply(msg_id)
    if reply is None or reply["content"].get("status") != "ok":
        content = {} if reply is None else reply["content"]
        raise RuntimeError(f"report setup code failed in the kernel: {content.get('evalue', '')}")
    return reply["content"]


def _opened_files(client: Any) -> list[str]:
    msg_id = client.kc.execute(
        "",
        silent=True,
        store_history=False,
        user_expressions={"opened": "__import__('json').dumps(sorted(_sa_opened))"},
    )
    reply = client.wait_for_reply(msg_id)
    try:
        text = reply["content"]["user_expressions"]["opened"]["data"]["text/plain"]
        return [str(item) for item in json.loads(ast.literal_eval(text))]
    except (KeyError, TypeError, ValueError, SyntaxError):
        return []


#: Notebooks executed at once by :func:`execute_notebooks` (``SWEAUDIT_REPORT_JOBS``
#: overrides): each runs in its own kernel, and they share the compute cache
#: (:mod:`analysis.data.cache`), so the work they have in common is done once.
DEFAULT_JOBS = 2


def report_jobs() -> int:
    """Notebooks to execute at once: ``SWEAUDIT_REPORT_JOBS`` or :data:`DEFAULT_JOBS`, at
    most the number of CPUs."""
    value = os.environ.get("SWEAUDIT_REPORT_JOBS", "").strip()
    try:
        jobs = int(value) if value else DEFAULT_JOBS
    except ValueError:
        raise DataError("SWEAUDIT_REPORT_JOBS", f"not a whole number: {value!r}") from None
    return max(1, min(jobs, os.cpu_count() or 1))


def execute_notebooks(
    paths_to_run: Sequence[Path],
    out_dir: Path,
    timeout: float = 600,
    progress: bool = True,
    kernel_name: str = "python3",
    jobs: int | None = None,
) -> list[Path]:
    """Execute notebooks into ``out_dir`` (same file names); return the new paths in order.

    ``jobs`` notebooks run at once (default :func:`report_jobs`), each in its own kernel;
    the notebooks are independent (each reads its inputs itself). With more than one job
    each kernel's OpenBLAS uses one thread (``OPENBLAS_NUM_THREADS`` overrides): the kernels
    already share the cores, and a waiting BLAS thread spins, stalling the other kernel.
    Shows a tqdm bar over notebooks (and, with one job, one over the cells of the current
    notebook). ``timeout`` is per notebook. A failing notebook raises
    :class:`NotebookError` (the first failing one in reading order); notebooks not yet
    started are not run.
    """
    from concurrent.futures import ThreadPoolExecutor

    from tqdm.auto import tqdm

    out_dir = Path(out_dir)
    notebooks = [Path(path) for path in paths_to_run]
    jobs = report_jobs() if jobs is None else max(1, int(jobs))
    bar = tqdm(total=len(notebooks), desc="notebooks", unit="nb", disable=not progress)

    def run(path: Path) -> Path:
        bar.set_postfix_str(path.stem)
        executed = execute_notebook(
            path,
            out_dir / path.name,
            timeout=timeout,
            kernel_name=kernel_name,
            progress=progress and jobs == 1,
            blas_threads=None if jobs == 1 else 1,
        )
        bar.update(1)
        return executed

    try:
        if jobs == 1 or len(notebooks) < 2:
            return [run(path) for path in notebooks]
        # Threads suffice: the work happens in the kernels, each its own process.
        with ThreadPoolExecutor(max_workers=jobs, thread_name_prefix="notebook") as pool:
            futures = [pool.submit(run, path) for path in notebooks]
            try:
                return [future.result() for future in futures]
            except BaseException:
                for future in futures:
                    future.cancel()
                raise
    finally:
        bar.close()
