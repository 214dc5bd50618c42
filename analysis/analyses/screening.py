"""OpenAI's screening of SWE-bench samples (August 2024): what its annotation release says
about the tasks that became Verified (notebook 01)."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from analysis.data.parsing import require_columns
from analysis.errors import DataError


@dataclass(frozen=True)
class ScreeningSummary:
    """Counts from the screening: ``screened`` samples, ``filtered_out`` (and its percent),
    ``kept``; the percent of screened samples with an underspecification or a false-negative
    score (tests reject valid fixes) of 2 or more and with other major issues; with task ids,
    how many Verified tasks the annotations hold (``verified_annotated``) and how many of them
    were kept (``verified_kept``), else ``None``."""

    screened: int
    filtered_out: int
    filtered_out_pct: float
    kept: int
    underspecified_pct: float
    false_negative_pct: float
    other_major_issues_pct: float
    verified_annotated: int | None = None
    verified_kept: int | None = None


def _check(annotations: pd.DataFrame, columns: tuple[str, ...], where: str) -> None:
    require_columns(annotations.columns, columns, where)
    if annotations.empty:
        raise DataError(where, "no rows")


def annotation_summary(
    annotations: pd.DataFrame, task_ids: pd.Series | None = None
) -> ScreeningSummary:
    """Counts from OpenAI's screening of SWE-bench samples (Aug 2024): see
    :class:`ScreeningSummary`; the Verified counts only with ``task_ids``."""
    _check(
        annotations,
        ("instance_id", "underspecified", "false_negative", "other_major_issues", "filter_out"),
        "annotation_summary",
    )
    screened = len(annotations)
    filtered = int(annotations["filter_out"].sum())
    verified_annotated = verified_kept = None
    if task_ids is not None:
        in_verified = annotations[annotations["instance_id"].isin(set(task_ids))]
        verified_annotated = len(in_verified)
        verified_kept = int((~in_verified["filter_out"]).sum())
    return ScreeningSummary(
        screened=screened,
        filtered_out=filtered,
        filtered_out_pct=100.0 * filtered / screened,
        kept=screened - filtered,
        underspecified_pct=100.0 * float((annotations["underspecified"] >= 2).mean()),
        false_negative_pct=100.0 * float((annotations["false_negative"] >= 2).mean()),
        other_major_issues_pct=100.0 * float((annotations["other_major_issues"] >= 1).mean()),
        verified_annotated=verified_annotated,
        verified_kept=verified_kept,
    )


def annotation_scores(annotations: pd.DataFrame, task_ids: pd.Series) -> pd.DataFrame:
    """Distribution of the ensembled severity scores (0-3), all screened vs Verified.

    Rows ``(score, 0..3)`` x columns ``underspecified_screened, underspecified_verified,
    false_negative_screened, false_negative_verified``: percent of samples with that score.
    """
    _check(annotations, ("instance_id", "underspecified", "false_negative"), "annotation_scores")
    verified = annotations[annotations["instance_id"].isin(set(task_ids))]
    columns = {}
    for score in ("underspecified", "false_negative"):
        for label, frame in (("screened", annotations), ("verified", verified)):
            shares = frame[score].value_counts(normalize=True).reindex([0.0, 1.0, 2.0, 3.0])
            columns[f"{score}_{label}"] = 100.0 * shares.fillna(0.0).to_numpy()
    return pd.DataFrame(columns, index=pd.Index([0, 1, 2, 3], name="score"))
