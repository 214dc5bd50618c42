"""Speed of the bootstrap engine against ``scipy.stats.bootstrap`` on the real bash-only matrix.

Loads the 25 systems x 500 Verified tasks of the SWE-bench bash-only leaderboard (all systems,
including the inconsistent one: this is a speed test) and computes, once with
``scipy.stats.bootstrap`` (vectorised, batched) and once with
``analysis.stats.bootstrap.bootstrap_scores``:

(a) a 95% interval for every system's score, and
(b) a 95% paired interval for every one of the 300 pairwise differences (scipy bootstraps
    the per-task difference vectors ``x_a - x_b``, which is the paired bootstrap).

It prints both timings, the speed-up and the largest disagreement between interval endpoints
in points, next to the Monte Carlo scale: the score grid step (100/n points) and the Monte
Carlo standard error of a 2.5% bootstrap quantile. Run: ``python benchmarks/bench_bootstrap.py``
(needs ``SWEAUDIT_MIRROR`` or a filled data cache).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import stats as scipy_stats

from analysis.stats.bootstrap import bootstrap_scores, pair_indices

MIRROR_FILE = "swe-bench-leaderboards-f1176b6.json"


def load_matrix() -> pd.DataFrame:
    """The bash-only systems x tasks 0/1 matrix, via the loader or the raw mirror JSON."""
    try:
        from analysis.data.readers.leaderboards import load_bash_only_results, results_matrix

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # the known inconsistent system is kept on purpose
            return results_matrix(load_bash_only_results(exclude_inconsistent=False))
    except (ImportError, AttributeError):
        mirror = os.environ.get("SWEAUDIT_MIRROR")
        if not mirror:
            sys.exit("analysis.loading is unavailable and SWEAUDIT_MIRROR is not set")
        data = json.loads((Path(mirror) / MIRROR_FILE).read_text(encoding="utf-8"))
        board = next(b for b in data["leaderboards"] if b["name"] == "bash-only")
        rows = {
            entry["name"]: {
                task: int(bool(detail["resolved"]))
                for task, detail in entry["per_instance_details"].items()
            }
            for entry in board["results"]
            if entry.get("per_instance_details")
        }
        return pd.DataFrame.from_dict(rows, orient="index").sort_index(axis=1)


def scipy_intervals(
    samples: np.ndarray, n_resamples: int, method: str, seed: int, batch: int
) -> tuple[np.ndarray, np.ndarray]:
    """``scipy.stats.bootstrap`` of the mean of each row of ``samples`` (vectorised)."""
    result = scipy_stats.bootstrap(
        (samples,),
        np.mean,
        axis=-1,
        vectorized=True,
        n_resamples=n_resamples,
        method=method,
        confidence_level=0.95,
        batch=batch,
        rng=seed,
    )
    return result.confidence_interval.low, result.confidence_interval.high


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--resamples", type=int, default=10_000)
    parser.add_argument("--method", choices=["percentile", "bca", "both"], default="both")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--batch", type=int, default=250, help="scipy resamples per batch (bounds its memory)"
    )
    parser.add_argument(
        "--scipy-seed",
        type=int,
        default=None,
        help="seed for scipy (default: --seed; the same seed draws the same "
        "task indices, so percentile intervals should agree exactly)",
    )
    parser.add_argument(
        "--repeat", type=int, default=3, help="time each side this many times and keep the fastest"
    )
    args = parser.parse_args(argv)

    matrix = load_matrix()
    values = matrix.to_numpy(dtype="float64")
    n_systems, n_tasks = values.shape
    first, second = pair_indices(n_systems)
    differences = values[first] - values[second]
    print(
        f"matrix: {n_systems} systems x {n_tasks} tasks, {len(first)} pairs, "
        f"{args.resamples} resamples"
    )
    scipy_seed = args.seed if args.scipy_seed is None else args.scipy_seed
    print(f"seeds: engine {args.seed}, scipy {scipy_seed}; timings are the best of {args.repeat}")
    methods = ["percentile", "bca"] if args.method == "both" else [args.method]

    # Warm up both sides (imports, BLAS threads, allocator) so the first timing is not penalised.
    bootstrap_scores(values, n_resamples=100, seed=args.seed).difference_intervals("bca")
    scipy_intervals(values[:2, :50], 100, "bca", scipy_seed, 100)

    rows = []
    for method in methods:
        scipy_seconds = engine_seconds = float("inf")
        for _ in range(args.repeat):
            start = time.perf_counter()
            low_s, high_s = scipy_intervals(values, args.resamples, method, scipy_seed, args.batch)
            low_sd, high_sd = scipy_intervals(
                differences, args.resamples, method, scipy_seed, max(1, args.batch // 4)
            )
            scipy_seconds = min(scipy_seconds, time.perf_counter() - start)

            start = time.perf_counter()
            result = bootstrap_scores(values, n_resamples=args.resamples, seed=args.seed)
            systems = result.intervals(method)
            pairs = result.difference_intervals(method)
            engine_seconds = min(engine_seconds, time.perf_counter() - start)

        gap_systems = 100 * max(
            np.abs(systems["low"] - low_s).max(), np.abs(systems["high"] - high_s).max()
        )
        gap_pairs = 100 * max(
            np.abs(pairs["low"] - low_sd).max(), np.abs(pairs["high"] - high_sd).max()
        )
        # Monte Carlo SE of a 2.5% quantile ~ sqrt(q(1-q)/B) / phi(z_q) * SD (normal approx).
        quantile_factor = np.sqrt(0.025 * 0.975 / args.resamples) / scipy_stats.norm.pdf(1.96)
        mc_systems = 100 * quantile_factor * result.resamples.std(axis=0).max()
        mc_pairs = 100 * quantile_factor * pairs["se"].max()
        rows.append(
            {
                "method": method,
                "scipy_s": scipy_seconds,
                "engine_s": engine_seconds,
                "speedup": scipy_seconds / engine_seconds,
                "max_gap_systems_pts": gap_systems,
                "max_gap_pairs_pts": gap_pairs,
                "mc_se_pts": max(mc_systems, mc_pairs),
                "grid_pts": 100 / n_tasks,
            }
        )
    table = pd.DataFrame(rows)
    with pd.option_context("display.float_format", "{:.3f}".format, "display.width", 120):
        print(table.to_string(index=False))
    print(
        "max_gap_*: largest |endpoint difference| between scipy and the engine (points); "
        "mc_se: Monte Carlo SE of a 2.5% quantile; grid: one task."
    )


if __name__ == "__main__":
    main()
