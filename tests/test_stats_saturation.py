"""Tests for analysis.stats.saturation: frontier, curve recovery, bootstrap bookkeeping."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.errors import DataError
from analysis.stats import saturation

ORIGIN = pd.Timestamp("2023-10-01")


def synthetic_submissions(curve, n_months: int = 30, seed: int = 0) -> pd.DataFrame:
    """Monthly submissions: one near the curve (the would-be record, with small noise) and
    three that trail it, so the frontier follows ``curve(t)`` with t in years."""
    rng = np.random.default_rng(seed)
    rows = []
    for month in range(n_months):
        date = ORIGIN + pd.DateOffset(months=month)
        t = month / 12
        rows.append((date, f"lead_{month}", curve(t) + rng.normal(0, 0.4)))
        rows.extend(
            (date, f"trail_{month}_{i}", curve(t) * rng.uniform(0.5, 0.95)) for i in range(3)
        )
    frame = pd.DataFrame(rows, columns=["date", "name", "resolved_pct"])
    frame["resolved_pct"] = frame["resolved_pct"].clip(0, 100)
    return frame


def test_logistic_asymptote_recovered() -> None:
    truth = {"A": 72.0, "k": 2.2, "t0": 1.0}
    frame = synthetic_submissions(
        lambda t: truth["A"] / (1 + np.exp(-truth["k"] * (t - truth["t0"])))
    )
    fit = saturation.fit_saturation(frame["date"], frame["resolved_pct"], n_boot=100)
    assert fit.asymptote == pytest.approx(truth["A"], abs=2.5)
    assert fit.params["k"] == pytest.approx(truth["k"], rel=0.3)
    assert fit.asymptote_interval[0] <= fit.asymptote <= fit.asymptote_interval[1]
    assert fit.asymptote_interval[1] - fit.asymptote_interval[0] < 10
    assert fit.n_failed + len(fit.boot_params) == 100
    assert fit.frontier["score"].is_monotonic_increasing


def test_gompertz_asymptote_recovered() -> None:
    truth = {"A": 85.0, "b": 3.0, "c": 1.5}
    frame = synthetic_submissions(
        lambda t: truth["A"] * np.exp(-truth["b"] * np.exp(-truth["c"] * t)), n_months=36, seed=1
    )
    fit = saturation.fit_saturation(
        frame["date"], frame["resolved_pct"], model="gompertz", n_boot=100
    )
    assert fit.asymptote == pytest.approx(truth["A"], abs=3.0)
    assert fit.rmse < 1.5


def test_asymptote_is_bounded_by_best_and_100() -> None:
    # A straight line never bends: the fitted ceiling runs into the bound at 100.
    dates = [ORIGIN + pd.Timedelta(days=30 * i) for i in range(24)]
    scores = np.linspace(10, 90, 24)
    fit = saturation.fit_saturation(dates, scores, n_boot=20)
    assert 90 <= fit.asymptote <= 100
    # A curve that has flattened cannot get a ceiling below the best observed score.
    flat = saturation.fit_saturation(
        dates, np.minimum(np.linspace(10, 200, 24), 60.0) + np.linspace(0, 0.5, 24), n_boot=20
    )
    assert flat.asymptote >= 60.5 - 1e-9
    assert not fit.extra["at_best_observed"] and fit.extra["share_at_upper_bound"] > 0.5
    # A long plateau then one late jump: least squares wants A below the jump, the bound
    # holds it at the best observed score, and the fit says so.
    jump = np.r_[np.linspace(10, 60, 8), 60 + np.linspace(0.01, 0.15, 15), 68.0]
    pinned = saturation.fit_saturation(dates, jump, n_boot=20)
    assert pinned.asymptote == pytest.approx(68.0) and pinned.extra["at_best_observed"]


def test_predict_and_year_to_reach_are_inverse() -> None:
    frame = synthetic_submissions(lambda t: 70 / (1 + np.exp(-2 * (t - 1))), seed=2)
    fit = saturation.fit_saturation(frame["date"], frame["resolved_pct"], n_boot=50)
    year = fit.year_to_reach(50.0)
    start = pd.Timestamp(year=int(year), month=1, day=1)
    date = start + (pd.Timestamp(year=int(year) + 1, month=1, day=1) - start) * (year % 1)
    assert fit.predict([date])[0] == pytest.approx(50.0, abs=0.05)
    assert fit.year_to_reach(fit.asymptote + 1) == np.inf
    low, high = fit.year_to_reach_interval(50.0)
    assert low <= year <= high
    assert fit.year_to_reach_interval(99.0)[1] == np.inf


def test_bootstrap_reproducible_by_seed() -> None:
    frame = synthetic_submissions(lambda t: 60 / (1 + np.exp(-3 * (t - 1))), n_months=20)
    first = saturation.fit_saturation(frame["date"], frame["resolved_pct"], n_boot=40, seed=7)
    again = saturation.fit_saturation(frame["date"], frame["resolved_pct"], n_boot=40, seed=7)
    other = saturation.fit_saturation(frame["date"], frame["resolved_pct"], n_boot=40, seed=8)
    np.testing.assert_array_equal(first.boot_params, again.boot_params)
    assert first.asymptote_interval == again.asymptote_interval
    assert not np.array_equal(first.boot_params, other.boot_params)


def test_bootstrap_failures_are_counted() -> None:
    # Six submissions, five records: many resamples have fewer than four records.
    dates = [ORIGIN + pd.Timedelta(days=60 * i) for i in range(6)]
    with pytest.warns(UserWarning, match="bootstrap refits failed"):
        fit = saturation.fit_saturation(dates, [5, 20, 35, 45, 50, 40], n_boot=60, seed=1)
    assert fit.n_failed > 0
    assert fit.failure_reasons.get("too few frontier points", 0) > 0
    assert fit.n_failed + len(fit.boot_params) == 60


def test_bad_input_raises_data_error() -> None:
    dates = [ORIGIN + pd.Timedelta(days=i) for i in range(5)]
    with pytest.raises(DataError, match="percent"):
        saturation.fit_saturation(dates, [10, 20, 30, 40, 150])
    with pytest.raises(DataError, match="unknown model"):
        saturation.fit_saturation(dates, [10, 20, 30, 40, 50], model="linear")
    with pytest.raises(DataError, match="frontier"):
        saturation.fit_saturation(dates, [50, 40, 30, 20, 10])  # one record only
    with pytest.raises(DataError, match="column"):
        saturation.best_so_far(pd.DataFrame({"when": dates}))


def test_best_so_far_ties_and_record_names() -> None:
    frame = pd.DataFrame(
        {
            "date": pd.to_datetime(
                ["2024-01-01", "2024-01-01", "2024-02-01", "2024-03-01", "2024-03-01", None]
            ),
            "name": ["b", "a", "c", "d", "e", "undated"],
            "resolved_pct": [20.0, 30.0, 30.0, 25.0, 45.0, 99.0],
        }
    )
    table = saturation.best_so_far(frame)
    assert table.attrs["dropped"] == 1
    assert list(table["name"]) == ["a", "b", "c", "e", "d"]
    assert list(table["is_record"]) == [True, False, False, True, False]
    # "c" only ties the record set by "a": "a" keeps it.
    assert list(table["record_name"]) == ["a", "a", "a", "e", "e"]
    assert list(table["best_so_far"]) == [30.0, 30.0, 30.0, 45.0, 45.0]


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(0, 40), st.floats(0, 100, allow_nan=False)), min_size=1, max_size=40
    )
)
def test_best_so_far_is_running_maximum(rows) -> None:
    frame = pd.DataFrame(
        {
            "date": [ORIGIN + pd.Timedelta(days=day) for day, _ in rows],
            "name": [f"s{i}" for i in range(len(rows))],
            "resolved_pct": [score for _, score in rows],
        }
    )
    table = saturation.best_so_far(frame)
    best = table["best_so_far"].to_numpy()
    assert len(table) == len(rows)
    assert np.all(np.diff(best) >= 0)
    assert np.all(best >= table["score"].to_numpy())
    assert best[-1] == max(score for _, score in rows)
    assert table["date"].is_monotonic_increasing
    scores_by_name = dict(zip(table["name"], table["score"], strict=True))
    assert all(
        scores_by_name[holder] == value
        for holder, value in zip(table["record_name"], best, strict=True)
    )
    assert table["is_record"].sum() == len(np.unique(best))


@pytest.mark.mirror
def test_real_verified_frontier(mirror) -> None:
    data = json.loads((mirror / "swe-bench-leaderboards-f1176b6.json").read_text())
    board = next(b for b in data["leaderboards"] if b["name"] == "Verified")
    frame = pd.DataFrame(board["results"])
    table = saturation.best_so_far(frame, score="resolved")
    assert table["best_so_far"].iloc[-1] == frame["resolved"].max()
    for model in saturation.MODELS:
        fit = saturation.fit_saturation(frame["date"], frame["resolved"], model=model, n_boot=100)
        assert frame["resolved"].max() <= fit.asymptote <= 100
        assert fit.n_failed + len(fit.boot_params) == 100
        assert fit.rmse < 5


def test_bootstrap_keeps_the_record() -> None:
    """Every refit's ceiling is at least the best score achieved; a plain bootstrap of
    submissions (keep_record=False) drops the record and can refit below it."""
    frame = synthetic_submissions(lambda t: 60.0 / (1 + np.exp(-3.0 * (t - 1.0))), seed=3)
    best = float(frame["resolved_pct"].max())
    kept = saturation.fit_saturation(
        frame["date"], frame["resolved_pct"], n_boot=150, seed=0, keep_record=True
    )
    assert len(kept.boot_params) > 100
    assert (kept.boot_params[:, 0] >= best - 1e-9).all()
    assert kept.asymptote_interval[0] >= best - 1e-9
    plain = saturation.fit_saturation(
        frame["date"], frame["resolved_pct"], n_boot=150, seed=0, keep_record=False
    )
    assert (plain.boot_params[:, 0] < best - 1e-9).any()
