"""Notebook 08: what do systems released after the February 2026 audit do to its claims?

The OpenHands Index (43 agent+model systems, per-task results on the same 500 SWE-bench
Verified tasks, model release dates up to mid-2026) meets the claims of the articles:

- :func:`ceiling_table`: every system's score against the ceiling the audit implies
  (:func:`analysis.analyses.dataset.audit_arithmetic`), with the calibrated clustered
  interval by repository (:func:`analysis.stats.clustered.clustered_mean_intervals`, CR2 SE
  with the exact small-cluster critical value) and the most defective tasks its solved count
  leaves room for;
- :func:`unsolved_tasks`: the tasks no bash-only system solved, which of them are solved now
  and by whom, and which remain unsolved by every system of both leaderboards;
- what public data can test about a score above the ceiling: :func:`difficulty_agreement`
  between the two leaderboards, :func:`person_fit` of every system under one Rasch fit
  across both, :func:`cost_per_solved`;
- scaffold against model: :func:`scaffold_pairs` (one model under OpenHands and under its
  vendor's agent) and :func:`model_matches` / :func:`bash_only_pairs` (the same model on the
  bash-only leaderboard), each compared by the clustered paired test.

Unknown outcomes (``resolved: null``) count as not resolved here, as in the published scores
the ceiling claim is about; :func:`openhands_matrix` says how many there are.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from analysis import frames
from analysis.analyses.dataset import audit_arithmetic
from analysis.analyses.defects import never_solved
from analysis.analyses.leaderboard import clusters_for
from analysis.claims.types import Measurement
from analysis.data.results import Results
from analysis.errors import DataError
from analysis.stats.clustered import (
    cluster_design,
    clustered_difference_tests,
    clustered_mean_intervals,
    cr2_standard_error,
    exact_critical_value,
    pooled_intraclass_correlation,
)
from analysis.stats.comparisons import holm_adjust
from analysis.stats.correlation import clustered_spearman_interval
from analysis.stats.irt import fit_rasch

#: The pinned OpenHands Index snapshot (repository @ commit), cited by the ledger rows.
OPENHANDS_SOURCE = "OpenHands/openhands-index-results @ 3015ac612e7196f428e6e8a3948965d32d9a3331"
#: The audit's publication month: systems released after it are "after the audit".
AUDIT_DATE = pd.Timestamp("2026-02-01")
INTERVAL_METHOD = (
    "clustered by repository: CR2 standard error with the exact small-cluster critical value "
    "(calibrated; analysis.stats.clustered)"
)


# --------------------------------------------------------------------------- matrices


def one_run_matrix(results: Results) -> pd.DataFrame:
    """Systems x tasks 0/1 matrix of one-run results; an unknown outcome (NaN) counts as not
    resolved, as the published scores count it (best system first)."""
    frame = results.frame
    if frame.groupby(["system", "task"]).size().max() > 1:
        raise DataError(results.source, "expected one run per system and task")
    matrix = frame.pivot(index="system", columns="task", values="score").fillna(0.0)
    order = matrix.mean(axis=1).sort_values(ascending=False, kind="stable").index
    matrix = matrix.loc[order]
    matrix.index.name, matrix.columns.name = "system", "instance_id"
    return matrix


@functools.cache
def openhands_matrix() -> pd.DataFrame:
    """The OpenHands Index systems x 500 Verified tasks (0/1, unknown as not resolved);
    ``attrs["n_unknown"]`` counts the unknown outcomes."""
    results = frames.openhands_results()
    matrix = one_run_matrix(results)
    matrix.attrs["n_unknown"] = results.n_unknown
    return matrix


def openhands_systems() -> pd.DataFrame:
    """One row per OpenHands Index system: ``system, agent, model, release_date, cost``
    (mean cost per task, dollars), ``n_unknown``."""
    results = frames.openhands_results()
    meta = results.system_metadata()
    unknown = results.frame["score"].isna().groupby(results.frame["system"]).sum()
    names = pd.Series(meta.index, index=meta.index)
    return pd.DataFrame(
        {
            "system": meta.index,
            "agent": names.str.split(" / ", n=1).str[0].to_numpy(),
            "model": names.str.split(" / ", n=1).str[1].to_numpy(),
            "release_date": meta["system_date"].to_numpy(),
            "cost": meta["cost"].to_numpy(),
            "n_unknown": unknown.reindex(meta.index).fillna(0).astype("int64").to_numpy(),
        }
    ).reset_index(drop=True)


# --------------------------------------------------------------------------- the ceiling


def ceiling_table(
    matrix: pd.DataFrame | None = None,
    confidence: float = 0.95,
    clusters: np.ndarray | None = None,
) -> pd.DataFrame:
    """Every system's score against the audit's implied ceiling, best first.

    Columns ``system, score, low, high`` (percent; interval clustered by repository, see
    :data:`INTERVAL_METHOD`), ``solved``, ``above_ceiling`` (score > ceiling),
    ``significantly_above`` (the interval's lower end > ceiling) and ``max_defective``: the
    most tasks that can reject every correct fix given the tasks the system did pass
    (``n_tasks - solved``; the audit's lower bound needs ``defective_tasks`` of them).
    ``clusters``: one label per task (default: the Verified repositories).
    """
    matrix = openhands_matrix() if matrix is None else matrix
    ceiling = audit_arithmetic(n_tasks=matrix.shape[1]).ceiling_pct
    clusters = clusters_for(matrix) if clusters is None else clusters
    intervals = clustered_mean_intervals(matrix, clusters, confidence=confidence)
    solved = matrix.sum(axis=1).to_numpy().astype("int64")
    score = 100.0 * intervals["score"].to_numpy()
    low = 100.0 * intervals["low"].to_numpy()
    table = pd.DataFrame(
        {
            "system": matrix.index,
            "score": score,
            "low": low,
            "high": 100.0 * intervals["high"].to_numpy(),
            "solved": solved,
            "above_ceiling": score > ceiling,
            "significantly_above": low > ceiling,
            "max_defective": matrix.shape[1] - solved,
        }
    )
    table.attrs.update(ceiling_pct=ceiling, method=INTERVAL_METHOD)
    return table


@dataclass(frozen=True)
class UnsolvedTasks:
    """Tasks no bash-only system solved, re-examined with the OpenHands Index.

    ``bash_unsolved``: never solved by the ``n_bash`` bash-only systems; ``now_solved``: of
    those, solved by at least one of the ``n_openhands`` OpenHands Index systems;
    ``still_unsolved``: solved by none of the ``n_bash + n_openhands`` systems. ``solvers``:
    per OpenHands system, how many of ``bash_unsolved`` it solves (``system, solved,
    release_date``), most first. ``by_difficulty``: counts per annotated difficulty.
    """

    n_bash: int
    n_openhands: int
    bash_unsolved: list[str]
    now_solved: list[str]
    still_unsolved: list[str]
    solvers: pd.DataFrame = field(repr=False)
    by_difficulty: pd.DataFrame = field(repr=False)

    @property
    def n_systems(self) -> int:
        return self.n_bash + self.n_openhands


def unsolved_tasks(
    bash: pd.DataFrame | None = None,
    openhands: pd.DataFrame | None = None,
    release_dates: pd.Series | None = None,
    difficulty: pd.Series | None = None,
) -> UnsolvedTasks:
    """The never-solved tasks of the bash-only leaderboard against the OpenHands Index.

    Defaults: the real matrices, the systems' release dates and the tasks' annotated
    difficulty (``release_dates`` indexed by system, ``difficulty`` by task)."""
    bash = frames.bash_only_matrix() if bash is None else bash
    openhands = openhands_matrix() if openhands is None else openhands
    bash_unsolved = [str(t) for t in never_solved(bash)]
    missing = sorted(set(bash_unsolved) - set(openhands.columns))
    if missing:
        raise DataError("openhands_index", f"tasks missing from the index: {missing[:3]}")
    on_them = openhands[bash_unsolved]
    solved_by = on_them.sum(axis=0)
    now = [t for t in bash_unsolved if solved_by[t] > 0]
    still = [t for t in bash_unsolved if solved_by[t] == 0]
    if release_dates is None:
        release_dates = frames.openhands_results().system_metadata()["system_date"]
    if difficulty is None:
        difficulty = frames.verified_tasks().set_index("instance_id")["difficulty"]
    solvers = pd.DataFrame(
        {
            "system": on_them.index,
            "solved": on_them.sum(axis=1).astype("int64").to_numpy(),
            "release_date": release_dates.reindex(on_them.index).to_numpy(),
        }
    ).sort_values(["solved", "system"], ascending=[False, True], kind="stable")
    level = difficulty.reindex(bash_unsolved)
    by_difficulty = (
        pd.DataFrame(
            {"difficulty": level.to_numpy(), "still_unsolved": [t in still for t in level.index]}
        )
        .groupby("difficulty")
        .agg(bash_unsolved=("still_unsolved", "size"), still_unsolved=("still_unsolved", "sum"))
        .reset_index()
    )
    return UnsolvedTasks(
        n_bash=len(bash),
        n_openhands=len(openhands),
        bash_unsolved=bash_unsolved,
        now_solved=now,
        still_unsolved=still,
        solvers=solvers.reset_index(drop=True),
        by_difficulty=by_difficulty,
    )


# --------------------------------------------------------------------------- the frontier


def clustered_interval_of_mean(
    values: np.ndarray,
    clusters: np.ndarray,
    confidence: float = 0.95,
    rho: float | None = None,
) -> tuple[float, float, float]:
    """Mean of per-task values in [0, 1] (e.g. an average over systems) with the same
    calibrated clustered interval as :func:`clustered_mean_intervals` (CR2 SE, exact
    critical value at the intra-cluster correlation ``rho``: by default the one-way ANOVA
    estimate from ``values``; pass the matrix's pooled one to match its intervals);
    fractions."""
    values = np.asarray(values, dtype=np.float64)
    design = cluster_design(clusters, len(values), where="clustered_interval_of_mean")
    totals = design.cluster_sums(values[None, :])
    mean, se = cr2_standard_error(totals, design.sizes)
    if rho is None:
        squares = design.cluster_sums((values**2)[None, :])
        rho = float(pooled_intraclass_correlation(totals, squares, design.sizes))
    half = exact_critical_value(design.sizes, rho, confidence) * float(se[0])
    return float(mean[0]), max(float(mean[0]) - half, 0.0), min(float(mean[0]) + half, 1.0)


def tied_with_leader(
    matrix: pd.DataFrame | None = None, alpha: float = 0.05, n_resamples: int = 9_999, seed: int = 0
) -> pd.DataFrame:
    """Systems not significantly behind the leader (first row of ``matrix``).

    Each system is compared with the leader on the same tasks by the calibrated clustered
    paired test (wild cluster bootstrap, Webb weights, CR2 t; :func:`clustered_difference_tests`)
    with Holm's correction over the comparisons. Columns ``system, difference`` (leader minus
    system, points), ``low, high``, ``p_wild, p_holm, in_tier`` (the leader is in its tier).
    """
    matrix = openhands_matrix() if matrix is None else matrix
    others = np.arange(1, len(matrix))
    tests = clustered_difference_tests(
        matrix,
        clusters_for(matrix),
        n_resamples=n_resamples,
        seed=seed,
        pairs=(np.zeros(len(others), dtype=np.intp), others),
    )
    p_holm = holm_adjust(tests["p_wild"].to_numpy())
    table = pd.DataFrame(
        {
            "system": tests["system_b"],
            "difference": 100.0 * tests["difference"],
            "low": 100.0 * tests["low"],
            "high": 100.0 * tests["high"],
            "p_wild": tests["p_wild"],
            "p_holm": p_holm,
            "in_tier": p_holm >= alpha,
        }
    )
    leader = pd.DataFrame(
        [
            {
                "system": matrix.index[0],
                "difference": 0.0,
                "p_wild": 1.0,
                "p_holm": 1.0,
                "in_tier": True,
            }
        ]
    )
    return pd.concat([leader, table], ignore_index=True)


# --------------------------------------------------------------------------- above the ceiling


#: How :func:`difficulty_agreement` builds its interval (python -m analysis calibrate,
#: family ``agreement``: the task bootstrap used before under-covers with repository effects).
AGREEMENT_METHOD = (
    "clustered by repository: Fisher z of Spearman's r with the CR2 standard error of its "
    "influence values and the exact small-cluster critical value (calibrated; "
    "analysis.stats.correlation)"
)


@dataclass(frozen=True)
class DifficultyAgreement:
    """Spearman correlation of per-task solve rates between two leaderboards with its
    interval (:data:`AGREEMENT_METHOD`); ``rates`` holds ``task, rate_a, rate_b`` (shares
    of systems solving each task)."""

    spearman: float
    low: float
    high: float
    n_tasks: int
    method: str
    rates: pd.DataFrame = field(repr=False)


def difficulty_agreement(
    a: pd.DataFrame | None = None,
    b: pd.DataFrame | None = None,
    clusters: np.ndarray | None = None,
    confidence: float = 0.95,
) -> DifficultyAgreement:
    """How well the per-task solve rates of two leaderboards agree (default: bash-only vs
    OpenHands Index, on their common tasks), with the repository-clustered interval of
    :func:`analysis.stats.correlation.clustered_spearman_interval`. ``clusters``: one label
    per common task (default: the Verified repositories)."""
    a = frames.bash_only_matrix() if a is None else a
    b = openhands_matrix() if b is None else b
    common = [t for t in a.columns if t in set(b.columns)]
    if len(common) < 3:
        raise DataError("difficulty_agreement", f"only {len(common)} common tasks")
    rate_a = a[common].mean(axis=0).to_numpy()
    rate_b = b[common].mean(axis=0).to_numpy()
    clusters = clusters_for(a[common]) if clusters is None else clusters
    spearman, low, high = clustered_spearman_interval(rate_a, rate_b, clusters, confidence)
    return DifficultyAgreement(
        spearman=spearman,
        low=low,
        high=high,
        n_tasks=len(common),
        method=AGREEMENT_METHOD,
        rates=pd.DataFrame({"task": common, "rate_a": rate_a, "rate_b": rate_b}),
    )


def person_fit(
    matrix: pd.DataFrame | None = None, n_draws: int = 5_000, seed: int = 0
) -> pd.DataFrame:
    """Does each system solve tasks in the order of their difficulty? One Rasch fit
    (:func:`fit_rasch`) across both leaderboards, then per system the log-likelihood of its
    outcomes against its distribution under the fitted model (``n_draws`` seeded simulations).

    A system that passes hard tasks it "should" fail while failing easy ones (as recall of
    reference patches regardless of difficulty would) has an unusually low log-likelihood:
    ``p_low`` = share of simulations at most as likely, ``p_holm`` Holm-adjusted over the
    systems. The abilities and difficulties are fitted to the same outcomes, so the test is
    conservative: on Rasch-generated 30 x 80 matrices about 1% of systems had ``p_low < 0.05``
    (tests/test_after_verified.py). Columns ``system, leaderboard, ability, score, loglik,
    expected_loglik, p_low, p_holm``. Default matrix: bash-only (prefixed ``bash-only: ``)
    stacked on the OpenHands Index.
    """
    if matrix is None:
        bash = frames.bash_only_matrix().rename(index=lambda s: f"bash-only: {s}")
        matrix = pd.concat([bash, openhands_matrix()[bash.columns]])
    fit = fit_rasch(matrix)
    probabilities = fit.probabilities().to_numpy()
    values = matrix.to_numpy(dtype="float64")
    log_p, log_q = np.log(probabilities), np.log1p(-probabilities)
    observed = (values * log_p + (1.0 - values) * log_q).sum(axis=1)
    rng = np.random.default_rng(seed)
    simulated = np.empty((n_draws, len(matrix)))
    for draw in range(n_draws):
        sample = rng.random(probabilities.shape) < probabilities
        simulated[draw] = np.where(sample, log_p, log_q).sum(axis=1)
    p_low = (1.0 + (simulated <= observed[None, :]).sum(axis=0)) / (n_draws + 1.0)
    return pd.DataFrame(
        {
            "system": matrix.index,
            "leaderboard": [
                "bash-only" if s.startswith("bash-only: ") else "OpenHands Index"
                for s in matrix.index
            ],
            "ability": fit.ability.to_numpy(),
            "score": 100.0 * values.mean(axis=1),
            "loglik": observed,
            "expected_loglik": simulated.mean(axis=0),
            "p_low": p_low,
            "p_holm": holm_adjust(p_low),
        }
    )


def cost_per_solved() -> pd.DataFrame:
    """Dollars per solved task of each OpenHands Index system with a recorded (positive) cost:
    the mean cost per task times 500 over the tasks solved. Columns ``system, score, cost,
    cost_per_solved, release_date``, cheapest per solved task first."""
    matrix = openhands_matrix()
    systems = openhands_systems().set_index("system").reindex(matrix.index)
    solved = matrix.sum(axis=1)
    table = pd.DataFrame(
        {
            "system": matrix.index,
            "score": 100.0 * solved.to_numpy() / matrix.shape[1],
            "cost": systems["cost"].to_numpy(),
            "cost_per_solved": (systems["cost"] * matrix.shape[1] / solved).to_numpy(),
            "release_date": systems["release_date"].to_numpy(),
        }
    )
    # A cost of 0 means none was recorded (an agent billed outside the harness), not free.
    table = table[table["cost"] > 0]
    return table.sort_values("cost_per_solved", kind="stable").reset_index(drop=True)


# --------------------------------------------------------------------------- scaffold vs model

#: Words that name a setting or release channel of a model, not the model.
_QUALIFIERS = frozenset({"preview", "instruct", "medium", "high", "low", "reasoning", "latest"})


def model_key(name: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """A model name reduced to what identifies the model: lower case, parenthesised parts
    (dates, settings) and qualifier words dropped, a version like ``4.5`` split into numbers;
    returns (sorted words, numbers in order), so "Claude 4.5 Sonnet (20250929)" and
    "claude-sonnet-4-5" match while "Claude 4 Opus" and "claude-opus-4-6" do not. Tokens
    like ``a35b`` (active parameters) are dropped."""
    text = re.sub(r"\([^)]*\)", " ", str(name).lower())
    tokens = [t for t in re.split(r"[^a-z0-9]+", text) if t and t not in _QUALIFIERS]
    tokens = [
        t for t in tokens if not re.fullmatch(r"a\d+b", t) and not re.fullmatch(r"20\d{6}", t)
    ]
    words = tuple(sorted(t for t in tokens if not t.isdigit()))
    numbers = tuple(t for t in tokens if t.isdigit())
    return words, numbers


def model_matches(bash_systems: list[str] | None = None) -> pd.DataFrame:
    """The matching table: every bash-only system with the OpenHands-agent system of the same
    model (:func:`model_key`), or none. Columns ``bash_only, openhands, key``."""
    bash_systems = list(frames.bash_only_matrix().index) if bash_systems is None else bash_systems
    systems = openhands_systems()
    openhands = systems[systems["agent"] == "OpenHands"]
    by_key = {model_key(m): s for m, s in zip(openhands["model"], openhands["system"], strict=True)}
    rows = []
    for system in bash_systems:
        key = model_key(system)
        rows.append(
            {"bash_only": system, "openhands": by_key.get(key), "key": " ".join(key[0] + key[1])}
        )
    return pd.DataFrame(rows)


def _paired(
    matrix: pd.DataFrame, pairs: list[tuple[str, str]], n_resamples: int, seed: int
) -> pd.DataFrame:
    """Clustered paired tests of ``a - b`` for named rows, Holm-corrected over the pairs."""
    position = {s: i for i, s in enumerate(matrix.index)}
    first = np.array([position[a] for a, _ in pairs], dtype=np.intp)
    second = np.array([position[b] for _, b in pairs], dtype=np.intp)
    tests = clustered_difference_tests(
        matrix, clusters_for(matrix), n_resamples=n_resamples, seed=seed, pairs=(first, second)
    )
    return pd.DataFrame(
        {
            "system_a": tests["system_a"],
            "system_b": tests["system_b"],
            "score_a": 100.0 * matrix.iloc[first].mean(axis=1).to_numpy(),
            "score_b": 100.0 * matrix.iloc[second].mean(axis=1).to_numpy(),
            "difference": 100.0 * tests["difference"],
            "low": 100.0 * tests["low"],
            "high": 100.0 * tests["high"],
            "p_wild": tests["p_wild"],
            "p_holm": holm_adjust(tests["p_wild"].to_numpy()),
        }
    )


def scaffold_pairs(n_resamples: int = 9_999, seed: int = 0) -> pd.DataFrame:
    """The same model under another agent (a = the other agent) against OpenHands (b), in the
    OpenHands Index, by the clustered paired test (Holm over the pairs)."""
    systems = openhands_systems()
    base = systems[systems["agent"] == "OpenHands"]
    by_key = {model_key(m): s for m, s in zip(base["model"], base["system"], strict=True)}
    others = systems[systems["agent"] != "OpenHands"]
    pairs = [
        (s, by_key[model_key(m)])
        for s, m in zip(others["system"], others["model"], strict=True)
        if model_key(m) in by_key
    ]
    return _paired(openhands_matrix(), pairs, n_resamples, seed)


def bash_only_pairs(n_resamples: int = 9_999, seed: int = 0) -> pd.DataFrame:
    """Each matched model under OpenHands (a) against the bash-only agent (b), by the
    clustered paired test on the 500 tasks (Holm over the pairs)."""
    matches = model_matches().dropna(subset=["openhands"])
    bash = frames.bash_only_matrix()
    stacked = pd.concat([openhands_matrix()[bash.columns], bash])
    pairs = list(zip(matches["openhands"], matches["bash_only"], strict=True))
    return _paired(stacked, pairs, n_resamples, seed)


# --------------------------------------------------------------------------- ledger rows


def claim_audit_ceiling_after() -> Measurement:
    """The best OpenHands Index score on Verified against the audit's implied ceiling."""
    table = ceiling_table()
    best = table.iloc[0]
    arithmetic = audit_arithmetic()
    above = table[table["above_ceiling"]]
    return Measurement(
        measured=float(best["score"]),
        interval=(float(best["low"]), float(best["high"])),
        unit="%",
        detail=f"Best % resolved in the OpenHands Index on the 500 Verified tasks, 95% interval "
        f"{INTERVAL_METHOD}.",
        sources=("openhands_index",),
        extra={
            "best_system": str(best["system"]),
            "implied_ceiling_pct": arithmetic.ceiling_pct,
            "defective_tasks_claimed": arithmetic.defective_tasks,
            "max_defective_given_best": int(best["max_defective"]),
            "n_above_ceiling": len(above),
            "n_significantly_above": int(table["significantly_above"].sum()),
            "systems_above": above["system"].tolist(),
        },
    )


#: Publication date of article 000 (the frontier-cluster claim).
ARTICLE_DATE = pd.Timestamp("2026-02-26")


def released_by(date: pd.Timestamp, matrix: pd.DataFrame | None = None) -> pd.DataFrame:
    """The rows of the OpenHands Index matrix whose model was released on or before ``date``."""
    matrix = openhands_matrix() if matrix is None else matrix
    dates = openhands_systems().set_index("system")["release_date"].reindex(matrix.index)
    return matrix[(dates <= date).to_numpy()]


def frontier_measurement(matrix: pd.DataFrame, scope: str) -> Measurement:
    """Mean score of the systems of ``matrix`` tied with its leader (:func:`tied_with_leader`)
    with the calibrated clustered interval of that mean; ``scope`` says which systems."""
    tier = tied_with_leader(matrix)
    members = tier.loc[tier["in_tier"], "system"].tolist()
    clusters = clusters_for(matrix)
    # the pooled intra-cluster correlation of the whole matrix: a one-system tier then gets
    # exactly that system's interval from ceiling_table
    rho = float(clustered_mean_intervals(matrix, clusters)["rho"].iloc[0])
    mean, low, high = clustered_interval_of_mean(
        matrix.loc[members].mean(axis=0).to_numpy(), clusters, rho=rho
    )
    scores = 100.0 * matrix.mean(axis=1)
    return Measurement(
        measured=100.0 * mean,
        interval=(100.0 * low, 100.0 * high),
        unit="%",
        detail=f"Mean Verified score of the {scope} not significantly behind the leader "
        "(clustered paired wild-bootstrap test, Holm), 95% interval " + INTERVAL_METHOD + ".",
        sources=("openhands_index",),
        extra={
            "tier": members,
            "leader": str(matrix.index[0]),
            "leader_score_pct": float(scores.iloc[0]),
            "n_systems": len(matrix),
            "median_score_pct": float(scores.median()),
            "n_within_3_5_points_of_80": int(((scores - 80.0).abs() <= 3.5).sum()),
        },
    )


def claim_frontier_cluster_after() -> Measurement:
    """Every OpenHands Index system (models up to mid-2026) against 'cluster near 80%'."""
    return frontier_measurement(openhands_matrix(), "OpenHands Index systems")


def claim_frontier_cluster_at_article() -> Measurement:
    """The OpenHands Index systems whose model was out when article 000 was published."""
    scope = f"OpenHands Index systems released by {ARTICLE_DATE.date()}"
    return frontier_measurement(released_by(ARTICLE_DATE), scope)
