"""Wall time of `make report` and of the test run, before and after the compute cache and
the parallel runs, measured back to back in one session.

"Before" is a clean export of ``--base`` (a commit: the code as it was; at the default base,
notebooks one at a time and tests in one process); "after" is ``--after`` (default HEAD),
with the compute cache off (parallelism alone), cold (a fresh cache directory) and warm (the
same directory again).
The variants are interleaved in every repeat, so load from other processes on the machine
falls on all of them alike; each run records the load average and the CPU time of its
processes. The report runs ``python -m analysis fetch``, ``validate`` and ``report`` (what
`make report` runs); the test run is `make test`'s pytest command (lint is the same in
both and left out). Medians over ``--repeats``; failing tests are reported, not hidden.

    python benchmarks/bench_build.py --base 8d2e4c9 --repeats 2 --output benchmarks/results/build.md

``--tests-before same`` runs the base's tests with the same command as the checkout's (two
processes), to measure changes to the tests themselves; ``--skip-report`` times the tests only.
Children start with SIGINT at its default (a benchmark started in the background would
otherwise hand them SIGINT ignored, and the SIGINT trust-boundary test would time out).
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TEST_BEFORE = ["-m", "pytest", "tests", "--nbval-lax", "notebooks", "--nbval-current-env"]
TEST_BEFORE += ["-p", "no:cacheprovider", "-q"]
# Notebooks first: the longest units start first, the small test files fill the end.
TEST_AFTER = ["-m", "pytest", "--nbval-lax", "notebooks", "tests", "--nbval-current-env"]
TEST_AFTER += ["-p", "no:cacheprovider", "-q", "-n", "2", "--dist", "loadfile"]
REPORT_STEPS = (["-m", "analysis", "fetch"], ["-m", "analysis", "validate"])
REPORT_STEPS += (["-m", "analysis", "report"],)


@dataclass
class Run:
    """One timed run: wall and CPU seconds, load average before, exit code, test summary."""

    wall: float
    cpu: float
    load: float
    code: int
    summary: str = ""
    load_after: float = float("nan")


@dataclass
class Variant:
    """A way of building: the tree, the commands, extra environment; its runs."""

    name: str
    tree: Path
    commands: list[list[str]]
    environment: dict[str, str] = field(default_factory=dict)
    #: `make test` gives pytest a throw-away HOME; `make report` runs in the user's.
    isolated_home: bool = False
    runs: list[Run] = field(default_factory=list)


def export(commit: str, destination: Path) -> Path:
    """A clean copy of the repository at ``commit`` (``git archive``)."""
    destination.mkdir(parents=True)
    archive = subprocess.run(
        ["git", "-C", str(ROOT), "archive", commit], check=True, capture_output=True
    ).stdout
    subprocess.run(["tar", "-x", "-C", str(destination)], input=archive, check=True)
    return destination


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run(variant: Variant, home: Path) -> Run:
    """Run the variant's commands in its tree, as `make` would, and time them."""
    environment = {
        **os.environ,
        "PYTHONPATH": str(variant.tree),
        **({"HOME": str(home)} if variant.isolated_home else {}),
        **variant.environment,
    }
    load = os.getloadavg()[0]
    cpu = children_cpu()
    start = time.perf_counter()
    code, output = 0, ""
    for command in variant.commands:
        result = subprocess.run(
            [sys.executable, *command],
            cwd=variant.tree,
            env=environment,
            capture_output=True,
            text=True,
        )
        output = result.stdout + result.stderr
        code = code or result.returncode
    wall = time.perf_counter() - start
    load_after = os.getloadavg()[0]
    plain = re.sub(r"\x1b\[[0-9;]*m", "", output)
    found = re.findall(r"([0-9]+ (?:failed|passed)[^\n]*?) in [0-9.]+s", plain)
    summary = found[-1] if found else ("ok" if code == 0 else plain.strip()[-300:])
    return Run(
        wall=wall,
        cpu=children_cpu() - cpu,
        load=load,
        code=code,
        summary=summary,
        load_after=load_after,
    )


def table(groups: dict[str, list[Variant]]) -> str:
    lines = []
    for title, variants in groups.items():
        base = statistics.median(run.wall for run in variants[0].runs)
        lines += [
            f"\n{title}\n",
            "| variant | median wall (s) | runs (s) | CPU (s, median) | load before/after | "
            "speedup vs before | result |",
            "|---|---|---|---|---|---|---|",
        ]
        for variant in variants:
            walls = [run.wall for run in variant.runs]
            median = statistics.median(walls)
            lines.append(
                f"| {variant.name} | {median:.1f} | {', '.join(f'{w:.1f}' for w in walls)} | "
                f"{statistics.median(run.cpu for run in variant.runs):.1f} | "
                f"{', '.join(f'{run.load:.1f}/{run.load_after:.1f}' for run in variant.runs)} | "
                f"{base / median:.2f}x | {variant.runs[-1].summary} |"
            )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", default="8d2e4c9", help="commit measured as 'before'")
    parser.add_argument("--after", default="HEAD", help="commit measured as 'after'")
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--skip-tests", action="store_true", help="time the report only")
    parser.add_argument("--skip-report", action="store_true", help="time the tests only")
    parser.add_argument("--output", type=Path, help="also write the tables (Markdown) here")
    parser.add_argument(
        "--tests-before",
        choices=("one-process", "same"),
        default="one-process",
        help="the base's test command: one process (as before pytest-xdist) or the same as after",
    )
    args = parser.parse_args(argv)
    signal.signal(signal.SIGINT, signal.default_int_handler)  # children: SIGINT at default

    scratch = Path(tempfile.mkdtemp(prefix="swe-audit-bench-build-"))
    try:
        base = export(args.base, scratch / "base")
        after = export(args.after, scratch / "after")
        warm_cache = scratch / "compute-cache"
        report = [
            Variant("before (base commit)", base, list(REPORT_STEPS)),
            Variant(
                "after, cache off (2 notebooks at a time)",
                after,
                list(REPORT_STEPS),
                {"SWEAUDIT_NO_CACHE": "1"},
            ),
            Variant("after, cold cache", after, list(REPORT_STEPS)),
            Variant("after, warm cache", after, list(REPORT_STEPS), {"SWEAUDIT_COMPUTE_CACHE": ""}),
        ]
        same = args.tests_before == "same"
        tests = [
            Variant(
                "before (base, 2 processes)" if same else "before (base, one process)",
                base,
                [TEST_AFTER if same else TEST_BEFORE],
                isolated_home=True,
            ),
            Variant(
                "after (2 processes, one fresh cache per run)",
                after,
                [TEST_AFTER],
                isolated_home=True,
            ),
        ]
        groups = {}
        if not args.skip_report:
            groups["`make report` (fetch, validate, execute and render)"] = report
        if not args.skip_tests:
            groups["`make test` (pytest + nbval of every notebook)"] = tests
        for tree in (base, after):  # data into each tree's cache once, untimed
            run(Variant("warm-up", tree, [REPORT_STEPS[0]]), scratch)
        for repeat in range(args.repeats):
            for variants in groups.values():
                for variant in variants:
                    if variant.name == "after, cold cache":
                        cold = scratch / f"cold-{repeat}"
                        variant.environment = {"SWEAUDIT_COMPUTE_CACHE": str(cold)}
                    if variant.name == "after, warm cache":
                        if not warm_cache.exists():  # fill it (untimed) the first time
                            filler = Variant("fill", after, list(REPORT_STEPS))
                            filler.environment = {"SWEAUDIT_COMPUTE_CACHE": str(warm_cache)}
                            run(filler, scratch)
                        variant.environment = {"SWEAUDIT_COMPUTE_CACHE": str(warm_cache)}
                    home = Path(tempfile.mkdtemp(dir=scratch, prefix="home-"))
                    result = run(variant, home)
                    variant.runs.append(result)
                    print(
                        f"repeat {repeat + 1}: {variant.name}: {result.wall:.1f} s wall, "
                        f"{result.cpu:.1f} s CPU, load {result.load:.1f}, {result.summary}",
                        flush=True,
                    )
        text = (
            f"Machine: {os.cpu_count()} CPUs, shared (load average at each run's start shown); "
            f"base {args.base}, {args.repeats} repeats, variants interleaved.\n" + table(groups)
        )
        print(text)
        if args.output:
            args.output.parent.mkdir(parents=True, exist_ok=True)
            args.output.write_text(text + "\n")
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
