"""Spearman's r with ties and its clustered interval (analysis.stats.correlation)."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats as scipy_stats

from analysis.errors import DataError
from analysis.stats.correlation import clustered_spearman_interval, spearman, spearman_influence


def tied_rates(seed: int = 0, n: int = 240) -> tuple[np.ndarray, np.ndarray]:
    """Rates that are multiples of 1/24 and 1/43, like two leaderboards' solve shares."""
    rng = np.random.default_rng(seed)
    hardness = rng.normal(0.0, 2.0, n)
    a = rng.binomial(24, 1 / (1 + np.exp(hardness))) / 24
    b = rng.binomial(43, 1 / (1 + np.exp(hardness - 1.0 + rng.normal(0, 0.7, n)))) / 43
    return a, b


def test_spearman_matches_scipy_with_ties_and_along_rows() -> None:
    a, b = tied_rates()
    assert spearman(a, b) == pytest.approx(scipy_stats.spearmanr(a, b)[0], abs=1e-12)
    rows = spearman(np.vstack([a, b]), np.vstack([b, a]))
    assert rows == pytest.approx([spearman(a, b)] * 2)


def test_influence_values_linearise_r() -> None:
    """Leaving one task out moves r by about -psi / (n - 1) (the jackknife), with ties."""
    a, b = tied_rates(seed=1)
    r, psi = spearman_influence(a, b)
    assert r == pytest.approx(spearman(a, b))
    assert psi.mean() == pytest.approx(0.0, abs=1e-12)
    n = len(a)
    for i in range(5):
        left_out, _ = spearman_influence(np.delete(a, i), np.delete(b, i))
        assert (n - 1) * (r - left_out) == pytest.approx(psi[i], abs=0.02)


def test_clustered_interval_contains_r_and_widens_with_repository_effects() -> None:
    a, b = tied_rates(seed=2)
    singletons = np.arange(len(a))
    r, low, high = clustered_spearman_interval(a, b, singletons)
    assert -1 < low < r < high < 1
    # a shared shift per block of tasks makes the blocks, not the tasks, the units
    blocks = np.repeat(np.arange(8), len(a) // 8)
    shift = np.random.default_rng(3).normal(0, 0.3, 8)[blocks]
    _, low2, high2 = clustered_spearman_interval(a + shift, b + shift, blocks)
    assert high2 - low2 > high - low


def test_bad_input_is_named() -> None:
    with pytest.raises(DataError, match="constant"):
        clustered_spearman_interval(np.ones(10), np.arange(10.0), np.arange(10) % 2)
    with pytest.raises(DataError, match="equal"):
        clustered_spearman_interval(np.arange(5.0), np.arange(6.0), np.arange(5) % 2)
    with pytest.raises(DataError, match="confidence"):
        clustered_spearman_interval(np.arange(5.0), np.arange(5.0), np.arange(5) % 2, 1.5)
