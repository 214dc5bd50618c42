"""Small-cluster inference: CR2 standard errors, Bell-McCaffrey df, wild cluster bootstrap."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats as scipy_stats

from analysis.errors import DataError
from analysis.stats.clustered import (
    WEBB_WEIGHTS,
    bell_mccaffrey_df,
    cluster_design,
    clustered_difference_tests,
    clustered_mean_intervals,
    cr2_standard_error,
    exact_critical_value,
    exact_p_values,
    pooled_difference_icc,
    pooled_intraclass_correlation,
    wild_cluster_p_values,
)
from analysis.stats.intervals import clustered_standard_error

REAL_SHAPE = [231, 75, 44, 34, 32, 22, 22, 19, 10, 8, 2, 1]  # shape only, as in the harness


def labels_for(sizes: list[int]) -> np.ndarray:
    return np.repeat(np.arange(len(sizes)), sizes)


def _satterthwaite_df_by_matrix(sizes: np.ndarray) -> float:
    """(tr M)^2 / tr(M^2) with M = G'G built from the general CR2 formulas (no closed form)."""
    n = int(sizes.sum())
    codes = np.repeat(np.arange(len(sizes)), sizes.astype(int))
    design = np.ones((n, 1))
    hat = design @ design.T / n
    columns = []
    for g in range(len(sizes)):
        rows = codes == g
        block = np.eye(rows.sum()) - hat[np.ix_(rows, rows)]
        values, vectors = np.linalg.eigh(block)
        adjustment = vectors @ np.diag(values**-0.5) @ vectors.T
        column = (np.eye(n) - hat)[:, rows] @ adjustment @ design[rows] / n
        columns.append(column[:, 0])
    g_matrix = np.column_stack(columns)
    m = g_matrix.T @ g_matrix
    return float(np.trace(m) ** 2 / np.trace(m @ m))


def test_bell_mccaffrey_df_matches_the_general_formula() -> None:
    for sizes in ([5, 5, 5, 5], [7, 3, 2, 1, 1], REAL_SHAPE[:8]):
        array = np.asarray(sizes, dtype=float)
        assert bell_mccaffrey_df(array) == pytest.approx(_satterthwaite_df_by_matrix(array))


def test_equal_clusters_reduce_to_cr1_with_g_minus_1_df() -> None:
    """Equal sizes: V_CR2 = G/(G-1) V_CR0 and nu = G - 1 (the textbook small-G form)."""
    rng = np.random.default_rng(0)
    values = (rng.random((3, 60)) < 0.4).astype(float)
    clusters = labels_for([10] * 6)
    assert bell_mccaffrey_df([10] * 6) == pytest.approx(5.0)
    table = clustered_mean_intervals(values, clusters, method="bell_mccaffrey")
    cr0 = clustered_standard_error(values, clusters)
    np.testing.assert_allclose(table["se"], cr0 * np.sqrt(6 / 5))
    half = scipy_stats.t.ppf(0.975, 5) * table["se"]
    np.testing.assert_allclose(table["high"], np.clip(table["score"] + half, 0, 1))


def test_singleton_clusters_give_the_hc2_one_sample_t_interval() -> None:
    """Every task its own cluster: SE = s/sqrt(n) (ddof 1) and df = n - 1."""
    rng = np.random.default_rng(1)
    values = (rng.random(80) < 0.3).astype(float)
    table = clustered_mean_intervals(values[None, :], np.arange(80))
    assert table["df"].iloc[0] == pytest.approx(79.0)
    assert table["se"].iloc[0] == pytest.approx(values.std(ddof=1) / np.sqrt(80))
    low, high = scipy_stats.t.interval(
        0.95, 79, loc=values.mean(), scale=values.std(ddof=1) / np.sqrt(80)
    )
    assert table["low"].iloc[0] == pytest.approx(max(low, 0.0))
    assert table["high"].iloc[0] == pytest.approx(high)


def test_real_shape_has_few_effective_clusters() -> None:
    df = bell_mccaffrey_df(REAL_SHAPE)
    assert 3.0 < df < 4.0  # far below G - 1 = 11


@settings(max_examples=40, deadline=None)
@given(
    sizes=st.lists(st.integers(1, 30), min_size=2, max_size=10),
    seed=st.integers(0, 10_000),
)
def test_cr2_properties(sizes: list[int], seed: int) -> None:
    """CR2 >= CR0 (every leverage factor exceeds 1); df in (0, G - 1]; shift invariance."""
    rng = np.random.default_rng(seed)
    n = sum(sizes)
    values = rng.random((2, n))
    design = cluster_design(labels_for(sizes), n)
    totals = design.cluster_sums(values)
    mean, se = cr2_standard_error(totals, design.sizes)
    np.testing.assert_allclose(mean, values.mean(axis=1))
    residual = totals - design.sizes * mean[:, None]
    se0 = np.sqrt((residual**2).sum(axis=1)) / n
    assert np.all(se >= se0 - 1e-12)
    shifted_mean, shifted_se = cr2_standard_error(design.cluster_sums(values + 3.0), design.sizes)
    np.testing.assert_allclose(shifted_se, se, atol=1e-10)
    np.testing.assert_allclose(shifted_mean, mean + 3.0)
    df = bell_mccaffrey_df(sizes)
    assert 0 < df <= len(sizes) - 1 + 1e-9


def test_wild_p_values_match_a_direct_computation() -> None:
    """The expanded CR2 variance of each resample equals the direct one."""
    rng = np.random.default_rng(2)
    sizes = np.array([6.0, 4.0, 3.0, 2.0])
    totals = rng.integers(-3, 4, size=(5, 4)).astype(float)
    weights = WEBB_WEIGHTS[rng.integers(0, 6, size=(300, 4))]
    p_values = wild_cluster_p_values(totals, sizes, weights=weights)
    for row, observed_totals in enumerate(totals):
        mean, se = cr2_standard_error(observed_totals, sizes)
        boot_mean, boot_se = cr2_standard_error(weights * observed_totals, sizes)
        t_boot = np.abs(boot_mean) / boot_se
        expected = (1 + (t_boot >= abs(mean) / se - 1e-9).sum()) / 301
        assert p_values[row] == pytest.approx(expected)


def test_wild_p_value_is_one_without_differences() -> None:
    assert wild_cluster_p_values(np.zeros((1, 3)), np.array([2.0, 2.0, 1.0]))[0] == 1.0


def test_wild_test_holds_its_level_under_the_null() -> None:
    """Two systems with the same rate on 10 unequal clusters: ~5% rejections (generous band
    for 300 replicates)."""
    rng = np.random.default_rng(3)
    sizes = [60, 30, 20, 15, 10, 8, 6, 5, 4, 2]
    clusters = labels_for(sizes)
    rejections = []
    for replicate in range(300):
        values = (rng.random((2, sum(sizes))) < 0.5).astype(float)
        table = clustered_difference_tests(values, clusters, n_resamples=199, seed=replicate)
        rejections.append(table["p_wild"].iloc[0] < 0.05)
    assert 0.015 <= np.mean(rejections) <= 0.09


def test_difference_table_columns_and_labels() -> None:
    frame = pd.DataFrame(
        [[1, 1, 0, 1, 0, 1], [0, 1, 0, 0, 0, 1], [1, 0, 1, 1, 1, 1]],
        index=pd.Index(["a", "b", "c"], name="system"),
    )
    clusters = ["x", "x", "y", "y", "z", "z"]
    table = clustered_difference_tests(frame, clusters, n_resamples=99)
    assert table[["system_a", "system_b"]].values.tolist() == [["a", "b"], ["a", "c"], ["b", "c"]]
    assert table["difference"].tolist() == pytest.approx([2 / 6, -1 / 6, -3 / 6])
    assert (table["low"] <= table["difference"]).all()
    assert ((table["p_cr2"] > 0) & (table["p_cr2"] <= 1)).all()


def test_bad_clusters_raise_data_errors() -> None:
    with pytest.raises(DataError, match="two clusters"):
        clustered_mean_intervals(np.ones((2, 4)), ["a"] * 4)
    with pytest.raises(DataError, match="one cluster label per task"):
        clustered_mean_intervals(np.ones((2, 4)), ["a", "b"])
    with pytest.raises(DataError, match="two clusters"):
        bell_mccaffrey_df([5])


def test_exact_critical_value_closed_forms() -> None:
    """Working independence: equal clusters give t(G-1), singletons t(n-1) (Student's t is
    exact there); correlation within clusters raises the critical value."""
    assert exact_critical_value([10] * 6) == pytest.approx(scipy_stats.t.ppf(0.975, 5), abs=1e-6)
    assert exact_critical_value([1] * 40, confidence=0.9) == pytest.approx(
        scipy_stats.t.ppf(0.95, 39), abs=1e-6
    )
    independent = exact_critical_value(REAL_SHAPE, 0.0)
    assert independent < scipy_stats.t.ppf(0.975, bell_mccaffrey_df(REAL_SHAPE))
    assert exact_critical_value(REAL_SHAPE, 0.05) > independent
    with pytest.raises(DataError):
        exact_critical_value(REAL_SHAPE, 1.0)


def test_exact_critical_value_matches_simulation() -> None:
    """Normal data with a random cluster effect (ICC 0.05): the exact c covers 95%."""
    rng = np.random.default_rng(4)
    sizes = np.array([30.0, 12, 6, 4, 3])
    rho = 0.05
    c = exact_critical_value(sizes, rho)
    codes = np.repeat(np.arange(5), sizes.astype(int))
    effects = rng.normal(0, np.sqrt(rho), (20_000, 5))[:, codes]
    values = effects + rng.normal(0, np.sqrt(1 - rho), (20_000, int(sizes.sum())))
    design = cluster_design(codes, int(sizes.sum()))
    mean, se = cr2_standard_error(design.cluster_sums(values), design.sizes)
    assert np.mean(np.abs(mean) <= c * se) == pytest.approx(0.95, abs=0.006)


def test_pooled_icc_recovers_a_known_correlation() -> None:
    rng = np.random.default_rng(5)
    codes = np.repeat(np.arange(12), 40)
    values = rng.normal(0, np.sqrt(0.2), (200, 12))[:, codes] + rng.normal(
        0, np.sqrt(0.8), (200, 480)
    )
    design = cluster_design(codes, 480)
    rho = pooled_intraclass_correlation(
        design.cluster_sums(values), design.cluster_sums(values**2), design.sizes
    )
    assert float(rho) == pytest.approx(0.2, abs=0.03)
    singletons = cluster_design(np.arange(6), 6)
    ones = singletons.cluster_sums(np.eye(6)[:2])
    assert float(pooled_intraclass_correlation(ones, ones, singletons.sizes)) == 0.0


def test_default_interval_uses_the_exact_critical_value() -> None:
    rng = np.random.default_rng(6)
    values = (rng.random((5, 120)) < 0.5).astype(float)
    clusters = labels_for([60, 30, 20, 10])
    table = clustered_mean_intervals(values, clusters)
    c = exact_critical_value([60, 30, 20, 10], float(table["rho"].iloc[0]))
    assert table["critical"].iloc[0] == pytest.approx(c)
    np.testing.assert_allclose(table["high"], np.clip(table["score"] + c * table["se"], 0, 1))
    with pytest.raises(DataError, match="unknown method"):
        clustered_mean_intervals(values, clusters, method="z")


def test_pooled_difference_icc_matches_explicit_pairs() -> None:
    rng = np.random.default_rng(7)
    sizes = [20, 9, 5, 3, 1]
    codes = labels_for(sizes)
    values = (rng.random((6, 38)) < rng.uniform(0.2, 0.8, (6, 1))).astype(float)
    values[:, codes == 0] *= rng.random((6, 1)) < 0.7  # some clustering
    design = cluster_design(codes, 38)
    first, second = np.triu_indices(6, k=1)
    differences = values[first] - values[second]
    explicit = pooled_intraclass_correlation(
        design.cluster_sums(differences), design.cluster_sums(differences**2), design.sizes
    )
    fast = pooled_difference_icc(
        design.cluster_sums(values), design.cluster_sums(values.sum(axis=0) ** 2), design.sizes
    )
    assert float(fast) == pytest.approx(float(explicit))
    table = clustered_difference_tests(values, codes, n_resamples=19)
    assert table["rho"].iloc[0] == pytest.approx(float(explicit))


def test_exact_p_values_invert_the_critical_value() -> None:
    c = exact_critical_value(REAL_SHAPE, 0.02)
    p_values = exact_p_values([0.0, c, 2 * c], REAL_SHAPE, 0.02)
    assert p_values[0] == pytest.approx(1.0)
    assert p_values[1] == pytest.approx(0.05, abs=1e-6)
    assert 0 < p_values[2] < 0.05
    # singletons: Student's t with n - 1 df
    assert exact_p_values([2.0], [1] * 30)[0] == pytest.approx(2 * scipy_stats.t.sf(2.0, 29))


def test_exact_p_values_are_accurate_for_many_large_equal_clusters() -> None:
    """40 equal clusters without correlation: the CR2 ratio is Student's t with 39 df. The
    raw weights are of order 1/n^2, which once made the quadrature miss by up to 0.34 (an
    audit of 10,000 tasks in 40 repositories); they are now scaled first."""
    t_values = np.linspace(0.05, 12, 120)
    expected = 2 * scipy_stats.t.sf(t_values, 39)
    np.testing.assert_allclose(
        exact_p_values(t_values, [250] * 40, 0.0), expected, rtol=1e-9, atol=1e-12
    )


def test_fractional_scores_interval_matches_binary_and_accepts_fractions() -> None:
    from analysis.stats.clustered import clustered_mean_intervals, clustered_score_intervals

    rng = np.random.default_rng(3)
    clusters = np.repeat(["a", "b", "c", "d", "e"], [40, 25, 15, 12, 8])
    binary = (rng.random((4, 100)) < 0.6).astype(float)
    fractional = clustered_score_intervals(binary, clusters)
    binary_table = clustered_mean_intervals(binary, clusters)
    np.testing.assert_allclose(fractional["low"], binary_table["low"])
    np.testing.assert_allclose(fractional["high"], binary_table["high"])
    averaged = clustered_score_intervals(binary.mean(axis=0, keepdims=True), clusters)
    assert averaged["score"].iloc[0] == pytest.approx(binary.mean())
    assert averaged["low"].iloc[0] < binary.mean() < averaged["high"].iloc[0]
    with pytest.raises(DataError, match="within"):
        clustered_score_intervals(binary * 2.0, clusters)


def test_paired_differences_of_fractional_scores_match_binary_case() -> None:
    from analysis.stats.clustered import clustered_difference_tests, clustered_paired_differences

    rng = np.random.default_rng(5)
    clusters = np.repeat(["a", "b", "c", "d", "e", "f"], [50, 30, 20, 10, 10, 10])
    binary = (rng.random((4, 130)) < 0.5).astype(float)
    general = clustered_paired_differences(binary, clusters)
    specific = clustered_difference_tests(binary, clusters, n_resamples=99)
    for column in ("difference", "se", "rho", "low", "high", "p_exact"):
        np.testing.assert_allclose(general[column], specific[column], rtol=1e-9)
    means = (binary + (rng.random((4, 130)) < 0.5)) / 2.0  # means over two runs
    fractional = clustered_paired_differences(means, clusters)
    assert len(fractional) == 6 and fractional["p_exact"].between(0, 1).all()
    assert (fractional["low"] <= fractional["difference"]).all()
