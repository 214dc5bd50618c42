"""Data-quality checks of the upstream sources and the ``validate`` command.

``python -m analysis validate`` loads every source through :mod:`analysis.data.readers`, runs
schema, id, missing-value and consistency checks, prints one line per check and exits 0
unless a check *failed* (a structural problem: unreadable file, missing column, unknown or
duplicate id). Upstream inconsistencies, such as a published score that disagrees with the
per-task results, are reported as warnings: they are findings, not crashes.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any, Literal

import pandas as pd

from analysis.data.parsing import require_columns
from analysis.data.readers import openhands, terminal_bench
from analysis.data.readers.acr import load_acr_runs
from analysis.data.readers.annotations import load_annotations
from analysis.data.readers.leaderboards import (
    consistency_table,
    load_bash_only_results,
    load_leaderboard,
)
from analysis.data.readers.moatless import load_moatless_results
from analysis.data.readers.pro import load_pro_loc, load_pro_results, load_pro_tasks
from analysis.data.readers.verified import VERIFIED_TASKS, load_tasks
from analysis.errors import DataError, clean_for_terminal

Status = Literal["ok", "warn", "fail"]

#: Every source ``validate_all`` reads, in the order it reads them.
SOURCE_NAMES: tuple[str, ...] = (
    "verified_tasks",
    "leaderboards",
    "openai_annotations",
    "moatless_resolved",
    "pro_tasks",
    "pro_loc_stats",
    "pro_results",
    "acr_runs",
    "openhands_index",
    "terminal_bench",
)

#: Expected sizes of the pinned snapshots (a different count is a warning, not a failure;
#: Verified's is :data:`analysis.data.readers.verified.VERIFIED_TASKS`).
EXPECTED_PRO_TASKS = 731
EXPECTED_ACR_RUNS = 3
EXPECTED_ACR_TASKS = 300


@dataclass(frozen=True)
class Check:
    """One check: a short name, a status (ok / warn / fail) and a one-line message."""

    name: str
    status: Status
    message: str


@dataclass
class ValidationReport:
    """The outcome of :func:`validate_all`: a list of checks; ``ok`` when none failed."""

    checks: list[Check] = field(default_factory=list)

    def add(self, name: str, status: Status, message: str) -> Check:
        """Append a check and return it."""
        if status not in ("ok", "warn", "fail"):
            raise ValueError(f"status must be ok, warn or fail, not {status!r}")
        check = Check(name, status, message)
        self.checks.append(check)
        return check

    @property
    def ok(self) -> bool:
        """True when no check failed (warnings allowed)."""
        return not self.failures

    @property
    def failures(self) -> list[Check]:
        return [check for check in self.checks if check.status == "fail"]

    @property
    def warnings(self) -> list[Check]:
        return [check for check in self.checks if check.status == "warn"]

    def to_frame(self) -> pd.DataFrame:
        """The checks as a table (name, status, message); escape before rendering as HTML."""
        return pd.DataFrame(
            [(check.name, check.status, check.message) for check in self.checks],
            columns=["name", "status", "message"],
        )

    def to_text(self) -> str:
        """One line per check (``[ ok ]``, ``[warn]``, ``[FAIL]``) and a summary line, safe for a
        terminal: control characters from data are shown escaped
        (:func:`analysis.errors.clean_for_terminal`), so a name cannot recolour the terminal
        or fake a line."""
        labels = {"ok": "[ ok ]", "warn": "[warn]", "fail": "[FAIL]"}
        lines = [
            clean_for_terminal(f"{labels[check.status]} {check.name}: {check.message}")
            for check in self.checks
        ]
        n_ok = len(self.checks) - len(self.warnings) - len(self.failures)
        lines.append(
            f"{len(self.checks)} checks: {n_ok} ok, {len(self.warnings)} warnings, "
            f"{len(self.failures)} failures"
        )
        return "\n".join(lines)


# --------------------------------------------------------------------------- consistency


def score_consistency(
    results_long: pd.DataFrame, leaderboard: pd.DataFrame, board: str = "bash-only"
) -> pd.DataFrame:
    """Published % resolved against the per-task resolved share of each system.

    ``results_long`` has columns system, instance_id, resolved and optionally folder; a system
    is matched to ``leaderboard`` rows of ``board`` by folder (the ``folder`` column, else
    the system name as a folder), falling back to the display name.
    ``per_task_pct = 100 k / n``, ``difference_tasks = |published - per_task| * n / 100``,
    ``consistent`` when ``difference_tasks <= 1`` (see
    :func:`analysis.data.readers.leaderboards.consistency_table`).
    Columns: system, published_pct, per_task_pct, n_tasks, difference_tasks, consistent.
    """
    require_columns(
        leaderboard.columns, ("leaderboard", "name", "folder", "resolved_pct"), "leaderboard frame"
    )
    rows = leaderboard[leaderboard["leaderboard"] == board]
    by_folder = dict(zip(rows["folder"], rows["resolved_pct"], strict=True))
    by_name = dict(zip(rows["name"], rows["resolved_pct"], strict=False))
    published: dict[str, float] = {}
    if "folder" in results_long.columns:
        pairs = results_long[["system", "folder"]].drop_duplicates("system")
        folders = dict(zip(pairs["system"], pairs["folder"], strict=True))
    else:
        folders = {}
    for system in pd.unique(results_long["system"]):
        folder = folders.get(system, system)
        if folder in by_folder:
            published[str(system)] = float(by_folder[folder])
        elif system in by_name:
            published[str(system)] = float(by_name[system])
    return consistency_table(results_long, published)


def inconsistent_systems(
    results_long: pd.DataFrame, leaderboard: pd.DataFrame, board: str = "bash-only"
) -> pd.DataFrame:
    """The rows of :func:`score_consistency` that disagree by more than one task."""
    table = score_consistency(results_long, leaderboard, board)
    return table[~table["consistent"]].reset_index(drop=True)


def _describe(table: pd.DataFrame, limit: int = 5) -> str:
    parts = [
        f"{row.system} (published {row.published_pct:g}% vs per-task {row.per_task_pct:g}%, "
        f"{row.difference_tasks:g} tasks)"
        for row in table.head(limit).itertuples()
    ]
    if len(table) > limit:
        parts.append(f"and {len(table) - limit} more")
    return "; ".join(parts)


# --------------------------------------------------------------------------- validate_all


def _missing_summary(frame: pd.DataFrame, columns: list[str]) -> tuple[Status, str]:
    counts = {column: int(frame[column].isna().sum()) for column in columns}
    gaps = {column: n for column, n in counts.items() if n}
    if not gaps:
        return "ok", f"no missing values in {', '.join(columns)}"
    return "warn", "missing values: " + ", ".join(f"{c} {n}/{len(frame)}" for c, n in gaps.items())


def _attempt(report: ValidationReport, name: str, action: Callable[[], Any]) -> Any:
    """Run ``action``; a DataError (or a failing download) becomes a failed check."""
    try:
        return action()
    except DataError as error:
        report.add(name, "fail", str(error))
    except (ImportError, OSError) as error:
        report.add(name, "fail", f"could not read the source: {error}")
    return None


def validate_all(paths: Mapping[str, str | Path] | None = None) -> ValidationReport:
    """Load and check every source; ``paths`` maps source name -> explicit path.

    Sources not in ``paths`` come from :func:`analysis.data.download.ensure`. Checks: schema of
    each source (the loaders' structural checks), counts against the pinned snapshots,
    unknown/duplicate ids, missing values in the columns the analyses use, bash-only and
    moatless score consistency, annotation coverage of the Verified ids, Pro result ids
    dropped as non-public, ACR runs, the OpenHands Index and Terminal-Bench trees, and
    unpinned (stray) files in the cache folders of multi-file sources read from the cache.
    """
    given = {name: Path(path) for name, path in (paths or {}).items()}
    unknown = sorted(set(given) - set(SOURCE_NAMES))
    if unknown:
        raise ValueError(f"unknown source name(s) {unknown}; valid: {', '.join(SOURCE_NAMES)}")
    report = ValidationReport()

    def locate(name: str) -> Path:
        if name in given:
            return given[name]
        from analysis.data.download import ensure

        return Path(ensure(name))

    # Verified tasks: everything else is checked against these ids.
    tasks = _attempt(report, "verified_tasks: schema", lambda: load_tasks(locate("verified_tasks")))
    task_ids: set[str] | None = None
    if tasks is not None:
        task_ids = set(tasks["instance_id"])
        status: Status = "ok" if len(tasks) == VERIFIED_TASKS else "warn"
        report.add(
            "verified_tasks: schema",
            status,
            f"{len(tasks)} tasks (expected {VERIFIED_TASKS}), ids unique, "
            f"{tasks['repo'].nunique()} repositories",
        )
        report.add(
            "verified_tasks: missing values",
            *_missing_summary(tasks, ["repo", "created_at", "difficulty", "version"]),
        )

    _check_leaderboards(report, locate, task_ids)
    _check_annotations(report, locate, task_ids)
    _check_pro(report, locate)
    _check_acr(report, locate)
    _check_results_tree(report, locate, "openhands_index", openhands)
    _check_results_tree(report, locate, "terminal_bench", terminal_bench)
    _attempt(report, "registry", lambda: _check_pinning(report, skip=set(given)))
    return report


def _check_results_tree(
    report: ValidationReport, locate: Callable[[str], Path], name: str, reader: ModuleType
) -> None:
    """A per-task results tree read by its ``audit`` reader (values checked on the way in);
    published scores that disagree with their per-task results are a warning."""
    check = f"{name}: per-task results"
    results = _attempt(report, check, lambda: reader.read(locate(name)))
    if results is None:
        return
    frame = results.frame
    report.add(
        check,
        "ok",
        f"{frame['system'].nunique()} systems, {frame['task'].nunique()} tasks, "
        f"{results.n_unknown} unknown outcome(s) counted apart",
    )
    disagreeing = [note for note in results.notes if "disagrees" in note]
    report.add(
        f"{name}: published scores",
        "warn" if disagreeing else "ok",
        "every published score matches its per-task results"
        if not disagreeing
        else f"{len(disagreeing)} published score(s) disagree with their per-task results: "
        + "; ".join(disagreeing[:3])
        + (f"; and {len(disagreeing) - 3} more" if len(disagreeing) > 3 else ""),
    )


def _check_pinning(report: ValidationReport, skip: set[str]) -> None:
    """One check per cached multi-file source: only its pinned files are in its folder.

    Unpinned files are never read as data (the loaders read only the pinned list), so they
    are a warning that names them, not a failure.
    """
    from analysis.data.download import brief_listing, stray_files
    from analysis.data.sources import registry
    from analysis.paths import raw_dir

    for name, source in registry().items():
        if not source.is_directory or name in skip:
            continue
        folder = raw_dir() / source.relative_path
        strays = stray_files(source)
        if not strays:
            report.add(f"{name}: pinned files", "ok", f"only pinned files in {folder}")
            continue
        report.add(
            f"{name}: pinned files",
            "warn",
            f"{len(strays)} unpinned file(s) in {folder} ignored (never read as data; "
            f"`python -m analysis fetch --force` removes them): {brief_listing(strays, folder)}",
        )


def _check_leaderboards(
    report: ValidationReport, locate: Callable[[str], Path], task_ids: set[str] | None
) -> None:
    leaderboard = _attempt(
        report, "leaderboards: schema", lambda: load_leaderboard(locate("leaderboards"))
    )
    if leaderboard is None:
        return
    counts = leaderboard["leaderboard"].value_counts()
    report.add(
        "leaderboards: schema",
        "ok",
        f"{len(leaderboard)} entries: " + ", ".join(f"{board} {n}" for board, n in counts.items()),
    )
    cost_gaps = leaderboard.groupby("leaderboard")["cost"].apply(lambda c: int(c.isna().sum()))
    report.add(
        "leaderboards: missing values",
        "ok",
        "name, date, resolved_pct complete; cost missing for "
        + ", ".join(f"{board} {cost_gaps[board]}/{n}" for board, n in counts.items()),
    )

    if task_ids is None:
        report.add("bash-only: per-task results", "fail", "skipped: Verified tasks did not load")
        report.add("moatless: per-task results", "fail", "skipped: Verified tasks did not load")
        return
    bash = _attempt(
        report,
        "bash-only: per-task results",
        lambda: load_bash_only_results(
            locate("leaderboards"), exclude_inconsistent=False, task_ids=task_ids, warn=False
        ),  # inconsistent systems are reported below, not warned
    )
    if bash is not None:
        sizes = bash.groupby("system").size()
        short = sizes[sizes != len(task_ids)]
        n_listed = int((leaderboard["leaderboard"] == "bash-only").sum())
        report.add(
            "bash-only: per-task results",
            "ok" if short.empty else "warn",
            f"{len(sizes)} of {n_listed} bash-only systems publish per-task results"
            + (
                "; all cover every Verified task"
                if short.empty
                else f"; {len(short)} lack some tasks: {', '.join(short.index[:5])}"
            ),
        )
        report.add("bash-only: missing values", *_missing_summary(bash, ["cost", "api_calls"]))
        inconsistent = inconsistent_systems(bash, leaderboard, "bash-only")
        report.add(
            "bash-only: score consistency",
            "ok" if inconsistent.empty else "warn",
            "every published score matches its per-task results within one task"
            if inconsistent.empty
            else f"{len(inconsistent)} system(s) disagree with their per-task results by more "
            f"than one task and are excluded by default: {_describe(inconsistent)}",
        )

    moatless = _attempt(
        report,
        "moatless: per-task results",
        lambda: load_moatless_results(
            locate("moatless_resolved"), leaderboard=leaderboard, task_ids=task_ids
        ),
    )
    if moatless is not None:
        n_tasks = moatless.attrs.get("n_verified_tasks_in_file", moatless["instance_id"].nunique())
        dates = sorted(moatless.attrs.get("dates", {}).values())
        n_verified = int((leaderboard["leaderboard"] == "Verified").sum())
        report.add(
            "moatless: coverage",
            "ok" if n_tasks == len(task_ids) else "warn",
            f"{moatless['system'].nunique()} of {n_verified} Verified submissions"
            + (f" ({dates[0]} to {dates[-1]})" if dates else "")
            + f"; {n_tasks} of {len(task_ids)} Verified tasks in the file",
        )
        inconsistent = inconsistent_systems(moatless, leaderboard, "Verified")
        worst_first = inconsistent.sort_values("difference_tasks", ascending=False)
        report.add(
            "moatless: score consistency",
            "ok" if inconsistent.empty else "warn",
            "every reconstructed score matches the Verified leaderboard within one task"
            if inconsistent.empty
            else f"{len(inconsistent)} submission(s) disagree with the Verified leaderboard by "
            f"more than one task: {_describe(worst_first)}",
        )


def _check_annotations(
    report: ValidationReport, locate: Callable[[str], Path], task_ids: set[str] | None
) -> None:
    annotations = _attempt(
        report,
        "openai_annotations: schema",
        lambda: load_annotations(locate("openai_annotations")),
    )
    if annotations is None:
        return
    report.add(
        "openai_annotations: schema",
        "ok",
        f"{len(annotations)} annotated samples, ids unique, "
        f"{int(annotations['filter_out'].sum())} filtered out",
    )
    report.add(
        "openai_annotations: missing values",
        *_missing_summary(
            annotations, ["underspecified", "false_negative", "other_major_issues", "difficulty"]
        ),
    )
    if task_ids is None:
        return
    annotated = annotations[annotations["instance_id"].isin(task_ids)]
    missing = len(task_ids) - len(annotated)
    kept_out = int(annotated["filter_out"].sum())
    report.add(
        "openai_annotations: Verified coverage",
        "ok" if missing == 0 and kept_out == 0 else "warn",
        f"{len(annotated)} of {len(task_ids)} Verified ids annotated ({missing} missing); "
        f"{kept_out} of them marked filter_out",
    )


def _check_pro(report: ValidationReport, locate: Callable[[str], Path]) -> None:
    pro_tasks = _attempt(report, "pro_tasks: schema", lambda: load_pro_tasks(locate("pro_tasks")))
    if pro_tasks is not None:
        report.add(
            "pro_tasks: schema",
            "ok" if len(pro_tasks) == EXPECTED_PRO_TASKS else "warn",
            f"{len(pro_tasks)} public tasks (expected {EXPECTED_PRO_TASKS}), ids unique, "
            f"{pro_tasks['repo'].nunique()} repositories",
        )
    pro_loc = _attempt(
        report, "pro_loc_stats: schema", lambda: load_pro_loc(locate("pro_loc_stats"))
    )
    if pro_loc is not None:
        if pro_tasks is None:
            report.add("pro_loc_stats: schema", "ok", f"{len(pro_loc)} tasks")
        else:
            extra = set(pro_loc["instance_id"]) - set(pro_tasks["instance_id"])
            absent = set(pro_tasks["instance_id"]) - set(pro_loc["instance_id"])
            report.add(
                "pro_loc_stats: schema",
                "ok" if not extra and not absent else "warn",
                f"{len(pro_loc)} tasks; {len(extra)} not in the public task list, "
                f"{len(absent)} public tasks without patch size",
            )
    if pro_tasks is None:
        report.add("pro_results: per-task results", "fail", "skipped: Pro tasks did not load")
        return
    results = _attempt(
        report,
        "pro_results: per-task results",
        lambda: load_pro_results(locate("pro_results"), task_ids=pro_tasks["instance_id"]),
    )
    if results is None:
        return
    dropped = {system: n for system, n in results.attrs["dropped"].items() if n}
    n_tasks = results.attrs["n_tasks"]
    report.add(
        "pro_results: per-task results",
        "ok",
        f"{len(n_tasks)} systems; public tasks per system "
        f"{min(n_tasks.values())}-{max(n_tasks.values())} of {len(pro_tasks)}",
    )
    report.add(
        "pro_results: non-public ids dropped",
        "warn" if dropped else "ok",
        "no non-public task ids"
        if not dropped
        else "dropped ids beyond the public tasks: "
        + ", ".join(f"{system} {n}" for system, n in dropped.items()),
    )


def _check_acr(report: ValidationReport, locate: Callable[[str], Path]) -> None:
    runs = _attempt(report, "acr_runs: schema", lambda: load_acr_runs(locate("acr_runs")))
    if runs is None:
        return
    per_run = runs.groupby("run").agg(tasks=("instance_id", "size"), resolved=("resolved", "sum"))
    task_sets = {frozenset(group) for _, group in runs.groupby("run")["instance_id"]}
    shape_ok = (
        len(per_run) == EXPECTED_ACR_RUNS
        and len(task_sets) == 1
        and (per_run["tasks"] == EXPECTED_ACR_TASKS).all()
    )
    report.add(
        "acr_runs: schema",
        "ok" if shape_ok else "warn",
        f"{len(per_run)} runs x {per_run['tasks'].max()} tasks"
        f"{' (same task list)' if len(task_sets) == 1 else ' (task lists differ)'}; resolved "
        + ", ".join(f"run {run}: {int(row.resolved)}" for run, row in per_run.iterrows()),
    )


# --------------------------------------------------------------------------- CLI


def _parse_source_option(text: str) -> tuple[str, Path]:
    name, separator, path = text.partition("=")
    if not separator or not name or not path:
        raise argparse.ArgumentTypeError(f"expected NAME=PATH, got {text!r}")
    if name not in SOURCE_NAMES:
        raise argparse.ArgumentTypeError(
            f"unknown source {name!r}; valid: {', '.join(SOURCE_NAMES)}"
        )
    return name, Path(path)


def configure_parser(parser: argparse.ArgumentParser) -> None:
    """Options of ``python -m analysis validate``."""
    parser.add_argument(
        "--source",
        metavar="NAME=PATH",
        action="append",
        type=_parse_source_option,
        default=[],
        help="read source NAME from PATH instead of the cache (repeatable)",
    )
    parser.add_argument("--strict", action="store_true", help="exit non-zero on warnings too")


def run_cli(args: argparse.Namespace) -> int:
    """Print the validation report; 0 unless a check failed (or warned, with --strict)."""
    report = validate_all(dict(args.source))
    print(report.to_text())
    if not report.ok:
        return 1
    return 1 if args.strict and report.warnings else 0


__all__ = [
    "SOURCE_NAMES",
    "Check",
    "ValidationReport",
    "configure_parser",
    "inconsistent_systems",
    "run_cli",
    "score_consistency",
    "validate_all",
]
