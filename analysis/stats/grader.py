"""Grader (test) error: how wrong tests widen and shift a system's score.

A benchmark score counts tasks whose tests pass. Tests are an imperfect grader: they can
reject a correct fix (a *false fail*, e.g. the tests expect one particular implementation)
or accept a wrong one (a *false pass*, e.g. weak tests). With

    f = false_fail_rate = P(tests fail | correct fix)
    g = false_pass_rate = P(tests pass | wrong fix)

a system whose fixes are correct on a share ``pi`` of the tasks has an expected observed
score ``s = pi (1 - f) + (1 - pi) g``, so the method-of-moments *true* score is

    pi = (s - g) / (1 - f - g)          (clipped to [0, 1]; needs f + g < 1)

(the Rogan & Gladen 1978 correction for an imperfect test). Per-task rates enter through
their means over the tasks. Given ``pi``, Bayes' rule gives the probability that an
observed outcome on task t is wrong:

    P(wrong fix | pass) = (1 - pi) g_t / (pi (1 - f_t) + (1 - pi) g_t)
    P(correct fix | fail) = pi f_t / (pi f_t + (1 - pi) (1 - g_t))

:func:`grader_error_intervals` propagates this by Monte Carlo. Each simulation
(i) resamples the tasks with replacement (the same draw for every system, paired),
(ii) draws the rates when given as a ``(low, high)`` range (uniform, once per simulation),
(iii) computes ``pi`` of each system from its resampled observed score, and
(iv) flips each observed pass to "truly failed" and each observed fail to "truly passed"
with the posterior probabilities above. The spread of the simulated true scores combines
task-sampling and grader uncertainty.

Assumptions, stated so they can be argued with: a system's correct-fix probability
``pi`` is the same on every task (harder tasks are not given a lower prior), and outcomes
are independent given ``pi`` and the rates. A task with ``f_t = 1`` can never be passed by a
correct fix, so under the model every observed pass on it is a wrong fix that the tests
accepted; per-task rates should describe how a task's tests behave, not whether it is
flagged. Scores are fractions in [0, 1], as in :mod:`analysis.stats.bootstrap`.

Task draws use ``numpy.random.default_rng(seed).integers(0, n_tasks, (chunk, n_tasks))``,
the same stream as :func:`analysis.stats.bootstrap.bootstrap_scores`, so with zero error
rates the grader-aware interval equals the plain percentile bootstrap interval of the same
seed and number of resamples. Rates and flips use separate streams spawned from ``seed``,
so the task draws (and the plain interval) do not depend on the rates.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from tqdm.auto import tqdm

from analysis.errors import DataError
from analysis.stats._matrix import as_outcome_matrix

__all__ = ["grader_error_intervals", "implied_score_ceiling", "true_score"]

RateSpec = float | tuple[float, float] | Sequence[float] | np.ndarray | pd.Series
# Cells (systems x resamples x tasks) held in memory per chunk.
_CHUNK_CELLS = 1 << 21


class _Rate:
    """A grader error rate: a constant, a (low, high) range drawn per simulation, or a
    fixed per-task array."""

    def __init__(self, spec: RateSpec, name: str, tasks: pd.Index) -> None:
        where = f"grader_error_intervals({name})"
        self.low = self.high = None
        self.per_task: np.ndarray | None = None
        if isinstance(spec, pd.Series):
            if not spec.index.is_unique:
                raise DataError(where, "per-task rates have duplicate task labels")
            missing = tasks.difference(spec.index)
            if len(missing):
                raise DataError(where, f"no rate for {len(missing)} tasks, e.g. {missing[0]!r}")
            spec = spec.reindex(tasks).to_numpy(dtype="float64")
        if isinstance(spec, tuple):
            if len(spec) != 2:
                raise DataError(where, f"a range must be (low, high), got {spec!r}")
            self.low, self.high = float(spec[0]), float(spec[1])
            if not 0 <= self.low <= self.high <= 1:
                raise DataError(where, f"need 0 <= low <= high <= 1, got {spec!r}")
        elif np.ndim(spec) == 0:
            self.low = self.high = float(spec)
            if not 0 <= self.low <= 1:
                raise DataError(where, f"a rate must lie in [0, 1], got {spec!r}")
        else:
            values = np.asarray(spec, dtype="float64")
            if values.shape != (len(tasks),):
                raise DataError(
                    where,
                    f"per-task rates need one value per task "
                    f"({len(tasks)}), got shape {values.shape}; give "
                    f"a range as a tuple (low, high)",
                )
            if np.isnan(values).any() or (values < 0).any() or (values > 1).any():
                raise DataError(where, "per-task rates must lie in [0, 1] (no NaN)")
            self.per_task = values

    @property
    def expected(self) -> np.ndarray:
        """Mean rate per task (midpoint of a range)."""
        if self.per_task is not None:
            return self.per_task
        return np.array([(self.low + self.high) / 2])

    @property
    def worst(self) -> float:
        return float(self.per_task.max() if self.per_task is not None else self.high)

    def draw(self, rng: np.random.Generator, indices: np.ndarray) -> np.ndarray:
        """Rates for a chunk of simulations: shape (chunk, 1) or (chunk, n_tasks)."""
        if self.per_task is not None:
            return self.per_task[indices]
        size = indices.shape[0]
        if self.low == self.high:
            return np.full((size, 1), self.low)
        return rng.uniform(self.low, self.high, size=(size, 1))


def true_score(
    observed: float | np.ndarray,
    false_fail_rate: float | np.ndarray,
    false_pass_rate: float | np.ndarray,
) -> np.ndarray:
    """Method-of-moments true score ``(s - g) / (1 - f - g)``, clipped to [0, 1].

    Rogan & Gladen (1978); ``f`` and ``g`` are the (mean) false-fail and false-pass rates.
    """
    f = np.asarray(false_fail_rate, dtype="float64")
    g = np.asarray(false_pass_rate, dtype="float64")
    denominator = 1.0 - f - g
    if np.any(denominator <= 0):
        raise DataError(
            "true_score",
            "false_fail_rate + false_pass_rate must be below 1: "
            "otherwise the tests carry no information",
        )
    return np.clip((np.asarray(observed, dtype="float64") - g) / denominator, 0.0, 1.0)


def grader_error_intervals(
    matrix: pd.DataFrame | np.ndarray,
    false_fail_rate: RateSpec,
    false_pass_rate: RateSpec,
    n_simulations: int = 2000,
    seed: int = 0,
    confidence: float = 0.95,
    progress: bool = False,
) -> pd.DataFrame:
    """Per-system score intervals that include grader (test) error; see the module docstring.

    ``false_fail_rate`` = P(tests fail | correct fix) and ``false_pass_rate`` = P(tests pass
    | wrong fix), each a number, a ``(low, high)`` tuple (uniform per simulation) or one
    value per task (array in column order, or Series indexed by task), e.g. a defect rate
    applied only to flagged tasks and 0 elsewhere.

    Returns one row per system (fractions): ``system``, ``observed`` score, ``corrected``
    (method-of-moments true score at the expected rates), ``plain_low``/``plain_high``
    (percentile bootstrap over tasks), ``grader_low``/``grader_high`` (percentile interval
    of the simulated true scores), ``true_mean`` (their mean), ``width_ratio`` (grader
    width / plain width; NaN when the plain width is 0).
    """
    outcomes = as_outcome_matrix(matrix, "grader_error_intervals(matrix)")
    if int(n_simulations) < 2:
        raise DataError(
            "grader_error_intervals(n_simulations)",
            f"need at least 2 simulations, got {n_simulations}",
        )
    if not 0 < confidence < 1:
        raise DataError(
            "grader_error_intervals(confidence)",
            f"must lie strictly between 0 and 1, got {confidence}",
        )
    n_simulations = int(n_simulations)
    fail_rate = _Rate(false_fail_rate, "false_fail_rate", outcomes.columns)
    pass_rate = _Rate(false_pass_rate, "false_pass_rate", outcomes.columns)
    values = outcomes.values
    n_systems, n_tasks = values.shape
    observed = values.mean(axis=1)
    corrected = true_score(observed, fail_rate.expected.mean(), pass_rate.expected.mean())

    task_rng = np.random.default_rng(seed)  # same stream as bootstrap.bootstrap_scores
    # One stream per use, so results do not depend on the chunk size.
    fail_rng, pass_rng, flip_rng = (
        np.random.default_rng(child) for child in np.random.SeedSequence(seed).spawn(3)
    )
    plain = np.empty((n_simulations, n_systems))
    true = np.empty((n_simulations, n_systems))
    chunk = max(1, min(n_simulations, _CHUNK_CELLS // (n_systems * n_tasks)))
    starts = range(0, n_simulations, chunk)
    for start in tqdm(starts, disable=not progress, desc="grader error", unit="chunk"):
        size = min(chunk, n_simulations - start)
        indices = task_rng.integers(0, n_tasks, size=(size, n_tasks))
        drawn = values[:, indices].transpose(1, 0, 2)  # (size, systems, tasks)
        f = fail_rate.draw(fail_rng, indices)[:, None, :]  # (size, 1, tasks or 1)
        g = pass_rate.draw(pass_rng, indices)[:, None, :]
        scores = drawn.mean(axis=2)
        f_mean, g_mean = f.mean(axis=2), g.mean(axis=2)
        denominator = 1.0 - f_mean - g_mean
        if np.any(denominator <= 0):
            raise DataError(
                "grader_error_intervals",
                "false_fail_rate + false_pass_rate "
                "reaches 1 on a resample: the tests would carry no information",
            )
        prior = np.clip((scores - g_mean) / denominator, 0.0, 1.0)[:, :, None]
        pass_likelihood = prior * (1 - f) + (1 - prior) * g
        fail_likelihood = prior * f + (1 - prior) * (1 - g)
        with np.errstate(invalid="ignore", divide="ignore"):
            wrong_given_pass = np.where(pass_likelihood > 0, (1 - prior) * g / pass_likelihood, 0.0)
            right_given_fail = np.where(fail_likelihood > 0, prior * f / fail_likelihood, 0.0)
        uniform = flip_rng.random(drawn.shape)
        truly_passed = np.where(
            drawn == 1.0, uniform >= wrong_given_pass, uniform < right_given_fail
        )
        plain[start : start + size] = scores
        true[start : start + size] = truly_passed.mean(axis=2)

    tail = (1 - confidence) / 2
    plain_low, plain_high = np.quantile(plain, [tail, 1 - tail], axis=0)
    grader_low, grader_high = np.quantile(true, [tail, 1 - tail], axis=0)
    plain_width = plain_high - plain_low
    with np.errstate(invalid="ignore", divide="ignore"):
        width_ratio = np.where(plain_width > 0, (grader_high - grader_low) / plain_width, np.nan)
    frame = pd.DataFrame(
        {
            "system": np.asarray(outcomes.index),
            "observed": observed,
            "corrected": corrected,
            "plain_low": plain_low,
            "plain_high": plain_high,
            "grader_low": grader_low,
            "grader_high": grader_high,
            "true_mean": true.mean(axis=0),
            "width_ratio": width_ratio,
        }
    )
    frame.attrs["settings"] = {
        "n_simulations": n_simulations,
        "seed": seed,
        "confidence": confidence,
    }
    return frame


def implied_score_ceiling(defective_share: float, rejection_rate: float = 1.0) -> float:
    """Highest expected score a perfect system can get when a share of tasks is defective.

    If ``defective_share`` of the tasks have tests that reject a correct fix with
    probability ``rejection_rate`` (1: always), a system that fixes every task correctly
    scores at most ``1 - defective_share * rejection_rate``. A simple bound: it ignores
    false passes (which could lift any score) and assumes defects are not fixed upstream.
    """
    for name, value in (("defective_share", defective_share), ("rejection_rate", rejection_rate)):
        if not 0 <= value <= 1:
            raise DataError(f"implied_score_ceiling({name})", f"must lie in [0, 1], got {value!r}")
    return 1.0 - defective_share * rejection_rate
