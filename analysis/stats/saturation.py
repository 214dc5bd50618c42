"""Saturation of a leaderboard: the best-so-far frontier and S-curves fitted to it.

A benchmark "saturates" when its state of the art stops improving. We take every dated
submission, form the running maximum (the *frontier*: the submissions that set a new
record), and fit a three-parameter growth curve of score (percent) against time ``t`` in
years since the first submission::

    logistic:  S(t) = A / (1 + exp(-k (t - t0)))          (inflection at t0, S = A/2)
    Gompertz:  S(t) = A * exp(-b * exp(-c t))             (asymmetric; slower approach to A)

with :func:`scipy.optimize.curve_fit` (trust-region reflective, bounded). The asymptote
``A`` is bounded to [best observed score, 100]: a fitted ceiling below what has already
been achieved, or above a perfect score, is meaningless.

Two caveats the notebooks must state alongside any asymptote:

- The bound at 100 is binding for a young, steep frontier: A then says "no ceiling visible
  yet", not "the benchmark will be solved". Its bootstrap interval shows how weakly the
  data pin it down; the two models often disagree, and that disagreement is part of the
  uncertainty.
- A benchmark whose tasks are partly defective (unsolvable as specified, or with tests that
  reject correct fixes) has a *true* ceiling below 100: at most ``100 * (1 - defective
  share)`` for an honest system (see :func:`analysis.stats.grader.implied_score_ceiling`).
  A frontier flattening near that ceiling measures the benchmark's defects, not the limits
  of the systems; records above it suggest contamination or tests that accept wrong fixes.

The asymptote interval comes from a bootstrap over submissions (Efron & Tibshirani 1993):
resample the submissions with replacement, recompute the frontier, refit. Resamples whose
fit fails (too few records, no convergence) are counted in ``n_failed`` with their reasons,
never silently dropped; the interval is over the successful refits only. The record
(today's best submission) is kept in every resample (``keep_record=True``, the default):
it is an achieved score, not a sampling accident, and a plain bootstrap drops it from about
37% (``(1 - 1/n)^n``) of resamples, whose refits may then put the ceiling below a score
already achieved. With the record kept, the fit's lower bound on ``A`` (the resample's best
score) is the record itself in every refit, so no refit's ceiling is below it.
"""

from __future__ import annotations

import warnings
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy.optimize import OptimizeWarning, curve_fit
from scipy.special import expit
from tqdm.auto import tqdm

from analysis.errors import DataError

__all__ = ["MODELS", "SaturationFit", "best_so_far", "fit_saturation"]

DAYS_PER_YEAR = 365.25
#: Parameter names of each model, in the order the curve functions take them.
MODELS: dict[str, tuple[str, ...]] = {"logistic": ("A", "k", "t0"), "gompertz": ("A", "b", "c")}
MIN_FRONTIER_POINTS = 4  # three parameters plus at least one residual degree of freedom


def _logistic(t: np.ndarray, asymptote: float, rate: float, midpoint: float) -> np.ndarray:
    return asymptote * expit(rate * (t - midpoint))


def _gompertz(t: np.ndarray, asymptote: float, displacement: float, rate: float) -> np.ndarray:
    return asymptote * np.exp(-displacement * np.exp(-rate * t))


_CURVES = {"logistic": _logistic, "gompertz": _gompertz}


def best_so_far(
    frame: pd.DataFrame, date: str = "date", score: str = "resolved_pct", name: str = "name"
) -> pd.DataFrame:
    """The running maximum of ``score`` over submissions sorted by ``date``.

    Returns every dated submission (rows with a missing date or score are dropped and
    counted in ``attrs["dropped"]``), sorted by date, with columns ``date``, ``score``,
    ``name`` (when ``frame`` has it; otherwise the index label), ``best_so_far`` (the
    maximum score of all submissions up to and including this one), ``record_name`` (the
    submission holding that maximum) and ``is_record`` (this submission strictly raised
    the maximum). Ties: submissions on the same date are taken best first, and a
    submission that only equals the record does not take it over; the earliest keeps it.
    """
    for column in (date, score):
        if column not in frame.columns:
            raise DataError(
                "best_so_far(frame)", f"no column {column!r} (columns: {list(frame.columns)})"
            )
    names = frame[name] if name in frame.columns else pd.Series(frame.index, index=frame.index)
    table = pd.DataFrame(
        {
            "date": pd.to_datetime(frame[date], errors="coerce"),
            "name": names.astype(str),
            "score": pd.to_numeric(frame[score], errors="coerce").astype("float64"),
        }
    )
    complete = table["date"].notna() & table["score"].notna()
    dropped = int((~complete).sum())
    table = table.loc[complete].sort_values(
        ["date", "score", "name"], ascending=[True, False, True], kind="stable"
    )
    table = table.reset_index(drop=True)
    running = table["score"].cummax()
    previous = running.shift(1, fill_value=-np.inf)
    table["best_so_far"] = running
    table["is_record"] = table["score"] > previous
    # The record holder is the latest record-setting submission at or before each row.
    table["record_name"] = table["name"].where(table["is_record"]).ffill()
    table.attrs["dropped"] = dropped
    return table[["date", "name", "score", "best_so_far", "record_name", "is_record"]]


def _frontier(years: np.ndarray, scores: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Record-setting points (years, score) of submissions given as parallel arrays."""
    order = np.lexsort((-scores, years))  # by time, best first within a date
    years, scores = years[order], scores[order]
    previous = np.maximum.accumulate(np.concatenate([[-np.inf], scores[:-1]]))
    is_record = scores > previous
    return years[is_record], scores[is_record]


def _fit_frontier(model: str, years: np.ndarray, scores: np.ndarray) -> np.ndarray:
    """Least-squares fit of ``model`` to frontier points, best of a few starting points.

    Raises RuntimeError whose message starts with the reason ("too few frontier points",
    "no convergence") followed by a colon and details.
    """
    if len(years) < MIN_FRONTIER_POINTS:
        raise RuntimeError(f"too few frontier points: {len(years)} (need {MIN_FRONTIER_POINTS})")
    best = float(scores.max())
    lower_a, upper_a = best, max(100.0, best + 1e-6)
    span = max(float(years.max() - years.min()), 1e-3)
    first = max(float(scores[0]), 1e-3)
    starts: list[tuple[float, float, float]]
    if model == "logistic":
        bounds = ([lower_a, 1e-3, years.min() - 20 * span], [upper_a, 100.0, years.max() + 20])
        starts = [
            (min(upper_a, best * 1.05), 4.0 / span, float(years.mean())),
            (min(upper_a, best * 1.3), 2.0 / span, float(years.min())),
        ]
    else:
        bounds = ([lower_a, 1e-6, 1e-3], [upper_a, 1e4, 100.0])
        starts = [
            (a0, max(np.log(a0 / first), 1e-3), rate)
            for a0, rate in (
                (min(upper_a, best * 1.05), 4.0 / span),
                (min(upper_a, best * 1.3), 1.0 / span),
            )
        ]
    curve = _CURVES[model]
    fitted: list[tuple[float, np.ndarray]] = []
    errors: list[str] = []
    for start in starts:
        start = np.clip(start, bounds[0], bounds[1])
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", OptimizeWarning)
                params, _ = curve_fit(
                    curve, years, scores, p0=start, bounds=bounds, method="trf", maxfev=5000
                )
        except (RuntimeError, ValueError) as error:
            errors.append(type(error).__name__)
            continue
        if np.all(np.isfinite(params)):
            residual = float(((curve(years, *params) - scores) ** 2).sum())
            fitted.append((residual, params))
    if not fitted:
        raise RuntimeError(
            "no convergence: curve_fit failed from every start ("
            + ", ".join(sorted(set(errors)))
            + ")"
        )
    return min(fitted, key=lambda item: item[0])[1]


def _to_years(
    dates: pd.Series | np.ndarray | Sequence, origin: pd.Timestamp, where: str
) -> np.ndarray:
    stamps = pd.to_datetime(pd.Series(dates), errors="coerce", utc=True).dt.tz_localize(None)
    if stamps.isna().any():
        raise DataError(where, f"{int(stamps.isna().sum())} dates are missing or unparseable")
    return ((stamps - origin) / pd.Timedelta(days=1)).to_numpy(dtype="float64") / DAYS_PER_YEAR


def _decimal_year(stamp: pd.Timestamp) -> float:
    start = pd.Timestamp(year=stamp.year, month=1, day=1)
    length = pd.Timestamp(year=stamp.year + 1, month=1, day=1) - start
    return stamp.year + (stamp - start) / length


@dataclass(frozen=True)
class SaturationFit:
    """A saturation curve fitted to a leaderboard frontier.

    ``params`` maps the model's parameter names (``MODELS``) to values on the scale of
    percent and years since ``origin`` (the first submission). ``asymptote_interval`` is
    the bootstrap percentile interval of A at ``confidence``; ``boot_params`` holds one row
    per successful bootstrap refit, ``n_failed`` and ``failure_reasons`` the rest.
    ``extra`` says whether A sits on a bound: ``at_best_observed`` (the frontier has
    already flattened) and ``share_at_upper_bound`` (share of refits with A = 100).
    """

    model: str
    params: dict[str, float]
    asymptote: float
    asymptote_interval: tuple[float, float]
    confidence: float
    origin: pd.Timestamp
    frontier: pd.DataFrame
    n_submissions: int
    n_boot: int
    n_failed: int
    failure_reasons: dict[str, int]
    boot_params: np.ndarray
    rmse: float
    seed: int = 0
    extra: dict[str, float | bool] = field(default_factory=dict)

    def _curve(self, years: np.ndarray, params: Sequence[float] | None = None) -> np.ndarray:
        values = list(self.params.values()) if params is None else list(params)
        return _CURVES[self.model](years, *values)

    def predict(self, dates: pd.Series | np.ndarray | Sequence) -> np.ndarray:
        """Fitted frontier score (percent) at each date."""
        return self._curve(_to_years(dates, self.origin, "SaturationFit.predict(dates)"))

    def _years_to_reach(self, level: float, params: np.ndarray) -> float:
        """Years since origin at which the curve reaches ``level``; inf if it never does.

        Logistic: t = t0 - ln(A/level - 1) / k.  Gompertz: t = -ln(-ln(level/A) / b) / c.
        """
        asymptote, second, third = params
        if level <= 0:
            return -np.inf
        if level >= asymptote:
            return np.inf
        if self.model == "logistic":
            return float(third - np.log(asymptote / level - 1.0) / second)
        return float(-np.log(-np.log(level / asymptote) / second) / third)

    def year_to_reach(self, level: float) -> float:
        """Decimal calendar year at which the fitted frontier reaches ``level`` percent
        (``inf`` when ``level`` is at or above the asymptote)."""
        years = self._years_to_reach(level, np.array(list(self.params.values())))
        return _decimal_year(self.origin) + years

    def year_to_reach_interval(
        self, level: float, confidence: float | None = None
    ) -> tuple[float, float]:
        """Bootstrap percentile interval of :meth:`year_to_reach`; an upper end of ``inf``
        means more than ``(1 - confidence) / 2`` of the refits never reach ``level``."""
        confidence = self.confidence if confidence is None else confidence
        if len(self.boot_params) == 0:
            return (np.nan, np.nan)
        years = np.array([self._years_to_reach(level, row) for row in self.boot_params])
        tail = (1 - confidence) / 2
        # No interpolation: "never" (inf) is a legitimate order statistic.
        low, high = np.quantile(years, [tail, 1 - tail], method="inverted_cdf")
        origin = _decimal_year(self.origin)
        return (float(origin + low), float(origin + high))


def fit_saturation(
    dates: pd.Series | np.ndarray | Sequence,
    scores: pd.Series | np.ndarray | Sequence,
    model: str = "logistic",
    n_boot: int = 500,
    seed: int = 0,
    progress: bool = False,
    confidence: float = 0.95,
    keep_record: bool = True,
) -> SaturationFit:
    """Fit a logistic or Gompertz curve to the best-so-far frontier of dated scores.

    ``dates`` and ``scores`` (percent, 0-100) are parallel, one entry per submission (all
    submissions, not just records: the frontier is computed here, and again in each of the
    ``n_boot`` bootstrap resamples of submissions, seeded by ``seed``). See the module
    docstring for the curves, bounds, and what an asymptote can and cannot mean.
    ``keep_record`` adds the best submission to every resample (see the module docstring),
    so every refit's asymptote is at least the best score achieved.
    """
    if model not in MODELS:
        raise DataError(
            "fit_saturation(model)", f"unknown model {model!r}; use one of {sorted(MODELS)}"
        )
    if not 0 < confidence < 1:
        raise DataError("fit_saturation(confidence)", f"must be in (0, 1), got {confidence}")
    score_values = pd.to_numeric(pd.Series(scores), errors="coerce").to_numpy(dtype="float64")
    stamps = pd.to_datetime(pd.Series(dates), errors="coerce", utc=True).dt.tz_localize(None)
    if len(score_values) != len(stamps):
        raise DataError("fit_saturation", f"{len(stamps)} dates but {len(score_values)} scores")
    if np.isnan(score_values).any() or stamps.isna().any():
        raise DataError(
            "fit_saturation",
            "dates and scores must be complete: drop undated or unscored submissions first",
        )
    if ((score_values < 0) | (score_values > 100)).any():
        raise DataError("fit_saturation(scores)", "scores must be percentages in [0, 100]")
    origin = stamps.min()
    years = ((stamps - origin) / pd.Timedelta(days=1)).to_numpy(dtype="float64") / DAYS_PER_YEAR
    record_years, record_scores = _frontier(years, score_values)
    try:
        params = _fit_frontier(model, record_years, record_scores)
    except RuntimeError as error:
        raise DataError("fit_saturation", f"{model} fit to the frontier failed: {error}") from error
    curve = _CURVES[model]
    rmse = float(np.sqrt(np.mean((curve(record_years, *params) - record_scores) ** 2)))

    rng = np.random.default_rng(seed)
    record_index = int(np.argmax(score_values))
    boot_params: list[np.ndarray] = []
    reasons: Counter[str] = Counter()
    n = len(score_values)
    for _ in tqdm(range(n_boot), disable=not progress, desc=f"bootstrap {model}"):
        sample = rng.integers(0, n, n)
        if keep_record:
            sample = np.append(sample, record_index)
        try:
            boot_params.append(
                _fit_frontier(model, *_frontier(years[sample], score_values[sample]))
            )
        except RuntimeError as error:
            reasons[str(error).split(":")[0]] += 1  # reason without the details
    n_failed = sum(reasons.values())
    if n_boot and n_failed > 0.1 * n_boot:
        warnings.warn(
            f"fit_saturation: {n_failed} of {n_boot} bootstrap refits failed "
            f"({dict(reasons)}); the interval uses the rest",
            stacklevel=2,
        )
    boot = np.array(boot_params).reshape(-1, 3)
    tail = (1 - confidence) / 2
    interval = (
        (float(np.quantile(boot[:, 0], tail)), float(np.quantile(boot[:, 0], 1 - tail)))
        if len(boot)
        else (np.nan, np.nan)
    )
    frontier = pd.DataFrame(
        {
            "date": origin + pd.to_timedelta(record_years * DAYS_PER_YEAR, unit="D"),
            "years": record_years,
            "score": record_scores,
        }
    )
    return SaturationFit(
        model=model,
        params=dict(zip(MODELS[model], (float(v) for v in params), strict=True)),
        asymptote=float(params[0]),
        asymptote_interval=interval,
        confidence=confidence,
        origin=origin,
        frontier=frontier,
        n_submissions=n,
        n_boot=n_boot,
        n_failed=n_failed,
        failure_reasons=dict(reasons),
        boot_params=boot,
        rmse=rmse,
        seed=seed,
        extra={
            # A pinned at a bound: 100 = no ceiling visible; best observed = already flat.
            "at_best_observed": bool(params[0] <= record_scores.max() + 1e-6),
            "share_at_upper_bound": float(np.mean(boot[:, 0] >= 100 - 1e-6))
            if len(boot)
            else np.nan,
        },
    )
