"""The loaders on the real upstream files (the ``mirror`` fixture; skipped without a mirror).

Paths are passed explicitly into the mirror, so these tests exercise the parsers on the
pinned snapshots without touching the download cache.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

from analysis.data.readers.acr import load_acr_run_stats, load_acr_runs
from analysis.data.readers.annotations import load_annotations
from analysis.data.readers.leaderboards import (
    load_bash_only_results,
    load_leaderboard,
    results_matrix,
)
from analysis.data.readers.moatless import load_moatless_results
from analysis.data.readers.pro import load_pro_loc, load_pro_results, load_pro_tasks
from analysis.data.readers.verified import DIFFICULTY_LEVELS, load_tasks
from analysis.data.validation import inconsistent_systems, validate_all

pytestmark = pytest.mark.mirror

LEADERBOARDS = "swe-bench-leaderboards-f1176b6.json"
TASKS = "swebench-verified-test.jsonl"


@pytest.fixture(scope="module")
def tasks(mirror: Path) -> pd.DataFrame:
    return load_tasks(mirror / TASKS)


@pytest.fixture(scope="module")
def leaderboard(mirror: Path) -> pd.DataFrame:
    return load_leaderboard(mirror / LEADERBOARDS)


@pytest.fixture(scope="module")
def bash_all(mirror: Path, tasks: pd.DataFrame) -> pd.DataFrame:
    return load_bash_only_results(
        mirror / LEADERBOARDS, exclude_inconsistent=False, task_ids=tasks["instance_id"], warn=False
    )


def test_verified_tasks(tasks: pd.DataFrame) -> None:
    assert len(tasks) == 500
    assert tasks["instance_id"].is_unique
    assert set(tasks["difficulty"].cat.categories) == set(DIFFICULTY_LEVELS)
    assert tasks["difficulty"].notna().all()
    assert tasks["repo"].str.fullmatch(r"[\w.-]+/[\w.-]+").all()
    # every gold patch touches at least one file and changes at least one line
    assert (tasks["files_changed"] >= 1).all() and (tasks["lines_changed"] >= 1).all()
    assert (tasks["hunks"] >= tasks["files_changed"]).all()
    assert (tasks["n_fail_to_pass"] >= 1).all()
    assert tasks["year"].between(2012, 2023).all()


def test_leaderboard_boards_and_dates(leaderboard: pd.DataFrame) -> None:
    counts = leaderboard["leaderboard"].value_counts()
    assert counts["Verified"] == 162
    assert counts["bash-only"] == 31
    verified = leaderboard[leaderboard["leaderboard"] == "Verified"]
    assert verified["date"].notna().all()
    assert verified["resolved_pct"].between(0, 100).all()
    assert int((leaderboard["leaderboard"] == "bash-only").sum()) == 31
    assert leaderboard["tags"].map(lambda tags: isinstance(tags, list)).all()


def test_leaderboard_from_a_copied_snapshot(
    mirror: Path, tmp_path: Path, leaderboard: pd.DataFrame
) -> None:
    copy = tmp_path / "snapshot.json"
    shutil.copyfile(mirror / LEADERBOARDS, copy)
    pd.testing.assert_frame_equal(load_leaderboard(copy), leaderboard)


def test_bash_only_per_task_results(bash_all: pd.DataFrame, tasks: pd.DataFrame) -> None:
    sizes = bash_all.groupby("system").size()
    assert len(sizes) == 25
    assert (sizes == 500).all()
    assert set(bash_all["instance_id"]) == set(tasks["instance_id"])
    matrix = results_matrix(bash_all)
    assert matrix.shape == (25, 500)


def test_inconsistent_system_is_detected_and_excluded(
    mirror: Path,
    tmp_path: Path,
    bash_all: pd.DataFrame,
    leaderboard: pd.DataFrame,
    tasks: pd.DataFrame,
) -> None:
    # Compute independently: per-task share vs the published number, in tasks.
    published = leaderboard[leaderboard["leaderboard"] == "bash-only"].set_index("folder")
    share = bash_all.groupby("folder")["resolved"].mean() * 100
    gap_tasks = (published.loc[share.index, "resolved_pct"] - share).abs() * 500 / 100
    expected = set(published.loc[gap_tasks[gap_tasks > 1].index, "name"])
    assert len(expected) >= 1
    assert gap_tasks.max() > 50  # tens of points, as PROVENANCE.md warns

    found = inconsistent_systems(bash_all, leaderboard)
    assert set(found["system"]) == expected

    # a fresh copy: the loader warns once per file, and the fixture already read the mirror's
    copy = tmp_path / "leaderboards.json"
    shutil.copyfile(mirror / LEADERBOARDS, copy)
    with pytest.warns(UserWarning, match="disagree with the published score"):
        cleaned = load_bash_only_results(copy, task_ids=tasks["instance_id"])
    excluded = {item["system"] for item in cleaned.attrs["excluded"]}
    assert excluded == expected
    assert not excluded & set(cleaned["system"])
    assert cleaned["system"].nunique() == 25 - len(expected)


def test_moatless_results(mirror: Path, leaderboard: pd.DataFrame, tasks: pd.DataFrame) -> None:
    results = load_moatless_results(
        mirror / "moatless-resolved-submissions.json",
        leaderboard=leaderboard,
        task_ids=tasks["instance_id"],
    )
    assert set(results["instance_id"]) <= set(tasks["instance_id"])
    verified_folders = set(leaderboard.loc[leaderboard["leaderboard"] == "Verified", "folder"])
    assert set(results["system"]) <= verified_folders
    assert set(results.attrs["dates"]) == set(results["system"])
    assert max(results.attrs["dates"].values()) <= "2025-01-31"
    assert (results.groupby("system").size() == results["instance_id"].nunique()).all()


def test_annotations_cover_verified(mirror: Path, tasks: pd.DataFrame) -> None:
    annotations = load_annotations(mirror / "openai-verified-annotations-ensembled.csv")
    assert len(annotations) == 1699
    verified = annotations[annotations["instance_id"].isin(set(tasks["instance_id"]))]
    assert len(verified) == 500
    assert not verified["filter_out"].any()


def test_pro_results_filtered_to_public_tasks(mirror: Path) -> None:
    pro_tasks = load_pro_tasks(mirror / "swebench-pro-tasks.json")
    assert len(pro_tasks) == 731
    loc = load_pro_loc(mirror / "swebench-pro-loc-stats.csv")
    assert set(loc["instance_id"]) == set(pro_tasks["instance_id"])
    results = load_pro_results(
        mirror / "swebench-pro-eval-results", task_ids=pro_tasks["instance_id"]
    )
    assert results["system"].nunique() == 9
    assert set(results["instance_id"]) <= set(pro_tasks["instance_id"])
    dropped = results.attrs["dropped"]
    assert sum(dropped.values()) > 0  # some files hold ids beyond the public tasks
    assert all(results.attrs["n_tasks"][system] <= 731 for system in dropped)


def test_acr_three_runs_of_300(mirror: Path) -> None:
    runs = load_acr_runs(mirror / "autocoderover-lite-3runs")
    assert sorted(runs["run"].unique()) == [1, 2, 3]
    assert (runs.groupby("run").size() == 300).all()
    assert runs.groupby("run")["instance_id"].apply(frozenset).nunique() == 1
    stats = load_acr_run_stats(mirror / "autocoderover-lite-3runs")
    assert (stats["total_cost"] > 0).all()


def test_validate_all_on_the_mirror(mirror: Path) -> None:
    paths = {
        "verified_tasks": mirror / TASKS,
        "leaderboards": mirror / LEADERBOARDS,
        "openai_annotations": mirror / "openai-verified-annotations-ensembled.csv",
        "moatless_resolved": mirror / "moatless-resolved-submissions.json",
        "pro_tasks": mirror / "swebench-pro-tasks.json",
        "pro_loc_stats": mirror / "swebench-pro-loc-stats.csv",
        "pro_results": mirror / "swebench-pro-eval-results",
        "acr_runs": mirror / "autocoderover-lite-3runs",
    }
    report = validate_all(paths)
    assert report.ok, report.to_text()
    by_name = {check.name: check for check in report.checks}
    assert by_name["bash-only: score consistency"].status == "warn"
