"""Tests for analysis.analyses.defects: never-solved tasks, curves, hard tasks, flags."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis.analyses import defects, unsolvable
from analysis.errors import DataError
from analysis.figures import defects as defects_figures


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
    assert share.tasks == 4 and share.count == 2 and share.pct == pytest.approx(50)
    assert share.low_pct < 50 < share.high_pct


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
    assert result.rho < -0.8 and result.high < 0
    assert result.by_score["tasks"].sum() == 200
    with pytest.raises(DataError):
        defects.annotation_relation(annotations, pd.Series(solve, index=ids), "nope")


def test_real_defect_counts(mirror) -> None:
    matrices = defects.verified_matrices()
    bash, combined = matrices.bash_only, matrices.combined
    assert bash.shape[1] == combined.shape[1] == 500
    assert combined.shape[0] > bash.shape[0]
    # adding systems can only shrink the set of never-solved tasks
    assert set(defects.never_solved(combined)) <= set(defects.never_solved(bash))
    measurement = unsolvable.claim_hard_unsolvable()
    assert measurement.interval[0] <= measurement.measured <= measurement.interval[1]
    assert measurement.interval_kind == "plausible"  # inclusion choices, not sampling
    assert measurement.extra["never_solved_tasks"] == len(defects.never_solved(combined))
    sensitivity = unsolvable.never_solved_sensitivity(matrices)
    assert sensitivity["n_systems"].tolist() == [bash.shape[0], combined.shape[0]]
    assert measurement.measured == pytest.approx(sensitivity["pct"].iloc[-1])


def test_chronological_order_and_unsolved_before() -> None:
    dates = {"a": "2025-03-01", "b": "2024-01-01", "c": None}
    assert defects.chronological_order(dates, ["a", "b", "c"]) == ["b", "a", "c"]
    assert defects.unsolved_before(_matrix(), dates, "2024-06-01") == {"systems": 1, "unsolved": 3}
    assert defects.unsolved_before(_matrix(), dates, "2023-01-01") == {"systems": 0, "unsolved": 5}


def test_figures_build(tmp_path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    fig = defects_figures.figure_unsolved_curve(
        _matrix(), _matrix(), dates={"a": "2024-01-01"}, n_orders=5
    )
    assert fig.axes[0].get_ylabel() == "tasks no system solves"
    flags = defects.irt_flags(_matrix(), model="rasch")
    assert defects_figures.figure_flags(flags).axes


def test_share_flagged() -> None:
    flags = pd.DataFrame(
        {"flagged": [True, False, True, False]}, index=pd.Index(["t1", "t2", "t3", "t4"])
    )
    share = defects.share_flagged(flags, pd.Index(["t1", "t2", "t3"]))
    assert share.tasks == 3 and share.count == 2
    assert share.low_pct < share.pct < share.high_pct


# --- grader-aware intervals ----------------------------------------------------------


def _graded_matrix(n_systems: int = 6, n_tasks: int = 200) -> pd.DataFrame:
    # systems of rising skill on tasks of rising difficulty, seeded
    rng = np.random.default_rng(3)
    skill = np.linspace(0.3, 0.8, n_systems)[:, None]
    ease = np.linspace(1.0, 0.0, n_tasks)[None, :]
    values = (rng.uniform(size=(n_systems, n_tasks)) < skill * (0.4 + ease)).astype(int)
    return pd.DataFrame(
        values,
        index=pd.Index([f"s{i}" for i in range(n_systems)], name="system"),
        columns=pd.Index([f"t{j:03d}" for j in range(n_tasks)], name="instance_id"),
    )


def test_audit_false_fail_range_is_the_clopper_pearson_interval_of_82_of_138() -> None:
    from scipy.stats import binomtest

    assert (defects.AUDITED_TASKS, defects.AUDIT_FLAWED_TASKS) == (138, 82)
    exact = binomtest(82, 138).proportion_ci(confidence_level=0.95, method="exact")
    low, high = defects.audit_false_fail_range()
    assert low == pytest.approx(exact.low) and high == pytest.approx(exact.high)
    assert low < defects.AUDIT_DEFECTIVE_PCT / 100 < high


def test_zero_grader_error_reproduces_the_plain_interval() -> None:
    matrix = _graded_matrix()
    hard = defects.hard_tasks(matrix, 0.3)
    scores = defects.grader_aware_scores(
        matrix, hard, hard_false_fail=0.0, other_false_fail=0.0, false_pass=0.0, n_simulations=300
    )
    np.testing.assert_allclose(scores["grader_low_pct"], scores["plain_low_pct"])
    np.testing.assert_allclose(scores["grader_high_pct"], scores["plain_high_pct"])
    np.testing.assert_allclose(scores["corrected_pct"], scores["observed_pct"])
    np.testing.assert_allclose(scores["width_ratio"], 1.0)
    assert not scores["corrected_outside_plain"].any()
    assert scores.attrs["scenarios"] == [(0.0, 0.0, 0.0)]


def test_hard_task_false_fails_widen_intervals_and_raise_corrected_scores() -> None:
    matrix = _graded_matrix()
    hard = defects.hard_tasks(matrix, 0.3)
    plain = defects.grader_aware_scores(matrix, hard, 0.0, 0.0, 0.0, n_simulations=300)
    scores = defects.grader_aware_scores(matrix, hard, n_simulations=300)  # audit defaults
    assert scores.attrs["rates"]["hard_false_fail"] == defects.audit_false_fail_range()
    assert len(scores.attrs["scenarios"]) == 8  # every corner of the three ranges
    assert (scores["width_ratio"] > 1).all()
    assert (scores["corrected_pct"] > plain["corrected_pct"]).all()
    assert (scores["grader_high_pct"] > plain["grader_high_pct"]).all()
    # the envelope holds the interval at the midpoint rates
    assert (scores["grader_low_pct"] <= scores["central_low_pct"]).all()
    assert (scores["central_high_pct"] <= scores["grader_high_pct"]).all()
    # the plain interval does not depend on the rates (same seed, same task resamples)
    pd.testing.assert_series_equal(scores["plain_low_pct"], plain["plain_low_pct"])
    assert list(scores["observed_pct"]) == sorted(scores["observed_pct"], reverse=True)


def test_grader_aware_scores_are_seeded_and_check_inputs() -> None:
    matrix = _graded_matrix(n_systems=3, n_tasks=60)
    hard = matrix.columns[:10]
    first = defects.grader_aware_scores(matrix, hard, n_simulations=100, seed=5)
    pd.testing.assert_frame_equal(
        first, defects.grader_aware_scores(matrix, hard, n_simulations=100, seed=5)
    )
    with pytest.raises(DataError, match="hard_ids"):
        defects.grader_aware_scores(matrix, ["not-a-task"], n_simulations=100)
    with pytest.raises(DataError, match="false_pass"):
        defects.grader_aware_scores(matrix, hard, false_pass=(0.2, 0.1), n_simulations=100)


def test_grader_aware_headline_counts_the_top_systems() -> None:
    scores = pd.DataFrame(
        {
            "system": ["a", "b", "c"],
            "observed_pct": [70.0, 60.0, 50.0],
            "corrected_pct": [80.0, 61.0, 55.0],
            "width_ratio": [1.2, 1.5, 2.0],
            "corrected_outside_plain": [True, False, True],
        }
    )
    headline = defects.grader_aware_headline(scores, top=2)
    assert headline.top == 2 and headline.top_moved == 1
    assert headline.median_width_ratio == pytest.approx(1.5)
    assert headline.top_median_shift == pytest.approx(5.5)
    assert headline.top_max_shift == pytest.approx(10.0)


def test_grader_aware_figure_builds() -> None:
    import matplotlib

    matplotlib.use("Agg")
    matrix = _graded_matrix(n_systems=3, n_tasks=60)
    scores = defects.grader_aware_scores(matrix, matrix.columns[:10], n_simulations=100)
    fig = defects_figures.figure_grader_aware(scores)
    assert len(fig.axes[0].get_yticklabels()) == 3


def test_real_grader_aware_scores(mirror) -> None:
    matrices = defects.verified_matrices()
    bash, combined = matrices.bash_only, matrices.combined
    assert set(matrices.excluded_bash_only) <= set(matrices.excluded)
    assert not set(matrices.excluded_bash_only) & set(bash.index)
    hard = defects.hard_tasks(combined, defects.AUDIT_SAMPLE_SHARE)
    scores = defects.grader_aware_scores(bash, hard, n_simulations=200)
    assert len(scores) == bash.shape[0]
    assert scores.attrs["rates"]["hard_tasks"] == len(hard)
    assert (scores["width_ratio"] > 1).all()


def test_irt_flags_use_the_calibrated_misfit_null() -> None:
    rng = np.random.default_rng(0)
    ability = rng.normal(size=30)
    difficulty = rng.normal(size=60)
    probability = 1 / (1 + np.exp(-(ability[:, None] - difficulty[None, :])))
    matrix = pd.DataFrame(
        (rng.random((30, 60)) < probability).astype(int),
        index=pd.Index([f"s{i}" for i in range(30)], name="system"),
        columns=pd.Index([f"t{j}" for j in range(60)], name="instance_id"),
    )
    flags = defects.irt_flags(matrix, model="rasch")
    assert "misfit_p" in flags  # the calibrated p-value, not only the rule of thumb
    assert (flags["misfit"] == (flags["misfit_p"] < defects.MISFIT_ALPHA)).all()
    # data drawn from the model itself: about 5% or fewer flagged, never a rule-of-thumb flood
    assert flags["misfit"].mean() <= 0.15
    assert "misfit_rule_of_thumb" in flags.attrs
