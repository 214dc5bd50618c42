"""Paired comparisons of systems evaluated on the same tasks.

Two systems run on the same tasks are compared task by task (Miller 2024, "Adding Error
Bars to Evals", arXiv:2411.00640, section on paired differences): only the discordant tasks,
solved by one and not the other, carry information about which is better.

- :func:`mcnemar_exact`: exact McNemar test, a two-sided binomial test of ``only_a`` successes
  in ``only_a + only_b`` discordant tasks with probability 1/2 (p = 1 without discordance).
- paired bootstrap p-value: with ``D*_b`` the resampled difference and ``d`` the observed one,
  the resampled differences centred on the observed one, ``D*_b - d``, approximate the null
  distribution of the difference (Efron & Tibshirani 1993, section 16.4; Hall & Wilson 1991);
  ``p = (1 + #{b : |D*_b - d| >= |d|}) / (B + 1)`` (two-sided, never 0).
- clustered paired test (tasks share a repository, so McNemar's independence fails): the
  CR2 t statistic of the per-task differences referred to its exact null under a working
  random-effects model (``"exact"``, the default with clusters), the wild cluster restricted
  bootstrap with Webb weights (``"wild"``) or Student's t with Bell-McCaffrey degrees of
  freedom (``"cr2"``, conservative); see :mod:`analysis.stats.clustered`. The wild
  bootstrap holds its 5% level too, but with 12 clusters its far tail is coarse: once all
  cluster differences share a sign, a resample whose weights all share a sign (2^-11 of
  them) is about as extreme, so its p-values rarely reach Holm's first cut over 276 pairs
  (1.8e-4) whatever ``B``; that is why it is not the default.
- multiple testing: Holm (1979) step-down control of the family-wise error rate and
  Benjamini-Hochberg (1995) control of the false discovery rate, both over all pairs.

A resampling p-value is never below ``1/(B+1)``; with Holm or BH over ``m`` pairs the
smallest corrected level is ``alpha/m`` (0.05/276 = 1.8e-4 for 24 systems), so ``B`` is
raised to :func:`required_resamples` whenever the requested number could not reach it.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy import stats as scipy_stats

from analysis.errors import DataError
from analysis.stats._matrix import as_outcome_matrix
from analysis.stats.bootstrap import bootstrap_scores, interval_from_rows, pair_indices
from analysis.stats.clustered import clustered_difference_tests

CORRECTIONS = ("holm", "bh", "none")
TESTS = ("mcnemar", "bootstrap", "wild", "cr2", "exact")
#: A resampling test must be able to put this many resamples' worth of p below the smallest
#: corrected level, ``(B + 1) * alpha / m >= TAIL_RESAMPLES``, so p-values near the cut are
#: not decided by one or two resamples.
TAIL_RESAMPLES = 5
# Resampled differences within this of the observed threshold count as "as extreme": scores
# are multiples of 1/n, so float noise must not split ties.
_TIE_TOLERANCE = 1e-9


def mcnemar_exact(
    a: np.ndarray | Sequence | pd.Series, b: np.ndarray | Sequence | pd.Series
) -> float:
    """Two-sided exact McNemar p-value for paired 0/1 outcomes ``a`` and ``b`` on the same tasks.

    With ``n01`` tasks solved only by ``a`` and ``n10`` only by ``b``,
    ``p = min(1, 2 P(Binomial(n01 + n10, 1/2) <= min(n01, n10)))``, which equals
    ``scipy.stats.binomtest(n01, n01 + n10, 0.5).pvalue``; ``p = 1`` when no task is discordant.
    """
    first = np.asarray(a, dtype="float64").ravel()
    second = np.asarray(b, dtype="float64").ravel()
    if first.shape != second.shape:
        raise DataError(
            "mcnemar_exact",
            f"outcome vectors differ in length: {first.shape[0]} vs {second.shape[0]}",
        )
    only_a = int(((first == 1) & (second == 0)).sum())
    only_b = int(((first == 0) & (second == 1)).sum())
    return mcnemar_from_counts(np.array([only_a]), np.array([only_b]))[0]


def mcnemar_from_counts(only_a: np.ndarray, only_b: np.ndarray) -> np.ndarray:
    """Exact two-sided McNemar p-values from the discordant counts of many pairs at once:
    ``min(1, 2 P(Bin(b + c, 1/2) <= min(b, c)))``, 1 where no task is discordant."""
    discordant = only_a + only_b
    smaller = np.minimum(only_a, only_b)
    p_values = 2.0 * scipy_stats.binom.cdf(smaller, discordant, 0.5)
    return np.where(discordant == 0, 1.0, np.minimum(1.0, p_values))


def holm_adjust(p_values: np.ndarray | Sequence) -> np.ndarray:
    """Holm (1979) step-down adjusted p-values.

    Sorting ``p_(1) <= ... <= p_(m)``: ``adj_(i) = max_{j <= i} min(1, (m - j + 1) p_(j))``,
    returned in the input order.
    """
    values = np.asarray(p_values, dtype="float64")
    m = values.size
    if m == 0:
        return values.copy()
    order = np.argsort(values, kind="stable")
    scaled = np.minimum(1.0, (m - np.arange(m)) * values[order])
    adjusted = np.empty(m)
    adjusted[order] = np.maximum.accumulate(scaled)
    return adjusted


def benjamini_hochberg_adjust(p_values: np.ndarray | Sequence) -> np.ndarray:
    """Benjamini-Hochberg (1995) adjusted p-values (q-values).

    Sorting ascending: ``adj_(i) = min_{j >= i} min(1, m p_(j) / j)``, in the input order
    (same as ``scipy.stats.false_discovery_control(p, method="bh")``).
    """
    values = np.asarray(p_values, dtype="float64")
    m = values.size
    if m == 0:
        return values.copy()
    order = np.argsort(values, kind="stable")
    scaled = np.minimum(1.0, values[order] * m / np.arange(1, m + 1))
    adjusted = np.empty(m)
    adjusted[order] = np.minimum.accumulate(scaled[::-1])[::-1]
    return adjusted


def adjust_p_values(p_values: np.ndarray | Sequence, correction: str = "holm") -> np.ndarray:
    """Adjust for multiple testing: ``"holm"``, ``"bh"`` (Benjamini-Hochberg) or ``"none"``."""
    if correction == "holm":
        return holm_adjust(p_values)
    if correction == "bh":
        return benjamini_hochberg_adjust(p_values)
    if correction == "none":
        return np.asarray(p_values, dtype="float64").copy()
    raise DataError("correction", f"unknown correction {correction!r}; use one of {CORRECTIONS}")


def required_resamples(n_tests: int, alpha: float = 0.05, correction: str = "holm") -> int:
    """Smallest ``B`` whose p-values can fall below the smallest corrected level.

    The smallest level is ``alpha / m`` for Holm (its first step) and BH (its first rank),
    ``alpha`` without correction; ``B`` must satisfy ``(B + 1) * level >= TAIL_RESAMPLES``
    (so ``1/(B+1)`` is at most a fifth of the level). 0.05 over 276 pairs needs 27,599.
    """
    if correction not in CORRECTIONS:
        raise DataError(
            "correction", f"unknown correction {correction!r}; use one of {CORRECTIONS}"
        )
    if not 0.0 < alpha < 1.0:
        raise DataError("alpha", f"must lie strictly between 0 and 1, got {alpha}")
    level = alpha if correction == "none" else alpha / max(int(n_tests), 1)
    return int(np.ceil(TAIL_RESAMPLES / level)) - 1


def bootstrap_p_values(differences: np.ndarray, observed: np.ndarray) -> np.ndarray:
    """Two-sided paired-bootstrap p-values per row of resampled differences (K x B).

    ``p = (1 + #{b : |D*_b - d| >= |d|}) / (B + 1)``: the centred resamples ``D*_b - d``
    stand in for the null distribution (see the module docstring). ``p = 1`` when ``d = 0``.
    """
    threshold = np.abs(observed) - _TIE_TOLERANCE
    centre = np.asarray(observed, dtype=np.float64)[:, None]
    extreme = (np.abs(differences - centre) >= threshold[:, None]).sum(axis=1)
    p_values = (1.0 + extreme) / (differences.shape[1] + 1.0)
    return np.where(np.abs(observed) < _TIE_TOLERANCE, 1.0, p_values)


def pairwise_comparisons(
    matrix: pd.DataFrame | np.ndarray,
    n_resamples: int = 10_000,
    seed: int = 0,
    correction: str = "holm",
    alpha: float = 0.05,
    clusters: Sequence | np.ndarray | pd.Series | None = None,
    test: str | None = None,
    confidence: float | None = None,
) -> pd.DataFrame:
    """Compare every pair of systems on the same tasks.

    One row per pair ``a < b`` (matrix order): ``system_a, system_b, score_a, score_b,
    difference`` (``score_a - score_b``), ``low, high`` (paired percentile bootstrap interval
    at ``confidence``, default ``1 - alpha``), ``only_a, only_b`` (discordant task counts),
    ``p_mcnemar`` (exact McNemar), ``p_bootstrap`` (centred paired bootstrap),
    ``p_adjusted`` (the chosen test's p-value corrected over all pairs by ``correction``:
    ``"holm"`` or ``"bh"``, or ``"none"``) and ``significant`` (``p_adjusted < alpha``).
    With ``clusters`` there are also ``se_cr2, df, clustered_low, clustered_high`` (CR2
    interval with the exact small-cluster critical value), ``p_cr2``, ``p_exact`` and
    ``p_wild`` (see
    :func:`analysis.stats.clustered.clustered_difference_tests`).

    ``test`` picks the p-value that is corrected: ``"mcnemar"`` (default without clusters;
    it assumes independent tasks), ``"exact"`` (default with ``clusters``), ``"wild"``,
    ``"cr2"`` or ``"bootstrap"`` (pairs bootstrap, resampling whole clusters when given);
    ``python -m analysis calibrate`` measures their levels. For the resampling tests the
    number of resamples is raised to :func:`required_resamples` when ``n_resamples`` could
    not reach the corrected level; ``attrs["n_resamples"]`` records the number used.
    """
    if correction not in CORRECTIONS:
        raise DataError(
            "correction", f"unknown correction {correction!r}; use one of {CORRECTIONS}"
        )
    if not 0.0 < alpha < 1.0:
        raise DataError("alpha", f"must lie strictly between 0 and 1, got {alpha}")
    if test is None:
        test = "mcnemar" if clusters is None else "exact"
    if test not in TESTS:
        raise DataError("test", f"unknown test {test!r}; use one of {TESTS}")
    if test in ("wild", "cr2", "exact") and clusters is None:
        raise DataError("test", f"test {test!r} needs clusters (one label per task)")
    outcome = as_outcome_matrix(
        matrix, where="pairwise_comparisons: matrix", allow_single_system=False
    )
    values = outcome.values
    first, second = pair_indices(outcome.n_systems)
    n_resamples = int(n_resamples)
    if test in ("bootstrap", "wild"):
        n_resamples = max(n_resamples, required_resamples(len(first), alpha, correction))
    solved_only = values @ (1.0 - values).T  # [a, b] = tasks solved by a and not by b
    only_a = solved_only[first, second].astype("int64")
    only_b = solved_only[second, first].astype("int64")

    result = bootstrap_scores(values, n_resamples=n_resamples, seed=seed, clusters=clusters)
    lows, highs, p_boot = [], [], []
    for a, b, differences in result.iter_differences():
        observed = result.observed[a] - result.observed[b]
        low, high = interval_from_rows(
            differences,
            observed,
            method="percentile",
            confidence=1.0 - alpha if confidence is None else confidence,
        )
        lows.append(low)
        highs.append(high)
        p_boot.append(bootstrap_p_values(differences, observed))

    frame = pd.DataFrame(
        {
            "system_a": [outcome.systems[i] for i in first],
            "system_b": [outcome.systems[i] for i in second],
            "score_a": result.observed[first],
            "score_b": result.observed[second],
            "difference": result.observed[first] - result.observed[second],
            "low": np.concatenate(lows),
            "high": np.concatenate(highs),
            "only_a": only_a,
            "only_b": only_b,
            "p_mcnemar": mcnemar_from_counts(only_a, only_b),
            "p_bootstrap": np.concatenate(p_boot),
        }
    )
    if clusters is not None:
        clustered = clustered_difference_tests(
            values,
            clusters,
            confidence=1.0 - alpha if confidence is None else confidence,
            n_resamples=n_resamples,
            seed=seed,
            pairs=(first, second),
        )
        frame["se_cr2"] = clustered["se"].to_numpy()
        frame["df"] = clustered["df"].to_numpy()
        frame["clustered_low"] = clustered["low"].to_numpy()
        frame["clustered_high"] = clustered["high"].to_numpy()
        frame["p_cr2"] = clustered["p_cr2"].to_numpy()
        frame["p_exact"] = clustered["p_exact"].to_numpy()
        frame["p_wild"] = clustered["p_wild"].to_numpy()
    frame["p_adjusted"] = adjust_p_values(frame[f"p_{test}"].to_numpy(), correction)
    frame["significant"] = frame["p_adjusted"] < alpha
    frame.attrs["test"] = test
    frame.attrs["correction"] = correction
    frame.attrs["n_resamples"] = n_resamples
    return frame
