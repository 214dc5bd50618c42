"""Run-to-run noise of one system and the signal-to-noise ratio of a benchmark.

Re-running the same agent on the same tasks changes which tasks it solves (sampling at
non-zero temperature, flaky environments). :func:`run_to_run_noise` measures that from a
runs x tasks 0/1 matrix; :func:`signal_to_noise` sets it against the spread of systems'
scores, following AI2's "Signal and Noise" (Heineman et al. 2025, arXiv:2508.13144):

- signal = relative dispersion of the systems' scores, ``max_{j,k} |m_j - m_k| / mean(m)``;
- noise = relative standard deviation, ``sd / mean(m)``, where ``sd`` is the run-to-run
  standard deviation of one system's score;
- ``SNR = signal / noise = (max(m) - min(m)) / sd``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import stats as scipy_stats

from analysis.errors import DataError
from analysis.stats._matrix import as_outcome_matrix


@dataclass(frozen=True)
class RunToRunNoise:
    """Summary of repeated runs of one system on the same tasks (scores are fractions).

    - ``run_scores``: score of each run; ``mean_score`` their mean.
    - ``score_sd``: sample SD (ddof=1) of the run scores, with ``score_sd_interval`` from
      the chi-square distribution, ``sqrt((R-1) s^2 / chi2_{1-a/2, R-1})`` to
      ``sqrt((R-1) s^2 / chi2_{a/2, R-1})`` (assumes normal run scores; wide for few runs).
    - ``flip_rate``: share of tasks whose outcome is not the same in every run.
    - ``mean_pairwise_disagreement``: for two runs drawn without replacement, the expected
      share of tasks on which they disagree; per task ``2 k (R - k) / (R (R - 1))`` with ``k``
      the runs that solved it.
    - ``within_task_sd``: the run-to-run SD of the score implied by independent per-task
      flips, ``sqrt(sum_t k_t (R - k_t) / (R (R - 1))) / T`` (unbiased per-task variance).
    - ``binomial_se``: the task-sampling standard error ``sqrt(p (1 - p) / T)`` at the mean
      score, for comparison: how much the score would move with a different task sample.
    - ``per_task``: DataFrame (task, solved_runs, flipped, disagreement).
    """

    n_runs: int
    n_tasks: int
    run_scores: pd.Series
    mean_score: float
    score_sd: float
    score_sd_interval: tuple[float, float]
    flip_rate: float
    mean_pairwise_disagreement: float
    within_task_sd: float
    binomial_se: float
    per_task: pd.DataFrame = field(repr=False)

    def summary(self) -> dict[str, float]:
        """The scalar fields as a flat dict (e.g. for a one-row table)."""
        return {
            "n_runs": self.n_runs,
            "n_tasks": self.n_tasks,
            "mean_score": self.mean_score,
            "score_sd": self.score_sd,
            "score_sd_low": self.score_sd_interval[0],
            "score_sd_high": self.score_sd_interval[1],
            "flip_rate": self.flip_rate,
            "mean_pairwise_disagreement": self.mean_pairwise_disagreement,
            "within_task_sd": self.within_task_sd,
            "binomial_se": self.binomial_se,
        }


def run_to_run_noise(runs: pd.DataFrame | np.ndarray, confidence: float = 0.95) -> RunToRunNoise:
    """Noise between repeated runs (rows) of one system on the same tasks (columns).

    See :class:`RunToRunNoise` for every statistic and its formula. Needs at least two runs.
    """
    if not 0.0 < confidence < 1.0:
        raise DataError("confidence", f"must lie strictly between 0 and 1, got {confidence}")
    matrix = as_outcome_matrix(runs, where="run_to_run_noise: runs", allow_single_system=False)
    values = matrix.values
    n_runs, n_tasks = values.shape
    run_scores = values.mean(axis=1)
    score_sd = float(run_scores.std(ddof=1))
    alpha = 1.0 - confidence
    degrees = n_runs - 1
    sum_squares = degrees * score_sd**2
    interval = (
        float(np.sqrt(sum_squares / scipy_stats.chi2.ppf(1.0 - alpha / 2.0, degrees))),
        float(np.sqrt(sum_squares / scipy_stats.chi2.ppf(alpha / 2.0, degrees))),
    )
    solved_runs = values.sum(axis=0)
    disagreement = 2.0 * solved_runs * (n_runs - solved_runs) / (n_runs * (n_runs - 1))
    mean_score = float(run_scores.mean())
    index = pd.Index(matrix.systems, name="run") if isinstance(runs, pd.DataFrame) else None
    return RunToRunNoise(
        n_runs=n_runs,
        n_tasks=n_tasks,
        run_scores=pd.Series(run_scores, index=index, name="score"),
        mean_score=mean_score,
        score_sd=score_sd,
        score_sd_interval=interval,
        flip_rate=float(((solved_runs > 0) & (solved_runs < n_runs)).mean()),
        mean_pairwise_disagreement=float(disagreement.mean()),
        within_task_sd=float(np.sqrt((disagreement / 2.0).sum()) / n_tasks),
        binomial_se=float(np.sqrt(mean_score * (1.0 - mean_score) / n_tasks)),
        per_task=pd.DataFrame(
            {
                "task": matrix.tasks,
                "solved_runs": solved_runs.astype("int64"),
                "flipped": (solved_runs > 0) & (solved_runs < n_runs),
                "disagreement": disagreement,
            }
        ),
    )


@dataclass(frozen=True)
class SignalToNoise:
    """AI2 signal-to-noise of a set of system scores (Heineman et al. 2025).

    ``signal = (max - min) / mean`` (relative dispersion), ``noise = noise_sd / mean``
    (relative SD), ``snr = signal / noise``; ``snr_sd = sd(scores) / noise_sd`` is a
    dispersion-by-SD variant less driven by the two extreme systems.
    """

    n_systems: int
    mean_score: float
    score_range: float
    score_sd: float
    noise_sd: float
    signal: float
    noise: float
    snr: float
    snr_sd: float


def signal_to_noise_from_scores(
    scores: Sequence[float] | np.ndarray | pd.Series, noise_sd: float
) -> SignalToNoise:
    """:class:`SignalToNoise` from system scores and a run-to-run SD in the same units."""
    values = np.asarray(scores, dtype="float64").ravel()
    if values.size < 2 or np.isnan(values).any():
        raise DataError("signal_to_noise: scores", "need at least two scores, none missing")
    if not np.isfinite(noise_sd) or noise_sd <= 0:
        raise DataError("signal_to_noise: noise_sd", f"must be positive, got {noise_sd}")
    mean = float(values.mean())
    spread = float(values.max() - values.min())
    sd = float(values.std(ddof=1))
    signal = spread / mean if mean > 0 else float("nan")
    noise = noise_sd / mean if mean > 0 else float("nan")
    return SignalToNoise(
        n_systems=values.size,
        mean_score=mean,
        score_range=spread,
        score_sd=sd,
        noise_sd=float(noise_sd),
        signal=signal,
        noise=noise,
        snr=spread / noise_sd,
        snr_sd=sd / noise_sd,
    )


def signal_to_noise(matrix: pd.DataFrame | np.ndarray, noise_sd: float) -> SignalToNoise:
    """Signal-to-noise of a systems x tasks matrix given a run-to-run SD of the score.

    Scores are the row means (fractions), so ``noise_sd`` must be a fraction too (e.g.
    ``run_to_run_noise(runs).score_sd``). See :class:`SignalToNoise`.
    """
    outcome = as_outcome_matrix(matrix, where="signal_to_noise: matrix", allow_single_system=False)
    return signal_to_noise_from_scores(outcome.values.mean(axis=1), noise_sd)
