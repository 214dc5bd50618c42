"""Item response theory for benchmark outcome matrices: Rasch (1PL) and 2PL models.

A benchmark result matrix (systems x tasks, 1 = resolved) is the classic item-response
setting: systems are "persons" with an ability ``theta`` and tasks are "items" with a
difficulty ``b`` (and, in the 2PL model, a discrimination ``a``)::

    Rasch:  P(x_st = 1) = sigmoid(theta_s - b_t)
    2PL:    P(x_st = 1) = sigmoid(a_t * (theta_s - b_t)),   a_t = exp(log_a_t) > 0

References: Lord (1980), *Applications of Item Response Theory to Practical Testing
Problems*; Baker & Kim (2004), *Item Response Theory: Parameter Estimation Techniques*;
Polo et al. (2024), *tinyBenchmarks: evaluating LLMs with fewer examples* (IRT on LLM
benchmark matrices); Wright & Masters (1982), *Rating Scale Analysis* (infit/outfit).

Estimation is joint maximum a posteriori (regularised maximum likelihood): we minimise ::

    -sum_{observed s,t} [x log p + (1 - x) log(1 - p)]
      + l2/2 * (sum_s theta_s^2 + sum_t b_t^2) + l2_log_discrimination/2 * sum_t log_a_t^2

i.e. independent Gaussian priors ``theta, b ~ N(0, 1/l2)`` and ``log a ~ N(0,
1/l2_log_discrimination)``, with L-BFGS-B and analytic gradients. The penalty keeps tasks
that no system (or every system) solves at finite difficulty instead of +-infinity, and
fixes the 2PL scale. Missing entries (NaN, e.g. a submission that never ran a task) are
left out of the likelihood.

Identification: the likelihood is unchanged by shifting every theta and b by the same
constant, so abilities are reported centred (mean 0) and difficulties shifted with them.
For the 2PL the reported scale is also fixed by standardising abilities (sd 1), with
``b`` divided and ``a`` multiplied by the same factor (the fitted probabilities are
unchanged).

Standard errors are ``1 / sqrt(diagonal of the information matrix)`` of the penalised
objective at the optimum (for theta and b the observed and expected information of the
logistic model coincide; for log a the expected information is used). The diagonal
approximation treats the other parameters as known, so the errors are conditional and
somewhat too small; they are a guide to precision, not a joint posterior.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy.optimize import minimize
from scipy.special import expit
from scipy.stats import rankdata as _rankdata

from analysis.errors import DataError
from analysis.stats._matrix import OutcomeMatrix, as_outcome_matrix

__all__ = ["IRTResult", "fit_2pl", "fit_rasch", "item_flags", "misfit_p_values"]


def _coerce_outcomes(
    matrix: pd.DataFrame | np.ndarray, where: str, allow_missing: bool = True
) -> OutcomeMatrix:
    """The outcome matrix (:func:`~analysis.stats._matrix.as_outcome_matrix`, NaN = not run)
    with every system and every task observed at least once, as IRT needs."""
    outcomes = as_outcome_matrix(matrix, where, allow_missing=allow_missing)
    observed = outcomes.observed
    if not observed.any(axis=1).all():
        raise DataError(where, "some systems have no observed outcome at all")
    if not observed.any(axis=0).all():
        raise DataError(where, "some tasks have no observed outcome at all")
    return outcomes


@dataclass(frozen=True)
class IRTResult:
    """A fitted IRT model.

    ``ability`` (per system), ``difficulty`` and ``discrimination`` (per task) are Series
    indexed by the matrix labels; ``*_se`` are their diagonal-information standard errors
    (``discrimination_se`` is on the ``a`` scale, by the delta method ``a * se(log a)``;
    0 for the Rasch model, where ``a`` is fixed to 1).
    ``loglik`` is the unpenalised log-likelihood at the estimate.
    """

    model: str
    ability: pd.Series
    difficulty: pd.Series
    discrimination: pd.Series
    ability_se: pd.Series
    difficulty_se: pd.Series
    discrimination_se: pd.Series
    converged: bool
    loglik: float
    n_iterations: int
    message: str
    seconds: float
    settings: dict[str, Any] = field(default_factory=dict)

    def probabilities(self) -> pd.DataFrame:
        """Fitted P(resolved) for every system x task: sigmoid(a_t (theta_s - b_t))."""
        logits = self.discrimination.to_numpy()[None, :] * (
            self.ability.to_numpy()[:, None] - self.difficulty.to_numpy()[None, :]
        )
        return pd.DataFrame(expit(logits), index=self.ability.index, columns=self.difficulty.index)


def _log_likelihood(values: np.ndarray, observed: np.ndarray, logits: np.ndarray) -> float:
    """sum over observed entries of x z - log(1 + e^z) (stable Bernoulli log-likelihood)."""
    terms = np.where(observed, np.nan_to_num(values) * logits - np.logaddexp(0.0, logits), 0.0)
    return float(terms.sum())


def _rasch_objective(
    params: np.ndarray, x: np.ndarray, mask: np.ndarray, l2: float
) -> tuple[float, np.ndarray]:
    """Penalised negative log-likelihood of the Rasch model and its gradient."""
    n_systems = x.shape[0]
    theta, b = params[:n_systems], params[n_systems:]
    logits = theta[:, None] - b[None, :]
    nll = -float((mask * (x * logits - np.logaddexp(0.0, logits))).sum())
    residual = mask * (x - expit(logits))  # d loglik / d logit
    value = nll + 0.5 * l2 * float(theta @ theta + b @ b)
    gradient = np.concatenate([-residual.sum(axis=1) + l2 * theta, residual.sum(axis=0) + l2 * b])
    return value, gradient


def _2pl_objective(
    params: np.ndarray, x: np.ndarray, mask: np.ndarray, l2: float, l2_log_a: float
) -> tuple[float, np.ndarray]:
    """Penalised negative log-likelihood of the 2PL model (log-a parametrised) and gradient.

    With z = a (theta - b) and r = x - sigmoid(z): dNLL/dtheta_s = -sum_t r a_t,
    dNLL/db_t = sum_s r a_t, dNLL/dlog_a_t = -sum_s r z, plus the prior terms.
    """
    n_systems, n_tasks = x.shape
    theta = params[:n_systems]
    b = params[n_systems : n_systems + n_tasks]
    log_a = params[n_systems + n_tasks :]
    a = np.exp(log_a)
    logits = a[None, :] * (theta[:, None] - b[None, :])
    nll = -float((mask * (x * logits - np.logaddexp(0.0, logits))).sum())
    residual = mask * (x - expit(logits))
    value = nll + 0.5 * l2 * float(theta @ theta + b @ b) + 0.5 * l2_log_a * float(log_a @ log_a)
    gradient = np.concatenate(
        [
            -(residual * a[None, :]).sum(axis=1) + l2 * theta,
            (residual.sum(axis=0) * a) + l2 * b,
            -(residual * logits).sum(axis=0) + l2_log_a * log_a,
        ]
    )
    return value, gradient


def _check_penalty(name: str, value: float) -> float:
    if not np.isfinite(value) or value <= 0:
        raise DataError(name, f"prior precision must be a positive number, got {value!r}")
    return float(value)


def _minimise(objective, start: np.ndarray, args: tuple, max_iterations: int):
    return minimize(
        objective,
        start,
        args=args,
        jac=True,
        method="L-BFGS-B",
        options={"maxiter": max_iterations, "gtol": 1e-6, "ftol": 1e-12},
    )


def fit_rasch(
    matrix: pd.DataFrame | np.ndarray, l2: float = 0.1, max_iterations: int = 2000
) -> IRTResult:
    """Fit the Rasch model P(x=1) = sigmoid(theta_s - b_t) by penalised maximum likelihood.

    ``l2`` is the precision of the Gaussian prior on abilities and difficulties
    (``N(0, 1/l2)``, default sd ~3.2 logits: weak, but finite for never-/always-solved
    tasks). ``matrix`` is systems x tasks of 0/1 with NaN for missing entries. Abilities
    are centred to mean 0. See the module docstring for the objective and the standard
    errors.
    """
    outcomes = _coerce_outcomes(matrix, "fit_rasch(matrix)")
    l2 = _check_penalty("fit_rasch(l2)", l2)
    mask = outcomes.observed.astype("float64")
    x = np.nan_to_num(outcomes.values)
    n_systems, n_tasks = x.shape
    # Start from empirical logits, shrunk away from 0/1, so the optimiser starts close.
    system_rate = (x.sum(axis=1) + 0.5) / (mask.sum(axis=1) + 1.0)
    task_rate = (x.sum(axis=0) + 0.5) / (mask.sum(axis=0) + 1.0)
    start = np.concatenate(
        [np.log(system_rate / (1 - system_rate)), -np.log(task_rate / (1 - task_rate))]
    )
    started = time.perf_counter()
    solution = _minimise(_rasch_objective, start, (x, mask, l2), max_iterations)
    seconds = time.perf_counter() - started
    theta, b = solution.x[:n_systems], solution.x[n_systems:]
    shift = theta.mean()
    theta, b = theta - shift, b - shift
    logits = theta[:, None] - b[None, :]
    weight = mask * expit(logits) * expit(-logits)  # p (1 - p): Fisher information per cell
    ability_se = 1.0 / np.sqrt(weight.sum(axis=1) + l2)
    difficulty_se = 1.0 / np.sqrt(weight.sum(axis=0) + l2)
    return IRTResult(
        model="rasch",
        ability=pd.Series(theta, index=outcomes.index, name="ability"),
        difficulty=pd.Series(b, index=outcomes.columns, name="difficulty"),
        discrimination=pd.Series(np.ones(n_tasks), index=outcomes.columns, name="discrimination"),
        ability_se=pd.Series(ability_se, index=outcomes.index, name="ability_se"),
        difficulty_se=pd.Series(difficulty_se, index=outcomes.columns, name="difficulty_se"),
        discrimination_se=pd.Series(
            np.zeros(n_tasks), index=outcomes.columns, name="discrimination_se"
        ),
        converged=bool(solution.success),
        loglik=_log_likelihood(outcomes.values, outcomes.observed, logits),
        n_iterations=int(solution.nit),
        message=str(solution.message),
        seconds=seconds,
        settings={"l2": l2},
    )


def fit_2pl(
    matrix: pd.DataFrame | np.ndarray,
    l2: float = 0.1,
    l2_log_discrimination: float = 1.0,
    max_iterations: int = 5000,
) -> IRTResult:
    """Fit the 2PL model P(x=1) = sigmoid(a_t (theta_s - b_t)), a_t = exp(log_a_t).

    Penalised maximum likelihood with priors ``theta, b ~ N(0, 1/l2)`` and
    ``log a ~ N(0, 1/l2_log_discrimination)`` (default: a lognormal centred on 1, so a task
    with little information keeps a ~ 1), started from the Rasch fit. Because ``a > 0`` by
    construction, a task that weak systems solve and strong ones fail shows up as ``a``
    near 0, not negative: :func:`item_flags` pairs it with a model-free correlation.
    Abilities are reported standardised (mean 0, sd 1); see the module docstring.
    """
    outcomes = _coerce_outcomes(matrix, "fit_2pl(matrix)")
    l2 = _check_penalty("fit_2pl(l2)", l2)
    l2_log_a = _check_penalty("fit_2pl(l2_log_discrimination)", l2_log_discrimination)
    mask = outcomes.observed.astype("float64")
    x = np.nan_to_num(outcomes.values)
    n_systems, n_tasks = x.shape
    started = time.perf_counter()
    rasch = fit_rasch(matrix, l2=l2, max_iterations=max_iterations)
    start = np.concatenate(
        [rasch.ability.to_numpy(), rasch.difficulty.to_numpy(), np.zeros(n_tasks)]
    )
    solution = _minimise(_2pl_objective, start, (x, mask, l2, l2_log_a), max_iterations)
    seconds = time.perf_counter() - started
    theta = solution.x[:n_systems]
    b = solution.x[n_systems : n_systems + n_tasks]
    log_a = solution.x[n_systems + n_tasks :]
    a = np.exp(log_a)
    logits = a[None, :] * (theta[:, None] - b[None, :])
    weight = mask * expit(logits) * expit(-logits)
    # Standard errors on the optimiser's scale, then transformed with the parameters.
    theta_se = 1.0 / np.sqrt((weight * a[None, :] ** 2).sum(axis=1) + l2)
    b_se = 1.0 / np.sqrt((weight * a[None, :] ** 2).sum(axis=0) + l2)
    log_a_se = 1.0 / np.sqrt((weight * logits**2).sum(axis=0) + l2_log_a)
    centre = theta.mean()
    scale = theta.std() if n_systems > 1 and theta.std() > 1e-8 else 1.0
    theta, b = (theta - centre) / scale, (b - centre) / scale
    theta_se, b_se = theta_se / scale, b_se / scale
    a = a * scale
    return IRTResult(
        model="2pl",
        ability=pd.Series(theta, index=outcomes.index, name="ability"),
        difficulty=pd.Series(b, index=outcomes.columns, name="difficulty"),
        discrimination=pd.Series(a, index=outcomes.columns, name="discrimination"),
        ability_se=pd.Series(theta_se, index=outcomes.index, name="ability_se"),
        difficulty_se=pd.Series(b_se, index=outcomes.columns, name="difficulty_se"),
        discrimination_se=pd.Series(a * log_a_se, index=outcomes.columns, name="discrimination_se"),
        converged=bool(solution.success),
        loglik=_log_likelihood(outcomes.values, outcomes.observed, logits),
        n_iterations=int(solution.nit),
        message=str(solution.message),
        seconds=seconds,
        settings={"l2": l2, "l2_log_discrimination": l2_log_a, "scale": float(scale)},
    )


def _masked_correlation(x: np.ndarray, y: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """Per-column Pearson correlation of x[:, t] with y[:, t] over mask[:, t] (NaN if constant)."""
    count = mask.sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        x_mean = (x * mask).sum(axis=0) / count
        y_mean = (y * mask).sum(axis=0) / count
        x_dev = (x - x_mean) * mask
        y_dev = (y - y_mean) * mask
        covariance = (x_dev * y_dev).sum(axis=0)
        denominator = np.sqrt((x_dev**2).sum(axis=0) * (y_dev**2).sum(axis=0))
        correlation = covariance / denominator
    return np.where(denominator > 1e-12, correlation, np.nan)


def _fit_statistics(
    x: np.ndarray, mask: np.ndarray, probabilities: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Per-task (outfit, infit) mean squares; leading axes of ``x`` (simulations) broadcast."""
    p = np.clip(probabilities, 1e-9, 1 - 1e-9)
    variance = p * (1 - p)
    squared_residual = mask * (x - p) ** 2
    outfit = (squared_residual / variance).sum(axis=-2) / mask.sum(axis=-2)
    infit = squared_residual.sum(axis=-2) / (mask * variance).sum(axis=-2)
    return outfit, infit


def _refit(result: IRTResult, matrix: np.ndarray) -> IRTResult:
    if result.model == "rasch":
        return fit_rasch(matrix, l2=result.settings.get("l2", 0.1))
    return fit_2pl(
        matrix,
        l2=result.settings.get("l2", 0.1),
        l2_log_discrimination=result.settings.get("l2_log_discrimination", 1.0),
    )


def misfit_p_values(
    matrix: pd.DataFrame | np.ndarray,
    result: IRTResult,
    n_simulations: int = 200,
    seed: int = 0,
    refit: bool = True,
    progress: bool = False,
) -> pd.DataFrame:
    """Outfit and infit of every task with p-values from their null under the fitted model.

    A parametric bootstrap (Efron & Tibshirani 1993, ch. 6): ``n_simulations`` matrices are
    drawn from the fitted probabilities (same missing cells), the same model is refitted to
    each (``refit=True``; the estimation step shrinks the residuals, so skipping it makes
    the null too wide) and each task's outfit and infit recomputed. With ``R`` simulations,
    ``p = (1 + #{r : stat*_r >= stat}) / (R + 1)`` per task. Rule-of-thumb cutoffs (outfit
    > 2) flag far more than 5% of tasks that fit when only ~25 systems answer each task,
    because a mean of 25 squared residuals is very noisy; these p-values do not.
    ``misfit_p`` is the p-value of "either is extreme": the smaller of the two p-values,
    referred to its own null (each simulation's p-values ranked among the simulations).
    Columns ``outfit, infit, outfit_p, infit_p, misfit_p``, index the tasks.
    """
    outcomes = _coerce_outcomes(matrix, "misfit_p_values(matrix)")
    if int(n_simulations) < 1:
        raise DataError("misfit_p_values(n_simulations)", f"need >= 1, got {n_simulations}")
    x = np.nan_to_num(outcomes.values)
    mask = outcomes.observed.astype("float64")
    fitted = result.probabilities().to_numpy()
    if fitted.shape != x.shape:
        raise DataError(
            "misfit_p_values(result)", f"fit is for {fitted.shape}, matrix is {x.shape}"
        )
    outfit, infit = _fit_statistics(x, mask, fitted)
    rng = np.random.default_rng(seed)
    n_simulations = int(n_simulations)
    null_outfit = np.empty((n_simulations, x.shape[1]))
    null_infit = np.empty((n_simulations, x.shape[1]))
    from tqdm.auto import tqdm

    for index in tqdm(range(n_simulations), disable=not progress, desc="misfit null"):
        simulated = (rng.random(x.shape) < fitted).astype("float64")
        simulated_with_missing = np.where(outcomes.observed, simulated, np.nan)
        probabilities = (
            _refit(result, simulated_with_missing).probabilities().to_numpy() if refit else fitted
        )
        null_outfit[index], null_infit[index] = _fit_statistics(simulated, mask, probabilities)

    def upper_p(null: np.ndarray, observed: np.ndarray) -> np.ndarray:
        return (1.0 + (null >= observed - 1e-12).sum(axis=0)) / (n_simulations + 1.0)

    outfit_p, infit_p = upper_p(null_outfit, outfit), upper_p(null_infit, infit)
    # Each simulation's own p-values (ranked among all simulations) give the null of the
    # smaller of the two, so "either statistic is extreme" is calibrated as one test.
    draws = n_simulations + 1.0
    null_min = np.minimum(
        (draws - _rankdata(null_outfit, method="max", axis=0)) / draws,
        (draws - _rankdata(null_infit, method="max", axis=0)) / draws,
    )
    observed_min = np.minimum(outfit_p, infit_p)
    combined = (1.0 + (null_min <= observed_min + 1e-12).sum(axis=0)) / (n_simulations + 1.0)
    return pd.DataFrame(
        {
            "outfit": outfit,
            "infit": infit,
            "outfit_p": outfit_p,
            "infit_p": infit_p,
            "misfit_p": combined,
        },
        index=outcomes.tasks,
    )


def item_flags(
    matrix: pd.DataFrame | np.ndarray,
    result: IRTResult,
    outfit_cutoff: float = 2.0,
    infit_cutoff: float = 1.5,
    discrimination_cutoff: float = 0.5,
    correlation_cutoff: float = 0.0,
    misfit_alpha: float | None = None,
    n_simulations: int = 200,
    seed: int = 0,
    refit: bool = True,
) -> pd.DataFrame:
    """Per-task diagnostics from an outcome matrix and an IRT fit of that same matrix.

    Columns (one row per task, index ``instance_id``):

    - ``n_observed``, ``n_solved``, ``solve_rate``; ``never_solved`` (no system solves it),
      ``always_solved`` (every system that ran it solves it).
    - ``difficulty``, ``discrimination`` (from ``result``; 1 for the Rasch model).
    - ``point_biserial``: Pearson correlation between the task's 0/1 outcome and the fitted
      ability over the systems that ran it. ``item_rest_correlation``: the same with each
      system's solve rate on the *other* tasks, a model-free cross-check (NaN when the task
      is constant).
    - ``outfit`` = mean_s z_st^2 and ``infit`` = sum_s (x - p)^2 / sum_s p (1 - p), with
      z = (x - p) / sqrt(p (1 - p)) (Wright & Masters 1982). Expected value 1; values above
      2 (outfit) or 1.5 (infit) mean the outcomes are far noisier than the model predicts
      (Linacre's rule of thumb: > 2 degrades measurement).
    - ``negative_discrimination``: stronger systems do *worse* on it: the item-rest
      correlation is below ``correlation_cutoff`` and (for a 2PL fit) ``a`` is below
      ``discrimination_cutoff``. Requiring both keeps one-off chance correlations out.
    - ``misfit``: outfit > ``outfit_cutoff`` or infit > ``infit_cutoff``. With
      ``misfit_alpha`` instead calibrated: the combined p-value ``misfit_p`` of
      :func:`misfit_p_values` (``n_simulations``, ``seed``, ``refit``) below ``misfit_alpha``,
      so about ``misfit_alpha`` of tasks that fit the model are flagged (at most that share
      with ``refit=False``, whose null is wider); ``outfit_p``, ``infit_p``
      and ``misfit_p`` are added as columns.
    - ``flagged`` = never_solved or negative_discrimination or misfit.

    What the flags can and cannot show: they are statistical signals, not verdicts. A task
    nobody solves may simply be hard (or beyond today's systems), not broken; a misfitting or
    negatively discriminating task may have flaky or over-specific tests, an ambiguous issue,
    or be solvable by a lucky shortcut. With ~25 systems, correlations and fit statistics are
    noisy (one system's outcome can move them), so a flag is a reason to read the task, and
    the absence of a flag does not certify it. ``always_solved`` is reported but not flagged:
    it adds no information about ranking, but is not evidence of a defect.
    """
    outcomes = _coerce_outcomes(matrix, "item_flags(matrix)")
    if len(outcomes.index) != len(result.ability) or len(outcomes.columns) != len(
        result.difficulty
    ):
        raise DataError(
            "item_flags(result)",
            f"fit is for {len(result.ability)} x "
            f"{len(result.difficulty)}, matrix is {len(outcomes.index)} x "
            f"{len(outcomes.columns)}",
        )
    if isinstance(matrix, pd.DataFrame) and not (
        outcomes.index.equals(result.ability.index)
        and outcomes.columns.equals(result.difficulty.index)
    ):
        raise DataError("item_flags(result)", "matrix labels differ from the fitted model's")
    x = np.nan_to_num(outcomes.values)
    mask = outcomes.observed.astype("float64")
    p = np.clip(result.probabilities().to_numpy(), 1e-9, 1 - 1e-9)
    variance = p * (1 - p)
    squared_residual = mask * (x - p) ** 2
    n_observed = mask.sum(axis=0)
    n_solved = (x * mask).sum(axis=0)
    outfit = (squared_residual / variance).sum(axis=0) / n_observed
    infit = squared_residual.sum(axis=0) / (mask * variance).sum(axis=0)

    ability = np.broadcast_to(result.ability.to_numpy()[:, None], x.shape)
    point_biserial = _masked_correlation(x, ability, mask)
    # Rest score: each system's solve rate on the other tasks it ran.
    row_solved = (x * mask).sum(axis=1, keepdims=True)
    row_count = mask.sum(axis=1, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        rest_rate = (row_solved - x * mask) / (row_count - mask)
    rest_rate = np.nan_to_num(rest_rate)
    item_rest = _masked_correlation(x, rest_rate, mask)

    discrimination = result.discrimination.to_numpy()
    never_solved = n_solved == 0
    always_solved = n_solved == n_observed
    low_correlation = np.nan_to_num(item_rest, nan=np.inf) < correlation_cutoff
    if result.model == "2pl":
        negative = low_correlation & (discrimination < discrimination_cutoff)
    else:
        negative = low_correlation
    calibrated = None
    if misfit_alpha is not None:
        if not 0.0 < misfit_alpha < 1.0:
            raise DataError("item_flags(misfit_alpha)", f"must be in (0, 1), got {misfit_alpha}")
        calibrated = misfit_p_values(
            matrix, result, n_simulations=n_simulations, seed=seed, refit=refit
        )
        misfit = calibrated["misfit_p"].to_numpy() < misfit_alpha
    else:
        misfit = (outfit > outfit_cutoff) | (infit > infit_cutoff)
    frame = pd.DataFrame(
        {
            "n_observed": n_observed.astype(int),
            "n_solved": n_solved.astype(int),
            "solve_rate": n_solved / n_observed,
            "never_solved": never_solved,
            "always_solved": always_solved,
            "difficulty": result.difficulty.to_numpy(),
            "discrimination": discrimination,
            "point_biserial": point_biserial,
            "item_rest_correlation": item_rest,
            "outfit": outfit,
            "infit": infit,
            "negative_discrimination": negative,
            "misfit": misfit,
        },
        index=outcomes.columns,
    )
    if calibrated is not None:
        frame["outfit_p"] = calibrated["outfit_p"].to_numpy()
        frame["infit_p"] = calibrated["infit_p"].to_numpy()
        frame["misfit_p"] = calibrated["misfit_p"].to_numpy()
    frame["flagged"] = frame["never_solved"] | frame["negative_discrimination"] | frame["misfit"]
    frame.attrs["cutoffs"] = {
        "outfit": outfit_cutoff,
        "infit": infit_cutoff,
        "discrimination": discrimination_cutoff,
        "correlation": correlation_cutoff,
        "misfit_alpha": misfit_alpha,
    }
    return frame
