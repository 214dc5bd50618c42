"""How small a difference a benchmark of ``n`` tasks can resolve (Miller 2024, section 5).

With ``z_a = Phi^-1(1 - alpha/2)`` (two-sided test) and ``z_b = Phi^-1(power)``:

- unpaired (two systems scored on independent task sets, both with pass rate near ``p``):
  ``MDE = (z_a + z_b) sqrt(2 p (1 - p) / n)``;
- paired (both systems on the same ``n`` tasks, McNemar-style normal approximation): the
  per-task difference ``d_i`` is -1, 0 or 1, with variance ``discordance - delta^2``, where
  ``discordance`` is the share of tasks on which the two systems disagree; for small
  ``delta`` this is about ``discordance``, so ``MDE = (z_a + z_b) sqrt(discordance / n)``.

``tasks_needed`` inverts these: ``n = ceil((z_a + z_b)^2 V / delta^2)`` with
``V = 2 p (1 - p)`` (unpaired) or ``V = discordance`` (paired). All functions broadcast over
array arguments. Differences are fractions (0.01 = one point).
"""

from __future__ import annotations

import numpy as np
from scipy import stats as scipy_stats

from analysis.errors import DataError
from analysis.stats._matrix import scalar_or_array
from analysis.stats.clustered import exact_critical_value

ArrayLike = float | int | np.ndarray


def granularity(n: ArrayLike) -> float | np.ndarray:
    """Smallest possible change of a score on ``n`` tasks: ``1 / n`` (one task)."""
    n_array = np.asarray(n, dtype="float64")
    if np.any(n_array <= 0):
        raise DataError("n", "number of tasks must be positive")
    return scalar_or_array(1.0 / n_array)


def _critical_sum(alpha: ArrayLike, power: ArrayLike) -> np.ndarray:
    alpha_array = np.asarray(alpha, dtype="float64")
    power_array = np.asarray(power, dtype="float64")
    if np.any((alpha_array <= 0) | (alpha_array >= 1)):
        raise DataError("alpha", "must lie strictly between 0 and 1")
    if np.any((power_array <= 0) | (power_array >= 1)):
        raise DataError("power", "must lie strictly between 0 and 1")
    return scipy_stats.norm.ppf(1.0 - alpha_array / 2.0) + scipy_stats.norm.ppf(power_array)


def _variance(p: ArrayLike, discordance: ArrayLike | None) -> np.ndarray:
    """Per-task variance of a difference: ``discordance`` (paired) or ``2 p (1 - p)``."""
    if discordance is not None:
        value = np.asarray(discordance, dtype="float64")
        if np.any((value < 0) | (value > 1)):
            raise DataError("discordance", "must be a share of tasks in [0, 1]")
        return value
    p_array = np.asarray(p, dtype="float64")
    if np.any((p_array < 0) | (p_array > 1)):
        raise DataError("p", "pass rate must lie in [0, 1]")
    return 2.0 * p_array * (1.0 - p_array)


def minimum_detectable_difference(
    n: ArrayLike,
    alpha: ArrayLike = 0.05,
    power: ArrayLike = 0.8,
    p: ArrayLike = 0.5,
    discordance: ArrayLike | None = None,
) -> float | np.ndarray:
    """Smallest true difference detected with probability ``power`` at level ``alpha``.

    Unpaired: ``(z_a + z_b) sqrt(2 p (1 - p) / n)``; paired when ``discordance`` (share of
    tasks where the two systems disagree) is given: ``(z_a + z_b) sqrt(discordance / n)``.
    """
    n_array = np.asarray(n, dtype="float64")
    if np.any(n_array <= 0):
        raise DataError("n", "number of tasks must be positive")
    return scalar_or_array(
        _critical_sum(alpha, power) * np.sqrt(_variance(p, discordance) / n_array)
    )


def tasks_needed(
    delta: ArrayLike,
    alpha: ArrayLike = 0.05,
    power: ArrayLike = 0.8,
    p: ArrayLike = 0.5,
    discordance: ArrayLike | None = None,
) -> int | np.ndarray:
    """Tasks needed to detect a true difference ``delta``: ``ceil((z_a + z_b)^2 V / delta^2)``.

    ``V = 2 p (1 - p)`` unpaired or ``V = discordance`` paired; the inverse of
    :func:`minimum_detectable_difference` (the MDE at the returned ``n`` is at most ``delta``).
    """
    delta_array = np.abs(np.asarray(delta, dtype="float64"))
    if np.any(delta_array == 0):
        raise DataError("delta", "difference to detect must be non-zero")
    exact = _critical_sum(alpha, power) ** 2 * _variance(p, discordance) / delta_array**2
    # Guard against float round-up (e.g. 384.00000000001 -> 385).
    needed = np.maximum(1, np.ceil(exact - 1e-9)).astype("int64")
    return scalar_or_array(needed)


def clustered_minimum_detectable_difference(
    se: ArrayLike,
    sizes: np.ndarray,
    rho: float = 0.0,
    alpha: float = 0.05,
    power: float = 0.8,
) -> float | np.ndarray:
    """Minimum detectable difference of the clustered paired CR2 exact test.

    With ``SE`` the CR2 standard error of the paired difference and ``c(q)`` the exact
    small-cluster critical value at two-sided coverage ``q`` under the working model with
    intra-cluster correlation ``rho``
    (:func:`analysis.stats.clustered.exact_critical_value`):
    ``MDD = (c(1 - alpha) + c(2 power - 1)) SE``, the clustered analogue of
    ``(t_{1-a/2} + t_{power}) SE`` (the second term is the ``power`` quantile of ``|T|``'s
    one-sided tail, which the few effective clusters fatten as they do the first).
    ``python -m analysis calibrate`` (family ``ranks``, ``mdd_clustered``) checks that a true
    gap of this size is detected with about the stated power.
    """
    _critical_sum(alpha, power)  # validates alpha and power
    if not float(power) > 0.5:
        raise DataError("power", f"the clustered MDD needs power above 0.5, got {power}")
    critical = exact_critical_value(sizes, rho, 1.0 - float(alpha))
    power_quantile = exact_critical_value(sizes, rho, 2.0 * float(power) - 1.0)
    return scalar_or_array((critical + power_quantile) * np.asarray(se, dtype="float64"))
