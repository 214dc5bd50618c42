"""Closed-form pass-rate intervals against hand values, scipy and simulated coverage."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats as scipy_stats

from analysis.errors import DataError
from analysis.stats.clustered import clustered_mean_intervals
from analysis.stats.intervals import (
    binomial_standard_error,
    clopper_pearson_interval,
    clustered_standard_error,
    pass_rate_intervals,
    wald_interval,
    wilson_interval,
)


def test_binomial_standard_error_closed_form() -> None:
    assert binomial_standard_error(30, 100) == pytest.approx(np.sqrt(0.3 * 0.7 / 100))
    assert binomial_standard_error(0, 50) == 0.0


def test_wald_interval_hand_value_and_clipping() -> None:
    low, high = wald_interval(30, 100)
    half = 1.959963984540054 * np.sqrt(0.21 / 100)
    assert (low, high) == pytest.approx((0.3 - half, 0.3 + half))
    low, high = wald_interval(1, 100)
    assert low == 0.0  # 0.01 - 0.0195 clipped


@pytest.mark.parametrize(("k", "n"), [(0, 20), (1, 20), (7, 31), (250, 500), (499, 500), (40, 40)])
@pytest.mark.parametrize("confidence", [0.9, 0.95, 0.99])
def test_wilson_and_clopper_pearson_match_scipy(k: int, n: int, confidence: float) -> None:
    reference = scipy_stats.binomtest(k, n)
    wilson = reference.proportion_ci(confidence_level=confidence, method="wilson")
    exact = reference.proportion_ci(confidence_level=confidence, method="exact")
    assert wilson_interval(k, n, confidence) == pytest.approx((wilson.low, wilson.high), abs=1e-12)
    assert clopper_pearson_interval(k, n, confidence) == pytest.approx(
        (exact.low, exact.high), abs=1e-10
    )


def test_intervals_are_vectorised() -> None:
    k = np.array([0, 10, 50])
    low, high = wilson_interval(k, 50)
    assert low.shape == (3,)
    for index, value in enumerate(k):
        assert (low[index], high[index]) == pytest.approx(wilson_interval(int(value), 50))


def test_coverage_by_simulation() -> None:
    """400 seeded datasets with a known rate: nominal 95% intervals cover about 95%."""
    rng = np.random.default_rng(2024)
    true_rate, n_tasks, n_datasets = 0.3, 200, 400
    solved = rng.binomial(n_tasks, true_rate, size=n_datasets)
    # Binomial tolerance: 95% +- 3.5 SE of a proportion estimated from 400 datasets.
    tolerance = 3.5 * np.sqrt(0.95 * 0.05 / n_datasets)
    for function in (wald_interval, wilson_interval, clopper_pearson_interval):
        low, high = function(solved, n_tasks)
        coverage = np.mean((low <= true_rate) & (true_rate <= high))
        assert abs(coverage - 0.95) < tolerance, (function.__name__, coverage)


def test_clustered_se_equals_plain_se_with_singleton_clusters() -> None:
    rng = np.random.default_rng(1)
    outcomes = rng.integers(0, 2, size=(4, 60))
    plain = np.sqrt(outcomes.mean(axis=1) * (1 - outcomes.mean(axis=1)) / 60)
    assert clustered_standard_error(outcomes, np.arange(60)) == pytest.approx(plain)
    assert clustered_standard_error(outcomes[0], np.arange(60)) == pytest.approx(plain[0])


def test_clustered_se_hand_value_and_larger_with_correlated_clusters() -> None:
    # Four repositories of five tasks each, solved all-or-nothing: xbar = 0.5, every
    # cluster's deviation sum is +-2.5, so SE^2 = 4 * 6.25 / 20^2 = 0.0625.
    outcomes = np.repeat([1, 1, 0, 0], 5)
    clusters = np.repeat(["a", "b", "c", "d"], 5)
    assert clustered_standard_error(outcomes, clusters) == pytest.approx(0.25)
    assert binomial_standard_error(10, 20) == pytest.approx(np.sqrt(0.25 / 20))
    assert clustered_standard_error(outcomes, clusters) > binomial_standard_error(10, 20)


def test_clustered_se_keeps_dataframe_labels() -> None:
    frame = pd.DataFrame([[1, 0, 1, 1], [0, 0, 1, 0]], index=["alpha", "beta"])
    result = clustered_standard_error(frame, ["r1", "r1", "r2", "r2"])
    assert list(result.index) == ["alpha", "beta"]


def test_pass_rate_intervals_columns_and_values() -> None:
    frame = pd.DataFrame(
        [[1, 1, 0, 1, 0, 1, 1, 0], [0, 0, 0, 1, 0, 0, 0, 0]],
        index=pd.Index(["<b>sys</b>", "other"], name="system"),
    )
    table = pass_rate_intervals(frame, clusters=list("aabbccdd"))
    assert list(table["system"]) == ["<b>sys</b>", "other"]
    assert table["score"].tolist() == [0.625, 0.125]
    assert table["solved"].tolist() == [5, 1]
    row = table.iloc[0]
    assert (row["wilson_low"], row["wilson_high"]) == pytest.approx(wilson_interval(5, 8))
    assert (row["clopper_pearson_low"], row["clopper_pearson_high"]) == pytest.approx(
        clopper_pearson_interval(5, 8)
    )
    assert row["se"] == pytest.approx(np.sqrt(0.625 * 0.375 / 8))
    assert (table["wilson_low"] <= table["score"]).all()
    assert (table["score"] <= table["wilson_high"]).all()
    without = pass_rate_intervals(frame)
    assert without["se_clustered"].isna().all()
    assert without["clustered_low"].isna().all()
    assert without["cr2_low"].isna().all()
    cr2 = clustered_mean_intervals(frame, list("aabbccdd"))
    np.testing.assert_allclose(table["cr2_low"], cr2["low"])
    np.testing.assert_allclose(table["cr2_high"], cr2["high"])
    assert (table["cr2_se"] >= table["se_clustered"]).all()  # CR2 >= CR0


@settings(max_examples=40, deadline=None)
@given(
    st.lists(st.lists(st.integers(0, 1), min_size=12, max_size=12), min_size=1, max_size=4),
    st.randoms(use_true_random=False),
)
def test_task_permutation_does_not_change_scores(rows: list[list[int]], random) -> None:
    matrix = np.array(rows)
    clusters = np.array([i % 3 for i in range(12)])
    order = list(range(12))
    random.shuffle(order)
    before = pass_rate_intervals(matrix, clusters=clusters)
    after = pass_rate_intervals(matrix[:, order], clusters=clusters[order])
    numeric = before.columns.drop("system")
    np.testing.assert_allclose(before[numeric].to_numpy(float), after[numeric].to_numpy(float))


@pytest.mark.parametrize(
    "bad",
    [np.array([[0, 1, 2]]), np.array([[0, np.nan, 1]]), np.zeros((0, 3)), [["a", "b"]]],
)
def test_bad_matrix_raises_data_error(bad) -> None:
    with pytest.raises(DataError, match="matrix"):
        pass_rate_intervals(bad)


def test_bad_arguments_raise_data_error() -> None:
    with pytest.raises(DataError):
        wilson_interval(5, 4)
    with pytest.raises(DataError):
        wald_interval(1, 10, confidence=1.5)
    with pytest.raises(DataError, match="clusters"):
        pass_rate_intervals(np.ones((2, 4)), clusters=[1, 2, 3])
