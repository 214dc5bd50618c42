"""Tests for analysis.analyses.contamination: logistic regression, age effects, trends, dates."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.analyses import contamination as c
from analysis.errors import DataError
from analysis.figures import contamination as contamination_figures


def _simulated(
    n: int = 20_000, slope: float = 0.4, seed: int = 0
) -> tuple[pd.DataFrame, np.ndarray]:
    rng = np.random.default_rng(seed)
    age = rng.uniform(0, 10, n)
    group = rng.integers(0, 2, n).astype(float)
    eta = -2.0 + slope * age + 0.8 * group
    y = (rng.uniform(size=n) < 1 / (1 + np.exp(-eta))).astype(float)
    X = pd.DataFrame({"intercept": 1.0, "age_years": age, "group": group})
    return X, y


def test_fit_logistic_recovers_a_known_slope() -> None:
    X, y = _simulated()
    fit = c.fit_logistic(X, y)
    assert fit.converged
    b, se = fit.coefficients["age_years"], fit.standard_errors["age_years"]
    assert abs(b - 0.4) < 3 * se and se < 0.02
    assert abs(fit.coefficients["group"] - 0.8) < 3 * fit.standard_errors["group"]
    low, high = fit.interval("age_years")
    assert low < 0.4 < high
    assert fit.p_value("age_years") < 1e-6


def test_fit_logistic_finds_no_slope_when_there_is_none() -> None:
    X, y = _simulated(slope=0.0, seed=1)
    fit = c.fit_logistic(X, y)
    low, high = fit.interval("age_years")
    assert low < 0 < high


def test_cluster_robust_errors_undo_duplicated_rows() -> None:
    X, y = _simulated(n=2_000, seed=2)
    once = c.fit_logistic(X, y)
    copies = 4
    X4 = pd.concat([X] * copies, ignore_index=True)
    y4 = np.tile(y, copies)
    clusters = np.tile(np.arange(len(y)), copies)
    naive = c.fit_logistic(X4, y4)
    robust = c.fit_logistic(X4, y4, clusters=clusters)
    se_once = once.standard_errors["age_years"]
    assert naive.standard_errors["age_years"] == pytest.approx(se_once / 2, rel=0.01)
    # clustering by the duplicated row restores roughly the single-copy precision
    assert robust.standard_errors["age_years"] == pytest.approx(se_once, rel=0.1)
    assert robust.clusters == len(y)


def test_penalty_keeps_separated_effects_finite() -> None:
    X = pd.DataFrame(
        {
            "intercept": 1.0,
            "age_years": np.linspace(0, 1, 40),
            "always": np.r_[np.ones(10), np.zeros(30)],
        }
    )
    y = np.r_[np.ones(10), (np.arange(30) % 2).astype(float)]
    fit = c.fit_logistic(X, y, l2=1e-2, unpenalised=("intercept", "age_years"))
    assert np.isfinite(fit.coefficients).all() and fit.coefficients["always"] > 2


def test_fit_logistic_rejects_bad_input() -> None:
    X = pd.DataFrame({"intercept": [1.0, 1.0]})
    with pytest.raises(DataError):
        c.fit_logistic(X, np.array([0.0, 2.0]))
    with pytest.raises(DataError):
        c.fit_logistic(X, np.array([0.0, 1.0, 1.0]))


def test_weighted_trend_on_an_exact_line() -> None:
    x = np.array([2024.0, 2024.5, 2025.0, 2025.5])
    y = 0.1 + 0.3 * (x - 2024)
    trend = c.weighted_trend(x, y, np.full(4, 0.05))
    assert trend.trend == pytest.approx(0.3)
    assert trend.dispersion == 1.0
    assert trend.low < 0.3 < trend.high
    with pytest.raises(DataError):
        c.weighted_trend(x[:2], y[:2], np.ones(2))


def test_weighted_trend_inflates_for_heterogeneity() -> None:
    rng = np.random.default_rng(0)
    x = np.linspace(0, 1, 30)
    y = rng.normal(0, 1, 30)
    noisy = c.weighted_trend(x, y, np.full(30, 0.01))  # claimed SEs far too small
    assert noisy.dispersion > 100


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("GPT-5 (2025-08-07) (medium reasoning)", "2025-08-07"),
        ("Claude 4.5 Sonnet (20250929)", "2025-09-29"),
        ("20250807_mini-v1.7.0_gpt-5", "2025-08-07"),
        ("Kimi K2 Instruct", None),
        ("Devstral (2512)", None),
        ("Bad (2025-13-45)", None),
    ],
)
def test_model_date_from_name(name: str, expected: str | None) -> None:
    parsed = c.model_date_from_name(name)
    assert (parsed.strftime("%Y-%m-%d") if parsed is not None else None) == expected


def test_system_dates_prefers_the_name() -> None:
    board = pd.DataFrame(
        {
            "leaderboard": ["bash-only", "bash-only", "Verified"],
            "name": ["o3 (2025-04-16)", "Kimi K2", "x (2020-01-01)"],
            "date": pd.to_datetime(["2025-07-26", "2025-08-07", "2021-01-01"]),
        }
    )
    dates = c.system_dates(board).set_index("system")
    assert list(dates.index) == ["o3 (2025-04-16)", "Kimi K2"]
    assert dates.loc["o3 (2025-04-16)", "date_source"] == "name"
    assert dates.loc["Kimi K2", "date"] == pd.Timestamp("2025-08-07", tz="UTC")


def _tasks_and_results(slope: float, seed: int = 0) -> tuple[pd.DataFrame, pd.DataFrame]:
    rng = np.random.default_rng(seed)
    n = 1_500
    created = pd.Timestamp("2012-01-01", tz="UTC") + pd.to_timedelta(
        rng.uniform(0, 10 * 365, n), unit="D"
    )
    tasks = pd.DataFrame(
        {
            "instance_id": [f"t{i}" for i in range(n)],
            "created_at": created,
            "difficulty": pd.Categorical(rng.choice(["easy", "hard"], n)),
            "repo": rng.choice(["r1", "r2", "r3"], n),
        }
    )
    features = c.task_features(tasks)
    rows = []
    for system, level in (("s1", 1.0), ("s2", 2.0)):
        eta = (
            level
            - 1.0
            + slope * (features["age_years"] - 9)
            - (features["difficulty"].astype(str) == "hard")
        )
        resolved = rng.uniform(size=n) < 1 / (1 + np.exp(-eta))
        rows.append(
            pd.DataFrame(
                {"system": system, "instance_id": tasks["instance_id"], "resolved": resolved}
            )
        )
    return features, pd.concat(rows, ignore_index=True)


def test_age_effects_recover_simulated_slope() -> None:
    features, results = _tasks_and_results(slope=0.3)
    assert features["age_years"].between(3.9, 14.1).all()
    per_system = c.age_effect_per_system(results, features)
    assert list(per_system["system"]) == ["s1", "s2"]
    # within 4 standard errors of the truth (a 1-in-15,000 miss per system by chance)
    assert ((per_system["slope"] - 0.3).abs() < 4 * per_system["se"]).all()
    pooled = c.age_effect_pooled(results, features)
    assert pooled.low < 0.3 < pooled.high and pooled.p_value < 1e-6
    assert pooled.systems == 2 and pooled.clusters == 1_500
    by_repo = c.age_effect_pooled(results, features, cluster="repo")
    assert by_repo.clusters == 3 and by_repo.slope == pytest.approx(pooled.slope)
    with pytest.raises(DataError):
        c.age_effect_pooled(results, features, cluster="system")


def test_task_features_requires_columns() -> None:
    with pytest.raises(DataError):
        c.task_features(pd.DataFrame({"instance_id": ["a"]}))


def test_real_age_analysis(mirror) -> None:
    analysis = c.bash_only_age_analysis()
    per_system = analysis.per_system
    assert len(per_system) >= 20 and per_system["converged"].all()
    pooled = analysis.pooled
    assert pooled.tasks == 500 and pooled.low < pooled.slope < pooled.high
    assert analysis.trend.points >= 20
    assert not c.claim_text_overlap().testable
    assert not c.claim_mmlu_guessing().testable


def test_describe_effect_follows_the_interval() -> None:
    assert c.describe_effect(-0.1, 0.2) == "no detectable"
    assert c.describe_effect(0.05, 0.2) == "a positive"
    assert c.describe_effect(-0.3, -0.01) == "a negative"


def test_age_slope_figure_builds() -> None:
    import matplotlib

    matplotlib.use("Agg")
    per_system = pd.DataFrame(
        {
            "slope": [0.1, -0.1, 0.0],
            "low": [0.0, -0.2, -0.1],
            "high": [0.2, 0.0, 0.1],
            "date": pd.to_datetime(["2024-01-01", "2024-06-01", "2025-01-01"], utc=True),
            "date_source": ["name", "submission", "name"],
        }
    )
    trend = c.WeightedTrend(
        trend=0.0,
        se=0.025,
        low=-0.05,
        high=0.05,
        p_value=1.0,
        intercept=0.0,
        dispersion=1.0,
        points=3.0,
    )
    fig = contamination_figures.figure_age_slopes(per_system, trend)
    legends = [*fig.legends, *(ax.get_legend() for ax in fig.axes if ax.get_legend())]
    assert sum(len(legend.get_texts()) for legend in legends) == 3


@settings(max_examples=50, deadline=None)
@given(
    st.floats(-2, 2),
    st.lists(st.floats(-1, 1), min_size=3, max_size=12),
    st.floats(0.01, 1.0),
)
def test_weighted_trend_recovers_any_exact_line(intercept, xs, se) -> None:
    x = np.array(xs) + np.arange(len(xs))  # distinct x values
    y = intercept + 0.5 * x
    trend = c.weighted_trend(x, y, np.full(len(xs), se))
    assert trend.trend == pytest.approx(0.5, abs=1e-6)


def test_clustered_logistic_uses_t_on_clusters_minus_one_df() -> None:
    from scipy import stats as scipy_stats

    from analysis.analyses.contamination import LogisticFit

    fit = LogisticFit(
        coefficients=pd.Series({"x": 1.0}),
        standard_errors=pd.Series({"x": 0.5}),
        covariance=np.eye(1),
        converged=True,
        iterations=1,
        log_likelihood=0.0,
        n=100,
        clusters=12,
    )
    assert fit.df == 11
    _, high = fit.interval("x")
    assert high - 1.0 == pytest.approx(scipy_stats.t.ppf(0.975, 11) * 0.5)
    assert fit.p_value("x") == pytest.approx(2 * scipy_stats.t.sf(2.0, 11))
    unclustered = LogisticFit(**{**fit.__dict__, "clusters": None})
    assert unclustered.interval("x")[1] - 1.0 == pytest.approx(1.959964 * 0.5, rel=1e-6)
