"""Tests for analysis.stats.irt: parameter recovery, gradients, invariances, item flags."""

from __future__ import annotations

import json
import time

import numpy as np
import pandas as pd
import pytest
from scipy.optimize import check_grad
from scipy.special import expit
from scipy.stats import spearmanr

from analysis.errors import DataError
from analysis.stats import irt

NEGATIVE_TASK = "task_neg"
NEVER_TASK = "task_never"


def simulate(
    n_systems: int = 60, n_tasks: int = 300, seed: int = 1, two_pl: bool = True
) -> tuple[pd.DataFrame, dict[str, np.ndarray]]:
    """A synthetic 0/1 matrix from known parameters, with one negatively discriminating task
    and one task nobody solves appended as the last two columns."""
    rng = np.random.default_rng(seed)
    theta = rng.normal(0.0, 1.0, n_systems)
    b = rng.normal(0.0, 1.0, n_tasks)
    a = np.exp(rng.normal(0.0, 0.35, n_tasks)) if two_pl else np.ones(n_tasks)
    p = expit(a[None, :] * (theta[:, None] - b[None, :]))
    x = (rng.random(p.shape) < p).astype(float)
    negative = (rng.random(n_systems) < expit(-2.5 * theta)).astype(float)
    never = np.zeros(n_systems)
    x = np.column_stack([x, negative, never])
    tasks = [f"task_{j:03d}" for j in range(n_tasks)] + [NEGATIVE_TASK, NEVER_TASK]
    frame = pd.DataFrame(
        x,
        index=pd.Index([f"sys_{i:02d}" for i in range(n_systems)], name="system"),
        columns=pd.Index(tasks, name="instance_id"),
    )
    return frame, {"theta": theta, "b": b, "a": a}


@pytest.fixture(scope="module")
def simulated() -> tuple[pd.DataFrame, dict[str, np.ndarray]]:
    return simulate()


def test_rasch_recovers_difficulties_and_abilities() -> None:
    matrix, truth = simulate(two_pl=False, seed=2)
    result = irt.fit_rasch(matrix)
    assert result.converged
    n_tasks = len(truth["b"])
    assert np.corrcoef(result.difficulty.to_numpy()[:n_tasks], truth["b"])[0, 1] > 0.9
    assert np.corrcoef(result.ability.to_numpy(), truth["theta"])[0, 1] > 0.9
    assert abs(result.ability.mean()) < 1e-9
    assert (result.discrimination == 1.0).all()
    assert list(result.difficulty.index) == list(matrix.columns)
    # Standard errors are positive, and larger for tasks at the extremes.
    assert (result.difficulty_se > 0).all() and (result.ability_se > 0).all()
    assert result.difficulty_se[NEVER_TASK] > result.difficulty_se.iloc[:n_tasks].median()


def test_2pl_recovers_parameters(simulated) -> None:
    matrix, truth = simulated
    result = irt.fit_2pl(matrix)
    assert result.converged
    n_tasks = len(truth["b"])
    assert np.corrcoef(result.difficulty.to_numpy()[:n_tasks], truth["b"])[0, 1] > 0.9
    assert np.corrcoef(result.ability.to_numpy(), truth["theta"])[0, 1] > 0.9
    assert spearmanr(result.discrimination.to_numpy()[:n_tasks], truth["a"]).statistic > 0.4
    assert abs(result.ability.mean()) < 1e-9 and abs(result.ability.std(ddof=0) - 1) < 1e-9
    # The planted task, solved by weak systems, gets the smallest discrimination of all.
    assert result.discrimination[NEGATIVE_TASK] < 0.5
    assert result.discrimination[NEGATIVE_TASK] == result.discrimination.min()
    # 2PL nests Rasch: its likelihood must not be worse on 2PL data.
    assert result.loglik > irt.fit_rasch(matrix).loglik


def test_item_flags_find_planted_defects(simulated) -> None:
    matrix, _ = simulated
    for result in (irt.fit_rasch(matrix), irt.fit_2pl(matrix)):
        flags = irt.item_flags(matrix, result)
        assert flags.loc[NEVER_TASK, "never_solved"] and flags.loc[NEVER_TASK, "flagged"]
        assert flags.loc[NEGATIVE_TASK, "negative_discrimination"]
        assert flags.loc[NEGATIVE_TASK, "flagged"]
        assert flags.loc[NEGATIVE_TASK, "item_rest_correlation"] < 0
        # Well-behaved simulated tasks are rarely flagged (false-alarm rate).
        assert flags["flagged"].iloc[:-2].mean() < 0.1, result.model
    flags = irt.item_flags(matrix, irt.fit_rasch(matrix))
    # Under the Rasch model the reversed task misfits badly too.
    assert flags.loc[NEGATIVE_TASK, "outfit"] > 2


def test_item_flags_columns_and_always_solved() -> None:
    matrix, _ = simulate(n_systems=20, n_tasks=40, seed=3)
    matrix["task_all"] = 1.0
    flags = irt.item_flags(matrix, irt.fit_rasch(matrix))
    assert flags.loc["task_all", "always_solved"]
    assert not flags.loc["task_all", "flagged"]
    assert np.isnan(flags.loc["task_all", "item_rest_correlation"])
    assert flags["solve_rate"].between(0, 1).all()
    expected = {
        "solve_rate",
        "never_solved",
        "always_solved",
        "negative_discrimination",
        "misfit",
        "flagged",
        "outfit",
        "infit",
        "point_biserial",
    }
    assert expected <= set(flags.columns)


def test_item_flags_rejects_mismatched_fit(simulated) -> None:
    matrix, _ = simulated
    result = irt.fit_rasch(matrix)
    with pytest.raises(DataError, match="item_flags"):
        irt.item_flags(matrix.iloc[:, :10], result)
    with pytest.raises(DataError, match="labels"):
        irt.item_flags(matrix.rename(columns={NEVER_TASK: "other"}), result)


def test_gradients_match_finite_differences() -> None:
    rng = np.random.default_rng(5)
    x = (rng.random((7, 11)) < 0.5).astype(float)
    mask = (rng.random(x.shape) < 0.8).astype(float)
    x = x * mask
    params = rng.normal(0, 1, 7 + 11)

    def rasch_value(p):
        return irt._rasch_objective(p, x, mask, 0.3)[0]

    def rasch_grad(p):
        return irt._rasch_objective(p, x, mask, 0.3)[1]

    assert check_grad(rasch_value, rasch_grad, params) < 1e-5
    params = rng.normal(0, 0.7, 7 + 2 * 11)

    def two_pl_value(p):
        return irt._2pl_objective(p, x, mask, 0.3, 0.8)[0]

    def two_pl_grad(p):
        return irt._2pl_objective(p, x, mask, 0.3, 0.8)[1]

    assert check_grad(two_pl_value, two_pl_grad, params) < 1e-5


def test_permutation_and_array_invariance(simulated) -> None:
    matrix, _ = simulated
    result = irt.fit_rasch(matrix)
    rng = np.random.default_rng(0)
    shuffled = matrix.iloc[rng.permutation(len(matrix.index)), rng.permutation(len(matrix.columns))]
    again = irt.fit_rasch(shuffled)
    pd.testing.assert_series_equal(
        again.ability.sort_index(), result.ability.sort_index(), atol=1e-4
    )
    pd.testing.assert_series_equal(
        again.difficulty.sort_index(), result.difficulty.sort_index(), atol=1e-4
    )
    from_array = irt.fit_rasch(matrix.to_numpy())
    np.testing.assert_allclose(from_array.difficulty.to_numpy(), result.difficulty.to_numpy())
    # Relabelling outcomes (solved <-> unsolved) mirrors the scale: theta -> -theta, b -> -b.
    mirrored = irt.fit_rasch(1 - matrix)
    np.testing.assert_allclose(mirrored.ability.to_numpy(), -result.ability.to_numpy(), atol=1e-4)
    np.testing.assert_allclose(
        mirrored.difficulty.to_numpy(), -result.difficulty.to_numpy(), atol=1e-4
    )


def test_missing_entries_are_ignored() -> None:
    matrix, truth = simulate(n_systems=60, n_tasks=200, seed=4, two_pl=False)
    rng = np.random.default_rng(4)
    holes = matrix.mask(rng.random(matrix.shape) < 0.3)
    result = irt.fit_rasch(holes)
    assert result.converged
    assert np.corrcoef(result.difficulty.to_numpy()[:200], truth["b"])[0, 1] > 0.85
    # Missing cells are left out of the counts, not read as failures.
    flags = irt.item_flags(holes, irt.fit_2pl(holes))
    np.testing.assert_array_equal(flags["n_observed"].to_numpy(), holes.notna().sum().to_numpy())
    np.testing.assert_allclose(flags["solve_rate"].to_numpy(), holes.mean().to_numpy())
    as_failures = irt.fit_rasch(holes.fillna(0.0))
    assert (
        np.corrcoef(result.ability.to_numpy(), truth["theta"])[0, 1]
        > np.corrcoef(as_failures.ability.to_numpy(), truth["theta"])[0, 1]
    )


def test_bad_input_raises_data_error() -> None:
    with pytest.raises(DataError, match="0/1"):
        irt.fit_rasch(np.array([[0, 2], [1, 0]]))
    with pytest.raises(DataError, match="no observed"):
        irt.fit_rasch(np.array([[np.nan, 1.0], [np.nan, 0.0]]))
    with pytest.raises(DataError, match="l2"):
        irt.fit_2pl(np.array([[0, 1], [1, 0]]), l2=0)


def test_fit_time_on_benchmark_sized_matrix() -> None:
    matrix, _ = simulate(n_systems=25, n_tasks=500, seed=6)
    # CPU time of this process: measures our cost, not load from other jobs on the machine.
    started = time.process_time()
    rasch = irt.fit_rasch(matrix)
    two_pl = irt.fit_2pl(matrix)
    elapsed = time.process_time() - started
    assert rasch.converged and two_pl.converged
    assert elapsed < 5.0


@pytest.mark.mirror
def test_real_bash_only_matrix(mirror) -> None:
    data = json.loads((mirror / "swe-bench-leaderboards-f1176b6.json").read_text())
    board = next(b for b in data["leaderboards"] if b["name"] == "bash-only")
    rows = {
        entry["name"]: {
            task: int(d["resolved"]) for task, d in entry["per_instance_details"].items()
        }
        for entry in board["results"]
        if entry.get("per_instance_details")
    }
    matrix = pd.DataFrame(rows).T.sort_index(axis=1)
    assert matrix.shape == (25, 500)
    started = time.process_time()
    rasch = irt.fit_rasch(matrix)
    two_pl = irt.fit_2pl(matrix)
    assert time.process_time() - started < 5.0
    assert rasch.converged and two_pl.converged
    # Abilities order systems as their scores do.
    assert spearmanr(rasch.ability, matrix.mean(axis=1)).statistic > 0.99
    flags = irt.item_flags(matrix, two_pl)
    assert flags["never_solved"].sum() == int((matrix.sum(axis=0) == 0).sum())
    assert 0 < flags["flagged"].sum() < 250


def test_calibrated_misfit_flags_hold_their_rate_and_find_a_broken_task() -> None:
    """Data drawn from a Rasch model: the calibrated flags mark at most about 5% of tasks
    (Monte Carlo p-values of discrete statistics are conservative), while a task whose
    outcomes are pure noise, unrelated to ability, is flagged."""
    rng = np.random.default_rng(11)
    ability = np.linspace(-2.5, 2.5, 24)
    difficulty = rng.normal(0.0, 1.5, 120)
    values = (rng.random((24, 120)) < expit(ability[:, None] - difficulty[None, :])).astype(float)
    values[:, 0] = np.tile([1.0, 0.0], 12)  # strong and weak systems alike: no signal
    values[::2, 0], values[1::2, 0] = 1.0 * (ability[::2] < 0), 1.0 * (ability[1::2] < 0)
    result = irt.fit_rasch(values)
    flags = irt.item_flags(values, result, misfit_alpha=0.05, n_simulations=40, seed=0)
    assert {"outfit_p", "infit_p", "misfit_p"} <= set(flags.columns)
    assert bool(flags["misfit"].iloc[0])
    assert flags["misfit"].iloc[1:].mean() <= 0.08
    again = irt.misfit_p_values(values, result, n_simulations=40, seed=0)
    np.testing.assert_array_equal(again["misfit_p"].to_numpy(), flags["misfit_p"].to_numpy())
    with pytest.raises(DataError):
        irt.item_flags(values, result, misfit_alpha=1.5)
