"""Hostile names stay cheap: notebook 03 on hostile data against the same notebook on clean data.

Builds two copies of the cached upstream files in a temporary directory:

- ``clean``: the cache as it is;
- ``hostile``: the same, but every system name in ``leaderboards.json`` carries an ESC colour
  code, a newline and other control characters, ``$HOME`` and ``<script>`` markup, and the
  first names of each leaderboard are padded to ``--name-length`` characters (4,000 by
  default: issue 15 measured 211 s and 8.4 GB for one such name, against 16 s and 390 MB).

The hostile bytes no longer match the pinned sha256 in ``data/sources.toml``, and the data
layer never reads an unpinned file. So each copy gets its own registry, written next to it
(``SWEAUDIT_SOURCES``): the committed registry's sources with the sha256 and size of the
copy's files. Nothing in the data layer is bypassed: the copy is verified against that
registry exactly as the real cache is against the committed one. ``SWEAUDIT_MIRROR`` is
unset, so nothing can be fetched and only the copy is read; figures go to a temporary
``SWEAUDIT_FIGURES``.

Each execution (nbclient, kernel ``swe-audit``) runs in its own child process, which reports
the wall time and the peak resident memory of its finished children (the kernel) from
``resource.getrusage(RUSAGE_CHILDREN)``. Printed: time and peak memory of each, and the
hostile / clean ratios; the target is at most 1.5 for both. Timings are wall-clock on a
shared machine: run it twice and read the smaller.

Run: ``python benchmarks/bench_hostile.py [--name-length 4000] [--timeout 1800]``.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from analysis.data.download import pinned_paths
from analysis.data.sources import Source, registry
from analysis.paths import PROJECT_ROOT, raw_dir

NOTEBOOK = PROJECT_ROOT / "notebooks" / "03_noise.ipynb"
LEADERBOARDS = "leaderboards"


def hostile_name(name: str, position: int, length: int) -> str:
    """``name`` with control characters, shell and HTML markup; padded to ``length`` when
    ``length`` is positive (the position keeps names unique)."""
    text = f"\x1b[31m{name}\x1b[0m\n\x07\x00$HOME `id` <script>alert({position})</script>"
    return text + " " + "W" * max(0, length - len(text) - 1) if length else text


def make_hostile(leaderboards: Path, length: int, padded: int) -> int:
    """Rewrite every entry's name in ``leaderboards.json``; the first ``padded`` entries of
    each board get ``length`` characters. Returns how many names changed."""
    document = json.loads(leaderboards.read_text(encoding="utf-8"))
    changed = 0
    for board in document["leaderboards"]:
        for position, entry in enumerate(board["results"]):
            entry["name"] = hostile_name(
                str(entry["name"]), position, length if position < padded else 0
            )
            changed += 1
    leaderboards.write_text(json.dumps(document), encoding="utf-8")
    return changed


def copy_cache(destination: Path) -> dict[str, Source]:
    """Copy every pinned file of every source (fetched first if missing) under
    ``destination``; return the registry."""
    sources = registry()
    cache = raw_dir()
    for source in sources.values():
        for path in pinned_paths(source):
            target = destination / path.relative_to(cache)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, target)
    return sources


def _toml_string(text: str | None) -> str:
    return json.dumps(text)  # a JSON string is a TOML basic string for this text


def write_registry(sources: dict[str, Source], cache: Path, path: Path) -> None:
    """A registry of ``sources`` with the sha256 and size of the files now in ``cache``."""
    lines = []
    for name, source in sources.items():
        lines.append(f"[sources.{name}]")
        for key in ("description", "licence", "repo", "commit"):
            lines.append(f"{key} = {_toml_string(getattr(source, key))}")
        for key in ("hf_dataset", "hf_revision", "hf_split"):
            if getattr(source, key) is not None:
                lines.append(f"{key} = {_toml_string(getattr(source, key))}")
        for item in source.files:
            data = (cache / item.path).read_bytes()
            lines += [
                f"[[sources.{name}.files]]",
                f"path = {_toml_string(item.path)}",
                f"url = {_toml_string(item.url)}",
                f'sha256 = "{hashlib.sha256(data).hexdigest()}"',
                f"size = {len(data)}",
            ]
        lines.append("")
    path.write_text("\n".join(lines), encoding="utf-8")


def run_once(notebook: Path, timeout: int) -> dict[str, object]:
    """Execute ``notebook`` (in this child process); wall time and the kernel's peak RSS."""
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError

    document = nbformat.read(notebook, as_version=4)
    client = NotebookClient(
        document,
        timeout=timeout,
        kernel_name="swe-audit",
        resources={"metadata": {"path": str(notebook.parent)}},
    )
    start = time.perf_counter()
    error = None
    try:
        client.execute()
    except CellExecutionError as failure:
        error = str(failure).strip().splitlines()[-1][:500]
    seconds = time.perf_counter() - start
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss  # KiB on Linux
    return {"seconds": seconds, "peak_mib": children / 1024, "error": error}


def measure(copy: Path, registry_file: Path, figures: Path, timeout: int) -> dict[str, object]:
    """Run :func:`run_once` in a child with the environment pointing at ``copy``."""
    environment = {
        **os.environ,
        "SWEAUDIT_CACHE": str(copy),
        "SWEAUDIT_SOURCES": str(registry_file),
        "SWEAUDIT_FIGURES": str(figures),
        "PYTHONPATH": os.pathsep.join(
            [str(PROJECT_ROOT), *filter(None, [os.environ.get("PYTHONPATH")])]
        ),
    }
    environment.pop("SWEAUDIT_MIRROR", None)
    completed = subprocess.run(
        [sys.executable, __file__, "--run-one", str(NOTEBOOK), "--timeout", str(timeout)],
        env=environment,
        capture_output=True,
        text=True,
        check=False,
    )
    if completed.returncode != 0:
        tail = (completed.stderr or completed.stdout).strip().splitlines()[-3:]
        return {"seconds": float("nan"), "peak_mib": float("nan"), "error": " | ".join(tail)}
    return json.loads(completed.stdout.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--name-length", type=int, default=4000)
    parser.add_argument("--padded", type=int, default=3, help="long names per leaderboard")
    parser.add_argument("--timeout", type=int, default=1800, help="seconds per cell")
    parser.add_argument("--run-one", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.run_one is not None:
        print(json.dumps(run_once(args.run_one, args.timeout)))
        return 0

    with tempfile.TemporaryDirectory(prefix="bench-hostile-") as temporary:
        root = Path(temporary)
        results = {}
        for label in ("clean", "hostile"):
            copy = root / label / "raw"
            sources = copy_cache(copy)
            if label == "hostile":
                leaderboards = copy / sources[LEADERBOARDS].files[0].path
                changed = make_hostile(leaderboards, args.name_length, args.padded)
                print(
                    f"hostile copy: {changed} names rewritten, {args.padded} per board padded to "
                    f"{args.name_length} characters"
                )
            registry_file = root / label / "sources.toml"
            write_registry(sources, copy, registry_file)
            results[label] = measure(copy, registry_file, root / label / "figures", args.timeout)
            outcome = results[label]
            status = f"FAILED: {outcome['error']}" if outcome["error"] else "ok"
            print(
                f"{label:<8} {outcome['seconds']:8.1f} s  peak {outcome['peak_mib']:8.0f} MiB"
                f"  {status}",
                flush=True,
            )
    clean, hostile = results["clean"], results["hostile"]
    time_ratio = hostile["seconds"] / clean["seconds"]
    memory_ratio = hostile["peak_mib"] / clean["peak_mib"]
    print(f"hostile / clean: time {time_ratio:.2f}x, peak memory {memory_ratio:.2f}x (target 1.5x)")
    within = time_ratio <= 1.5 and memory_ratio <= 1.5 and not hostile["error"]
    print("within target" if within else "NOT within target")
    return 0 if within else 1


if __name__ == "__main__":
    raise SystemExit(main())
