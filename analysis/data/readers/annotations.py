"""OpenAI's Verified screening annotations (``openai_annotations``) -> one row per sample."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from analysis.data.parsing import (
    parse_bool,
    read_csv,
    require_in_range,
    require_unique,
    resolve_path,
)
from analysis.data.readers.verified import DIFFICULTY_DTYPE, DIFFICULTY_LEVELS
from analysis.errors import DataError

_ANNOTATION_SCORES = ("underspecified", "false_negative", "other_major_issues")

#: The annotators' severity scale is 0 (no issue) to 3 (severe).
ANNOTATION_SCALE_MAX = 3.0


def load_annotations(path: str | Path | None = None) -> pd.DataFrame:
    """OpenAI's ensembled SWE-bench Verified annotations (1,699 screened samples).

    Columns as upstream: instance_id, underspecified, false_negative, other_major_issues
    (0-3 severity scores, float), their ``*_notes`` and ``*_decided_by`` columns, difficulty
    (ordered categorical, :data:`DIFFICULTY_LEVELS`), difficulty_decided_by,
    difficulty_ensemble_decision_procedure, filter_out (bool: excluded from Verified).
    """
    source = resolve_path(path, "openai_annotations")
    required = ("instance_id", *_ANNOTATION_SCORES, "difficulty", "filter_out")
    frame = read_csv(source, required)
    require_unique(frame["instance_id"], source)
    for column in _ANNOTATION_SCORES:
        values = pd.to_numeric(frame[column], errors="coerce")
        bad = frame.loc[values.isna() & frame[column].notna(), column]
        if len(bad):
            raise DataError(source, f"unparseable {column} score {bad.iloc[0]!r}")
        frame[column] = values.astype(float)
        require_in_range(frame, column, source, "instance_id", 0.0, ANNOTATION_SCALE_MAX)
    try:
        if frame["filter_out"].isna().any():
            raise ValueError(f"missing for {int(frame['filter_out'].isna().sum())} row(s)")
        frame["filter_out"] = frame["filter_out"].map(parse_bool).astype(bool)
    except ValueError as error:
        raise DataError(source, f"filter_out: {error}") from error
    unknown_levels = sorted(set(frame["difficulty"].dropna()) - set(DIFFICULTY_LEVELS))
    if unknown_levels:
        raise DataError(source, f"unknown difficulty level(s): {unknown_levels}")
    frame["difficulty"] = frame["difficulty"].astype(DIFFICULTY_DTYPE)
    return frame
