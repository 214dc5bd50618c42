"""Tests for analysis.analyses.distillation: the Fermi model, Monte Carlo, tornado, eval usage."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from analysis.analyses import distillation as d
from analysis.analyses import evaluation_runs
from analysis.errors import DataError
from analysis.figures import distillation as distillation_figures


def test_fermi_default_arithmetic_by_hand() -> None:
    params = d.defaults()
    out = d.fermi(params, exchanges=1_000, accounts=10)
    share = params["reasoning_share"]
    output = share * params["output_tokens_reasoning"] + (1 - share) * params["output_tokens_plain"]
    assert out["output_tokens"] == pytest.approx(output)
    assert out["total_tokens"] == pytest.approx(1_000 * (params["input_tokens"] + output))
    price_in = params["price_output"] / 5  # Claude list prices: output = 5 x input
    expected_cost = 1_000 * (params["input_tokens"] * price_in + output * params["price_output"])
    expected_cost /= 1e6
    assert out["cost_usd"] == pytest.approx(expected_cost)
    assert out["exchanges_per_account"] == pytest.approx(100)


def test_rate_limit_binds_on_output_tokens_when_outputs_are_long() -> None:
    params = {
        **d.defaults(),
        "requests_per_minute": 1_000,
        "output_tokens_per_minute": 10_000,
        "reasoning_share": 1.0,
        "output_tokens_reasoning": 5_000,
        "duty_cycle": 1.0,
    }
    out = d.fermi(params, exchanges=2 * 60 * 24, accounts=1)
    # 10,000 / 5,000 = 2 exchanges per minute (not 1,000): one day for 2,880 exchanges
    assert out["exchanges_per_account_per_minute"] == pytest.approx(2.0)
    assert out["days_needed"] == pytest.approx(1.0)


def test_fermi_rejects_missing_parameters() -> None:
    params = d.defaults()
    del params["price_output"]
    with pytest.raises(DataError, match="price_output"):
        d.fermi(params)


def test_parameter_range_must_be_ordered() -> None:
    with pytest.raises(DataError):
        d.ParameterRange("x", 10, 5, 7, "u", "s")


def test_samples_are_seeded_and_within_ranges() -> None:
    a = d.sample_parameters(500, seed=3)
    b = d.sample_parameters(500, seed=3)
    c = d.sample_parameters(500, seed=4)
    pd.testing.assert_frame_equal(a, b)
    assert not a.equals(c)
    for name, p in d.PARAMETERS.items():
        assert a[name].between(p.low, p.high).all()
    with pytest.raises(DataError):
        d.sample_parameters(0)


def test_monte_carlo_is_deterministic_and_returns_copies() -> None:
    first = d.monte_carlo(n=2_000, seed=1)
    first.loc[0, "total_tokens"] = -1.0  # mutating the copy must not touch the cache
    second = d.monte_carlo(n=2_000, seed=1)
    assert second.loc[0, "total_tokens"] > 0
    summary = d.summarise(second)
    tokens = summary.set_index("quantity").loc["total_tokens_billion"]
    assert tokens["low"] < tokens["median"] < tokens["high"]


def test_share_above() -> None:
    frame = pd.DataFrame({"x": [1.0, 2.0, 3.0, 4.0]})
    assert d.share_above(frame, "x", 2.5) == 0.5


def test_tornado_ranks_by_swing_and_skips_irrelevant_parameters() -> None:
    tokens = d.tornado("total_tokens_billion")
    assert list(tokens["swing"]) == sorted(tokens["swing"], reverse=True)
    assert "price_output" not in set(tokens["parameter"])  # prices do not change tokens
    cost = d.tornado("cost_usd")
    assert "price_output" in set(cost["parameter"])
    row = tokens.set_index("parameter").loc["input_tokens"]
    low = d.fermi(d.with_parameter("input_tokens", d.PARAMETERS["input_tokens"].low))
    assert row["low_value"] == pytest.approx(low["total_tokens_billion"])


def test_with_parameter_rejects_unknown_names() -> None:
    with pytest.raises(DataError):
        d.with_parameter("nonsense", 1.0)


def test_training_samples_comparison() -> None:
    table = d.training_samples_comparison().set_index("lab")
    assert bool(table.loc["DeepSeek", "exceeds_Bespoke-Stratos-17k"])
    assert not bool(table.loc["DeepSeek", "exceeds_DeepSeek-R1 distilled models"])
    assert bool(table.loc["MiniMax", "exceeds_DeepSeek-R1 distilled models"])
    assert table.loc["Moonshot", "times_DeepSeek-R1 distilled models"] == pytest.approx(4.25)


def _long_results() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "system": ["a", "a", "a", "b", "b", "b", "c", "c", "c"],
            "instance_id": ["t1", "t2", "t3"] * 3,
            "api_calls": [10, 20, 30, 5, 5, 5, 1, np.nan, 1],
            "cost": [1.0, 2.0, 3.0, 0.5, 0.5, 0.5, 0.1, 0.1, 0.1],
        }
    )


def test_evaluation_runs_sums_and_drops_incomplete_systems() -> None:
    runs = evaluation_runs.evaluation_runs(_long_results(), n_tasks=3).set_index("system")
    assert list(runs.index) == ["a", "b"]  # c lacks api_calls on one task
    assert runs.loc["a", "api_calls"] == 60
    assert runs.loc["a", "cost_usd"] == pytest.approx(6.0)
    assert runs.loc["b", "calls_per_task"] == pytest.approx(5.0)


def test_evaluation_runs_errors() -> None:
    with pytest.raises(DataError, match="missing columns"):
        evaluation_runs.evaluation_runs(_long_results().drop(columns="cost"))
    with pytest.raises(DataError):
        evaluation_runs.evaluation_runs(_long_results(), n_tasks=99)


def test_evaluation_scale_arithmetic() -> None:
    runs = pd.DataFrame(
        {"api_calls": [10_000.0, 20_000.0, 30_000.0], "cost_usd": [100.0, 200.0, 300.0]}
    )
    scale = d.evaluation_scale(runs, exchanges=1_000_000, accounts=1_000, runs_per_year=10)
    assert scale["calls_per_run"] == 20_000
    assert scale["runs_to_match_campaign"] == pytest.approx(50)
    assert scale["busy_team_share_pct"] == pytest.approx(20.0)
    assert scale["run_calls_over_account_exchanges"] == pytest.approx(20.0)
    assert scale["runs_per_million_usd"] == pytest.approx(5_000)
    assert scale["calls_per_run_low"] <= 20_000 <= scale["calls_per_run_high"]


def test_median_interval_contains_median() -> None:
    m, lo, hi = evaluation_runs.median_interval(np.arange(101, dtype=float), seed=0)
    assert m == 50 and lo <= m <= hi
    with pytest.raises(DataError):
        evaluation_runs.median_interval([])


def test_untestable_claims_carry_reasons_and_arithmetic() -> None:
    accounts = d.claim_distill_accounts()
    assert not accounts.testable and "logs" in accounts.reason
    assert accounts.extra["exchanges_per_account"] == pytest.approx(16e6 / 24_000)
    assert accounts.extra["per_lab_sum_at_least_total"]
    assert not d.claim_traffic_shift().testable
    hydra = d.claim_hydra_accounts()
    assert hydra.extra["exchanges_per_account_if_all_traffic"] == pytest.approx(800)


def test_claims_on_real_data(mirror) -> None:
    runs = evaluation_runs.bash_only_runs()
    assert (runs["tasks"] == 500).all() and len(runs) >= 20
    cost = d.claim_eval_cost()
    low, high = cost.interval
    assert low <= cost.measured <= high and 10 < cost.measured < 10_000
    assert not cost.testable
    scale = d.claim_distill_vs_eval_scale()
    assert scale.testable and scale.unit == "billion tokens"
    assert scale.interval[0] < scale.measured < scale.interval[1]
    assert 0 < scale.extra["share_of_draws_above_100B"] < 1
    gemini = d.claim_gemini_extraction()
    assert math.isfinite(gemini.extra["verified_runs_equivalent"])


def test_parameters_table_and_tornado_figure() -> None:
    import matplotlib

    matplotlib.use("Agg")
    table = d.parameters_table()
    assert list(table["parameter"]) == list(d.PARAMETERS)
    assert (table["low"] <= table["default"]).all() and (table["default"] <= table["high"]).all()
    fig = distillation_figures.figure_tornado(d.tornado(), "tokens")
    assert len(fig.axes[0].patches) == 2 * len(d.tornado())


def test_sliders_only_in_jupyterlab(monkeypatch, capsys) -> None:
    monkeypatch.delenv("JPY_SESSION_NAME", raising=False)
    assert distillation_figures.show_sliders() is False
    assert capsys.readouterr().out == ""  # no saved note that would be wrong inside JupyterLab
    monkeypatch.setenv("JPY_SESSION_NAME", "/lab/06_distillation.ipynb")
    assert distillation_figures.in_jupyterlab()
    assert distillation_figures.show_sliders() is True  # widgets build without a front end
