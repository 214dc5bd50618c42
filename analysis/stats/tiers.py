"""Which systems can a benchmark actually tell apart?

- :func:`tiers`: two groupings built on corrected pairwise tests
  (:func:`analysis.stats.comparisons.pairwise_comparisons`), systems sorted by score:

  * ``letters``: a compact letter display (Piepho 2004, "An algorithm for a letter-based
    representation of all-pairwise comparisons", J. Comput. Graph. Stat. 13(2)), built by the
    insert-absorb algorithm: two systems share a letter if and only if they are not
    significantly different. Groups may overlap ("ab").
  * ``tier``: a simpler, non-overlapping grouping: walking down the sorted list, a system joins
    the current tier if it is not significantly different from the tier's top system and
    otherwise starts a new tier (tier 1 is the best).

- :func:`rank_intervals`: each system's rank in every bootstrap resample (rank 1 = best;
  ties get the best, "min", rank, so two systems tied for first are both 1) and a percentile
  interval of those ranks.
- :func:`split_half_rank_stability`: random halves of the tasks rank the systems twice;
  Spearman and Kendall (tau-b) correlations between the two rankings and how often the top
  system agrees.
"""

from __future__ import annotations

import string
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import stats as scipy_stats

from analysis.errors import DataError
from analysis.stats._matrix import as_outcome_matrix
from analysis.stats.bootstrap import BootstrapResult, pair_indices
from analysis.stats.comparisons import pairwise_comparisons


def _letter(index: int) -> str:
    """``a``..``z``, then ``A``..``Z``, then ``[53]``, ``[54]``, ...: concatenations of these
    stay unambiguous however many groups there are."""
    symbols = string.ascii_lowercase + string.ascii_uppercase
    return symbols[index] if index < len(symbols) else f"[{index + 1}]"


def compact_letter_display(different: np.ndarray) -> list[str]:
    """Letters per item from a symmetric boolean matrix of significant differences.

    Insert-absorb (Piepho 2004): start with one group holding every item; for each
    significant pair (i, j), split every group holding both into a copy without i and a copy
    without j; then drop groups contained in another (absorb). Groups are lettered in order of
    their first (lowest-index) member, so with items sorted best first, ``a`` is the top group.
    Two items share a letter exactly when they are not significantly different. Piepho's
    optional "sweep" for redundant letters is not applied.
    """
    n_items = different.shape[0]
    # Groups as bit masks (bit k = item k): subset tests are integer operations.
    groups: list[int] = [(1 << n_items) - 1]
    for i, j in zip(*np.nonzero(np.triu(different, k=1)), strict=True):
        pair = (1 << int(i)) | (1 << int(j))
        kept = [group for group in groups if group & pair != pair]
        candidates = set()
        for group in groups:
            if group & pair == pair:
                candidates.update((group & ~(1 << int(i)), group & ~(1 << int(j))))
        # Only new groups can be absorbed: an old maximal group is never inside a subset of
        # another old group.
        pool = kept + list(candidates)
        groups = kept + [
            candidate
            for candidate in candidates
            if not any(other != candidate and candidate & other == candidate for other in pool)
        ]
    groups.sort(key=lambda group: (group & -group).bit_length())
    return [
        "".join(_letter(k) for k, group in enumerate(groups) if group >> item & 1)
        for item in range(n_items)
    ]


def tiers_from_significance(
    scores: np.ndarray, different: np.ndarray
) -> tuple[list[str], np.ndarray, np.ndarray]:
    """Letters and non-overlapping tiers from a symmetric boolean matrix of significant
    differences (see the module docstring): returns ``(letters, tiers, order)``, with
    ``order`` the best-first (stable) order of the items and the other two in that order."""
    order = np.argsort(-np.asarray(scores, dtype=np.float64), kind="stable")
    sorted_different = np.asarray(different, dtype=bool)[np.ix_(order, order)]
    letters = compact_letter_display(sorted_different)
    tier_numbers = np.empty(len(order), dtype="int64")
    tier, top = 1, 0
    for position in range(len(order)):
        if sorted_different[top, position]:
            tier, top = tier + 1, position
        tier_numbers[position] = tier
    return letters, tier_numbers, order


def tiers(
    matrix: pd.DataFrame | np.ndarray,
    alpha: float = 0.05,
    correction: str = "holm",
    n_resamples: int = 10_000,
    seed: int = 0,
    clusters: Sequence | np.ndarray | pd.Series | None = None,
    test: str | None = None,
) -> pd.DataFrame:
    """Groups of systems that the benchmark cannot tell apart, best first.

    Columns ``system, score, letters, tier``: compact letter display and non-overlapping
    tiers (see the module docstring) from :func:`pairwise_comparisons` with the given
    ``alpha``, ``correction``, ``test`` and ``clusters``. Sorted by score, descending (ties
    keep matrix order). Tasks that share a repository are not independent: pass
    ``clusters`` and the pairs are tested with the clustered CR2 test (``test="exact"``, the
    default then; ``"wild"`` and ``"cr2"`` are alternatives), not exact McNemar.
    """
    outcome = as_outcome_matrix(matrix, where="tiers: matrix", allow_single_system=False)
    comparisons = pairwise_comparisons(
        outcome.values,
        n_resamples=n_resamples,
        seed=seed,
        correction=correction,
        alpha=alpha,
        clusters=clusters,
        test=test,
    )
    n_systems = outcome.n_systems
    scores = outcome.values.mean(axis=1)
    different = np.zeros((n_systems, n_systems), dtype=bool)
    first, second = pair_indices(n_systems)  # the row order of pairwise_comparisons
    significant = comparisons["significant"].to_numpy(dtype=bool)
    different[first, second] = significant
    different[second, first] = significant

    letters, tier_numbers, order = tiers_from_significance(scores, different)
    frame = pd.DataFrame(
        {
            "system": [outcome.systems[i] for i in order],
            "score": scores[order],
            "letters": letters,
            "tier": tier_numbers,
        }
    )
    frame.attrs["comparisons"] = comparisons.attrs
    return frame


def percentile_rank_bounds(
    resamples: np.ndarray, confidence: float = 0.95
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Percentile rank interval of every system from bootstrap scores ``(..., B, K)``:
    ranks within each resample (1 = best, ties take the minimum), then ``floor`` of the
    ``a/2`` and ``ceil`` of the ``1 - a/2`` quantile over the ``B`` resamples. Returns
    ``(low, high, median, p_top)``, each ``(..., K)``; vectorised so the calibration
    harness measures the same computation on many replicates at once."""
    if not 0.0 < confidence < 1.0:
        raise DataError("confidence", f"must lie strictly between 0 and 1, got {confidence}")
    alpha = 1.0 - confidence
    ranks = scipy_stats.rankdata(-np.asarray(resamples), method="min", axis=-1)
    low, median, high = np.quantile(ranks, [alpha / 2.0, 0.5, 1.0 - alpha / 2.0], axis=-2)
    top = (ranks == 1).mean(axis=-2)
    return np.floor(low).astype("int64"), np.ceil(high).astype("int64"), median, top


def rank_intervals(bootstrap_result: BootstrapResult, confidence: float = 0.95) -> pd.DataFrame:
    """Bootstrap distribution of each system's rank (1 = best; ties take the minimum rank).

    Columns ``system, score, rank`` (observed), ``rank_low, rank_high`` (percentile interval
    of the resampled ranks, rounded outward to whole ranks: ``floor`` and ``ceil`` of the
    ``a/2`` and ``1 - a/2`` quantiles; :func:`percentile_rank_bounds`), ``rank_median`` and
    ``p_top`` (share of resamples in which the system ranks first, ties included). Sorted by
    observed rank. Coverage of the true rank (``python -m analysis calibrate``, family
    ``ranks``) holds with a repository (cluster) bootstrap; a task bootstrap under-covers
    when tasks share repositories and scores are close.
    """
    low, high, median, top = percentile_rank_bounds(bootstrap_result.resamples, confidence)
    observed = scipy_stats.rankdata(-bootstrap_result.observed, method="min")
    frame = pd.DataFrame(
        {
            "system": bootstrap_result.systems,
            "score": bootstrap_result.observed,
            "rank": observed.astype("int64"),
            "rank_low": low,
            "rank_high": high,
            "rank_median": median,
            "p_top": top,
        }
    )
    return frame.sort_values(["rank", "system"], kind="stable").reset_index(drop=True)


@dataclass(frozen=True)
class RankStability:
    """Agreement between rankings on random halves of the tasks.

    ``splits`` has one row per split: ``spearman``, ``kendall`` (tau-b), ``top_agrees``
    (both halves rank the same system first: their sets of top-tied systems overlap) and
    ``top_retained`` (the full-data top system is top, ties included, in both halves).
    """

    spearman_mean: float
    kendall_mean: float
    top_agreement: float
    top_retained: float
    n_splits: int
    splits: pd.DataFrame = field(repr=False)


def row_pearson(first: np.ndarray, second: np.ndarray) -> np.ndarray:
    """Pearson correlation of each row of ``first`` with the same row of ``second`` (on
    ranks, Spearman's); NaN for a constant row."""
    first = first - first.mean(axis=1, keepdims=True)
    second = second - second.mean(axis=1, keepdims=True)
    denominator = np.sqrt((first**2).sum(axis=1) * (second**2).sum(axis=1))
    with np.errstate(invalid="ignore", divide="ignore"):
        return (first * second).sum(axis=1) / denominator


def _row_kendall_tau_b(first: np.ndarray, second: np.ndarray) -> np.ndarray:
    """Kendall tau-b per row: ``(C - D) / sqrt((P - T_x)(P - T_y))`` over all item pairs."""
    a, b = np.triu_indices(first.shape[1], k=1)
    sign_first = np.sign(first[:, a] - first[:, b])
    sign_second = np.sign(second[:, a] - second[:, b])
    concordance = (sign_first * sign_second).sum(axis=1)
    untied_first = (sign_first != 0).sum(axis=1)
    untied_second = (sign_second != 0).sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return concordance / np.sqrt(untied_first * untied_second.astype("float64"))


def split_half_rank_stability(
    matrix: pd.DataFrame | np.ndarray, n_splits: int = 200, seed: int = 0
) -> RankStability:
    """Rank systems on two random halves of the tasks, ``n_splits`` times (vectorised).

    Each split permutes the tasks with ``default_rng(seed)`` and takes the first
    ``floor(n/2)`` as half A, the rest as half B. Spearman is the Pearson correlation of
    average ranks; Kendall is tau-b; splits where a half scores every system equally give
    NaN correlations (ignored in the means).
    """
    outcome = as_outcome_matrix(
        matrix, where="split_half_rank_stability: matrix", allow_single_system=False
    )
    if n_splits < 1:
        raise DataError("n_splits", f"need at least one split, got {n_splits}")
    values = outcome.values
    n_tasks = outcome.n_tasks
    if n_tasks < 2:
        raise DataError("split_half_rank_stability: matrix", "need at least two tasks")
    rng = np.random.default_rng(seed)
    half = n_tasks // 2
    in_first = np.zeros((n_splits, n_tasks))
    for split in range(n_splits):
        in_first[split, rng.permutation(n_tasks)[:half]] = 1.0
    scores_first = in_first @ values.T / half  # splits x systems
    scores_second = (1.0 - in_first) @ values.T / (n_tasks - half)
    spearman = row_pearson(
        scipy_stats.rankdata(scores_first, axis=1), scipy_stats.rankdata(scores_second, axis=1)
    )
    kendall = _row_kendall_tau_b(scores_first, scores_second)
    top_first = scores_first == scores_first.max(axis=1, keepdims=True)
    top_second = scores_second == scores_second.max(axis=1, keepdims=True)
    overall_top = int(np.argmax(values.mean(axis=1)))
    splits = pd.DataFrame(
        {
            "split": np.arange(n_splits),
            "spearman": spearman,
            "kendall": kendall,
            "top_agrees": (top_first & top_second).any(axis=1),
            "top_retained": top_first[:, overall_top] & top_second[:, overall_top],
        }
    )
    return RankStability(
        spearman_mean=float(np.nanmean(spearman)) if np.isfinite(spearman).any() else np.nan,
        kendall_mean=float(np.nanmean(kendall)) if np.isfinite(kendall).any() else np.nan,
        top_agreement=float(splits["top_agrees"].mean()),
        top_retained=float(splits["top_retained"].mean()),
        n_splits=n_splits,
        splits=splits,
    )
