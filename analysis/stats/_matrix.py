"""Input coercion shared by the statistics engine.

Every public function takes a systems x tasks 0/1 outcome matrix as a ``pandas.DataFrame``
(systems as the index, tasks as the columns) or as a NumPy array; this module turns either
into a float64 array plus the system and task labels, and checks it once.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from analysis.errors import DataError


@dataclass(frozen=True)
class OutcomeMatrix:
    """A validated outcome matrix: ``values[s, t]`` is 1.0 if system ``s`` solved task ``t``."""

    values: np.ndarray  # float64, shape (n_systems, n_tasks); NaN = not run, if allowed
    systems: list[str]
    tasks: list[str]
    #: The original labels (a DataFrame's index and columns, else ranges), for results that
    #: are indexed like the input.
    index: pd.Index | None = None
    columns: pd.Index | None = None

    @property
    def observed(self) -> np.ndarray:
        """Boolean mask of the observed (non-missing) outcomes."""
        return ~np.isnan(self.values)

    @property
    def n_systems(self) -> int:
        return self.values.shape[0]

    @property
    def n_tasks(self) -> int:
        return self.values.shape[1]


def as_outcome_matrix(
    matrix: pd.DataFrame | np.ndarray | Sequence,
    where: str = "matrix",
    allow_single_system: bool = True,
    allow_missing: bool = False,
) -> OutcomeMatrix:
    """Coerce ``matrix`` (systems x tasks, 0/1 or bool) to an :class:`OutcomeMatrix`.

    A 1-D input is one system. Labels come from a DataFrame's index and columns, or default
    to ``"system_0"``, ... and ``"task_0"``, ... for arrays. Raises :class:`DataError` naming
    ``where`` for missing values (unless ``allow_missing``: NaN = not run), values other
    than 0/1, or an empty matrix. This is the engine's one outcome-matrix checker.
    """
    if isinstance(matrix, pd.DataFrame):
        systems = [str(label) for label in matrix.index]
        tasks = [str(label) for label in matrix.columns]
        index = pd.Index(matrix.index, name=matrix.index.name or "system")
        columns = pd.Index(matrix.columns, name=matrix.columns.name or "instance_id")
        try:
            values = matrix.to_numpy(dtype="float64", na_value=np.nan)
        except (TypeError, ValueError) as error:
            raise DataError(where, f"outcome matrix is not numeric: {error}") from error
    elif isinstance(matrix, pd.Series):
        systems = [str(matrix.name) if matrix.name is not None else "system_0"]
        tasks = [str(label) for label in matrix.index]
        values = matrix.to_numpy(dtype="float64", na_value=np.nan)[None, :]
        index = pd.Index(systems, name="system")
        columns = pd.Index(matrix.index, name=matrix.index.name or "instance_id")
    else:
        try:
            values = np.asarray(matrix, dtype="float64")
        except (TypeError, ValueError) as error:
            raise DataError(where, f"outcome matrix is not numeric: {error}") from error
        if values.ndim == 1:
            values = values[None, :]
        systems = [f"system_{i}" for i in range(values.shape[0])] if values.ndim == 2 else []
        tasks = [f"task_{j}" for j in range(values.shape[1])] if values.ndim == 2 else []
        index = pd.RangeIndex(len(systems), name="system")
        columns = pd.RangeIndex(len(tasks), name="instance_id")
    if values.ndim != 2:
        raise DataError(where, f"outcome matrix must be 2-D (systems x tasks), got {values.ndim}-D")
    if values.shape[0] == 0 or values.shape[1] == 0:
        raise DataError(where, f"outcome matrix is empty (shape {values.shape})")
    if not allow_single_system and values.shape[0] < 2:
        raise DataError(where, "need at least two systems to compare")
    observed = ~np.isnan(values)
    if not allow_missing and not observed.all():
        raise DataError(where, f"outcome matrix has {int((~observed).sum())} missing values")
    if not np.isin(values[observed], (0.0, 1.0)).all():
        missing_note = "; NaN = missing" if allow_missing else ""
        raise DataError(where, f"outcome matrix must hold only 0/1 (or booleans{missing_note})")
    return OutcomeMatrix(
        values=np.ascontiguousarray(values),
        systems=systems,
        tasks=tasks,
        index=index,
        columns=columns,
    )


def cluster_codes(
    clusters: Sequence | np.ndarray | pd.Series | None, n_tasks: int, where: str = "clusters"
) -> tuple[np.ndarray, int] | None:
    """Integer codes 0..C-1 for a per-task array of cluster labels (e.g. repository).

    Returns ``(codes, n_clusters)``, or ``None`` when ``clusters`` is ``None``.
    """
    if clusters is None:
        return None
    labels = (
        np.asarray(clusters, dtype=object)
        if not isinstance(clusters, pd.Series)
        else clusters.to_numpy(dtype=object)
    )
    if labels.ndim != 1 or labels.shape[0] != n_tasks:
        raise DataError(
            where, f"need one cluster label per task ({n_tasks}), got shape {labels.shape}"
        )
    if pd.isna(labels).any():
        raise DataError(where, "cluster labels contain missing values")
    codes, uniques = pd.factorize(labels)
    return codes.astype(np.intp), len(uniques)


def scalar_or_array(value: np.ndarray) -> float | np.ndarray:
    """A 0-d result as a Python scalar, anything else unchanged: the engine's functions take
    a number or an array and answer in kind."""
    return value.item() if np.ndim(value) == 0 else value
