"""Notebook 09's analyses (repeated runs) on small synthetic Terminal-Bench-shaped results,
plus key facts of the real leaderboard in the mirror."""

from __future__ import annotations

from math import comb
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analysis.analyses import repeated_runs as rr
from analysis.data.results import Results, make_results
from analysis.errors import DataError
from analysis.stats.noise import sd_interval


def long_results(grids: dict[str, list[list[float]]]) -> Results:
    """Results from per-system runs x tasks grids (NaN = unknown outcome)."""
    rows = [
        (system, f"task-{t}", str(r + 1), value)
        for system, grid in grids.items()
        for r, run in enumerate(grid)
        for t, value in enumerate(run)
    ]
    return make_results(pd.DataFrame(rows, columns=["system", "task", "run", "score"]), "toy")


NAN = float("nan")
GRIDS = {
    "20250101_alpha_claude-4-sonnet": [
        [1, 1, 1, 0],
        [1, 1, 0, 0],
        [1, 1, 1, 0],
        [1, NAN, 1, 0],
        [1, 1, 1, 1],
    ],
    "20250101_beta_claude-4-sonnet": [
        [1, 0, 0, 0],
        [0, 0, 0, 0],
        [1, 0, 0, 0],
        [1, 0, 1, 0],
        [1, 0, 0, 0],
    ],
    "20250101_gamma_other-model": [
        [0, 0, 0, 0],
        [0, 0, 0, 0],
        [0, 0, 0, 0],
        [0, 0, 0, 0],
        [0, 0, 0, 1],
    ],
}


def test_noise_table_counts_unknown_apart_and_matches_hand_computation() -> None:
    table = rr.noise_table(long_results(GRIDS)).set_index("system")
    alpha = table.loc["20250101_alpha_claude-4-sonnet"]
    assert alpha["n_unknown"] == 1 and alpha["n_trials"] == 20
    # run 4 has three known trials, two resolved: 2/3, not 2/4
    scores = np.array([3 / 4, 2 / 4, 3 / 4, 2 / 3, 4 / 4])
    assert alpha["mean_score"] == pytest.approx(100 * scores.mean())
    assert alpha["run_sd"] == pytest.approx(100 * scores.std(ddof=1))
    low, high = sd_interval(scores.std(ddof=1), 4)
    assert (alpha["sd_low"], alpha["sd_high"]) == pytest.approx((100 * low, 100 * high))
    failed = np.array([3 / 4, 2 / 4, 3 / 4, 2 / 4, 4 / 4])
    assert alpha["run_sd_unknown_as_failed"] == pytest.approx(100 * failed.std(ddof=1))
    # flip rate on the three tasks with every run known: tasks 2 and 3 flip, task 0 does not
    assert alpha["n_tasks_complete"] == 3
    assert alpha["flip_rate"] == pytest.approx(100 * 2 / 3)
    assert table.index[0] == "20250101_alpha_claude-4-sonnet"


def test_noise_table_needs_two_runs() -> None:
    with pytest.raises(DataError, match="one run"):
        rr.noise_table(long_results({"a": [[1, 0]], "b": [[0, 1]]}))


def test_pooled_run_sd_weights_by_degrees_of_freedom() -> None:
    table = pd.DataFrame({"n_runs": [5, 3], "run_sd": [2.0, 4.0]})
    sd, low, high, df = rr.pooled_run_sd(table)
    assert df == 6
    assert sd == pytest.approx(np.sqrt((4 * 4 + 2 * 16) / 6))
    assert low < sd < high


def test_pass_at_k_is_the_unbiased_estimator_over_known_trials() -> None:
    table = rr.pass_at_k(long_results(GRIDS)).set_index(["system", "k"])
    beta = "20250101_beta_claude-4-sonnet"
    # task 0: 4 of 5, task 2: 1 of 5, tasks 1 and 3: 0 of 5
    for k in (1, 2, 5):
        expected = np.mean([1 - comb(5 - c, k) / comb(5, k) for c in (4, 0, 1, 0)])
        assert table.loc[(beta, k), "pass_at_k"] == pytest.approx(100 * expected)
    alpha = "20250101_alpha_claude-4-sonnet"
    assert table.loc[(alpha, 5), "n_tasks"] == 3  # task 1 has only four known trials
    assert table.loc[(alpha, 4), "n_tasks"] == 4
    assert table.loc[(alpha, 1), "pass_at_k"] <= table.loc[(alpha, 5), "pass_at_k"]
    # pass@5 of alpha rests on 3 of 4 tasks: below the 90% share, so not comparable
    assert not table.loc[(alpha, 5), "comparable"] and table.loc[(beta, 1), "comparable"]


def test_ranking_flips_probabilities() -> None:
    results = long_results(GRIDS)
    flips = rr.ranking_flips(results, n_draws=500, seed=0)
    pairs = flips.pairs.set_index(["system_a", "system_b"])
    assert flips.leader == "20250101_alpha_claude-4-sonnet"
    # alpha's worst run (1/2) ties beta's best (2/4) once: probability 0.5 / 25
    assert pairs.loc[
        ("20250101_alpha_claude-4-sonnet", "20250101_beta_claude-4-sonnet"), "flip_probability"
    ] == pytest.approx(0.5 / 25)
    assert flips.leader_changes == 0.0
    assert len(flips.adjacent) == 2
    same = long_results(
        {"a": GRIDS["20250101_beta_claude-4-sonnet"]}
        | {"b": GRIDS["20250101_beta_claude-4-sonnet"]}
    )
    assert rr.ranking_flips(same, n_draws=100).pairs["flip_probability"].iloc[0] == pytest.approx(
        0.5
    )


def test_scaffold_effect_separates_agents_from_runs() -> None:
    effect = rr.scaffold_effect(long_results(GRIDS), model="claude-4-sonnet")
    assert effect.systems == ["20250101_alpha_claude-4-sonnet", "20250101_beta_claude-4-sonnet"]
    assert effect.df_between == 1 and effect.df_within == 8
    assert effect.spread > 0 and effect.p_value < 0.01
    assert len(effect.pairs) == 1
    with pytest.raises(DataError, match="fewer than two agents"):
        rr.scaffold_effect(long_results(GRIDS), model="other-model")


@pytest.mark.mirror
def test_terminal_bench_key_facts(mirror: Path) -> None:
    table = rr.noise_table()
    assert len(table) == 13
    assert set(table["n_tasks"]) == {80} and set(table["n_runs"]) == {5}
    assert table["n_unknown"].sum() == 418
    assert (table["sd_low"] <= table["run_sd"]).all() and (
        table["run_sd"] <= table["sd_high"]
    ).all()
    effect = rr.scaffold_effect()
    assert len(effect.systems) == 7
    implications = rr.one_run_implications(table)
    assert implications["projected_sd"].lt(implications["run_sd"]).all()


def test_figures_carry_title_source_and_computed_captions() -> None:
    import matplotlib.pyplot as plt

    from analysis.figures import repeated_runs as figs

    results = long_results(GRIDS)
    table = rr.noise_table(results)
    passes = rr.pass_at_k(results)
    effect = rr.scaffold_effect(results, model="claude-4-sonnet")
    flips = rr.ranking_flips(results, n_draws=50)
    built = [
        (figs.figure_run_scores(results, table), figs.caption_run_scores(table)),
        (figs.figure_pass_at_k(passes), figs.caption_pass_at_k(passes, 1.0)),
        (figs.figure_scaffold_runs(results, effect), figs.caption_scaffold_runs(effect)),
        (figs.figure_flip_probability(flips), figs.caption_flip_probability(flips)),
    ]
    for fig, (caption, alt) in built:
        texts = [t.get_text() for t in fig.texts]
        assert any(t.get_fontweight() == "bold" for t in fig.texts)  # the title block
        assert any(t.startswith("Source: ") for t in texts)
        assert caption and alt
        plt.close(fig)
    assert "3 submissions" in figs.caption_run_scores(table)[0]


def test_pass_at_k_per_task_matches_the_binomial_formula_and_carries_an_interval() -> None:
    from math import comb

    n = np.array([5, 5, 4, 3, 2])
    c = np.array([2, 0, 4, 1, 1])
    values = rr.pass_at_k_per_task(n, c, 3)
    for i in range(4):
        assert values[i] == pytest.approx(1 - comb(n[i] - c[i], 3) / comb(n[i], 3))
    assert np.isnan(values[4])  # fewer known trials than k
    mean, low, high = rr.task_t_interval(values)
    assert low < mean < high and mean == pytest.approx(np.nanmean(values))
    # vectorised over rows, as the calibration harness uses it
    rows = rr.task_t_interval(np.vstack([values, values]))
    np.testing.assert_allclose(rows[1], [low, low])
    table = rr.pass_at_k(long_results(GRIDS))
    assert ((table["low"] <= table["pass_at_k"]) & (table["pass_at_k"] <= table["high"])).all()
