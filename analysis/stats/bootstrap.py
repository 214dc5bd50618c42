"""One fast, paired bootstrap engine for a systems x tasks outcome matrix.

Each resample draws the tasks (or, for the cluster bootstrap, whole clusters such as
repositories) once and scores every system on that same draw, so all differences between
systems are paired. Draws are stored as counts: resample ``b`` has a count vector ``w_b``
(how often each task was drawn) and the scores of all systems are the matrix product
``W @ X.T / n``, computed in chunks of ``chunk_size`` resamples to bound memory.

Reproducibility: the resamples depend only on ``seed``, ``n_resamples`` and the data (and
clusters), not on ``chunk_size``: one ``numpy.random.default_rng(seed)`` generator draws the
task indices resample after resample, and chunking only changes how many rows are drawn per
call (``Generator.integers`` yields the same stream whichever way it is split; tested).

Intervals (Efron & Tibshirani 1993, *An Introduction to the Bootstrap*, ch. 13-14):

- percentile: the ``a/2`` and ``1 - a/2`` quantiles of the resampled statistic;
- BCa: quantiles at ``Phi(z0 + (z0 + z_q) / (1 - acc (z0 + z_q)))`` for ``z_q = Phi^-1(q)``,
  with bias correction ``z0 = Phi^-1(share of resamples below the observed value)`` (ties
  count one half, as in ``scipy.stats.bootstrap``) and acceleration from the jackknife,
  ``acc = sum d_i^3 / (6 (sum d_i^2)^(3/2))``, ``d_i = mean_j(theta_(j)) - theta_(i)``. For a
  mean the leave-one-out estimates are closed form, ``theta_(i) = (T - x_i) / (n - 1)``; for
  the cluster bootstrap ``theta_(c) = (T - T_c) / (n - n_c)`` (leave one cluster out). A
  difference of two systems' scores is linear, so its jackknife values are the difference of
  theirs.

The cluster (block) bootstrap resamples clusters with replacement and scores each system as
solved tasks over drawn tasks (a ratio estimator, since clusters differ in size).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy.special import ndtr, ndtri

from analysis.errors import DataError
from analysis.stats._matrix import as_outcome_matrix, cluster_codes

# Elements of the per-chunk count matrix (resamples x tasks) when chunk_size is not given:
# small enough to stay in cache (measured fastest on the 25 x 500 bash-only matrix).
_DEFAULT_CHUNK_ELEMENTS = 1 << 18
# Pairs processed at once in difference_intervals (bounds the B x pairs working array).
_PAIR_BLOCK = 512
METHODS = ("percentile", "bca")
_TIE_TOLERANCE = 1e-9


def _row_bincount(indices: np.ndarray, n_bins: int) -> np.ndarray:
    """Counts per row of an integer index matrix: ``out[r, j] = #{k : indices[r, k] == j}``."""
    n_rows = indices.shape[0]
    offsets = (np.arange(n_rows, dtype=np.intp) * n_bins)[:, None]
    flat = np.bincount((indices + offsets).ravel(), minlength=n_rows * n_bins)
    return flat.reshape(n_rows, n_bins)


def _alpha(confidence: float) -> float:
    if not 0.0 < confidence < 1.0:
        raise DataError("confidence", f"must lie strictly between 0 and 1, got {confidence}")
    return 1.0 - confidence


def _row_quantiles(sorted_rows: np.ndarray, levels: np.ndarray) -> np.ndarray:
    """Per-row quantiles of row-sorted ``sorted_rows`` (K x B) at ``levels`` (K,).

    Linear interpolation between order statistics (NumPy's default ``"linear"`` method).
    """
    n_values = sorted_rows.shape[1]
    position = np.clip(np.nan_to_num(levels, nan=0.5), 0.0, 1.0) * (n_values - 1)
    below = np.floor(position).astype(np.intp)
    above = np.minimum(below + 1, n_values - 1)
    fraction = position - below
    rows = np.arange(sorted_rows.shape[0])
    return sorted_rows[rows, below] * (1.0 - fraction) + sorted_rows[rows, above] * fraction


def acceleration(jackknife: np.ndarray) -> np.ndarray:
    """BCa acceleration per row of leave-one-out estimates (K x J).

    ``acc = sum_i d_i^3 / (6 (sum_i d_i^2)^(3/2))`` with ``d_i = mean(theta_(.)) - theta_(i)``
    (Efron & Tibshirani 1993, eq. 14.15); 0 where the jackknife values do not vary.
    """
    deviations = jackknife.mean(axis=1, keepdims=True) - jackknife
    squared = deviations * deviations
    squares = squared.sum(axis=1)
    cubes = (squared * deviations).sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        value = cubes / (6.0 * squares * np.sqrt(squares))
    return np.where(squares > 0, value, 0.0)


def interval_from_rows(
    rows: np.ndarray,
    observed: np.ndarray,
    jackknife: np.ndarray | None = None,
    method: str = "percentile",
    confidence: float = 0.95,
) -> tuple[np.ndarray, np.ndarray]:
    """Percentile or BCa interval per row of resampled statistics ``rows`` (K x B).

    ``observed`` is the statistic on the original data (K,), ``jackknife`` its leave-one-out
    values (K x J, needed for BCa). See the module docstring for the formulas. Rows (not
    columns) so that sorting runs over contiguous memory.
    """
    alpha = _alpha(confidence)
    if method not in METHODS:
        raise DataError("method", f"unknown interval method {method!r}; use one of {METHODS}")
    ordered = np.sort(rows, axis=1)
    n_rows, n_resamples = rows.shape
    if method == "percentile":
        low_level = np.full(n_rows, alpha / 2.0)
        high_level = np.full(n_rows, 1.0 - alpha / 2.0)
    else:
        if jackknife is None:
            raise DataError("method", "BCa needs jackknife values")
        centre = np.asarray(observed, dtype=np.float64)[:, None]
        # Scores are multiples of 1/n: a tolerance keeps float noise from splitting ties.
        below = (ordered < centre - _TIE_TOLERANCE).sum(axis=1) + (
            ordered <= centre + _TIE_TOLERANCE
        ).sum(axis=1)
        z0 = ndtri(below / (2.0 * n_resamples))
        acc = acceleration(jackknife)
        z_low, z_high = ndtri(alpha / 2.0), ndtri(1.0 - alpha / 2.0)
        with np.errstate(invalid="ignore", divide="ignore"):
            low_level = ndtr(z0 + (z0 + z_low) / (1.0 - acc * (z0 + z_low)))
            high_level = ndtr(z0 + (z0 + z_high) / (1.0 - acc * (z0 + z_high)))
    low = _row_quantiles(ordered, low_level)
    high = _row_quantiles(ordered, high_level)
    # A statistic that never varies (e.g. a system solving every task) has a point interval.
    constant = ordered[:, 0] == ordered[:, -1]
    low = np.where(constant, ordered[:, 0], low)
    high = np.where(constant, ordered[:, -1], high)
    return low, high


def interval_from_resamples(
    resamples: np.ndarray,
    observed: np.ndarray,
    jackknife: np.ndarray | None = None,
    method: str = "percentile",
    confidence: float = 0.95,
) -> tuple[np.ndarray, np.ndarray]:
    """Percentile or BCa interval per column of ``resamples`` (B x K); see
    :func:`interval_from_rows`."""
    return interval_from_rows(
        np.ascontiguousarray(np.asarray(resamples).T), observed, jackknife, method, confidence
    )


def pair_indices(n_systems: int) -> tuple[np.ndarray, np.ndarray]:
    """Indices ``(a, b)`` of all pairs ``a < b`` in row-major order."""
    first, second = np.triu_indices(n_systems, k=1)
    return first.astype(np.intp), second.astype(np.intp)


@dataclass
class BootstrapResult:
    """Resampled scores of every system on shared resamples of the tasks.

    ``resamples[b, s]`` is system ``s``'s score (a fraction) on resample ``b``; ``observed``
    the scores on the original tasks; ``jackknife`` the leave-one-out (task, or cluster)
    scores used for the BCa acceleration.
    """

    systems: list[str]
    observed: np.ndarray
    resamples: np.ndarray
    jackknife: np.ndarray = field(repr=False)
    seed: int = 0
    clustered: bool = False

    _rows: np.ndarray | None = field(default=None, init=False, repr=False, compare=False)

    @property
    def n_resamples(self) -> int:
        return self.resamples.shape[0]

    @property
    def resample_rows(self) -> np.ndarray:
        """``resamples`` transposed to contiguous systems x resamples (cached)."""
        if self._rows is None:
            self._rows = np.ascontiguousarray(self.resamples.T)
        return self._rows

    def intervals(self, method: str = "percentile", confidence: float = 0.95) -> pd.DataFrame:
        """Per-system interval: columns ``system, score, se, low, high`` (fractions).

        ``se`` is the standard deviation of the resampled scores (ddof=1).
        """
        low, high = interval_from_rows(
            self.resample_rows, self.observed, self.jackknife, method, confidence
        )
        return pd.DataFrame(
            {
                "system": self.systems,
                "score": self.observed,
                "se": self.resamples.std(axis=0, ddof=1),
                "low": low,
                "high": high,
            }
        )

    def iter_differences(
        self, block: int = _PAIR_BLOCK
    ) -> Iterator[tuple[np.ndarray, np.ndarray, np.ndarray]]:
        """Yield ``(a, b, differences)`` for blocks of all pairs ``a < b``.

        ``differences[k, r]`` is ``score_a[k] - score_b[k]`` on resample ``r`` (pairs x
        resamples).
        """
        rows = self.resample_rows
        first, second = pair_indices(len(self.systems))
        for start in range(0, len(first), block):
            a, b = first[start : start + block], second[start : start + block]
            yield a, b, rows[a] - rows[b]

    def difference_intervals(
        self, method: str = "percentile", confidence: float = 0.95
    ) -> pd.DataFrame:
        """Paired interval of ``score_a - score_b`` for every pair ``a < b`` (system order).

        Columns ``system_a, system_b, score_a, score_b, difference, se, low, high``. All pairs
        come from the same resamples; work is vectorised over blocks of pairs.
        """
        # Var(A - B) = Var A + Var B - 2 Cov(A, B), from the small systems x systems covariance.
        covariance = np.atleast_2d(np.cov(self.resamples, rowvar=False, ddof=1))
        parts = []
        for a, b, differences in self.iter_differences():
            observed = self.observed[a] - self.observed[b]
            jackknife = self.jackknife[a] - self.jackknife[b]
            low, high = interval_from_rows(differences, observed, jackknife, method, confidence)
            parts.append(
                pd.DataFrame(
                    {
                        "system_a": [self.systems[i] for i in a],
                        "system_b": [self.systems[i] for i in b],
                        "score_a": self.observed[a],
                        "score_b": self.observed[b],
                        "difference": observed,
                        "se": np.sqrt(
                            np.maximum(
                                covariance[a, a] + covariance[b, b] - 2.0 * covariance[a, b], 0.0
                            )
                        ),
                        "low": low,
                        "high": high,
                    }
                )
            )
        if not parts:
            return pd.DataFrame(
                columns=[
                    "system_a",
                    "system_b",
                    "score_a",
                    "score_b",
                    "difference",
                    "se",
                    "low",
                    "high",
                ]
            )
        return pd.concat(parts, ignore_index=True)


def bootstrap_scores(
    matrix: pd.DataFrame | np.ndarray,
    n_resamples: int = 10_000,
    seed: int = 0,
    clusters: Sequence | np.ndarray | pd.Series | None = None,
    chunk_size: int | None = None,
    progress: bool = False,
) -> BootstrapResult:
    """Bootstrap the scores of all systems on shared resamples of the tasks.

    Each resample draws ``n`` task indices uniformly with replacement (or, with ``clusters``,
    ``C`` cluster labels with replacement), turns them into counts by ``bincount`` and scores
    every system as ``counts @ X.T / n`` (cluster bootstrap: solved over drawn tasks). The
    result depends only on ``seed``, ``n_resamples``, the matrix and the clusters, not on
    ``chunk_size`` (resamples per chunk; by default a chunk's count matrix holds about
    262,000 entries, which stays in cache). ``progress`` shows a tqdm bar over chunks.
    """
    if int(n_resamples) < 2:
        raise DataError("n_resamples", f"need at least 2 resamples, got {n_resamples}")
    n_resamples = int(n_resamples)
    outcome = as_outcome_matrix(matrix, where="bootstrap_scores: matrix")
    values = outcome.values
    n_systems, n_tasks = values.shape
    coded = cluster_codes(clusters, n_tasks, where="bootstrap_scores: clusters")
    totals = values.sum(axis=1)
    observed = totals / n_tasks

    if coded is None:
        units = n_tasks
        unit_totals = values.T  # tasks x systems: each task is its own unit
        unit_sizes = np.ones(n_tasks)
    else:
        codes, units = coded
        membership = np.zeros((n_tasks, units))
        membership[np.arange(n_tasks), codes] = 1.0
        unit_totals = membership.T @ values.T  # clusters x systems: solved tasks per cluster
        unit_sizes = membership.sum(axis=0)
    # Leave-one-unit-out scores, (T - T_u) / (n - n_u): closed form jackknife of a mean/ratio.
    # (With a single cluster nothing is left; the observed score stands in, giving acc = 0.)
    remaining = (n_tasks - unit_sizes)[None, :]
    jackknife = np.divide(
        totals[:, None] - unit_totals.T,
        remaining,
        out=np.repeat(observed[:, None], units, axis=1),
        where=remaining > 0,
    )

    # Counts, solved totals and drawn tasks are integers; float32 products are exact (and
    # faster) while every possible sum stays below 2^24.
    largest_sum = units * float(unit_sizes.max())
    product_dtype = np.float32 if largest_sum < (1 << 24) else np.float64
    unit_totals_product = unit_totals.astype(product_dtype)
    unit_sizes_product = unit_sizes.astype(product_dtype)
    if chunk_size is None:
        chunk_size = max(1, _DEFAULT_CHUNK_ELEMENTS // units)
    chunk_size = max(1, min(int(chunk_size), n_resamples))
    rng = np.random.default_rng(seed)
    resamples = np.empty((n_resamples, n_systems))
    starts = range(0, n_resamples, chunk_size)
    if progress:
        from tqdm.auto import tqdm

        starts = tqdm(starts, total=len(starts), desc="bootstrap", unit="chunk")
    for start in starts:
        size = min(chunk_size, n_resamples - start)
        counts = _row_bincount(rng.integers(0, units, size=(size, units)), units)
        counts = counts.astype(product_dtype)
        solved = (counts @ unit_totals_product).astype(np.float64)
        if coded is None:
            resamples[start : start + size] = solved / n_tasks
        else:
            resamples[start : start + size] = solved / (counts @ unit_sizes_product)[:, None]
    return BootstrapResult(
        systems=outcome.systems,
        observed=observed,
        resamples=resamples,
        jackknife=jackknife,
        seed=seed,
        clustered=coded is not None,
    )
