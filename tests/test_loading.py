"""Loaders on small synthetic files: parsing, dtypes, and every structural error case."""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.data import parsing
from analysis.data.readers.acr import load_acr_run_stats, load_acr_runs
from analysis.data.readers.annotations import load_annotations
from analysis.data.readers.leaderboards import (
    load_bash_only_results,
    load_leaderboard,
    results_matrix,
)
from analysis.data.readers.moatless import load_moatless_results
from analysis.data.readers.pro import load_pro_loc, load_pro_results, load_pro_tasks
from analysis.data.readers.verified import DIFFICULTY_LEVELS, load_tasks, patch_statistics
from analysis.errors import DataError

# --------------------------------------------------------------------------- patch statistics

SYNTHETIC_DIFF = """\
diff --git a/pkg/a.py b/pkg/a.py
--- a/pkg/a.py
+++ b/pkg/a.py
@@ -1,4 +1,5 @@
 def f():
-    return 1
+    return 2
+
 x = 1
 y = 2
@@ -10,3 +11,2 @@ def g():
 a = 1
--- this removed line looks like a header
 b = 2
diff --git a/pkg/b.sql b/pkg/b.sql
--- a/pkg/b.sql
+++ b/pkg/b.sql
@@ -1 +1 @@
-old
+++ new line that looks like a header
\\ No newline at end of file
"""


def test_patch_statistics_counts_lines_files_and_hunks() -> None:
    stats = patch_statistics(SYNTHETIC_DIFF)
    # a.py: +2 -1 in hunk 1, -1 in hunk 2 (a line starting '---'); b.sql: +1 -1 ('+++' line)
    assert stats == {
        "lines_added": 3,
        "lines_removed": 3,
        "lines_changed": 6,
        "files_changed": 2,
        "hunks": 3,
    }


def test_patch_statistics_of_empty_diff_is_zero() -> None:
    assert patch_statistics("") == {
        "lines_added": 0,
        "lines_removed": 0,
        "lines_changed": 0,
        "files_changed": 0,
        "hunks": 0,
    }


# Line text that tries to fool a parser: header look-alikes, form feeds, U+2028.
_LINE_TEXT = st.text(alphabet="+-@ d\\x\x0c\u2028", max_size=8)
_HUNK = st.lists(st.tuples(st.sampled_from(" +-"), _LINE_TEXT), min_size=1, max_size=12)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.lists(_HUNK, min_size=1, max_size=3), min_size=1, max_size=3))
def test_patch_statistics_matches_generated_diffs(files: list[list[list[tuple[str, str]]]]) -> None:
    """Build a diff from known hunks and check every count comes back."""
    parts: list[str] = []
    for number, hunks in enumerate(files):
        parts += [f"diff --git a/f{number} b/f{number}", f"--- a/f{number}", f"+++ b/f{number}"]
        for hunk in hunks:
            old = sum(kind != "+" for kind, _ in hunk)
            new = sum(kind != "-" for kind, _ in hunk)
            parts.append(f"@@ -1,{old} +1,{new} @@ context")
            parts += [kind + text for kind, text in hunk]
    lines = [line for hunks in files for hunk in hunks for line in hunk]
    added = sum(kind == "+" for kind, _ in lines)
    removed = sum(kind == "-" for kind, _ in lines)
    assert patch_statistics("\n".join(parts) + "\n") == {
        "lines_added": added,
        "lines_removed": removed,
        "lines_changed": added + removed,
        "files_changed": len(files),
        "hunks": sum(len(hunks) for hunks in files),
    }


# --------------------------------------------------------------------------- Verified tasks

SMALL_PATCH = "diff --git a/m.py b/m.py\n--- a/m.py\n+++ b/m.py\n@@ -1,2 +1,2 @@\n-a\n+b\n c\n"


def task_row(instance_id: str, **overrides: object) -> dict[str, object]:
    row: dict[str, object] = {
        "repo": "owner/" + instance_id.split("__")[0],
        "instance_id": instance_id,
        "base_commit": "abc",
        "patch": SMALL_PATCH,
        "test_patch": SMALL_PATCH.replace("+b\n", "+b\n+d\n").replace("+1,2", "+1,3"),
        "problem_statement": "Something is broken",
        "hints_text": "",
        "created_at": "2021-05-06T07:08:09Z",
        "version": "3.0",
        "FAIL_TO_PASS": json.dumps(["t1", "t2"]),
        "PASS_TO_PASS": json.dumps(["t3"]),
        "environment_setup_commit": "def",
        "difficulty": "<15 min fix",
    }
    row.update(overrides)
    return row


def write_jsonl(path: Path, rows: list[dict[str, object]]) -> Path:
    path.write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")
    return path


@pytest.fixture
def tasks_file(tmp_path: Path) -> Path:
    return write_jsonl(
        tmp_path / "tasks.jsonl",
        [
            task_row("b__b-2", difficulty="1-4 hours", created_at="2019-01-01T00:00:00Z"),
            task_row("a__a-1", version=None),
            task_row("a__a-3", difficulty=">4 hours", PASS_TO_PASS="[]"),
        ],
    )


def test_load_tasks_columns_and_derived_values(tasks_file: Path) -> None:
    tasks = load_tasks(tasks_file)
    assert list(tasks["instance_id"]) == ["a__a-1", "a__a-3", "b__b-2"]  # sorted
    assert list(tasks.columns) == [
        "instance_id",
        "repo",
        "created_at",
        "year",
        "difficulty",
        "version",
        "lines_added",
        "lines_removed",
        "lines_changed",
        "files_changed",
        "hunks",
        "test_lines_changed",
        "n_fail_to_pass",
        "n_pass_to_pass",
        "problem_statement_chars",
    ]
    assert str(tasks["created_at"].dt.tz) == "UTC"
    assert tasks["difficulty"].cat.ordered
    assert list(tasks["difficulty"].cat.categories) == list(DIFFICULTY_LEVELS)
    assert tasks["difficulty"].max() == ">4 hours"
    first = tasks.iloc[0]
    assert first["year"] == 2021
    assert (first["lines_added"], first["lines_removed"], first["files_changed"]) == (1, 1, 1)
    assert first["test_lines_changed"] == 3
    assert (first["n_fail_to_pass"], first["n_pass_to_pass"]) == (2, 1)
    assert first["problem_statement_chars"] == len("Something is broken")
    assert pd.isna(first["version"])
    assert tasks.set_index("instance_id").at["b__b-2", "year"] == 2019
    assert tasks.set_index("instance_id").at["a__a-3", "n_pass_to_pass"] == 0


def test_load_tasks_missing_file(tmp_path: Path) -> None:
    missing = tmp_path / "nope.jsonl"
    with pytest.raises(DataError, match="not found") as caught:
        load_tasks(missing)
    assert caught.value.where == str(missing)


def test_load_tasks_malformed_line_names_line(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "t.jsonl", [task_row("a__a-1")])
    with path.open("a") as handle:
        handle.write('{"repo": "x", "instance_id": \n')
    with pytest.raises(DataError, match=r"malformed JSON on line 2") as caught:
        load_tasks(path)
    assert str(path) in str(caught.value)


def test_load_tasks_truncated_file(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "t.jsonl", [task_row("a__a-1"), task_row("a__a-2")])
    text = path.read_text()
    path.write_text(text[: len(text) - 40])
    with pytest.raises(DataError, match=r"truncated JSON on line 2 column \d+") as caught:
        load_tasks(path)
    assert caught.value.where == str(path)


def test_load_tasks_missing_date_or_id(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "t.jsonl", [task_row("a__a-1", created_at=None)])
    with pytest.raises(DataError, match=r"missing created_at for task\(s\): a__a-1"):
        load_tasks(path)
    row = task_row("a__a-1")
    row["instance_id"] = None
    path = write_jsonl(tmp_path / "u.jsonl", [row])
    with pytest.raises(DataError, match="line 1: instance_id is not a non-empty string"):
        load_tasks(path)


def test_load_tasks_missing_column(tmp_path: Path) -> None:
    row = task_row("a__a-1")
    del row["difficulty"]
    path = write_jsonl(tmp_path / "t.jsonl", [row])
    with pytest.raises(DataError, match=r"missing required key\(s\): difficulty") as caught:
        load_tasks(path)
    assert str(path) in str(caught.value)


def test_load_tasks_duplicate_id(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "t.jsonl", [task_row("a__a-1"), task_row("a__a-1")])
    with pytest.raises(DataError, match=r"duplicate task id\(s\): a__a-1"):
        load_tasks(path)


def test_load_tasks_unknown_difficulty_and_bad_test_list(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "t.jsonl", [task_row("a__a-1", difficulty="a week")])
    with pytest.raises(DataError, match="unknown difficulty level"):
        load_tasks(path)
    path = write_jsonl(tmp_path / "u.jsonl", [task_row("a__a-1", FAIL_TO_PASS="not json")])
    with pytest.raises(DataError, match="FAIL_TO_PASS/PASS_TO_PASS is not a JSON list"):
        load_tasks(path)


def test_load_tasks_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "t.jsonl"
    path.write_text("\n")
    with pytest.raises(DataError, match="no tasks"):
        load_tasks(path)


# --------------------------------------------------------------------------- leaderboards

TASK_IDS = ["a__a-1", "a__a-2", "a__a-3", "a__a-4"]


def entry(name: str, folder: str, resolved: object, **extra: object) -> dict[str, object]:
    base: dict[str, object] = {
        "name": name,
        "folder": folder,
        "date": "2025-01-02",
        "resolved": resolved,
        "os_model": "True",
        "os_system": False,
        "checked": "True",
        "cost": "None",
        "instance_cost": "0.5",
        "instance_calls": None,
        "tags": "['Org: X', 'Model: y']",
    }
    base.update(extra)
    return base


def details(resolved: list[bool]) -> dict[str, dict[str, object]]:
    return {
        task: {"resolved": flag, "cost": 0.25, "api_calls": 3}
        for task, flag in zip(TASK_IDS, resolved, strict=True)
    }


def leaderboard_document() -> dict[str, object]:
    return {
        "leaderboards": [
            {
                "name": "bash-only",
                "results": [
                    entry("Good", "f_good", 50.0, per_instance_details=details([1, 1, 0, 0])),
                    entry("Close", "f_close", "74.4", per_instance_details=details([1, 1, 1, 0])),
                    entry("Broken", "f_broken", 100.0, per_instance_details=details([0, 0, 0, 1])),
                    entry("NoDetails", "f_none", 20.0),
                ],
            },
            {
                "name": "Verified",
                "results": [
                    entry("Old", "f_old", 25.0, date="2024-03-04", checked="false (See README)"),
                    entry("Never", "f_never", 0.0, tags=["Org: Z"], checked=None),
                    entry("Late", "f_late", 75.0, date="2025-06-01"),
                ],
            },
        ]
    }


def write_json(path: Path, document: object) -> Path:
    path.write_text(json.dumps(document, indent=1), encoding="utf-8")
    return path


@pytest.fixture
def board_file(tmp_path: Path) -> Path:
    return write_json(tmp_path / "leaderboards.json", leaderboard_document())


def test_load_leaderboard_parses_string_values(board_file: Path) -> None:
    board = load_leaderboard(board_file)
    assert len(board) == 7
    assert set(board["leaderboard"]) == {"bash-only", "Verified"}
    assert pd.api.types.is_datetime64_any_dtype(board["date"])
    assert board["resolved_pct"].dtype == np.float64
    close = board.set_index("name").loc["Close"]
    assert close["resolved_pct"] == pytest.approx(74.4)
    assert close["os_model"] is np.True_ or close["os_model"] is True
    assert close["tags"] == ["Org: X", "Model: y"]
    assert np.isnan(close["cost"]) and np.isnan(close["instance_calls"])
    assert close["instance_cost"] == pytest.approx(0.5)
    verified = board[board["leaderboard"] == "Verified"].set_index("folder")
    assert not verified.at["f_old", "checked"]  # "false (See README)"
    assert not verified.at["f_never", "checked"]  # None
    assert verified.at["f_never", "tags"] == ["Org: Z"]
    assert verified.at["f_old", "date"] == pd.Timestamp("2024-03-04")
    assert board.set_index("folder").at["f_good", "has_per_instance"]
    assert not board.set_index("folder").at["f_none", "has_per_instance"]


def test_load_leaderboard_truncated_file(board_file: Path) -> None:
    text = board_file.read_text()
    board_file.write_text(text[: len(text) // 2])
    with pytest.raises(DataError, match=r"truncated JSON at line \d+ column \d+") as caught:
        load_leaderboard(board_file)
    assert caught.value.where == str(board_file)


def test_load_leaderboard_malformed_json_reports_position(tmp_path: Path) -> None:
    path = tmp_path / "lb.json"
    path.write_text('{"leaderboards": [\n  {"name": "x", "results": [,]}\n]}\n')
    with pytest.raises(DataError, match=r"malformed JSON at line 2 column \d+"):
        load_leaderboard(path)


def test_load_leaderboard_missing_keys(tmp_path: Path) -> None:
    path = write_json(tmp_path / "lb.json", {"boards": []})
    with pytest.raises(DataError, match="missing required key 'leaderboards'"):
        load_leaderboard(path)
    document = leaderboard_document()
    del document["leaderboards"][1]["results"][0]["date"]  # type: ignore[index]
    path = write_json(tmp_path / "lb2.json", document)
    with pytest.raises(DataError, match=r"\[Verified\] Old: missing required key\(s\): date"):
        load_leaderboard(path)


@pytest.mark.parametrize("score", ["None", None, "abc", float("nan"), True])
def test_load_leaderboard_rejects_missing_or_unparseable_scores(
    tmp_path: Path, score: object
) -> None:
    document = leaderboard_document()
    document["leaderboards"][1]["results"][2]["resolved"] = score  # type: ignore[index]
    path = tmp_path / "lb.json"
    path.write_text(json.dumps(document))  # NaN is written as the bare token NaN
    with pytest.raises(DataError, match=r"\[Verified\] Late: (missing|unparseable) % resolved"):
        load_leaderboard(path)


def test_load_leaderboard_bad_date_and_duplicate_folder(tmp_path: Path) -> None:
    document = leaderboard_document()
    document["leaderboards"][1]["results"][0]["date"] = "someday"  # type: ignore[index]
    with pytest.raises(DataError, match="Old: unparseable date 'someday'"):
        load_leaderboard(write_json(tmp_path / "a.json", document))
    document = leaderboard_document()
    board = document["leaderboards"][1]["results"]  # type: ignore[index]
    board.append(dict(board[0]))
    with pytest.raises(DataError, match="duplicate folder 'f_old'"):
        load_leaderboard(write_json(tmp_path / "b.json", document))


# --------------------------------------------------------------------------- bash-only


def test_bash_only_excludes_inconsistent_system_and_warns_once(board_file: Path) -> None:
    with pytest.warns(UserWarning, match=r"Broken: published 100% vs per-task 25%"):
        results = load_bash_only_results(board_file, task_ids=TASK_IDS)
    assert list(pd.unique(results["system"])) == ["Good", "Close"]
    assert list(results.columns) == [
        "system",
        "folder",
        "instance_id",
        "resolved",
        "cost",
        "api_calls",
    ]
    assert results["resolved"].dtype == bool
    assert results["api_calls"].dtype == np.float64
    (excluded,) = results.attrs["excluded"]
    assert excluded["system"] == "Broken"
    assert excluded["folder"] == "f_broken"
    assert excluded["published_pct"] == 100.0
    assert excluded["per_task_pct"] == 25.0
    assert excluded["difference_tasks"] == 3.0
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a second load of the same file stays silent
        again = load_bash_only_results(board_file, task_ids=TASK_IDS)
    assert again.attrs["excluded"] == results.attrs["excluded"]


def test_bash_only_can_keep_inconsistent_systems(board_file: Path) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        results = load_bash_only_results(board_file, exclude_inconsistent=False)
    assert set(results["system"]) == {"Good", "Close", "Broken"}
    assert len(results) == 12
    assert results.attrs["excluded"][0]["system"] == "Broken"


def test_bash_only_unknown_task_id(board_file: Path) -> None:
    with pytest.raises(DataError, match=r"1 unknown task id\(s\).*a__a-4") as caught:
        load_bash_only_results(board_file, task_ids=TASK_IDS[:3])
    assert "[bash-only] Good" in str(caught.value)
    assert str(board_file) in str(caught.value)


def test_bash_only_empty_results(tmp_path: Path) -> None:
    document = leaderboard_document()
    document["leaderboards"][0]["results"][0]["per_instance_details"] = {}  # type: ignore[index]
    path = write_json(tmp_path / "lb.json", document)
    with pytest.raises(DataError, match=r"Good: empty per_instance_details"):
        load_bash_only_results(path, task_ids=TASK_IDS)


def test_bash_only_duplicate_task_key(tmp_path: Path) -> None:
    path = tmp_path / "lb.json"
    path.write_text(
        '{"leaderboards": [{"name": "bash-only", "results": [{"name": "S", "folder": "f", '
        '"date": "2025-01-01", "resolved": 50, "per_instance_details": '
        '{"a__a-1": {"resolved": true}, "a__a-1": {"resolved": false}}}]}]}'
    )
    with pytest.raises(DataError, match=r"duplicate key\(s\) \['a__a-1'\]"):
        load_bash_only_results(path)


def test_bash_only_missing_per_task_outcome(tmp_path: Path) -> None:
    document = leaderboard_document()
    entry_details = document["leaderboards"][0]["results"][0]["per_instance_details"]  # type: ignore[index]
    entry_details["a__a-2"]["resolved"] = None
    path = write_json(tmp_path / "lb.json", document)
    with pytest.raises(DataError, match=r"\[bash-only\] Good: task a__a-2: missing 'resolved'"):
        load_bash_only_results(path, task_ids=TASK_IDS)


def test_bash_only_nan_score(tmp_path: Path) -> None:
    document = leaderboard_document()
    document["leaderboards"][0]["results"][1]["resolved"] = "None"  # type: ignore[index]
    path = write_json(tmp_path / "lb.json", document)
    with pytest.raises(DataError, match=r"\[bash-only\] Close: missing % resolved"):
        load_bash_only_results(path, task_ids=TASK_IDS)


# --------------------------------------------------------------------------- results matrix


def test_results_matrix_shape_and_dtype() -> None:
    long = pd.DataFrame(
        {
            "system": ["s2", "s2", "s1", "s1"],
            "instance_id": ["t2", "t1", "t1", "t2"],
            "resolved": [True, False, True, True],
        }
    )
    matrix = results_matrix(long)
    assert matrix.index.name == "system" and matrix.columns.name == "instance_id"
    assert list(matrix.index) == ["s2", "s1"]  # first-appearance order
    assert list(matrix.columns) == ["t1", "t2"]
    assert matrix.to_numpy().tolist() == [[0, 1], [1, 1]]
    assert matrix.dtypes.unique().tolist() == [np.dtype(np.int64)]


def test_results_matrix_missing_and_duplicate_cells() -> None:
    long = pd.DataFrame(
        {"system": ["a", "a", "b"], "instance_id": ["t1", "t2", "t1"], "resolved": [1, 0, 1]}
    )
    with pytest.raises(DataError, match=r"lack results for some tasks \(b: 1\)"):
        results_matrix(long)
    assert list(results_matrix(long, missing="drop").columns) == ["t1"]
    assert results_matrix(long, missing="unresolved").loc["b", "t2"] == 0
    duplicated = pd.concat([long, long.head(1)])
    with pytest.raises(DataError, match="duplicate result for system 'a', task 't1'"):
        results_matrix(duplicated)
    with pytest.raises(DataError, match="no results"):
        results_matrix(long.head(0))
    with pytest.raises(DataError, match="values other than 0/1"):
        results_matrix(long.assign(resolved=[1, 2, 0]))
    with pytest.raises(ValueError, match="missing must be"):
        results_matrix(long, missing="zero")


# --------------------------------------------------------------------------- moatless


def test_moatless_only_verified_tasks_and_submissions_seen(
    tmp_path: Path, board_file: Path
) -> None:
    board = load_leaderboard(board_file)
    path = write_json(
        tmp_path / "moatless.json",
        {
            "a__a-1": {"resolved_submissions": ["f_old", "lite_only"], "no_of_submissions": 3},
            "a__a-2": {"resolved_submissions": [], "no_of_submissions": 3},
            "a__a-3": {"resolved_submissions": ["f_old"], "no_of_submissions": 3},
            "a__a-4": {"resolved_submissions": ["f_old"], "no_of_submissions": 3},
            "lite__l-9": {"resolved_submissions": ["f_old", "lite_only"], "no_of_submissions": 3},
        },
    )
    results = load_moatless_results(path, leaderboard=board, task_ids=TASK_IDS)
    # f_never and f_late (on Verified, but never in the file) are not assumed to be all-zero
    assert set(results["system"]) == {"f_old"}
    assert sorted(results["instance_id"]) == TASK_IDS
    assert results.set_index("instance_id")["resolved"].to_dict() == {
        "a__a-1": True,
        "a__a-2": False,
        "a__a-3": True,
        "a__a-4": True,
    }
    assert results.attrs["dates"] == {"f_old": "2024-03-04"}
    assert results.attrs["names"] == {"f_old": "Old"}
    # published 25%, per-task 3 of 4 = 75%: two tasks apart
    (inconsistent,) = results.attrs["inconsistent"]
    assert inconsistent["system"] == "f_old" and inconsistent["per_task_pct"] == 75.0
    assert inconsistent["difference_tasks"] == 2.0


def test_moatless_malformed_entry(tmp_path: Path, board_file: Path) -> None:
    path = write_json(tmp_path / "m.json", {"a__a-1": {"resolved": []}})
    with pytest.raises(DataError, match="a__a-1: missing 'resolved_submissions'"):
        load_moatless_results(path, leaderboard=load_leaderboard(board_file), task_ids=TASK_IDS)


# --------------------------------------------------------------------------- annotations


def write_annotations(path: Path, rows: list[dict[str, object]]) -> Path:
    pd.DataFrame(rows).to_csv(path, index=False)
    return path


def annotation(instance_id: str, **overrides: object) -> dict[str, object]:
    row: dict[str, object] = {
        "instance_id": instance_id,
        "underspecified": 1,
        "underspecified_notes": "n",
        "false_negative": 0,
        "other_major_issues": 0,
        "difficulty": "1-4 hours",
        "filter_out": False,
    }
    row.update(overrides)
    return row


def test_load_annotations_types(tmp_path: Path) -> None:
    path = write_annotations(
        tmp_path / "a.csv",
        [annotation("a__a-1"), annotation("a__a-2", filter_out=True, difficulty=">4 hours")],
    )
    frame = load_annotations(path)
    assert frame["underspecified"].dtype == np.float64
    assert frame["filter_out"].tolist() == [False, True]
    assert frame["difficulty"].cat.ordered
    assert list(frame["difficulty"].cat.categories) == list(DIFFICULTY_LEVELS)


def test_load_annotations_errors(tmp_path: Path) -> None:
    rows = [annotation("a__a-1")]
    del rows[0]["false_negative"]
    path = write_annotations(tmp_path / "a.csv", rows)
    with pytest.raises(DataError, match=r"missing required column\(s\): false_negative") as caught:
        load_annotations(path)
    assert caught.value.where == str(path)
    path = write_annotations(tmp_path / "b.csv", [annotation("x"), annotation("x")])
    with pytest.raises(DataError, match=r"duplicate task id\(s\): x"):
        load_annotations(path)
    path = write_annotations(tmp_path / "c.csv", [annotation("x", false_negative="high")])
    with pytest.raises(DataError, match="unparseable false_negative score 'high'"):
        load_annotations(path)
    path = write_annotations(tmp_path / "e.csv", [annotation("x", filter_out=None)])
    with pytest.raises(DataError, match=r"filter_out: missing for 1 row\(s\)"):
        load_annotations(path)
    path = tmp_path / "d.csv"
    path.write_text("")
    with pytest.raises(DataError, match=r"empty file|malformed CSV"):
        load_annotations(path)


# --------------------------------------------------------------------------- SWE-bench Pro


def pro_tasks_document(ids_by_repo: dict[str, list[str]]) -> dict[str, object]:
    return {
        "metadata": {},
        "repositories": {
            repo: {
                "repo_language": "Go",
                "commits": [
                    {"problem_number": n + 1, "instance_id": task, "base_commit": "c"}
                    for n, task in enumerate(ids)
                ],
            }
            for repo, ids in ids_by_repo.items()
        },
    }


def test_load_pro_tasks_and_duplicates(tmp_path: Path) -> None:
    path = write_json(tmp_path / "p.json", pro_tasks_document({"o/r": ["p1", "p2"], "o/s": ["p3"]}))
    tasks = load_pro_tasks(path)
    assert tasks["instance_id"].tolist() == ["p1", "p2", "p3"]
    assert tasks["repo"].tolist() == ["o/r", "o/r", "o/s"]
    assert set(tasks["language"]) == {"go"}
    path = write_json(tmp_path / "q.json", pro_tasks_document({"o/r": ["p1"], "o/s": ["p1"]}))
    with pytest.raises(DataError, match=r"duplicate task id\(s\): p1"):
        load_pro_tasks(path)


def test_load_pro_loc(tmp_path: Path) -> None:
    path = tmp_path / "loc.csv"
    pd.DataFrame(
        {
            "instance_id": ["p1", "p2"],
            "repo": ["o/r", "o/s"],
            "Go": [10, 0],
            "Python": [5, 50],
            "golden_patch_added": [3, 4],
            "golden_patch_deleted": [1, 0],
            "golden_patch_total": [4, 4],
        }
    ).to_csv(path, index=False)
    loc = load_pro_loc(path)
    assert loc[["lines_added", "lines_deleted", "lines_changed"]].to_numpy().tolist() == [
        [3, 1, 4],
        [4, 0, 4],
    ]
    assert loc["language"].tolist() == ["Go", "Python"]
    pd.DataFrame({"instance_id": ["p1"], "repo": ["o/r"]}).to_csv(path, index=False)
    with pytest.raises(DataError, match=r"missing required column\(s\): golden_patch_added"):
        load_pro_loc(path)


def test_load_pro_results_filters_non_public_ids(tmp_path: Path) -> None:
    folder = tmp_path / "pro"
    folder.mkdir()
    write_json(folder / "sys-a.json", {"p1": True, "p2": False, "secret-9": True})
    write_json(folder / "sys-b.json", {"p2": True})
    results = load_pro_results(folder, task_ids=["p1", "p2", "p3"])
    assert sorted(results["system"].unique()) == ["sys-a", "sys-b"]
    assert "secret-9" not in set(results["instance_id"])
    assert results.attrs["dropped"] == {"sys-a": 1, "sys-b": 0}
    assert results.attrs["n_tasks"] == {"sys-a": 2, "sys-b": 1}
    assert results["resolved"].dtype == bool


def test_load_pro_results_errors(tmp_path: Path) -> None:
    folder = tmp_path / "pro"
    folder.mkdir()
    with pytest.raises(DataError, match=r"no \*\.json result files"):
        load_pro_results(folder, task_ids=["p1"])
    write_json(folder / "empty.json", {})
    with pytest.raises(DataError, match="empty results") as caught:
        load_pro_results(folder, task_ids=["p1"])
    assert caught.value.where.endswith("empty.json")
    write_json(folder / "empty.json", {"p1": "yes"})
    with pytest.raises(DataError, match="non-boolean result for task p1"):
        load_pro_results(folder, task_ids=["p1"])
    (folder / "empty.json").write_text('{"p1": tr')
    with pytest.raises(DataError, match="truncated JSON at line 1"):
        load_pro_results(folder, task_ids=["p1"])


# --------------------------------------------------------------------------- AutoCodeRover


def write_acr_run(
    folder: Path, run: int, tasks: list[str], resolved: list[str], cost: float
) -> None:
    (folder / f"acr-run-{run}.tasks.txt").write_text("\n".join(tasks) + "\n")
    write_json(
        folder / f"acr-run-{run}.report.json",
        {"generated": tasks[:-1], "applied": resolved, "resolved": resolved},
    )
    write_json(
        folder / f"acr-run-{run}.stats.json",
        {"num_tasks": len(tasks), "model": "m", "total_cost": cost, "avg_cost": 1.0},
    )


def test_load_acr_runs(tmp_path: Path) -> None:
    tasks = ["x-1", "x-2", "x-3"]
    write_acr_run(tmp_path, 1, tasks, ["x-1"], 3.0)
    write_acr_run(tmp_path, 2, tasks, ["x-1", "x-3"], 4.5)
    runs = load_acr_runs(tmp_path)
    assert len(runs) == 6
    assert runs.groupby("run")["resolved"].sum().to_dict() == {1: 1, 2: 2}
    assert runs.set_index(["run", "instance_id"]).at[(1, "x-3"), "generated"] == np.False_
    stats = load_acr_run_stats(tmp_path)
    assert stats["total_cost"].tolist() == [3.0, 4.5]
    assert runs.attrs["stats"][1]["total_cost"] == 4.5


def test_load_acr_runs_errors(tmp_path: Path) -> None:
    with pytest.raises(DataError, match=r"no acr-run-K\.report\.json files"):
        load_acr_runs(tmp_path)
    write_acr_run(tmp_path, 1, ["x-1"], ["x-9"], 1.0)
    with pytest.raises(DataError, match=r"unknown task id\(s\) \(resolved\).*x-9"):
        load_acr_runs(tmp_path)
    (tmp_path / "acr-run-1.stats.json").unlink()
    with pytest.raises(DataError, match="file not found") as caught:
        load_acr_runs(tmp_path)
    assert caught.value.where.endswith("acr-run-1.stats.json")


def test_default_path_goes_through_download_ensure(
    monkeypatch: pytest.MonkeyPatch, tasks_file: Path
) -> None:
    asked: list[str] = []

    def fake_default(name: str) -> Path:
        asked.append(name)
        return tasks_file

    monkeypatch.setattr(parsing, "default_path", fake_default)
    assert len(load_tasks()) == 3
    assert asked == ["verified_tasks"]


@pytest.mark.parametrize(
    "loader",
    [
        load_tasks,
        load_leaderboard,
        load_bash_only_results,
        load_annotations,
        load_pro_tasks,
        load_pro_loc,
        load_acr_runs,
        load_acr_run_stats,
    ],
)
def test_every_loader_names_a_missing_file(tmp_path: Path, loader: object) -> None:
    missing = tmp_path / "absent" / "file.json"
    with pytest.raises(DataError, match="file not found") as caught:
        loader(missing)  # type: ignore[operator]
    assert caught.value.where == str(missing)


def test_results_loaders_name_a_missing_file(tmp_path: Path, board_file: Path) -> None:
    missing = tmp_path / "absent"
    with pytest.raises(DataError, match="file not found"):
        load_pro_results(missing, task_ids=["p1"])
    with pytest.raises(DataError, match="file not found"):
        load_moatless_results(missing, leaderboard=load_leaderboard(board_file), task_ids=TASK_IDS)


# --------------------------------------------------------------------------- pinning and ranges


def test_pro_results_and_acr_runs_read_only_pinned_files_in_the_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from test_readers import pin_as_source

    cache = tmp_path / "cache"
    (cache / "pro").mkdir(parents=True)
    write_json(cache / "pro" / "sys-a.json", {"p1": True, "p2": False})
    write_json(cache / "pro" / "sys-b.json", {"p1": False, "p2": True})
    pin_as_source(monkeypatch, cache, "pro", "pro_results")
    write_json(cache / "pro" / "stray.json", {"p1": True, "p2": True})  # not pinned
    pinned = load_pro_results(task_ids=["p1", "p2"])  # the default path: the cache
    assert sorted(pinned["system"].unique()) == ["sys-a", "sys-b"]
    assert sorted(load_pro_results(cache / "pro", task_ids=["p1", "p2"])["system"].unique()) == [
        "sys-a",
        "sys-b",
    ]
    elsewhere = tmp_path / "copy"
    elsewhere.mkdir()
    for file in (cache / "pro").iterdir():
        (elsewhere / file.name).write_bytes(file.read_bytes())
    assert "stray" in set(load_pro_results(elsewhere, task_ids=["p1", "p2"])["system"])

    acr_cache = tmp_path / "acr-cache"
    (acr_cache / "acr").mkdir(parents=True)
    write_acr_run(acr_cache / "acr", 1, ["x-1", "x-2"], ["x-1"], 1.0)
    pin_as_source(monkeypatch, acr_cache, "acr", "acr_runs")
    write_acr_run(acr_cache / "acr", 2, ["x-1", "x-2"], ["x-2"], 1.0)  # an unpinned run
    assert load_acr_runs()["run"].unique().tolist() == [1]


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("resolved", 250, r"\[Verified\] A: % resolved 250\.0 is outside \[0, 100\]"),
        ("resolved", -12.5, r"% resolved -12\.5 is outside"),
        ("resolved", "Infinity", r"% resolved inf is outside"),
        ("cost", -3, r"cost -3\.0 is outside \[0, inf\]"),
        ("instance_cost", "inf", r"instance_cost inf is outside"),
    ],
)
def test_load_leaderboard_refuses_impossible_values(
    tmp_path: Path, field: str, value: object, message: str
) -> None:
    document = {
        "leaderboards": [
            {"name": "Verified", "results": [entry("A", "a", 50.0), entry("B", "b", 40.0)]}
        ]
    }
    document["leaderboards"][0]["results"][0][field] = value
    path = write_json(tmp_path / "boards.json", document)
    with pytest.raises(DataError, match=message) as caught:
        load_leaderboard(path)
    assert str(path) in str(caught.value) and "fetch --force" in str(caught.value)


def test_impossible_annotation_patch_size_and_run_cost_are_refused(tmp_path: Path) -> None:
    annotations = tmp_path / "annotations.csv"
    pd.DataFrame(
        {
            "instance_id": ["a", "b"],
            "underspecified": [0, 4],
            "false_negative": [0, 0],
            "other_major_issues": [0, 0],
            "difficulty": DIFFICULTY_LEVELS[0],
            "filter_out": False,
        }
    ).to_csv(annotations, index=False)
    with pytest.raises(DataError, match=r"underspecified value\(s\) outside \[0, 3\].* for "):
        load_annotations(annotations)
    loc = tmp_path / "loc.csv"
    pd.DataFrame(
        {
            "instance_id": ["p1"],
            "repo": ["o/r"],
            "golden_patch_added": [-500],
            "golden_patch_deleted": [0],
            "golden_patch_total": [1],
        }
    ).to_csv(loc, index=False)
    with pytest.raises(DataError, match=r"loc\.csv: 1 golden_patch_added .* -500\.0 for instance"):
        load_pro_loc(loc)
    (tmp_path / "acr").mkdir()
    write_acr_run(tmp_path / "acr", 1, ["x-1"], ["x-1"], -2.0)
    with pytest.raises(DataError, match=r"acr-run-1\.stats\.json: total_cost -2\.0 is outside"):
        load_acr_runs(tmp_path / "acr")


def test_pro_patch_total_must_be_added_plus_deleted(tmp_path: Path) -> None:
    path = tmp_path / "loc.csv"
    pd.DataFrame(
        {
            "instance_id": ["p1", "p2"],
            "repo": ["o/r", "o/r"],
            "golden_patch_added": [3, 4],
            "golden_patch_deleted": [1, 0],
            "golden_patch_total": [4, 9],
        }
    ).to_csv(path, index=False)
    with pytest.raises(DataError, match=r"loc\.csv: 1 row\(s\) whose golden_patch_total .*'p2'"):
        load_pro_loc(path)
