"""Tests for analysis.analyses.pro: composition, size, scores, paired comparisons, mapping."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats as scipy_stats

from analysis.analyses import pro
from analysis.errors import DataError
from analysis.figures import pro as pro_figures


def test_composition_shares_and_order() -> None:
    frame = pd.DataFrame({"language": ["go", "go", "py", "js", "py", "go"]})
    table = pro.composition(frame, "language")
    assert list(table["language"]) == ["go", "py", "js"]
    assert table["share_pct"].sum() == pytest.approx(100)
    assert pro.top_share(frame, "language", 2) == pytest.approx(100 * 5 / 6)
    with pytest.raises(DataError):
        pro.composition(frame, "repo")


def test_size_summary_and_mean_interval() -> None:
    values = np.arange(1, 101, dtype=float)
    summary = pro.size_summary(values)
    assert summary.mean == pytest.approx(50.5)
    assert summary.median == pytest.approx(50.5)
    assert summary.mean_low < 50.5 < summary.mean_high
    with pytest.raises(DataError):
        pro.mean_interval([np.nan])


def test_size_comparison_rows() -> None:
    pro_loc = pd.DataFrame({"lines_changed": [100, 200, 300]})
    verified = pd.DataFrame({"lines_changed": [1, 2, 3], "files_changed": [1, 1, 2]})
    table = pro.size_comparison(pro_loc, verified)
    assert list(table["benchmark"]) == ["Pro (public)", "Verified", "Verified"]
    assert table.loc[0, "mean"] == pytest.approx(200)


def _results() -> pd.DataFrame:
    # a solves t1-t6, b solves t1-t2 and t7; c has only t1-t5 in its file
    rows = []
    for task in range(1, 11):
        rows.append(("a", f"t{task}", task <= 6))
        rows.append(("b", f"t{task}", task in (1, 2, 7)))
        if task <= 5:
            rows.append(("c", f"t{task}", task == 1))
    return pd.DataFrame(rows, columns=["system", "instance_id", "resolved"])


def test_pro_scores_two_denominators() -> None:
    scores = pro.pro_scores(_results(), n_public=10).set_index("system")
    assert scores.loc["a", "score_pct"] == pytest.approx(60)
    assert scores.loc["c", "tasks"] == 5
    assert scores.loc["c", "score_pct"] == pytest.approx(20)
    assert scores.loc["c", "score_all_pct"] == pytest.approx(10)  # missing = unresolved
    assert (scores["low_pct"] <= scores["score_pct"]).all()
    with pytest.raises(DataError):
        pro.pro_scores(_results().drop(columns="resolved"))


def test_paired_comparisons_counts_and_exact_mcnemar() -> None:
    table = pro.paired_comparisons(_results()).set_index(["system_a", "system_b"])
    ab = table.loc[("a", "b")]
    assert ab["shared_tasks"] == 10
    assert (ab["only_a"], ab["only_b"]) == (4, 1)
    assert ab["difference_pts"] == pytest.approx(30)
    assert ab["p_mcnemar"] == pytest.approx(scipy_stats.binomtest(4, 5, 0.5).pvalue)
    assert ab["low_pts"] < 30 < ab["high_pts"]
    assert table.loc[("a", "c"), "shared_tasks"] == 5  # only the tasks both ran
    assert (table["p_holm"] >= table["p_mcnemar"]).all()


def test_holm_by_hand() -> None:
    adjusted = pro.holm(np.array([0.01, 0.04, 0.03]))
    # sorted 0.01*3=0.03, 0.03*2=0.06, max(0.06, 0.04*1)=0.06
    assert adjusted == pytest.approx([0.03, 0.06, 0.06])


def test_pair_table_is_explicit_and_verified_vs_pro_uses_same_model_only() -> None:
    pairs = pro.pair_table()
    assert pairs["pro_system"].is_unique
    assert pairs.loc[~pairs["same_model"], "note"].str.len().gt(0).all()
    pro_table = pd.DataFrame(
        {
            "system": ["claude-45sonnet-10132025", "gpt-4o-paper"],
            "score_pct": [40.0, 5.0],
            "low_pct": [36.0, 3.0],
            "high_pct": [44.0, 7.0],
        }
    )
    verified = pd.DataFrame(
        {
            "system": ["Claude 4.5 Sonnet (20250929)", "GPT-4o (2024-11-20)"],
            "score_pct": [70.0, 21.0],
            "low_pct": [66.0, 18.0],
            "high_pct": [74.0, 25.0],
        }
    )
    table = pro.verified_vs_pro(pro_table, verified)
    assert list(table["pro_system"]) == ["claude-45sonnet-10132025"]  # gpt-4o: unclear snapshot
    assert table.loc[0, "drop_pts"] == pytest.approx(30)
    assert np.isnan(table.loc[0, "drop_low"])  # no task counts given: no interval
    pro_table["tasks"], verified["tasks"] = [100, 100], [100, 100]
    with_counts = pro.verified_vs_pro(pro_table, verified)
    se = 100 * np.sqrt(0.7 * 0.3 / 100 + 0.4 * 0.6 / 100)
    assert with_counts.loc[0, "drop_high"] == pytest.approx(30 + 1.959964 * se, rel=1e-5)


def test_verified_scores_from_results() -> None:
    table = pro.verified_scores_from_results(_results()).set_index("system")
    assert table.loc["b", "score_pct"] == pytest.approx(30)


def test_real_pro_data(mirror) -> None:
    from analysis.data.readers.pro import load_pro_results

    systems = set(load_pro_results()["system"])
    assert set(pro.pair_table()["pro_system"]) == systems  # every file is mapped or excused
    structure = pro.claim_pro_structure()
    assert structure.extra["public_tasks"] == 731
    assert structure.extra["public_repositories"] == 11
    languages = pro.claim_pro_languages()
    assert languages.measured == 4
    size = pro.claim_verified_vs_pro_size()
    assert size.interval[0] < size.measured < size.interval[1]
    assert size.extra["ratio_of_means"] > 5
    scores = pro.claim_pro_scores()
    assert not scores.testable and 30 < scores.extra["best_score_pct"] < 55


def test_figures_build() -> None:
    import matplotlib

    matplotlib.use("Agg")
    scores = pro.pro_scores(_results(), n_public=10)
    assert pro_figures.figure_scores(scores).axes[0].get_xlim() == (0.0, 70.0)
    fig = pro_figures.figure_patch_sizes(
        pd.DataFrame({"lines_changed": [10, 100, 1000]}), pd.DataFrame({"lines_changed": [0, 5, 7]})
    )
    assert fig.axes[0].get_xscale() == "log"


@settings(max_examples=100, deadline=None)
@given(st.lists(st.floats(0, 1), min_size=1, max_size=20))
def test_holm_is_bounded_and_never_below_raw(p_values) -> None:
    raw = np.array(p_values)
    adjusted = pro.holm(raw)
    assert (adjusted >= raw - 1e-12).all() and (adjusted <= 1).all()
    order = np.argsort(raw, kind="stable")
    assert (np.diff(adjusted[order]) >= -1e-12).all()  # monotone in the raw order


def test_clustered_scores_and_pairs_with_repositories() -> None:
    results = _results()
    tasks = sorted(results["instance_id"].unique())
    clusters = pd.Series([f"repo{i % 3}" for i in range(len(tasks))], index=tasks)
    scores = pro.pro_scores(results, n_public=len(tasks), clusters=clusters)
    assert (scores["low_pct"] <= scores["score_pct"]).all()
    assert (scores["score_pct"] <= scores["high_pct"]).all()
    pairs = pro.paired_comparisons(results, clusters=clusters)
    assert pairs["p_clustered"].between(0, 1).all()
    assert (pairs["p_holm"] >= pairs["p_clustered"]).all()  # Holm on the clustered test
    assert (pairs["low_pts"] <= pairs["difference_pts"]).all()
