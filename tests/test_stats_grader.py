"""Tests for analysis.stats.grader: Monte Carlo propagation of test (grader) error."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis.errors import DataError
from analysis.stats import grader
from analysis.stats.bootstrap import bootstrap_scores


def outcome_matrix(n_systems: int = 12, n_tasks: int = 300, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    rates = np.linspace(0.2, 0.8, n_systems)[:, None]
    values = (rng.random((n_systems, n_tasks)) < rates).astype(int)
    return pd.DataFrame(
        values,
        index=pd.Index([f"sys{i}" for i in range(n_systems)], name="system"),
        columns=pd.Index([f"t{j}" for j in range(n_tasks)], name="instance_id"),
    )


@pytest.fixture(scope="module")
def matrix() -> pd.DataFrame:
    return outcome_matrix()


def test_zero_rates_give_the_plain_bootstrap_interval(matrix) -> None:
    result = grader.grader_error_intervals(matrix, 0.0, 0.0, n_simulations=500, seed=3)
    np.testing.assert_array_equal(result["grader_low"], result["plain_low"])
    np.testing.assert_array_equal(result["grader_high"], result["plain_high"])
    np.testing.assert_allclose(result["true_mean"], result["observed"], atol=0.01)
    np.testing.assert_allclose(result["corrected"], result["observed"])
    # Same task draws as the bootstrap engine: identical percentile intervals.
    plain = bootstrap_scores(matrix, n_resamples=500, seed=3).intervals("percentile")
    np.testing.assert_allclose(result["plain_low"], plain["low"], atol=1e-12)
    np.testing.assert_allclose(result["plain_high"], plain["high"], atol=1e-12)
    assert list(result["system"]) == list(matrix.index)


def test_positive_rates_widen_and_shift(matrix) -> None:
    plain = grader.grader_error_intervals(matrix, 0.0, 0.0, n_simulations=400)
    false_fails = grader.grader_error_intervals(matrix, 0.2, 0.0, n_simulations=400)
    false_passes = grader.grader_error_intervals(matrix, 0.0, 0.1, n_simulations=400)
    assert (false_fails["width_ratio"] > 1).all()
    assert (false_passes["width_ratio"] > 1).all()
    # Tests that reject correct fixes hide true passes: the true score is higher.
    assert (false_fails["true_mean"] > plain["observed"]).all()
    # Tests that accept wrong fixes inflate the score: the true score is lower.
    assert (false_passes["true_mean"] < plain["observed"]).all()
    # The simulation is centred on the method-of-moments correction.
    np.testing.assert_allclose(false_fails["true_mean"], false_fails["corrected"], atol=0.01)
    # The plain interval does not depend on the rates (separate random streams).
    np.testing.assert_array_equal(false_fails["plain_low"], plain["plain_low"])


def test_grader_interval_covers_the_true_score() -> None:
    # Simulate true fixes, then grade them with faulty tests; the plain interval is biased.
    rng = np.random.default_rng(11)
    n_systems, n_tasks = 20, 400
    truth = np.linspace(0.3, 0.7, n_systems)
    correct = rng.random((n_systems, n_tasks)) < truth[:, None]
    flip = rng.random(correct.shape)
    observed = np.where(correct, flip >= 0.25, flip < 0.05).astype(int)
    result = grader.grader_error_intervals(observed, 0.25, 0.05, n_simulations=600)
    true_scores = correct.mean(axis=1)
    covered = (result["grader_low"] <= true_scores) & (true_scores <= result["grader_high"])
    plain_covered = (result["plain_low"] <= true_scores) & (true_scores <= result["plain_high"])
    assert covered.mean() >= 0.85
    assert plain_covered.mean() < 0.5


def test_reproducible_and_chunk_independent(matrix, monkeypatch) -> None:
    args = dict(false_fail_rate=(0.05, 0.3), false_pass_rate=(0.0, 0.05), n_simulations=300)
    first = grader.grader_error_intervals(matrix, seed=5, **args)
    again = grader.grader_error_intervals(matrix, seed=5, **args)
    other = grader.grader_error_intervals(matrix, seed=6, **args)
    pd.testing.assert_frame_equal(first, again)
    assert not np.allclose(first["grader_low"], other["grader_low"])
    monkeypatch.setattr(grader, "_CHUNK_CELLS", matrix.size * 7)  # chunks of 7 simulations
    pd.testing.assert_frame_equal(first, grader.grader_error_intervals(matrix, seed=5, **args))


def test_per_task_rates(matrix) -> None:
    constant = grader.grader_error_intervals(matrix, 0.2, 0.02, n_simulations=300)
    as_array = grader.grader_error_intervals(
        matrix, np.full(matrix.shape[1], 0.2), 0.02, n_simulations=300
    )
    pd.testing.assert_frame_equal(constant, as_array)
    # A defect rate on a third of the tasks (given as a Series, in any order) moves the
    # scores less than the same rate on every task.
    subset = pd.Series(0.0, index=matrix.columns)
    subset.iloc[:100] = 0.6
    partial = grader.grader_error_intervals(matrix, subset.iloc[::-1], 0.0, n_simulations=300)
    everywhere = grader.grader_error_intervals(matrix, 0.6, 0.0, n_simulations=300)
    shift_partial = partial["true_mean"] - partial["observed"]
    shift_everywhere = everywhere["true_mean"] - everywhere["observed"]
    assert (shift_partial > 0).all() and (shift_partial < shift_everywhere).all()


def test_bad_rates_raise_data_error(matrix) -> None:
    with pytest.raises(DataError, match="false_fail_rate"):
        grader.grader_error_intervals(matrix, 1.5, 0.0)
    with pytest.raises(DataError, match="low <= high"):
        grader.grader_error_intervals(matrix, (0.3, 0.1), 0.0)
    with pytest.raises(DataError, match="one value per task"):
        grader.grader_error_intervals(matrix, [0.1, 0.2, 0.3], 0.0)
    with pytest.raises(DataError, match="no rate for"):
        grader.grader_error_intervals(matrix, pd.Series({"t0": 0.1}), 0.0)
    with pytest.raises(DataError, match="below 1"):
        grader.grader_error_intervals(matrix, 0.6, 0.5)
    with pytest.raises(DataError, match="missing"):
        grader.grader_error_intervals(matrix.mask(matrix == 0), 0.1, 0.0)


def test_true_score_and_ceiling() -> None:
    assert grader.true_score(0.5, 0.2, 0.1) == pytest.approx((0.5 - 0.1) / 0.7)
    assert grader.true_score(0.05, 0.0, 0.1) == 0.0  # clipped
    assert grader.implied_score_ceiling(0.594 * 0.276) == pytest.approx(1 - 0.164, abs=1e-3)
    assert grader.implied_score_ceiling(0.2, rejection_rate=0.5) == pytest.approx(0.9)
    with pytest.raises(DataError, match="defective_share"):
        grader.implied_score_ceiling(1.2)
