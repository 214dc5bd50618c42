"""Run-to-run noise of one system and the signal-to-noise ratio of a benchmark.

Re-running the same agent on the same tasks changes which tasks it solves (sampling at
non-zero temperature, flaky environments). :func:`run_to_run_noise` measures that from a
runs x tasks 0/1 matrix; :func:`signal_to_noise` sets it against the spread of systems'
scores, following AI2's "Signal and Noise" (Heineman et al. 2025, arXiv:2508.13144):

- signal = relative dispersion of the systems' scores, ``max_{j,k} |m_j - m_k| / mean(m)``;
- noise = relative standard deviation, ``sd / mean(m)``, where ``sd`` is the run-to-run
  standard deviation of one system's score;
- ``SNR = signal / noise = (max(m) - min(m)) / sd``.

Few runs make ``sd`` itself very uncertain: from ``R`` runs it has ``R - 1`` degrees of
freedom, and its chi-square interval (exact for normal run scores) is honest about that; with
3 runs (2 df) the 95% interval for the SD spans a factor of about 12. Every SD and SNR
carries its degrees of freedom and a ``few_degrees_of_freedom`` flag when ``df < 3``
(:data:`MIN_NOISE_DF`), so a notebook can say "rough" instead of quoting a point value.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import stats as scipy_stats

from analysis.errors import DataError
from analysis.stats._matrix import as_outcome_matrix

#: Below this many degrees of freedom a run-to-run SD (and any SNR built on it) is flagged.
MIN_NOISE_DF = 3


def sd_interval(sd: float, df: float, confidence: float = 0.95) -> tuple[float, float]:
    """Chi-square interval for a standard deviation with ``df`` degrees of freedom.

    ``[sqrt(df s^2 / chi2_{1-a/2, df}), sqrt(df s^2 / chi2_{a/2, df})]`` (exact for normal
    data; Cochran's theorem). ``df = R - 1`` for the SD of ``R`` run scores.
    """
    if not 0.0 < confidence < 1.0:
        raise DataError("confidence", f"must lie strictly between 0 and 1, got {confidence}")
    if not df > 0:
        raise DataError("noise_df", f"degrees of freedom must be positive, got {df}")
    alpha = 1.0 - confidence
    sum_squares = df * sd**2
    return (
        float(np.sqrt(sum_squares / scipy_stats.chi2.ppf(1.0 - alpha / 2.0, df))),
        float(np.sqrt(sum_squares / scipy_stats.chi2.ppf(alpha / 2.0, df))),
    )


@dataclass(frozen=True)
class NoiseSummary:
    """The scalar fields of :class:`RunToRunNoise` (e.g. one row of a table:
    ``pd.DataFrame([dataclasses.asdict(summary)])``); the SD interval is split into
    ``score_sd_low`` and ``score_sd_high``."""

    n_runs: int
    n_tasks: int
    mean_score: float
    score_sd: float
    score_sd_low: float
    score_sd_high: float
    flip_rate: float
    mean_pairwise_disagreement: float
    within_task_sd: float
    binomial_se: float
    score_sd_df: int
    few_degrees_of_freedom: bool


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
    - ``score_sd_df``: degrees of freedom of ``score_sd`` (``R - 1``);
      ``few_degrees_of_freedom``: ``score_sd_df < MIN_NOISE_DF`` (the SD is a rough guess).
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
    score_sd_df: int = 0
    few_degrees_of_freedom: bool = True

    def summary(self) -> NoiseSummary:
        """The scalar fields (see :class:`NoiseSummary`)."""
        return NoiseSummary(
            n_runs=self.n_runs,
            n_tasks=self.n_tasks,
            mean_score=self.mean_score,
            score_sd=self.score_sd,
            score_sd_low=self.score_sd_interval[0],
            score_sd_high=self.score_sd_interval[1],
            flip_rate=self.flip_rate,
            mean_pairwise_disagreement=self.mean_pairwise_disagreement,
            within_task_sd=self.within_task_sd,
            binomial_se=self.binomial_se,
            score_sd_df=self.score_sd_df,
            few_degrees_of_freedom=self.few_degrees_of_freedom,
        )


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
    degrees = n_runs - 1
    interval = sd_interval(score_sd, degrees, confidence)
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
        score_sd_df=degrees,
        few_degrees_of_freedom=degrees < MIN_NOISE_DF,
    )


@dataclass(frozen=True)
class SignalToNoise:
    """AI2 signal-to-noise of a set of system scores (Heineman et al. 2025).

    ``signal = (max - min) / mean`` (relative dispersion), ``noise = noise_sd / mean``
    (relative SD), ``snr = signal / noise``; ``snr_sd = sd(scores) / noise_sd`` is a
    dispersion-by-SD variant less driven by the two extreme systems.

    With ``noise_df`` (degrees of freedom of ``noise_sd``), ``snr_interval`` is
    ``(range / sd_high, range / sd_low)`` (None without ``noise_df``) from the chi-square
    interval of the SD (:func:`sd_interval`): the uncertainty of the noise only, the observed
    range held fixed.
    ``few_degrees_of_freedom`` is ``noise_df < MIN_NOISE_DF`` (None without ``noise_df``).
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
    noise_df: float | None = None
    snr_interval: tuple[float, float] | None = None
    few_degrees_of_freedom: bool | None = None


def signal_to_noise_from_scores(
    scores: Sequence[float] | np.ndarray | pd.Series,
    noise_sd: float,
    noise_df: float | None = None,
    confidence: float = 0.95,
) -> SignalToNoise:
    """:class:`SignalToNoise` from system scores and a run-to-run SD in the same units
    (with ``noise_df``, the SD's degrees of freedom, also an SNR interval and a flag)."""
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
    snr_interval = None
    if noise_df is not None:
        sd_low, sd_high = sd_interval(float(noise_sd), float(noise_df), confidence)
        snr_interval = (spread / sd_high, spread / sd_low)
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
        noise_df=None if noise_df is None else float(noise_df),
        snr_interval=snr_interval,
        few_degrees_of_freedom=None if noise_df is None else bool(noise_df < MIN_NOISE_DF),
    )


def signal_to_noise(
    matrix: pd.DataFrame | np.ndarray,
    noise_sd: float,
    noise_df: float | None = None,
    confidence: float = 0.95,
) -> SignalToNoise:
    """Signal-to-noise of a systems x tasks matrix given a run-to-run SD of the score.

    Scores are the row means (fractions), so ``noise_sd`` must be a fraction too (e.g.
    ``run_to_run_noise(runs).score_sd``). See :class:`SignalToNoise`.
    """
    outcome = as_outcome_matrix(matrix, where="signal_to_noise: matrix", allow_single_system=False)
    return signal_to_noise_from_scores(
        outcome.values.mean(axis=1), noise_sd, noise_df=noise_df, confidence=confidence
    )
