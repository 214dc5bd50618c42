"""The noise report of any leaderboard: is each gap real?

Given :class:`~analysis.data.results.Results` from any reader, :func:`audit` computes, on
the systems x tasks matrix of mean scores over runs (tasks every system has a known
outcome for):

- each system's score with a 95% interval (:func:`score_intervals`; clustered when the
  tasks carry a cluster such as the repository);
- run-to-run SD: the sample SD (ddof=1) of the system's per-run scores, in points (None with
  one run);
- all-pairs paired tests (:func:`paired_tests`) with Holm's correction, the compact letter
  display and non-overlapping tiers built on them, and bootstrap rank intervals;
- the minimum detectable difference at 80% power and alpha 0.05, paired (per pair, for the
  pair's test: :func:`minimum_detectable_differences`; the report gives the median over all
  pairs and over neighbours in the ranking) and unpaired (independent tasks);
- with task dates and system release dates: each system's score on tasks created before
  its release minus after, within strata (difficulty, else cluster), with a 95% interval.

The choice of interval and of paired test each sits in ONE function
(:func:`score_intervals`, :func:`paired_tests`) so better-calibrated methods can replace them.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats as scipy_stats

from analysis.data.results import Results, ResultsMatrix, to_matrix
from analysis.errors import DataError
from analysis.stats.bootstrap import (
    BootstrapResult,
    bootstrap_scores,
    pair_indices,
    resample_counts,
)
from analysis.stats.clustered import clustered_paired_differences, clustered_score_intervals
from analysis.stats.comparisons import holm_adjust, mcnemar_from_counts
from analysis.stats.intervals import wilson_interval
from analysis.stats.power import (
    clustered_minimum_detectable_difference,
    minimum_detectable_difference,
)
from analysis.stats.tiers import rank_intervals, tiers_from_significance

CONFIDENCE = 0.95
POWER = 0.8


# --------------------------------------------------------------------------- dataclasses


@dataclass(frozen=True)
class SystemNoise:
    """One system's line of the report. Scores and SDs are in points (0-100)."""

    system: str
    n_tasks: int
    score: float
    ci_low: float
    ci_high: float
    n_runs: int
    run_sd: float | None
    n_unknown: int
    rank: int
    rank_low: int
    rank_high: int
    tier: int
    letters: str
    release_date: str | None = None
    cost: float | None = None


@dataclass(frozen=True)
class PairTest:
    """A paired comparison: ``difference = score_a - score_b`` in points."""

    system_a: str
    system_b: str
    difference: float
    p_value: float
    p_holm: float
    significant: bool
    mdd: float


@dataclass(frozen=True)
class ReleaseContrast:
    """Score on tasks dated before the system's release minus after (points), within strata."""

    system: str
    n_before: int
    n_after: int
    difference: float
    ci_low: float
    ci_high: float
    n_strata: int


@dataclass(frozen=True)
class AuditReport:
    """The whole noise report (see the module docstring); :meth:`to_dict` is the JSON."""

    source: str
    reader: str
    n_systems: int
    n_tasks: int
    binary: bool
    n_clusters: int | None
    interval_method: str
    test_method: str
    correction: str
    alpha: float
    systems: list[SystemNoise]
    pairs: list[PairTest]
    n_significant_pairs: int
    n_tiers: int
    mdd_median: float
    mdd_adjacent_median: float | None
    mdd_unpaired: float
    dropped_tasks: list[dict[str, Any]]
    unknown_outcomes: int
    release_contrast: list[ReleaseContrast] | None
    notes: list[str]
    seed: int
    n_resamples: int
    summary: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: ``n_systems``, ``n_tasks``, ``systems`` (one object per system with
        ``system, n_tasks, score, ci_low, ci_high, n_runs, run_sd``, ...), ``pairs``, ..."""
        return _clean(asdict(self))

    def systems_frame(self) -> pd.DataFrame:
        """The per-system lines as a DataFrame (best first)."""
        return pd.DataFrame([asdict(s) for s in self.systems])

    def pairs_frame(self) -> pd.DataFrame:
        """The pairwise tests as a DataFrame."""
        columns = list(PairTest.__dataclass_fields__)
        return pd.DataFrame([asdict(p) for p in self.pairs], columns=columns)


def _clean(value: Any) -> Any:
    """NaN -> None and NumPy scalars -> Python, recursively (strict JSON)."""
    if isinstance(value, dict):
        return {key: _clean(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_clean(item) for item in value]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


# --------------------------------------------------------------------------- methods


def score_intervals(matrix: ResultsMatrix, confidence: float = CONFIDENCE) -> pd.DataFrame:
    """Each system's score and interval (fractions): columns ``system, score, low, high``.

    THE choice of interval (``frame.attrs["method"]`` names it):

    - with clusters: the CR2 interval with the exact small-cluster critical value under a
      pooled-ICC working model (:func:`analysis.stats.clustered.clustered_score_intervals`;
      0/1 outcomes and means over runs alike), the interval ``python -m analysis calibrate``
      shows covering 93-97% with 12 unequal clusters shaped like SWE-bench Verified's
      repositories, with and without repository effects;
    - no clusters, 0/1 outcomes: Wilson score interval (:func:`wilson_interval`);
    - no clusters, fractional scores (means over runs or samples): ``score +- z SE`` with the
      sample SE of the per-task scores.

    All clipped to [0, 1]. The unclustered intervals cover 93-97% by simulation
    (tests/test_audit.py).
    """
    values = matrix.mean.to_numpy()
    n_tasks = values.shape[1]
    score = values.mean(axis=1)
    z = float(scipy_stats.norm.ppf(0.5 + confidence / 2.0))
    if matrix.clusters is not None:
        n_clusters = int(matrix.clusters.nunique())
        if n_clusters < 2:
            raise DataError(matrix.source, "a cluster column with a single cluster")
        table = clustered_score_intervals(
            values, matrix.clusters.to_numpy(), confidence=confidence, where=str(matrix.source)
        )
        low, high = table["low"].to_numpy(), table["high"].to_numpy()
        method = (
            f"cluster-robust CR2 interval, exact small-cluster critical value "
            f"{float(table['critical'].iloc[0]):.2f} ({n_clusters} clusters)"
        )
    elif matrix.binary:
        low, high = wilson_interval(values.sum(axis=1), np.full(len(score), n_tasks), confidence)
        method = "Wilson score interval"
    else:
        se = values.std(axis=1, ddof=1) / math.sqrt(n_tasks)
        low, high = score - z * se, score + z * se
        method = "normal interval on per-task mean scores (sample SE)"
    frame = pd.DataFrame(
        {
            "system": matrix.systems,
            "score": score,
            "low": np.clip(np.asarray(low, dtype="float64"), 0.0, 1.0),
            "high": np.clip(np.asarray(high, dtype="float64"), 0.0, 1.0),
        }
    )
    frame.attrs["method"] = method
    return frame


def paired_tests(matrix: ResultsMatrix) -> pd.DataFrame:
    """Two-sided paired test of every pair ``a < b`` (matrix order), uncorrected.

    Columns ``a, b`` (row indices), ``difference`` (fraction), ``p_value``,
    ``difference_variance`` (mean squared per-task difference, for the power calculation)
    and, with clusters, ``se`` (CR2 standard error of the difference; ``attrs["rho"]`` is
    the pooled intra-cluster correlation of the differences, ``attrs["sizes"]`` the
    cluster sizes).
    THE choice of test (``frame.attrs["method"]``):

    - with clusters: the clustered paired CR2 test with its exact null under a pooled-ICC
      working model (:func:`analysis.stats.clustered.clustered_paired_differences`), which
      ``python -m analysis calibrate`` shows holding 3-7% at nominal 5% with 12 unequal
      clusters; closed form (one Imhof integral per pair), so Holm over many pairs works;
    - 0/1 outcomes without clusters: exact McNemar (binomial test on the discordant tasks);
    - fractional scores without clusters: paired t-test on the per-task differences
      ``d_t = x_at - x_bt``, ``t = mean(d) / (sd(d) / sqrt(n))``, ``n - 1`` df.
    """
    values = matrix.mean.to_numpy()
    n_systems, n_tasks = values.shape
    first, second = pair_indices(n_systems)
    gram = values @ values.T
    squares = np.diag(gram)
    means = values.mean(axis=1)
    difference = means[first] - means[second]
    # mean of d^2 over tasks: (|x_a|^2 + |x_b|^2 - 2 x_a . x_b) / n
    mean_square = (squares[first] + squares[second] - 2.0 * gram[first, second]) / n_tasks
    if matrix.clusters is not None:
        table = clustered_paired_differences(
            values, matrix.clusters.to_numpy(), pairs=(first, second), where=str(matrix.source)
        )
        p_values = table["p_exact"].to_numpy()
        clustered = {"se": table["se"].to_numpy(), "rho": float(table["rho"].iloc[0])}
        method = (
            "clustered paired CR2 test, exact null at the pooled ICC "
            f"({int(matrix.clusters.nunique())} clusters)"
        )
    elif matrix.binary:
        solved_only = values @ (1.0 - values).T
        p_values = mcnemar_from_counts(
            solved_only[first, second].astype("int64"), solved_only[second, first].astype("int64")
        )
        method = "exact McNemar (two-sided)"
    else:
        variance = np.maximum(mean_square - difference**2, 0.0) / (n_tasks - 1)
        se = np.sqrt(variance)
        with np.errstate(divide="ignore", invalid="ignore"):
            t = np.abs(difference) / se
        p_values = np.where(se > 0, 2.0 * scipy_stats.t.sf(t, n_tasks - 1), 1.0)
        # identical systems (no differing task) have p = 1; a constant non-zero difference
        # (se = 0) is as certain as it gets
        p_values = np.where((se == 0) & (np.abs(difference) > 0), 0.0, p_values)
        method = f"paired t-test on per-task differences, {n_tasks - 1} df"
    frame = pd.DataFrame(
        {
            "a": first,
            "b": second,
            "difference": difference,
            "p_value": p_values,
            "difference_variance": mean_square,
        }
    )
    frame.attrs["method"] = method
    if matrix.clusters is not None:
        frame["se"] = clustered["se"]
        frame.attrs["rho"] = clustered["rho"]
        frame.attrs["sizes"] = matrix.clusters.value_counts(sort=False).to_numpy(float)
    return frame


def minimum_detectable_differences(
    tests: pd.DataFrame, n_tasks: int, alpha: float, power: float = POWER
) -> np.ndarray:
    """Per pair of :func:`paired_tests`, the smallest true gap its test detects with
    ``power``: with clusters the clustered paired CR2 test's
    (:func:`analysis.stats.power.clustered_minimum_detectable_difference`), else the
    independent-task formula on the pair's discordance. ``python -m analysis calibrate``
    (family ``ranks``) measures the power each delivers; the independent-task formula
    applied to clustered tasks overstates it badly (``mdd_independent_formula_clustered_test``).
    """
    if "se" in tests:
        return np.asarray(
            clustered_minimum_detectable_difference(
                tests["se"].to_numpy(), tests.attrs["sizes"], tests.attrs["rho"], alpha, power
            ),
            dtype="float64",
        )
    return np.asarray(
        minimum_detectable_difference(
            n_tasks, alpha=alpha, power=power, discordance=tests["difference_variance"].clip(0, 1)
        ),
        dtype="float64",
    )


def fractional_bootstrap(
    values: np.ndarray,
    systems: list[str],
    n_resamples: int,
    seed: int,
    clusters: pd.Series | None,
    progress: bool,
) -> BootstrapResult:
    """Paired task (or cluster) bootstrap of mean scores in [0, 1], as a BootstrapResult.

    The engine's :func:`bootstrap_scores` takes 0/1 matrices only; fractional means over runs
    use this: each resample draws tasks (clusters) with replacement, turned into counts, and
    scores every system as ``counts @ X.T / drawn tasks``.
    """
    rng = np.random.default_rng(seed)
    n_systems, n_tasks = values.shape
    if clusters is None:
        unit_totals, unit_sizes = values.T, np.ones(n_tasks)
    else:
        codes, uniques = pd.factorize(clusters.to_numpy())
        unit_totals = np.zeros((len(uniques), n_systems))
        np.add.at(unit_totals, codes, values.T)
        unit_sizes = np.bincount(codes, minlength=len(uniques)).astype("float64")
    units = unit_totals.shape[0]
    resamples = np.empty((n_resamples, n_systems))
    chunk = max(1, (1 << 22) // units)
    starts = range(0, n_resamples, chunk)
    if progress:
        from tqdm.auto import tqdm

        starts = tqdm(starts, desc="bootstrap ranks", unit="chunk")
    for start in starts:
        size = min(chunk, n_resamples - start)
        counts = resample_counts(rng.integers(0, units, size=(size, units)), units).astype(float)
        resamples[start : start + size] = (counts @ unit_totals) / (counts @ unit_sizes)[:, None]
    observed = values.mean(axis=1)
    return BootstrapResult(
        systems=systems,
        observed=observed,
        resamples=resamples,
        jackknife=np.repeat(observed[:, None], 1, axis=1),
        seed=seed,
        clustered=clusters is not None,
    )


def release_contrast(
    matrix: ResultsMatrix, confidence: float = CONFIDENCE
) -> list[ReleaseContrast] | None:
    """Per system: score on tasks dated before its release minus after, within strata.

    Strata are the task ``difficulty`` (else ``cluster``, else one stratum). Within stratum
    ``s``: ``d_s = mean(before) - mean(after)`` with variance ``v_b / n_b + v_a / n_a``;
    strata with both sides are combined with weights ``w_s = n_b n_a / (n_b + n_a)``
    (Cochran-Mantel-Haenszel style): ``d = sum w d_s / sum w``, ``Var d = sum w^2 Var d_s /
    (sum w)^2``; normal interval. None without task and system dates.
    """
    tasks, systems = matrix.task_metadata, matrix.system_metadata
    if "task_date" not in tasks or "system_date" not in systems:
        return None
    if tasks["task_date"].isna().all() or systems["system_date"].isna().all():
        return None
    if "difficulty" in tasks and tasks["difficulty"].notna().all():
        strata = tasks["difficulty"].astype(str).to_numpy()
    elif matrix.clusters is not None:
        strata = matrix.clusters.to_numpy()
    else:
        strata = np.zeros(len(tasks), dtype=int)
    z = float(scipy_stats.norm.ppf(0.5 + confidence / 2.0))
    task_dates = tasks["task_date"].to_numpy()
    out = []
    for row, system in enumerate(matrix.systems):
        release = systems.loc[system, "system_date"]
        if pd.isna(release):
            continue
        values = matrix.mean.iloc[row].to_numpy()
        before = task_dates < np.datetime64(release)
        after = task_dates >= np.datetime64(release)
        weights, differences, variances, used = [], [], [], 0
        for stratum in pd.unique(strata):
            inside = strata == stratum
            b, a = values[inside & before], values[inside & after]
            if len(b) < 2 or len(a) < 2:
                continue
            used += 1
            weight = len(b) * len(a) / (len(b) + len(a))
            weights.append(weight)
            differences.append(b.mean() - a.mean())
            variances.append(b.var(ddof=1) / len(b) + a.var(ddof=1) / len(a))
        if not weights:
            continue
        w = np.asarray(weights)
        difference = float((w * differences).sum() / w.sum())
        se = float(np.sqrt((w**2 * np.asarray(variances)).sum()) / w.sum())
        out.append(
            ReleaseContrast(
                system=system,
                n_before=int(before.sum()),
                n_after=int(after.sum()),
                difference=100.0 * difference,
                ci_low=100.0 * (difference - z * se),
                ci_high=100.0 * (difference + z * se),
                n_strata=used,
            )
        )
    return out


# --------------------------------------------------------------------------- the report


def audit(
    results: Results,
    alpha: float = 0.05,
    n_resamples: int = 2_000,
    seed: int = 0,
    progress: bool = False,
) -> AuditReport:
    """The noise report of ``results`` (see the module docstring for every number).

    ``n_resamples`` bootstrap resamples give the rank intervals; everything else is closed
    form. Raises :class:`DataError` for fewer than two systems or two common tasks.
    """
    if not 0.0 < alpha < 1.0:
        raise DataError("alpha", f"must lie strictly between 0 and 1, got {alpha}")
    matrix = to_matrix(results)
    values = matrix.mean.to_numpy()
    n_systems, n_tasks = values.shape
    systems = matrix.systems

    intervals = score_intervals(matrix)
    tests = paired_tests(matrix)
    tests["p_holm"] = holm_adjust(tests["p_value"].to_numpy())
    tests["significant"] = tests["p_holm"] < alpha
    tests["mdd"] = minimum_detectable_differences(tests, n_tasks, alpha)
    different = np.zeros((n_systems, n_systems), dtype=bool)
    a, b = tests["a"].to_numpy(), tests["b"].to_numpy()
    different[a, b] = different[b, a] = tests["significant"].to_numpy()
    scores = values.mean(axis=1)
    letters, tier_numbers, order = tiers_from_significance(scores, different)

    if matrix.binary:
        boot = bootstrap_scores(
            matrix.mean,
            n_resamples=n_resamples,
            seed=seed,
            clusters=matrix.clusters,
            progress=progress,
        )
    else:
        boot = fractional_bootstrap(values, systems, n_resamples, seed, matrix.clusters, progress)
    ranks = rank_intervals(boot, confidence=CONFIDENCE).set_index("system")

    run_scores = matrix.run_scores()
    metadata = matrix.system_metadata
    lines = []
    for position, index in enumerate(order):
        system = systems[index]
        per_run = run_scores[system]
        per_run = per_run[np.isfinite(per_run)]
        release = metadata["system_date"].get(system) if "system_date" in metadata else None
        cost = metadata["cost"].get(system) if "cost" in metadata else None
        lines.append(
            SystemNoise(
                system=system,
                n_tasks=n_tasks,
                score=100.0 * float(scores[index]),
                ci_low=100.0 * float(intervals["low"].iloc[index]),
                ci_high=100.0 * float(intervals["high"].iloc[index]),
                n_runs=int(matrix.n_runs[system]),
                run_sd=100.0 * float(per_run.std(ddof=1)) if len(per_run) >= 2 else None,
                n_unknown=int(matrix.unknown.loc[system, "n_unknown"]),
                rank=int(ranks.loc[system, "rank"]),
                rank_low=int(ranks.loc[system, "rank_low"]),
                rank_high=int(ranks.loc[system, "rank_high"]),
                tier=int(tier_numbers[position]),
                letters=letters[position],
                release_date=None if release is None or pd.isna(release) else str(release.date()),
                cost=None if cost is None or pd.isna(cost) else float(cost),
            )
        )
    pairs = [
        PairTest(
            system_a=systems[row.a],
            system_b=systems[row.b],
            difference=100.0 * row.difference,
            p_value=float(row.p_value),
            p_holm=float(row.p_holm),
            significant=bool(row.significant),
            mdd=100.0 * float(row.mdd),
        )
        for row in tests.itertuples()
    ]
    # neighbours in the ranking: the pairs a reader of a leaderboard compares
    position_of = np.empty(n_systems, dtype=int)
    position_of[order] = np.arange(n_systems)
    adjacent = np.abs(position_of[a] - position_of[b]) == 1
    mdd_points = 100.0 * tests["mdd"].to_numpy()
    unpaired = minimum_detectable_difference(
        n_tasks, alpha=alpha, power=POWER, p=float(np.clip(scores.mean(), 0.0, 1.0))
    )
    notes = list(results.notes)
    if matrix.clusters is not None:
        notes.append(
            f"score intervals, paired tests, rank intervals (cluster bootstrap) and the paired "
            f"minimum detectable difference allow for {matrix.clusters.nunique()} clusters "
            "with the methods `python -m analysis calibrate` checks by simulation; the "
            "unpaired minimum detectable difference takes tasks as independent, so with "
            "clustering the detectable gap is larger"
        )
    else:
        notes.append(
            "no cluster column: every interval and test takes tasks as independent; if tasks "
            "share a repository (or another group), give it with `--cluster`, since with "
            "clustered tasks and close systems independent-task intervals, including the rank "
            "intervals, are too narrow (`python -m analysis calibrate`, family `ranks`)"
        )
    n_clusters = None if matrix.clusters is None else int(matrix.clusters.nunique())
    return AuditReport(
        source=results.source,
        reader=results.reader,
        n_systems=n_systems,
        n_tasks=n_tasks,
        binary=matrix.binary,
        n_clusters=n_clusters,
        interval_method=intervals.attrs["method"],
        test_method=tests.attrs["method"],
        correction="holm",
        alpha=alpha,
        systems=lines,
        pairs=pairs,
        n_significant_pairs=int(tests["significant"].sum()),
        n_tiers=int(tier_numbers.max()),
        mdd_median=float(np.median(mdd_points)),
        mdd_adjacent_median=float(np.median(mdd_points[adjacent])) if adjacent.any() else None,
        mdd_unpaired=100.0 * float(unpaired),
        dropped_tasks=matrix.dropped.to_dict(orient="records"),
        unknown_outcomes=int(matrix.unknown["n_unknown"].sum()),
        release_contrast=release_contrast(matrix),
        notes=notes,
        seed=seed,
        n_resamples=n_resamples,
        summary={
            "n_pairs": len(pairs),
            "n_adjacent_significant": int(tests["significant"].to_numpy()[adjacent].sum()),
            "n_adjacent": int(adjacent.sum()),
            "top_system": lines[0].system,
            "top_tier_size": sum(1 for line in lines if line.tier == 1),
        },
    )
