"""Tests for analysis.defects: never-solved tasks, curves, hard tasks, flags, annotations."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis import defects
from analysis.errors import DataError


def _matrix() -> pd.DataFrame:
    # t4 and t5 are never solved; t1 is solved by all
    return pd.DataFrame(
        [[1, 1, 0, 0, 0], [1, 0, 1, 0, 0], [1, 0, 0, 0, 0]],
        index=pd.Index(["a", "b", "c"], name="system"),
        columns=pd.Index(["t1", "t2", "t3", "t4", "t5"], name="instance_id"),
    )


def test_never_solved() -> None:
    assert list(defects.never_solved(_matrix())) == ["t4", "t5"]
    with pytest.raises(DataError):
        defects.never_solved(pd.DataFrame())


def test_unsolved_curve_shrinks_to_never_solved() -> None:
    curve = defects.unsolved_curve(_matrix(), order=["c", "a", "b"])
    assert list(curve["unsolved"]) == [4, 3, 2]
    assert list(curve["system"]) == ["c", "a", "b"]
    with pytest.raises(DataError):
        defects.unsolved_curve(_matrix(), order=["zzz"])


def test_random_order_curves_are_seeded() -> None:
    a = defects.random_order_curves(_matrix(), n_orders=50, seed=1)
    b = defects.random_order_curves(_matrix(), n_orders=50, seed=1)
    pd.testing.assert_frame_equal(a, b)
    assert a["mean"].iloc[-1] == 2  # all systems added: exactly the never-solved tasks
    assert (np.diff(a["mean"]) <= 0).all()
    assert (a["low"] <= a["mean"]).all() and (a["mean"] <= a["high"]).all()


def test_hard_tasks_include_ties_at_the_cut() -> None:
    # rates: t1 1.0, t2 .33, t3 .33, t4 0, t5 0
    assert list(defects.hard_tasks(_matrix(), 0.4)) == ["t4", "t5"]
    assert list(defects.hard_tasks(_matrix(), 0.6)) == ["t2", "t3", "t4", "t5"]
    with pytest.raises(DataError):
        defects.hard_tasks(_matrix(), 0.0)


def test_share_never_solved_with_interval() -> None:
    share = defects.share_never_solved(_matrix(), pd.Index(["t2", "t3", "t4", "t5"]))
    assert share["pct"] == pytest.approx(50)
    assert share["low_pct"] < 50 < share["high_pct"]


def test_breakdown_counts_against_all_tasks() -> None:
    tasks = pd.DataFrame(
        {
            "instance_id": ["t1", "t2", "t3", "t4", "t5"],
            "difficulty": pd.Categorical(
                ["easy", "easy", "hard", "hard", "easy"], categories=["easy", "hard"], ordered=True
            ),
            "repo": ["x", "y", "x", "x", "y"],
        }
    )
    table = defects.breakdown(["t4", "t5"], tasks, "difficulty").set_index("difficulty")
    assert table.loc["easy", "tasks"] == 1 and table.loc["easy", "all_tasks"] == 3
    assert table.loc["hard", "rate_pct"] == pytest.approx(50)
    assert table["share_of_subset_pct"].sum() == pytest.approx(100)
    with pytest.raises(DataError):
        defects.breakdown(["t1"], tasks, "year")


def test_irt_flags_mark_never_solved_tasks() -> None:
    rng = np.random.default_rng(0)
    ability = np.linspace(-2, 2, 12)[:, None]
    difficulty = np.linspace(-2, 2, 40)[None, :]
    values = (rng.uniform(size=(12, 40)) < 1 / (1 + np.exp(-(ability - difficulty)))).astype(int)
    values[:, 0] = 0  # a task nobody solves
    matrix = pd.DataFrame(
        values,
        index=pd.Index([f"s{i}" for i in range(12)], name="system"),
        columns=pd.Index([f"t{j:02d}" for j in range(40)], name="instance_id"),
    )
    flags = defects.irt_flags(matrix, model="rasch")
    assert bool(flags.loc["t00", "never_solved"]) and bool(flags.loc["t00", "flagged"])
    summary = defects.flag_summary(flags).set_index("flag")
    assert summary.loc["flagged", "tasks"] >= summary.loc["never_solved", "tasks"] >= 1


def test_annotation_relation_detects_a_negative_association() -> None:
    rng = np.random.default_rng(0)
    ids = [f"t{i}" for i in range(200)]
    score = rng.integers(0, 4, 200)
    solve = np.clip(0.8 - 0.2 * score + rng.normal(0, 0.05, 200), 0, 1)
    annotations = pd.DataFrame({"instance_id": ids, "false_negative": score.astype(float)})
    result = defects.annotation_relation(
        annotations, pd.Series(solve, index=ids), "false_negative", n_resamples=300
    )
    assert result["rho"] < -0.8 and result["high"] < 0
    assert result["by_score"]["tasks"].sum() == 200
    with pytest.raises(DataError):
        defects.annotation_relation(annotations, pd.Series(solve, index=ids), "nope")


def test_real_defect_counts(mirror) -> None:
    matrices = defects.verified_matrices()
    bash, combined = matrices["bash_only"], matrices["combined"]
    assert bash.shape[1] == combined.shape[1] == 500
    assert combined.shape[0] > bash.shape[0]
    # adding systems can only shrink the set of never-solved tasks
    assert set(defects.never_solved(combined)) <= set(defects.never_solved(bash))
    measurement = defects.claim_hard_unsolvable()
    assert measurement.interval[0] <= measurement.measured <= measurement.interval[1]
    assert measurement.extra["never_solved_tasks"] == len(defects.never_solved(combined))


def test_chronological_order_and_unsolved_before() -> None:
    dates = {"a": "2025-03-01", "b": "2024-01-01", "c": None}
    assert defects.chronological_order(dates, ["a", "b", "c"]) == ["b", "a", "c"]
    assert defects.unsolved_before(_matrix(), dates, "2024-06-01") == {"systems": 1, "unsolved": 3}
    assert defects.unsolved_before(_matrix(), dates, "2023-01-01") == {"systems": 0, "unsolved": 5}


def test_figures_build(tmp_path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    fig = defects.figure_unsolved_curve(_matrix(), _matrix(), dates={"a": "2024-01-01"}, n_orders=5)
    assert fig.axes[0].get_ylabel() == "tasks no system solves"
    flags = defects.irt_flags(_matrix(), model="rasch")
    assert defects.figure_flags(flags).axes


def test_share_flagged() -> None:
    flags = pd.DataFrame(
        {"flagged": [True, False, True, False]}, index=pd.Index(["t1", "t2", "t3", "t4"])
    )
    share = defects.share_flagged(flags, pd.Index(["t1", "t2", "t3"]))
    assert share["tasks"] == 3 and share["flagged"] == 2
    assert share["low_pct"] < share["pct"] < share["high_pct"]
