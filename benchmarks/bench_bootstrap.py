"""Speed of the bootstrap engine against ``scipy.stats.bootstrap`` on the real bash-only matrix.

Loads the 25 systems x 500 Verified tasks of the SWE-bench bash-only leaderboard (all systems,
including the inconsistent one: this is a speed test) and computes, once with
``scipy.stats.bootstrap`` (vectorised, batched) and once with
``analysis.stats.bootstrap.bootstrap_scores``:

(a) a 95% interval for every system's score, and
(b) a 95% paired interval for every one of the 300 pairwise differences (scipy bootstraps
    the per-task difference vectors ``x_a - x_b``, which is the paired bootstrap).

Both sides are timed in the same run, alternately (scipy ``--repeat`` times, the engine
``--engine-repeat`` times); the table reports the median wall time of each side and
``speedup`` = scipy / engine (medians), per method, plus the same ratio of process CPU times
(``speedup_cpu``, steadier when other jobs share the cores) and of the fastest runs. The
engine's time includes drawing the resamples. With the same seed both draw the same task
indices, so the intervals should agree exactly (percentile) or to rounding (BCa: scipy
computes the acceleration by explicit jackknife resampling); the table shows the largest
disagreement in points (``gap_scipy_pts``), next to the Monte Carlo scale (``mc_se_pts``: the
Monte Carlo SE of a 2.5% quantile; ``grid_pts``: one task), and the largest disagreement
between the engine's exact histogram path and its general sorting path
(``interval_from_rows`` on the same resamples, the previous engine; ``gap_sorting_pts``).

The machine's load average and the BLAS in use are printed, because timings on a shared
machine are noisy. ``--profile`` adds where the engine's time goes. Run:
``python benchmarks/bench_bootstrap.py`` (needs ``SWEAUDIT_MIRROR`` or a filled data cache).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import stats as scipy_stats

from analysis.stats.bootstrap import (
    BootstrapResult,
    bootstrap_scores,
    interval_from_rows,
    pair_indices,
    worker_count,
)
from analysis.stats.index_stream import ResampleIndexStream

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


def engine_intervals(
    values: np.ndarray, n_resamples: int, method: str, seed: int, workers: int | None = None
) -> tuple[BootstrapResult, pd.DataFrame, pd.DataFrame]:
    """The engine's whole job: draw the resamples, then per-system and per-pair intervals
    (``workers``: threads, default as in the engine; results do not depend on it)."""
    result = bootstrap_scores(values, n_resamples=n_resamples, seed=seed, workers=workers)
    return result, result.intervals(method), result.difference_intervals(method)


def sorting_path_intervals(result: BootstrapResult, method: str) -> tuple[np.ndarray, ...]:
    """The same intervals by the general sorting path on the same resamples (old engine)."""
    systems = interval_from_rows(result.resample_rows, result.observed, result.jackknife, method)
    lows, highs = [], []
    for a, b, differences in result.iter_differences():
        low, high = interval_from_rows(
            differences,
            result.observed[a] - result.observed[b],
            result.jackknife[a] - result.jackknife[b],
            method,
        )
        lows.append(low)
        highs.append(high)
    return systems[0], systems[1], np.concatenate(lows), np.concatenate(highs)


def blas_description() -> str:
    """Which BLAS kernel NumPy runs (threadpoolctl when installed, else NumPy's config)."""
    coretype = os.environ.get("OPENBLAS_CORETYPE", "unset")
    try:
        from threadpoolctl import threadpool_info

        found = [
            f"{info['internal_api']} {info['version']} {info.get('architecture')} "
            f"x{info['num_threads']}"
            for info in threadpool_info()
            if info["user_api"] == "blas"
        ]
        return f"{'; '.join(found)} (OPENBLAS_CORETYPE={coretype})"
    except ImportError:
        blas = np.__config__.CONFIG["Build Dependencies"]["blas"]
        return f"{blas['name']} {blas['version']} (OPENBLAS_CORETYPE={coretype})"


def load_average() -> str:
    try:
        return " ".join(f"{value:.2f}" for value in os.getloadavg()) + f" on {os.cpu_count()} cpus"
    except OSError:
        return "unknown"


def profile_engine(values: np.ndarray, n_resamples: int, seed: int, repeat: int) -> None:
    """Median time of each stage of the engine, and the floor set by drawing the indices."""
    n_tasks = values.shape[1]
    first, second = pair_indices(values.shape[0])
    stages: dict[str, list[float]] = {}

    def timed(name, function):
        start = time.perf_counter()
        value = function()
        stages.setdefault(name, []).append(time.perf_counter() - start)
        return value

    for _ in range(repeat):
        chunk = max(1, (1 << 17) // n_tasks)
        stream = ResampleIndexStream(np.random.default_rng(seed), n_tasks, chunk)
        keys = np.empty(chunk * n_tasks, dtype=np.intp)
        timed(
            "  drawing the task indices alone (one thread; same stream as rng.integers)",
            lambda stream=stream, chunk=chunk, keys=keys: [
                stream.row_keys(stream.draw(min(chunk, n_resamples - s)), keys)
                for s in range(0, n_resamples, chunk)
            ],
        )
        rng = np.random.default_rng(seed)
        timed(
            "  the same with rng.integers (what scipy draws with), one thread",
            lambda rng=rng, chunk=chunk: [
                rng.integers(0, n_tasks, size=(min(chunk, n_resamples - s), n_tasks))
                for s in range(0, n_resamples, chunk)
            ],
        )
        result = timed(
            "bootstrap_scores (draw, count, score)",
            lambda: bootstrap_scores(values, n_resamples=n_resamples, seed=seed),
        )
        timed("system intervals (bca)", lambda result=result: result.intervals("bca"))
        timed(
            "pair histograms (inside the pair intervals)",
            lambda result=result: result.difference_histograms(first, second),
        )
        timed("pair intervals (bca)", lambda result=result: result.difference_intervals("bca"))
    order = [
        "bootstrap_scores (draw, count, score)",
        "  drawing the task indices alone (one thread; same stream as rng.integers)",
        "  the same with rng.integers (what scipy draws with), one thread",
        "system intervals (bca)",
        "pair intervals (bca)",
        "pair histograms (inside the pair intervals)",
    ]
    print(f"\nprofile (median of {repeat}, milliseconds):")
    for name in order:
        print(f"  {statistics.median(stages[name]) * 1e3:7.2f}  {name}")


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
        "--repeat", type=int, default=3, help="time scipy this many times (median reported)"
    )
    parser.add_argument(
        "--engine-repeat",
        type=int,
        default=15,
        help="time the engine this many times (it is fast; median reported)",
    )
    parser.add_argument("--profile", action="store_true", help="print the engine's stages")
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
    print(
        f"seeds: engine {args.seed}, scipy {scipy_seed}; timings: median wall time of "
        f"{args.repeat} (scipy) and {args.engine_repeat} (engine) runs, interleaved"
    )
    print(f"BLAS: {blas_description()}")
    print(f"load average before: {load_average()}")
    methods = ["percentile", "bca"] if args.method == "both" else [args.method]

    # Warm up both sides (imports, allocator) so the first timing is not penalised.
    engine_intervals(values, 100, "bca", args.seed)
    scipy_intervals(values[:2, :50], 100, "bca", scipy_seed, 100)

    rows = []
    for method in methods:
        scipy_times: list[float] = []
        engine_times: list[float] = []
        scipy_cpu: list[float] = []
        engine_cpu: list[float] = []
        one_thread_times: list[float] = []
        engine_runs_per_scipy = max(1, -(-args.engine_repeat // args.repeat))
        for _ in range(args.repeat):
            start, start_cpu = time.perf_counter(), time.process_time()
            low_s, high_s = scipy_intervals(values, args.resamples, method, scipy_seed, args.batch)
            low_sd, high_sd = scipy_intervals(
                differences, args.resamples, method, scipy_seed, max(1, args.batch // 4)
            )
            scipy_times.append(time.perf_counter() - start)
            scipy_cpu.append(time.process_time() - start_cpu)
            for _ in range(engine_runs_per_scipy):
                start, start_cpu = time.perf_counter(), time.process_time()
                result, systems, pairs = engine_intervals(values, args.resamples, method, args.seed)
                engine_times.append(time.perf_counter() - start)
                engine_cpu.append(time.process_time() - start_cpu)
        for _ in range(args.engine_repeat):  # after, so as not to disturb the runs above
            start = time.perf_counter()
            one_thread = engine_intervals(values, args.resamples, method, args.seed, workers=1)
            one_thread_times.append(time.perf_counter() - start)

        def largest_gap(low, high, low_reference, high_reference) -> float:
            return 100 * max(
                np.abs(np.asarray(low) - low_reference).max(),
                np.abs(np.asarray(high) - high_reference).max(),
            )

        sort_low, sort_high, sort_low_d, sort_high_d = sorting_path_intervals(result, method)
        # Monte Carlo SE of a 2.5% quantile ~ sqrt(q(1-q)/B) / phi(z_q) * SD (normal approx).
        quantile_factor = np.sqrt(0.025 * 0.975 / args.resamples) / scipy_stats.norm.pdf(1.96)
        mc_systems = 100 * quantile_factor * systems["se"].max()
        mc_pairs = 100 * quantile_factor * pairs["se"].max()
        scipy_seconds = statistics.median(scipy_times)
        engine_seconds = statistics.median(engine_times)
        rows.append(
            {
                "method": method,
                "scipy_s": scipy_seconds,
                "engine_s": engine_seconds,
                "speedup": scipy_seconds / engine_seconds,
                "speedup_cpu": statistics.median(scipy_cpu) / statistics.median(engine_cpu),
                "speedup_best": min(scipy_times) / min(engine_times),
                "speedup_1thread": scipy_seconds / statistics.median(one_thread_times),
                "workers": worker_count(None, 2),
                "threads_equal": bool(
                    one_thread[1].equals(systems) and one_thread[2].equals(pairs)
                ),
                "gap_scipy_pts": max(
                    largest_gap(systems["low"], systems["high"], low_s, high_s),
                    largest_gap(pairs["low"], pairs["high"], low_sd, high_sd),
                ),
                "gap_sorting_pts": max(
                    largest_gap(systems["low"], systems["high"], sort_low, sort_high),
                    largest_gap(pairs["low"], pairs["high"], sort_low_d, sort_high_d),
                ),
                "bca_fallbacks": int(
                    (systems["method"] != method).sum() + (pairs["method"] != method).sum()
                ),
                "mc_se_pts": max(mc_systems, mc_pairs),
                "grid_pts": 100 / n_tasks,
            }
        )
    table = pd.DataFrame(rows)
    formats = {
        "scipy_s": "{:.3f}".format,
        "engine_s": "{:.4f}".format,
        "speedup": "{:.1f}".format,
        "speedup_cpu": "{:.1f}".format,
        "speedup_best": "{:.1f}".format,
        "speedup_1thread": "{:.1f}".format,
        "gap_scipy_pts": "{:.2g}".format,
        "gap_sorting_pts": "{:.2g}".format,
        "mc_se_pts": "{:.3f}".format,
        "grid_pts": "{:.3f}".format,
    }
    with pd.option_context("display.width", 160):
        print(table.to_string(index=False, formatters=formats))
    print(
        "speedup: ratio of median wall times; speedup_cpu: of median process CPU times (less "
        "sensitive to other load; the engine's CPU time sums its threads); speedup_best: of the "
        "fastest runs; speedup_1thread: against the engine on one thread (workers=1), whose "
        "intervals equal the threaded ones exactly (threads_equal). gap_*: largest |endpoint "
        "difference| (points) from scipy with the same seed, and from the engine's sorting "
        "path on the same resamples; mc_se: Monte Carlo SE of a 2.5% quantile; grid: one task."
    )
    print(f"load average after: {load_average()}")
    if args.profile:
        profile_engine(values, args.resamples, args.seed, args.engine_repeat)


if __name__ == "__main__":
    main()
