"""The general results model: validation and conversion to the engine's matrix."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from analysis.data.results import combine, make_results, to_matrix
from analysis.errors import DataError


def long(rows, **extra):
    frame = pd.DataFrame(rows, columns=["system", "task", "run", "score"])
    for column, values in extra.items():
        frame[column] = values
    return frame


def grid(systems=("A", "B", "C"), tasks=("t1", "t2", "t3", "t4"), runs=("1",), seed=0):
    rng = np.random.default_rng(seed)
    rows = [(s, t, r, float(rng.integers(0, 2))) for s in systems for t in tasks for r in runs]
    return long(rows)


def test_valid_results_keep_rows_and_order():
    results = make_results(grid(), "f.csv")
    assert results.systems == ["A", "B", "C"]
    assert len(results.frame) == 12
    assert results.n_unknown == 0


@pytest.mark.parametrize(
    ("frame", "message"),
    [
        (pd.DataFrame(columns=["system", "task", "run", "score"]), "empty"),
        (pd.DataFrame({"system": ["A"], "task": ["t"], "run": ["1"]}), "score"),
        (long([("A", "t1", "1", 1.5), ("B", "t1", "1", 0.0)]), "outside [0, 1]"),
        (long([("A", "t1", "1", -0.1), ("B", "t1", "1", 0.0)]), "outside [0, 1]"),
        (long([("A", "t1", "1", 50.0), ("B", "t1", "1", 0.0)]), "percentages"),
        (long([("A", "t1", "1", "yes"), ("B", "t1", "1", 0.0)]), "not a number"),
        (long([("A", "t1", "1", 1.0), ("A", "t1", "1", 0.0)]), "duplicate (system, task, run)"),
        (long([(None, "t1", "1", 1.0)]), "lack a system"),
    ],
)
def test_bad_input_names_the_source(frame, message):
    with pytest.raises(DataError, match=r"results\.csv") as error:
        make_results(frame, "results.csv")
    assert message in str(error.value)


def test_duplicate_error_names_the_row():
    frame = long([("A", "t1", "1", 1.0), ("A", "t1", "1", 1.0), ("B", "t1", "1", 0.0)])
    with pytest.raises(DataError, match="system 'A', task 't1', run '1'"):
        make_results(frame, "x.csv")


def test_task_metadata_must_be_constant():
    frame = long([("A", "t1", "1", 1.0), ("B", "t1", "1", 0.0)], cluster=["r1", "r2"])
    with pytest.raises(DataError, match="'cluster' differs within task 't1'"):
        make_results(frame, "x.csv")


def test_unparseable_date():
    frame = long([("A", "t1", "1", 1.0), ("B", "t1", "1", 0.0)], task_date=["2024-01-01", "soon"])
    with pytest.raises(DataError, match="unparseable task_date 'soon'"):
        make_results(frame, "x.csv")


def test_mixed_task_sets_use_the_intersection_and_report_the_rest():
    frame = pd.concat(
        [grid(systems=("A", "B")), long([("A", "extra", "1", 1.0), ("B", "only_b", "1", 0.0)])]
    )
    matrix = to_matrix(make_results(frame, "x.csv"))
    assert matrix.tasks == ["t1", "t2", "t3", "t4"]
    dropped = matrix.dropped.set_index("task")
    assert dropped.loc["extra", "reason"] == "missing" and dropped.loc["extra", "n_systems"] == 1
    assert set(dropped.index) == {"extra", "only_b"}


def test_unknown_outcomes_are_counted_apart_not_as_failures():
    rows = [
        ("A", "t1", "1", 1.0),
        ("A", "t1", "2", math.nan),  # unknown second run: A's t1 is 1.0, not 0.5
        ("A", "t2", "1", 0.0),
        ("A", "t2", "2", 0.0),
        ("A", "t3", "1", math.nan),  # only unknown: t3 leaves the common set
        ("A", "t3", "2", math.nan),
    ] + [("B", t, r, 1.0) for t in ("t1", "t2", "t3") for r in ("1", "2")]
    results = make_results(long(rows), "x.csv")
    assert results.n_unknown == 3
    matrix = to_matrix(results)
    assert matrix.tasks == ["t1", "t2"]
    assert matrix.mean.loc["A", "t1"] == 1.0
    assert matrix.dropped.to_dict(orient="records") == [
        {"task": "t3", "reason": "unknown", "n_systems": 1}
    ]
    assert matrix.unknown.loc["A", "n_unknown"] == 3
    assert matrix.unknown.loc["A", "n_unknown_kept"] == 1
    assert not matrix.binary or matrix.mean.isin([0.0, 1.0]).all().all()


def test_runs_give_fractional_means_and_per_run_scores():
    rows = [
        ("A", t, r, float(v))
        for t, r, v in [("t1", "1", 1), ("t1", "2", 0), ("t2", "1", 1), ("t2", "2", 1)]
    ] + [("B", t, r, 0.0) for t in ("t1", "t2") for r in ("1", "2")]
    matrix = to_matrix(make_results(long(rows), "x.csv"))
    assert not matrix.binary
    assert matrix.mean.loc["A"].tolist() == [0.5, 1.0]
    assert matrix.n_runs == {"A": 2, "B": 2}
    np.testing.assert_allclose(matrix.run_scores()["A"], [1.0, 0.5])


def test_single_system_and_single_task_are_errors():
    with pytest.raises(DataError, match="need at least 2 systems to compare, found 1: A"):
        to_matrix(make_results(grid(systems=("A",)), "one.csv"))
    with pytest.raises(DataError, match="need at least 2 tasks"):
        to_matrix(make_results(grid(tasks=("t1",)), "one.csv"))


def test_disjoint_task_sets_say_what_was_dropped():
    frame = long([("A", "t1", "1", 1.0), ("A", "t2", "1", 1.0), ("B", "t3", "1", 0.0)])
    with pytest.raises(DataError, match=r"found 0 of 3 .*3 missing for some system"):
        to_matrix(make_results(frame, "x.csv"))


def test_clusters_follow_the_task_order():
    frame = grid()
    frame["cluster"] = frame["task"].map({"t1": "r1", "t2": "r2", "t3": "r1", "t4": "r2"})
    matrix = to_matrix(make_results(frame, "x.csv"))
    assert matrix.clusters.tolist() == ["r1", "r2", "r1", "r2"]


def test_combine_rejects_the_same_row_from_two_files():
    first = make_results(grid(systems=("A",)), "a.csv")
    with pytest.raises(DataError, match="duplicate"):
        combine([first, make_results(grid(systems=("A",)), "b.csv")])
    both = combine([first, make_results(grid(systems=("B",)), "b.csv")])
    assert both.systems == ["A", "B"] and both.source == "a.csv, b.csv"
