"""Power analysis: granularity, minimum detectable difference, tasks needed."""

from __future__ import annotations

import numpy as np
import pytest

from analysis.errors import DataError
from analysis.stats.power import granularity, minimum_detectable_difference, tasks_needed

Z_SUM = 1.959963984540054 + 0.8416212335729143  # z_{0.975} + z_{0.8}


def test_granularity_is_one_task() -> None:
    assert granularity(500) == pytest.approx(0.002)
    np.testing.assert_allclose(granularity(np.array([100, 500])), [0.01, 0.002])


def test_minimum_detectable_difference_hand_values() -> None:
    assert minimum_detectable_difference(500) == pytest.approx(Z_SUM * np.sqrt(0.5 / 500))
    assert minimum_detectable_difference(500, discordance=0.2) == pytest.approx(
        Z_SUM * np.sqrt(0.2 / 500)
    )
    assert minimum_detectable_difference(500, p=0.7) == pytest.approx(
        Z_SUM * np.sqrt(2 * 0.7 * 0.3 / 500)
    )


def test_mde_decreases_with_n_and_is_vectorised() -> None:
    n = np.array([50, 100, 500, 2000])
    values = minimum_detectable_difference(n, discordance=0.25)
    assert values.shape == (4,)
    assert np.all(np.diff(values) < 0)
    # Quadrupling the tasks halves the MDE.
    assert minimum_detectable_difference(2000) == pytest.approx(
        minimum_detectable_difference(500) / 2
    )


def test_tasks_needed_hand_values() -> None:
    assert tasks_needed(0.01) == int(np.ceil(Z_SUM**2 * 0.5 / 0.01**2))
    np.testing.assert_array_equal(
        tasks_needed(np.array([0.01, 0.02]), discordance=0.2),
        np.ceil(Z_SUM**2 * 0.2 / np.array([0.01, 0.02]) ** 2).astype(int),
    )


@pytest.mark.parametrize("discordance", [None, 0.1, 0.3])
@pytest.mark.parametrize("delta", [0.01, 0.02, 0.05])
def test_tasks_needed_inverts_mde(delta: float, discordance: float | None) -> None:
    n = tasks_needed(delta, discordance=discordance)
    assert minimum_detectable_difference(n, discordance=discordance) <= delta + 1e-15
    assert minimum_detectable_difference(n - 1, discordance=discordance) > delta


def test_paired_mde_has_the_stated_power_by_simulation() -> None:
    """At the paired MDE, a McNemar z-test rejects in about 80% of simulated benchmarks."""
    rng = np.random.default_rng(5)
    n_tasks, discordance = 500, 0.2
    delta = minimum_detectable_difference(n_tasks, discordance=discordance)
    probabilities = [discordance / 2 + delta / 2, discordance / 2 - delta / 2]
    probabilities.append(1 - sum(probabilities))
    counts = rng.multinomial(n_tasks, probabilities, size=4000)
    only_a, only_b = counts[:, 0], counts[:, 1]
    z = (only_a - only_b) / np.sqrt(np.maximum(only_a + only_b, 1))
    power = np.mean(np.abs(z) > 1.959963984540054)
    assert abs(power - 0.8) < 0.04, power


@pytest.mark.parametrize(
    "call",
    [
        lambda: granularity(0),
        lambda: minimum_detectable_difference(-5),
        lambda: minimum_detectable_difference(100, alpha=1.2),
        lambda: minimum_detectable_difference(100, discordance=1.5),
        lambda: tasks_needed(0.0),
        lambda: tasks_needed(0.01, power=1.0),
    ],
)
def test_bad_arguments_raise_data_error(call) -> None:
    with pytest.raises(DataError):
        call()


def test_clustered_mdd_is_the_sum_of_two_exact_critical_values_times_the_se() -> None:
    from analysis.stats.clustered import exact_critical_value
    from analysis.stats.power import clustered_minimum_detectable_difference

    sizes = np.array([231, 75, 44, 34, 32, 22, 22, 19, 10, 8, 2, 1], dtype=float)
    se = np.array([0.01, 0.02])
    mdd = clustered_minimum_detectable_difference(se, sizes, rho=0.05)
    c95 = exact_critical_value(sizes, 0.05, 0.95)
    c60 = exact_critical_value(sizes, 0.05, 0.6)
    np.testing.assert_allclose(mdd, (c95 + c60) * se)
    # with few effective clusters both quantiles exceed the normal ones
    assert c95 > 1.96 and c60 > 0.8416
    with pytest.raises(DataError, match="power"):
        clustered_minimum_detectable_difference(0.01, sizes, power=0.4)
