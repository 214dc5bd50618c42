"""The noise report: numbers against direct computations, the CLI's JSON schema, HTML
escaping, and the two real leaderboards in the mirror."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from scipy import stats as scipy_stats

from analysis.analyses.audit import audit, paired_tests, score_intervals
from analysis.cli import main
from analysis.data.readers.detect import public_leaderboard, read_path
from analysis.data.results import make_results, to_matrix
from analysis.report.audit import render_audit_page
from analysis.stats.comparisons import mcnemar_exact
from analysis.stats.intervals import wilson_interval

SYSTEM_KEYS = {"system", "n_tasks", "score", "ci_low", "ci_high", "n_runs", "run_sd"}


def synthetic(n_systems=4, n_tasks=60, n_runs=1, seed=0, strengths=None) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    strengths = strengths if strengths is not None else np.linspace(0.3, 0.8, n_systems)
    difficulty = rng.uniform(-1, 1, n_tasks)
    rows = []
    for s, strength in enumerate(strengths):
        for t in range(n_tasks):
            p = np.clip(strength - 0.3 * difficulty[t], 0.02, 0.98)
            for r in range(n_runs):
                rows.append((f"sys{s}", f"task{t:03d}", str(r + 1), float(rng.random() < p)))
    return pd.DataFrame(rows, columns=["system", "task", "run", "score"])


def test_binary_report_matches_wilson_and_mcnemar():
    frame = synthetic()
    results = make_results(frame, "s.csv")
    report = audit(results, n_resamples=200)
    matrix = to_matrix(results).mean
    assert report.n_systems == 4 and report.n_tasks == 60
    line = next(s for s in report.systems if s.system == "sys3")
    k = matrix.loc["sys3"].sum()
    low, high = wilson_interval(k, 60)
    assert line.score == pytest.approx(100 * k / 60)
    assert (line.ci_low, line.ci_high) == pytest.approx((100 * low, 100 * high))
    assert line.run_sd is None and line.n_runs == 1
    pair = next(p for p in report.pairs if {p.system_a, p.system_b} == {"sys0", "sys3"})
    assert pair.p_value == pytest.approx(mcnemar_exact(matrix.loc["sys0"], matrix.loc["sys3"]))
    assert "McNemar" in report.test_method and "Wilson" in report.interval_method
    assert [s.score for s in report.systems] == sorted(
        (s.score for s in report.systems), reverse=True
    )


def test_fractional_scores_use_a_paired_t_test_and_run_sd():
    frame = synthetic(n_runs=3, seed=1)
    results = make_results(frame, "s.csv")
    report = audit(results, n_resamples=200)
    matrix = to_matrix(results)
    assert not matrix.binary
    tests = paired_tests(matrix)
    row = tests.iloc[0]
    expected = scipy_stats.ttest_rel(matrix.mean.iloc[int(row.a)], matrix.mean.iloc[int(row.b)])
    assert row.p_value == pytest.approx(expected.pvalue)
    runs = frame[frame["system"] == "sys1"].groupby("run")["score"].mean()
    line = next(s for s in report.systems if s.system == "sys1")
    assert line.n_runs == 3
    assert line.run_sd == pytest.approx(100 * runs.std(ddof=1))


def test_clusters_switch_to_the_clustered_interval():
    frame = synthetic()
    frame["cluster"] = frame["task"].str[-1].map(lambda d: f"repo{int(d) % 4}")
    results = make_results(frame, "s.csv")
    matrix = to_matrix(results)
    intervals = score_intervals(matrix)
    assert "cluster-robust CR2" in intervals.attrs["method"]
    tests = paired_tests(matrix)
    assert "clustered paired CR2 test" in tests.attrs["method"]
    assert tests["p_value"].between(0, 1).all()
    # the engine's calibrated interval, not a copy of it
    from analysis.stats.clustered import clustered_score_intervals

    engine = clustered_score_intervals(matrix.mean.to_numpy(), matrix.clusters.to_numpy())
    np.testing.assert_allclose(intervals["low"], engine["low"])
    assert audit(results, n_resamples=100).n_clusters == 4


def test_fractional_scores_with_clusters_use_the_clustered_methods():
    frame = synthetic()
    frame["cluster"] = frame["task"].str[-1].map(lambda d: f"repo{int(d) % 3}")
    matrix = to_matrix(make_results(frame, "s.csv"))
    fractional = matrix.mean.to_numpy() * 0.5 + 0.25  # stand-in means over runs
    from analysis.stats.clustered import clustered_paired_differences, clustered_score_intervals

    table = clustered_score_intervals(fractional, matrix.clusters.to_numpy())
    assert (table["low"] <= table["score"]).all() and (table["score"] <= table["high"]).all()
    pairs = clustered_paired_differences(fractional, matrix.clusters.to_numpy())
    assert pairs["p_exact"].between(0, 1).all()


def test_a_clear_gap_is_significant_and_equal_systems_are_not():
    frame = synthetic(n_systems=3, n_tasks=400, strengths=[0.2, 0.8, 0.8])
    report = audit(make_results(frame, "s.csv"), n_resamples=200)
    by_pair = {frozenset((p.system_a, p.system_b)): p for p in report.pairs}
    assert by_pair[frozenset(("sys0", "sys1"))].significant
    assert not by_pair[frozenset(("sys1", "sys2"))].significant
    assert report.n_tiers == 2
    assert report.systems[-1].system == "sys0" and report.systems[-1].tier == 2


def test_release_contrast_finds_a_before_release_advantage():
    rng = np.random.default_rng(3)
    n_tasks = 300
    task_dates = pd.date_range("2024-01-01", periods=n_tasks, freq="D")
    rows = []
    for system, release in (("old", "2024-04-01"), ("new", "2024-08-01")):
        for t in range(n_tasks):
            before = task_dates[t] < pd.Timestamp(release)
            p = 0.8 if before else 0.3
            rows.append((system, f"t{t}", "1", float(rng.random() < p), task_dates[t], release))
    frame = pd.DataFrame(
        rows, columns=["system", "task", "run", "score", "task_date", "system_date"]
    )
    frame["difficulty"] = np.where(frame["task"].str[1:].astype(int) % 2 == 0, "easy", "hard")
    report = audit(make_results(frame, "s.csv"), n_resamples=100)
    contrast = {c.system: c for c in report.release_contrast}
    assert contrast["old"].ci_low > 20 and contrast["new"].ci_low > 20
    assert contrast["old"].n_before == 91 and contrast["old"].n_strata == 2


def test_cli_json_schema(tmp_path, capsys):
    path = tmp_path / "results.csv"
    synthetic(n_runs=2).to_csv(path, index=False)
    code = main(
        [
            "audit",
            str(path),
            "--run",
            "run",
            "--format",
            "json",
            "--no-progress",
            "--resamples",
            "100",
        ]
    )
    assert code == 0
    data = json.loads(capsys.readouterr().out)
    assert data["n_systems"] == 4 and data["n_tasks"] == 60
    assert len(data["systems"]) == 4
    for line in data["systems"]:
        assert set(line) >= SYSTEM_KEYS
        assert 0 <= line["ci_low"] <= line["score"] <= line["ci_high"] <= 100
        assert line["n_runs"] == 2 and line["run_sd"] is not None


def test_cli_single_run_gives_null_run_sd_and_writes_out(tmp_path, capsys):
    path = tmp_path / "results.csv"
    synthetic().to_csv(path, index=False)
    out = tmp_path / "report"
    assert (
        main(
            [
                "audit",
                str(path),
                "--format",
                "json",
                "--out",
                str(out),
                "--no-progress",
                "--resamples",
                "100",
            ]
        )
        == 0
    )
    data = json.loads((out / "audit.json").read_text())
    assert all(line["run_sd"] is None for line in data["systems"])
    assert main(["audit", str(path), "--no-progress", "--resamples", "100"]) == 0
    assert "sys3" in capsys.readouterr().out


def test_cli_bad_input_is_a_clear_error(tmp_path, capsys):
    path = tmp_path / "one.csv"
    synthetic(n_systems=1, strengths=[0.5]).to_csv(path, index=False)
    assert main(["audit", str(path), "--no-progress"]) == 1  # bad data: exit 1 (usage: 2)
    assert "one.csv: need at least 2 systems" in capsys.readouterr().err


def test_html_escapes_hostile_names(tmp_path):
    frame = synthetic(n_systems=3)
    hostile = '<script>alert("x")</script>'
    frame["system"] = frame["system"].replace({"sys2": hostile})
    frame["task"] = frame["task"].replace({"task000": "<img src=x onerror=alert(1)>"})
    path = tmp_path / "r.csv"
    frame.iloc[:-1].to_csv(path, index=False)  # one task dropped: listed on the page
    report = audit(make_results(pd.read_csv(path), "<b>src</b>.csv"), n_resamples=100)
    page = render_audit_page(report)
    assert "<script>" not in page and "<img" not in page and "<b>src" not in page
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in page
    assert "Content-Security-Policy" in page


@pytest.mark.mirror
def test_openhands_index_real(mirror):
    results = read_path(public_leaderboard("openhands_index"))
    assert len(results.systems) == 43
    assert results.frame.groupby("system").size().eq(500).all()
    report = audit(results, n_resamples=200)
    assert report.n_systems == 43
    # unknown (null) outcomes leave their tasks out of the paired set, never scored as 0
    assert report.unknown_outcomes == results.n_unknown > 0
    assert report.n_tasks == 500 - len(report.dropped_tasks)
    assert {d["reason"] for d in report.dropped_tasks} == {"unknown"}
    assert report.n_clusters == 12  # the SWE-bench Verified repositories
    assert all(s.run_sd is None for s in report.systems)


@pytest.mark.mirror
def test_terminal_bench_real(mirror):
    results = read_path(public_leaderboard("terminal_bench"))
    assert len(results.systems) == 13
    assert results.frame.groupby("system")["run"].nunique().eq(5).all()
    assert results.frame.groupby("system")["task"].nunique().eq(80).all()
    nulls = results.n_unknown
    assert nulls > 0 and any(f"{nulls} trial(s) with is_resolved=null" in n for n in results.notes)
    report = audit(results, n_resamples=200)
    assert report.n_systems == 13 and report.unknown_outcomes == nulls
    assert all(s.n_runs == 5 and s.run_sd is not None and s.run_sd > 0 for s in report.systems)


# --------------------------------------------------------------------------- calibration


def _replicates(n_rows, n_tasks, n_runs, paired_null, seed):
    """Rows with U-shaped per-task success probabilities (Beta(0.6, 0.6), mean 0.5, like
    real benchmarks' easy and impossible tasks), each row on its own draw of tasks; with
    ``paired_null`` rows 2i and 2i+1 share their tasks' probabilities (one system run twice,
    independently: the null of a paired test), so the pairs (2i, 2i+1) are independent."""
    rng = np.random.default_rng(seed)
    if paired_null:
        p = np.repeat(rng.beta(0.6, 0.6, (n_rows // 2, n_tasks)), 2, axis=0)
    else:
        p = rng.beta(0.6, 0.6, (n_rows, n_tasks))
    outcomes = rng.random((n_rows, n_runs, n_tasks)) < p[:, None, :]
    rows = pd.DataFrame(
        {
            "system": np.repeat([f"s{i:04d}" for i in range(n_rows)], n_runs * n_tasks),
            "task": np.tile([f"t{t:03d}" for t in range(n_tasks)], n_rows * n_runs),
            "run": np.tile(np.repeat(np.arange(n_runs).astype(str), n_tasks), n_rows),
            "score": outcomes.ravel().astype(float),
        }
    )
    return to_matrix(make_results(rows, "simulated"))


@pytest.mark.parametrize("n_runs", [1, 5])
def test_score_intervals_cover_the_task_population_mean(n_runs):
    # 600 replicate systems on their own 80 tasks; the true mean of Beta(0.6, 0.6) is 0.5
    matrix = _replicates(600, 80, n_runs, paired_null=False, seed=n_runs)
    frame = score_intervals(matrix)
    coverage = ((frame["low"] <= 0.5) & (frame["high"] >= 0.5)).mean()
    assert 0.925 <= coverage <= 0.975, coverage  # 95% +- 3 Monte Carlo SE


@pytest.mark.parametrize("n_runs", [1, 5])
def test_paired_tests_hold_their_level_under_the_null(n_runs):
    # 600 independent null pairs on 80 tasks (exact McNemar is conservative: lower bound 1%)
    matrix = _replicates(1200, 80, n_runs, paired_null=True, seed=10 + n_runs)
    tests = paired_tests(matrix)
    null_pairs = tests[(tests["a"] % 2 == 0) & (tests["b"] == tests["a"] + 1)]
    assert len(null_pairs) == 600
    rejected = (null_pairs["p_value"] < 0.05).mean()
    assert 0.01 <= rejected <= 0.077, rejected  # 5% + 3 Monte Carlo SE


def test_cli_reader_and_benchmark_options_on_a_tree(tmp_path, capsys):
    from test_readers import make_openhands

    root = make_openhands(tmp_path / "oh")
    arguments = ["audit", str(root), "--reader", "openhands", "--no-progress", "--resamples", "50"]
    assert main([*arguments, "--benchmark", "swe-bench", "--format", "html"]) == 0
    page = capsys.readouterr().out
    assert page.startswith("<!DOCTYPE html>") and "X CLI / model-a" in page
    assert main([*arguments, "--benchmark", "gaia", "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["n_tasks"] == 2 and data["reader"] == "openhands"


def test_table_output_keeps_control_characters_out_of_the_terminal(tmp_path, capsys):
    frame = synthetic(n_systems=3)
    frame["system"] = frame["system"].replace({"sys1": "evil\x1b[31mred\nsecond line"})
    path = tmp_path / "r.csv"
    frame.to_csv(path, index=False)
    assert main(["audit", str(path), "--no-progress", "--resamples", "100"]) == 0
    out = capsys.readouterr().out
    assert "\x1b" not in out and "evil\\x1b[31mred\\nsecond line" in out


def test_clustered_pairs_state_the_clustered_minimum_detectable_difference():
    """With clusters each pair's MDD is the clustered test's, (c(95%) + c(60%)) x CR2 SE."""
    from analysis.analyses.audit import minimum_detectable_differences
    from analysis.stats.clustered import exact_critical_value

    frame = synthetic(n_systems=3, n_tasks=120)
    frame["cluster"] = frame["task"].str[-1].map(lambda d: f"repo{int(d) % 4}")
    matrix = to_matrix(make_results(frame, "s.csv"))
    tests = paired_tests(matrix)
    sizes, rho = tests.attrs["sizes"], tests.attrs["rho"]
    expected = (
        exact_critical_value(sizes, rho, 0.95) + exact_critical_value(sizes, rho, 0.6)
    ) * tests["se"].to_numpy()
    mdd = minimum_detectable_differences(tests, matrix.mean.shape[1], 0.05)
    np.testing.assert_allclose(mdd, expected)
    report = audit(make_results(frame, "s.csv"), n_resamples=50)
    np.testing.assert_allclose(sorted(p.mdd for p in report.pairs), sorted(100 * mdd))
    # without clusters: the independent-task formula on the pair's discordance
    plain = paired_tests(to_matrix(make_results(synthetic(n_systems=3, n_tasks=120), "s.csv")))
    assert "se" not in plain
    assert (minimum_detectable_differences(plain, 120, 0.05) > 0).all()
