"""Paired comparisons: exact McNemar, bootstrap p-values, Holm and Benjamini-Hochberg."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats as scipy_stats

from analysis.errors import DataError
from analysis.stats.comparisons import (
    TAIL_RESAMPLES,
    adjust_p_values,
    benjamini_hochberg_adjust,
    holm_adjust,
    mcnemar_exact,
    pairwise_comparisons,
    required_resamples,
)


@pytest.mark.parametrize(("only_a", "only_b", "both"), [(10, 3, 20), (0, 7, 5), (25, 25, 0)])
def test_mcnemar_matches_scipy_binomial_test(only_a: int, only_b: int, both: int) -> None:
    a = np.array([1] * only_a + [0] * only_b + [1] * both + [0] * 9)
    b = np.array([0] * only_a + [1] * only_b + [1] * both + [0] * 9)
    expected = scipy_stats.binomtest(only_a, only_a + only_b, 0.5).pvalue
    assert mcnemar_exact(a, b) == pytest.approx(expected)
    assert mcnemar_exact(b, a) == pytest.approx(expected)


def test_mcnemar_is_one_without_discordance() -> None:
    assert mcnemar_exact([1, 0, 1], [1, 0, 1]) == 1.0


def test_mcnemar_rejects_mismatched_lengths() -> None:
    with pytest.raises(DataError, match="length"):
        mcnemar_exact([1, 0], [1, 0, 1])


def test_holm_and_bh_hand_values() -> None:
    p = [0.01, 0.04, 0.03, 0.005]
    # Holm: sorted 0.005*4, 0.01*3, 0.03*2, 0.04*1 -> 0.02, 0.03, 0.06, max(0.04, 0.06)
    np.testing.assert_allclose(holm_adjust(p), [0.03, 0.06, 0.06, 0.02])
    # BH: sorted 0.005*4/1, 0.01*4/2, 0.03*4/3, 0.04*4/4 -> 0.02, 0.02, 0.04, 0.04
    np.testing.assert_allclose(benjamini_hochberg_adjust(p), [0.02, 0.04, 0.04, 0.02])
    np.testing.assert_allclose(holm_adjust([0.5, 0.6]), [1.0, 1.0])  # capped at 1
    np.testing.assert_allclose(adjust_p_values(p, "none"), p)


def test_bh_matches_scipy_false_discovery_control() -> None:
    p = np.random.default_rng(3).random(50) ** 3
    np.testing.assert_allclose(
        benjamini_hochberg_adjust(p), scipy_stats.false_discovery_control(p, method="bh")
    )


def test_unknown_correction_raises() -> None:
    with pytest.raises(DataError, match="correction"):
        adjust_p_values([0.1], "bonferroni-ish")
    with pytest.raises(DataError, match="correction"):
        pairwise_comparisons(np.eye(3), correction="nope")


def separated_matrix() -> pd.DataFrame:
    """Two strong systems and one weak one on 300 tasks."""
    rng = np.random.default_rng(10)
    rates = np.array([0.7, 0.7, 0.3])[:, None]
    values = (rng.random((3, 300)) < rates).astype(int)
    return pd.DataFrame(values, index=pd.Index(["strong", "also strong", "weak"], name="system"))


def test_pairwise_comparisons_table() -> None:
    frame = separated_matrix()
    table = pairwise_comparisons(frame, n_resamples=2000, seed=1)
    assert list(zip(table["system_a"], table["system_b"], strict=True)) == [
        ("strong", "also strong"),
        ("strong", "weak"),
        ("also strong", "weak"),
    ]
    values = frame.to_numpy()
    for row in table.itertuples():
        a, b = values[frame.index.get_loc(row.system_a)], values[frame.index.get_loc(row.system_b)]
        assert row.only_a == int(((a == 1) & (b == 0)).sum())
        assert row.only_b == int(((a == 0) & (b == 1)).sum())
        assert row.p_mcnemar == pytest.approx(mcnemar_exact(a, b))
        assert row.difference == pytest.approx(a.mean() - b.mean())
        assert row.low <= row.difference <= row.high
    assert table["significant"].tolist() == [False, True, True]
    # Holm over three McNemar p-values
    np.testing.assert_allclose(table["p_adjusted"], holm_adjust(table["p_mcnemar"]))


def test_bh_rejects_at_least_what_holm_rejects() -> None:
    rng = np.random.default_rng(4)
    values = (rng.random((6, 200)) < np.linspace(0.35, 0.6, 6)[:, None]).astype(int)
    holm = pairwise_comparisons(values, n_resamples=500, correction="holm")
    bh = pairwise_comparisons(values, n_resamples=500, correction="bh")
    assert (bh["significant"] | ~holm["significant"]).all()
    assert bh["significant"].sum() >= holm["significant"].sum()


def test_bootstrap_p_value_is_calibrated_under_the_null() -> None:
    """Two systems with the same rate: the paired bootstrap rejects about 5% of the time."""
    rng = np.random.default_rng(77)
    n_datasets = 200
    rejections = 0
    for index in range(n_datasets):
        values = (rng.random((2, 120)) < 0.5).astype(int)
        table = pairwise_comparisons(values, n_resamples=500, seed=index, test="bootstrap")
        rejections += bool(table["p_bootstrap"].iloc[0] < 0.05)
    rate = rejections / n_datasets
    assert 0.01 <= rate <= 0.11, rate


def test_bootstrap_and_mcnemar_agree_on_a_clear_difference() -> None:
    table = pairwise_comparisons(separated_matrix(), n_resamples=2000, seed=0)
    weak_rows = table[table["system_b"] == "weak"]
    assert (weak_rows["p_bootstrap"] < 0.01).all()
    assert (weak_rows["p_mcnemar"] < 0.01).all()
    assert table["p_bootstrap"].iloc[0] > 0.05


def test_clusters_default_to_the_exact_clustered_test() -> None:
    frame = separated_matrix()
    clusters = np.arange(300) % 10
    table = pairwise_comparisons(frame, n_resamples=300, clusters=clusters)
    assert table.attrs["test"] == "exact"
    np.testing.assert_allclose(table["p_adjusted"], holm_adjust(table["p_exact"]))
    wild = pairwise_comparisons(frame, n_resamples=300, clusters=clusters, test="wild")
    np.testing.assert_allclose(wild["p_adjusted"], holm_adjust(wild["p_wild"]))
    for column in ("p_cr2", "p_wild", "se_cr2", "df", "clustered_low", "clustered_high"):
        assert column in table.columns
    boot = pairwise_comparisons(frame, n_resamples=300, clusters=clusters, test="bootstrap")
    np.testing.assert_allclose(boot["p_adjusted"], holm_adjust(boot["p_bootstrap"]))


def test_clustered_tests_need_clusters() -> None:
    with pytest.raises(DataError, match="needs clusters"):
        pairwise_comparisons(separated_matrix(), test="wild")
    with pytest.raises(DataError, match="unknown test"):
        pairwise_comparisons(separated_matrix(), test="nope")


def test_required_resamples_reach_the_corrected_level() -> None:
    assert required_resamples(276, 0.05, "holm") == 27_599
    assert (required_resamples(276) + 1) * 0.05 / 276 >= TAIL_RESAMPLES
    assert required_resamples(276, 0.05, "none") == 99
    with pytest.raises(DataError):
        required_resamples(10, 0.05, "nope")


def leaderboard_with_a_wide_gap(n_systems: int = 24, seed: int = 0) -> pd.DataFrame:
    """24 systems on 500 tasks in 12 unequal repositories; the top solves 372 (74.4%), the
    bottom 45 (9.0%): a gap that must survive Holm over all 276 pairs."""
    rng = np.random.default_rng(seed)
    solved = np.round(np.linspace(45, 372, n_systems)).astype(int)
    values = np.zeros((n_systems, 500), dtype=int)
    difficulty_order = rng.permutation(500)
    for row, count in enumerate(solved):
        easiest = difficulty_order[: int(count * 1.15)]
        values[row, rng.choice(easiest, size=count, replace=False)] = 1
    names = [f"system_{i:02d}" for i in range(n_systems)]
    return pd.DataFrame(values, index=pd.Index(names, name="system"))


def clustered_labels() -> np.ndarray:
    sizes = [231, 75, 44, 34, 32, 22, 22, 19, 10, 8, 2, 1]
    return np.repeat([f"repo_{g}" for g in range(len(sizes))], sizes)


@pytest.mark.parametrize("test", ["bootstrap", "exact"])
def test_wide_gap_survives_holm_over_276_pairs(test: str) -> None:
    """74.4% vs 9.0%: with B raised to reach 0.05/276, the bootstrap p-value is small enough
    to survive Holm (with B = 4,000 the smallest p, 1/4001, could not); so is the exact
    clustered test's."""
    frame = leaderboard_with_a_wide_gap()
    assert frame.iloc[-1].mean() == pytest.approx(0.744) and frame.iloc[0].mean() == 0.09
    table = pairwise_comparisons(
        frame, n_resamples=4000, clusters=clustered_labels(), test=test, seed=1
    )
    if test == "bootstrap":
        assert table.attrs["n_resamples"] >= required_resamples(276)
    row = table[(table["system_a"] == "system_00") & (table["system_b"] == "system_23")]
    assert bool(row["significant"].iloc[0])
    assert row[f"p_{test}"].iloc[0] < 0.05 / 276


def test_needs_two_systems() -> None:
    with pytest.raises(DataError, match="two systems"):
        pairwise_comparisons(np.ones((1, 10)))
