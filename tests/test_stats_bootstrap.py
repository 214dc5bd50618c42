"""The paired bootstrap engine: reproducibility, agreement with scipy, coverage, properties."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats as scipy_stats

from analysis.errors import DataError
from analysis.stats import bootstrap as bootstrap_module
from analysis.stats.blas import openblas_thread_controls, single_blas_thread
from analysis.stats.bootstrap import (
    BootstrapResult,
    CountHistograms,
    acceleration,
    bootstrap_scores,
    interval_from_rows,
    pair_indices,
)


def synthetic_matrix(n_systems: int = 5, n_tasks: int = 200, seed: int = 7) -> np.ndarray:
    rng = np.random.default_rng(seed)
    rates = np.linspace(0.2, 0.8, n_systems)[:, None]
    return (rng.random((n_systems, n_tasks)) < rates).astype(int)


def test_same_seed_same_resamples_and_different_seed_differs() -> None:
    matrix = synthetic_matrix()
    first = bootstrap_scores(matrix, n_resamples=300, seed=4)
    second = bootstrap_scores(matrix, n_resamples=300, seed=4)
    other = bootstrap_scores(matrix, n_resamples=300, seed=5)
    np.testing.assert_array_equal(first.resamples, second.resamples)
    assert not np.array_equal(first.resamples, other.resamples)


@pytest.mark.parametrize("clusters", [None, np.arange(200) % 9])
def test_results_do_not_depend_on_chunk_size(clusters) -> None:
    matrix = synthetic_matrix()
    reference = bootstrap_scores(matrix, n_resamples=1001, seed=3, clusters=clusters)
    for chunk_size in (1, 7, 256, 5000):
        chunked = bootstrap_scores(
            matrix, n_resamples=1001, seed=3, clusters=clusters, chunk_size=chunk_size
        )
        np.testing.assert_allclose(chunked.resamples, reference.resamples, rtol=0, atol=1e-12)


@pytest.mark.parametrize("clusters", [None, np.arange(200) % 9])
def test_results_do_not_depend_on_the_number_of_threads(clusters) -> None:
    """Chunks are drawn in order under a lock, so threads change only who counts them."""
    matrix = synthetic_matrix()
    reference = bootstrap_scores(matrix, n_resamples=1001, seed=3, clusters=clusters, workers=1)
    for workers, chunk_size in ((2, 7), (3, 1), (4, None), (2, 5000)):
        threaded = bootstrap_scores(
            matrix,
            n_resamples=1001,
            seed=3,
            clusters=clusters,
            chunk_size=chunk_size,
            workers=workers,
        )
        np.testing.assert_array_equal(threaded.resamples, reference.resamples)


def test_an_error_while_drawing_ahead_reaches_the_caller(monkeypatch) -> None:
    from analysis.stats.index_stream import ResampleIndexStream

    calls = []
    original = ResampleIndexStream.draw

    def failing_draw(self, rows):
        calls.append(rows)
        if len(calls) == 3:
            raise MemoryError("no room for the third chunk")
        return original(self, rows)

    monkeypatch.setattr(ResampleIndexStream, "draw", failing_draw)
    with pytest.raises(MemoryError, match="third chunk"):
        bootstrap_scores(synthetic_matrix(), n_resamples=100, chunk_size=10, workers=2)
    assert len(calls) == 3  # the drawing thread stopped at the error


def test_pair_histograms_count_every_difference_whatever_the_chunking(monkeypatch) -> None:
    result = bootstrap_scores(synthetic_matrix(n_systems=6), n_resamples=2_001, seed=2)
    first, second = pair_indices(6)
    solved = result.solved_rows
    # Small steps: several chunks, the last one shorter.
    monkeypatch.setattr(bootstrap_module, "_HISTOGRAM_CHUNK_ELEMENTS", 999)
    histograms = result.difference_histograms(first, second)
    for row, (a, b) in enumerate(zip(first, second, strict=True)):
        differences = solved[a] - solved[b]
        expected = np.bincount(differences - histograms.lowest[row], minlength=histograms.width)
        np.testing.assert_array_equal(histograms.counts[row], expected)


def test_scores_are_the_mean_on_each_resample() -> None:
    matrix = synthetic_matrix(n_systems=3, n_tasks=40)
    result = bootstrap_scores(matrix, n_resamples=50, seed=0)
    np.testing.assert_allclose(result.observed, matrix.mean(axis=1))
    # Every resampled score is a whole number of tasks out of n.
    np.testing.assert_allclose(result.resamples * 40, np.round(result.resamples * 40), atol=1e-9)
    # Paired: the same draw for every system, so identical systems get identical resamples.
    twins = bootstrap_scores(np.vstack([matrix[0], matrix[0]]), n_resamples=50, seed=0)
    np.testing.assert_array_equal(twins.resamples[:, 0], twins.resamples[:, 1])


@pytest.mark.parametrize("method", ["percentile", "bca"])
def test_system_intervals_match_scipy_within_monte_carlo_error(method: str) -> None:
    matrix = synthetic_matrix()
    ours = bootstrap_scores(matrix, n_resamples=4000, seed=11).intervals(method)
    theirs = scipy_stats.bootstrap(
        (matrix,), np.mean, axis=-1, vectorized=True, n_resamples=4000, method=method, rng=99
    ).confidence_interval
    # Different seeds: endpoints agree within Monte Carlo error (a few 1/n grid steps).
    np.testing.assert_allclose(ours["low"], theirs.low, atol=3 / 200)
    np.testing.assert_allclose(ours["high"], theirs.high, atol=3 / 200)


@pytest.mark.parametrize("method", ["percentile", "bca"])
def test_difference_intervals_match_scipy_paired(method: str) -> None:
    matrix = synthetic_matrix(n_systems=3)
    pairs = bootstrap_scores(matrix, n_resamples=4000, seed=2).difference_intervals(method)
    assert list(zip(pairs["system_a"], pairs["system_b"], strict=True)) == [
        ("system_0", "system_1"),
        ("system_0", "system_2"),
        ("system_1", "system_2"),
    ]
    for row in pairs.itertuples():
        a, b = int(row.system_a[-1]), int(row.system_b[-1])
        reference = scipy_stats.bootstrap(
            (matrix[a], matrix[b]),
            lambda x, y, axis: x.mean(axis=axis) - y.mean(axis=axis),
            paired=True,
            vectorized=True,
            n_resamples=4000,
            method=method,
            rng=5,
        ).confidence_interval
        assert row.difference == pytest.approx(matrix[a].mean() - matrix[b].mean())
        assert row.low == pytest.approx(reference.low, abs=3 / 200)
        assert row.high == pytest.approx(reference.high, abs=3 / 200)


def test_bca_acceleration_closed_form_equals_jackknife_loop() -> None:
    values = np.array([1, 0, 0, 1, 1, 1, 0, 1, 1, 1, 1, 0], dtype=float)
    leave_one_out = np.array([np.delete(values, i).mean() for i in range(values.size)])
    deviations = leave_one_out.mean() - leave_one_out
    expected = (deviations**3).sum() / (6 * (deviations**2).sum() ** 1.5)
    result = bootstrap_scores(values[None, :], n_resamples=10, seed=0)
    np.testing.assert_allclose(result.jackknife[0], leave_one_out)
    assert acceleration(result.jackknife)[0] == pytest.approx(expected)
    centred = values - values.mean()
    assert expected == pytest.approx((centred**3).sum() / (6 * (centred**2).sum() ** 1.5))


def test_percentile_coverage_by_simulation() -> None:
    """400 seeded datasets (p = 0.4, n = 150): the 95% percentile interval covers ~95%."""
    rng = np.random.default_rng(123)
    true_rate, n_tasks, n_datasets = 0.4, 150, 400
    data = (rng.random((n_datasets, n_tasks)) < true_rate).astype(int)
    covered = 0
    for index in range(n_datasets):
        interval = bootstrap_scores(data[index], n_resamples=1000, seed=index).intervals()
        covered += bool(interval["low"].iloc[0] <= true_rate <= interval["high"].iloc[0])
    coverage = covered / n_datasets
    # The percentile bootstrap undercovers slightly at finite n; allow 3.5 binomial SEs.
    assert abs(coverage - 0.95) < 3.5 * np.sqrt(0.95 * 0.05 / n_datasets), coverage


def test_cluster_bootstrap_with_singleton_clusters_is_the_task_bootstrap() -> None:
    matrix = synthetic_matrix(n_tasks=60)
    plain = bootstrap_scores(matrix, n_resamples=500, seed=8)
    clustered = bootstrap_scores(matrix, n_resamples=500, seed=8, clusters=np.arange(60))
    np.testing.assert_allclose(clustered.resamples, plain.resamples, atol=1e-12)
    assert clustered.clustered and not plain.clustered


def test_cluster_bootstrap_widens_intervals_for_correlated_clusters() -> None:
    rng = np.random.default_rng(0)
    cluster_solved = rng.random(20) < 0.5  # twenty repositories, solved all-or-nothing
    clusters = np.repeat(np.arange(20), 10)
    outcomes = cluster_solved[clusters].astype(int)[None, :]
    plain = bootstrap_scores(outcomes, n_resamples=2000, seed=1).intervals()
    blocked = bootstrap_scores(outcomes, n_resamples=2000, seed=1, clusters=clusters).intervals()
    plain_width = (plain["high"] - plain["low"]).iloc[0]
    blocked_width = (blocked["high"] - blocked["low"]).iloc[0]
    assert blocked_width > 2 * plain_width


def test_constant_system_gets_a_point_interval_and_labels_are_kept() -> None:
    frame = pd.DataFrame(
        [[1, 1, 1, 1, 1], [0, 1, 0, 1, 1]], index=pd.Index(["all", "some"], name="system")
    )
    result = bootstrap_scores(frame, n_resamples=200, seed=0)
    for method in ("percentile", "bca"):
        table = result.intervals(method)
        assert list(table["system"]) == ["all", "some"]
        assert (table.loc[0, "low"], table.loc[0, "high"]) == (1.0, 1.0)
    pairs = result.difference_intervals("bca")
    assert (pairs.loc[0, "system_a"], pairs.loc[0, "system_b"]) == ("all", "some")
    assert np.isfinite(pairs[["low", "high", "se"]].to_numpy()).all()


def test_difference_se_matches_direct_computation() -> None:
    result = bootstrap_scores(synthetic_matrix(), n_resamples=800, seed=6)
    pairs = result.difference_intervals()
    direct = (result.resamples[:, 0] - result.resamples[:, 4]).std(ddof=1)
    row = pairs[(pairs["system_a"] == "system_0") & (pairs["system_b"] == "system_4")]
    assert row["se"].iloc[0] == pytest.approx(direct)


@settings(max_examples=30, deadline=None)
@given(
    st.lists(st.lists(st.integers(0, 1), min_size=15, max_size=15), min_size=2, max_size=4),
    st.integers(0, 2**16),
    st.sampled_from(["percentile", "bca"]),
)
def test_paired_differences_are_antisymmetric(rows: list[list[int]], seed: int, method) -> None:
    frame = pd.DataFrame(rows, index=[f"s{i}" for i in range(len(rows))])
    forward = bootstrap_scores(frame, n_resamples=400, seed=seed).difference_intervals(method)
    reversed_rows = frame.iloc[::-1]
    backward = bootstrap_scores(reversed_rows, n_resamples=400, seed=seed).difference_intervals(
        method
    )
    # Reversing the rows turns every pair (a, b) into (b, a): align them by name.
    backward = (
        backward.set_index(["system_b", "system_a"])
        .loc[list(zip(forward["system_a"], forward["system_b"], strict=True))]
        .reset_index(drop=True)
    )
    np.testing.assert_allclose(forward["difference"], -backward["difference"], atol=1e-12)
    # Percentile by symmetric quantile levels; BCa because z0 and the acceleration change
    # sign with d. Either way the interval of -d is minus that of d.
    np.testing.assert_allclose(forward["low"], -backward["high"], atol=1e-9)
    np.testing.assert_allclose(forward["high"], -backward["low"], atol=1e-9)


@settings(max_examples=40, deadline=None)
@given(
    st.lists(st.integers(0, 1), min_size=5, max_size=60),
    st.integers(0, 2**16),
)
def test_percentile_interval_contains_observed_score(outcomes: list[int], seed: int) -> None:
    table = bootstrap_scores(np.array(outcomes), n_resamples=400, seed=seed).intervals()
    row = table.iloc[0]
    assert row["low"] <= row["score"] <= row["high"]


def test_progress_bar_runs(capsys) -> None:
    result = bootstrap_scores(synthetic_matrix(), n_resamples=100, chunk_size=10, progress=True)
    assert result.resamples.shape == (100, 5)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"n_resamples": 1}, "n_resamples"),
        ({"clusters": [1, 2]}, "clusters"),
        ({"workers": 0}, "workers"),
    ],
)
def test_bad_arguments_raise_data_error(kwargs, match) -> None:
    with pytest.raises(DataError, match=match):
        bootstrap_scores(synthetic_matrix(), **kwargs)


def test_unknown_method_raises_data_error() -> None:
    result = bootstrap_scores(synthetic_matrix(), n_resamples=20)
    with pytest.raises(DataError, match="method"):
        result.intervals("basic")


@pytest.mark.mirror
def test_real_bash_only_matrix(mirror) -> None:
    """On the real 500-task matrix the bootstrap SE matches the binomial SE and pairs are 0/1."""
    from analysis import frames
    from analysis.stats.intervals import pass_rate_intervals

    matrix = frames.bash_only_matrix()  # the inconsistent systems are listed by frames
    result = bootstrap_scores(matrix, n_resamples=2000, seed=0)
    table = result.intervals()
    closed_form = pass_rate_intervals(matrix)
    assert table["system"].tolist() == [str(name) for name in matrix.index]
    np.testing.assert_allclose(table["score"], closed_form["score"])
    np.testing.assert_allclose(table["se"], closed_form["se"], rtol=0.1)
    pairs = result.difference_intervals("bca")
    n_systems = len(matrix)
    assert len(pairs) == n_systems * (n_systems - 1) // 2
    assert ((pairs["low"] <= pairs["difference"]) & (pairs["difference"] <= pairs["high"])).all()


def test_resamples_are_the_documented_index_stream() -> None:
    """Same draws as ``rng.integers(0, n, size=(B, n))`` (scipy's stream for the same seed)."""
    matrix = synthetic_matrix(n_systems=4, n_tasks=37)
    result = bootstrap_scores(matrix, n_resamples=301, seed=12, chunk_size=50)
    indices = np.random.default_rng(12).integers(0, 37, size=(301, 37))
    expected = np.stack([matrix[:, row].sum(axis=1) for row in indices]) / 37
    np.testing.assert_array_equal(result.resamples, expected)


def _histograms_of(rows: np.ndarray) -> CountHistograms:
    lowest = rows.min(axis=1)
    width = int((rows.max(axis=1) - lowest).max()) + 1
    counts = np.zeros((len(rows), width), dtype=np.intp)
    for k, row in enumerate(rows):
        counts[k] = np.bincount(row - lowest[k], minlength=width)
    return CountHistograms(lowest, counts)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.lists(st.integers(-6, 6), min_size=7, max_size=7), min_size=1, max_size=4),
    st.lists(
        st.sampled_from([0.0, 1e-12, 0.025, 0.1, 1 / 6, 0.5, 2 / 3, 0.975, 1 - 1e-12, 1.0]),
        min_size=4,
        max_size=4,
    ),
)
def test_histogram_quantiles_equal_sorted_quantiles_exactly(rows, levels) -> None:
    """Ties everywhere (7 values from 13), extreme levels: bit-for-bit numpy.quantile."""
    rows = np.array(rows)
    histograms = _histograms_of(rows)
    chosen = np.array(levels[: len(rows)])
    ours = histograms.quantiles(chosen, 7.0)
    expected = [np.quantile(row / 7.0, level) for row, level in zip(rows, chosen, strict=True)]
    assert ours.tolist() == expected
    ordered = np.sort(rows, axis=1)
    for rank in range(rows.shape[1]):
        assert histograms.order_statistic(np.full(len(rows), rank)).tolist() == list(
            ordered[:, rank]
        )
    for value in range(-8, 9):
        counted = histograms.count_at_most(np.full(len(rows), value))
        assert counted.tolist() == list((rows <= value).sum(axis=1))


@pytest.mark.parametrize("method", ["percentile", "bca"])
def test_histogram_path_equals_sorting_path_exactly(method: str) -> None:
    """Systems and pairs from histograms equal interval_from_rows on the grid values k / n."""
    matrix = synthetic_matrix(n_systems=5, n_tasks=30)
    result = bootstrap_scores(matrix, n_resamples=999, seed=1)
    systems = result.intervals(method)
    low, high = interval_from_rows(
        result.solved_rows / 30, result.observed, result.jackknife, method
    )
    assert systems["low"].tolist() == low.tolist()
    assert systems["high"].tolist() == high.tolist()
    pairs = result.difference_intervals(method)
    first, second = pair_indices(5)
    solved = result.solved_rows
    low, high = interval_from_rows(
        (solved[first] - solved[second]) / 30,
        result.observed[first] - result.observed[second],
        result.jackknife[first] - result.jackknife[second],
        method,
    )
    assert pairs["low"].tolist() == low.tolist()
    assert pairs["high"].tolist() == high.tolist()
    # and within rounding of the float differences of the scores (the previous engine)
    for a, b, differences in result.iter_differences():
        low, high = interval_from_rows(
            differences,
            result.observed[a] - result.observed[b],
            result.jackknife[a] - result.jackknife[b],
            method,
        )
        np.testing.assert_allclose(pairs["low"], low, rtol=0, atol=1e-15)
        np.testing.assert_allclose(pairs["high"], high, rtol=0, atol=1e-15)
    np.testing.assert_allclose(
        pairs["se"],
        np.std(result.resample_rows[first] - result.resample_rows[second], axis=1, ddof=1),
    )
    np.testing.assert_allclose(systems["se"], result.resamples.std(axis=0, ddof=1))


def test_cluster_bootstrap_uses_the_sorting_path() -> None:
    matrix = synthetic_matrix(n_tasks=60)
    clustered = bootstrap_scores(matrix, n_resamples=300, seed=2, clusters=np.arange(60) % 7)
    assert clustered.denominator is None and clustered.solved_rows is None
    table = clustered.difference_intervals("bca")
    first, second = pair_indices(5)
    low, high = interval_from_rows(
        clustered.resample_rows[first] - clustered.resample_rows[second],
        clustered.observed[first] - clustered.observed[second],
        clustered.jackknife[first] - clustered.jackknife[second],
        "bca",
    )
    assert table["low"].tolist() == low.tolist() and table["high"].tolist() == high.tolist()
    with pytest.raises(DataError, match="whole-number"):
        clustered.system_histograms()


def _outside_result(denominator: int | None) -> BootstrapResult:
    """Observed 2/10 while every resample scores 3/10 or 4/10: BCa's z0 is -inf."""
    resamples = np.array([[0.3], [0.4], [0.3], [0.4], [0.4]])
    return BootstrapResult(
        systems=["s"],
        observed=np.array([0.2]),
        resamples=resamples,
        jackknife=np.array([[0.1, 0.2, 0.3, 0.2]]),
        denominator=denominator,
    )


@pytest.mark.parametrize("denominator", [10, None])
def test_undefined_bca_falls_back_to_percentile_and_says_so(denominator) -> None:
    """Issue 10 item 6: no silent zero-width interval at the median."""
    result = _outside_result(denominator)
    bca = result.intervals("bca")
    percentile = result.intervals("percentile")
    assert bca.loc[0, "method"] == "percentile"
    assert percentile.loc[0, "method"] == "percentile"
    assert (bca.loc[0, "low"], bca.loc[0, "high"]) == (
        percentile.loc[0, "low"],
        percentile.loc[0, "high"],
    )
    assert bca.loc[0, "low"] == pytest.approx(0.3) and bca.loc[0, "high"] == pytest.approx(0.4)
    low, high, fallback = interval_from_rows(
        result.resample_rows, result.observed, result.jackknife, "bca", return_fallback=True
    )
    assert fallback.tolist() == [True] and low[0] < high[0]


def test_a_denominator_that_does_not_fit_the_scores_is_refused() -> None:
    result = _outside_result(10)
    result.denominator = 7  # 0.3 * 7 is not a whole number of tasks
    with pytest.raises(DataError, match="whole numbers of tasks out of denominator=7"):
        result.intervals()


def test_defined_bca_is_labelled_bca_and_extreme_levels_read_the_extremes() -> None:
    """A large acceleration pushes a BCa level to 0 or 1: the interval reads min or max."""
    rows = np.array([[1.0, 2.0, 2.0, 3.0, 9.0]])
    jackknife = np.array([[0.0, 0.0, 0.0, 0.0, 10.0]])  # strongly skewed: |acc| large
    low, high, fallback = interval_from_rows(
        rows, np.array([2.0]), jackknife, "bca", return_fallback=True
    )
    assert not fallback[0]
    assert rows.min() <= low[0] <= high[0] <= rows.max()
    table = bootstrap_scores(synthetic_matrix(), n_resamples=500).intervals("bca")
    assert set(table["method"]) == {"bca"}


def test_memory_stays_bounded_for_large_resample_counts() -> None:
    """Chunked: the peak beyond the B x systems outputs does not grow with B."""
    import tracemalloc

    matrix = synthetic_matrix(n_systems=8, n_tasks=400)
    for n_resamples in (20_000, 80_000):
        tracemalloc.start()
        result = bootstrap_scores(matrix, n_resamples=n_resamples, seed=0)
        result.intervals("bca")
        result.difference_intervals("bca")
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        outputs = result.resamples.nbytes + result.solved_rows.nbytes
        # Unchunked, the counts alone would take B x n x 8 bytes (256 MB at B = 80,000) and
        # the pair keys 28 x B x 8: measured 630 MB beyond the outputs. Chunked, the extra is
        # one B x systems temporary plus fixed-size chunks.
        assert peak - outputs < outputs + 10e6, (n_resamples, peak, outputs)


def test_blas_runs_on_one_thread_inside_the_engine_and_is_restored() -> None:
    controls = openblas_thread_controls()
    if controls is None:
        pytest.skip("NumPy's BLAS is not a recognised OpenBLAS")
    get_threads, _ = controls
    before = get_threads()
    with single_blas_thread():
        assert get_threads() == 1
    assert get_threads() == before
