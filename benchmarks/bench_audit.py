"""Speed of ``python -m analysis audit`` on a large generated leaderboard.

Generates a long table of 100 systems x 10,000 tasks x 5 runs (5 million rows; binary
outcomes from a simple ability-minus-difficulty model, with 0.1% unknown outcomes and a
repository cluster per task), writes it as Parquet and times:

1. the whole audit as a user runs it: read the file, validate, build the matrix, intervals,
   all 4,950 paired tests with Holm, tiers, bootstrap rank intervals, MDD (target: under
   30 s on 2 cores);

and, against the obvious alternative in the same run,

2. the all-pairs paired tests: the closed-form Gram-matrix computation the audit uses
   without clusters against a loop of ``scipy.stats.ttest_rel`` over the pairs (same
   p-values, checked), and the time of the clustered tests the audit runs here (the paired
   CR2 test with its exact null: no library alternative to compare with);
3. the bootstrap of the scores for the rank intervals: the count-matrix product used by the
   audit against resampling task indices with NumPy fancy indexing, one resample at a time
   (on 200 resamples; both are Monte Carlo, so only the speed is compared).

Timings are wall-clock on whatever else the machine is doing; run twice and read the
smaller. Run: ``python benchmarks/bench_audit.py [--systems 100 --tasks 10000 --runs 5]``.
"""

from __future__ import annotations

import argparse
import dataclasses
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import stats as scipy_stats

from analysis.analyses.audit import audit, fractional_bootstrap, paired_tests
from analysis.data.readers.detect import read_path
from analysis.data.results import to_matrix


def generate(n_systems: int, n_tasks: int, n_runs: int, seed: int = 0) -> pd.DataFrame:
    """The long table: a logistic ability - difficulty model, 0.1% unknown outcomes."""
    rng = np.random.default_rng(seed)
    ability = rng.normal(0.0, 1.0, n_systems)
    difficulty = rng.normal(0.0, 1.5, n_tasks)
    probability = 1.0 / (1.0 + np.exp(-(ability[:, None] - difficulty[None, :])))
    outcomes = (rng.random((n_systems, n_runs, n_tasks)) < probability[:, None, :]).astype(float)
    outcomes[rng.random(outcomes.shape) < 0.001] = np.nan
    systems = np.repeat([f"system-{i:03d}" for i in range(n_systems)], n_runs * n_tasks)
    runs = np.tile(np.repeat(np.arange(1, n_runs + 1), n_tasks), n_systems)
    tasks = np.tile([f"repo{t % 40:02d}__task-{t:05d}" for t in range(n_tasks)], n_systems * n_runs)
    return pd.DataFrame(
        {
            "system": systems,
            "task": tasks,
            "run": runs,
            "score": outcomes.ravel(),
            "cluster": pd.Series(tasks).str.split("__").str[0].to_numpy(),
        }
    )


def timed(function, *args, **kwargs):
    start = time.perf_counter()
    value = function(*args, **kwargs)
    return value, time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--systems", type=int, default=100)
    parser.add_argument("--tasks", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--resamples", type=int, default=2_000)
    arguments = parser.parse_args()

    frame = generate(arguments.systems, arguments.tasks, arguments.runs)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "results.parquet"
        frame.to_parquet(path)
        print(
            f"input: {len(frame):,} rows ({arguments.systems} systems x {arguments.tasks:,} "
            f"tasks x {arguments.runs} runs), {path.stat().st_size / 1e6:.1f} MB Parquet"
        )
        results, read_seconds = timed(read_path, path)
        report, audit_seconds = timed(audit, results, n_resamples=arguments.resamples)
    total = read_seconds + audit_seconds
    verdict = "under" if total < 30 else "OVER"
    print(
        f"1. full audit: read {read_seconds:.1f} s + audit {audit_seconds:.1f} s = "
        f"{total:.1f} s ({verdict} the 30 s target); {report.n_tasks:,} common tasks, "
        f"{report.n_significant_pairs:,} of {len(report.pairs):,} pairs significant"
    )

    matrix = to_matrix(results)
    values = matrix.mean.to_numpy()

    def loop_ttests():
        return np.array(
            [
                scipy_stats.ttest_rel(values[a], values[b]).pvalue
                for a, b in zip(tests["a"], tests["b"], strict=True)
            ]
        )

    # Tasks taken as independent: the t-test ttest_rel computes (the clustered test differs).
    tests, gram_seconds = timed(paired_tests, dataclasses.replace(matrix, clusters=None))
    loop_p, loop_seconds = timed(loop_ttests)
    agree = np.nanmax(np.abs(loop_p - tests["p_value"].to_numpy()))
    print(
        f"2. {len(tests):,} paired t-tests (independent tasks): Gram matrices "
        f"{gram_seconds:.2f} s, scipy ttest_rel loop {loop_seconds:.2f} s "
        f"({loop_seconds / gram_seconds:.0f}x); largest p-value difference {agree:.1e}"
    )
    clustered, clustered_seconds = timed(paired_tests, matrix)
    print(
        f"   the same pairs with {matrix.clusters.nunique()} clusters (what the audit runs): "
        f"{clustered_seconds:.2f} s ({clustered.attrs['method']})"
    )

    n_check = 200
    _, engine_seconds = timed(fractional_bootstrap, values, matrix.systems, n_check, 0, None, False)

    def index_loop():
        rng = np.random.default_rng(0)
        n_tasks = values.shape[1]
        return np.array(
            [values[:, rng.integers(0, n_tasks, n_tasks)].mean(axis=1) for _ in range(n_check)]
        )

    _, loop_boot_seconds = timed(index_loop)
    print(
        f"3. {n_check} bootstrap resamples of all scores: count-matrix product "
        f"{engine_seconds:.2f} s, fancy-indexing loop {loop_boot_seconds:.2f} s "
        f"({loop_boot_seconds / engine_seconds:.1f}x)"
    )


if __name__ == "__main__":
    main()
