"""Run-to-run noise and the AI2 signal-to-noise ratio."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest
from scipy import stats as scipy_stats

from analysis.errors import DataError
from analysis.stats import noise
from analysis.stats.noise import (
    NoiseSummary,
    run_to_run_noise,
    signal_to_noise,
    signal_to_noise_from_scores,
)

# Three runs of one agent on four tasks.
RUNS = np.array([[1, 1, 0, 0], [1, 0, 0, 0], [1, 1, 1, 0]])


def test_run_to_run_noise_hand_values() -> None:
    noise = run_to_run_noise(RUNS)
    assert noise.n_runs == 3 and noise.n_tasks == 4
    np.testing.assert_allclose(noise.run_scores, [0.5, 0.25, 0.75])
    assert noise.mean_score == pytest.approx(0.5)
    assert noise.score_sd == pytest.approx(0.25)
    # Tasks 1 and 2 change outcome between runs; 0 and 3 never do.
    assert noise.flip_rate == pytest.approx(0.5)
    assert noise.per_task["flipped"].tolist() == [False, True, True, False]
    # Run pairs disagree on 1/4, 1/4 and 2/4 of the tasks.
    assert noise.mean_pairwise_disagreement == pytest.approx((0.25 + 0.25 + 0.5) / 3)
    # Per-task unbiased variances k(R-k)/(R(R-1)): 0, 1/3, 1/3, 0.
    assert noise.within_task_sd == pytest.approx(np.sqrt(2 / 3) / 4)
    assert noise.binomial_se == pytest.approx(np.sqrt(0.25 / 4))


def test_score_sd_interval_is_the_chi_square_interval() -> None:
    noise = run_to_run_noise(RUNS, confidence=0.9)
    low, high = noise.score_sd_interval
    sum_squares = 2 * 0.25**2
    assert low == pytest.approx(np.sqrt(sum_squares / scipy_stats.chi2.ppf(0.95, 2)))
    assert high == pytest.approx(np.sqrt(sum_squares / scipy_stats.chi2.ppf(0.05, 2)))
    assert low < noise.score_sd < high


def test_within_task_sd_tracks_observed_sd_for_independent_flips() -> None:
    rng = np.random.default_rng(9)
    task_rates = rng.beta(0.6, 0.6, size=400)  # each task has its own solve probability
    runs = (rng.random((300, 400)) < task_rates).astype(int)
    noise = run_to_run_noise(runs)
    assert noise.within_task_sd == pytest.approx(noise.score_sd, rel=0.15)
    # Run-to-run noise is smaller than the task-sampling error when tasks are mostly decided.
    assert noise.score_sd < noise.binomial_se


def test_run_labels_are_kept() -> None:
    frame = pd.DataFrame(RUNS, index=["run 1", "run 2", "run 3"])
    noise = run_to_run_noise(frame)
    assert list(noise.run_scores.index) == ["run 1", "run 2", "run 3"]
    summary = noise.summary()
    assert isinstance(summary, NoiseSummary)
    assert (summary.score_sd, summary.flip_rate, summary.binomial_se) == (
        noise.score_sd,
        noise.flip_rate,
        noise.binomial_se,
    )
    assert (summary.score_sd_low, summary.score_sd_high) == noise.score_sd_interval
    with pytest.raises(dataclasses.FrozenInstanceError):
        summary.score_sd = 0.0  # type: ignore[misc]


def test_signal_to_noise_hand_values() -> None:
    result = signal_to_noise_from_scores([0.2, 0.4, 0.6], noise_sd=0.05)
    assert result.mean_score == pytest.approx(0.4)
    assert result.signal == pytest.approx(1.0)  # range 0.4 over mean 0.4
    assert result.noise == pytest.approx(0.125)
    assert result.snr == pytest.approx(8.0)
    assert result.snr_sd == pytest.approx(0.2 / 0.05)


def test_signal_to_noise_from_matrix_uses_row_means() -> None:
    matrix = np.array([[1, 1, 1, 0], [1, 0, 0, 0], [1, 1, 0, 0]])
    from_matrix = signal_to_noise(matrix, noise_sd=0.1)
    assert from_matrix == signal_to_noise_from_scores([0.75, 0.25, 0.5], noise_sd=0.1)


@pytest.mark.parametrize(
    "call",
    [
        lambda: run_to_run_noise(np.array([[1, 0, 1]])),
        lambda: run_to_run_noise(RUNS, confidence=0),
        lambda: signal_to_noise(np.eye(3), noise_sd=0),
        lambda: signal_to_noise_from_scores([0.5], noise_sd=0.1),
    ],
)
def test_bad_input_raises_data_error(call) -> None:
    with pytest.raises(DataError):
        call()


@pytest.mark.mirror
def test_real_autocoderover_runs(mirror) -> None:
    """Three real runs on 300 Lite tasks: some tasks flip, less noise than task sampling."""
    from analysis.data.readers.acr import load_acr_runs

    long = load_acr_runs()
    runs = long.pivot(index="run", columns="instance_id", values="resolved").astype(int)
    noise = run_to_run_noise(runs)
    assert (noise.n_runs, noise.n_tasks) == (3, 300)
    assert 0 < noise.flip_rate < 0.5
    assert noise.score_sd_interval[0] <= noise.score_sd <= noise.score_sd_interval[1]
    assert noise.within_task_sd < noise.binomial_se


def test_sd_interval_is_chi_square_and_flags_few_df() -> None:
    from analysis.stats.noise import MIN_NOISE_DF, sd_interval

    low, high = noise.sd_interval(0.01, 2)
    assert low == pytest.approx(np.sqrt(2 * 1e-4 / scipy_stats.chi2.ppf(0.975, 2)))
    assert high == pytest.approx(np.sqrt(2 * 1e-4 / scipy_stats.chi2.ppf(0.025, 2)))
    assert high / low > 10  # 3 runs: the SD is known to within a factor of about 12
    runs = np.array([[1, 0, 1, 1, 0, 1], [1, 1, 0, 1, 0, 1], [0, 1, 1, 1, 0, 0]])
    result = noise.run_to_run_noise(runs)
    assert result.score_sd_df == 2 and result.few_degrees_of_freedom
    assert result.score_sd_interval == pytest.approx(sd_interval(result.score_sd, 2))
    assert MIN_NOISE_DF == 3
    many = noise.run_to_run_noise(np.vstack([runs, runs[::-1], runs[:1]]))
    assert many.score_sd_df == 6 and not many.few_degrees_of_freedom


def test_sd_interval_covers_at_nominal_rate() -> None:
    """Simulated: the chi-square SD interval from 3 normal runs covers the true SD ~95%."""
    rng = np.random.default_rng(0)
    runs = rng.normal(0.5, 0.02, size=(4000, 3))
    sds = runs.std(axis=1, ddof=1)
    covered = [lo <= 0.02 <= hi for lo, hi in (noise.sd_interval(sd, 2) for sd in sds)]
    assert 0.94 <= np.mean(covered) <= 0.96


def test_snr_interval_from_noise_df() -> None:
    scores = [0.2, 0.5, 0.7]
    rough = noise.signal_to_noise_from_scores(scores, 0.02, noise_df=2)
    low, high = noise.sd_interval(0.02, 2)
    assert rough.snr_interval == pytest.approx((0.5 / high, 0.5 / low))
    assert rough.snr_interval[0] < rough.snr < rough.snr_interval[1]
    assert rough.few_degrees_of_freedom is True
    plain = noise.signal_to_noise_from_scores(scores, 0.02)
    assert plain.few_degrees_of_freedom is None and plain.snr_interval is None
    with pytest.raises(DataError):
        noise.signal_to_noise_from_scores(scores, 0.02, noise_df=0)
