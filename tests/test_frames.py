"""analysis.frames: one cache per source, one exclusion policy, exclusions listed, no warnings."""

from __future__ import annotations

import warnings
from collections.abc import Iterator

import pandas as pd
import pytest

from analysis import frames
from analysis.errors import DataError

CACHED = (
    frames.verified_tasks,
    frames.annotations,
    frames.leaderboard,
    frames.bash_only_results,
    frames.bash_only_matrix,
    frames.moatless_results,
    frames.pro_tasks,
    frames.pro_loc,
    frames.pro_results,
    frames.acr_runs,
)


def _long(systems: dict[str, list[bool]]) -> pd.DataFrame:
    rows = [
        {"system": system, "instance_id": f"t{index}", "resolved": value}
        for system, values in systems.items()
        for index, value in enumerate(values)
    ]
    return pd.DataFrame(rows)


def _record(system: str) -> dict[str, object]:
    return {
        "system": system,
        "published_pct": 90.0,
        "per_task_pct": 25.0,
        "n_tasks": 4,
        "difference_tasks": 2.6,
    }


@pytest.fixture
def fake_readers(monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, list[dict]]]:
    """Synthetic readers that record their arguments; caches cleared before and after."""
    calls: dict[str, list[dict]] = {"bash": [], "moatless": []}

    def bash(**kwargs: object) -> pd.DataFrame:
        calls["bash"].append(kwargs)
        if kwargs.get("warn", True):
            warnings.warn("bash-only per-task results disagree", UserWarning, stacklevel=2)
        frame = _long(
            {
                "weak": [True, False, False, False],
                "bad": [True, False, False, False],
                "strong": [True, True, True, False],
            }
        )
        frame.attrs["excluded"] = [_record("bad")]
        return frame

    def moatless(**kwargs: object) -> pd.DataFrame:
        calls["moatless"].append(kwargs)
        frame = _long({"early": [True, False, True, False], "shaky": [False] * 4})
        frame.attrs.update(dates={"early": "2024-05-01", "shaky": "2024-06-01"}, names={})
        frame.attrs["inconsistent"] = [_record("shaky")]
        return frame

    monkeypatch.setattr(frames, "load_bash_only_results", bash)
    monkeypatch.setattr(frames, "load_moatless_results", moatless)
    monkeypatch.setattr(frames, "load_leaderboard", lambda: pd.DataFrame({"leaderboard": []}))
    for function in CACHED:
        function.cache_clear()
    yield calls
    for function in CACHED:
        function.cache_clear()


def test_one_exclusion_policy_for_both_sources(fake_readers: dict[str, list[dict]]) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # listed, never warned
        bash = frames.bash_only_results()
        early = frames.moatless_results()
    assert fake_readers["bash"] == [{"exclude_inconsistent": False, "warn": False}]
    assert sorted(bash["system"].unique()) == ["strong", "weak"]
    assert sorted(early["system"].unique()) == ["early"]
    assert bash.index.tolist() == list(range(len(bash)))
    assert early.attrs["dates"] == {"early": "2024-05-01", "shaky": "2024-06-01"}  # kept
    assert [row["system"] for row in early.attrs["excluded"]] == ["shaky"]
    table = frames.exclusions()
    assert list(table.columns) == list(frames.EXCLUSION_COLUMNS)
    assert table[["source", "system"]].values.tolist() == [
        ["bash_only", "bad"],
        ["moatless", "shaky"],
    ]
    assert table["reason"].str.contains("more than one task").all()
    assert frames.excluded_systems()["system"].tolist() == ["bad"]
    with pytest.raises(DataError, match="unknown source"):
        frames.exclusions("nope")


def test_frames_are_read_once_and_matrix_is_best_first(fake_readers: dict[str, list[dict]]) -> None:
    frames.bash_only_results()
    matrix = frames.bash_only_matrix()
    frames.bash_only_results()
    assert len(fake_readers["bash"]) == 1
    assert matrix.index.tolist() == ["strong", "weak"]
    assert matrix.loc["strong"].tolist() == [1, 1, 1, 0]
