"""Leaderboard, saturation and noise computations: synthetic checks and the real claims."""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analysis import frames
from analysis.analyses import leaderboard, noise
from analysis.errors import DataError
from analysis.stats.bootstrap import bootstrap_scores
from analysis.stats.noise import sd_interval


def test_pareto_front() -> None:
    costs = np.array([10.0, 20.0, 20.0, 5.0, np.nan, 30.0])
    scores = np.array([50.0, 60.0, 55.0, 40.0, 90.0, 60.0])
    # (20, 55) is beaten by (20, 60); (30, 60) by (20, 60); a missing cost is never on it
    assert leaderboard.pareto_front(costs, scores).tolist() == [
        True,
        True,
        False,
        True,
        False,
        False,
    ]


def test_pareto_front_keeps_exact_duplicates_and_checks_shape() -> None:
    assert leaderboard.pareto_front([1.0, 1.0], [2.0, 2.0]).tolist() == [True, True]
    with pytest.raises(DataError):
        leaderboard.pareto_front([1.0], [1.0, 2.0])


def test_noise_summary_at_80_percent_on_500_tasks() -> None:
    summary = noise.noise_summary(80.0, 500, discordance=0.1)
    assert summary.granularity == pytest.approx(0.2)
    assert summary.se == pytest.approx(100 * np.sqrt(0.8 * 0.2 / 500))  # 1.79 points
    assert summary.half_width == pytest.approx(3.506, abs=1e-3)
    # paired tests on the same tasks detect smaller gaps than unpaired ones
    assert summary.mdd_paired < summary.mdd_unpaired
    assert summary.mdd_paired == pytest.approx(100 * 2.8016 * np.sqrt(0.1 / 500), rel=1e-3)
    assert noise.noise_summary(80.0, 500).mdd_paired is None


def test_difference_matrix_is_antisymmetric() -> None:
    pairs = pd.DataFrame(
        {
            "system_a": ["x", "x", "y"],
            "system_b": ["y", "z", "z"],
            "difference": [0.1, 0.3, 0.2],
            "p_adjusted": [0.5, 0.01, 0.2],
        }
    )
    table = noise.difference_matrix(pairs)
    assert list(table.index) == ["x", "y", "z"]
    assert table.loc["x", "z"] == pytest.approx(0.3) and table.loc["z", "x"] == pytest.approx(-0.3)
    assert np.isnan(table.loc["y", "y"])
    p_values = noise.difference_matrix(pairs, value="p_adjusted")
    assert p_values.loc["z", "y"] == p_values.loc["y", "z"] == pytest.approx(0.2)


def _outcomes(solved: dict[str, range], n_tasks: int = 200) -> pd.DataFrame:
    """Systems x tasks 0/1 matrix in which each system solves exactly the given tasks."""
    rows = {
        name: np.isin(np.arange(n_tasks), list(tasks)).astype(int) for name, tasks in solved.items()
    }
    return pd.DataFrame.from_dict(rows, orient="index").rename_axis("system")


def test_ranking_stability_separated_systems_have_fixed_ranks() -> None:
    # 90%, 50% and 10% of 200 tasks: far apart, so every resample and half ranks them alike
    matrix = _outcomes({"top": range(180), "middle": range(100), "bottom": range(20)})
    boot = bootstrap_scores(matrix, n_resamples=500, seed=0)
    result = noise.ranking_stability(matrix, boot, noise_sd=0.02, noise_df=2, n_splits=50)
    assert result.intervals["system"].tolist() == ["top", "middle", "bottom"]
    assert result.intervals["width"].tolist() == [0, 0, 0]
    assert result.median_width == 0.0 and result.max_width == 0
    assert result.intervals["score"].tolist() == pytest.approx([90.0, 50.0, 10.0])
    assert result.split_half.spearman_mean == pytest.approx(1.0)
    assert result.split_half.top_retained == 1.0
    assert result.snr.snr == pytest.approx((0.9 - 0.1) / 0.02)
    # a larger noise SD gives a smaller SNR: the interval's ends come from the SD's other ends
    sd_low, sd_high = sd_interval(0.02, 2)
    assert result.snr_interval == pytest.approx((0.8 / sd_high, 0.8 / sd_low))
    assert result.snr.few_degrees_of_freedom  # 2 df: flagged


def test_ranking_stability_close_systems_share_ranks() -> None:
    # "a" and "b" both solve 100 of 200 tasks but disagree on 100: they swap places across
    # resamples, while "c" (10%) stays last
    matrix = _outcomes({"a": range(100), "b": range(50, 150), "c": range(20)})
    boot = bootstrap_scores(matrix, n_resamples=500, seed=0)
    result = noise.ranking_stability(matrix, boot, noise_sd=0.02, n_splits=200)
    table = result.intervals.set_index("system")
    assert table.loc[["a", "b"], "rank_low"].tolist() == [1, 1]
    assert table.loc[["a", "b"], "rank_high"].tolist() == [2, 2]
    assert table.loc["c", "width"] == 0
    assert result.median_width == 1.0 and result.max_width == 1
    assert result.snr_interval is None
    # the full-data leader ("a", first of the tie) is top in both halves only sometimes
    assert 0.0 < result.split_half.top_retained < 1.0
    with pytest.raises(DataError):
        noise.ranking_stability(matrix.iloc[:2], boot, noise_sd=0.02)


# --- real data ------------------------------------------------------------------------------


@pytest.mark.mirror
def test_bash_only_matrix_and_exclusions(mirror: Path) -> None:
    matrix = frames.bash_only_matrix()
    assert matrix.shape[1] == 500
    scores = matrix.mean(axis=1).to_numpy()
    assert np.all(np.diff(scores) <= 0)  # best first
    excluded = frames.excluded_systems()
    assert "Claude 3.7 Sonnet (20250219)" in set(excluded["system"])
    assert not set(excluded["system"]) & set(matrix.index)


@pytest.mark.mirror
def test_intervals_tier_and_cost(mirror: Path) -> None:
    intervals = noise.system_intervals()
    assert (intervals["wilson_low"] <= intervals["score"]).all()
    assert (intervals["score"] <= intervals["wilson_high"]).all()
    assert (intervals["clustered_low"] <= intervals["score"]).all()
    # repository clustering widens the standard error and the interval for most systems
    assert (intervals["se_clustered"] >= intervals["se"]).mean() > 0.5
    clustered = intervals["clustered_high"] - intervals["clustered_low"]
    assert (clustered > intervals["wilson_high"] - intervals["wilson_low"]).mean() > 0.5
    tier = noise.leader_tier()
    assert tier.loc[0, "difference"] == 0.0 and len(tier) >= 1
    pairs = noise.all_pairs()
    assert "p_bootstrap" not in pairs and "p_wild" not in pairs
    # the clustered test never finds more differences than McNemar's independence would
    assert pairs["significant"].sum() <= pairs["significant_mcnemar"].sum()
    counts = noise.pair_counts(pairs, list(intervals["system"]))
    assert counts["pairs"] == 276 and counts["adjacent_pairs"] == 23
    tiers = noise.tier_table()
    assert (tiers.loc[tiers["tier"] == 1, "system"].iloc[0]) == tier.loc[0, "system"]
    costs = leaderboard.cost_versus_score()
    assert costs["pareto"].any()
    best = costs.loc[costs["score_pct"].idxmax()]
    assert best["pareto"]  # the best system is always on the front


@pytest.mark.mirror
def test_leaderboard_claims_fast_and_sane(mirror: Path) -> None:
    for function in (
        leaderboard.claim_launch_to_saturation,
        leaderboard.claim_launch_score,
        noise.claim_frontier_cluster,
        noise.claim_granularity,
        noise.claim_noise_threshold,
    ):
        start = time.perf_counter()
        result = function()
        assert time.perf_counter() - start < 5.0, function.__name__
        assert result.testable and result.measured is not None
    saturation = leaderboard.claim_launch_to_saturation()
    assert saturation.interval is None  # a census fact: no winner's-curse interval
    assert not noise.claim_frontier_cluster().comparable  # another scaffold
    launch = leaderboard.claim_launch_score()
    assert launch.measured == pytest.approx(1.96)
    assert launch.extra["first_over_12_pct"] == pytest.approx(12.47)
    assert noise.claim_granularity().measured == pytest.approx(0.2)
    assert 3.0 < noise.claim_noise_threshold().measured < 4.0


@pytest.mark.mirror
def test_saturation_fit_on_verified(mirror: Path) -> None:
    fit = leaderboard.saturation_fit("Verified", "logistic", n_boot=50, seed=0)
    best = leaderboard.best_score("Verified")["resolved_pct"]
    assert fit.asymptote >= best - 1e-6
    low, high = fit.asymptote_interval
    assert low <= fit.asymptote <= high


@pytest.mark.mirror
def test_bash_only_ranking_stability(mirror: Path) -> None:
    start = time.perf_counter()
    result = noise.bash_only_ranking_stability()
    assert time.perf_counter() - start < 10.0
    matrix = frames.bash_only_matrix()
    assert sorted(result.intervals["system"]) == sorted(matrix.index)
    assert result.intervals["rank"].is_monotonic_increasing  # sorted by observed rank
    assert (result.intervals["rank_low"] <= result.intervals["rank"]).all()
    assert (result.intervals["rank"] <= result.intervals["rank_high"]).all()
    assert 0 <= result.median_width <= result.max_width < len(matrix)
    assert 0.5 < result.split_half.spearman_mean <= 1.0
    low, high = result.snr_interval
    assert low < result.snr.snr < high
