"""Calibration harness: does each interval cover, and does each test hold its level?

``python -m analysis calibrate [--reps N] [--format table|json] [--seed S]`` simulates data
shaped like ours and measures, per method and scenario, the coverage of nominal 95%
intervals or the rejection rate of 5% tests. One module per family of methods:

- :mod:`~analysis.analyses.calibration.leaderboard`: score intervals and paired tests on
  24 systems x 500 tasks in the real SWE-bench Verified repositories (sizes read from the
  task file at run time);
- :mod:`~analysis.analyses.calibration.agreement`: the interval of the Spearman correlation
  of per-task solve rates between two leaderboards (notebook 08);
- :mod:`~analysis.analyses.calibration.repeated`: pass@k intervals and the one-way ANOVA of
  run scores on a few systems x 80 tasks x 5 runs (notebook 09);
- :mod:`~analysis.analyses.calibration.ranks`: rank intervals (notebook 03, ``audit``) and
  the power promised by the audit's minimum detectable difference.

Data-generating model (a 2-level logistic model, the shape IRT finds in real results):
``P(x_st = 1) = expit(theta_s - b_t + u_{s,g(t)})`` with task difficulty
``b_t = v_{g(t)} + e_t``, ``e_t ~ N(0, 2^2)`` (so systems agree on which tasks are hard and
adjacent systems differ on a realistic ~20% of tasks), a repository effect shared by all
systems ``v_g ~ N(0, sd_v^2)`` and a system-by-repository effect ``u_sg ~ N(0, sd_u^2)``
(``sd_v = 0.5, sd_u = 0.3`` in the repository-effects scenarios). A system's true score is
the expected pass rate over new tasks and repositories, ``E expit(theta_s - b + u)``, by
Gauss-Hermite quadrature.

``mc_se`` is the Monte Carlo standard error from the per-replicate shares. Resampling
methods inside the harness use ``B = 999`` and share one draw of weights per chunk of
replicates (unbiased; it only correlates neighbouring replicates a little). Families whose
methods are expensive run fewer replicates than ``--reps`` (each row says how many).
``used_in_report`` is a registry flag per method: the methods the report shows; every one
of them should land in its band (93-97% coverage, 3-7% type-I error unless the method
documents another) in every scenario it applies to.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from dataclasses import asdict

import numpy as np
import pandas as pd

from analysis.analyses.calibration import agreement, leaderboard, ranks, repeated
from analysis.analyses.calibration._common import (
    CHUNK,
    CalibrationRow,
    Family,
    Method,
    mean_solve_rate,
    repository_sizes,
)
from analysis.analyses.calibration.leaderboard import SCENARIOS, Scenario
from analysis.errors import DataError

__all__ = [
    "FAMILIES",
    "METHODS",
    "SCENARIOS",
    "CalibrationRow",
    "Family",
    "Method",
    "Scenario",
    "mean_solve_rate",
    "repository_sizes",
    "run_calibration",
]

DEFAULT_REPS = 2_000
#: Families besides the leaderboard one (see :class:`Family`).
FAMILIES: dict[str, Family] = {
    "agreement": Family(
        agreement.METHODS, agreement.SCENARIOS, agreement.run_agreement, agreement.agreement_chunks
    ),
    "repeated": Family(
        repeated.METHODS, repeated.SCENARIOS, repeated.run_repeated, repeated.repeated_chunks
    ),
    "ranks": Family(ranks.METHODS, ranks.SCENARIOS, ranks.run_ranks, ranks.ranks_chunks),
}
METHODS: tuple[Method, ...] = leaderboard.METHODS + tuple(
    method for family in FAMILIES.values() for method in family.methods
)


def run_calibration(
    reps: int = DEFAULT_REPS,
    seed: int = 0,
    cluster_sizes: Sequence[float] | np.ndarray | None = None,
    scenarios: Sequence[Scenario] = SCENARIOS,
    methods: Sequence[Method] = METHODS,
    progress: bool = False,
    families: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Simulate ``reps`` data sets per scenario and measure every applicable method.

    ``cluster_sizes`` defaults to the real repository sizes (:func:`repository_sizes`);
    ``scenarios`` are the leaderboard family's; ``families`` names the other families to
    run (default: all of :data:`FAMILIES`). Returns one row per (method, scenario) with the
    fields of :class:`CalibrationRow`. Every family and scenario draws from its own seed
    sequence, so its numbers do not depend on what else runs.
    """
    if int(reps) < 1:
        raise DataError("calibrate --reps", f"need at least one replicate, got {reps}")
    reps = int(reps)
    sizes = np.asarray(
        repository_sizes() if cluster_sizes is None else cluster_sizes, dtype=np.float64
    )
    if sizes.ndim != 1 or len(sizes) < 2 or np.any(sizes < 1):
        raise DataError("cluster sizes", "need at least two clusters of at least one task")
    chosen = list(FAMILIES) if families is None else list(families)
    unknown = sorted(set(chosen) - set(FAMILIES))
    if unknown:
        raise DataError("calibration families", f"unknown: {unknown}; known: {list(FAMILIES)}")
    from tqdm.auto import tqdm

    total = len(scenarios) * -(-reps // CHUNK) + sum(FAMILIES[name].chunks(reps) for name in chosen)
    bar = tqdm(total=total, desc="calibrate", unit="chunk", disable=not progress)
    rows = leaderboard.run_leaderboard(reps, seed, sizes, scenarios, methods, bar)
    for number, name in enumerate(FAMILIES):
        if name in chosen:
            family_seed = np.random.SeedSequence([seed, number + 1])
            rows += FAMILIES[name].run(reps, family_seed, sizes, methods, bar)
    bar.close()
    return pd.DataFrame([asdict(row) for row in rows])


def configure_parser(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--reps", type=int, default=DEFAULT_REPS, help=f"replicates per scenario ({DEFAULT_REPS})"
    )
    parser.add_argument("--format", choices=("table", "json"), default="table")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--no-progress", action="store_true", help="hide the progress bar")


def _format_table(frame: pd.DataFrame) -> str:
    shown = frame.copy()
    for column in ("coverage", "type_I_error", "power", "mc_se", "nominal"):
        shown[column] = shown[column].map(lambda v: "" if pd.isna(v) else f"{100 * v:.1f}%")
    shown["in_band"] = shown["in_band"].map(lambda v: "" if v is None else ("yes" if v else "NO"))
    return shown.to_string(index=False)


def run_cli(args: argparse.Namespace) -> int:
    frame = run_calibration(reps=args.reps, seed=args.seed, progress=not args.no_progress)
    if args.format == "json":
        records = json.loads(frame.to_json(orient="records"))
        print(json.dumps(records, indent=2))
    else:
        print(_format_table(frame))
    failing = frame[frame["used_in_report"] & frame["in_band"].eq(False)]
    if len(failing):
        names = ", ".join(
            f"{m} / {s}" for m, s in zip(failing["method"], failing["scenario"], strict=True)
        )
        print(f"note: outside the band at {args.reps} reps: {names}", file=sys.stderr)
    return 0
