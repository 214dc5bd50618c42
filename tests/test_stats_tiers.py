"""Letter displays, tiers, rank intervals and split-half rank stability."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats as scipy_stats

from analysis.errors import DataError
from analysis.stats.bootstrap import bootstrap_scores
from analysis.stats.tiers import (
    _row_kendall_tau_b,
    compact_letter_display,
    rank_intervals,
    row_pearson,
    split_half_rank_stability,
    tiers,
)


def difference_matrix(n_items: int, pairs: list[tuple[int, int]]) -> np.ndarray:
    different = np.zeros((n_items, n_items), dtype=bool)
    for i, j in pairs:
        different[i, j] = different[j, i] = True
    return different


def test_compact_letter_display_hand_example() -> None:
    # 0 differs from 2 and 3, 1 from 3: groups {0,1}, {1,2}, {2,3}.
    letters = compact_letter_display(difference_matrix(4, [(0, 2), (0, 3), (1, 3)]))
    assert letters == ["a", "ab", "bc", "c"]


def test_compact_letter_display_extremes() -> None:
    assert compact_letter_display(difference_matrix(3, [])) == ["a", "a", "a"]
    everything = [(i, j) for i in range(3) for j in range(i + 1, 3)]
    assert compact_letter_display(difference_matrix(3, everything)) == ["a", "b", "c"]


@settings(max_examples=60, deadline=None)
@given(
    st.integers(2, 7).flatmap(
        lambda n: st.tuples(st.just(n), st.lists(st.booleans(), min_size=n * n, max_size=n * n))
    )
)
def test_letters_shared_exactly_when_not_different(case: tuple[int, list[bool]]) -> None:
    n_items, flags = case
    upper = np.triu(np.array(flags).reshape(n_items, n_items), k=1)
    different = upper | upper.T
    letters = compact_letter_display(different)
    for i in range(n_items):
        assert letters[i], "every item has a letter"
        for j in range(i + 1, n_items):
            share = bool(set(letters[i]) & set(letters[j]))
            assert share == (not different[i, j]), (letters, i, j)


def test_many_groups_get_unambiguous_labels() -> None:
    # 60 items, each different from every other: 60 singleton groups.
    letters = compact_letter_display(~np.eye(60, dtype=bool))
    assert letters[:3] == ["a", "b", "c"]
    assert letters[26] == "A"
    assert letters[52:54] == ["[53]", "[54]"]
    assert len(set(letters)) == 60


def grouped_matrix() -> pd.DataFrame:
    """Three clearly separated groups of two near-identical systems each (400 tasks)."""
    rng = np.random.default_rng(21)
    rows, names = [], []
    for group, rate in enumerate([0.85, 0.5, 0.15]):
        base = (rng.random(400) < rate).astype(int)
        for member in range(2):
            row = base.copy()
            row[rng.choice(400, size=6, replace=False)] ^= 1  # a few task-level differences
            rows.append(row)
            names.append(f"g{group}m{member}")
    order = [3, 0, 5, 2, 4, 1]  # shuffle so sorting by score is exercised
    return pd.DataFrame(np.array(rows)[order], index=[names[i] for i in order])


def test_tiers_on_separated_groups() -> None:
    table = tiers(grouped_matrix(), n_resamples=500)
    assert list(table.columns) == ["system", "score", "letters", "tier"]
    assert table["score"].is_monotonic_decreasing
    groups = [name[:2] for name in table["system"]]
    assert groups == ["g0", "g0", "g1", "g1", "g2", "g2"]
    assert table["letters"].tolist() == ["a", "a", "b", "b", "c", "c"]
    assert table["tier"].tolist() == [1, 1, 2, 2, 3, 3]


def test_overlapping_letters_and_tiers_on_a_chain() -> None:
    # Task blocks (outcomes of systems 0, 1, 2) x count. Discordant counts: 0 vs 1 is 20:10
    # (McNemar p = 0.099), 1 vs 2 is 20:10, 0 vs 2 is 40:20 (p = 0.013): after Holm only the
    # ends of the chain differ, so letters overlap while tiers cut at system 2.
    blocks = {
        (1, 0, 0): 20,
        (0, 1, 1): 10,
        (1, 1, 0): 20,
        (0, 0, 1): 10,
        (1, 1, 1): 100,
        (0, 0, 0): 100,
    }
    columns = [pattern for pattern, count in blocks.items() for _ in range(count)]
    values = np.array(columns).T
    table = tiers(values, n_resamples=200)
    assert table["system"].tolist() == ["system_0", "system_1", "system_2"]
    assert table["letters"].tolist() == ["a", "ab", "b"]
    assert table["tier"].tolist() == [1, 1, 2]


def test_rank_intervals_separated_and_tied() -> None:
    result = bootstrap_scores(grouped_matrix(), n_resamples=1000, seed=0)
    table = rank_intervals(result)
    assert table["rank"].tolist() == sorted(table["rank"].tolist())
    assert (table["rank_low"] <= table["rank"]).all() and (
        table["rank"] <= table["rank_high"]
    ).all()
    weakest = table.iloc[-2:]
    assert (weakest["rank_low"] >= 5).all()  # g2 systems never climb above the g1 pair
    assert table["p_top"].iloc[2:].eq(0).all()
    twins = bootstrap_scores(np.array([[1, 0, 1, 1], [1, 0, 1, 1]]), n_resamples=100)
    tied = rank_intervals(twins)
    assert tied["rank"].tolist() == [1, 1]  # ties take the minimum rank
    assert tied["p_top"].tolist() == [1.0, 1.0]


def test_row_correlations_match_scipy() -> None:
    rng = np.random.default_rng(2)
    first = rng.integers(0, 5, size=(20, 8)).astype(float)  # many ties
    second = first + rng.integers(-2, 3, size=(20, 8))
    kendall = _row_kendall_tau_b(first, second)
    spearman = row_pearson(
        scipy_stats.rankdata(first, axis=1), scipy_stats.rankdata(second, axis=1)
    )
    for row in range(20):
        assert kendall[row] == pytest.approx(scipy_stats.kendalltau(first[row], second[row])[0])
        assert spearman[row] == pytest.approx(scipy_stats.spearmanr(first[row], second[row])[0])


def test_split_half_stability_separated_vs_indistinguishable() -> None:
    separated = split_half_rank_stability(
        np.vstack(
            [
                np.repeat([1, 0], [360, 40]),
                np.repeat([1, 0], [200, 200]),
                np.repeat([1, 0], [40, 360]),
            ]
        )[:, np.random.default_rng(1).permutation(400)],
        n_splits=100,
    )
    assert separated.spearman_mean == pytest.approx(1.0)
    assert separated.kendall_mean == pytest.approx(1.0)
    assert separated.top_retained == 1.0
    rng = np.random.default_rng(3)
    same = (rng.random((8, 200)) < 0.5).astype(int)
    noisy = split_half_rank_stability(same, n_splits=200, seed=4)
    assert abs(noisy.spearman_mean) < 0.3
    assert noisy.top_retained < 0.5
    assert len(noisy.splits) == 200


def test_split_half_is_reproducible() -> None:
    matrix = (np.random.default_rng(5).random((5, 100)) < 0.5).astype(int)
    first = split_half_rank_stability(matrix, n_splits=50, seed=9)
    second = split_half_rank_stability(matrix, n_splits=50, seed=9)
    pd.testing.assert_frame_equal(first.splits, second.splits)


def test_bad_input_raises_data_error() -> None:
    with pytest.raises(DataError):
        tiers(np.ones((1, 5)))
    with pytest.raises(DataError):
        split_half_rank_stability(np.ones((3, 5)), n_splits=0)


def test_tiers_with_clusters_use_the_clustered_paired_test() -> None:
    matrix = grouped_matrix()
    clusters = np.arange(matrix.shape[1]) % 6
    table = tiers(matrix, n_resamples=500, clusters=clusters)
    assert table.attrs["comparisons"]["test"] == "exact"
    cr2 = tiers(matrix, n_resamples=500, clusters=clusters, test="cr2")
    assert cr2.attrs["comparisons"]["test"] == "cr2"
    assert table["tier"].iloc[0] == 1 and table["tier"].is_monotonic_increasing
