"""Dataset-audit computations on synthetic tasks, and their claims on the real data."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats as scipy_stats

from analysis import frames
from analysis.analyses import dataset, screening
from analysis.data.readers import verified
from analysis.errors import DataError


def synthetic_tasks() -> pd.DataFrame:
    """Ten tasks: 4 quick, 5 medium, 1 long; repos a (5), b (3), c (1), d (1); 2013-2016."""
    difficulty = ["<15 min fix"] * 4 + ["15 min - 1 hour"] * 5 + ["1-4 hours"]
    created = pd.to_datetime(
        [
            "2013-01-01",
            "2013-06-01",
            "2015-01-01",
            "2015-02-01",
            "2015-03-01",
            "2016-01-01",
            "2016-02-01",
            "2016-03-01",
            "2016-04-01",
            "2016-05-01",
        ],
        utc=True,
    )
    return pd.DataFrame(
        {
            "instance_id": [f"t{i}" for i in range(10)],
            "repo": ["a"] * 5 + ["b"] * 3 + ["d", "c"],
            "difficulty": pd.Categorical(
                difficulty, categories=list(verified.DIFFICULTY_LEVELS), ordered=True
            ),
            "created_at": created,
            "year": created.year,
            "lines_changed": [2, 4, 6, 8, 10, 10, 10, 10, 20, 100],
            "files_changed": [1, 1, 1, 1, 1, 2, 1, 1, 1, 3],
            "hunks": [1, 1, 1, 2, 2, 2, 1, 1, 1, 5],
            "test_lines_changed": [5] * 10,
            "n_fail_to_pass": [1, 1, 2, 1, 1, 3, 1, 1, 1, 4],
            "n_pass_to_pass": [10] * 10,
        }
    )


def test_difficulty_mix_counts_shares_and_empty_bucket() -> None:
    mix = dataset.difficulty_mix(synthetic_tasks()).set_index("difficulty")
    assert mix["n_tasks"].tolist() == [4, 5, 1, 0]
    assert mix.loc["<15 min fix", "share_pct"] == pytest.approx(40.0)
    assert mix.loc[">4 hours", "share_pct"] == 0.0
    expected = scipy_stats.binomtest(4, 10).proportion_ci(method="exact")
    assert mix.loc["<15 min fix", "share_low"] == pytest.approx(100 * expected.low)
    assert mix.loc["<15 min fix", "share_high"] == pytest.approx(100 * expected.high)


def test_difficulty_mix_rejects_unknown_labels() -> None:
    tasks = synthetic_tasks()
    tasks["difficulty"] = tasks["difficulty"].astype(str).replace("1-4 hours", "a week")
    with pytest.raises(DataError, match="unknown difficulty"):
        dataset.difficulty_mix(tasks)


def test_size_by_difficulty_means_and_order() -> None:
    sizes = dataset.size_by_difficulty(synthetic_tasks())
    assert sizes["difficulty"].tolist() == ["<15 min fix", "15 min - 1 hour", "1-4 hours"]
    assert sizes["mean_lines_changed"].tolist() == pytest.approx([5.0, 12.0, 100.0])
    assert sizes["median_lines_changed"].tolist() == pytest.approx([5.0, 10.0, 100.0])
    assert sizes.loc[1, "mean_files_changed"] == pytest.approx(1.2)


def test_decisive_test_counts() -> None:
    table = dataset.decisive_test_counts(synthetic_tasks()).set_index("difficulty")
    assert table.loc["<15 min fix", "single_fail_to_pass_pct"] == pytest.approx(75.0)
    assert table.loc["15 min - 1 hour", "median_fail_to_pass"] == 1.0
    assert table.loc["1-4 hours", "mean_fail_to_pass"] == 4.0


def test_repo_concentration_sorted_with_ties_by_name() -> None:
    table = dataset.repo_concentration(synthetic_tasks())
    assert table["repo"].tolist() == ["a", "b", "c", "d"]  # c and d tie on one task
    assert table["cumulative_pct"].tolist() == pytest.approx([50.0, 80.0, 90.0, 100.0])
    assert table["rank"].tolist() == [1, 2, 3, 4]
    assert dataset.top_repo_share(synthetic_tasks(), top=2) == pytest.approx(80.0)


def test_tasks_by_year_fills_gaps_and_shares_before() -> None:
    table = dataset.tasks_by_year(synthetic_tasks()).set_index("year")
    assert table.index.tolist() == [2013, 2014, 2015, 2016]
    assert table.loc[2014, "n_tasks"] == 0
    assert table.loc[2015, "share_before_pct"] == pytest.approx(20.0)
    assert table.loc[2016, "share_through_pct"] == pytest.approx(100.0)
    assert dataset.share_before(synthetic_tasks(), 2016) == (5, pytest.approx(50.0))
    # half the tasks are created before 2016, so the halfway point is the start of 2016
    assert dataset.median_year_cutoff(synthetic_tasks()) == 2016


def test_task_ages() -> None:
    tasks = synthetic_tasks()
    reference = pd.Timestamp("2023-01-01", tz="UTC")
    age = dataset.oldest_task_age_years(tasks, reference)
    assert age == pytest.approx((reference - tasks["created_at"].min()).days / 365.25)
    assert 9.9 < age < 10.1
    by_repo = dataset.age_by_repo(tasks, reference).set_index("repo")
    assert by_repo.loc["a", "first_year"] == 2013 and by_repo.loc["a", "last_year"] == 2015
    assert by_repo.index[0] == "a"


def test_audit_arithmetic_of_the_reported_shares() -> None:
    audit = dataset.audit_arithmetic(27.6, 59.4, 500)
    assert audit.audited_tasks == 138 and audit.audited_exact == pytest.approx(138.0)
    assert audit.defective_tasks == 82 and audit.defective_exact == pytest.approx(81.972)
    assert audit.benchmark_lower_bound_pct == pytest.approx(16.4)
    assert audit.ceiling_pct == pytest.approx(83.6)
    exact = scipy_stats.binomtest(82, 138).proportion_ci(method="exact")
    assert audit.defective_interval_pct == pytest.approx((100 * exact.low, 100 * exact.high))
    assert audit.defective_interval_pct[0] < 59.4 < audit.defective_interval_pct[1]


@pytest.mark.parametrize(
    ("audited", "defective", "n"), [(-1, 50, 500), (30, 101, 500), (30, 50, 0)]
)
def test_audit_arithmetic_rejects_bad_input(audited: float, defective: float, n: int) -> None:
    with pytest.raises(DataError):
        dataset.audit_arithmetic(audited, defective, n)


def test_annotation_summary_and_scores() -> None:
    annotations = pd.DataFrame(
        {
            "instance_id": ["t0", "t1", "x2", "x3"],
            "underspecified": [0.0, 1.0, 2.0, 3.0],
            "false_negative": [1.0, 0.0, 3.0, 0.0],
            "other_major_issues": [0.0, 0.0, 0.0, 1.0],
            "filter_out": [False, False, True, True],
        }
    )
    summary = screening.annotation_summary(annotations, pd.Series(["t0", "t1", "t9"]))
    assert summary.screened == 4 and summary.filtered_out == 2
    assert summary.filtered_out_pct == pytest.approx(50.0)
    assert summary.underspecified_pct == pytest.approx(50.0)
    assert summary.false_negative_pct == pytest.approx(25.0)
    assert summary.verified_annotated == 2 and summary.verified_kept == 2
    assert screening.annotation_summary(annotations).verified_kept is None
    with pytest.raises(DataError, match="missing required column"):
        screening.annotation_summary(annotations.drop(columns="filter_out"))
    with pytest.raises(DataError, match="no rows"):
        screening.annotation_summary(annotations.iloc[:0])
    scores = screening.annotation_scores(annotations, pd.Series(["t0", "t1"]))
    assert scores["underspecified_screened"].tolist() == pytest.approx([25.0] * 4)
    assert scores["underspecified_verified"].tolist() == pytest.approx([50.0, 50.0, 0.0, 0.0])
    assert np.allclose(scores.sum(), 100.0)


def test_missing_columns_and_empty_frames_raise() -> None:
    with pytest.raises(DataError, match="missing column"):
        dataset.repo_concentration(pd.DataFrame({"x": [1]}))
    with pytest.raises(DataError, match="no rows"):
        dataset.difficulty_mix(synthetic_tasks().iloc[:0])


# --- real data ------------------------------------------------------------------------------


@pytest.mark.mirror
def test_verified_composition(mirror: Path) -> None:
    tasks = frames.verified_tasks()
    assert len(tasks) == 500
    mix = dataset.difficulty_mix(tasks).set_index("difficulty")["n_tasks"]
    assert mix.tolist() == [194, 261, 42, 3]
    assert dataset.top_repo_share(tasks) == pytest.approx(83.2)
    assert dataset.share_before(tasks, 2020) == (146, pytest.approx(29.2))
    assert dataset.median_year_cutoff(tasks) == 2021


@pytest.mark.mirror
def test_dataset_claims_on_real_data(mirror: Path) -> None:
    curation = dataset.claim_verified_curation()
    assert curation.measured == 500.0
    assert curation.extra["screened"] == 1699
    assert curation.extra["filtered_out_pct"] == pytest.approx(68.3, abs=0.05)
    audit = dataset.claim_audit_sample()
    assert not audit.testable and audit.reason
    assert audit.extra["defective_tasks"] == 82
    lines = dataset.claim_lines_by_difficulty()
    assert lines.measured == pytest.approx(5.04, abs=0.01)
    assert dataset.claim_task_age_oldest().measured > 13.0


@pytest.mark.mirror
def test_curation_cost_is_untestable_but_sized(mirror: Path) -> None:
    cost = dataset.claim_verified_curation_cost()
    assert not cost.testable and "budget" in cost.reason
    assert cost.extra["annotations"] == 3 * 1699
    assert cost.extra["usd_per_annotation_at_2_million"] == pytest.approx(2e6 / 5097)
