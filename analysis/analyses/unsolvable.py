"""Is "about 59% of the hard 20% of Verified unsolvable"? Notebook 04's claim, measured.

The never-solved tasks lie inside the hard set by construction, so the share of the hard set
no system solves is not a binomial sample: its real uncertainty is which systems are counted
(:func:`never_solved_sensitivity`), shown as a plausible range rather than a Wilson interval.
"""

from __future__ import annotations

import pandas as pd

from analysis import frames
from analysis.analyses.defects import (
    HARD_SHARE,
    VerifiedMatrices,
    audit_sample_share,
    hard_tasks,
    never_solved,
    share_never_solved,
    verified_matrices,
)
from analysis.claims.types import Measurement


def never_solved_sensitivity(matrices: VerifiedMatrices | None = None) -> pd.DataFrame:
    """How the "never solved among the hard tasks" share depends on which systems count.

    The never-solved tasks lie inside the hard set by construction (a task no system solves
    has the lowest solve rate), so the share is not a binomial sample and a Wilson interval
    would misstate its uncertainty. What moves it is which systems are included: more
    systems solve more tasks and also move the hard set's cut. One row per inclusion choice
    (``systems`` label, ``n_systems``, ``hard_tasks``, ``never_solved``, ``pct``): the
    same-agent bash-only systems and all systems with per-task results (bash-only plus the
    early submissions).
    """
    matrices = verified_matrices() if matrices is None else matrices
    rows = []
    for label, matrix in (
        ("bash-only (same agent)", matrices.bash_only),
        ("all systems with per-task results", matrices.combined),
    ):
        hard = hard_tasks(matrix, HARD_SHARE)
        unsolved = set(never_solved(matrix))
        count = sum(task in unsolved for task in hard)
        rows.append(
            {
                "systems": label,
                "n_systems": int(matrix.shape[0]),
                "hard_tasks": len(hard),
                "never_solved": int(count),
                "pct": 100.0 * count / len(hard),
            }
        )
    return pd.DataFrame(rows)


def claim_hard_unsolvable() -> Measurement:
    """Share of the hardest 20% of tasks (lowest solve rate) that no system solves.

    The measured value uses every system with per-task results (more systems make "never
    solved" closer to "unsolvable"); its plausible range spans the inclusion choices of
    :func:`never_solved_sensitivity` (not a sampling interval: see there).
    """
    matrices = verified_matrices()
    combined = matrices.combined
    sensitivity = never_solved_sensitivity(matrices)
    everyone = sensitivity.iloc[-1]
    audit_like = share_never_solved(combined, hard_tasks(combined, audit_sample_share()))
    tasks = frames.verified_tasks()
    long_fixes = tasks.loc[
        tasks["difficulty"].astype(str).isin(["1-4 hours", ">4 hours"]), "instance_id"
    ]
    by_difficulty = share_never_solved(combined, pd.Index(long_fixes))
    return Measurement(
        measured=float(everyone["pct"]),
        interval=(float(sensitivity["pct"].min()), float(sensitivity["pct"].max())),
        interval_kind="plausible",
        unit="%",
        detail=f"Of the {int(everyone['hard_tasks'])} tasks with the lowest solve rate across "
        f"{int(everyone['n_systems'])} systems (bash-only plus early submissions), the share "
        "no system solves; the plausible range spans which systems are included (bash-only "
        "alone or all), not sampling error.",
        sources=("leaderboards", "moatless_resolved", "verified_tasks"),
        caveat="'never solved' by the systems in our data stands in for 'unsolvable' (a "
        "never-solved task may be merely hard), and our hard set is the lowest solve rates, "
        "not OpenAI's audited subset",
        extra={
            "never_solved_tasks": len(never_solved(combined)),
            "sensitivity": sensitivity.to_dict(orient="records"),
            "audit_sized_subset_tasks": int(audit_like.tasks),
            "audit_sized_subset_never_solved_pct": audit_like.pct,
            "hard_by_difficulty_tasks": int(by_difficulty.tasks),
            "hard_by_difficulty_never_solved_pct": by_difficulty.pct,
            "systems": int(combined.shape[0]),
            "excluded_systems": list(matrices.excluded),
        },
    )
